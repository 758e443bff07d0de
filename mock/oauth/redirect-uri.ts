/**
 * Redirect URIs: byte-exact matching (RFC 6749 §3.1.2.3 with RFC 3986 §6.2.1
 * simple string comparison; RFC 9700 §2.1), the RFC 8252 §7.3 any-port rule,
 * and registration validation (catalogue REG-04, AMB-04).
 */

import { FaultSet } from "../faults.ts";

export type ClientType = "public" | "confidential";

const NO_FAULTS = new FaultSet();
/** What a faulty match still insists on, so the redirect stays a valid Location header. */
const VISIBLE_ASCII = /^[\x21-\x7E]+$/;

/** Loopback IP literals only; `localhost` is never treated as loopback (RFC 8252 §8.3, AMB-04). */
const LOOPBACK_ORIGINS = ["http://127.0.0.1", "http://[::1]"] as const;

const PORT = /^[1-9][0-9]{0,4}$/;

function isPort(text: string): boolean {
  return PORT.test(text) && Number(text) <= 65535;
}

/**
 * For a loopback URI registered without a port: its origin (which loopback
 * literal) and the part after the host (path, query); null for any other URI.
 */
function portlessLoopback(registered: string): { readonly origin: string; readonly tail: string } | null {
  for (const origin of LOOPBACK_ORIGINS) {
    if (!registered.startsWith(origin)) continue;
    const tail = registered.slice(origin.length);
    if (tail === "" || tail.startsWith("/") || tail.startsWith("?")) return { origin, tail };
  }
  return null;
}

