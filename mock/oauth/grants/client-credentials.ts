import { TokenEndpointError } from "../../errors.ts";
import { LIFETIME_S } from "../../store.ts";
import { formatScope, isSubset, parseScope } from "../scope.ts";
import type { GrantHandler } from "./types.ts";

/**
 * `client_credentials` (RFC 6749 §4.4): an explicit scope within the
 * registered set (AMB-06), no refresh token (§4.4.3, CC-02). The grant acts as
 * the app itself in its registering workspace (AMB-17). Public clients never
 * get here: /oauth/token refuses them before client authentication (AMB-16,
 * token-endpoint.ts), the one place that rule lives.
 */
export const clientCredentialsGrant: GrantHandler = ({ store, form, client }) => {
  const requested = parseScope(form.get("scope"));
  if (!requested.ok) throw new TokenEndpointError("invalid_scope", requested.reason === "missing" ? "scope is required; there is no default scope." : "scope is malformed.");
  if (!isSubset(requested.scopes, client.scopes)) throw new TokenEndpointError("invalid_scope", "The requested scope includes a scope not registered for this application.");
  const grant = store.clientCredentialsGrant(client.clientId, client.workspaceId, requested.scopes);
  const access = store.issueAccessToken(grant, grant.scope);
  // Fault cc-refresh-token-issued (CC-02).
  const refresh = store.faults.has("cc-refresh-token-issued") ? { refresh_token: store.issueRefreshToken(grant).raw } : {};
  return { access_token: access.raw, token_type: "Bearer", expires_in: LIFETIME_S.accessToken, ...refresh, scope: formatScope(grant.scope) };
};
