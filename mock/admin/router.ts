/**
 * Admin → API & developers (DOC-S1, DOC-S4/Revocation; REG-01..05, INSTALL-01..05, KEY-01..03, SEC-07).
 * Signed-in workspace admins only: no session → 303 to /login?return_to=<same-origin path> (pages)
 * or 401 (JSON); a member → 403; any Authorization header (OAuth token, API key) → 403 (SEC-07).
 * Every POST/DELETE needs the session's CSRF token: form field `csrf_token` (pages) or header
 * `X-CSRF-Token` (JSON), and no cross-site Origin/Referer.
 *
 * Pages (HTML; tabs are links named Apps, Installed, API keys, Members):
 *   GET  /admin/api-developers?tab=apps|installed|api-keys|members
 *   POST /admin/api-developers/apps                          name, type=public|confidential, redirect_uris (one per line), scope (repeated)
 *                                                            button "Register app"; 200 page showing client_id and, once, client_secret
 *   POST /admin/api-developers/apps/:clientId/secret         button "Regenerate secret"; 200 page showing the new secret once
 *   POST /admin/api-developers/apps/:clientId/delete         button "Delete"; 303 → ?tab=apps
 *   POST /admin/api-developers/installed/:clientId/revoke    button "Revoke"; 303 → ?tab=installed
 *   POST /admin/api-developers/api-keys                      name; button "Create API key"; 200 page showing the key once
 *   POST /admin/api-developers/api-keys/:keyId/revoke        button "Revoke"; 303 → ?tab=api-keys
 *   POST /admin/api-developers/members/:userId/deactivate    button "Deactivate"; 303 → ?tab=members
 *
 * JSON admin API (session cookie; X-CSRF-Token on POST/DELETE; errors {"error","error_description"}):
 *   GET    /admin/api/session                       → {user, workspace, csrf_token}
 *   GET    /admin/api/apps                          → {data: [app]}        app = {client_id, name, type, redirect_uris, scopes, secret_hint, created_at}
 *   POST   /admin/api/apps                          {name, type, redirect_uris: [..], scopes: [..] | scope: "a b"}
 *                                                   → 201 app + client_secret (confidential only; never returned again)
 *   GET    /admin/api/apps/:clientId                → app
 *   POST   /admin/api/apps/:clientId/secret         → {client_id, client_secret, secret_hint}
 *   DELETE /admin/api/apps/:clientId                → 204
 *   GET    /admin/api/installed                     → {data: [{client_id, name, type, scopes, authorizations: [{kind, user, authorized_at, scopes}]}]}
 *   POST   /admin/api/installed/:clientId/revoke    → 204
 *   GET    /admin/api/api-keys                      → {data: [{id, name, hint, created_at, revoked_at}]}
 *   POST   /admin/api/api-keys                      {name} → 201 {id, name, hint, created_at, revoked_at, key}
 *   DELETE /admin/api/api-keys/:keyId               → 204
 *   GET    /admin/api/users                         → {data: [{id, email, name, role, active, permissions}]}
 *   POST   /admin/api/users/:idOrEmail/deactivate   → 204
 */
import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import { z } from "zod";
import { jsonBody } from "../api/body.ts";
import type { MockContext } from "../context.ts";
import { HttpError } from "../errors.ts";
import { methodNotAllowed, sendPage } from "../http/error-handler.ts";
import { Params, formParams, queryParams } from "../http/params.ts";
import { currentSession, requireCsrf } from "../http/session.ts";
import { startLoginInteraction } from "../oauth/interaction.ts";
import { parseScope } from "../oauth/scope.ts";
import type { Session, User, Workspace } from "../store.ts";
import { PAGE_SECURITY_HEADERS } from "../views/html.ts";
import * as svc from "./service.ts";
import { CONSOLE_PATH, type ConsoleFrame, NOTICES, type RegisterFormValues, TABS, type TabId, appsTab, installedTab, keyCreatedPage, keysTab, membersTab, secretPage, tabPath } from "./views.ts";

interface Admin {
  readonly user: User;
  readonly session: Session;
  readonly workspace: Workspace;
}

type Outcome = { kind: "admin"; admin: Admin } | { kind: "signed-out" };

/** draft-broyer-http-cookie-auth: the credential is the session cookie set by the login form. */
const COOKIE_CHALLENGE = 'Cookie realm="pact", form-action="/login", cookie-name="pact_session"';

