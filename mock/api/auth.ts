import type { MockContext } from "../context.ts";
import { BearerError, HttpError } from "../errors.ts";
import type { FaultSet } from "../faults.ts";
import { type RequestView, queryParams } from "../http/params.ts";
import type { BearerPrincipal, Permission, User } from "../store.ts";

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 9110 §11.1: auth-scheme = token */
const SCHEME_AND_REST = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(.*)$/s;

/** Who is calling /v1, and with which rights. */
export interface Caller {
  readonly workspaceId: string;
  /** The user a token was issued to; null for client-credentials tokens (AMB-17) and API keys (AMB-22). */
  readonly user: User | null;
  readonly principal: BearerPrincipal;
  /** Scopes the credential holds before the user's own permissions are applied. */
  readonly scope: ReadonlySet<string>;
}

/** Every Authorization header of the request, including repeats that `req.headers` would drop. */
function authorizationHeaders(req: Pick<RequestView, "headersDistinct">): string[] {
  return req.headersDistinct["authorization"] ?? [];
}

/**
 * Authenticates a /v1 request by the Authorization header only (AMB-21).
 * Bare challenge when no Bearer credentials are present (RFC 6750 §3.1, API-02, API-08);
 * invalid_request for malformed or multiple credentials (API-06, API-08);
 * invalid_token for anything that is not a live access token or API key (API-03, API-09, KEY-01).
 */
export function authenticate(ctx: MockContext, req: Pick<RequestView, "headersDistinct" | "originalUrl">): Caller {
  const headers = authorizationHeaders(req);
  if (headers.length > 1) throw new BearerError(400, "invalid_request", "Send exactly one Authorization header.");
  const header = headers[0]?.trim();
  const queryToken = queryParams(req).has("access_token");
  // Fault www-authenticate-missing (API-02): the 401 comes without its Bearer challenge.
  const unauthenticated = (description: string): Error =>
    ctx.faults.has("www-authenticate-missing") ? new HttpError(401, description, {}, "unauthorized") : new BearerError(401, undefined, description);
  if (header === undefined || header === "") {
    // Fault api-query-token-accepted (API-08): the URI query parameter method of RFC 6750 §2.3.
    const fromQuery = queryParams(req).all("access_token");
    if (ctx.faults.has("api-query-token-accepted") && fromQuery.length === 1 && B64TOKEN.test(fromQuery[0] ?? "")) return callerFor(ctx, fromQuery[0] ?? "");
    throw unauthenticated("Authentication required: send Authorization: Bearer <token>.");
  }

  const m = SCHEME_AND_REST.exec(header);
  if (!m || m[1]?.toLowerCase() !== "bearer") throw unauthenticated("Authentication required: use the Bearer scheme.");
  // RFC 6750 §2: one method per request.
  if (queryToken) throw new BearerError(400, "invalid_request", "Send the access token in the Authorization header only, not also in the query.");
  const rest = m[2] ?? "";
  const spaced = /^ +(.*)$/s.exec(rest);
  const token = spaced?.[1] ?? "";
  if (!spaced || token === "") throw new BearerError(400, "invalid_request", "The Bearer credentials are missing.");
  if (!B64TOKEN.test(token)) throw new BearerError(400, "invalid_request", "The Bearer credentials are malformed.");
  return callerFor(ctx, token);
}

/** The caller a well-formed bearer credential stands for; invalid_token when it is not live (API-03, API-09, KEY-01). */
function callerFor(ctx: MockContext, token: string): Caller {
  const principal = ctx.store.resolveBearer(token);
  if (!principal) throw new BearerError(401, "invalid_token", "The access token is invalid, expired or revoked.");
  if (principal.kind === "apiKey") return { workspaceId: principal.workspaceId, user: null, principal, scope: new Set(ctx.store.scopeReference.keys()) };
  return { workspaceId: principal.workspaceId, user: principal.user, principal, scope: new Set(principal.scope) };
}

/** The user permission a scope's resource needs (CONSENT-09, AMB-09). */
function permissionFor(scope: string): Permission | null {
  const resource = scope.split(":")[1];
  return resource === "contacts" || resource === "deals" ? resource : null;
}

/**
 * Effective rights are the credential's scope ∩ the user's own permissions (AMB-09).
 * A missing scope is insufficient_scope naming the minimal sufficient scope (API-04, AMB-20);
 * no scope implies another.
 */
export function requireScope(caller: Caller, required: string, faults?: FaultSet): void {
  // Fault api-scope-unenforced (API-04).
  if (!caller.scope.has(required) && !faults?.has("api-scope-unenforced")) throw new BearerError(403, "insufficient_scope", `This call needs the ${required} scope.`, required);
  const permission = permissionFor(required);
  if (caller.user && permission && !caller.user.permissions.has(permission))
    throw new BearerError(403, "insufficient_scope", `The user who authorized this token has no access to ${permission}.`, required);
}

/** Endpoints that act for a person: app principals and API keys are refused (CC-05, AMB-17). */
export function requireUser(caller: Caller): User {
  if (!caller.user) throw new BearerError(403, "insufficient_scope", "This endpoint needs a token issued to a user; client-credentials tokens and API keys act for the app or workspace.");
  return caller.user;
}
