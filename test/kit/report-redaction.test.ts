import { test } from "node:test";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ConformanceReport } from "../../suites/report/merge.ts";
import { REPORT_FILES } from "../../suites/report/write.ts";
import { runConformance, scanForLeaks } from "./leak-scan.ts";

const SEED = "20261129";
// Metadata, client authentication failures (secrets sent) and refresh (access and refresh tokens).
const GREP = "META-01|TOKEN-07|REFRESH-01";

test("a conformance run against the mock writes no secret into any report file", { timeout: 300_000 }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), "pact-redaction-"));
  const reports = path.join(work, "reports");
  const seenFile = path.join(work, "seen-secrets.txt");
  try {
    const run = await runConformance(["--target", "mock", "--project", "protocol", "--grep", GREP, "--seed", SEED], {
      PACT_REPORTS_DIR: reports,
      PACT_SEEN_SECRETS_FILE: seenFile,
    });
    assert.ok(run.code === 0 || run.code === 1, `the run could not start (exit ${run.code}):\n${run.output.slice(-2000)}`);
    for (const f of Object.values(REPORT_FILES)) assert.ok(existsSync(path.join(reports, f)), `${f} written`);
    const report = JSON.parse(readFileSync(path.join(reports, REPORT_FILES.json), "utf8")) as ConformanceReport;
    const ran = report.requirements.filter((r) => r.tests.length > 0).map((r) => r.id);
    assert.ok(ran.includes("REFRESH-01") && ran.includes("TOKEN-07"), `the run exercised tokens (ran ${ran.join(", ")})`);

    const seen = new Set(readFileSync(seenFile, "utf8").split("\n").filter(Boolean));
    assert.ok(seen.size >= 5, `the run saw secrets (${seen.size} digests)`);
    const { files, leaks } = scanForLeaks(reports, seen);
    assert.ok(files >= 5, `scanned ${files} files`);
    assert.deepEqual(leaks, [], `secrets in reports: ${JSON.stringify(leaks)}`);
    // What the run printed is shared too (CI logs).
    writeFileSync(path.join(work, "console.log"), run.output);
    assert.deepEqual(scanForLeaks(work, seen).leaks, [], "console output");
    process.stdout.write(`# redaction: ${files} report files scanned, ${seen.size} secrets seen by the run, 0 leaks; requirements ${report.summary.passed} passed, ${report.summary.failed} failed of ${ran.length} run\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("the leak scan finds a fixture secret, a Pact-shaped token and a seen secret", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pact-scan-"));
  try {
    const seenValue = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0";
    writeFileSync(path.join(dir, "a.json"), JSON.stringify({ body: `client_secret=${encodeURIComponent("demo-server-secret")}` }));
    writeFileSync(path.join(dir, "b.txt"), "token pact_at_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 here");
    writeFileSync(path.join(dir, "c.html"), `<pre>${seenValue}</pre>`);
    const digest = createHash("sha256").update(seenValue).digest("hex");
    const { leaks } = scanForLeaks(dir, new Set([digest]));
    assert.deepEqual(leaks.map((l) => l.file).sort(), ["a.json", "b.txt", "c.html"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
