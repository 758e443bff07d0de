import { createHash } from "node:crypto";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import { findChallenge } from "../http/www-authenticate.ts";
import type { CodeFactory, IssueOptions } from "../flows/code-factory.ts";
import { FlowError } from "../flows/login.ts";
import { refresh, tokens, type ClientAuth } from "../flows/tokens.ts";
import type { Target } from "../targets/target.ts";
import type { AppIdentity } from "../targets/schema.ts";
import type { TokenSuccess } from "../schemas/index.ts";
import { CheckError } from "../harness/verdicts.ts";
import { ensure, ensureJsonContentType, ensureNot5xx, ensureSchema, ensureStatus, ensureTokenError, needed, sameSet } from "./http.ts";
export { withinPropagation } from "./http.ts";

/**
 * Checks for the token lifecycle groups (REFRESH, CC, REVOKE) and the model-based test: what a
 * client observes over HTTP after refresh, rotation, revocation and client credentials.
 */

/** The probe every lifecycle check calls with an access token: a read that any granted token may make. */
export const API_PROBE = "/v1/contacts?limit=1";

/** A short, non-reversible name for a secret in messages (never the value). */
export function fingerprint(secret: string): string {
  return `#${createHash("sha256").update(secret).digest("hex").slice(0, 8)}(len ${secret.length})`;
}

/** Space-separated scope string → tokens (RFC 6749 §3.3). */
export function scopeTokens(scope: string | undefined): string[] {
  return (scope ?? "").split(" ").filter((s) => s.length > 0);
}

/** RFC 6749 §5.1: 200, application/json, the success schema; returns the body. */
export function ensureTokenSuccess(res: HttpResponse): TokenSuccess {
  ensureNot5xx(res);
  ensureStatus(res, 200);
  ensureJsonContentType(res);
  return ensureSchema(res, "tokenSuccess") as TokenSuccess;
}

/** RFC 6749 §5.1: responses carrying tokens have Cache-Control: no-store and Pragma: no-cache. */
export function ensureNoStore(res: HttpResponse, pragma = true): void {
  const cc = (res.header("cache-control") ?? "").toLowerCase().split(",").map((d) => d.trim());
  ensure(cc.includes("no-store"), `Cache-Control is "${res.header("cache-control") ?? "(absent)"}", expected no-store`);
  if (pragma) ensure((res.header("pragma") ?? "").toLowerCase().includes("no-cache"), `Pragma is "${res.header("pragma") ?? "(absent)"}", expected no-cache`);
}

/** The scope member is present and equals `expected` as a set (RFC 6749 §3.3). */
export function ensureScope(body: TokenSuccess, expected: readonly string[]): void {
  ensure(typeof body.scope === "string", `the response has no scope member (expected "${expected.join(" ")}")`);
  ensure(sameSet(scopeTokens(body.scope), expected), `scope is "${body.scope}", expected the set "${expected.join(" ")}"`);
}

export function bearerHeaders(token: string): Array<[string, string]> {
  return [["authorization", `Bearer ${token}`]];
}

/** GET `path` with the access token as a Bearer credential (RFC 6750 §2.1). */
export function callApi(client: ProtocolClient, accessToken: string, label: string, path = API_PROBE): Promise<HttpResponse> {
  return client.get(path, { headers: bearerHeaders(accessToken), label });
}

export async function ensureApiAccepts(client: ProtocolClient, accessToken: string, what: string, path = API_PROBE): Promise<HttpResponse> {
  const res = await callApi(client, accessToken, `api: ${what}`, path);
  ensureNot5xx(res);
  ensure(res.status === 200, `${what}: GET ${path} answered ${res.status}, expected 200 (token ${fingerprint(accessToken)})`);
  return res;
}

/** RFC 6750 §3, §3.1: 401 with `WWW-Authenticate: Bearer error="invalid_token"`. */
export function ensureInvalidTokenChallenge(res: HttpResponse, what: string): void {
  ensureNot5xx(res);
  ensure(res.status === 401, `${what}: expected 401 invalid_token, got ${res.status}`);
  const challenge = findChallenge(res.challenges(), "Bearer");
  ensure(challenge !== undefined, `${what}: 401 without a Bearer challenge (WWW-Authenticate: ${res.headerAll("www-authenticate").join(", ") || "absent"})`);
  ensure(challenge.params.error === "invalid_token", `${what}: Bearer challenge error is "${challenge.params.error ?? "(absent)"}", expected invalid_token`);
}

export async function ensureApiRejects(client: ProtocolClient, accessToken: string, what: string, path = API_PROBE): Promise<void> {
  ensureInvalidTokenChallenge(await callApi(client, accessToken, `api: ${what}`, path), what);
}

