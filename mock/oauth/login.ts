import express, { type Request, type Response, type Router } from "express";
import type { MockContext } from "../context.ts";
import { HttpError } from "../errors.ts";
import { FaultSet } from "../faults.ts";
import { methodNotAllowed, sendPage } from "../http/error-handler.ts";
import { type Params, formParams, queryParams } from "../http/params.ts";
import { SESSION_COOKIE, clearSessionCookie, currentSession, readCookies, requireCsrf, setSessionCookie } from "../http/session.ts";
import { CONSOLE_PATH } from "../admin/views.ts";
import { PREFIX, newSecret, safeEqual } from "../secrets.ts";
import type { Session, User } from "../store.ts";
import { loginPage, signedInPage } from "../views/login-page.ts";

/** Double-submit cookie protecting the login form against login CSRF (RFC 6749 §10.12). */
export const LOGIN_CSRF_COOKIE = "pact_login_csrf";
const DEFAULT_RETURN = "/login";
const LOGIN_CSRF_SHAPE = /^pact_csrf_[A-Za-z0-9_-]{43}$/;
const NO_FAULTS = new FaultSet();

/**
 * A same-origin path to continue to after login, or the default. Never an
 * absolute, scheme-relative (`//evil`) or backslash (`/\evil`) target (SEC-01).
 */
export function safeReturnPath(value: string | undefined, faults: FaultSet = NO_FAULTS): string {
  if (value === undefined || value.length > 8192) return DEFAULT_RETURN;
  // Fault login-open-redirect (SEC-01): any visible-ASCII target, absolute URLs included.
  if (faults.has("login-open-redirect") && /^[\x21-\x7E]+$/.test(value)) return value;
  if (!value.startsWith("/") || value.startsWith("//") || /[^\x21-\x7E]|\\/.test(value)) return DEFAULT_RETURN;
  const base = "http://pact.invalid";
  try {
    const url = new URL(value, base);
    return url.origin === base ? value : DEFAULT_RETURN;
  } catch {
    return DEFAULT_RETURN;
  }
}

/** Percent-encodes what a raw request target may carry but a Location header and safeReturnPath refuse. */
export function encodeRequestTarget(target: string): string {
  return target.replace(/[^\x21-\x7E]|[\\"<>`{|}^]/gu, (c) => [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}

/** The login-CSRF token for this browser: the existing cookie, or a fresh one that is set now. */
export function loginCsrfFor(ctx: MockContext, req: Request, res: Response): string {
  const existing = readCookies(req).get(LOGIN_CSRF_COOKIE);
  if (existing !== undefined && LOGIN_CSRF_SHAPE.test(existing)) return existing;
  const token = newSecret(PREFIX.csrf);
  const secure = ctx.baseUrl(req).startsWith("https:") ? "; Secure" : "";
  res.append("Set-Cookie", `${LOGIN_CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax${secure}`);
  return token;
}

/** Renders the login page; used by GET /login and by /oauth/authorize without a session (CONSENT-01, AUTHZ-11). */
export function renderLogin(
  ctx: MockContext,
  req: Request,
  res: Response,
  input: { returnTo?: string; action?: string; hidden?: ReadonlyArray<readonly [string, string]>; appName?: string; error?: string; email?: string; status?: number },
): void {
  const loginCsrf = loginCsrfFor(ctx, req, res);
  const returnTo = input.returnTo === undefined ? undefined : safeReturnPath(input.returnTo, ctx.faults);
  sendPage(res, input.status ?? 200, "Sign in", loginPage({ loginCsrf, returnTo, action: input.action, hidden: input.hidden, appName: input.appName, error: input.error, email: input.email }));
}

/** One message for unknown emails and wrong passwords: no user enumeration. */
export const LOGIN_FAILED = "Incorrect email or password.";

/**
 * Checks the login form's credentials; on success ends the browser's old
 * session and starts a new one (no session fixation). Null when refused.
 */
export function signIn(ctx: MockContext, req: Request, res: Response, form: Params): { user: User; session: Session } | null {
  const user = ctx.store.authenticateUser(single(form, "email") ?? "", single(form, "password") ?? "");
  if (!user) return null;
  ctx.store.endSession(readCookies(req).get(SESSION_COOKIE));
  const { raw, session } = ctx.store.createSession(user.id);
  setSessionCookie(ctx, req, res, raw);
  return { user, session };
}

/** Refuses a login POST that lacks the double-submit token or comes from another origin. */
export function requireLoginCsrf(ctx: MockContext, req: Request, form: Params): void {
  const cookie = readCookies(req).get(LOGIN_CSRF_COOKIE);
  const fields = form.all("login_csrf");
  const field = fields.length === 1 ? fields[0] : undefined;
  if (cookie === undefined || field === undefined || !LOGIN_CSRF_SHAPE.test(cookie) || !safeEqual(cookie, field))
    throw new HttpError(403, "This sign-in form has expired or did not come from Pact. Reload the page and try again.");
  const origin = req.headers.origin;
  if (typeof origin === "string" && origin !== new URL(ctx.baseUrl(req)).origin) throw new HttpError(403, "Cross-site sign-in refused.");
}

export const single = (form: Params, name: string): string | undefined => {
  const values = form.all(name);
  return values.length === 1 ? values[0] : undefined;
};

export function loginRouter(ctx: MockContext): Router {
  const router = express.Router();
  const formError = () => new HttpError(400, "Submit the sign-in form.");

  // Shape standaloneLogin false: no /login at all; signing in happens inside an interaction (mock/oauth/interaction.ts).
  if (ctx.shape.standaloneLogin) {
    router.get("/login", (req, res) => {
      const current = currentSession(ctx, req);
      const returnTo = safeReturnPath(queryParams(req).get("return_to"), ctx.faults);
      if (current) {
        sendPage(res, 200, "Signed in", signedInPage({ email: current.user.email, csrfToken: current.session.csrfToken }));
        return;
      }
      renderLogin(ctx, req, res, { returnTo });
    });

    router.post("/login", (req, res) => {
      const form = formParams(req, formError);
      requireLoginCsrf(ctx, req, form);
      const returnTo = safeReturnPath(single(form, "return_to"), ctx.faults);
      if (!signIn(ctx, req, res, form)) {
        renderLogin(ctx, req, res, { returnTo, error: LOGIN_FAILED, email: single(form, "email") ?? "", status: ctx.shape.loginFailureStatus });
        return;
      }
      res.status(303).set("Cache-Control", "no-store").set("Location", returnTo).end();
    });
  }

  router.post("/logout", (req, res) => {
    const current = currentSession(ctx, req);
    if (current) {
      requireCsrf(ctx, req, current.session, formParams(req, formError));
      ctx.store.endSession(readCookies(req).get(SESSION_COOKIE));
    }
    clearSessionCookie(res);
    // Without a standalone login page, signing out lands on the console, which offers a sign-in interaction.
    res.status(303).set("Cache-Control", "no-store").set("Location", ctx.shape.standaloneLogin ? DEFAULT_RETURN : CONSOLE_PATH).end();
  });

  if (ctx.shape.standaloneLogin) router.all("/login", methodNotAllowed("GET, POST"));
  router.all("/logout", methodNotAllowed("POST"));
  return router;
}
