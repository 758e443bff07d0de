import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { countsOf } from "../../suites/report/display.ts";
import type { ConformanceReport } from "../../suites/report/merge.ts";
import { REPORT_FILES } from "../../suites/report/write.ts";
import { runConformance } from "./leak-scan.ts";

const COMMON = ["--target", "mock", "--project", "protocol", "--grep", "META-01|TOKEN-11|TOKEN-07", "--seed", "20261129", "--workers", "1"];

function read(dir: string): ConformanceReport {
  return JSON.parse(readFileSync(path.join(dir, REPORT_FILES.json), "utf8")) as ConformanceReport;
}

/** Per requirement: status and the tests that checked it. */
function shape(r: ConformanceReport): Array<[string, string, string[]]> {
  return r.requirements.map((x) => [x.id, x.status, [...x.tests].sort()]);
}

test("two shards merged from their blob reports give the same report as one run", { timeout: 600_000 }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), "pact-shards-"));
  try {
    const dir = (name: string) => path.join(work, name);
    const [one, s1, s2] = await Promise.all([
      runConformance(COMMON, { PACT_REPORTS_DIR: dir("single") }),
      runConformance([...COMMON, "--shard", "1/2"], { PACT_REPORTS_DIR: dir("shard1"), PLAYWRIGHT_BLOB_OUTPUT_DIR: dir("blob1") }),
      runConformance([...COMMON, "--shard", "2/2"], { PACT_REPORTS_DIR: dir("shard2"), PLAYWRIGHT_BLOB_OUTPUT_DIR: dir("blob2") }),
    ]);
    for (const r of [one, s1, s2]) assert.ok(r.code === 0 || r.code === 1, r.output.slice(-2000));
    // What CI does: download every shard's blob-report into one directory.
    mkdirSync(dir("all-blob-reports"));
    for (const b of ["blob1", "blob2"]) for (const f of readdirSync(dir(b))) copyFileSync(path.join(dir(b), f), path.join(dir("all-blob-reports"), f));
    assert.equal(readdirSync(dir("all-blob-reports")).length, 2);
    const merged = await runConformance(["--merge", dir("all-blob-reports")], { PACT_REPORTS_DIR: dir("merged") });
    assert.equal(merged.code, one.code, merged.output.slice(-2000));

    const single = read(dir("single"));
    const combined = read(dir("merged"));
    const part1 = read(dir("shard1"));
    const part2 = read(dir("shard2"));
    assert.ok(part1.summary.passed + part1.summary.failed > 0 && part2.summary.passed + part2.summary.failed > 0, "each shard checked something");
    assert.deepEqual(combined.summary, single.summary);
    assert.deepEqual(countsOf(combined), countsOf(single));
    assert.deepEqual(shape(combined), shape(single));
    assert.equal(combined.target, "mock");
    assert.equal(combined.seed, 20261129);
    process.stdout.write(`# shards: single ${JSON.stringify(single.summary)}; shard 1/2 ${JSON.stringify(part1.summary)}; shard 2/2 ${JSON.stringify(part2.summary)}; merged ${JSON.stringify(combined.summary)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
