/**
 * Fault injection (issue 6): named, documented deviations of the mock from the
 * catalogue (spec/requirements.md), each switched at the one point of the code
 * that implements the behaviour it bends (`faults.has("name")`).
 *
 * A fault makes the mock deviate in the described way only: it never crashes
 * the mock and never produces a 5xx. `requirementIds` lists the catalogue
 * entries the deviation breaks; the first is the one the fault is aimed at.
 */

export interface FaultDefinition {
  readonly name: string;
  /** Catalogue IDs this deviation breaks (the first is its target). */
  readonly requirementIds: readonly string[];
  /** One line: what the mock does differently. */
  readonly description: string;
}

export const FAULTS = [
  // ---- REG --------------------------------------------------------------
  { name: "secret-shown-again", requirementIds: ["REG-02"], description: "Registering or rotating a confidential app keeps the whole secret as its hint, so the Apps tab and /admin/api/apps show it again." },

  // ---- AUTHZ ------------------------------------------------------------
  { name: "redirect-prefix-match", requirementIds: ["AUTHZ-03"], description: "A redirect_uri that merely starts with a registered URI is accepted (RFC 6749 §3.1.2.3 simple comparison ignored)." },
  { name: "redirect-loopback-any-host", requirementIds: ["AUTHZ-04"], description: "For a port-less loopback registration, any http host (not only the same loopback IP literal) is accepted with any port." },
  { name: "redirect-localhost-alias", requirementIds: ["AUTHZ-04"], description: "http://localhost, with the registered path and no port, is accepted where a loopback IP literal is registered (RFC 8252 §8.3 ignored)." },
  { name: "state-dropped", requirementIds: ["AUTHZ-07"], description: "The success redirect carries the code but not the request's state." },
  { name: "state-truncated", requirementIds: ["AUTHZ-07"], description: "The success redirect carries only the first 600 characters of a longer state (the 512 the Pact profile asks for still round-trip)." },
  { name: "error-redirect-without-state", requirementIds: ["AUTHZ-08"], description: "Error redirects for invalid_request, unsupported_response_type and invalid_scope omit the request's state." },
  { name: "authorize-scope-unchecked", requirementIds: ["AUTHZ-06"], description: "The authorization endpoint accepts scopes the client has not registered (syntax is still checked)." },

  // ---- PKCE -------------------------------------------------------------
  { name: "pkce-any-verifier", requirementIds: ["PKCE-06"], description: "Any syntactically valid code_verifier redeems a code, whatever its challenge." },
  { name: "pkce-plain-allowed", requirementIds: ["PKCE-03"], description: "code_challenge_method=plain is accepted at the authorization endpoint, and the verifier equal to the challenge redeems the code." },
  { name: "pkce-optional-for-public", requirementIds: ["PKCE-01"], description: "A public client's authorization request without code_challenge is accepted and yields a code." },

  // ---- CONSENT ----------------------------------------------------------
  { name: "consent-csrf-missing", requirementIds: ["CONSENT-05"], description: "The consent POST is accepted without the session's anti-CSRF token and from any Origin or Referer." },
  { name: "consent-grant-shared", requirementIds: ["CONSENT-08"], description: "A confidential client skips consent for a user because a colleague in the same workspace holds a covering grant." },

  // ---- CODE -------------------------------------------------------------
  { name: "code-reusable", requirementIds: ["CODE-01", "CODE-02", "CODE-03"], description: "A code that was already redeemed for tokens redeems again, issuing new tokens and revoking nothing." },
  { name: "code-not-bound-to-client", requirementIds: ["CODE-05"], description: "A code issued to one client is redeemed by another authenticated client." },
  { name: "code-never-expires", requirementIds: ["CODE-04"], description: "Authorization codes are issued without an expiry." },

  // ---- TOKEN ------------------------------------------------------------
  { name: "token-expires-7200", requirementIds: ["TOKEN-04"], description: "Successful token responses say expires_in 7200 (the token still lives 3600 s)." },
  { name: "token-error-echoes-code", requirementIds: ["TOKEN-14"], description: "invalid_grant for an unknown code repeats the code in error_description." },
  { name: "token-cache-headers-missing", requirementIds: ["TOKEN-02"], description: "Successful token responses carry neither Cache-Control: no-store nor Pragma: no-cache." },
  { name: "token-type-lowercase", requirementIds: ["TOKEN-03"], description: 'Successful token responses say token_type "bearer" (a warning, not a failure, under --profile rfc).' },
  { name: "client-secret-unchecked", requirementIds: ["TOKEN-07"], description: "A confidential client authenticates with any non-empty secret." },
  { name: "basic-auth-unsupported", requirementIds: ["TOKEN-06"], description: "HTTP Basic client authentication is refused with invalid_client at the token and revocation endpoints; only the body works." },

  // ---- REFRESH ----------------------------------------------------------
  { name: "refresh-not-rotated", requirementIds: ["REFRESH-03"], description: "A refresh returns the presented refresh token again instead of a new one, and the old one stays usable." },
  { name: "refresh-reuse-undetected", requirementIds: ["REFRESH-04"], description: "A rotated refresh token presented again is refused, but its family (newer refresh and access tokens) is not revoked." },
  { name: "refresh-scope-widening", requirementIds: ["REFRESH-06"], description: "A refresh may ask for any scope registered for the client, beyond the scope originally granted." },
  { name: "refresh-never-expires", requirementIds: ["REFRESH-02"], description: "Refresh tokens are issued without an expiry." },

  // ---- CC ---------------------------------------------------------------
  { name: "cc-public-client-allowed", requirementIds: ["CC-03"], description: "Public clients obtain tokens with grant_type=client_credentials (client_id only)." },
  { name: "cc-refresh-token-issued", requirementIds: ["CC-02"], description: "Client-credentials responses include a refresh_token." },

  // ---- REVOKE -----------------------------------------------------------
  { name: "revoke-noop", requirementIds: ["REVOKE-03", "REVOKE-04"], description: "/oauth/revoke answers 200 but revokes nothing." },
  { name: "revoke-refresh-keeps-access", requirementIds: ["REVOKE-03"], description: "Revoking a refresh token revokes only that token; the grant and its access tokens stay live." },

  // ---- API --------------------------------------------------------------
  { name: "api-scope-unenforced", requirementIds: ["API-04"], description: "/v1 does not check the token's scopes (the consenting user's own permissions still apply)." },
  { name: "api-expired-token-accepted", requirementIds: ["API-05"], description: "Access tokens are issued without an expiry on /v1 (expires_in still says 3600)." },
  { name: "api-query-token-accepted", requirementIds: ["API-08"], description: "With no Authorization header, /v1 honours an access_token query parameter." },
  { name: "api-cross-workspace", requirementIds: ["API-10"], description: "/v1 reads, changes and deletes contacts and deals of another workspace by id." },
  { name: "www-authenticate-missing", requirementIds: ["API-02"], description: "A /v1 request without Bearer credentials gets 401 with no WWW-Authenticate challenge." },

  // ---- INSTALL ----------------------------------------------------------
  { name: "install-revoke-noop", requirementIds: ["INSTALL-01"], description: "Revoke in the Installed tab (and its admin API) succeeds but revokes nothing." },
  { name: "admin-cross-workspace", requirementIds: ["INSTALL-02"], description: "An admin can regenerate the secret of, or delete, another workspace's app by its client_id." },

  // ---- KEY --------------------------------------------------------------
  { name: "key-revoke-noop", requirementIds: ["KEY-03"], description: "Revoking an API key succeeds but the key keeps working." },

  // ---- SEC --------------------------------------------------------------
  { name: "login-open-redirect", requirementIds: ["SEC-01"], description: "The login page's return_to is followed as given, so sign-in redirects to any absolute URL." },
  { name: "throttle-window-short", requirementIds: ["SEC-05"], description: "Failed client authentications count for 10 s instead of 60 s, so THROTTLE_N failures spread over a minute are never throttled." },

  // ---- META -------------------------------------------------------------
  { name: "metadata-advertises-plain", requirementIds: ["META-01"], description: "RFC 8414 metadata lists plain in code_challenge_methods_supported, which the mock does not accept." },
] as const satisfies readonly FaultDefinition[];

