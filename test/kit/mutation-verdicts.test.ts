import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { type Survivor, type Verdict, judge, loadVerdicts } from "../../scripts/mutation-verdicts.ts";

const survivor = (over: Partial<Survivor> = {}): Survivor => ({ file: "mock/oauth/pkce.ts", line: 10, column: 5, mutator: "StringLiteral", replacement: '""', code: 'return "S256";', ...over });
const verdict = (over: Partial<Verdict> = {}): Verdict => ({ file: "mock/oauth/pkce.ts", line: 10, column: 5, mutator: "StringLiteral", replacement: '""', code: 'return "S256";', verdict: "equivalent", reason: "a reason long enough", ...over });

test("a verdict follows its source line when lines above it move", () => {
  const [judged] = judge([survivor({ line: 14 })], [verdict()]);
  assert.equal(judged?.verdict?.reason, "a reason long enough");
});

test("a survivor whose line text changed has no verdict: it must be judged again", () => {
  const [judged] = judge([survivor({ code: 'return "plain";' })], [verdict()]);
  assert.equal(judged?.verdict, null);
});

test("another mutator or replacement on the same line is a different mutant", () => {
  assert.equal(judge([survivor({ mutator: "BlockStatement" })], [verdict()])[0]?.verdict, null);
  assert.equal(judge([survivor({ replacement: '"Stryker was here!"' })], [verdict()])[0]?.verdict, null);
});

test("two identical mutants of one line each take the verdict recorded nearest to them, once", () => {
  const a = verdict({ column: 5, reason: "the first one's reason" });
  const b = verdict({ column: 30, reason: "the second one's reason" });
  const judged = judge([survivor({ column: 31 }), survivor({ column: 6 }), survivor({ column: 50 })], [b, a]);
  assert.deepEqual(
    judged.map((j) => j.verdict?.reason ?? null),
    ["the first one's reason", "the second one's reason", null],
  );
});

test("a verdict recorded at a survivor's own position goes to it, even when a twin nearer the start of the file comes first", () => {
  const judged = judge([survivor({ column: 5 }), survivor({ column: 30 })], [verdict({ column: 30, reason: "the one at column 30" })]);
  assert.deepEqual(
    judged.map((j) => j.verdict?.reason ?? null),
    [null, "the one at column 30"],
  );
});

test("the verdicts file is validated: a bad entry is named", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "verdicts-"));
  const file = path.join(dir, "v.json");
  writeFileSync(file, JSON.stringify([verdict(), { ...verdict(), verdict: "fine" }]));
  assert.throws(() => loadVerdicts(file), /entry 1\.verdict/);
  writeFileSync(file, "{not json");
  assert.throws(() => loadVerdicts(file), /not readable JSON/);
});

test("the repository's verdicts file loads", () => {
  assert.ok(loadVerdicts(path.join(import.meta.dirname, "..", "..", "docs", "mutation-verdicts.json")).length > 0);
});
