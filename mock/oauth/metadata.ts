import type { RequestHandler } from "express";
import type { MockContext } from "../context.ts";
import { PKCE_METHOD } from "./pkce.ts";
import { GRANT_HANDLERS } from "./token-endpoint.ts";

const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"];

/** GET /.well-known/oauth-authorization-server (RFC 8414 §2, §3; catalogue META-01). */
export function metadataEndpoint(ctx: MockContext): RequestHandler {
  return (req, res) => {
    const issuer = ctx.baseUrl(req);
    res.status(200).set("Cache-Control", "no-cache").json({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: Object.keys(GRANT_HANDLERS),
      // Fault metadata-advertises-plain (META-01).
      code_challenge_methods_supported: ctx.faults.has("metadata-advertises-plain") ? [PKCE_METHOD, "plain"] : [PKCE_METHOD],
      token_endpoint_auth_methods_supported: AUTH_METHODS,
      revocation_endpoint_auth_methods_supported: AUTH_METHODS,
      scopes_supported: [...ctx.store.scopeReference.keys()],
    });
  };
}