export type FaultName = (typeof FAULTS)[number]["name"];

export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((f) => f.name);

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

export function faultDefinition(name: FaultName): FaultDefinition {
  const found = FAULTS.find((f) => f.name === name);
  if (!found) throw new UnknownFaultError([name]);
  return found;
}

/** Names that are not in the catalogue; the message lists the valid ones. */
export class UnknownFaultError extends Error {
  constructor(readonly unknown: readonly string[]) {
    super(`unknown fault${unknown.length === 1 ? "" : "s"}: ${unknown.join(", ")} (valid: ${FAULT_NAMES.join(", ")})`);
    this.name = "UnknownFaultError";
  }
}

/** Validates a list of names; throws UnknownFaultError naming every unknown one. */
export function parseFaultNames(names: readonly string[]): FaultName[] {
  const unknown = names.filter((n) => !isFaultName(n));
  if (unknown.length > 0) throw new UnknownFaultError([...new Set(unknown)]);
  return [...new Set(names)].filter(isFaultName);
}

/** Reads a comma- or space-separated list, as in PACT_MOCK_FAULTS. */
export function faultNamesFromList(list: string | undefined): FaultName[] {
  return parseFaultNames((list ?? "").split(/[\s,]+/).filter((s) => s !== ""));
}

/**
 * The mock's active faults. One instance per mock, shared by the context, the
 * store and the control API; `POST /__mock/reset` keeps it (faults are
 * configuration, not state).
 */
export class FaultSet {
  private readonly active = new Set<FaultName>();

  constructor(initial: readonly string[] = []) {
    this.set(initial);
  }

  has(name: FaultName): boolean {
    return this.active.has(name);
  }

  /** Active names, in catalogue order. */
  list(): FaultName[] {
    return FAULT_NAMES.filter((n) => this.active.has(n));
  }

  /** Replaces the active set; all-or-nothing on unknown names. */
  set(names: readonly string[]): FaultName[] {
    const valid = parseFaultNames(names);
    this.active.clear();
    for (const n of valid) this.active.add(n);
    return this.list();
  }

  enable(names: readonly string[]): FaultName[] {
    for (const n of parseFaultNames(names)) this.active.add(n);
    return this.list();
  }

  disable(names: readonly string[]): FaultName[] {
    for (const n of parseFaultNames(names)) this.active.delete(n);
    return this.list();
  }
}
