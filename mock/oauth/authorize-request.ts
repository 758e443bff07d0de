import { ErrorRedirect, NoRedirectError } from "../errors.ts";
import { FaultSet } from "../faults.ts";
import type { Params } from "../http/params.ts";
import type { App } from "../store.ts";
import { PKCE_METHOD, isValidChallenge, isValidVerifier, s256 } from "./pkce.ts";
import { redirectUriMatches } from "./redirect-uri.ts";
import { isSubset, parseScope } from "./scope.ts";

/** The client and redirect URI of an authorization request, both verified: errors may now redirect. */
export interface AuthorizeTarget {
  readonly app: App;
  readonly redirectUri: string;
}

/** A fully validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export interface AuthorizeRequest extends AuthorizeTarget {
  readonly scope: readonly string[];
  readonly state: string | undefined;
  readonly codeChallenge: string;
}

/** Parameters whose repetition is an `invalid_request` redirect (AMB-19); client_id and redirect_uri never redirect. */
const NO_FAULTS = new FaultSet();

const REDIRECTABLE_PARAMS = ["response_type", "scope", "state", "code_challenge", "code_challenge_method"] as const;

/**
 * Step 1: client_id, then redirect_uri. Every failure here is a no-redirect
 * error (RFC 6749 §3.1.2.4, §4.1.2.1; catalogue AUTHZ-02, AUTHZ-03, AUTHZ-04, AUTHZ-09).
 */
export function resolveAuthorizeTarget(params: Params, liveApp: (clientId: string) => App | undefined, faults: FaultSet = NO_FAULTS): AuthorizeTarget {
  if (params.all("client_id").length > 1) throw new NoRedirectError("Invalid client", "The request names client_id more than once.");
  const clientId = params.get("client_id");
  if (clientId === undefined) throw new NoRedirectError("Invalid client", "The request does not name an application (client_id is missing).");
  const app = liveApp(clientId);
  if (!app) throw new NoRedirectError("Unknown application", "No application is registered with this client_id.");
  if (params.all("redirect_uri").length > 1) throw new NoRedirectError("Invalid redirect URI", "The request names redirect_uri more than once.");
  const redirectUri = params.get("redirect_uri");
  if (redirectUri === undefined) throw new NoRedirectError("Invalid redirect URI", "The request has no redirect_uri.");
  if (!redirectUriMatches(redirectUri, app.redirectUris, app.type, faults))
    throw new NoRedirectError("Invalid redirect URI", `The redirect URI ${redirectUri} is not registered for this application.`);
  return { app, redirectUri };
}

/**
 * Step 2, after the user is authenticated (AUTHZ-11): the remaining
 * parameters. Failures are error redirects carrying the exact state (AUTHZ-08).
 * Unknown parameters are ignored (AUTHZ-10).
 */
export function validateAuthorizeRequest(params: Params, target: AuthorizeTarget, faults: FaultSet = NO_FAULTS): AuthorizeRequest {
  const stateRepeated = params.all("state").length > 1;
  const state = stateRepeated ? undefined : params.get("state");
  const fail = (error: "invalid_request" | "unsupported_response_type" | "invalid_scope", description: string): ErrorRedirect =>
    // Fault error-redirect-without-state (AUTHZ-08).
    new ErrorRedirect(target.redirectUri, error, description, faults.has("error-redirect-without-state") ? undefined : state);

  const repeated = params.duplicated(REDIRECTABLE_PARAMS);
  if (repeated.length > 0) throw fail("invalid_request", `Parameter sent more than once: ${repeated.join(", ")}.`);

  const responseType = params.get("response_type");
  if (responseType === undefined) throw fail("invalid_request", "response_type is required.");
  if (responseType !== "code") throw fail("unsupported_response_type", "Only response_type=code is supported.");

  const scope = parseScope(params.get("scope"));
  if (!scope.ok) throw fail("invalid_scope", scope.reason === "missing" ? "scope is required; there is no default scope." : "scope is malformed.");
  // Fault authorize-scope-unchecked (AUTHZ-06): the registered set no longer caps the request.
  if (!isSubset(scope.scopes, target.app.scopes) && !faults.has("authorize-scope-unchecked")) throw fail("invalid_scope", "The requested scope includes a scope not registered for this application.");

  const codeChallenge = params.get("code_challenge");
  if (codeChallenge === undefined) {
    // Fault pkce-optional-for-public (PKCE-01): the code is issued with no challenge; no verifier can ever match it.
    if (target.app.type === "public" && faults.has("pkce-optional-for-public")) return { ...target, scope: scope.scopes, state, codeChallenge: "" };
    throw fail("invalid_request", "code_challenge is required (PKCE).");
  }
  // Fault pkce-plain-allowed (PKCE-03): a plain challenge is stored as S256(challenge), which the verifier equal to it matches.
  if (params.get("code_challenge_method") === "plain" && faults.has("pkce-plain-allowed") && isValidVerifier(codeChallenge))
    return { ...target, scope: scope.scopes, state, codeChallenge: s256(codeChallenge) };
  if (params.get("code_challenge_method") !== PKCE_METHOD) throw fail("invalid_request", "code_challenge_method must be S256.");
  if (!isValidChallenge(codeChallenge)) throw fail("invalid_request", "code_challenge must be 43 base64url characters (S256).");

  return { ...target, scope: scope.scopes, state, codeChallenge };
}
