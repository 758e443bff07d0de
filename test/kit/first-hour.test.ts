/**
 * A new user's first hour (issue 18): `init` writes a target file that validates and, once its
 * placeholders hold the fixture identities, passes a conformance run; `check-config` reports every
 * problem at once; `--plan` lists exactly the skips a real run reports.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { createPactMock } from "../../mock/app.ts";
import { isRequirementId } from "../../suites/registry/index.ts";
import { fixtureTargetFile } from "../../suites/targets/fixture-identities.ts";
import { OPTIONAL_IDENTITIES, skippedWithout } from "../../suites/targets/optional-identities.ts";
import { TargetFileSchema } from "../../suites/targets/schema.ts";
import { SCHEMA_PATH } from "../../suites/targets/write-schema.ts";

// ajv is CommonJS; load it the way Node resolves it (as suites/schemas/validate.ts does).
const Ajv2020 = (createRequire(import.meta.url)("ajv/dist/2020") as { default: new (opts: Record<string, unknown>) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } } }).default;

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const CLI = path.join(ROOT, "suites", "cli", "conformance.ts");

function conformance(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [CLI, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0", PACT_WORKERS: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

const dir = mkdtempSync(path.join(tmpdir(), "pact-first-hour-"));
let url = "";
let close: () => Promise<void> = async () => undefined;

before(async () => {
  const mock = createPactMock();
  const server = mock.app.listen(0, "127.0.0.1");
  await new Promise<void>((ok) => server.once("listening", () => ok()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.setBaseUrl?.(url);
  close = async () => {
    mock.close?.();
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
});

after(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

/** The fixture's client IDs, users and API surface written over init's placeholders; secrets go to the environment. */
function fillFromFixtures(written: Record<string, any>): { file: Record<string, any>; env: NodeJS.ProcessEnv } {
  const fx = fixtureTargetFile(url);
  const file = structuredClone(written);
  for (const role of ["conf", "conf2", "spa", "cli"] as const) {
    const app = fx.apps[role];
    if (!app) throw new Error(`fixture has no ${role}`);
    Object.assign(file.apps[role], { clientId: app.clientId, name: app.name, redirectUris: app.redirectUris, scopes: app.scopes });
  }
  for (const role of ["admin", "member", "restricted", "secondWorkspace", "secondWorkspaceAdmin"] as const) {
    const u = fx.users[role];
    if (!u) throw new Error(`fixture has no ${role}`);
    Object.assign(file.users[role], { email: u.email, workspace: u.workspace });
  }
  file.params = { ...file.params, REVOKE_PROPAGATION_S: fx.params.REVOKE_PROPAGATION_S };
  const password = fx.users.member.password;
  const env = {
    PACT_CONF_SECRET: fx.apps.conf.clientSecret,
    PACT_CONF2_SECRET: fx.apps.conf2?.clientSecret,
    PACT_ADMIN_PASSWORD: password,
    PACT_MEMBER_PASSWORD: password,
    PACT_RESTRICTED_PASSWORD: password,
    PACT_SECOND_WORKSPACE_PASSWORD: password,
    PACT_SECOND_WORKSPACE_ADMIN_PASSWORD: password,
    PACT_API_KEY: fx.apiKey,
  };
  return { file, env };
}

describe("the optional identities' skipped requirements", () => {
  it("names only IDs of the catalogue, and the capability's IDs for each identity it needs", () => {
    for (const i of OPTIONAL_IDENTITIES) {
      for (const id of i.ids) assert.ok(isRequirementId(id), `${i.path}: ${id} is not a requirement ID`);
      assert.ok(skippedWithout(i).length > 0, `${i.path} names no requirement`);
    }
    const multi = OPTIONAL_IDENTITIES.filter((i) => i.capability === "multi").map((i) => i.path).sort();
    assert.deepEqual(multi, ["apps.conf2", "users.restricted", "users.secondWorkspace"]);
  });
});

