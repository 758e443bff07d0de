/**
 * `npm run selfcheck` (issue 6): proves the kit catches what it claims. For
 * each fault of mock/faults.ts, runs the kit's specs for the fault's
 * requirement IDs against an in-process mock with only that fault on
 * (PACT_MOCK_FAULTS), and records which IDs failed. The clean mock runs the
 * same specs first and must pass.
 *
 *   npm run selfcheck                         every fault
 *   npm run selfcheck -- --fault NAME ...     only these (repeatable)
 *   npm run selfcheck -- --subset             one representative fault per requirement group (CI)
 *   npm run selfcheck -- --jobs 2             runs side by side (default 2, one Playwright worker each)
 *
 * Writes reports/selfcheck.json and reports/selfcheck.md, and each run's
 * reports under reports/selfcheck/<run>/. Exit status 1 when a fault goes
 * undetected, is detected only through unrelated IDs, or the clean mock
 * fails; 2 when a run cannot start.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FAULTS, type FaultDefinition, UnknownFaultError, parseFaultNames } from "../../mock/faults.ts";
import type { ConformanceReport } from "../report/merge.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const REPORTS = path.join(ROOT, "reports");
const RUNS = path.join(REPORTS, "selfcheck");

/** One fault per requirement group, each bending a different mechanism: what CI runs on every change. */
const CI_SUBSET = [
  "secret-shown-again",
  "redirect-prefix-match",
  "state-dropped",
  "pkce-any-verifier",
  "consent-csrf-missing",
  "code-reusable",
  "token-expires-7200",
  "client-secret-unchecked",
  "refresh-reuse-undetected",
  "cc-public-client-allowed",
  "revoke-refresh-keeps-access",
  "api-scope-unenforced",
  "install-revoke-noop",
  "key-revoke-noop",
  "login-open-redirect",
  "metadata-advertises-plain",
] as const;

type Verdict = "detected" | "undetected" | "unrelated-only" | "no-run";

interface RunResult {
  readonly exit: number;
  /** IDs whose status was failed or warned (a SHOULD failure is a warning unless --strict). */
  readonly failed: string[];
  /** Expected IDs the run reported as skipped, with the reason. */
  readonly skipped: Array<{ id: string; reason: string }>;
  readonly seconds: number;
}

interface FaultRow {
  readonly fault: string;
  readonly description: string;
  readonly expected: readonly string[];
  readonly failed: string[];
  readonly unrelated: string[];
  readonly skipped: Array<{ id: string; reason: string }>;
  readonly verdict: Verdict;
  readonly seconds: number;
}

/** A Playwright --grep matching the describe titles of these IDs ("PKCE-06 A wrong verifier …"). */
function grepFor(ids: readonly string[]): string {
  return `(${ids.map((id) => id.replace(/-/g, "\\-")).join("|")})(?![0-9])`;
}

function runConformance(ids: readonly string[], faults: readonly string[], label: string): Promise<RunResult> {
  const started = Date.now();
  const tsx = path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "tsx.cmd" : "tsx");
  const args = [path.join(ROOT, "suites", "cli", "conformance.ts"), "--target", "mock", "--project", "protocol", "--grep", grepFor(ids)];
  const dir = path.join(RUNS, label);
  const report = path.join(dir, "conformance.json");
  rmSync(dir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PACT_MOCK_FAULTS: faults.join(","), PACT_REPORTS_DIR: dir, PACT_WORKERS: "1" };
  return new Promise((resolve) => {
    const child = spawn(tsx, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (e) => {
      process.stderr.write(`selfcheck: cannot run the conformance CLI: ${e.message}\n`);
      process.exit(2);
    });
    child.on("exit", (code) => {
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      const exit = code ?? 1;
      if (exit === 2 || !existsSync(report)) {
        process.stderr.write(`selfcheck: the ${label} run could not start (exit ${exit}):\n${tail}\n`);
        resolve({ exit: 2, failed: [], skipped: [], seconds });
        return;
      }
      const result = JSON.parse(readFileSync(report, "utf8")) as ConformanceReport;
      const failed = result.requirements.filter((r) => r.status === "failed" || r.status === "warned").map((r) => r.id);
      const skipped = result.requirements.filter((r) => r.status === "skipped" && ids.includes(r.id)).map((r) => ({ id: r.id, reason: r.reason }));
      resolve({ exit, failed, skipped, seconds });
    });
  });
}

function verdictOf(expected: readonly string[], run: RunResult): Verdict {
  if (run.exit === 2) return "no-run";
  if (run.failed.length === 0) return "undetected";
  return run.failed.some((id) => expected.includes(id)) ? "detected" : "unrelated-only";
}

