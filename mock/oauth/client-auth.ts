import { TokenEndpointError } from "../errors.ts";
import { FaultSet } from "../faults.ts";
import type { Params, RequestView } from "../http/params.ts";
import { digest, matchesDigest } from "../secrets.ts";
import type { App, Store } from "../store.ts";
import type { AuthThrottle } from "./throttle.ts";

/** How a request named its client (RFC 6749 §2.3). */
export interface ClientIdentity {
  readonly clientId: string;
  /** The presented secret; undefined when none or empty (RFC 6749 §3.2: empty counts as omitted). */
  readonly secret: string | undefined;
  readonly method: "basic" | "body";
}

export interface BasicCredentials {
  readonly clientId: string;
  readonly secret: string;
}

/** `application/x-www-form-urlencoded` decoding of one Basic credential part (RFC 6749 §2.3.1, Appendix B). */
function formUrlDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/**
 * Decodes an `Authorization` header value of scheme Basic (scheme name
 * case-insensitive, RFC 9110 §11.1): base64, split at the first colon, then
 * form-urldecode id and secret (RFC 6749 §2.3.1; RFC 7617 §2).
 * Returns null when the header is not Basic at all, "malformed" when it is but cannot be decoded.
 */
export function decodeBasicAuth(header: string): BasicCredentials | "malformed" | null {
  const match = /^([A-Za-z]+)(?: +(.*))?$/s.exec(header.trim());
  if (!match || match[1]?.toLowerCase() !== "basic") return null;
  const token = match[2]?.trim() ?? "";
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 === 1) return "malformed";
  const decoded = new TextDecoder("utf-8", { fatal: true });
  let text: string;
  try {
    text = decoded.decode(Buffer.from(token, "base64"));
  } catch {
    return "malformed";
  }
  const colon = text.indexOf(":");
  if (colon === -1) return "malformed";
  const clientId = formUrlDecode(text.slice(0, colon));
  const secret = formUrlDecode(text.slice(colon + 1));
  if (clientId === null || secret === null || clientId === "") return "malformed";
  return { clientId, secret };
}

const NO_FAULTS = new FaultSet();

const UNKNOWN_CLIENT_DIGEST = digest("\u0000unknown-client\u0000");

const authFailed = (): TokenEndpointError => new TokenEndpointError("invalid_client", "Client authentication failed.");

/**
 * Reads which client a token or revocation request names, enforcing one
 * authentication method per request (RFC 6749 §2.3, catalogue TOKEN-08).
 * Null when no client is named at all.
 */
export function identifyClient(req: Pick<RequestView, "headers">, form: Params, faults: FaultSet = NO_FAULTS): ClientIdentity | null {
  const header = req.headers.authorization;
  const bodyId = form.get("client_id");
  const bodySecret = form.get("client_secret");
  if (header !== undefined) {
    const basic = decodeBasicAuth(header);
    if (basic === null) throw new TokenEndpointError("invalid_client", "Only the Basic authentication scheme is supported here.");
    // Fault basic-auth-unsupported (TOKEN-06).
    if (faults.has("basic-auth-unsupported")) throw new TokenEndpointError("invalid_client", "HTTP Basic is not supported; send client_id and client_secret in the body.");
    if (basic === "malformed") throw authFailed();
    if (bodySecret !== undefined) throw new TokenEndpointError("invalid_request", "Use one client authentication method: HTTP Basic or client_secret in the body, not both.");
    if (bodyId !== undefined && bodyId !== basic.clientId) throw new TokenEndpointError("invalid_request", "client_id in the body differs from the HTTP Basic user name.");
    return { clientId: basic.clientId, secret: basic.secret === "" ? undefined : basic.secret, method: "basic" };
  }
  if (bodyId === undefined) {
    if (bodySecret !== undefined) throw new TokenEndpointError("invalid_request", "client_secret was sent without client_id.");
    return null;
  }
  return { clientId: bodyId, secret: bodySecret, method: "body" };
}

/** The request's source address, for throttling (catalogue SEC-05). */
export function sourceOf(req: Pick<RequestView, "socket">): string {
  return req.socket.remoteAddress ?? "unknown";
}

/**
 * Authenticates the named client: public clients by client_id alone and
 * never with a secret (AMB-27, REG-03); confidential clients by their secret
 * on every request (RFC 6749 §3.2.1, AMB-03). Unknown clients and wrong
 * secrets fail identically (AMB-15). Failures count toward throttling.
 */
export function authenticateClient(store: Store, throttle: AuthThrottle, req: Pick<RequestView, "socket">, identity: ClientIdentity): App {
  const source = sourceOf(req);
  const wait = throttle.retryAfter(identity.clientId, source);
  if (wait !== null)
    throw new TokenEndpointError("invalid_client", "Too many failed client authentications; retry later.", 429, { "Retry-After": String(wait) });
  const app = store.liveApp(identity.clientId);
  let ok: boolean;
  if (!app) {
    // An unknown client costs the same hash comparison as a known one (RFC 6749 §10.10).
    matchesDigest(identity.secret ?? "", UNKNOWN_CLIENT_DIGEST);
    ok = false;
  } else if (app.type === "public") ok = identity.secret === undefined;
  // Fault client-secret-unchecked (TOKEN-07): any non-empty secret will do.
  else ok = identity.secret !== undefined && (store.verifyClientSecret(app, identity.secret) || store.faults.has("client-secret-unchecked"));
  if (!app || !ok) {
    throttle.recordFailure(identity.clientId, source);
    throw authFailed();
  }
  return app;
}
