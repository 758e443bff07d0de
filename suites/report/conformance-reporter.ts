import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from "@playwright/test/reporter";
import { REQUIREMENTS } from "../registry/index.ts";
import { readRunOptions } from "../harness/run-options.ts";
import { REQUIREMENT_ANNOTATION, VERDICT_ATTACHMENT, type Verdict, type VerdictAttachment } from "../harness/verdicts.ts";
import { requirement } from "../registry/index.ts";
import { mergeVerdicts, type TestVerdicts } from "./merge.ts";

export interface ConformanceReporterOptions {
  /** Directory for conformance.json and test-summary.json; default reports/. */
  readonly outputDir?: string;
}

function titleOf(test: TestCase): string {
  return test.titlePath().filter(Boolean).slice(1).join(" › ");
}

/**
 * Collects the verdict attachment of every test (so shards and merged blob reports agree),
 * writes reports/conformance.json and reports/test-summary.json, and prints a live count.
 */
export default class ConformanceReporter implements Reporter {
  private readonly outputDir: string;
  private readonly latest = new Map<string, TestVerdicts>();
  private readonly outcomes = new Map<string, ReturnType<TestCase["outcome"]>>();
  private total = 0;
  private finished = 0;
  private failures = 0;

  constructor(options: ConformanceReporterOptions = {}) {
    this.outputDir = path.resolve(options.outputDir ?? "reports");
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    this.total = suite.allTests().length;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const title = titleOf(test);
    const attachment = result.attachments.find((a) => a.name === VERDICT_ATTACHMENT && a.body);
    let verdicts: Verdict[] = [];
    if (attachment?.body) {
      verdicts = [...(JSON.parse(attachment.body.toString("utf8")) as VerdictAttachment).verdicts];
    } else {
      // No attachment: the test was skipped before its fixtures ran, or crashed in setup.
      const ids = test.annotations.filter((a) => a.type === REQUIREMENT_ANNOTATION && a.description).map((a) => a.description as string);
      const skipNote = [...test.annotations, ...result.annotations].find((a) => a.type === "skip")?.description;
      for (const id of ids) {
        let level: Verdict["clause"] = "MUST";
        try {
          level = requirement(id).level;
        } catch {
          continue;
        }
        const status = result.status === "skipped" ? "skipped" : result.status === "passed" ? "skipped" : "failed";
        verdicts.push({
          id,
          check: "(whole requirement)",
          status,
          clause: level,
          clauseScope: null,
          ...(status === "skipped"
            ? { reason: `test skipped: ${skipNote ?? "no reason given"}` }
            : { message: `test ${result.status} before recording verdicts: ${(result.error?.message ?? "").split("\n")[0]}` }),
        });
      }
    }
    // Retries: the last result of a test wins.
    this.latest.set(test.id, { test: title, verdicts });
    this.outcomes.set(test.id, test.outcome());
    this.finished++;
    this.failures = [...this.latest.values()].reduce((n, t) => n + t.verdicts.filter((v) => v.status === "failed").length, 0);
    const ids = new Set<string>();
    for (const t of this.latest.values()) for (const v of t.verdicts) if (v.status !== "skipped") ids.add(v.id);
    process.stderr.write(`[conformance] ${this.finished}/${this.total} tests · ${ids.size}/${REQUIREMENTS.length} requirements checked · ${this.failures} failed check(s)\n`);
  }

  onEnd(_result: FullResult): void {
    const run = readRunOptions();
    const report = mergeVerdicts(run.target, run.profile, run.strict, run.seed, [...this.latest.values()]);
    const counts = { passed: 0, failed: 0, skipped: 0, flaky: 0 };
    for (const outcome of this.outcomes.values()) {
      if (outcome === "expected") counts.passed++;
      else if (outcome === "unexpected") counts.failed++;
      else if (outcome === "skipped") counts.skipped++;
      else if (outcome === "flaky") counts.flaky++;
    }
    mkdirSync(this.outputDir, { recursive: true });
    writeFileSync(path.join(this.outputDir, "conformance.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(this.outputDir, "test-summary.json"), `${JSON.stringify(counts, null, 2)}\n`);
  }
}
