/**
 * Routed interaction (mock/shape.ts `interaction: "routed"`), the layout of
 * servers such as node-oidc-provider: GET /oauth/authorize checks the request
 * exactly as the inline layout does (no-redirect errors and error redirects are
 * answered directly), then hops to a same-origin interaction page:
 *
 *   interactionPaths "interaction":     /interaction/{id}                (login or consent; the form posts back there)
 *   interactionPaths "signin-consent":  /signin?interaction={id}          (form posts to /signin)
 *                                       /consent?request={id}             (form posts to /consent)
 *
 * A successful Sign in, an Approve and a Deny each hop through a single-use
 * resume URL /oauth/authorize/resume/{id}, bound to the (new) session, which
 * finally redirects to the client (code and state, or access_denied), to the
 * consent page when consent is still needed, or back to the admin console.
 * Every hop uses the shape's interactionStatus (302 or 303).
 *
 * Protection is that of the inline pages: the login form has the double-submit
 * login-CSRF token and a login interaction is bound to that browser's cookie;
 * a consent interaction is bound to the session and user, its form carries the
 * session's CSRF token and a cross-site Origin/Referer is refused (CONSENT-05).
 */
import { randomBytes } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import type { MockContext } from "../context.ts";
import { ErrorRedirect, HttpError, NoRedirectError } from "../errors.ts";
import { methodNotAllowed, sendPage } from "../http/error-handler.ts";
import { Params, formParams, queryParams } from "../http/params.ts";
import { currentSession, readCookies, requireCsrf } from "../http/session.ts";
import { digest, safeEqual } from "../secrets.ts";
import { LIFETIME_S, type Session, type Store, type User } from "../store.ts";
import { consentPage } from "../views/consent-page.ts";
import { PAGE_SECURITY_HEADERS } from "../views/html.ts";
import { type AuthorizeRequest, type AuthorizeTarget, resolveAuthorizeTarget, validateAuthorizeRequest } from "./authorize-request.ts";
import { consentPageInput, needsConsent, redirectWithCode } from "./authorize.ts";
import { answerAutomatically } from "./auto-approve.ts";
import { LOGIN_CSRF_COOKIE, LOGIN_FAILED, loginCsrfFor, renderLogin, requireLoginCsrf, safeReturnPath, signIn, single } from "./login.ts";
import { redirectUriMatches } from "./redirect-uri.ts";

type Step =
  /** Sign in, then continue the authorization request (its raw query) or return to a same-origin path. */
  | { readonly kind: "login"; readonly query: string | null; readonly returnTo: string; readonly appName?: string; readonly browser: string }
  /** Approve or Deny a validated request, for one session and user. */
  | { readonly kind: "consent"; readonly request: AuthorizeRequest; readonly sessionDigest: string; readonly userId: string };

type Then =
  | { readonly kind: "authorize"; readonly query: string }
  | { readonly kind: "return"; readonly path: string }
  | { readonly kind: "decided"; readonly decision: "approve" | "deny"; readonly request: AuthorizeRequest };

interface Resume {
  readonly sessionDigest: string;
  readonly userId: string;
  readonly then: Then;
}

type Timed<T> = T & { readonly expiresAt: number };

/** Pending interactions and resumes, keyed by the digest of their unguessable id; single use, swept on expiry and reset. */
export class Interactions {
  private readonly steps = new Map<string, Timed<Step>>();
  private readonly resumes = new Map<string, Timed<Resume>>();

  constructor(private readonly store: Store) {
    store.onReset(() => {
      this.steps.clear();
      this.resumes.clear();
    });
  }

  private newId(): string {
    return randomBytes(24).toString("base64url");
  }

  private expiry(): number {
    return this.store.now() + LIFETIME_S.transaction * 1000;
  }

  private sweep(): void {
    const now = this.store.now();
    for (const [k, v] of this.steps) if (v.expiresAt <= now) this.steps.delete(k);
    for (const [k, v] of this.resumes) if (v.expiresAt <= now) this.resumes.delete(k);
  }