/** A refresh that must succeed; returns the new token set. */
export async function ensureRefreshWorks(client: ProtocolClient, app: AppIdentity, refreshToken: string, what: string, opts: { scope?: string; auth?: ClientAuth } = {}): Promise<TokenSuccess> {
  const res = await refresh(client, app, refreshToken, { ...opts, label: `token: refresh (${what})` });
  ensure(res.status === 200, `${what}: refresh with ${fingerprint(refreshToken)} answered ${res.status}${errorCode(res)}, expected 200`);
  return ensureTokenSuccess(res);
}

/** A refresh that must fail with 400 invalid_grant (RFC 6749 §5.2). */
export async function ensureRefreshRejected(client: ProtocolClient, app: AppIdentity, refreshToken: string, what: string, opts: { auth?: ClientAuth } = {}): Promise<HttpResponse> {
  const res = await refresh(client, app, refreshToken, { ...opts, label: `token: refresh (${what})` });
  ensure(res.status !== 200, `${what}: refresh with ${fingerprint(refreshToken)} succeeded, expected 400 invalid_grant`);
  ensureTokenError(res, ["invalid_grant"]);
  return res;
}

/** ` error=<code>` of a JSON error body, for messages. */
export function errorCode(res: HttpResponse): string {
  const body = res.jsonOrUndefined() as { error?: unknown } | undefined;
  return body && typeof body.error === "string" ? ` error=${body.error}` : "";
}

/**
 * RFC 6749 §5.2 invalid_client with one of `statuses`. The WWW-Authenticate challenge of a 401 is
 * TOKEN-07's clause (RFC 6749 §5.2, RFC 9110 §15.5.2): the entries that use this helper observe
 * invalid_client without owning its challenge, so they do not judge it (catalogue §0.1).
 */
export function ensureInvalidClient(res: HttpResponse, statuses: readonly number[] = [401]): void {
  ensureTokenError(res, ["invalid_client"], statuses);
}

/** RFC 7009 §2.2: the revocation response is 200; the body carries nothing the kit reads. */
export function ensureRevoked200(res: HttpResponse, what: string): void {
  ensureNot5xx(res);
  ensure(res.status === 200, `${what}: /oauth/revoke answered ${res.status}${errorCode(res)}, expected 200`);
}


/** The client-authentication modes an app supports at the token and revocation endpoints. */
export function authModes(app: AppIdentity): ClientAuth[] {
  return app.clientSecret ? ["basic", "body"] : ["none"];
}

/** One live grant: the first access and refresh tokens of a fresh code exchange. */
export interface Grant {
  readonly app: AppIdentity;
  readonly access: string;
  readonly refresh: string;
  /** The granted scope as tokens (the response's scope, else the requested one). */
  readonly scope: readonly string[];
}

/** A fresh code for `app` (member consent by default), exchanged; throws FlowError when no refresh token comes back. */
export async function freshGrant(client: ProtocolClient, codes: CodeFactory, app: AppIdentity, opts: Omit<IssueOptions, "client"> = {}): Promise<Grant> {
  // A grant is what the checks of REFRESH, REVOKE, API... start from, never their subject: without one they could not judge (§0.1).
  const set = await needed(`a grant (code and tokens) for ${app.clientId}`, () => tokens(client, codes, { ...opts, client: app }));
  if (typeof set.refresh_token !== "string") throw new CheckError(`code exchange for ${app.clientId} returned no refresh_token`);
  const scope = typeof set.scope === "string" ? scopeTokens(set.scope) : scopeTokens(set.issued.scope);
  return { app, access: set.access_token, refresh: set.refresh_token, scope };
}

/** Refreshes `grant.refresh` once; returns the successor grant (new access and refresh token). */
export async function rotate(client: ProtocolClient, grant: Grant, what: string, opts: { scope?: string } = {}): Promise<Grant> {
  const body = await ensureRefreshWorks(client, grant.app, grant.refresh, what, opts);
  ensure(typeof body.refresh_token === "string", `${what}: the refresh response has no refresh_token`);
  return { app: grant.app, access: body.access_token, refresh: body.refresh_token, scope: grant.scope };
}

/**
 * Lets ROTATION_GRACE_S (catalogue §0.3) pass after a rotation: by the target's clock, or by a
 * real wait under --slow. Returns why it cannot, or null once the window is over.
 */
export async function passRotationGrace(target: Target, slow: boolean): Promise<string | null> {
  const grace = target.params.ROTATION_GRACE_S;
  if (grace === 0) return null;
  if (target.clock) {
    await target.clock.advance(grace + 1);
    return null;
  }
  if (slow) {
    await new Promise((ok) => setTimeout(ok, (grace + 1) * 1000));
    return null;
  }
  return `ROTATION_GRACE_S is ${grace} s, the target has no clock and --slow was not given`;
}
