/**
 * One run of the kit against the in-process mock, as the self-check and the
 * deviation sweep use it: the conformance CLI of a project root (the repository,
 * or a sandbox copy with one source edit), restricted to some requirement IDs,
 * its report read back as the IDs that failed.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { ConformanceReport } from "../report/merge.ts";

export interface RunResult {
  readonly exit: number;
  /** IDs whose status was failed or warned (a SHOULD failure is a warning unless --strict). */
  readonly failed: string[];
  /** IDs the run could not judge (`error`), with the reason: never a detection. */
  readonly errors: Array<{ id: string; reason: string }>;
  /** Expected IDs the run reported as skipped, with the reason. */
  readonly skipped: Array<{ id: string; reason: string }>;
  /** Every reported ID's merged status. */
  readonly statuses: Record<string, string>;
  readonly seconds: number;
}

/**
 * `blamed-others`: the target failed, but so did an ID that only observes the broken clause (§0.1),
 * or an ID that could not judge was scored as a failure. `accepted`: a conformant behaviour
 * (no target ID) came out with nothing failed, warned or in error.
 */
export type Verdict = "detected" | "undetected" | "unrelated-only" | "blamed-others" | "accepted" | "no-run";

/** A Playwright --grep matching the describe titles of these IDs ("PKCE-06 A wrong verifier …"). */
export function grepFor(ids: readonly string[]): string {
  return `(${ids.map((id) => id.replace(/-/g, "\\-")).join("|")})(?![0-9])`;
}

export interface KitRun {
  /** Project root whose suites/cli/conformance.ts and mock/ are used. */
  readonly root: string;
  readonly ids: readonly string[];
  /** Mock faults switched on for the run (PACT_MOCK_FAULTS). */
  readonly faults?: readonly string[];
  /** Where the run's reports go (emptied first). */
  readonly reportsDir: string;
  readonly label: string;
  /** Names the calling tool in messages. */
  readonly tool: string;
  /** The profile passed to the CLI (default pact). */
  readonly profile?: "pact" | "rfc";
}

export function runKit(run: KitRun): Promise<RunResult> {
  const started = Date.now();
  const tsx = path.join(run.root, "node_modules", ".bin", process.platform === "win32" ? "tsx.cmd" : "tsx");
  // A fixed seed (PACT_SEED to change it): the same fault or deviation gets the same property cases, so a verdict can be replayed.
  const seed = process.env.PACT_SEED ?? "20261129";
  const args = [path.join(run.root, "suites", "cli", "conformance.ts"), "--target", "mock", "--project", "protocol", "--seed", seed, "--profile", run.profile ?? "pact", "--grep", grepFor(run.ids)];
  const report = path.join(run.reportsDir, "conformance.json");
  rmSync(run.reportsDir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PACT_MOCK_FAULTS: (run.faults ?? []).join(","), PACT_REPORTS_DIR: run.reportsDir, PACT_WORKERS: "1" };
  return new Promise((resolve) => {
    const child = spawn(tsx, args, { cwd: run.root, env, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (e) => {
      process.stderr.write(`${run.tool}: cannot run the conformance CLI: ${e.message}\n`);
      process.exit(2);
    });
    child.on("exit", (code) => {
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      const exit = code ?? 1;
      if (exit === 2 || !existsSync(report)) {
        process.stderr.write(`${run.tool}: the ${run.label} run could not start (exit ${exit}):\n${tail}\n`);
        resolve({ exit: 2, failed: [], errors: [], skipped: [], statuses: {}, seconds });
        return;
      }
      const result = JSON.parse(readFileSync(report, "utf8")) as ConformanceReport;
      const failed = result.requirements.filter((r) => r.status === "failed" || r.status === "warned").map((r) => r.id);
      const errors = result.requirements.filter((r) => r.status === "error").map((r) => ({ id: r.id, reason: r.reason }));
      const skipped = result.requirements.filter((r) => r.status === "skipped" && run.ids.includes(r.id)).map((r) => ({ id: r.id, reason: r.reason }));
      const statuses = Object.fromEntries(result.requirements.map((r) => [r.id, r.status as string]));
      resolve({ exit, failed, errors, skipped, statuses, seconds });
    });
  });
}

/** What a deviation expects of the IDs besides its targets. */
export interface Bystanders {
  /** Must come out passed. */
  readonly mustNotFail?: readonly string[];
  /** Must come out error (could not judge), never failed. */
  readonly mustError?: readonly string[];
}

/** The IDs blamed wrongly: bystanders whose status is not the expected one and, for a conformant behaviour, any ID that failed, warned or errored. */
export function blamedIds(expected: readonly string[], run: RunResult, b: Bystanders): string[] {
  return expected.length === 0 ? anyBlamed(run, b) : offenders(run, b);
}

/** The bystander IDs whose status is not the one expected, as "ID: status". */
export function offenders(run: RunResult, b: Bystanders): string[] {
  const out: string[] = [];
  for (const id of b.mustNotFail ?? []) if (run.statuses[id] !== "passed") out.push(`${id}: ${run.statuses[id] ?? "not reported"}`);
  for (const id of b.mustError ?? []) if (run.statuses[id] !== "error") out.push(`${id}: ${run.statuses[id] ?? "not reported"}`);
  return out;
}

/** For a conformant behaviour: every ID failed, warned or in error, bystander or not. */
function anyBlamed(run: RunResult, b: Bystanders): string[] {
  const out = offenders(run, b);
  for (const [id, status] of Object.entries(run.statuses)) {
    if ((status === "failed" || status === "warned" || status === "error") && !out.some((o) => o.startsWith(`${id}:`))) out.push(`${id}: ${status}`);
  }
  return out;
}

/**
 * Detected when an expected ID failed and no bystander was blamed; a run whose failures are all
 * elsewhere proves nothing about its target. With no expected ID (a conformant behaviour), the
 * run must blame nobody.
 */
export function verdictOf(expected: readonly string[], run: RunResult, b: Bystanders = {}): Verdict {
  if (run.exit === 2) return "no-run";
  if (expected.length === 0) return anyBlamed(run, b).length > 0 ? "blamed-others" : "accepted";
  const blamed = offenders(run, b).length > 0;
  if (run.failed.length === 0) return "undetected";
  if (!run.failed.some((id) => expected.includes(id))) return "unrelated-only";
  return blamed ? "blamed-others" : "detected";
}
