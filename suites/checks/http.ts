import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import { validateResponse, type SchemaKind } from "../schemas/index.ts";
import { CheckError, CheckSkipped } from "../harness/verdicts.ts";

/**
 * Small reusable checks in the style "ensure …": each throws an Error whose message says what
 * was expected and what came back. The caller decides the requirement ID and clause.
 */
export class CheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckFailed";
  }
}

export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

function describe(res: HttpResponse): string {
  return `${res.exchange.method} ${new URL(res.exchange.url).pathname} → ${res.status}`;
}

export function ensureStatus(res: HttpResponse, expected: number | readonly number[]): void {
  const list = typeof expected === "number" ? [expected] : expected;
  ensure(list.includes(res.status), `expected status ${list.join(" or ")}, got ${describe(res)}`);
}

export function ensureNot5xx(res: HttpResponse): void {
  ensure(res.status < 500, `server error: ${describe(res)}`);
}

export function ensureJsonContentType(res: HttpResponse): void {
  ensure(res.mediaType === "application/json", `expected Content-Type application/json, got ${res.header("content-type") ?? "none"} (${describe(res)})`);
}

/** Parses JSON and validates it against a kit schema; returns the body. */
export function ensureSchema(res: HttpResponse, kind: SchemaKind): unknown {
  const body = res.jsonOrUndefined();
  ensure(body !== undefined, `expected a JSON body (${describe(res)}), got: ${res.text.slice(0, 200)}`);
  const issues = validateResponse(kind, body);
  ensure(issues.length === 0, `${kind} schema: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`);
  return body;
}

/** RFC 6749 §5.2: a token error with one of `codes` (status 400 unless `status` says otherwise). */
export function ensureTokenError(res: HttpResponse, codes: readonly string[], status: number | readonly number[] = 400): void {
  ensureNot5xx(res);
  ensureStatus(res, status);
  ensureJsonContentType(res);
  const body = ensureSchema(res, "tokenError") as { error: string };
  ensure(codes.includes(body.error), `expected error ${codes.join(" or ")}, got "${body.error}"`);
  ensure(!("access_token" in (body as object)), "an error response carried an access_token");
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/**
 * Retries `fn` until it passes or `seconds` have elapsed: a target that enforces at once costs no
 * wait, one that never does fails after the window. With 0 it runs once.
 */
export async function eventually(seconds: number, fn: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      await fn();
      return;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
      await new Promise((ok) => setTimeout(ok, 250));
    }
  }
}

/** `eventually` within REVOKE_PROPAGATION_S, the longest a revocation may take to be enforced everywhere (catalogue §0.3, AMB-13). */
export function withinPropagation(target: Target, fn: () => Promise<unknown>): Promise<void> {
  return eventually(target.params.REVOKE_PROPAGATION_S, fn);
}

/**
 * Runs what a check needs before it can judge anything (a code, a grant, a token). When that throws,
 * the check could not judge: `error`, never a failure of the entry being checked (catalogue §0.1).
 */
export async function needed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CheckError || e instanceof CheckSkipped) throw e;
    throw new CheckError(`${what} could not be obtained: ${e instanceof Error ? e.message : String(e)}`);
  }
}
