import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createPactMock } from "../../mock/app.ts";
import { FixtureError, loadAppFiles, loadFixtures, mergeAppFiles } from "../../mock/fixtures.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MY_APP = { clientId: "my-app", name: "My App", type: "public", redirectUris: ["http://localhost:3000/callback"], scopes: ["read:contacts"] };

const dir = mkdtempSync(path.join(tmpdir(), "pact-app-files-"));
after(() => rmSync(dir, { recursive: true, force: true }));
function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

function refused(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FixtureError, String(e));
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe("--app files (mergeAppFiles)", () => {
  const fixtures = loadFixtures();

  it("merges one app, an array or {apps: [...]} into the first workspace, keeping the fixture apps", () => {
    const merged = mergeAppFiles(fixtures, [
      { file: "a.json", raw: MY_APP },
      { file: "b.json", raw: [{ ...MY_APP, clientId: "my-app-2" }] },
      { file: "c.json", raw: { apps: [{ ...MY_APP, clientId: "my-server", type: "confidential", clientSecret: "s3cret-value", workspace: "globex" }] } },
    ]);
    assert.deepEqual(merged.apps.slice(0, fixtures.apps.length), fixtures.apps);
    const added = merged.apps.slice(fixtures.apps.length);
    assert.deepEqual(added.map((a) => [a.clientId, a.workspace]), [["my-app", "acme"], ["my-app-2", "acme"], ["my-server", "globex"]]);
  });

  it("refuses a bad registration naming the file and the field", () => {
    refused(() => mergeAppFiles(fixtures, [{ file: "bad.json", raw: { ...MY_APP, redirectUris: [] } }]), /bad\.json/, /redirectUris/);
    refused(() => mergeAppFiles(fixtures, [{ file: "bad.json", raw: [MY_APP, { ...MY_APP, clientId: "x", scopes: ["read:everything"] }] }]), /bad\.json/, /1\.scopes\.0: "read:everything" is not in the scope reference/);
    refused(() => mergeAppFiles(fixtures, [{ file: "bad.json", raw: { apps: [{ ...MY_APP, type: "confidential" }] } }]), /apps\.0\.clientSecret: a confidential app needs a clientSecret/);
    refused(() => mergeAppFiles(fixtures, [{ file: "bad.json", raw: { ...MY_APP, workspace: "initech" } }]), /bad\.json[\s\S]*workspace: unknown workspace "initech"/);
    refused(() => mergeAppFiles(fixtures, [{ file: "dup.json", raw: { ...MY_APP, clientId: "demo-spa" } }]), /dup\.json[\s\S]*clientId: duplicate app id "demo-spa"/);
    refused(() => mergeAppFiles(fixtures, [{ file: "one.json", raw: MY_APP }, { file: "two.json", raw: MY_APP }]), /two\.json[\s\S]*clientId: duplicate/);
    refused(() => mergeAppFiles(fixtures, [{ file: "typo.json", raw: { ...MY_APP, redirectUri: "x" } }]), /typo\.json[\s\S]*redirectUri/);
    refused(() => mergeAppFiles(fixtures, [{ file: "empty.json", raw: [] }]), /empty\.json/);
  });

  it("reads files, refusing one that is missing or not JSON", () => {
    const good = write("good.json", MY_APP);
    assert.equal(loadAppFiles(fixtures, [good]).apps.at(-1)?.clientId, "my-app");
    refused(() => loadAppFiles(fixtures, [path.join(dir, "missing.json")]), /Cannot read app file .*missing\.json/);
    refused(() => loadAppFiles(fixtures, [write("broken.json", "{nope")]), /App file .*broken\.json is not valid JSON/);
  });

  it("a merged app works with createPactMock: its redirect is registered", () => {
    const mock = createPactMock({ fixtures: mergeAppFiles(fixtures, [{ file: "a.json", raw: MY_APP }]) });
    assert.deepEqual(mock.store.liveApp("my-app")?.redirectUris, ["http://localhost:3000/callback"]);
    mock.close();
  });
});

/** Runs the mock's CLI until it prints its banner or exits. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "mock/cli.ts"), "--port", "0", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      if (stdout.includes("Press Ctrl+C")) child.kill("SIGTERM");
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("mock CLI: --app and --auto-approve", () => {
  it("starts with an --app file and auto-approve, and says so in the banner", async () => {
    const r = await runCli(["--app", write("cli-app.json", MY_APP), "--auto-approve", "member@acme.test"]);
    assert.match(r.stdout, /my-app \(public\)/);
    assert.match(r.stdout, /AUTO-APPROVE ON\s+member@acme\.test/);
  });

  it("refuses a bad --app file naming the file and the field", async () => {
    const r = await runCli(["--app", write("cli-bad.json", { ...MY_APP, type: "spa" })]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cli-bad\.json[\s\S]*type/);
  });

  it("refuses an unknown --auto-approve email listing the fixture users, and --auto-approve with --no-control", async () => {
    const unknown = await runCli(["--auto-approve", "nobody@acme.test"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /nobody@acme\.test[\s\S]*admin@acme\.test[\s\S]*member@globex\.test/);
    const noControl = await runCli(["--auto-approve", "member@acme.test", "--no-control"]);
    assert.equal(noControl.code, 2);
    assert.match(noControl.stderr, /--no-control/);
  });
});
