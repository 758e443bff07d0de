import { TokenEndpointError } from "../../errors.ts";
import { LIFETIME_S } from "../../store.ts";
import { isValidVerifier, verifierMatches } from "../pkce.ts";
import { formatScope } from "../scope.ts";
import type { GrantHandler } from "./types.ts";

const invalidGrant = (description: string) => new TokenEndpointError("invalid_grant", description);

/**
 * `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5–§4.6). A code that this
 * authenticated client names is consumed whatever the outcome (AMB-18); a
 * second redemption revokes the grant the first produced (§4.1.2, CODE-02).
 */
export const authorizationCodeGrant: GrantHandler = ({ store, form, client }) => {
  const raw = form.get("code");
  if (raw === undefined) throw new TokenEndpointError("invalid_request", "code is required.");
  const code = store.findCode(raw);
  const now = store.now();
  // Fault code-not-bound-to-client (CODE-05).
  // Fault token-error-echoes-code (TOKEN-14): the refusal repeats the code it was given.
  if (!code || (code.clientId !== client.clientId && !store.faults.has("code-not-bound-to-client"))) throw invalidGrant(store.faults.has("token-error-echoes-code") ? `The authorization code ${raw} is invalid.` : "The authorization code is invalid.");
  // Fault code-reusable (CODE-01): a code that already produced tokens redeems again.
  if (code.consumedAt !== null && !(code.grantId !== null && store.faults.has("code-reusable"))) {
    if (code.grantId !== null) store.revokeGrant(code.grantId);
    throw invalidGrant("The authorization code was already used.");
  }
  if (code.revokedAt !== null || code.expiresAt <= now) throw invalidGrant("The authorization code is expired or revoked.");
  code.consumedAt = now;

  const redirectUri = form.get("redirect_uri");
  if (redirectUri === undefined) throw new TokenEndpointError("invalid_request", "redirect_uri is required.");
  if (redirectUri !== code.redirectUri) throw invalidGrant("redirect_uri differs from the authorization request.");
  const verifier = form.get("code_verifier");
  if (verifier === undefined) throw new TokenEndpointError("invalid_request", "code_verifier is required (PKCE).");
  // Fault pkce-any-verifier (PKCE-06): the challenge is not compared, only the verifier's syntax checked.
  if (!verifierMatches(verifier, code.codeChallenge) && !(store.faults.has("pkce-any-verifier") && isValidVerifier(verifier))) throw invalidGrant("code_verifier does not match the code challenge.");
  const user = store.users.get(code.userId);
  if (!user || !user.active) throw invalidGrant("The authorizing user is no longer active.");

  const grant = store.createGrant({ kind: "authorization_code", clientId: client.clientId, workspaceId: code.workspaceId, principal: { kind: "user", userId: user.id }, scope: code.scope });
  code.grantId = grant.id;
  const access = store.issueAccessToken(grant, grant.scope);
  const refresh = store.issueRefreshToken(grant);
  return { access_token: access.raw, token_type: "Bearer", expires_in: LIFETIME_S.accessToken, refresh_token: refresh.raw, scope: formatScope(grant.scope) };
};
