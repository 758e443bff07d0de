/**
 * `npm run bench`: load on the mock's hot endpoints beside two baselines run in
 * the same process tree (a bare node:http server and a minimal express 5 app)
 * and a peer authorization server,
 * the memory of 100,000 tokens before and after the sweep, and the kit's own
 * wall time. Prints a table and writes reports/bench.json. Compare ratios, not
 * absolute figures: machines differ and are shared.
 *
 * The peer row is node-oidc-provider (scripts/bench/peer-oidc-provider.ts)
 * answering the same client-credentials request; when it is not installed the
 * row says how to get it. Each scenario runs `--rounds` times, the order
 * reversed every other round, and its samples are merged.
 *
 *   npm run bench -- [--duration 5] [--connections 50] [--rounds 2] [--no-kit] [--only NAME,...]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Pool } from "undici";
import { type LoadResult, type LoadSample, type Operation, sampleLoad, single, summarize } from "./bench/load.ts";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "2" },
    "no-kit": { type: "boolean", default: false },
    only: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write("npm run bench -- [--duration SECONDS] [--connections N] [--rounds N] [--no-kit] [--only name,...]\n");
  process.exit(0);
}
const durationMs = Number(values.duration) * 1000;
const connections = Number(values.connections);
const rounds = Number(values.rounds);
if (!(durationMs > 0) || !(connections > 0) || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write("--duration and --connections must be positive numbers, --rounds a positive integer\n");
  process.exit(2);
}
const only = values.only ? new Set(values.only.split(",")) : null;

const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((c) => c.kill()));

/** Starts a server in its own process (its own core) and waits for its URL (or, with `orReason`, the line saying why it cannot run). */
function startServer(args: string[], pattern: RegExp, orReason = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m?.[1]) resolve(m[1]);
      else if (orReason && m?.[2]) resolve(m[2]);
    });
    child.on("exit", (code) => {
      const m = pattern.exec(out);
      if (orReason && m?.[2]) resolve(m[2]);
      else reject(new Error(`${args.join(" ")} exited ${code}`));
    });
  });
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const BASIC = { authorization: `Basic ${Buffer.from("demo-server:demo-server-secret").toString("base64")}` };
const CC_BODY = "grant_type=client_credentials&scope=read%3Acontacts";
const SPA = { client_id: "demo-spa", redirect_uri: "http://127.0.0.1:5173/callback", scope: "read:contacts" };

function cookiesOf(setCookie: string | string[] | undefined, jar: Map<string, string>): void {
  for (const c of [setCookie ?? []].flat()) {
    const [pair] = c.split(";");
    const eq = pair?.indexOf("=") ?? -1;
    if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, "&") ?? "";

async function login(pool: Pool, origin: string): Promise<Map<string, string>> {
  const jar = new Map<string, string>();
  const page = await pool.request({ method: "GET", path: "/login?return_to=%2F" });
  cookiesOf(page.headers["set-cookie"], jar);
  const html = await page.body.text();
  const res = await pool.request({
    method: "POST",
    path: "/login",
    headers: { ...FORM, origin, cookie: cookieHeader(jar) },
    body: new URLSearchParams({ login_csrf: hidden(html, "login_csrf"), return_to: "/", email: "member@acme.test", password: "pact-demo-password" }).toString(),
  });
  await res.body.dump();
  cookiesOf(res.headers["set-cookie"], jar);
  if (!jar.has("pact_session")) throw new Error(`login failed: ${res.statusCode}`);
  return jar;
}

/** authorize → consent → Approve → token, over HTTP forms: one operation. */
async function flow(pool: Pool, origin: string, jar: Map<string, string>): Promise<{ ok: boolean; refreshToken?: string }> {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const q = new URLSearchParams({ response_type: "code", ...SPA, state: "bench", code_challenge: challenge, code_challenge_method: "S256" });
  const consent = await pool.request({ method: "GET", path: `/oauth/authorize?${q}`, headers: { cookie: cookieHeader(jar) } });
  const html = await consent.body.text();
  if (consent.statusCode !== 200) return { ok: false };
  const approved = await pool.request({
    method: "POST",
    path: "/oauth/consent",
    headers: { ...FORM, origin, cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrf_token: hidden(html, "csrf_token"), transaction: hidden(html, "transaction"), decision: "approve" }).toString(),
  });
  await approved.body.dump();
  const location = approved.headers.location;
  const code = typeof location === "string" ? new URL(location).searchParams.get("code") : null;
  if (!code) return { ok: false };
  const token = await pool.request({
    method: "POST",
    path: "/oauth/token",
    headers: FORM,
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: SPA.redirect_uri, client_id: SPA.client_id, code_verifier: verifier }).toString(),
  });
  const body = (await token.body.json()) as { refresh_token?: string };
  return { ok: token.statusCode === 200, ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}) };
}

