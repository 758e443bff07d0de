import type { RequestHandler } from "express";
import type { MockContext } from "../context.ts";
import { TokenEndpointError } from "../errors.ts";
import { NO_STORE_HEADERS } from "../http/error-handler.ts";
import type { App, Store } from "../store.ts";
import { authenticateClient, identifyClient } from "./client-auth.ts";
import { readOAuthForm } from "./oauth-form.ts";
import type { AuthThrottle } from "./throttle.ts";

const REVOKE_PARAMS = ["token", "token_type_hint", "client_id", "client_secret"] as const;

/**
 * Revokes `raw` if it is a token issued to `client`: a refresh token ends its
 * whole grant, an access token only itself (AMB-13). The hint is ignored
 * because every type is searched anyway (RFC 7009 §2.1). Anything else —
 * unknown strings, other clients' tokens, API keys — is left alone (AMB-14, KEY-02).
 */
export function revokeToken(store: Store, client: App, raw: string): void {
  const refresh = store.findRefreshToken(raw);
  if (refresh) {
    const grant = store.grants.get(refresh.grantId);
    // Fault revoke-refresh-keeps-access (REVOKE-03): only the presented refresh token dies, not the grant.
    if (grant && grant.clientId === client.clientId && store.faults.has("revoke-refresh-keeps-access")) refresh.revokedAt ??= store.now();
    else if (grant && grant.clientId === client.clientId) store.revokeGrant(grant.id);
    return;
  }
  const access = store.findAccessToken(raw);
  if (access) {
    const grant = store.grants.get(access.grantId);
    if (grant && grant.clientId === client.clientId) store.revokeAccessToken(access);
  }
}

/** POST /oauth/revoke (RFC 7009 §2). */
export function revokeEndpoint(ctx: MockContext, throttle: AuthThrottle): RequestHandler {
  return (req, res) => {
    const form = readOAuthForm(req, REVOKE_PARAMS);
    const identity = identifyClient(req, form, ctx.faults);
    // Naming no client at all is a client-authentication failure here (catalogue REVOKE-06, Pact profile).
    if (!identity) throw new TokenEndpointError("invalid_client", "Client authentication failed.");
    const client = authenticateClient(ctx.store, throttle, req, identity);
    const token = form.get("token");
    if (token === undefined) throw new TokenEndpointError("invalid_request", "token is required.");
    // Fault revoke-noop (REVOKE-03, REVOKE-04).
    if (!ctx.faults.has("revoke-noop")) revokeToken(ctx.store, client, token);
    res.status(200).set(NO_STORE_HEADERS).end();
  };
}
