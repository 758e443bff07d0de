import { ensure, ensureJsonContentType, ensureNot5xx, ensureSchema, ensureStatus, ensureTokenError } from "./http.ts";
import { type Pairs, type ProtocolClient, type RequestSpec } from "../http/client.ts";
import { basicAuthorization } from "../http/basic.ts";
import { fingerprint } from "../http/redact.ts";
import type { HttpResponse } from "../http/response.ts";
import { findChallenge, type Challenge } from "../http/www-authenticate.ts";
import { ERROR_TEXT_PATTERN, ERROR_URI_PATTERN, TOKEN_ERROR_CODES } from "../schemas/index.ts";
import type { IssuedCode } from "../flows/code-factory.ts";
import type { AppIdentity, Target } from "../targets/target.ts";
export { eventually } from "./http.ts";

/**
 * Checks and request builders for the code and token-endpoint groups (CODE, PKCE-05..09, TOKEN).
 * Messages name secrets by length and fingerprint only.
 */

export const TOKEN_PATH = "/oauth/token";

/** "len 43, #1a2b3c4d": how a secret appears in a check message. */
export function describeSecret(value: string): string {
  return `len ${value.length}, #${fingerprint(value)}`;
}

export type TokenBody = Record<string, unknown>;

/** RFC 6749 §5.1: 200, application/json, a token object; returns the parsed body. */
export function ensureTokenSuccess(res: HttpResponse): TokenBody {
  ensureNot5xx(res);
  const err = res.jsonOrUndefined() as { error?: unknown } | undefined;
  ensure(res.status === 200, `expected 200 with tokens, got ${res.status}${typeof err?.error === "string" ? ` error=${err.error}` : ""}`);
  ensureJsonContentType(res);
  return ensureSchema(res, "tokenSuccess") as TokenBody;
}

/** The response carries no token at all (whatever its status). */
export function ensureNoTokens(res: HttpResponse): void {
  const body = res.jsonOrUndefined();
  const has = body !== null && typeof body === "object" && ("access_token" in body || "refresh_token" in body);
  ensure(res.status !== 200 && !has, `expected no tokens, got ${res.status}${has ? " with a token in the body" : ""}`);
}

/** One directive of a comma-separated Cache-Control list (RFC 9111 §5.2), case-insensitive. */
function hasDirective(values: readonly string[], directive: string): boolean {
  return values
    .flatMap((v) => v.split(","))
    .map((d) => d.trim().split("=")[0]?.trim().toLowerCase())
    .includes(directive);
}

/** RFC 6749 §5.1: `Cache-Control: no-store` and `Pragma: no-cache`. */
export function ensureNoStore(res: HttpResponse): void {
  const cc = res.headerAll("cache-control");
  ensure(hasDirective(cc, "no-store"), `Cache-Control lacks no-store (got ${cc.length ? JSON.stringify(cc.join(", ")) : "none"}) on ${res.status}`);
  const pragma = res.headerAll("pragma");
  ensure(hasDirective(pragma, "no-cache"), `Pragma lacks no-cache (got ${pragma.length ? JSON.stringify(pragma.join(", ")) : "none"}) on ${res.status}`);
}

/**
 * RFC 9110 §15.5.2: a 401 carries WWW-Authenticate; RFC 6749 §5.2: matching the scheme the client
 * used (Basic); RFC 7617 §2: Basic's realm parameter is required.
 */
export function ensureBasicChallenge(res: HttpResponse): void {
  const raw = res.headerAll("www-authenticate");
  ensure(raw.length > 0, `a ${res.status} without WWW-Authenticate (RFC 9110 §15.5.2)`);
  let basic: Challenge | undefined;
  try {
    basic = findChallenge(res.challenges(), "Basic");
  } catch (e) {
    throw new Error(`WWW-Authenticate does not parse (${e instanceof Error ? e.message : String(e)})`);
  }
  ensure(basic !== undefined, `WWW-Authenticate has no Basic challenge: ${JSON.stringify(raw.join(", "))}`);
  ensure(typeof basic.params.realm === "string", `the Basic challenge has no realm (RFC 7617 §2): ${JSON.stringify(raw.join(", "))}`);
}

/** Every 401 carries a challenge (RFC 9110 §15.5.2); other statuses pass. */
export function ensureChallengeOn401(res: HttpResponse): void {
  if (res.status === 401) ensure(res.headerAll("www-authenticate").length > 0, "a 401 without WWW-Authenticate (RFC 9110 §15.5.2)");
}

/**
 * RFC 6749 §5.2 body rules for any token-endpoint error: a JSON object, `error` from the fixed
 * list, `error`/`error_description` within %x20-21 / %x23-5B / %x5D-7E, `error_uri` a URI-reference.
 */
