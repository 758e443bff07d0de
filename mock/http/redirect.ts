/**
 * Builds the client redirect of an authorization response: the registered URI
 * with its own query kept and the response parameters appended to the query
 * (RFC 6749 §3.1.2, §4.1.2; catalogue AUTHZ-01).
 */
export function appendQuery(uri: string, params: ReadonlyArray<readonly [string, string]>): string {
  const hashAt = uri.indexOf("#");
  const base = hashAt === -1 ? uri : uri.slice(0, hashAt);
  const encoded = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  if (!encoded) return base;
  const sep = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return base + sep + encoded;
}