function markdown(clean: RunResult, rows: readonly FaultRow[], totalSeconds: number): string {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  const out = [
    "# Self-check: does the kit catch each fault of the mock?",
    "",
    `Generated by \`npm run selfcheck\` in ${Math.round(totalSeconds)} s. Each fault of \`mock/faults.ts\` was switched on alone, and the kit ran the specs of the fault's requirement IDs against the in-process mock (\`PACT_MOCK_FAULTS\`). A SHOULD-level failure counts as detected when it is reported as a warning.`,
    "",
    `- Clean mock: ${clean.exit === 2 ? "could not run" : clean.failed.length === 0 ? "passed" : `FAILED ${clean.failed.join(", ")}`}`,
    `- Faults: ${rows.length}; detected ${count("detected")}; undetected ${count("undetected")}; detected only through unrelated IDs ${count("unrelated-only")}; could not run ${count("no-run")}`,
    "",
    "| Fault | Expected IDs | Failed IDs | Verdict | Notes |",
    "|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const notes = [
      r.unrelated.length ? `also failed: ${r.unrelated.join(", ")}` : "",
      r.skipped.length ? `skipped: ${r.skipped.map((s) => `${s.id} (${s.reason.split("\n")[0]?.slice(0, 80) ?? ""})`).join("; ")}` : "",
    ]
      .filter((s) => s !== "")
      .join("; ");
    out.push(`| \`${r.fault}\` | ${r.expected.join(", ")} | ${r.failed.join(", ") || "—"} | ${r.verdict} | ${notes.replace(/\|/g, "\\|")} |`);
  }
  out.push("", "Per-run conformance reports: `reports/selfcheck/<run>/`.", "");
  return out.join("\n");
}

async function checkFault(f: FaultDefinition): Promise<FaultRow> {
  const run = await runConformance(f.requirementIds, [f.name], f.name);
  const verdict = verdictOf(f.requirementIds, run);
  const row: FaultRow = {
    fault: f.name,
    description: f.description,
    expected: f.requirementIds,
    failed: run.failed,
    unrelated: run.failed.filter((id) => !f.requirementIds.includes(id)),
    skipped: run.skipped,
    verdict,
    seconds: run.seconds,
  };
  process.stderr.write(`  ${f.name}: ${verdict}${run.failed.length ? ` (${run.failed.join(", ")})` : ""} (${run.seconds} s)\n`);
  return row;
}

async function main(): Promise<void> {
  let selected: readonly FaultDefinition[] = FAULTS;
  let jobs = 2;
  try {
    const { values } = parseArgs({
      options: { fault: { type: "string", multiple: true, default: [] }, subset: { type: "boolean", default: false }, jobs: { type: "string", default: "2" } },
      allowPositionals: false,
    });
    const names = parseFaultNames(values.subset ? [...values.fault, ...CI_SUBSET] : values.fault);
    if (names.length > 0) selected = FAULTS.filter((f) => (names as readonly string[]).includes(f.name));
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) throw new Error(`--jobs must be an integer from 1 to 8, got "${values.jobs}"`);
  } catch (e) {
    process.stderr.write(`selfcheck: ${e instanceof UnknownFaultError || e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  mkdirSync(RUNS, { recursive: true });
  const started = Date.now();
  const allIds = [...new Set(selected.flatMap((f) => f.requirementIds))];

  process.stderr.write(`selfcheck: clean mock, ${allIds.length} requirement(s)\n`);
  const clean = await runConformance(allIds, [], "clean");
  if (clean.exit === 2) process.exit(2);
  process.stderr.write(`  clean: ${clean.failed.length === 0 ? "passed" : `FAILED ${clean.failed.join(", ")}`} (${clean.seconds} s)\n`);

  const rows: FaultRow[] = [];
  const queue = [...selected];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) rows.push(await checkFault(f));
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  rows.sort((a, b) => selected.findIndex((f) => f.name === a.fault) - selected.findIndex((f) => f.name === b.fault));

  const totalSeconds = (Date.now() - started) / 1000;
  const json = { generatedAt: new Date().toISOString(), seconds: Math.round(totalSeconds), clean: { passed: clean.failed.length === 0, failed: clean.failed }, faults: rows };
  writeFileSync(path.join(REPORTS, "selfcheck.json"), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(REPORTS, "selfcheck.md"), markdown(clean, rows, totalSeconds));
  const bad = rows.filter((r) => r.verdict !== "detected");
  process.stdout.write(`selfcheck: ${rows.length - bad.length}/${rows.length} faults detected; clean mock ${clean.failed.length === 0 ? "passed" : "failed"}; reports/selfcheck.md\n`);
  process.exit(bad.length > 0 || clean.failed.length > 0 ? 1 : 0);
}

main().catch((e: unknown) => {
  process.stderr.write(`selfcheck: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
