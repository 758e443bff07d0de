import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { FAULTS } from "../../mock/faults.ts";
import { DEVIATIONS, applyEdits } from "../../scripts/deviation-cases.ts";
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
      assert.ok(d.requirementIds.length > 0, d.name);
      for (const id of d.requirementIds) assert.ok(isRequirementId(id), `${d.name}: ${id}`);
    }
  });

  it("refuses a find that is missing or ambiguous", () => {
    const d = { name: "x", requirementIds: ["API-05"], description: "", file: "f.ts", edits: [["a", "b"]] as const };
    assert.equal(applyEdits("xay", d), "xby");
    assert.throws(() => applyEdits("xy", d), /no longer contains "a"/);
    assert.throws(() => applyEdits("aa", d), /occurs more than once/);
  });
});
