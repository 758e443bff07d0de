import express, { type Response, type Router } from "express";
import type { MockContext } from "../context.ts";
import { ErrorRedirect, HttpError, NoRedirectError } from "../errors.ts";
import { methodNotAllowed, sendPage } from "../http/error-handler.ts";
import { formParams, queryParams } from "../http/params.ts";
import { appendQuery } from "../http/redirect.ts";
import { currentSession, requireCsrf } from "../http/session.ts";
import type { Store, User } from "../store.ts";
import { PAGE_SECURITY_HEADERS } from "../views/html.ts";
import { type ConsentPageInput, consentPage } from "../views/consent-page.ts";
import { type AuthorizeRequest, resolveAuthorizeTarget, validateAuthorizeRequest } from "./authorize-request.ts";
import { answerAutomatically } from "./auto-approve.ts";
import type { ConsentTransactions } from "./consent-transactions.ts";
import { encodeRequestTarget, renderLogin } from "./login.ts";
import { redirectUriMatches } from "./redirect-uri.ts";
import { isSubset } from "./scope.ts";

/** Host shown on the consent page: the redirect URI's host, or its scheme for private-use URIs (CONSENT-02). */
function redirectHost(uri: string): string {
  try {
    const url = new URL(uri);
    return url.host !== "" ? url.host : `${url.protocol}`;
  } catch {
    return uri;
  }
}

/**
 * CONSENT-08 / AMB-23: public clients are always prompted; a confidential
 * client skips the prompt only while a live grant of this user, workspace and
 * client, still holding a usable token, covers every requested scope
 * (with `sameSetOnly`, shape consent "exact-scope-set": grants exactly them).
 */
export function hasCoveringGrant(store: Store, user: User, request: AuthorizeRequest, sameSetOnly = false): boolean {
  if (request.app.type !== "confidential") return false;
  const now = store.now();
  const holding = new Set<string>();
  for (const t of store.refreshTokens.values()) if (t.revokedAt === null && t.rotatedAt === null && t.expiresAt > now) holding.add(t.grantId);
  for (const t of store.accessTokens.values()) if (t.revokedAt === null && t.expiresAt > now) holding.add(t.grantId);
  for (const g of store.grants.values()) {
    if (g.kind !== "authorization_code" || g.clientId !== request.app.clientId || g.workspaceId !== user.workspaceId) continue;
    // Fault consent-grant-shared (CONSENT-08): a colleague's grant in the workspace counts as this user's.
    if (g.principal.kind !== "user" || (g.principal.userId !== user.id && !store.faults.has("consent-grant-shared"))) continue;
    if (sameSetOnly && !isSubset(g.scope, request.scope)) continue;
    if (store.grantIsLive(g) && holding.has(g.id) && isSubset(request.scope, g.scope)) return true;
  }
  return false;
}

/**
 * Whether this authorization must show the consent page, by the shape's
 * consent rule (mock/shape.ts). Every rule asks public clients (CONSENT-08).
 */
export function needsConsent(ctx: MockContext, user: User, request: AuthorizeRequest): boolean {
  switch (ctx.shape.consent) {
    case "always":
      return true;
    case "exact-scope-set":
      return !hasCoveringGrant(ctx.store, user, request, true);
    default:
      return !hasCoveringGrant(ctx.store, user, request);
  }
}

/** The consent page's content for a validated request (CONSENT-02). */
export function consentPageInput(store: Store, user: User, csrfToken: string, request: AuthorizeRequest, transaction: string): ConsentPageInput {
  const workspace = store.workspaces.get(user.workspaceId);
  return {
    appName: request.app.name,
    workspaceName: workspace?.name ?? user.workspaceId,
    userEmail: user.email,
    redirectHost: redirectHost(request.redirectUri),
    scopes: request.scope.map((name) => ({ name, description: store.scopeReference.get(name) ?? "" })),
    csrfToken,
    transaction,
  };
}