interface Row extends LoadResult {
  readonly name: string;
  readonly target: string;
  /** Set when the scenario could not run (the peer is not installed): what to do about it. */
  readonly missing?: string;
}

/** One measured scenario: a named operation against one server. */
interface Scenario {
  readonly name: string;
  readonly target: string;
  readonly origin: string;
  readonly op: Operation;
}

const scenarios: Scenario[] = [];
const missing: Row[] = [];
const want = (name: string) => !only || only.has(name);
const add = (name: string, target: string, origin: string, op: Operation) => {
  if (want(name)) scenarios.push({ name, target, origin, op });
};

const ccOp = single(() => ({ method: "POST", path: "/oauth/token", headers: { ...FORM, ...BASIC }, body: CC_BODY }));

// Every server in its own process (its own core when there is one).
const bare = await startServer(["scripts/bench/baseline-http.ts"], /listening (\S+)/);
add("baseline node:http token", "node:http", bare, ccOp);
const minimal = await startServer(["scripts/bench/baseline-express.ts"], /listening (\S+)/);
add("baseline express token", "express", minimal, ccOp);
const PEER_NAME = "peer node-oidc-provider token client_credentials";
if (want(PEER_NAME)) {
  const peer = await startServer(["scripts/bench/peer-oidc-provider.ts"], /(?:listening (\S+)|unavailable (.+))\n/, true);
  if (peer.startsWith("http")) add(PEER_NAME, "peer", peer, ccOp);
  else missing.push({ name: PEER_NAME, target: "peer", missing: peer, operations: 0, perSecond: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, non2xx: 0, errors: 0, durationS: 0 });
}

const mockUrl = await startServer(["mock/cli.ts", "--port", "0"], /listening on (\S+)/);
add("mock token client_credentials", "mock", mockUrl, ccOp);

if (want("mock token refresh_token") || want("mock GET /v1/contacts")) {
  const { Pool: UndiciPool } = await import("undici");
  const setup = new UndiciPool(mockUrl, { connections: 4 });
  // Pre-issued pool: one grant per connection, each request presenting the freshest token of its chain.
  const jar = await login(setup, mockUrl);
  const refreshTokens: string[] = [];
  for (let i = 0; i < connections; i++) {
    const r = await flow(setup, mockUrl, jar);
    if (!r.refreshToken) throw new Error("could not pre-issue refresh tokens");
    refreshTokens.push(r.refreshToken);
  }
  const cc = await setup.request({ method: "POST", path: "/oauth/token", headers: { ...FORM, ...BASIC }, body: CC_BODY });
  const { access_token: accessToken } = (await cc.body.json()) as { access_token: string };
  await setup.close();
  add(
    "mock token refresh_token",
    "mock",
    mockUrl,
    single(
      (w) => ({ method: "POST", path: "/oauth/token", headers: FORM, body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshTokens[w] ?? "", client_id: "demo-spa" }).toString() }),
      (w, status, body) => {
        if (status === 200) refreshTokens[w] = (JSON.parse(body) as { refresh_token: string }).refresh_token;
      },
    ),
  );
  add("mock GET /v1/contacts", "mock", mockUrl, single(() => ({ method: "GET", path: "/v1/contacts?limit=10", headers: { authorization: `Bearer ${accessToken}` } })));
  add("baseline express GET", "express", minimal, single(() => ({ method: "GET", path: "/v1/contacts?limit=10" })));
}

if (want("mock authorize→consent→token flow")) {
  const { Pool: UndiciPool } = await import("undici");
  const setup = new UndiciPool(mockUrl, { connections: 4 });
  const jars = await Promise.all(Array.from({ length: connections }, () => login(setup, mockUrl)));
  await setup.close();
  add("mock authorize→consent→token flow", "mock", mockUrl, async (pool, w) => flow(pool, mockUrl, jars[w] ?? new Map()));
}