export function ensureWellFormedTokenError(res: HttpResponse): { error: string } {
  ensureJsonContentType(res);
  const body = res.jsonOrUndefined();
  ensure(body !== null && typeof body === "object" && !Array.isArray(body), `error body is not a JSON object: ${JSON.stringify(res.text.slice(0, 120))}`);
  const obj = body as Record<string, unknown>;
  ensure(typeof obj.error === "string", "error body has no string `error`");
  ensure((TOKEN_ERROR_CODES as readonly string[]).includes(obj.error), `error "${obj.error.slice(0, 60)}" is not one of ${TOKEN_ERROR_CODES.join(", ")}`);
  const text = new RegExp(ERROR_TEXT_PATTERN);
  if (obj.error_description !== undefined) {
    ensure(typeof obj.error_description === "string", "error_description is not a string");
    const bad = [...obj.error_description].find((c) => !text.test(c));
    ensure(bad === undefined, `error_description has character U+${(bad ?? "").codePointAt(0)?.toString(16).padStart(4, "0")} outside %x20-21 / %x23-5B / %x5D-7E`);
  }
  if (obj.error_uri !== undefined) ensure(typeof obj.error_uri === "string" && new RegExp(ERROR_URI_PATTERN).test(obj.error_uri), "error_uri is not a URI-reference of RFC 6749 §5.2 characters");
  ensure(!("access_token" in obj) && !("refresh_token" in obj), "an error body carries a token");
  return { error: obj.error };
}

/**
 * The response does not echo any of `values` (raw, JSON-decoded or percent-encoded). Values under
 * 8 characters are skipped: they occur in ordinary text by chance.
 */
export function ensureNoEcho(res: HttpResponse, values: ReadonlyArray<readonly [label: string, value: string]>): void {
  const body = res.text;
  const decoded = JSON.stringify(res.jsonOrUndefined() ?? null);
  const headers = res.headers.map(([, v]) => v).join("\n");
  for (const [label, value] of values) {
    if (value.length < 8) continue;
    const forms = [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
    const where = forms.some((f) => body.includes(f)) ? "body" : forms.some((f) => decoded.includes(f)) ? "decoded body" : forms.some((f) => headers.includes(f)) ? "headers" : null;
    ensure(where === null, `the response echoes the submitted ${label} (${describeSecret(value)}) in its ${where}`);
  }
}

/** RFC 6749 §5.2 invalid_client via Basic: 401, a Basic challenge, body error=invalid_client. */
export function ensureInvalidClientBasic(res: HttpResponse): void {
  ensureTokenError(res, ["invalid_client"], 401);
  ensureBasicChallenge(res);
}

// ---------------------------------------------------------------------------------------------
// Request builders: raw pairs, so a test can drop, repeat or reorder any parameter.

export interface RawTokenRequest {
  readonly form: Array<[string, string]>;
  readonly headers: Array<[string, string]>;
}

/** The authorization_code request of DOC-S3 (public shape: client_id in the body). */
export function codeRequestPairs(issued: Pick<IssuedCode, "code" | "redirectUri" | "verifier">, clientId: string): Array<[string, string]> {
  return [
    ["grant_type", "authorization_code"],
    ["code", issued.code],
    ["redirect_uri", issued.redirectUri],
    ["client_id", clientId],
    ["code_verifier", issued.verifier],
  ];
}

/** Basic header for `app` (RFC 6749 §2.3.1). */
export function basicHeader(app: AppIdentity, secret = app.clientSecret ?? ""): Array<[string, string]> {
  return [["authorization", basicAuthorization(app.clientId, secret)]];
}

export function postToken(client: ProtocolClient, form: Pairs, label: string, headers: Pairs = []): Promise<HttpResponse> {
  return client.postForm(TOKEN_PATH, form, { headers, label });
}

export function tokenSpec(form: Pairs, label: string, headers: Pairs = []): RequestSpec {
  return { method: "POST", url: TOKEN_PATH, form, headers, label };
}

/** GET /v1/contacts with a bearer token: the resource-server view of an access token. */
export function callApi(client: ProtocolClient, accessToken: string, label: string): Promise<HttpResponse> {
  return client.get("/v1/contacts", { headers: [["authorization", `Bearer ${accessToken}`]], query: [["limit", "1"]], label });
}

/** RFC 6750 §3.1: 401 with `WWW-Authenticate: Bearer error="invalid_token"`. */
export function ensureInvalidToken(res: HttpResponse): void {
  ensureStatus(res, 401);
  const bearer = findChallenge(res.challenges(), "Bearer");
  ensure(bearer !== undefined, `401 without a Bearer challenge: ${JSON.stringify(res.headerAll("www-authenticate").join(", "))}`);
  ensure(bearer.params.error === "invalid_token", `Bearer challenge error is ${bearer.params.error ?? "(absent)"}, expected invalid_token`);
}


/**
 * Keeps a test's failed client authentications under THROTTLE_N per minute (SEC-05), so that
 * negative properties test their requirement rather than the throttle. With a clock it moves the
 * target's clock past the window; without one, `remaining` bounds how many failures may be spent.
 */
export class AuthFailureBudget {
  private spent = 0;
  constructor(private readonly target: Target) {}

  get limit(): number {
    return Math.max(1, this.target.params.THROTTLE_N - 10);
  }

  get remaining(): number {
    return this.target.clock ? Number.POSITIVE_INFINITY : Math.max(0, this.limit - this.spent);
  }

  /** Call before each request that may fail client authentication. */
  async spend(n = 1): Promise<void> {
    if (this.spent + n > this.limit && this.target.clock) {
      await this.target.clock.advance(61);
      this.spent = 0;
    }
    this.spent += n;
  }
}