/** `http://<any host>:<port><tail>`: the loopback rule with the host left unchecked (fault redirect-loopback-any-host). */
function anyHostWithPort(presented: string, tail: string): boolean {
  const m = VISIBLE_ASCII.test(presented) ? /^http:\/\/[^/?#@]+:([0-9]+)(.*)$/.exec(presented) : null;
  return m !== null && m[2] === tail && isPort(m[1] ?? "");
}

/**
 * Whether `presented` may be used as this client's redirect URI. Byte-exact
 * against a registered URI; additionally, for public clients, any port on a
 * loopback IP literal registered without one (RFC 8252 §7.3; catalogue AUTHZ-03, AUTHZ-04).
 * A loopback URI registered with a port is matched exactly.
 */
export function redirectUriMatches(presented: string, registered: readonly string[], clientType: ClientType, faults: FaultSet = NO_FAULTS): boolean {
  if (registered.includes(presented)) return true;
  // Fault redirect-localhost-alias (AUTHZ-04): http://localhost stands in for a registered loopback IP literal.
  if (faults.has("redirect-localhost-alias") && registered.some((r) => presented === r.replace(/^http:\/\/(?:127\.0\.0\.1|\[::1\])/, "http://localhost"))) return true;
  // Fault redirect-prefix-match (AUTHZ-03): a registered URI as a mere prefix is enough.
  if (faults.has("redirect-prefix-match") && VISIBLE_ASCII.test(presented) && registered.some((r) => presented.startsWith(r))) return true;
  if (clientType !== "public") return false;
  for (const r of registered) {
    const loopback = portlessLoopback(r);
    if (loopback === null) continue;
    const { origin, tail } = loopback;
    // Fault redirect-loopback-any-host (AUTHZ-04): any http host with a port, not only this loopback literal.
    if (faults.has("redirect-loopback-any-host") && anyHostWithPort(presented, tail)) return true;
    // The same literal, then ":" and a port, then exactly the registered path and query.
    if (!presented.startsWith(`${origin}:`) || !presented.endsWith(tail)) continue;
    if (isPort(presented.slice(origin.length + 1, presented.length - tail.length))) return true;
  }
  return false;
}

export type RedirectUriVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const SCHEME = /^([a-z][a-z0-9+.-]*):/;
/** Private-use schemes must be in reverse-DNS form (RFC 8252 §7.1). */
const REVERSE_DNS_SCHEME = /^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+$/;
const FORBIDDEN_CHARS = /[\x00-\x20\x7F"<>\\^`{|}]/;
const MAX_LENGTH = 2000;

const reject = (reason: string): RedirectUriVerdict => ({ ok: false, reason });

/** The authority of a hierarchical `scheme://authority/...` URI, or null. */
function authorityOf(uri: string, scheme: string): string | null {
  const prefix = `${scheme}://`;
  if (!uri.startsWith(prefix)) return null;
  const rest = uri.slice(prefix.length);
  const end = rest.search(/[/?#]/);
  return end === -1 ? rest : rest.slice(0, end);
}

/**
 * Validates a redirect URI at registration (catalogue REG-04; RFC 6749
 * §3.1.2; RFC 9700 §2.1, §2.6; RFC 8252 §7.1–§7.3, §8.3). The admin console
 * stores accepted values byte-identical to the input.
 */
export function validateRedirectUriForRegistration(uri: string, clientType: ClientType): RedirectUriVerdict {
  if (uri.length === 0) return reject("A redirect URI is required.");
  if (uri.length > MAX_LENGTH) return reject(`A redirect URI may be at most ${MAX_LENGTH} characters.`);
  if (FORBIDDEN_CHARS.test(uri) || /[^\x00-\x7F]/.test(uri)) return reject("A redirect URI may not contain spaces, control characters, non-ASCII or characters such as \" < > \\ ^ ` { | }.");
  if (uri.includes("#")) return reject("A redirect URI may not contain a fragment (#).");
  if (uri.includes("*")) return reject("Wildcards are not allowed; register each exact URI.");
  const scheme = SCHEME.exec(uri)?.[1];
  if (scheme === undefined) return reject("A redirect URI must be absolute, with a lowercase scheme (for example https://).");
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return reject("This is not a valid URI.");
  }

  if (scheme === "https" || scheme === "http") {
    const authority = authorityOf(uri, scheme);
    if (authority === null || authority === "") return reject(`A ${scheme} redirect URI needs a host.`);
    if (authority.includes("@")) return reject("A redirect URI may not contain user information (user@host).");
    if (parsed.hostname === "") return reject(`A ${scheme} redirect URI needs a host.`);
    if (scheme === "https") return { ok: true };
    const loopback = /^(?:127\.0\.0\.1|\[::1\])(?::([0-9]+))?$/.exec(authority);
    if (!loopback) {
      if (/^localhost(?::|$)/i.test(authority)) return reject("Use the loopback IP literal http://127.0.0.1 or http://[::1] instead of localhost (RFC 8252 §8.3).");
      return reject("Plain http is allowed only for the loopback IP literals 127.0.0.1 and [::1]; use https.");
    }
    const port = loopback[1];
    if (port !== undefined && !isPort(port)) return reject("The port must be a number from 1 to 65535.");
    if (clientType !== "public") return reject("Loopback redirect URIs are for public clients (native and command-line apps) only.");
    return { ok: true };
  }

  if (!REVERSE_DNS_SCHEME.test(scheme)) return reject("A custom URI scheme must be in reverse-DNS form, such as com.example.app:/callback (RFC 8252 §7.1).");
  if (clientType !== "public") return reject("Custom URI schemes are for public clients (native apps) only.");
  const authority = authorityOf(uri, scheme);
  if (authority !== null && authority.includes("@")) return reject("A redirect URI may not contain user information (user@host).");
  if (uri.length === scheme.length + 1) return reject("A custom-scheme redirect URI needs a path, such as com.example.app:/callback.");
  return { ok: true };
}

/** Origins allowed to call the token and revocation endpoints from a browser (catalogue SEC-08, AMB-25). */
export function corsOriginOf(uri: string): string | null {
  // Other schemes (private-use ones) have no web origin: their URL origin is opaque ("null").
  if (!uri.startsWith("https://") && !uri.startsWith("http://")) return null;
  try {
    return new URL(uri).origin;
  } catch {
    return null;
  }
}
