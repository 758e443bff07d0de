/** Baseline: a bare node:http server that reads the body and answers a fixed token JSON. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const BODY = JSON.stringify({ access_token: "pact_at_baseline", token_type: "Bearer", expires_in: 3600, scope: "read:contacts" });

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" });
    res.end(BODY);
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
