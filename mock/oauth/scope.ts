/**
 * Scope parameter syntax under the Pact profile (catalogue AMB-07):
 * `scope = scope-token *( SP scope-token )`, scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
 * (RFC 6749 §3.3). Tokens are case-sensitive; repeats collapse into one.
 */
const SCOPE_PARAM = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;

export type ScopeParse =
  | { readonly ok: true; readonly scopes: readonly string[] }
  | { readonly ok: false; readonly reason: "missing" | "malformed" };

/** Parses an already form-decoded `scope` value; undefined or "" is "missing" (AMB-06, RFC 6749 §3.1). */
export function parseScope(value: string | undefined): ScopeParse {
  if (value === undefined || value === "") return { ok: false, reason: "missing" };
  if (!SCOPE_PARAM.test(value)) return { ok: false, reason: "malformed" };
  return { ok: true, scopes: [...new Set(value.split(" "))] };
}

/** True when every token of `requested` is in `allowed` (case-sensitive). */
export function isSubset(requested: readonly string[], allowed: readonly string[]): boolean {
  const set = new Set(allowed);
  return requested.every((s) => set.has(s));
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(" ");
}