  open(step: Step): string {
    this.sweep();
    const id = this.newId();
    this.steps.set(digest(id), { ...step, expiresAt: this.expiry() });
    return id;
  }

  /** The live step with this id, left in place. */
  peek(id: string | undefined): Step | null {
    if (id === undefined) return null;
    const step = this.steps.get(digest(id));
    return step && step.expiresAt > this.store.now() ? step : null;
  }

  close(id: string): void {
    this.steps.delete(digest(id));
  }

  openResume(resume: Resume): string {
    this.sweep();
    const id = this.newId();
    this.resumes.set(digest(id), { ...resume, expiresAt: this.expiry() });
    return id;
  }

  /** Removes and returns the live resume of this session; null when unknown, expired or another session's. */
  takeResume(id: string, sessionDigest: string): Resume | null {
    const key = digest(id);
    const resume = this.resumes.get(key);
    if (!resume || resume.sessionDigest !== sessionDigest) return null;
    this.resumes.delete(key);
    return resume.expiresAt > this.store.now() ? resume : null;
  }
}

const perStore = new WeakMap<Store, Interactions>();

/** The interactions of one mock (shared by the OAuth pages and the admin console's sign-in). */
export function interactionsOf(ctx: MockContext): Interactions {
  let found = perStore.get(ctx.store);
  if (!found) {
    found = new Interactions(ctx.store);
    perStore.set(ctx.store, found);
  }
  return found;
}

export const RESUME_PATH = "/oauth/authorize/resume";

const EXPIRED_LOGIN = "This sign-in has expired or was already used. Start again from the application.";
const EXPIRED_REQUEST = "This authorization request has expired or was already answered. Start again from the application.";
const SESSION_ENDED = "Your Pact session has ended. Start again from the application.";

function hop(ctx: MockContext, res: Response, location: string): void {
  res.status(ctx.shape.interactionStatus).set(PAGE_SECURITY_HEADERS).set("Location", location).end();
}

function pageUrl(ctx: MockContext, kind: Step["kind"], id: string): string {
  if (ctx.shape.interactionPaths === "interaction") return `/interaction/${id}`;
  return kind === "login" ? `/signin?interaction=${id}` : `/consent?request=${id}`;
}

/** Where the page's form posts, and the hidden field naming the interaction (the path carries it under /interaction). */
function formTarget(ctx: MockContext, kind: Step["kind"], id: string): { action: string; field: string | null } {
  if (ctx.shape.interactionPaths === "interaction") return { action: `/interaction/${id}`, field: null };
  return kind === "login" ? { action: "/signin", field: "interaction" } : { action: "/consent", field: "request" };
}

/** The browser's login-CSRF cookie, digested: what binds a login interaction to the browser that started it. */
function browserOf(req: Request): string | null {
  const cookie = readCookies(req).get(LOGIN_CSRF_COOKIE);
  return cookie === undefined ? null : digest(cookie);
}

/**
 * Starts a login interaction and hops to it. `query` is the authorization
 * request to continue with; without one the user returns to `returnTo`.
 */
export function startLoginInteraction(ctx: MockContext, req: Request, res: Response, input: { query: string | null; returnTo: string; appName?: string }): void {
  const token = loginCsrfFor(ctx, req, res);
  const id = interactionsOf(ctx).open({ kind: "login", query: input.query, returnTo: safeReturnPath(input.returnTo, ctx.faults), appName: input.appName, browser: digest(token) });
  hop(ctx, res, pageUrl(ctx, "login", id));
}

function rawQuery(req: Request): string {
  const at = req.originalUrl.indexOf("?");
  return at === -1 ? "" : req.originalUrl.slice(at + 1);
}

