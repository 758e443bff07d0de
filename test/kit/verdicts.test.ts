import { test } from "node:test";
import assert from "node:assert/strict";
import { Journal } from "../../suites/http/exchange.ts";
import { Redactor } from "../../suites/http/redact.ts";
import { Verdicts, CheckError, CheckSkipped, ConformanceFailure, PreconditionFailed } from "../../suites/harness/verdicts.ts";
import { failureStatus } from "../../suites/harness/severity.ts";
import { findClause, requirement } from "../../suites/registry/index.ts";
import { mergeVerdicts } from "../../suites/report/merge.ts";
import { parseArgs, UsageError } from "../../suites/cli/args.ts";

const fail = () => {
  throw new Error("boom");
};

test("severity follows clause level, profile and --strict (§0.1)", () => {
  const pact = { profile: "pact", strict: false } as const;
  const rfc = { profile: "rfc", strict: false } as const;
  const strict = { profile: "rfc", strict: true } as const;
  const api06 = requirement("API-06");
  assert.equal(failureStatus(api06, findClause(api06), pact), "warned");
  assert.equal(failureStatus(api06, findClause(api06), strict), "failed");
  const meta = requirement("META-01");
  assert.equal(failureStatus(meta, findClause(meta), pact), "failed");
  assert.equal(failureStatus(meta, findClause(meta), rfc), "warned");
  const pkce06 = requirement("PKCE-06");
  assert.equal(failureStatus(pkce06, findClause(pkce06, "PACT-PROFILE"), rfc), "skipped");
  assert.equal(failureStatus(pkce06, findClause(pkce06), rfc), "failed");
  const sec04 = requirement("SEC-04");
  assert.equal(failureStatus(sec04, findClause(sec04), strict), "warned");
});

test("checks record passed, failed with evidence, skipped, and PACT-PROFILE clauses skip under rfc", async () => {
  const journal = new Journal();
  const redactor = new Redactor();
  redactor.learn("pact_at_supersecretvalue", "access_token");
  const v = new Verdicts(["PKCE-06", "CODE-04"], { profile: "rfc", strict: false }, journal, redactor);
  assert.equal(v.accepted(["invalid_request"], ["invalid_grant"]).length, 2);
  assert.equal(await v.check("PKCE-06", "ok", () => undefined), "passed");
  assert.equal(
    await v.check("PKCE-06", "bad", () => {
      journal.add({ label: null, method: "POST", url: "http://x/oauth/token", requestHeaders: [["authorization", "Bearer pact_at_supersecretvalue"]], requestBody: "code_verifier=abc", status: 200, responseHeaders: [], responseBody: '{"access_token":"pact_at_supersecretvalue"}', durationMs: 1 });
      throw new Error("got pact_at_supersecretvalue back");
    }),
    "failed",
  );
  assert.equal(await v.check("PKCE-06", "burnt", fail, { clause: "PACT-PROFILE" }), "skipped");
  assert.equal(await v.check("PKCE-06", "inner skip", () => { throw new CheckSkipped("n/a"); }), "skipped");
  await assert.rejects(v.check("PKCE-06", "stop", fail, { stopOnFailure: true }), /PKCE-06: stop: boom/);
  void ConformanceFailure;
  await assert.rejects(v.check("TOKEN-01", "undeclared", () => undefined), /not declared/);
  const out = v.finalize();
  const text = JSON.stringify(out);
  assert.ok(!text.includes("supersecretvalue") && !text.includes("code_verifier=abc"));
  assert.equal(out.find((x) => x.check === "bad")?.evidence?.length, 1);
  // §0.1: a declared ID that recorded nothing could not be judged; it is never skipped without a reason.
  assert.equal(out.find((x) => x.id === "CODE-04")?.status, "error");
  assert.match(out.find((x) => x.id === "CODE-04")?.message ?? "", /could not judge: the test ended without recording a check/);
  assert.equal(v.failures().length, 2);
});

