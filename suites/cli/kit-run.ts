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
  readonly seconds: number;
}

export type Verdict = "detected" | "undetected" | "unrelated-only" | "no-run";

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
}

export function runKit(run: KitRun): Promise<RunResult> {
  const started = Date.now();
  const tsx = path.join(run.root, "node_modules", ".bin", process.platform === "win32" ? "tsx.cmd" : "tsx");
  // A fixed seed (PACT_SEED to change it): the same fault or deviation gets the same property cases, so a verdict can be replayed.
  const seed = process.env.PACT_SEED ?? "20261129";
  const args = [path.join(run.root, "suites", "cli", "conformance.ts"), "--target", "mock", "--project", "protocol", "--seed", seed, "--grep", grepFor(run.ids)];
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
        resolve({ exit: 2, failed: [], errors: [], skipped: [], seconds });
        return;
      }
      const result = JSON.parse(readFileSync(report, "utf8")) as ConformanceReport;
      const failed = result.requirements.filter((r) => r.status === "failed" || r.status === "warned").map((r) => r.id);
      const errors = result.requirements.filter((r) => r.status === "error").map((r) => ({ id: r.id, reason: r.reason }));
      const skipped = result.requirements.filter((r) => r.status === "skipped" && run.ids.includes(r.id)).map((r) => ({ id: r.id, reason: r.reason }));
      resolve({ exit, failed, errors, skipped, seconds });
    });
  });
}

/** Detected when an expected ID failed; a run whose failures are all elsewhere proves nothing about its target. */
export function verdictOf(expected: readonly string[], run: RunResult): Verdict {
  if (run.exit === 2) return "no-run";
  if (run.failed.length === 0) return "undetected";
  return run.failed.some((id) => expected.includes(id)) ? "detected" : "unrelated-only";
}
