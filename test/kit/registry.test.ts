import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { REQUIREMENTS, GROUPS, CAPABILITIES, findClause, requirement } from "../../suites/registry/index.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const candidates = [
  process.env.PACT_REQUIREMENTS_MD,
  path.resolve(repo, "../shared/spec/requirements.md"),
  "/work/shared/spec/requirements.md",
].filter((p): p is string => typeof p === "string" && p.length > 0);
const catalogue = candidates.find((p) => existsSync(p));

test("the registry holds exactly the catalogue's IDs", { skip: catalogue ? false : `catalogue not found (looked in ${candidates.join(", ")})` }, () => {
  const md = readFileSync(catalogue as string, "utf8");
  const ids = [...md.matchAll(/^#### ([A-Z]+-\d\d) — /gm)].map((m) => m[1]);
  assert.equal(ids.length, 102);
  assert.deepEqual(REQUIREMENTS.map((r) => r.id), ids);
});

test("the registry's levels match the catalogue's level lines", { skip: catalogue ? false : "catalogue not found" }, () => {
  const md = readFileSync(catalogue as string, "utf8");
  for (const r of REQUIREMENTS) {
    const block = md.split(`#### ${r.id} — `)[1]?.split("\n#### ")[0] ?? "";
    const line = block.match(/\*Level:\* (.*)$/m)?.[1]?.replace(/`/g, "");
    assert.equal(line, r.levelText, r.id);
  }
});

test("every entry is well-formed", () => {
  const seen = new Set<string>();
  for (const r of REQUIREMENTS) {
    assert.ok(!seen.has(r.id), `duplicate ${r.id}`);
    seen.add(r.id);
    assert.ok((GROUPS as readonly string[]).includes(r.group), r.id);
    assert.ok(r.id.startsWith(`${r.group}-`), r.id);
    assert.ok(r.clauses.length > 0, r.id);
    assert.equal(r.level, r.clauses[0]?.level, r.id);
    assert.ok(r.needs.length > 0 && r.needs.every((n) => (CAPABILITIES as readonly string[]).includes(n)), r.id);
    assert.ok(r.summary.length > 10 && !r.summary.includes("\n"), r.id);
  }
});

test("mixed entries resolve clauses by level and by scope words", () => {
  const pkce06 = requirement("PKCE-06");
  assert.equal(findClause(pkce06).level, "MUST");
  assert.equal(findClause(pkce06, "PACT-PROFILE").scope, "the code is burnt");
  assert.equal(findClause(requirement("API-04"), "403").level, "SHOULD");
  assert.equal(findClause(requirement("META-01")).pactLevel, "MUST");
  assert.throws(() => requirement("PKCE-99"));
});