export function routedAuthorizeRouter(ctx: MockContext): Router {
  const router = express.Router();
  const { store } = ctx;
  const interactions = interactionsOf(ctx);

  /** A signed-in user's validated request: error redirect, code (no consent needed) or the consent interaction. */
  const proceed = (res: Response, params: Params, target: AuthorizeTarget, current: { session: Session; user: User }, codeStatus: 302 | 303): void => {
    const request = validateAuthorizeRequest(params, target, ctx.faults);
    if (!needsConsent(ctx, current.user, request)) {
      redirectWithCode(store, res, request, current.user, codeStatus);
      return;
    }
    const id = interactions.open({ kind: "consent", request, sessionDigest: current.session.digest, userId: current.user.id });
    hop(ctx, res, pageUrl(ctx, "consent", id));
  };

  // RFC 6749 §4.1.1; the checks and their order are those of the inline layout (mock/oauth/authorize.ts).
  router.get("/oauth/authorize", (req, res) => {
    const params = queryParams(req);
    const target = resolveAuthorizeTarget(params, (id) => store.liveApp(id), ctx.faults);
    // Headless approval (auto-approve.ts): no interaction page, every check kept.
    if (answerAutomatically(ctx, res, params, target)) return;
    const current = currentSession(ctx, req);
    // AUTHZ-11: without a session, sign in first; the request is validated after that.
    if (!current) return startLoginInteraction(ctx, req, res, { query: rawQuery(req), returnTo: "/", appName: target.app.name });
    proceed(res, params, target, current, 302);
  });

  const interactionId = (req: Request, form: Params | null, field: string): string | undefined => {
    const fromPath = req.params["id"];
    if (typeof fromPath === "string") return fromPath;
    return form ? single(form, field) : single(queryParams(req), field);
  };

  const loginStep = (req: Request, id: string | undefined): Extract<Step, { kind: "login" }> => {
    const step = interactions.peek(id);
    const browser = browserOf(req);
    if (!step || step.kind !== "login" || browser === null || !safeEqual(browser, step.browser)) throw new HttpError(400, EXPIRED_LOGIN);
    return step;
  };

  const consentStep = (id: string | undefined, current: { session: Session; user: User }): Extract<Step, { kind: "consent" }> => {
    const step = interactions.peek(id);
    if (!step || step.kind !== "consent" || step.sessionDigest !== current.session.digest || step.userId !== current.user.id) throw new HttpError(400, EXPIRED_REQUEST);
    return step;
  };

  const showLogin = (req: Request, res: Response, id: string, step: Extract<Step, { kind: "login" }>, failed?: { email: string }): void => {
    const { action, field } = formTarget(ctx, "login", id);
    renderLogin(ctx, req, res, {
      action,
      hidden: field ? [[field, id]] : [],
      appName: step.appName,
      ...(failed ? { error: LOGIN_FAILED, email: failed.email, status: ctx.shape.loginFailureStatus } : {}),
    });
  };

  const showConsent = (req: Request, res: Response, id: string): void => {
    const current = currentSession(ctx, req);
    if (!current) throw new HttpError(403, SESSION_ENDED);
    const step = consentStep(id, current);
    const { action, field } = formTarget(ctx, "consent", id);
    const input = consentPageInput(store, current.user, current.session.csrfToken, step.request, id);
    sendPage(res, 200, `Connect ${step.request.app.name}`, consentPage({ ...input, action, transactionField: field ?? "transaction" }));
  };

  const submitLogin = (req: Request, res: Response, form: Params, id: string | undefined): void => {
    requireLoginCsrf(ctx, req, form);
    const step = loginStep(req, id);
    const signedIn = signIn(ctx, req, res, form);
    if (!signedIn) return showLogin(req, res, id as string, step, { email: single(form, "email") ?? "" });
    interactions.close(id as string);
    const then: Then = step.query !== null ? { kind: "authorize", query: step.query } : { kind: "return", path: step.returnTo };
    const resume = interactions.openResume({ sessionDigest: signedIn.session.digest, userId: signedIn.user.id, then });
    hop(ctx, res, `${RESUME_PATH}/${resume}`);
  };

  // The consent form's POST (RFC 6749 §10.12 CSRF; catalogue CONSENT-03..05).
  const submitConsent = (req: Request, res: Response, form: Params, id: string | undefined): void => {
    const current = currentSession(ctx, req);
    if (!current) throw new HttpError(403, SESSION_ENDED);
    // Fault consent-csrf-missing (CONSENT-05).
    if (!ctx.faults.has("consent-csrf-missing")) requireCsrf(ctx, req, current.session, form);
    const decisions = form.all("decision");
    const decision = decisions.length === 1 ? decisions[0] : undefined;
    if (decision !== "approve" && decision !== "deny") throw new HttpError(400, "Choose Approve or Deny.");
    const step = consentStep(id, current);
    interactions.close(id as string);
    const app = store.liveApp(step.request.app.clientId);
    if (!app || !redirectUriMatches(step.request.redirectUri, app.redirectUris, app.type, ctx.faults))
      throw new NoRedirectError("Application unavailable", "This application was removed or changed while you were deciding.");
    const resume = interactions.openResume({ sessionDigest: current.session.digest, userId: current.user.id, then: { kind: "decided", decision, request: { ...step.request, app } } });
    hop(ctx, res, `${RESUME_PATH}/${resume}`);
  };

  const formOf = (req: Request, what: string): Params => formParams(req, () => new HttpError(400, `Submit the ${what} form.`));

  if (ctx.shape.interactionPaths === "interaction") {
    router.get("/interaction/:id", (req, res) => {
      const id = interactionId(req, null, "");
      const step = interactions.peek(id);
      if (step?.kind === "consent") return showConsent(req, res, id as string);
      showLogin(req, res, id as string, loginStep(req, id));
    });
    router.post("/interaction/:id", (req, res) => {
      const id = interactionId(req, null, "");
      const step = interactions.peek(id);
      if (!step) throw new HttpError(400, EXPIRED_REQUEST);
      if (step.kind === "consent") return submitConsent(req, res, formOf(req, "consent"), id);
      submitLogin(req, res, formOf(req, "sign-in"), id);
    });
    router.all("/interaction/:id", methodNotAllowed("GET, POST"));
  } else {
    router.get("/signin", (req, res) => {
      const id = interactionId(req, null, "interaction");
      showLogin(req, res, id as string, loginStep(req, id));
    });
    router.post("/signin", (req, res) => {
      const form = formOf(req, "sign-in");
      submitLogin(req, res, form, interactionId(req, form, "interaction"));
    });
    router.get("/consent", (req, res) => showConsent(req, res, interactionId(req, null, "request") ?? ""));
    router.post("/consent", (req, res) => {
      const form = formOf(req, "consent");
      submitConsent(req, res, form, interactionId(req, form, "request"));
    });
    router.all(["/signin", "/consent"], methodNotAllowed("GET, POST"));
  }

  router.get(`${RESUME_PATH}/:id`, (req, res) => {
    const current = currentSession(ctx, req);
    if (!current) throw new HttpError(403, SESSION_ENDED);
    const resume = interactions.takeResume(interactionId(req, null, "") ?? "", current.session.digest);
    if (!resume || resume.userId !== current.user.id) throw new HttpError(400, EXPIRED_REQUEST);
    const { then } = resume;
    const status = ctx.shape.interactionStatus;
    if (then.kind === "return") return hop(ctx, res, then.path);
    if (then.kind === "authorize") {
      const params = Params.parse(then.query);
      proceed(res, params, resolveAuthorizeTarget(params, (id) => store.liveApp(id), ctx.faults), current, status);
      return;
    }
    const { request } = then;
    if (then.decision === "deny") throw new ErrorRedirect(request.redirectUri, "access_denied", "The user denied the request.", request.state, status);
    redirectWithCode(store, res, request, current.user, status);
  });

  router.all("/oauth/authorize", methodNotAllowed("GET"));
  router.all(`${RESUME_PATH}/:id`, methodNotAllowed("GET"));
  return router;
}
