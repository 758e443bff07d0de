import { TokenEndpointError } from "../../errors.ts";
import { LIFETIME_S } from "../../store.ts";
import { formatScope, isSubset, parseScope } from "../scope.ts";
import type { GrantHandler } from "./types.ts";

const invalidGrant = (description: string) => new TokenEndpointError("invalid_grant", description);

/**
 * `refresh_token` (RFC 6749 §6). Every refresh rotates the token; presenting
 * a rotated one again revokes the whole grant (RFC 9700 §4.14.2; AMB-11).
 * Each refresh token lives 30 days from its own issuance (AMB-10). A request
 * may narrow the scope; the new refresh token keeps the grant's scope.
 * Rejected requests leave the presented token untouched (REFRESH-06).
 */
export const refreshTokenGrant: GrantHandler = ({ store, form, client }) => {
  const raw = form.get("refresh_token");
  if (raw === undefined) throw new TokenEndpointError("invalid_request", "refresh_token is required.");
  const token = store.findRefreshToken(raw);
  const grant = token ? store.grants.get(token.grantId) : undefined;
  if (!token || !grant || grant.clientId !== client.clientId) throw invalidGrant("The refresh token is invalid.");
  if (token.revokedAt !== null) throw invalidGrant("The refresh token was revoked.");
  if (token.rotatedAt !== null) {
    // Fault refresh-reuse-undetected (REFRESH-04): the reused token is refused but its family lives on.
    if (!store.faults.has("refresh-reuse-undetected")) store.revokeGrant(grant.id);
    throw invalidGrant("The refresh token was already used; the grant is revoked.");
  }
  if (token.expiresAt <= store.now() || !store.grantIsLive(grant)) throw invalidGrant("The refresh token is expired or revoked.");

  let scope = grant.scope;
  if (form.get("scope") !== undefined) {
    const requested = parseScope(form.get("scope"));
    if (!requested.ok) throw new TokenEndpointError("invalid_scope", "scope is malformed.");
    // Fault refresh-scope-widening (REFRESH-06): the client's registered scopes cap the request instead of the grant's.
    if (!isSubset(requested.scopes, grant.scope) && !(store.faults.has("refresh-scope-widening") && isSubset(requested.scopes, client.scopes))) throw new TokenEndpointError("invalid_scope", "scope exceeds the scope originally granted.");
    scope = requested.scopes;
  }

  // Fault refresh-not-rotated (REFRESH-03): the presented token is handed back and stays valid.
  const rotate = !store.faults.has("refresh-not-rotated");
  if (rotate) token.rotatedAt = store.now();
  const refreshRaw = rotate ? store.issueRefreshToken(grant).raw : raw;
  const access = store.issueAccessToken(grant, scope);
  return { access_token: access.raw, token_type: "Bearer", expires_in: LIFETIME_S.accessToken, refresh_token: refreshRaw, scope: formatScope(scope) };
};