function hasAuthorizationHeader(req: Request): boolean {
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === "authorization") return true;
  return false;
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  return typeof v === "string" ? v : "";
}

/** The one value of a form field; a repeated field is refused. */
function single(form: Params, name: string): string {
  const values = form.all(name);
  if (values.length > 1) throw new HttpError(400, `The field ${name} was sent more than once.`);
  return values[0] ?? "";
}

export function adminRouter(ctx: MockContext): Router {
  const router = express.Router({ caseSensitive: true });
  const { store } = ctx;

  // SEC-07, AMB-22: bearer credentials of any kind never reach administration.
  router.use("/admin", (req, _res, next) => {
    if (hasAuthorizationHeader(req)) throw new HttpError(403, "OAuth tokens and API keys cannot be used for administration. Sign in as a workspace admin.");
    next();
  });

  const resolve = (req: Request): Outcome => {
    const found = currentSession(ctx, req);
    if (!found) return { kind: "signed-out" };
    // INSTALL-03: members reach nothing here, not even the read-only tabs.
    if (found.user.role !== "admin") throw new HttpError(403, "Only workspace admins can use API & developers.");
    const workspace = store.workspaces.get(found.user.workspaceId);
    if (!workspace) throw new HttpError(403, "Your workspace no longer exists.");
    return { kind: "admin", admin: { user: found.user, session: found.session, workspace } };
  };

  /** A return path to this page after login: same-origin and under /admin only (SEC-01). */
  const loginRedirect = (req: Request, res: Response): void => {
    const back = req.method === "GET" && req.originalUrl.startsWith(`${CONSOLE_PATH}`) ? req.originalUrl : CONSOLE_PATH;
    // Shape standaloneLogin false: no /login; a sign-in interaction returns here (mock/oauth/interaction.ts).
    if (!ctx.shape.standaloneLogin) return startLoginInteraction(ctx, req, res, { query: null, returnTo: back });
    res.set(PAGE_SECURITY_HEADERS).redirect(303, `/login?return_to=${encodeURIComponent(back)}`);
  };

  const frameOf = (a: Admin, tab: TabId, extra: { notice?: string; error?: string } = {}): ConsoleFrame => ({ admin: a.user, workspace: a.workspace, csrfToken: a.session.csrfToken, tab, notice: extra.notice, error: extra.error });

  const pageGet =
    (handler: (req: Request, res: Response, a: Admin) => void): RequestHandler =>
    (req, res) => {
      const outcome = resolve(req);
      if (outcome.kind === "signed-out") return loginRedirect(req, res);
      handler(req, res, outcome.admin);
    };

  const pagePost =
    (handler: (req: Request, res: Response, a: Admin, form: Params) => void): RequestHandler =>
    (req, res) => {
      const outcome = resolve(req);
      if (outcome.kind === "signed-out") return loginRedirect(req, res);
      const form = formParams(req, () => new HttpError(415, "Submit the form as application/x-www-form-urlencoded."));
      requireCsrf(ctx, req, outcome.admin.session, form);
      handler(req, res, outcome.admin, form);
    };

  const jsonRoute =
    (handler: (req: Request, res: Response, a: Admin) => void): RequestHandler =>
    (req, res) => {
      const outcome = resolve(req);
      if (outcome.kind === "signed-out") throw new HttpError(401, "Sign in as a workspace admin; send the pact_session cookie.", { "WWW-Authenticate": COOKIE_CHALLENGE }, "unauthorized");
      if (req.method !== "GET" && req.method !== "HEAD") {
        const header = req.headers["x-csrf-token"];
        const token = typeof header === "string" ? header : "";
        requireCsrf(ctx, req, outcome.admin.session, token === "" ? Params.empty() : Params.parse(new URLSearchParams({ csrf_token: token }).toString()));
      }
      res.set("Cache-Control", "no-store");
      handler(req, res, outcome.admin);
    };

  // ---- pages ----------------------------------------------------------------

  const renderTab = (res: Response, a: Admin, tab: TabId, status = 200, extra: { notice?: string; error?: string; form?: RegisterFormValues } = {}): void => {
    const f = frameOf(a, tab, extra);
    const title = TABS.find((t) => t.id === tab)?.label ?? "API & developers";
    const body =
      tab === "apps"
        ? appsTab(f, svc.appsOf(store, a.workspace.id), store.scopeReference, extra.form)
        : tab === "installed"
          ? installedTab(f, svc.installations(store, a.workspace.id))
          : tab === "api-keys"
            ? keysTab(f, svc.keysOf(store, a.workspace.id))
            : membersTab(f, svc.membersOf(store, a.workspace.id));
    sendPage(res, status, `${title} · API & developers`, body);
  };

  router
    .route(CONSOLE_PATH)
    .get(
      pageGet((req, res, a) => {
        const q = queryParams(req);
        const requested = q.get("tab") ?? "apps";
        const tab = TABS.find((t) => t.id === requested)?.id;
        if (!tab) throw new HttpError(404, "No such tab.");
        const noticeKey = q.get("notice");
        renderTab(res, a, tab, 200, { notice: noticeKey === undefined ? undefined : NOTICES[noticeKey] });
      }),
    )
    .all(methodNotAllowed("GET, HEAD"));

  router
    .route(`${CONSOLE_PATH}/apps`)
    .post(
      pagePost((_req, res, a, form) => {
        const values: RegisterFormValues = { name: single(form, "name"), type: single(form, "type"), redirectUris: single(form, "redirect_uris"), scopes: form.all("scope") };
        const redirectUris = values.redirectUris
          .split(/\r\n|\r|\n/)
          .map((l) => l.trim())
          .filter((l) => l !== "");
        let created: ReturnType<typeof svc.registerApp>;
        try {
          created = svc.registerApp(store, a.workspace.id, { name: values.name, type: values.type, redirectUris, scopes: values.scopes });
        } catch (err) {
          // A refused registration shows the form again with the reason (REG-04, REG-05).
          if (err instanceof HttpError && err.status === 400) return renderTab(res, a, "apps", 400, { error: err.detail, form: values });
          throw err;
        }
        sendPage(res, 200, "App registered · API & developers", secretPage(frameOf(a, "apps"), created.app, created.secret, "App registered"));
      }),
    )
    .all(methodNotAllowed("POST"));

  router
    .route(`${CONSOLE_PATH}/apps/:clientId/secret`)
    .post(
      pagePost((req, res, a) => {
        const app = svc.appInWorkspace(store, a.workspace.id, param(req, "clientId"));
        const secret = svc.rotateSecret(store, app);
        sendPage(res, 200, "New client secret · API & developers", secretPage(frameOf(a, "apps"), app, secret, "New client secret"));
      }),
    )
    .all(methodNotAllowed("POST"));

  router
    .route(`${CONSOLE_PATH}/apps/:clientId/delete`)
    .post(
      pagePost((req, res, a) => {
        store.deleteApp(svc.appInWorkspace(store, a.workspace.id, param(req, "clientId")));
        res.redirect(303, tabPath("apps", "deleted"));
      }),
    )
    .all(methodNotAllowed("POST"));

  router
    .route(`${CONSOLE_PATH}/installed/:clientId/revoke`)
    .post(
      pagePost((req, res, a) => {
        store.revokeInstallation(param(req, "clientId"), a.workspace.id);
        res.redirect(303, tabPath("installed", "revoked"));
      }),
    )
    .all(methodNotAllowed("POST"));

  router
    .route(`${CONSOLE_PATH}/api-keys`)
    .post(
      pagePost((_req, res, a, form) => {
        const { raw, key } = svc.createApiKey(store, a.workspace.id, single(form, "name"));
        sendPage(res, 200, "API key created · API & developers", keyCreatedPage(frameOf(a, "api-keys"), key, raw));
      }),
    )
    .all(methodNotAllowed("POST"));

  router
    .route(`${CONSOLE_PATH}/api-keys/:keyId/revoke`)
    .post(
      pagePost((req, res, a) => {
        store.revokeApiKey(svc.keyInWorkspace(store, a.workspace.id, param(req, "keyId")));
        res.redirect(303, tabPath("api-keys", "key-revoked"));
      }),
    )
    .all(methodNotAllowed("POST"));

  router
    .route(`${CONSOLE_PATH}/members/:userId/deactivate`)
    .post(
      pagePost((req, res, a) => {
        svc.deactivateMember(store, a.user, param(req, "userId"));
        res.redirect(303, tabPath("members", "deactivated"));
      }),
    )
    .all(methodNotAllowed("POST"));

  // ---- JSON admin API ---------------------------------------------------------

  const RegisterBody = z.object({
    name: z.string(),
    type: z.string(),
    redirect_uris: z.array(z.string()),
    scopes: z.array(z.string()).optional(),
    scope: z.string().optional(),
  });
  const KeyBody = z.object({ name: z.string() });

  router
    .route("/admin/api/session")
    .get(
      jsonRoute((_req, res, a) => {
        res.json({ user: svc.userJson(a.user), workspace: { id: a.workspace.id, name: a.workspace.name }, csrf_token: a.session.csrfToken });
      }),
    )
    .all(methodNotAllowed("GET, HEAD"));

  router
    .route("/admin/api/apps")
    .get(jsonRoute((_req, res, a) => void res.json({ data: svc.appsOf(store, a.workspace.id).map(svc.appJson) })))
    .post(
      jsonRoute((req, res, a) => {
        const body = jsonBody(req, RegisterBody);
        let scopes: string[] = body.scopes ?? [];
        if (body.scope !== undefined) {
          if (body.scopes !== undefined) throw new HttpError(400, "Send either scopes (array) or scope (space-separated), not both.", {}, "invalid_request");
          const parsed = parseScope(body.scope);
          if (!parsed.ok) throw new HttpError(400, "scope must be space-separated scope names.", {}, "invalid_request");
          scopes = [...parsed.scopes];
        }
        const { app, secret } = svc.registerApp(store, a.workspace.id, { name: body.name, type: body.type, redirectUris: body.redirect_uris, scopes });
        res.status(201).json(secret === null ? svc.appJson(app) : { ...svc.appJson(app), client_secret: secret });
      }),
    )
    .all(methodNotAllowed("GET, HEAD, POST"));

  router
    .route("/admin/api/apps/:clientId")
    .get(jsonRoute((req, res, a) => void res.json(svc.appJson(svc.appInWorkspace(store, a.workspace.id, param(req, "clientId"))))))
    .delete(
      jsonRoute((req, res, a) => {
        store.deleteApp(svc.appInWorkspace(store, a.workspace.id, param(req, "clientId")));
        res.status(204).end();
      }),
    )
    .all(methodNotAllowed("GET, HEAD, DELETE"));

  router
    .route("/admin/api/apps/:clientId/secret")
    .post(
      jsonRoute((req, res, a) => {
        const app = svc.appInWorkspace(store, a.workspace.id, param(req, "clientId"));
        const secret = svc.rotateSecret(store, app);
        res.json({ client_id: app.clientId, client_secret: secret, secret_hint: svc.maskedHint(app.secretHint) });
      }),
    )
    .all(methodNotAllowed("POST"));

  router
    .route("/admin/api/installed")
    .get(jsonRoute((_req, res, a) => void res.json({ data: svc.installations(store, a.workspace.id).map(svc.installationJson) })))
    .all(methodNotAllowed("GET, HEAD"));

  router
    .route("/admin/api/installed/:clientId/revoke")
    .post(
      jsonRoute((req, res, a) => {
        store.revokeInstallation(param(req, "clientId"), a.workspace.id);
        res.status(204).end();
      }),
    )
    .all(methodNotAllowed("POST"));

  router
    .route("/admin/api/api-keys")
    .get(jsonRoute((_req, res, a) => void res.json({ data: svc.keysOf(store, a.workspace.id).map(svc.keyJson) })))
    .post(
      jsonRoute((req, res, a) => {
        const { raw, key } = svc.createApiKey(store, a.workspace.id, jsonBody(req, KeyBody).name);
        res.status(201).json({ ...svc.keyJson(key), key: raw });
      }),
    )
    .all(methodNotAllowed("GET, HEAD, POST"));

  router
    .route("/admin/api/api-keys/:keyId")
    .delete(
      jsonRoute((req, res, a) => {
        store.revokeApiKey(svc.keyInWorkspace(store, a.workspace.id, param(req, "keyId")));
        res.status(204).end();
      }),
    )
    .all(methodNotAllowed("DELETE"));

  router
    .route("/admin/api/users")
    .get(jsonRoute((_req, res, a) => void res.json({ data: svc.membersOf(store, a.workspace.id).map(svc.userJson) })))
    .all(methodNotAllowed("GET, HEAD"));

  router
    .route("/admin/api/users/:user/deactivate")
    .post(
      jsonRoute((req, res, a) => {
        svc.deactivateMember(store, a.user, param(req, "user"));
        res.status(204).end();
      }),
    )
    .all(methodNotAllowed("POST"));

  return router;
}
