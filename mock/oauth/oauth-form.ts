import { TokenEndpointError } from "../errors.ts";
import { type Params, type RequestView, formParams, queryParams } from "../http/params.ts";

/** Credentials and grants must never travel in the request URI (RFC 6749 §2.3.1, §3.2; catalogue TOKEN-05, SEC-02). */
const NEVER_IN_QUERY = ["code", "client_secret", "refresh_token", "code_verifier", "token", "access_token", "password"] as const;

/**
 * Reads a token or revocation request: form-encoded POST body only, no
 * credentials in the URL, no repeated parameter among `known` (RFC 6749 §3.2).
 * Each failure is `invalid_request` and happens before anything is consumed.
 */
export function readOAuthForm(req: Pick<RequestView, "originalUrl" | "headers" | "body">, known: readonly string[]): Params {
  const inQuery = queryParams(req).names().filter((n) => (NEVER_IN_QUERY as readonly string[]).includes(n));
  if (inQuery.length > 0) throw new TokenEndpointError("invalid_request", `Credentials must not be sent in the URL query (${inQuery.join(", ")}).`);
  const form = formParams(req, () => new TokenEndpointError("invalid_request", "The body must be application/x-www-form-urlencoded."));
  const repeated = form.duplicated(known);
  if (repeated.length > 0) throw new TokenEndpointError("invalid_request", `Parameter sent more than once: ${repeated.join(", ")}.`);
  return form;
}
