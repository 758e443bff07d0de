import type { ProtocolClient } from "../http/client.ts";
import { fingerprint } from "../http/redact.ts";
import type { HttpResponse } from "../http/response.ts";
import { findChallenge } from "../http/www-authenticate.ts";
import type { AppIdentity } from "../targets/target.ts";
import { refresh, exchangeCode } from "../flows/tokens.ts";
import type { IssuedCode } from "../flows/code-factory.ts";
import { ensure, ensureStatus, ensureTokenError } from "./http.ts";
export { withinPropagation } from "./http.ts";

/**
 * Checks shared by the admin-side groups (INSTALL, KEY, REG, SEC-07, CC-05): whether a credential
 * still works, observed over HTTP only, and whether a secret shows up in a response.
 */

/** A /v1 read every fixture credential with read:contacts may make (DOC-S4). */
export const PROBE_PATH = "/v1/contacts?limit=1";

/** Short, non-secret name of a credential for check messages. */
export function fp(secret: string): string {
  return `#${fingerprint(secret)}`;
}

export function bearer(token: string): Array<[string, string]> {
  return [["authorization", `Bearer ${token}`]];
}

export async function callApi(client: ProtocolClient, token: string, label: string, path = PROBE_PATH): Promise<HttpResponse> {
  return client.get(path, { headers: bearer(token), label });
}

/** The credential is accepted on /v1 (RFC 6750 §2.1). */
export async function ensureBearerAccepted(client: ProtocolClient, token: string, what: string, path = PROBE_PATH): Promise<HttpResponse> {
  const res = await callApi(client, token, `api: ${what}`, path);
  ensure(res.status === 200, `${what} ${fp(token)} should still work on GET ${path}: got ${res.status}`);
  return res;
}

/** RFC 6750 §3.1: a revoked or unknown credential gets 401 with a Bearer challenge carrying error="invalid_token". */
export async function ensureBearerRejected(client: ProtocolClient, token: string, what: string, path = PROBE_PATH): Promise<HttpResponse> {
  const res = await callApi(client, token, `api: ${what}`, path);
  ensure(res.status === 401, `${what} ${fp(token)} should get 401 on GET ${path}: got ${res.status}`);
  const ch = findChallenge(res.challenges(), "Bearer");
  ensure(ch !== undefined, `401 without a Bearer challenge (RFC 6750 §3): WWW-Authenticate is ${JSON.stringify(res.headerAll("www-authenticate"))}`);
  ensure(ch.params.error === "invalid_token", `Bearer challenge error is ${ch.params.error ?? "(absent)"}, expected invalid_token (RFC 6750 §3.1)`);
  return res;
}

/** RFC 6749 §5.2: refreshing a dead grant gives 400 invalid_grant. */
export async function ensureRefreshRejected(client: ProtocolClient, app: AppIdentity, refreshToken: string, what: string): Promise<void> {
  ensureTokenError(await refresh(client, app, refreshToken, { label: `token: refresh ${what}` }), ["invalid_grant"]);
}

export async function ensureRefreshAccepted(client: ProtocolClient, app: AppIdentity, refreshToken: string, what: string): Promise<{ access_token: string; refresh_token?: string }> {
  const res = await refresh(client, app, refreshToken, { label: `token: refresh ${what}` });
  ensureStatus(res, 200);
  const body = res.json() as { access_token?: unknown; refresh_token?: unknown };
  ensure(typeof body.access_token === "string", "refresh response has no access_token");
  return { access_token: body.access_token, ...(typeof body.refresh_token === "string" ? { refresh_token: body.refresh_token } : {}) };
}

/** An unredeemed code of a dead installation gives invalid_grant (RFC 6749 §5.2: "revoked"). */
export async function ensureCodeRejected(client: ProtocolClient, app: AppIdentity, issued: Pick<IssuedCode, "code" | "redirectUri" | "verifier">): Promise<void> {
  ensureTokenError(await exchangeCode(client, app, issued, { label: "token: exchange code of a revoked installation" }), ["invalid_grant"]);
}


/** The encodings REG-02 and KEY-03 name: raw, percent-encoded, form-encoded and base64 (both alphabets, with and without padding). */
export function secretForms(secret: string): Array<[string, string]> {
  const b64 = Buffer.from(secret, "utf8").toString("base64");
  const forms: Array<[string, string]> = [
    ["raw", secret],
    ["percent-encoded", encodeURIComponent(secret)],
    ["form-encoded", new URLSearchParams([["x", secret]]).toString().slice(2)],
    ["base64", b64],
    ["base64 without padding", b64.replace(/=+$/, "")],
    ["base64url", Buffer.from(secret, "utf8").toString("base64url")],
  ];
  const seen = new Set<string>();
  return forms.filter(([, v]) => (seen.has(v) ? false : (seen.add(v), true)));
}

/**
 * The longest run of a secret's characters a page may show: REG-02 allows "a masked hint such as the last 4
 * characters"; 12 in a row is no longer a mask (a third or more of the random part of a 128-bit secret).
 */
export const MAX_SECRET_RUN = 11;

