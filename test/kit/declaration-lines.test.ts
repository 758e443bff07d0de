import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { declarationLines } from "../../scripts/declaration-lines.ts";

const SOURCE = `import x from "y";
export const LIMIT = 5;
export function top(a: number): number {
  return a;
}
export class Store {
  private readonly m = new Map();
  issue(): string {
    return "a";
  }
  private revoke(id: string): void {
    if (id) {
      this.m.delete(id);
    }
  }
  now(): number { return 1; }
}
function after(): void {}
`.split("\n");

describe("declarationLines (mutation groups' named parts)", () => {
  it("finds top-level constants and functions", () => {
    assert.deepEqual(declarationLines(SOURCE, "LIMIT", "t"), [1, 1]);
    assert.deepEqual(declarationLines(SOURCE, "top", "t"), [2, 4]);
  });

  it("finds a class method up to its own closing brace, not a nested one", () => {
    assert.deepEqual(declarationLines(SOURCE, "Store.issue", "t"), [7, 9]);
    assert.deepEqual(declarationLines(SOURCE, "Store.revoke", "t"), [10, 14]);
    assert.deepEqual(declarationLines(SOURCE, "Store.now", "t"), [15, 15]);
    assert.deepEqual(declarationLines(SOURCE, "after", "t"), [17, 17]);
  });

  it("says what it could not find", () => {
    assert.throws(() => declarationLines(SOURCE, "Store.missing", "file.ts"), /file\.ts: no method missing in Store/);
    assert.throws(() => declarationLines(SOURCE, "Nope", "file.ts"), /file\.ts: no top-level declaration named Nope/);
    assert.throws(() => declarationLines(SOURCE, "after.x", "file.ts"), /no method x in after/);
  });
});