// Rounds: forward, then backward, and so on, so no scenario always runs first or last on a shared machine.
const samples = new Map<string, LoadSample[]>(scenarios.map((s) => [s.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const s of round % 2 === 0 ? scenarios : [...scenarios].reverse()) {
    process.stderr.write(`bench: round ${round + 1}/${rounds} ${s.name} (${connections} connections, ${durationMs / 1000} s)…\n`);
    samples.get(s.name)?.push(await sampleLoad(s.origin, s.op, { connections, durationMs }));
  }
}
const rows: Row[] = [...scenarios.map((s) => ({ name: s.name, target: s.target, ...summarize(samples.get(s.name) ?? []) })), ...missing];

children.forEach((c) => c.kill());

// Memory: 100,000 live tokens, then expiry and the sweep.
let memory: Record<string, unknown> | null = null;
if (want("memory")) {
  process.stderr.write("bench: memory of 100,000 tokens…\n");
  memory = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "scripts/bench/memory.ts", "100000"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`memory bench exited ${code}`))));
  });
}

// Memory of the built mock as `npx pact-mock` runs it (plain node, no tsx): 100,000 tokens over HTTP.
let memoryBuilt: Record<string, unknown> | null = null;
if (want("memory") && existsSync(join(root, "dist", "mock", "cli.js"))) {
  process.stderr.write("bench: memory of the built mock with 100,000 tokens…\n");
  memoryBuilt = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/memory-built.ts", "100000"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`built memory bench exited ${code}`))));
  });
} else if (want("memory")) process.stderr.write("bench: dist/ not built (npm run build): skipping the built mock's memory\n");

// Kit speed: wall time of the conformance runs against the mock.
const kit: Array<{ name: string; seconds: number; exit: number }> = [];
async function timeCommand(name: string, args: string[]): Promise<void> {
  process.stderr.write(`bench: ${name}…\n`);
  const t0 = process.hrtime.bigint();
  const exit = await new Promise<number>((resolve) => {
    const child = spawn("npx", args, { cwd: root, stdio: ["ignore", "ignore", "ignore"], env: { ...process.env, CI: "true" } });
    child.on("exit", (code) => resolve(code ?? 1));
  });
  kit.push({ name, seconds: Math.round(Number(process.hrtime.bigint() - t0) / 1e8) / 10, exit });
}
if (!values["no-kit"]) {
  await timeCommand("kit: protocol run vs mock", ["tsx", "suites/cli/conformance.ts", "--target", "mock", "--project", "protocol"]);
  await timeCommand("kit: browser run vs mock", ["tsx", "suites/cli/conformance.ts", "--target", "mock", "--project", "browser"]);
}

// Report.
const base = (target: string, kind: "token" | "get") => rows.find((r) => !r.missing && r.target === target && (kind === "get" ? r.name.includes("GET") : r.name.includes("token")));
const fmt = (n: number, d = 1) => n.toFixed(d);
const header = ["scenario", "req/s", "p50 ms", "p99 ms", "max ms", "non-2xx", "errors", "× node:http", "× express", "× peer"];
const ratio = (r: Row, b: Row | undefined) => (b ? fmt(r.perSecond / b.perSecond, 2) : "-");
const table = rows.map((r) => {
  if (r.missing) return [r.name, r.missing];
  const kind = r.name.includes("GET") ? "get" : "token";
  return [r.name, fmt(r.perSecond, 0), fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), fmt(r.maxMs, 1), String(r.non2xx), String(r.errors), ratio(r, base("node:http", "token")), ratio(r, base("express", kind)), kind === "token" ? ratio(r, base("peer", "token")) : "-"];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.filter((row) => row.length > 2).map((row) => (row[i] ?? "").length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : cells.length === 2 ? c : c.padStart(widths[i] ?? 0))).join("  ");
const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...table.map(line)];
if (memory) out.push("", `memory: ${JSON.stringify(memory)}`);
if (memoryBuilt) out.push(`memory (built mock): ${JSON.stringify(memoryBuilt)}`);
for (const k of kit) out.push(`${k.name}: ${k.seconds} s (exit ${k.exit})`);
process.stdout.write(`\n${out.join("\n")}\n`);

mkdirSync(join(root, "reports"), { recursive: true });
writeFileSync(join(root, "reports", "bench.json"), `${JSON.stringify({ connections, durationS: durationMs / 1000, rounds, cpus: (await import("node:os")).cpus().length, node: process.version, rows, memory, memoryBuilt, kit }, null, 2)}\n`);
process.stdout.write("written reports/bench.json\n");
process.exit(0);