/**
 * Throws when any encoding of `secret` occurs in the response's headers or body (case-sensitive), or when
 * more than MAX_SECRET_RUN consecutive characters of it do (a "hint" that is most of the secret).
 */
export function ensureSecretAbsent(res: HttpResponse, secret: string, what: string): void {
  const haystack = `${res.headers.map(([n, v]) => `${n}: ${v}`).join("\n")}\n\n${res.text}`;
  const where = `${res.exchange.method} ${new URL(res.exchange.url).pathname}${new URL(res.exchange.url).search} (${res.status})`;
  for (const [how, form] of secretForms(secret)) ensure(!haystack.includes(form), `${what} ${fp(secret)} appears ${how} in ${where}`);
  const run = MAX_SECRET_RUN + 1;
  if (secret.length < 2 * run) return;
  for (let i = 0; i + run <= secret.length; i++) {
    ensure(!haystack.includes(secret.slice(i, i + run)), `${run} consecutive characters of ${what} ${fp(secret)} (from its character ${i + 1}) appear in ${where}: more than a masked hint`);
  }
}

/** The ids of a /v1 list response. */
export function listIds(res: HttpResponse): string[] {
  const body = res.jsonOrUndefined() as { data?: Array<{ id?: unknown }> } | undefined;
  ensure(Array.isArray(body?.data), `expected a list body {data: [...]} from ${new URL(res.exchange.url).pathname}`);
  return body.data.map((x) => String(x.id));
}

/**
 * §0.4 "No-redirect error": no 3xx whose Location leaves the target's origin, no `code` anywhere,
 * no meta-refresh or script navigation to the redirect_uri (RFC 6749 §4.1.2.1, §3.1.2.4).
 * `pactShape` adds the Pact profile's 400 text/html.
 */
export function ensureNoRedirectError(res: HttpResponse, redirectUri: string, pactShape: boolean): void {
  const own = new URL(res.exchange.url).origin;
  if (res.isRedirect) {
    const loc = res.locationUrl;
    ensure(loc !== undefined && loc.origin === own, `redirected off-site to ${loc?.origin ?? res.location ?? "(no Location)"} (${res.status})`);
    ensure(!loc.searchParams.has("code") && !loc.hash.includes("code="), "the redirect carries a code");
  }
  ensure(!/<meta[^>]+http-equiv\s*=\s*["']?refresh/i.test(res.text), "the page has a meta refresh");
  ensure(!res.text.includes(`location = "${redirectUri}`) && !res.text.includes(`location.href = "${redirectUri}`), "the page navigates to the redirect_uri by script");
  if (pactShape) {
    ensureStatus(res, 400);
    ensure(res.mediaType === "text/html", `expected text/html, got ${res.header("content-type") ?? "none"}`);
  }
}

/** Standard alphabets, smallest first: the one a sample set fits in bounds its entropy per character. */
const ALPHABETS: ReadonlyArray<[string, RegExp, number]> = [
  ["hex", /^[0-9a-f]*$|^[0-9A-F]*$/, 16],
  ["base32", /^[A-Z2-7]*$|^[a-z2-7]*$/, 32],
  ["base36", /^[0-9a-z]*$|^[0-9A-Z]*$/, 36],
  ["base62", /^[0-9A-Za-z]*$/, 62],
  ["base64url", /^[0-9A-Za-z_-]*$/, 64],
  ["base64", /^[0-9A-Za-z+/]*=*$/, 64],
  ["printable ASCII", /^[\x21-\x7e]*$/, 94],
];

export interface EntropyEstimate {
  /** The prefix every sample shares (a fixed type prefix such as "pact_cs_"). */
  readonly prefix: string;
  readonly alphabet: string;
  readonly alphabetSize: number;
  /** Shortest random part length. */
  readonly length: number;
  /** length × log2(alphabet size): the catalogue's proxy for entropy (RFC 6749 §10.10, SEC-03). */
  readonly bits: number;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Estimates the random part of `samples` (≥ 2) after stripping their common prefix. */
export function estimateEntropy(samples: readonly string[]): EntropyEstimate {
  ensure(samples.length >= 2, "need at least two samples to tell a fixed prefix from random characters");
  const first = samples[0] as string;
  const prefixLen = samples.reduce((n, s) => Math.min(n, commonPrefix(first, s)), first.length);
  const rest = samples.map((s) => s.slice(prefixLen));
  const joined = rest.join("");
  const [alphabet, , size] = ALPHABETS.find(([, re]) => re.test(joined)) ?? ["unicode", /./, 2 ** 16];
  const length = Math.min(...rest.map((r) => r.length));
  return { prefix: first.slice(0, prefixLen), alphabet, alphabetSize: size, length, bits: length * Math.log2(size) };
}

/** The longest prefix two samples share beyond the fixed prefix (REG-01 property). */
export function maxSharedBeyondPrefix(samples: readonly string[], prefix: string): number {
  let worst = 0;
  for (let i = 0; i < samples.length; i++) for (let j = i + 1; j < samples.length; j++) worst = Math.max(worst, commonPrefix(samples[i] as string, samples[j] as string) - prefix.length);
  return worst;
}
