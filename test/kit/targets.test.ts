import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCHEMA_PATH, renderTargetFileSchema } from "../../suites/targets/write-schema.ts";
import { parseTargetFile, substituteEnv, TargetFileError } from "../../suites/targets/load.ts";
import { fixtureTargetFile } from "../../suites/targets/fixture-identities.ts";
import { connectUrlTarget, startMockTarget } from "../../suites/targets/target.ts";

const STUB = fileURLToPath(new URL("./stub-mock.ts", import.meta.url));

test("the committed JSON Schema equals the generated one (run: npx tsx suites/targets/write-schema.ts)", () => {
  assert.equal(readFileSync(SCHEMA_PATH, "utf8"), renderTargetFileSchema());
});

const minimal = {
  baseUrl: "https://staging.pact.test",
  apps: {
    conf: { clientId: "c", clientSecret: "${CONF_SECRET}", redirectUris: ["https://c.test/cb"], scopes: ["read:contacts"] },
    spa: { clientId: "s", redirectUris: ["https://s.test/cb"], scopes: ["read:contacts"] },
  },
  users: {
    admin: { email: "a@x.test", password: "${ADMIN_PW}" },
    member: { email: "m@x.test", password: "$${literal}" },
  },
};

test("target files substitute ${ENV} secrets and fill defaults", () => {
  const file = parseTargetFile(minimal, "t.json", { CONF_SECRET: "s3cret-value", ADMIN_PW: "pw-value" });
  assert.equal(file.apps.conf.clientSecret, "s3cret-value");
  assert.equal(file.users.admin.password, "pw-value");
  assert.equal(file.users.member.password, "${literal}");
  assert.equal(file.params.SKEW_S, 60);
  assert.equal(file.recipe.signInButton, "Sign in");
});

test("target file problems are reported by path, missing variables by name only", () => {
  assert.throws(() => parseTargetFile(minimal, "t.json", {}), (e: unknown) => e instanceof TargetFileError && /CONF_SECRET is not set/.test(e.message) && /ADMIN_PW/.test(e.message));
  assert.throws(() => parseTargetFile({ ...minimal, baseUrl: "ftp://x" }, "t.json", { CONF_SECRET: "a", ADMIN_PW: "b" }), /baseUrl/);
  const publicWithSecret = { ...minimal, apps: { ...minimal.apps, spa: { ...minimal.apps.spa, clientSecret: "nope" } } };
  assert.throws(() => parseTargetFile(publicWithSecret, "t.json", { CONF_SECRET: "a", ADMIN_PW: "b" }), /public app has no secret/);
});

test("the in-process mock target listens on an ephemeral port, resets in process and has every capability", async () => {
  const target = await startMockTarget(fixtureTargetFile, STUB);
  try {
    assert.match(target.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await target.reset(), true);
    assert.equal(target.missing("clock"), null);
    assert.ok(target.capabilities.has("multi"));
    assert.equal((await target.clock?.now())?.toISOString(), "2026-01-01T00:00:00.000Z");
    const url = await connectUrlTarget({ ...fixtureTargetFile(target.baseUrl), capabilities: { disable: ["admin"] } });
    assert.ok(url.capabilities.has("clock"), "clock detected over HTTP");
    assert.match(url.missing("admin") ?? "", /disabled by the target file/);
  } finally {
    await target.close();
  }
});

test("a URL target without the control API has no clock, with the reason", async () => {
  const target = await connectUrlTarget(fixtureTargetFile("http://127.0.0.1:9"));
  assert.equal(target.clock, null);
  assert.match(target.missing("clock") ?? "", /no clock control/);
  assert.equal(await target.reset(), false);
  void substituteEnv;
});
