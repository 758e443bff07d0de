import { readFileSync } from "node:fs";
import type { ConformanceReport } from "../report/merge.ts";
import { diffReports, renderDiff } from "../report/diff.ts";

const USAGE = `Usage: npm run conformance:diff -- A.json B.json

What changed between two conformance reports (a release and the last, staging and the mock):
new failures first, then still failing, fixed and other changes.
Exit status: 0 no new failure, 1 a requirement fails in B that did not fail in A, 2 bad input.`;

function load(file: string): ConformanceReport {
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as ConformanceReport;
    if (!Array.isArray(r.requirements) || typeof r.summary !== "object") throw new Error("not a conformance.json (no requirements/summary)");
    return r;
  } catch (e) {
    process.stderr.write(`conformance:diff: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}

const args = process.argv.slice(2).filter((a) => a !== "--");
if (args.includes("--help")) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.length !== 2) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const [fileA, fileB] = args as [string, string];
const d = diffReports(load(fileA), load(fileB));
process.stdout.write(renderDiff(d, fileA, fileB));
process.exit(d.newFailures.length > 0 ? 1 : 0);
