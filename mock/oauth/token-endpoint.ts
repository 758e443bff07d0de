import type { RequestHandler } from "express";
import type { MockContext } from "../context.ts";
import { TokenEndpointError } from "../errors.ts";
import type { FaultSet } from "../faults.ts";
import { NO_STORE_HEADERS } from "../http/error-handler.ts";
import type { RequestView } from "../http/params.ts";
import { authenticateClient, identifyClient } from "./client-auth.ts";
import { authorizationCodeGrant } from "./grants/authorization-code.ts";
import { clientCredentialsGrant } from "./grants/client-credentials.ts";
import { refreshTokenGrant } from "./grants/refresh-token.ts";
import type { GrantHandler } from "./grants/types.ts";
import { readOAuthForm } from "./oauth-form.ts";
import type { AuthThrottle } from "./throttle.ts";

/** The grant types Pact supports (META-01), one handler each. */
export const GRANT_HANDLERS: Readonly<Record<string, GrantHandler>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
};

/** Parameters that must not be repeated (RFC 6749 §3.2; catalogue TOKEN-13). */
const TOKEN_PARAMS = ["grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier", "refresh_token", "scope"] as const;

/** Headers of a successful token response; fault token-cache-headers-missing (TOKEN-02) drops them. */
export function tokenSuccessHeaders(faults: FaultSet): Readonly<Record<string, string>> {
  return faults.has("token-cache-headers-missing") ? {} : NO_STORE_HEADERS;
}

/**
 * POST /oauth/token (RFC 6749 §3.2, §5): the JSON body of a 200, or a thrown
 * TokenEndpointError. Order: request shape, grant type, client authentication,
 * then the grant handler; nothing is consumed before the client is
 * authenticated (AMB-18). Served by express (tokenEndpoint) and by the hot path (http/hot-path.ts).
 */
export function tokenResponse(ctx: MockContext, throttle: AuthThrottle, req: Pick<RequestView, "originalUrl" | "headers" | "body" | "socket">): Record<string, unknown> {
  const form = readOAuthForm(req, TOKEN_PARAMS);
  const grantType = form.get("grant_type");
  if (grantType === undefined) throw new TokenEndpointError("invalid_request", "grant_type is required.");
  const handler = Object.hasOwn(GRANT_HANDLERS, grantType) ? GRANT_HANDLERS[grantType] : undefined;
  if (!handler) throw new TokenEndpointError("unsupported_grant_type", "Supported grant types: authorization_code, refresh_token, client_credentials.");
  const identity = identifyClient(req, form, ctx.faults);
  if (!identity) throw new TokenEndpointError("invalid_request", "client_id is required.");
  // A public client cannot use client credentials whatever it presents (AMB-16, catalogue CC-03).
  // Fault cc-public-client-allowed (CC-03) lifts it; the grant handler does not repeat it.
  if (grantType === "client_credentials" && ctx.store.liveApp(identity.clientId)?.type === "public" && !ctx.faults.has("cc-public-client-allowed"))
    throw new TokenEndpointError("unauthorized_client", "client_credentials is only for confidential clients.");
  const client = authenticateClient(ctx.store, throttle, req, identity);
  const body = handler({ store: ctx.store, form, client });
  // Faults token-type-lowercase (TOKEN-03), token-expires-7200 (TOKEN-04).
  return {
    ...body,
    ...(ctx.faults.has("token-type-lowercase") ? { token_type: "bearer" } : {}),
    ...(ctx.faults.has("token-expires-7200") ? { expires_in: 7200 } : {}),
  };
}

/** POST /oauth/token through express. */
export function tokenEndpoint(ctx: MockContext, throttle: AuthThrottle): RequestHandler {
  return (req, res) => {
    const body = tokenResponse(ctx, throttle, req);
    res.status(200).set(tokenSuccessHeaders(ctx.faults));
    res.json(body);
  };
}
