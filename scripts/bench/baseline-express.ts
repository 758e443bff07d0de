/** Baseline: a minimal express 5 app that parses the same form body and answers the same JSON. */
import type { AddressInfo } from "node:net";
import express from "express";

const app = express();
app.disable("x-powered-by");
app.post("/oauth/token", express.urlencoded({ extended: false, limit: "64kb" }), (req, res) => {
  const body = req.body as Record<string, string>;
  res.set({ "cache-control": "no-store", pragma: "no-cache" }).json({ access_token: "pact_at_baseline", token_type: "Bearer", expires_in: 3600, scope: body.scope ?? "" });
});
app.get("/v1/contacts", (_req, res) => {
  res.json({ object: "list", data: [], has_more: false });
});
const server = app.listen(0, "127.0.0.1", () => process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
