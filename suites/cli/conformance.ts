import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { randomInt } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CI_DEFAULT_SEED } from "../harness/run-options.ts";
import { GROUPS } from "../registry/types.ts";
import type { ConformanceReport } from "../report/merge.ts";
import { openTarget, TargetFileError } from "../targets/index.ts";
import { preflight } from "../targets/preflight.ts";
import { parseArgs, USAGE, UsageError, type CliArgs } from "./args.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const REPORT = path.join(ROOT, "reports", "conformance.json");

const EXIT_CONFORMANT = 0;
const EXIT_FAILED = 1;
const EXIT_CANNOT_START = 2;

function cannotStart(message: string): never {
  process.stderr.write(`conformance: ${message}\n`);
  process.exit(EXIT_CANNOT_START);
}

/** Returns true when the target is a shared server whose state the kit resets (one worker then). */
async function runPreflight(args: CliArgs): Promise<boolean> {
  let target;
  try {
    target = await openTarget({ target: args.target, config: args.config });
  } catch (e) {
    if (e instanceof TargetFileError) cannotStart(e.message);
    cannotStart(`cannot open target ${args.target}: ${e instanceof Error ? e.message : String(e)}`);
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

function runPlaywright(args: CliArgs, seed: number, sharedState: boolean): Promise<number> {
  const bin = path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "playwright.cmd" : "playwright");
  const pwArgs = ["test"];
  if (args.project !== "all") pwArgs.push("--project", args.project);
  if (args.grep) pwArgs.push("--grep", args.grep);
  // Workers resetting one shared server would wipe each other's state mid-test.
  if (args.workers) pwArgs.push("--workers", args.workers);
  else if (sharedState) pwArgs.push("--workers", "1");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PACT_TARGET: args.target,
    PACT_PROFILE: args.profile,
    PACT_STRICT: args.strict ? "1" : "0",
    PACT_SLOW: args.slow ? "1" : "0",
    PACT_SEED: String(seed),
    PACT_PROJECT: args.project,
  };
  if (args.config) env.PACT_CONFIG = path.resolve(args.config);
  else delete env.PACT_CONFIG;
  if (args.grep) env.PACT_GREP = args.grep;
  else delete env.PACT_GREP;
  if (args.path) env.PACT_PATH = args.path;
  else delete env.PACT_PATH;
  return new Promise((resolve) => {
    const child = spawn(bin, pwArgs, { cwd: ROOT, env, stdio: "inherit" });
    child.on("error", (e) => cannotStart(`cannot run Playwright: ${e.message}`));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function pad(s: string | number, n: number): string {
  return String(s).padEnd(n);
}

function printSummary(report: ConformanceReport): void {
  const out: string[] = [];
  out.push("", `Conformance of ${report.target} (profile ${report.profile}${report.strict ? ", strict" : ""}, seed ${report.seed ?? "-"})`, "");
  out.push(`${pad("group", 9)}${pad("passed", 8)}${pad("failed", 8)}${pad("warned", 8)}${pad("skipped", 8)}`);
  for (const g of GROUPS) {
    const rs = report.requirements.filter((r) => r.id.startsWith(`${g}-`));
    const c = (s: string) => rs.filter((r) => r.status === s).length;
    out.push(`${pad(g, 9)}${pad(c("passed"), 8)}${pad(c("failed"), 8)}${pad(c("warned"), 8)}${pad(c("skipped"), 8)}`);
  }
  const s = report.summary;
  out.push(`${pad("total", 9)}${pad(s.passed, 8)}${pad(s.failed, 8)}${pad(s.warned, 8)}${pad(s.skipped, 8)}`, "");
  for (const r of report.requirements.filter((x) => x.status === "failed" || x.status === "warned")) {
    out.push(`${r.status.toUpperCase()} ${r.id} [${r.level}] ${r.title}`, `    ${r.reason.split("\n")[0]?.slice(0, 300) ?? ""}`);
  }
  const notCovered = report.requirements.filter((r) => r.status === "skipped" && r.reason === "not covered").length;
  out.push(`${notCovered} requirement(s) not covered by any test; report: ${path.relative(process.cwd(), REPORT)}`, "");
  process.stdout.write(`${out.join("\n")}\n`);
}

async function main(): Promise<void> {
  let args: CliArgs | "help";
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) cannotStart(`${e.message}\n\n${USAGE}`);
    throw e;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.config && !existsSync(args.config)) cannotStart(`--config ${args.config}: no such file`);
  const seed = args.seed !== undefined ? Number(args.seed) | 0 : process.env.CI === "true" ? CI_DEFAULT_SEED : randomInt(1, 2 ** 31 - 1);
  process.stderr.write(`conformance: target ${args.target}, profile ${args.profile}${args.strict ? ", strict" : ""}, seed ${seed}\n`);

  const sharedState = await runPreflight(args);
  rmSync(REPORT, { force: true });
  const code = await runPlaywright(args, seed, sharedState);
  if (!existsSync(REPORT)) cannotStart(`Playwright exited with ${code} and wrote no report`);
  const report = JSON.parse(readFileSync(REPORT, "utf8")) as ConformanceReport;
  printSummary(report);
  if (report.summary.failed > 0) process.exit(EXIT_FAILED);
  if (code !== 0) {
    process.stderr.write(`conformance: Playwright exited with ${code} (a test failed outside any requirement check)\n`);
    process.exit(EXIT_FAILED);
  }
  process.exit(EXIT_CONFORMANT);
}

main().catch((e: unknown) => cannotStart(e instanceof Error ? (e.stack ?? e.message) : String(e)));
