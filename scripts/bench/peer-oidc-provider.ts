/**
 * Peer: node-oidc-provider (npm package `oidc-provider`, a benchmark-only dev
 * dependency) with one confidential client, `demo-server`, allowed
 * `client_credentials` for `read:contacts`, its token endpoint at
 * /oauth/token, answering the same form request as the mock. The package is
 * looked up in $PACT_BENCH_PEER, then in ../bench-peer beside the repository,
 * then in the repository's own node_modules; when none has it, prints
 * `unavailable <how to get it>` and exits 0 so the bench shows the hint instead of failing.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..", "..");
export const PEER_HINT = "not installed: npm install --prefix ../bench-peer oidc-provider@8 (or set PACT_BENCH_PEER to a folder that has it)";

function locate(): string | null {
  const places = [process.env.PACT_BENCH_PEER, join(root, "..", "bench-peer"), root].filter((p): p is string => !!p);
  for (const dir of places) {
    try {
      return createRequire(join(dir, "package.json")).resolve("oidc-provider");
    } catch {
      // not here; try the next place
    }
  }
  return null;
}

const entry = locate();
if (!entry) {
  process.stdout.write(`unavailable ${PEER_HINT}\n`);
  process.exit(0);
}

// The peer's notices (in-memory adapter, development defaults) are not part of the measurement.
console.warn = () => {};
const { default: Provider } = (await import(pathToFileURL(entry).href)) as { default: new (issuer: string, config: unknown) => { callback(): Parameters<typeof createServer>[1] } };
const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const provider = new Provider("http://127.0.0.1", {
  clients: [
    {
      client_id: "demo-server",
      client_secret: "demo-server-secret",
      grant_types: ["client_credentials"],
      redirect_uris: [],
      response_types: [],
      scope: "read:contacts",
      id_token_signed_response_alg: "ES256",
    },
  ],
  features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  scopes: ["read:contacts"],
  ttl: { ClientCredentials: 3600 },
  jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "bench" }] },
  cookies: { keys: ["bench-only-cookie-key"] },
  routes: { token: "/oauth/token" },
});
const server = createServer(provider.callback());
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