describe("init, then check-config, then a run with the written file", () => {
  const out = path.join(dir, "pact.target.json");

  it("writes a file that validates against the schema, and never overwrites it without --force", async () => {
    const first = await conformance(["init", "--target", url, "--out", out]);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /login: a "Sign in" form at \/login/);
    const raw = JSON.parse(readFileSync(out, "utf8")) as Record<string, any>;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as object);
    assert.ok(validate(raw), JSON.stringify(validate.errors));
    assert.ok(TargetFileSchema.safeParse(raw).success);
    assert.equal(raw.baseUrl, url);
    assert.equal(raw.recipe.loginPath, "/login");
    assert.equal(raw.apps.conf.clientSecret, "${PACT_CONF_SECRET}");
    assert.match(raw.apps.cli.$comment, /AUTHZ-04/);
    assert.match(raw.users.restricted.$comment, /CONSENT-09/);
    for (const key of ["apps", "users", "apiKey", "api", "scopes", "params", "recipe", "capabilities"]) assert.ok(key in raw, `init wrote no ${key}`);

    writeFileSync(out, "{}\n");
    const again = await conformance(["init", "--target", url, "--out", out]);
    assert.equal(again.code, 2);
    assert.match(again.out, /--force/);
    assert.equal(readFileSync(out, "utf8"), "{}\n");
    assert.equal((await conformance(["init", "--target", url, "--out", out, "--force"])).code, 0);
  });

  it("check-config lists every problem of the unfilled file at once, each with its field", async () => {
    const res = await conformance(["check-config", "--config", out]);
    assert.equal(res.code, 2, res.out);
    for (const field of ["apps.conf.clientId", "apps.spa.redirectUris[0]", "users.member.email", "PACT_CONF_SECRET", "PACT_MEMBER_PASSWORD", "PACT_API_KEY"]) assert.ok(res.out.includes(field), `${field} missing from:\n${res.out}`);
  });

  it("with the fixture identities filled in, check-config is content and the protocol project passes", async () => {
    const { file, env } = fillFromFixtures(JSON.parse(readFileSync(out, "utf8")) as Record<string, any>);
    const filled = path.join(dir, "filled.target.json");
    writeFileSync(filled, `${JSON.stringify(file, null, 2)}\n`);
    const check = await conformance(["check-config", "--config", filled], env);
    assert.equal(check.code, 0, check.out);
    const reports = path.join(dir, "run-reports");
    const run = await conformance(["--target", url, "--config", filled, "--project", "protocol", "--grep", "META-01|TOKEN-04|CONSENT-01", "--seed", "20261129"], { ...env, PACT_REPORTS_DIR: reports });
    assert.equal(run.code, 0, run.out.slice(-3000));
    const report = JSON.parse(readFileSync(path.join(reports, "conformance.json"), "utf8")) as { summary: { passed: number; failed: number; error: number } };
    assert.equal(report.summary.failed + report.summary.error, 0);
    assert.ok(report.summary.passed >= 3);
  });
});

describe("--plan lists exactly the skips the run then reports", () => {
  const GREP = "INSTALL-01|REG-01|SEC-06|META-01|TOKEN-04";

  async function compare(label: string, config: string[]): Promise<void> {
    const planDir = path.join(dir, `plan-${label}`);
    const plan = await conformance(["--target", "mock", ...config, "--project", "protocol", "--grep", GREP, "--plan"], { PACT_REPORTS_DIR: planDir });
    assert.equal(plan.code, 0, plan.out);
    const planned = (JSON.parse(readFileSync(path.join(planDir, "plan.json"), "utf8")) as { requirements: Array<{ id: string; status: string }> }).requirements;
    assert.throws(() => readFileSync(path.join(planDir, "conformance.json")), "--plan ran the tests");
    const runDir = path.join(dir, `run-${label}`);
    const run = await conformance(["--target", "mock", ...config, "--project", "protocol", "--grep", GREP, "--seed", "20261129"], { PACT_REPORTS_DIR: runDir });
    assert.equal(run.code, 0, run.out.slice(-3000));
    const reported = (JSON.parse(readFileSync(path.join(runDir, "conformance.json"), "utf8")) as { requirements: Array<{ id: string; status: string; reason: string }> }).requirements;
    const ran = (s: { status: string }) => s.status !== "skipped";
    assert.deepEqual(
      planned.filter((p) => p.status === "skipped").map((p) => p.id).sort(),
      reported.filter((r) => r.status === "skipped" && r.reason !== "not covered").map((r) => r.id).sort(),
      `${label}: skipped IDs differ`,
    );
    assert.deepEqual(planned.filter((p) => p.status === "run").map((p) => p.id).sort(), reported.filter(ran).map((r) => r.id).sort(), `${label}: judged IDs differ`);
  }

  it("against the mock", async () => {
    await compare("mock", []);
  });

  it("against a target file that disables the admin capability", async () => {
    const file = path.join(dir, "no-admin.target.json");
    writeFileSync(file, JSON.stringify({ ...fixtureTargetFile("http://127.0.0.1:1"), capabilities: { disable: ["admin"] } }));
    await compare("no-admin", ["--config", file]);
  });
});
