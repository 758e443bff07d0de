import type { Request, Response } from "express";
import type { MockContext } from "../context.ts";
import { HttpError } from "../errors.ts";
import { safeEqual } from "../secrets.ts";
import type { Session, User } from "../store.ts";
import type { Params } from "./params.ts";

export const SESSION_COOKIE = "pact_session";

/** Cookie header → name/value pairs (RFC 6265 §5.4, lenient). */
export function readCookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** The signed-in user of this request, if any. */
export function currentSession(ctx: MockContext, req: Request): { session: Session; user: User } | null {
  return ctx.store.findSession(readCookies(req).get(SESSION_COOKIE));
}

/** HttpOnly and SameSite=Lax always; Secure when served over https (CONSENT-05). */
export function setSessionCookie(ctx: MockContext, req: Request, res: Response, raw: string): void {
  const secure = ctx.baseUrl(req).startsWith("https:");
  res.append("Set-Cookie", `${SESSION_COOKIE}=${raw}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`);
}

export function clearSessionCookie(res: Response): void {
  res.append("Set-Cookie", `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
}

/**
 * Form POSTs from our pages must carry the session's CSRF token, and a
 * cross-site Origin or Referer is refused outright (RFC 6749 §10.12, CONSENT-05).
 */
export function requireCsrf(ctx: MockContext, req: Request, session: Session, form: Params): void {
  const token = form.all("csrf_token");
  if (token.length !== 1 || !safeEqual(token[0] ?? "", session.csrfToken)) throw new HttpError(403, "This form has expired or did not come from Pact. Go back, reload the page and try again.");
  const own = new URL(ctx.baseUrl(req)).origin;
  const origin = req.headers.origin;
  if (typeof origin === "string" && origin !== "null" && origin !== own) throw new HttpError(403, "Cross-site form submission refused.");
  if (origin === "null") throw new HttpError(403, "Cross-site form submission refused.");
  const referer = req.headers.referer;
  if (typeof referer === "string" && referer !== "") {
    let refOrigin: string | null = null;
    try {
      refOrigin = new URL(referer).origin;
    } catch {
      refOrigin = null;
    }
    if (refOrigin !== own) throw new HttpError(403, "Cross-site form submission refused.");
  }
}
