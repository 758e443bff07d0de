import express, { type Router } from "express";
import type { MockContext } from "../context.ts";
import { authorizeRouter } from "./authorize.ts";
import { ConsentTransactions } from "./consent-transactions.ts";
import { loginRouter } from "./login.ts";

/** The OAuth side of the mock: login, authorize and consent, token, revocation, metadata. */
export function oauthRouter(ctx: MockContext): Router {
  const router = express.Router();
  router.use(loginRouter(ctx));
  router.use(authorizeRouter(ctx, new ConsentTransactions(ctx.store)));
  return router;
}