/**
 * Issues a code and sends the user back with it and the exact state (RFC 6749 §4.1.2).
 * The user's own permissions are not intersected here: the token carries the
 * approved scopes and the /v1 layer caps them by the user's permissions (CONSENT-09, AMB-09).
 */
export function redirectWithCode(store: Store, res: Response, request: AuthorizeRequest, user: User, status: 302 | 303): void {
  const code = store.issueCode({
    clientId: request.app.clientId,
    userId: user.id,
    workspaceId: user.workspaceId,
    redirectUri: request.redirectUri,
    scope: request.scope,
    codeChallenge: request.codeChallenge,
  });
  const params: Array<[string, string]> = [["code", code]];
  // Faults state-dropped and state-truncated (AUTHZ-07).
  if (request.state !== undefined && !store.faults.has("state-dropped")) params.push(["state", store.faults.has("state-truncated") ? request.state.slice(0, 600) : request.state]);
  res.status(status).set(PAGE_SECURITY_HEADERS).set("Location", appendQuery(request.redirectUri, params)).end();
}

export function authorizeRouter(ctx: MockContext, transactions: ConsentTransactions): Router {
  const router = express.Router();
  const { store } = ctx;

  // RFC 6749 §4.1.1; checks in the order of catalogue §2: client, redirect URI, user, then the rest.
  router.get("/oauth/authorize", (req, res) => {
    const params = queryParams(req);
    const target = resolveAuthorizeTarget(params, (id) => store.liveApp(id), ctx.faults);
    // Headless approval (auto-approve.ts): the login and consent pages are skipped, the checks are not.
    if (answerAutomatically(ctx, res, params, target)) return;
    const current = currentSession(ctx, req);
    if (!current) {
      renderLogin(ctx, req, res, { returnTo: encodeRequestTarget(req.originalUrl), appName: target.app.name });
      return;
    }
    const request = validateAuthorizeRequest(params, target, ctx.faults);
    if (!needsConsent(ctx, current.user, request)) {
      redirectWithCode(store, res, request, current.user, 302);
      return;
    }
    const transaction = transactions.open(request, current.session.digest, current.user.id);
    sendPage(res, 200, `Connect ${request.app.name}`, consentPage(consentPageInput(store, current.user, current.session.csrfToken, request, transaction)));
  });

  // The consent form's POST (RFC 6749 §10.12 CSRF; catalogue CONSENT-03..05, CONSENT-07: 303).
  router.post("/oauth/consent", (req, res) => {
    const form = formParams(req, () => new HttpError(400, "Submit the consent form."));
    const current = currentSession(ctx, req);
    if (!current) throw new HttpError(403, "Your Pact session has ended. Start again from the application.");
    // Fault consent-csrf-missing (CONSENT-05).
    if (!ctx.faults.has("consent-csrf-missing")) requireCsrf(ctx, req, current.session, form);
    const decisions = form.all("decision");
    const decision = decisions.length === 1 ? decisions[0] : undefined;
    if (decision !== "approve" && decision !== "deny") throw new HttpError(400, "Choose Approve or Deny.");
    const transactionIds = form.all("transaction");
    const tx = transactions.take(transactionIds.length === 1 ? transactionIds[0] : undefined, current.session.digest);
    if (!tx || tx.userId !== current.user.id)
      throw new HttpError(400, "This authorization request has expired or was already answered. Start again from the application.");
    const { request } = tx;
    const app = store.liveApp(request.app.clientId);
    if (!app || !redirectUriMatches(request.redirectUri, app.redirectUris, app.type, ctx.faults))
      throw new NoRedirectError("Application unavailable", "This application was removed or changed while you were deciding.");
    if (decision === "deny") throw new ErrorRedirect(request.redirectUri, "access_denied", "The user denied the request.", request.state, 303);
    redirectWithCode(store, res, { ...request, app }, current.user, 303);
  });

  router.all("/oauth/authorize", methodNotAllowed("GET"));
  router.all("/oauth/consent", methodNotAllowed("POST"));
  return router;
}
