import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomInt } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CI_DEFAULT_SEED } from "../harness/run-options.ts";
import { GROUPS } from "../registry/types.ts";
import type { ConformanceReport } from "../report/merge.ts";
import { applyBaseline, BaselineFileError, baselineFromReport, gateExitCode, loadBaseline, PLACEHOLDER_OWNER, type Baseline } from "../report/baseline.ts";
import { clauseLevels, countsOf } from "../report/display.ts";
import { REPORT_FILES, writeReports } from "../report/write.ts";
import { openTarget, TargetFileError, targetFileProblems } from "../targets/index.ts";
import { preflight } from "../targets/preflight.ts";
import { pacedDurationEstimate, parseCommand, selectionArgs, planPacing, USAGE, UsageError, type CheckConfigArgs, type CliArgs, type Command, type Pacing } from "./args.ts";
import { runInit } from "./init.ts";
import { printPlan } from "./plan.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Run from the sources (tsx, a clone) or built (dist/, an installed package): the built kit writes into the caller's folder. */
const EXT = import.meta.url.endsWith(".ts") ? "ts" : "js";
const OUTPUT_ROOT = EXT === "ts" ? ROOT : process.cwd();
/** PACT_REPORTS_DIR moves every output (reports, test-results) elsewhere, e.g. for parallel runs. */
const REPORTS_DIR = process.env.PACT_REPORTS_DIR ? path.resolve(process.env.PACT_REPORTS_DIR) : path.join(OUTPUT_ROOT, "reports");
const REPORT = path.join(REPORTS_DIR, REPORT_FILES.json);
const BLOB_DIR = process.env.PLAYWRIGHT_BLOB_OUTPUT_DIR ? path.resolve(process.env.PLAYWRIGHT_BLOB_OUTPUT_DIR) : path.join(OUTPUT_ROOT, "blob-report");
const CONFORMANCE_REPORTER = `./suites/report/conformance-reporter.${EXT}`;
const DEFAULT_BASELINE = "conformance-baseline.json";


const EXIT_CONFORMANT = 0;
const EXIT_FAILED = 1;
const EXIT_CANNOT_START = 2;

function cannotStart(message: string): never {
  process.stderr.write(`conformance: ${message}\n`);
  process.exit(EXIT_CANNOT_START);
}

/** Returns true when the target is a shared server whose state the kit resets (one worker then). */
async function runPreflight(args: CliArgs, targetName: string): Promise<boolean> {
  let target;
  try {
    target = await openTarget({ target: targetName, config: args.config });
  } catch (e) {
    if (e instanceof TargetFileError) cannotStart(e.message);
    cannotStart(`cannot open target ${targetName}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const { problems, notes } = await preflight(target);
    for (const n of notes) process.stderr.write(`note: ${n}\n`);
    if (problems.length) cannotStart(`preflight failed for ${target.name}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.stderr.write(`preflight: ${target.name} ok (capabilities: ${[...target.capabilities].join(", ")})\n`);
    return target.kind === "url" && target.capabilities.has("clock");
  } finally {
    await target.close();
  }
}

/** Playwright's CLI as Node resolves it from here: the clone's node_modules, or the installing project's. */
function playwrightCli(): string {
  return createRequire(import.meta.url).resolve("@playwright/test/cli");
}

function spawnPlaywright(pwArgs: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [playwrightCli(), ...pwArgs], { cwd: ROOT, env, stdio: "inherit" });
    child.on("error", (e) => cannotStart(`cannot run Playwright: ${e.message}`));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function runPlaywright(args: CliArgs, targetName: string, seed: number, pacing: Pacing): Promise<number> {
  const pwArgs = ["test", ...selectionArgs(args)];
  // Workers resetting one shared server would wipe each other's state mid-test (planPacing gives 1).
  pwArgs.push("--workers", String(pacing.workers));
  if (args.shard) pwArgs.push("--reporter", `list,blob,${CONFORMANCE_REPORTER}`);
  return spawnPlaywright(pwArgs, playwrightEnv(args, targetName, seed, pacing));
}

/** What every Playwright worker reads (suites/harness/run-options.ts). */
function playwrightEnv(args: CliArgs, targetName: string, seed: number, pacing: Pacing): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PACT_TARGET: targetName,
    PACT_PROFILE: args.profile,
    PACT_STRICT: args.strict ? "1" : "0",
    PACT_SLOW: args.slow ? "1" : "0",
    PACT_SEED: String(seed),
    PACT_PROJECT: args.project,
    PACT_THROTTLE_TESTS: args.throttleTests ? "1" : "0",
    // Shards (possibly on other machines) cannot share one ledger of failed authentications: each gets its share.
    PACT_AUTH_BUDGET_SHARE: args.shard ? (args.shard.split("/")[1] as string) : "1",
    PACT_MAX_CONCURRENCY: pacing.maxConcurrency === undefined ? "0" : String(pacing.maxConcurrency),
    PACT_RPS: pacing.rps === undefined ? "0" : String(Number(pacing.rps.toFixed(3))),
    PLAYWRIGHT_BLOB_OUTPUT_DIR: BLOB_DIR,
    PACT_REPORTS_DIR: REPORTS_DIR,
  };
  if (args.config) env.PACT_CONFIG = path.resolve(args.config);
  else delete env.PACT_CONFIG;
  if (args.grep) env.PACT_GREP = args.grep;
  else delete env.PACT_GREP;
  if (args.path) env.PACT_PATH = args.path;
  else delete env.PACT_PATH;
  if (args.baseline && !args.updateBaseline) env.PACT_BASELINE = path.resolve(args.baseline);
  else delete env.PACT_BASELINE;
  return env;
}

