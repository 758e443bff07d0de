import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { FAULTS } from "../../mock/faults.ts";
import { DEVIATIONS, applyEdits } from "../../scripts/deviation-cases.ts";
import { type RunResult, verdictOf } from "../../suites/cli/kit-run.ts";
import { isRequirementId } from "../../suites/registry/index.ts";

describe("deviation cases (npm run deviations)", () => {
  it("each still applies to the mock as it stands: every find occurs exactly once and changes the file", () => {
    for (const d of DEVIATIONS) {
      const source = readFileSync(d.file, "utf8");
      assert.notEqual(applyEdits(source, d), source, d.name);
    }
  });

  it("have unique names, none shared with a fault, and target catalogue IDs", () => {
    const names = DEVIATIONS.map((d) => d.name);
    assert.equal(new Set(names).size, names.length);
    const faults = new Set<string>(FAULTS.map((f) => f.name));
    assert.deepEqual(names.filter((n) => faults.has(n)), []);
    for (const d of DEVIATIONS) {
      // A conformant behaviour names no target but must name what it keeps from failing.
      assert.ok(d.requirementIds.length > 0 || (d.mustNotFail ?? []).length > 0, d.name);
      for (const id of [...d.requirementIds, ...(d.mustNotFail ?? []), ...(d.mustError ?? [])]) assert.ok(isRequirementId(id), `${d.name}: ${id}`);
      const bystanders = [...(d.mustNotFail ?? []), ...(d.mustError ?? [])];
      assert.deepEqual(bystanders.filter((id) => d.requirementIds.includes(id)), [], `${d.name}: an ID is both target and bystander`);
    }
  });

  it("a bystander that fails, warns or errors makes the case blamed-others; a conformant case must blame nobody", () => {
    const run = (statuses: Record<string, string>): RunResult => ({
      exit: 1,
      failed: Object.entries(statuses).filter(([, s]) => s === "failed" || s === "warned").map(([id]) => id),
      errors: Object.entries(statuses).filter(([, s]) => s === "error").map(([id]) => ({ id, reason: "" })),
      skipped: [],
      statuses,
      seconds: 1,
    });
    const b = { mustNotFail: ["AUTHZ-08"] };
    assert.equal(verdictOf(["AUTHZ-05"], run({ "AUTHZ-05": "failed", "AUTHZ-08": "passed" }), b), "detected");
    for (const s of ["failed", "warned", "error"]) assert.equal(verdictOf(["AUTHZ-05"], run({ "AUTHZ-05": "failed", "AUTHZ-08": s }), b), "blamed-others", s);
    assert.equal(verdictOf(["AUTHZ-05"], run({ "AUTHZ-05": "passed", "AUTHZ-08": "passed" }), b), "undetected");
    assert.equal(verdictOf([], run({ "CC-03": "passed" }), { mustNotFail: ["CC-03"] }), "accepted");
    assert.equal(verdictOf([], run({ "CC-03": "failed" }), { mustNotFail: ["CC-03"] }), "blamed-others");
    assert.equal(verdictOf([], run({ "CC-03": "passed", "CC-04": "warned" }), { mustNotFail: ["CC-03"] }), "blamed-others");
    const e = { mustError: ["SEC-02"] };
    assert.equal(verdictOf(["TOKEN-01"], run({ "TOKEN-01": "failed", "SEC-02": "error" }), e), "detected");
    assert.equal(verdictOf(["TOKEN-01"], run({ "TOKEN-01": "failed", "SEC-02": "failed" }), e), "blamed-others");
  });

  it("refuses a find that is missing or ambiguous", () => {
    const d = { name: "x", requirementIds: ["API-05"], description: "", file: "f.ts", edits: [["a", "b"]] as const };
    assert.equal(applyEdits("xay", d), "xby");
    assert.throws(() => applyEdits("xy", d), /no longer contains "a"/);
    assert.throws(() => applyEdits("aa", d), /occurs more than once/);
  });
});