test("could not judge: CheckError, a failed precondition and a crashed test record error, never failed or skipped (§0.1)", async () => {
  const journal = new Journal();
  const v = new Verdicts(["SEC-02", "CODE-04", "TOKEN-01"], { profile: "pact", strict: false }, journal, new Redactor());
  assert.equal(await v.check("SEC-02", "no token in the URL", () => { throw new CheckError("no access token was obtained to look for"); }), "error");
  await assert.rejects(v.precondition("a code for SPA", () => { throw new Error("no consent page"); }, ["CODE-04"]), PreconditionFailed);
  assert.equal(await v.precondition("a value", () => 42), 42);
  const out = v.finalize({ crashed: "PreconditionFailed: …" });
  const by = (id: string) => out.filter((x) => x.id === id).map((x) => x.status);
  assert.deepEqual(by("SEC-02"), ["error"]);
  assert.deepEqual(by("CODE-04"), ["error"]);
  assert.deepEqual(by("TOKEN-01"), ["error"], "a declared ID the crash left unjudged");
  assert.match(out.find((x) => x.id === "CODE-04")?.message ?? "", /precondition "a code for SPA" not met: no consent page/);
  assert.equal(v.errors().length, 3);
  assert.equal(v.failures().length, 0);
  // A skipped test's unrecorded IDs are skipped with the test's reason.
  const s = new Verdicts(["CODE-04"], { profile: "pact", strict: false }, new Journal(), new Redactor());
  assert.deepEqual(s.finalize({ skipped: "test skipped: needs --slow" }).map((x) => [x.status, x.reason]), [["skipped", "test skipped: needs --slow"]]);
});

test("the report merges per ID (failed > error > warned > passed > skipped) and lists uncovered IDs", () => {
  const report = mergeVerdicts("mock", "pact", false, 1, [
    { test: "a", verdicts: [{ id: "META-01", check: "x", status: "passed", clause: "SHOULD", clauseScope: null }, { id: "API-06", check: "y", status: "warned", clause: "SHOULD", clauseScope: null, message: "m" }] },
    { test: "b", verdicts: [{ id: "META-01", check: "z", status: "failed", clause: "SHOULD", clauseScope: null, message: "bad" }, { id: "CODE-04", check: "w", status: "skipped", clause: "SHOULD", clauseScope: null, reason: "no clock" }] },
  ]);
  const byId = new Map(report.requirements.map((r) => [r.id, r]));
  assert.equal(report.requirements.length, 102);
  assert.equal(byId.get("META-01")?.status, "failed");
  assert.deepEqual(byId.get("META-01")?.tests, ["a", "b"]);
  assert.equal(byId.get("API-06")?.status, "warned");
  assert.equal(byId.get("CODE-04")?.reason, "no clock");
  assert.equal(byId.get("PKCE-01")?.reason, "not covered");
  assert.deepEqual(report.summary, { passed: 0, failed: 1, error: 0, warned: 1, skipped: 100 });
  const withError = mergeVerdicts("mock", "pact", false, 1, [
    { test: "a", verdicts: [{ id: "META-01", check: "x", status: "passed", clause: "SHOULD", clauseScope: null }, { id: "META-01", check: "y", status: "error", clause: "MUST", clauseScope: null, message: "could not judge" }] },
  ]);
  assert.equal(withError.requirements.find((r) => r.id === "META-01")?.status, "error");
  assert.deepEqual(withError.requirements.find((r) => r.id === "META-01")?.clauses, ["MUST"]);
  assert.equal(withError.summary.error, 1);
});

test("CLI arguments are validated with clear errors", () => {
  assert.equal(parseArgs(["--help"]), "help");
  const a = parseArgs(["--target", "mock", "--profile=rfc", "--strict", "--grep", "PKCE-06", "--seed", "42", "--path", "3:1"]);
  assert.ok(a !== "help" && a.profile === "rfc" && a.strict && a.seed === "42" && a.project === "all");
  assert.throws(() => parseArgs([]), /--target is required/);
  assert.throws(() => parseArgs(["--target", "ftp://x"]), /mock or an http/);
  assert.throws(() => parseArgs(["--target", "mock", "--profile", "x"]), /pact or rfc/);
  assert.throws(() => parseArgs(["--target", "mock", "--bogus"]), UsageError);
  assert.throws(() => parseArgs(["--target", "mock", "--seed", "x"]), /integer/);
});