/** Merges the shards' blob reports in `dir` through the conformance reporter. */
function runMerge(args: CliArgs, dir: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, PACT_REPORTS_DIR: REPORTS_DIR };
  if (args.baseline && !args.updateBaseline) env.PACT_BASELINE = path.resolve(args.baseline);
  else delete env.PACT_BASELINE;
  return spawnPlaywright(["merge-reports", "--reporter", CONFORMANCE_REPORTER, path.resolve(dir)], env);
}

function pad(s: string | number, n: number): string {
  return String(s).padEnd(n);
}

function printSummary(report: ConformanceReport): void {
  const out: string[] = [];
  out.push("", `Conformance of ${report.target} (profile ${report.profile}${report.strict ? ", strict" : ""}, seed ${report.seed ?? "-"})`, "");
  out.push(`${pad("group", 9)}${pad("passed", 8)}${pad("failed", 8)}${pad("error", 8)}${pad("warned", 8)}${pad("skipped", 8)}`);
  for (const g of GROUPS) {
    const rs = report.requirements.filter((r) => r.id.startsWith(`${g}-`));
    const c = (s: string) => rs.filter((r) => r.status === s).length;
    out.push(`${pad(g, 9)}${pad(c("passed"), 8)}${pad(c("failed"), 8)}${pad(c("error"), 8)}${pad(c("warned"), 8)}${pad(c("skipped"), 8)}`);
  }
  const s = report.summary;
  out.push(`${pad("total", 9)}${pad(s.passed, 8)}${pad(s.failed, 8)}${pad(s.error ?? 0, 8)}${pad(s.warned, 8)}${pad(s.skipped, 8)}`, "");
  for (const r of report.requirements.filter((x) => x.status === "failed" || x.status === "error" || x.status === "warned")) {
    const label = r.expected ? "EXPECTED FAILURE" : r.status === "error" ? "COULD NOT JUDGE" : r.status.toUpperCase();
    out.push(`${label} ${r.id} [${clauseLevels(r)}] ${r.title}`, `    ${r.reason.split("\n")[0]?.slice(0, 300) ?? ""}`);
    for (const cmd of r.reproduction?.commands ?? []) out.push(`    replay: ${cmd}`);
  }
  if (s.expected) out.push(`${s.expected} failure(s) accepted by the baseline ${report.baseline?.file ?? ""}`);
  for (const p of report.baseline?.problems ?? []) out.push(`BASELINE ${p.kind}: ${p.message}`);
  for (const n of report.baseline?.notRun ?? []) out.push(`baseline entry not judged (not run): ${n}`);
  const notCovered = report.requirements.filter((r) => r.status === "skipped" && r.reason === "not covered").length;
  out.push(`${notCovered} requirement(s) not covered by any test`);
  out.push(`reports: ${Object.values(REPORT_FILES).map((f) => path.relative(process.cwd(), path.join(REPORTS_DIR, f))).join(", ")}`, "");
  process.stdout.write(`${out.join("\n")}\n`);
}

function readReport(code: number): ConformanceReport {
  if (!existsSync(REPORT)) cannotStart(`Playwright exited with ${code} and wrote no report`);
  return JSON.parse(readFileSync(REPORT, "utf8")) as ConformanceReport;
}

/** --update-baseline: accept the run's failures (kept entries keep their reason and owner), then re-judge. */
function updateBaseline(args: CliArgs, report: ConformanceReport): ConformanceReport {
  const file = args.baseline ?? DEFAULT_BASELINE;
  let previous: Baseline | undefined;
  if (existsSync(file)) previous = loadBaseline(file);
  const now = new Date();
  const baseline = baselineFromReport(report, now, previous);
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  const todo = baseline.entries.filter((e) => e.owner === PLACEHOLDER_OWNER).length;
  process.stderr.write(`conformance: wrote ${file} with ${baseline.entries.length} entr${baseline.entries.length === 1 ? "y" : "ies"}${todo ? ` (${todo} need a reason and an owner)` : ""}\n`);
  const { baseline: _old, ...plain } = report;
  const judged = applyBaseline({ ...plain, summary: { ...countsOf(report), expected: 0 } }, baseline, { today: now.toISOString().slice(0, 10), file });
  writeReports(judged, REPORTS_DIR);
  return judged;
}

