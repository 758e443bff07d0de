import express, { type Router } from "express";
import type { MockContext } from "../context.ts";
import { methodNotAllowed } from "../http/error-handler.ts";
import { authorizeRouter } from "./authorize.ts";
import { ConsentTransactions } from "./consent-transactions.ts";
import { corsForPublicClients } from "./cors.ts";
import { routedAuthorizeRouter } from "./interaction.ts";
import { loginRouter } from "./login.ts";
import { metadataEndpoint } from "./metadata.ts";
import { revokeEndpoint } from "./revoke.ts";
import { AuthThrottle } from "./throttle.ts";
import { tokenEndpoint } from "./token-endpoint.ts";

/**
 * The OAuth side of the mock: login, authorize and consent, token, revocation, metadata.
 * `throttle` is shared with the hot path (http/hot-path.ts), which serves the same endpoints.
 */
export function oauthRouter(ctx: MockContext, throttle: AuthThrottle = new AuthThrottle(ctx.store, ctx.shape.throttleN)): Router {
  const router = express.Router();

  router.use(loginRouter(ctx));
  // Shape interaction (mock/shape.ts): pages answered by /oauth/authorize itself, or routed through interaction pages.
  router.use(ctx.shape.interaction === "routed" ? routedAuthorizeRouter(ctx) : authorizeRouter(ctx, new ConsentTransactions(ctx.store)));

  router.use(["/oauth/token", "/oauth/revoke"], corsForPublicClients(ctx.store));
  router.post("/oauth/token", tokenEndpoint(ctx, throttle));
  router.all("/oauth/token", methodNotAllowed("POST"));
  router.post("/oauth/revoke", revokeEndpoint(ctx, throttle));
  router.all("/oauth/revoke", methodNotAllowed("POST"));

  router.get("/.well-known/oauth-authorization-server", metadataEndpoint(ctx));
  router.all("/.well-known/oauth-authorization-server", methodNotAllowed("GET"));
  return router;
}
