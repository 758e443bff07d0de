import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { goalLine } from "../../scripts/mutation-doc.ts";

describe("goalLine", () => {
  it("holds each reading of the score against 80%, the boundary included", () => {
    const line = goalLine({ files: 3, detected: 80, valid: 110, equivalent: 10 }, { files: 2, detected: 79, valid: 100, equivalent: 0 }, 2);
    assert.match(line, /over all 3 files, the score without equivalent mutants is 80\.00%, at or above 80%/);
    assert.match(line, /Stryker's own score is 72\.73%, below 80%;/);
    assert.match(line, /over the 2 protocol modules, Stryker's own score is 79\.00%, below 80%\./);
  });

  it("shows a score just under the goal as under it", () => {
    const line = goalLine({ files: 1, detected: 7999, valid: 10000, equivalent: 0 }, { files: 1, detected: 1, valid: 1, equivalent: 0 }, 1);
    assert.match(line, /is 79\.99%, below 80%/);
  });
});
