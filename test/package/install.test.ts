/**
 * The package as an app builder gets it: build, `npm pack`, `npm install ./<tarball>`
 * in an empty folder, then the installed `pact-mock` (headless approval: a code with
 * no page in between) and `pact-conformance --target mock --project protocol`,
 * both under plain node.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const NPX = process.platform === "win32" ? "npx.cmd" : "npx";

/** The environment of a stranger's shell: none of this repository's run settings leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PACT_|PLAYWRIGHT_|NODE_OPTIONS$|NODE_TEST|TSX)/.test(k)) env[k] = v;
  return { ...env, FORCE_COLOR: "0", CI: "true" };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a command in its own process group and waits for a line matching `ready`. */
function startUntil(cmd: string, args: string[], cwd: string, ready: RegExp): Promise<{ child: ChildProcess; output: () => string; ms: number }> {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd, env: cleanEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(" ")} not ready after 30 s:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output, ms: performance.now() - started });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${output}`));
    });
  });
}

function stopGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

describe("the packed package, installed in an empty folder", { timeout: 600_000 }, () => {
  let dir: string;
  let mock: ChildProcess | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pact-package-"));
    await run(NPM, ["run", "build"], { cwd: ROOT, env: cleanEnv() });
    // The build just ran; --ignore-scripts skips prepack's second one.
    const packed = await run(NPM, ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, env: cleanEnv() });
    const tarball = packed.stdout.trim().split("\n").at(-1) ?? "";
    assert.match(tarball, /\.tgz$/);
    writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: "an-app", private: true, type: "module" }, null, 2)}\n`);
    await run(NPM, ["install", `./${tarball}`, "--no-audit", "--no-fund"], { cwd: dir, env: cleanEnv() });
  });

  after(() => {
    stopGroup(mock);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships the built code, the specs and the Playwright config, and nothing generated", () => {
    const pkg = path.join(dir, "node_modules", "pact-oauth-conformance");
    for (const file of ["dist/mock/cli.js", "dist/mock/index.d.ts", "dist/suites/cli/conformance.js", "dist/playwright.config.js", "dist/fixtures/pact.json", "dist/suites/targets/target-file.schema.json", "dist/suites/protocol/meta.spec.js"])
      assert.ok(existsSync(path.join(pkg, file)), file);
    const shipped = readdirSync(pkg);
    for (const generated of ["reports", "test-results", "node_modules", "blob-report"]) assert.ok(!shipped.includes(generated), generated);
    assert.ok(!existsSync(path.join(pkg, "dist", "reports")));
    assert.ok(!readdirSync(path.join(pkg, "dist", "mock")).some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), "no TypeScript sources needed at run time");
  });

  it("exports createPactMock and the target-file JSON Schema to an ES module", async () => {
    const script = [
      'import { createPactMock } from "pact-oauth-conformance";',
      'import { createRequire } from "node:module";',
      'const schema = createRequire(import.meta.url)("pact-oauth-conformance/target-file.schema.json");',
      'const mock = createPactMock({ autoApprove: "member@acme.test" });',
      "console.log(JSON.stringify({ auto: mock.control.autoApprove(), schema: typeof schema.properties }));",
      "mock.close();",
    ].join("\n");
    writeFileSync(path.join(dir, "check.mjs"), script);
    const { stdout } = await run(process.execPath, ["check.mjs"], { cwd: dir, env: cleanEnv() });
    assert.deepEqual(JSON.parse(stdout), { auto: { user: "member@acme.test", decision: "approve" }, schema: "object" });
  });

  it("its declarations type-check in a TypeScript app (createPactMock, options, fixture and target-file types)", async () => {
    writeFileSync(
      path.join(dir, "check.ts"),
      [
        'import { createPactMock, type AutoApproveSetting, type Fixtures, type PactMockOptions, type TargetFile } from "pact-oauth-conformance";',
        'const autoApprove: AutoApproveSetting = { user: "member@acme.test", decision: "deny" };',
        "const options: PactMockOptions = { autoApprove, shape: \"routed\" };",
        "const mock = createPactMock(options);",
        "const server = mock.app.listen(0);",
        "const apps: Fixtures[\"apps\"] = [];",
        "const target: Pick<TargetFile, \"baseUrl\"> | null = null;",
        "mock.control.advanceClock(3600);",
        "server.close();",
        "export { apps, target };",
      ].join("\n"),
    );
    const tsconfig = { compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, types: ["node"] }, files: ["check.ts"] };
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    // The repository's TypeScript, so the temporary folder needs nothing but the package.
    const tscPackage = createRequire(import.meta.url).resolve("typescript/package.json");
    const tsc = path.join(path.dirname(tscPackage), (JSON.parse(readFileSync(tscPackage, "utf8")) as { bin: { tsc: string } }).bin.tsc);
    const result = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, env: cleanEnv() }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ""}${e.stderr ?? ""}`, failed: true }));
    assert.ok(!("failed" in result), result.stdout);
  });

  it("npx pact-mock --auto-approve hands out a code with no page in between; it redeems with the verifier and /v1/contacts answers", async () => {
    const port = await freePort();
    const started = await startUntil(NPX, ["pact-mock", "--auto-approve", "member@acme.test", "--port", String(port)], dir, /Press Ctrl\+C/);
    mock = started.child;
    assert.match(started.output(), /AUTO-APPROVE ON\s+member@acme\.test/);
    const base = `http://127.0.0.1:${port}`;
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const redirectUri = "http://127.0.0.1:5173/callback";
    const query = new URLSearchParams({ response_type: "code", client_id: "demo-spa", redirect_uri: redirectUri, scope: "read:contacts", state: "app-state-1", code_challenge: challenge, code_challenge_method: "S256" });
    const authorize = await fetch(`${base}/oauth/authorize?${query}`, { redirect: "manual" });
    assert.equal(authorize.status, 302);
    const callback = new URL(authorize.headers.get("location") ?? "");
    assert.equal(`${callback.origin}${callback.pathname}`, redirectUri);
    assert.equal(callback.searchParams.get("state"), "app-state-1");
    const code = callback.searchParams.get("code");
    assert.ok(code);
    const token = await fetch(`${base}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: "demo-spa", code_verifier: verifier }),
    });
    assert.equal(token.status, 200);
    const { access_token } = (await token.json()) as { access_token: string };
    const contacts = await fetch(`${base}/v1/contacts?limit=5`, { headers: { Authorization: `Bearer ${access_token}` } });
    assert.equal(contacts.status, 200);
    assert.ok(Array.isArray(((await contacts.json()) as { data: unknown[] }).data));
    stopGroup(mock);
  });

  it("npx pact-conformance --target mock --project protocol passes, reports written in the caller's folder", async () => {
    const child = spawn(NPX, ["pact-conformance", "--target", "mock", "--project", "protocol"], { cwd: dir, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, output.slice(-4000));
    const report = JSON.parse(readFileSync(path.join(dir, "reports", "conformance.json"), "utf8")) as { summary: { passed: number; failed: number; error: number } };
    assert.equal(report.summary.failed, 0);
    assert.equal(report.summary.error, 0);
    assert.ok(report.summary.passed >= 90, JSON.stringify(report.summary));
  });
});
