import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createPactMock } from "./app.ts";
import { FAULT_NAMES, UnknownFaultError, parseFaultNames } from "./faults.ts";
import { DEFAULT_FIXTURES_PATH, FixtureError, loadAppFiles, loadFixtures } from "./fixtures.ts";
import { SHAPE_PRESET_NAMES } from "./shape.ts";

const HELP = `Pact mock: an in-memory Pact (OAuth 2.0 authorization server, /v1 API, admin console).

Usage: npm start -- [options]

Options:
  --port N          port to listen on (default: $PORT or 4010; 0 picks a free one)
  --host H          address to bind (default: 127.0.0.1)
  --fixtures FILE   seed data (default: fixtures/pact.json)
  --app FILE        register your own app(s) in the default workspace (repeatable): one app in the
                    fixture format, an array of them or {"apps": [...]}; "workspace" may be left out
  --base-url URL    issuer/base URL clients use, if not http://HOST:PORT (e.g. behind a proxy)
  --no-control      do not serve the control API under /__mock
  --fault NAME      switch on a named fault (repeatable; see GET /__mock/faults or mock/faults.ts)
  --shape NAME      lay the server out like another conformant server (mock/shape.ts):
                      default      the mock as it always was
                      routed       like node-oidc-provider: /interaction/{id} pages reached by 303 and a
                                   resume URL, consent every time, no GET /login (sign in from the admin
                                   console or an authorization), login failure 401, /v1 small and
                                   {"data": ...} wrapped, THROTTLE_N 10
                      remembering  /signin and /consent pages reached by 302, consent remembered per exact
                                   scope set, GET /login kept, login failure 422, full /v1, THROTTLE_N 50
  --auto-approve EMAIL
                    headless approval for automated tests: a valid authorization answers at once, as if
                    this fixture user had signed in and approved (POST /__mock/auto-approve changes it)
  -h, --help        show this help
`;

function fail(message: string): never {
  process.stderr.write(`pact-mock: ${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string", default: "127.0.0.1" },
        fixtures: { type: "string" },
        "base-url": { type: "string" },
        app: { type: "string", multiple: true, default: [] },
        "no-control": { type: "boolean", default: false },
        fault: { type: "string", multiple: true, default: [] },
        shape: { type: "string", default: "default" },
        "auto-approve": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    return fail((e as Error).message);
  }
}

const args = parse();
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const portText = args.port ?? process.env.PORT ?? "4010";
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`--port must be an integer from 0 to 65535, got "${portText}"`);

let fixtures;
try {
  fixtures = loadAppFiles(loadFixtures(args.fixtures ?? DEFAULT_FIXTURES_PATH), args.app);
} catch (e) {
  if (e instanceof FixtureError) fail(e.message);
  throw e;
}

let faults: string[];
try {
  faults = parseFaultNames(args.fault);
} catch (e) {
  if (e instanceof UnknownFaultError) fail(`unknown --fault ${e.unknown.join(", ")}; valid names:\n  ${FAULT_NAMES.join("\n  ")}`);
  throw e;
}

if (!(SHAPE_PRESET_NAMES as string[]).includes(args.shape)) fail(`unknown --shape ${args.shape}; valid names: ${SHAPE_PRESET_NAMES.join(", ")}`);

const autoApprove = args["auto-approve"];
if (autoApprove !== undefined) {
  if (args["no-control"]) fail("--auto-approve needs the control API; it cannot be combined with --no-control");
  if (!fixtures.users.some((u) => u.email === autoApprove))
    fail(`unknown --auto-approve user "${autoApprove}"; fixture users:\n  ${fixtures.users.map((u) => u.email).join("\n  ")}`);
}

const mock = createPactMock({ fixtures, faults, shape: args.shape, control: !args["no-control"], autoApprove, ...(args["base-url"] ? { baseUrl: args["base-url"] } : {}) });
const server = mock.app.listen(port, args.host);

server.on("error", (e: NodeJS.ErrnoException) => {
  fail(e.code === "EADDRINUSE" ? `port ${port} on ${args.host} is already in use (try --port 0 or another port)` : e.message);
});

server.on("listening", () => {
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = args["base-url"] ?? `http://${host}:${addr.port}`;
  if (!args["base-url"]) mock.setBaseUrl(url);
  const key = fixtures.apiKeys[0];
  const lines = [
    `Pact mock listening on ${url}`,
    ``,
    `  Authorize   ${url}/oauth/authorize`,
    `  Token       ${url}/oauth/token`,
    `  Metadata    ${url}/.well-known/oauth-authorization-server`,
    `  Admin       ${url}/admin/api-developers`,
    args["no-control"] ? `  Control API off (--no-control)` : `  Control     ${url}/__mock/clock, /__mock/reset, /__mock/requests, /__mock/faults, /__mock/auto-approve`,
    ...(autoApprove !== undefined ? [`  AUTO-APPROVE ON  ${autoApprove} approves every valid authorization (no login or consent page)`] : []),
    ...(args.shape !== "default" ? [`  Shape       ${args.shape} (mock/shape.ts)`] : []),
    ...(faults.length ? [`  FAULTS ON   ${faults.join(", ")} (this mock deviates from the catalogue on purpose)`] : []),
    ``,
    `  Users (password "${fixtures.password}"): ${fixtures.users.map((u) => u.email).join(", ")}`,
    `  Apps: ${fixtures.apps.map((a) => `${a.clientId} (${a.type})`).join(", ")}`,
    key ? `  Fixture API key for ${key.workspace}: ${key.key}` : "",
    ``,
    `Press Ctrl+C to stop.`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
});

let closing = false;
function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  process.stdout.write(`\n${signal} received, shutting down.\n`);
  mock.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
