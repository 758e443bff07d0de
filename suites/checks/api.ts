import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import { findChallenge, type Challenge } from "../http/www-authenticate.ts";
import { ensure, ensureNot5xx, ensureStatus } from "./http.ts";

/**
 * Checks of the resource API (RFC 6750 §3): the Bearer challenge, its attributes, and what a
 * client can observe of /v1 objects. The caller picks the requirement ID and clause.
 */

/** The `Authorization: Bearer` header for a token. */
export function bearer(token: string, scheme = "Bearer"): Array<[string, string]> {
  return [["authorization", `${scheme} ${token}`]];
}

function where(res: HttpResponse): string {
  return `${res.exchange.method} ${new URL(res.exchange.url).pathname} → ${res.status}`;
}

/** RFC 6750 §3: the response carries a `WWW-Authenticate` challenge with the Bearer scheme. */
export function ensureBearerChallenge(res: HttpResponse): Challenge {
  const values = res.headerAll("www-authenticate");
  ensure(values.length > 0, `no WWW-Authenticate header (${where(res)})`);
  let challenge: Challenge | undefined;
  try {
    challenge = findChallenge(res.challenges(), "Bearer");
  } catch (e) {
    throw new Error(`unparseable WWW-Authenticate "${values.join(", ")}": ${e instanceof Error ? e.message : String(e)}`);
  }
  ensure(challenge !== undefined, `WWW-Authenticate has no Bearer challenge: "${values.join(", ")}" (${where(res)})`);
  return challenge;
}

/** RFC 6750 §3: status plus a Bearer challenge (the MUST part of API-02/03/04). */
export function ensureBearerRejection(res: HttpResponse, status: number | readonly number[]): Challenge {
  ensureNot5xx(res);
  ensureStatus(res, status);
  return ensureBearerChallenge(res);
}

/** RFC 6750 §3.1: the challenge's `error` attribute equals one of `codes`. */
export function ensureBearerError(res: HttpResponse, codes: readonly string[]): Challenge {
  const c = ensureBearerChallenge(res);
  const got = c.params["error"];
  ensure(got !== undefined, `Bearer challenge has no error attribute, expected error="${codes.join('" or "')}" (${where(res)})`);
  ensure(codes.includes(got), `Bearer challenge has error="${got}", expected "${codes.join('" or "')}" (${where(res)})`);
  return c;
}

/** RFC 6750 §3.1: a request without authentication gets a challenge with no error code. */
export function ensureBareChallenge(res: HttpResponse): void {
  const c = ensureBearerChallenge(res);
  ensure(c.params["error"] === undefined, `Bearer challenge carries error="${c.params["error"] ?? ""}" although no credentials were sent (RFC 6750 §3.1)`);
}

/** RFC 6750 §3 with RFC 6749 §5.2: error_description and error keep to %x20-21 / %x23-5B / %x5D-7E. */
export function ensureChallengeCharset(res: HttpResponse): void {
  const c = ensureBearerChallenge(res);
  for (const name of ["error", "error_description", "scope"]) {
    const v = c.params[name];
    if (v === undefined) continue;
    const bad = [...v].filter((ch) => !/^[\x20\x21\x23-\x5b\x5d-\x7e]$/.test(ch));
    ensure(bad.length === 0, `${name} contains characters outside RFC 6749 §5.2's set: ${JSON.stringify(bad.slice(0, 5))}`);
  }
}

/** The response (headers and body) does not echo `secret` (API-03: the body does not echo the token). */
export function ensureNoEcho(res: HttpResponse, secret: string, what = "the presented token"): void {
  ensure(!res.text.includes(secret), `the response body echoes ${what} (${secret.length} characters)`);
  for (const [n, v] of res.headers) ensure(!v.includes(secret), `response header ${n} echoes ${what}`);
}

/** The `scope` attribute of a Bearer challenge as a set (RFC 6750 §3: space-delimited). */
export function challengeScopes(c: Challenge): string[] | undefined {
  const s = c.params["scope"];
  return s === undefined ? undefined : s.split(" ").filter(Boolean);
}

// ---- /v1 objects as a client sees them ----

export interface ApiObject {
  readonly id: string;
  readonly [field: string]: unknown;
}

/** The items of a list response: a JSON array, or an object holding one under `data`. */
export function listItems(res: HttpResponse): ApiObject[] {
  const body = res.jsonOrUndefined();
  const arr = Array.isArray(body) ? body : body && typeof body === "object" && Array.isArray((body as { data?: unknown }).data) ? (body as { data: unknown[] }).data : undefined;
  ensure(arr !== undefined, `expected a JSON list (array or {data: [...]}) from ${where(res)}`);
  for (const x of arr) ensure(x !== null && typeof x === "object" && typeof (x as { id?: unknown }).id === "string", `list item without a string id from ${where(res)}`);
  return arr as ApiObject[];
}

function nextCursor(res: HttpResponse): string | null {
  const body = res.jsonOrUndefined();
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const b = body as { has_more?: unknown; next_cursor?: unknown };
  return b.has_more === true && typeof b.next_cursor === "string" && b.next_cursor !== "" ? b.next_cursor : null;
}

/** Every object of a collection, following `next_cursor` (at most `maxPages` pages). */
export async function listAll(client: ProtocolClient, path: string, token: string, label: string, maxPages = 20): Promise<ApiObject[]> {
  const out: ApiObject[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const query: Array<[string, string]> = [["limit", "100"]];
    if (cursor !== null) query.push(["cursor", cursor]);
    const res = await client.get(path, { query, headers: bearer(token), label });
    ensureStatus(res, 200);
    out.push(...listItems(res));
    cursor = nextCursor(res);
    if (cursor === null) break;
  }
  return out;
}

/** A canonical JSON form of an object, for "nothing changed" comparisons. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A collection snapshot: id → canonical JSON. */
export function snapshot(items: readonly ApiObject[]): Map<string, string> {
  return new Map(items.map((x) => [x.id, canonical(x)]));
}

/** Describes how two snapshots differ; empty when equal. */
export function snapshotDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k));
  const parts: string[] = [];
  if (added.length) parts.push(`added ${added.slice(0, 5).join(", ")}`);
  if (removed.length) parts.push(`removed ${removed.slice(0, 5).join(", ")}`);
  if (changed.length) parts.push(`changed ${changed.slice(0, 5).join(", ")}`);
  return parts.join("; ");
}