function finish(args: CliArgs, report: ConformanceReport, code: number): never {
  const judged = args.updateBaseline ? updateBaseline(args, report) : report;
  printSummary(judged);
  if (gateExitCode(judged) !== 0) process.exit(EXIT_FAILED);
  if (code !== 0 && judged.summary.failed === 0 && (judged.summary.error ?? 0) === 0) {
    process.stderr.write(`conformance: Playwright exited with ${code} (a test failed outside any requirement check)\n`);
    process.exit(EXIT_FAILED);
  }
  process.exit(EXIT_CONFORMANT);
}

/** `check-config`: the file's problems and the preflight's, all at once; 0 when there are none, else 2. */
async function checkConfig(args: CheckConfigArgs): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(args.config, "utf8")) as unknown;
  } catch (e) {
    say(`check-config: ${args.config}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_CANNOT_START;
  }
  const { problems, file } = targetFileProblems(raw);
  if (!file) {
    say(`check-config: ${args.config} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return EXIT_CANNOT_START;
  }
  const targetName = args.target ?? file.baseUrl;
  const target = await openTarget({ target: targetName, config: args.config });
  try {
    const result = await preflight(target);
    for (const n of result.notes) say(`note: ${n}`);
    if (result.problems.length) {
      say(`check-config: the preflight against ${target.name} found ${result.problems.length} problem(s):\n${result.problems.map((p) => `  - ${p}`).join("\n")}`);
      return EXIT_CANNOT_START;
    }
    say(`check-config: ${args.config} is fine for ${target.name} (capabilities: ${[...target.capabilities].join(", ")})`);
    return EXIT_CONFORMANT;
  } finally {
    await target.close();
  }
}

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) cannotStart(`${e.message}\n\n${USAGE}`);
    throw e;
  }
  if (command.command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command.command === "init") process.exit(await runInit(command.args, (line) => process.stdout.write(`${line}\n`)));
  if (command.command === "check-config") {
    if (!existsSync(command.args.config)) cannotStart(`--config ${command.args.config}: no such file`);
    process.exit(await checkConfig(command.args));
  }
  const args: CliArgs = command.args;
  if (args.config && !existsSync(args.config)) cannotStart(`--config ${args.config}: no such file`);
  if (args.baseline && !args.updateBaseline) {
    if (!existsSync(args.baseline)) cannotStart(`--baseline ${args.baseline}: no such file (create one with --update-baseline)`);
    try {
      loadBaseline(args.baseline);
    } catch (e) {
      if (e instanceof BaselineFileError) cannotStart(e.message);
      throw e;
    }
  }

  if (args.merge !== undefined) {
    if (!existsSync(args.merge)) cannotStart(`--merge ${args.merge}: no such directory`);
    rmSync(REPORT, { force: true });
    const code = await runMerge(args, args.merge);
    finish(args, readReport(code), 0);
  }

  const targetName = args.target as string;
  const seed = args.seed !== undefined ? Number(args.seed) | 0 : process.env.CI === "true" ? CI_DEFAULT_SEED : randomInt(1, 2 ** 31 - 1);
  process.stderr.write(`conformance: target ${targetName}, profile ${args.profile}${args.strict ? ", strict" : ""}, seed ${seed}${args.shard ? `, shard ${args.shard}` : ""}\n`);

  // The preflight is paced by the whole run's limits (this process's shared pacer reads them).
  const whole = planPacing(args, false, 1);
  process.env.PACT_MAX_CONCURRENCY = whole.maxConcurrency === undefined ? "0" : String(whole.maxConcurrency);
  process.env.PACT_RPS = whole.rps === undefined ? "0" : String(whole.rps);
  const sharedState = await runPreflight(args, targetName);
  const pacing = planPacing(args, sharedState, process.env.PACT_WORKERS ? Number(process.env.PACT_WORKERS) : 2);
  if (args.plan) process.exit(await printPlan(args, targetName, pacing, playwrightEnv(args, targetName, seed, pacing)));
  if (pacing.maxConcurrency !== undefined || pacing.rps !== undefined) {
    process.stderr.write(`pacing: ${pacing.workers} worker(s), each ≤ ${pacing.maxConcurrency ?? "∞"} request(s) in flight and ≤ ${pacing.rps === undefined ? "∞" : Number(pacing.rps.toFixed(3))} request(s)/s\n`);
    const estimate = pacedDurationEstimate(args, pacing);
    if (estimate) process.stderr.write(`pacing: ${estimate} (a rough estimate; the progress line tells the time left)\n`);
  }
  rmSync(REPORT, { force: true });
  const code = await runPlaywright(args, targetName, seed, pacing);
  const report = readReport(code);
  if (args.shard) {
    printSummary(report);
    process.stderr.write(`conformance: shard ${args.shard} done; blob report in ${path.relative(process.cwd(), BLOB_DIR)}/ (merge with --merge DIR; the merged report is the gate)\n`);
    process.exit(EXIT_CONFORMANT);
  }
  finish(args, report, code);
}

main().catch((e: unknown) => cannotStart(e instanceof Error ? (e.stack ?? e.message) : String(e)));
