import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from "@playwright/test/reporter";
import { readRunOptions, type Profile } from "../harness/run-options.ts";
import { REQUIREMENT_ANNOTATION, VERDICT_ATTACHMENT, type Verdict, type VerdictAttachment } from "../harness/verdicts.ts";
import { isRequirementId, requirement } from "../registry/index.ts";
import { mergeVerdicts, type TestVerdicts } from "./merge.ts";
import { ProgressLine } from "./progress.ts";
import { finishReport, writeReports } from "./write.ts";

export interface ConformanceReporterOptions {
  /** Directory for the reports and test-summary.json; default reports/ (PACT_REPORTS_DIR wins). */
  readonly outputDir?: string;
}

/** What playwright.config.ts records in `metadata.pact`, so merged blob reports know their run. */
export interface PactRunMetadata {
  readonly target?: string;
  readonly profile?: Profile;
  readonly strict?: boolean;
  readonly seed?: number;
  readonly grep?: string;
  readonly config?: string;
}

function titleOf(test: TestCase): string {
  return test.titlePath().filter(Boolean).slice(1).join(" › ");
}

function declaredIds(test: TestCase): string[] {
  return [...new Set(test.annotations.filter((a) => a.type === REQUIREMENT_ANNOTATION && a.description && isRequirementId(a.description)).map((a) => a.description as string))];
}

/**
 * Collects the verdict attachment of every test (so shards and merged blob reports agree),
 * writes reports/conformance.{json,md,html} and reports/junit.xml from that one result, plus
 * reports/test-summary.json, and keeps a progress line on stderr.
 */
export default class ConformanceReporter implements Reporter {
  private readonly outputDir: string;
  private readonly latest = new Map<string, TestVerdicts>();
  private readonly outcomes = new Map<string, ReturnType<TestCase["outcome"]>>();
  private readonly pendingByReq = new Map<string, Set<string>>();
  private readonly failedReqs = new Set<string>();
  private readonly progress = new ProgressLine(process.stderr);
  private metadata: PactRunMetadata = {};
  private total = 0;
  private finished = 0;
  private startedAt = 0;

  constructor(options: ConformanceReporterOptions = {}) {
    this.outputDir = path.resolve(process.env.PACT_REPORTS_DIR || options.outputDir || "reports");
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    const meta = (config.metadata as { pact?: PactRunMetadata } | undefined)?.pact;
    if (meta && typeof meta === "object") this.metadata = meta;
    const tests = suite.allTests();
    this.total = tests.length;
    this.startedAt = Date.now();
    for (const t of tests) {
      for (const id of declaredIds(t)) {
        const set = this.pendingByReq.get(id) ?? new Set<string>();
        set.add(t.id);
        this.pendingByReq.set(id, set);
      }
    }
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const attachment = result.attachments.find((a) => a.name === VERDICT_ATTACHMENT && a.body);
    let verdicts: Verdict[] = [];
    if (attachment?.body) {
      verdicts = [...(JSON.parse(attachment.body.toString("utf8")) as VerdictAttachment).verdicts];
    } else {
      // No attachment: the test was skipped before its fixtures ran, or crashed in setup.
      const skipNote = [...test.annotations, ...result.annotations].find((a) => a.type === "skip")?.description;
      for (const id of declaredIds(test)) {
        // Could not judge (§0.1): a crash in setup is an error of each declared ID, never its failure.
        const status = result.status === "skipped" || result.status === "passed" ? "skipped" : "error";
        verdicts.push({
          id,
          check: "(whole requirement)",
          status,
          clause: requirement(id).level,
          clauseScope: null,
          ...(status === "skipped"
            ? { reason: `test skipped: ${skipNote ?? "no reason given"}` }
            : { message: `test ${result.status} before recording verdicts: ${(result.error?.message ?? "").split("\n")[0]}` }),
        });
      }
    }
    // Retries: the last result of a test wins.
    this.latest.set(test.id, { test: titleOf(test), verdicts });
    this.outcomes.set(test.id, test.outcome());
    this.finished++;
    for (const v of verdicts) if (v.status === "failed" || v.status === "error") this.failedReqs.add(v.id);
    let group: string | null = null;
    for (const id of declaredIds(test)) {
      this.pendingByReq.get(id)?.delete(test.id);
      group ??= requirement(id).group;
    }
    const done = [...this.pendingByReq.values()].filter((s) => s.size === 0).length;
    this.progress.update({
      requirementsDone: done,
      requirementsTotal: this.pendingByReq.size,
      testsDone: this.finished,
      testsTotal: this.total,
      group,
      failures: this.failedReqs.size,
      elapsedMs: Date.now() - this.startedAt,
    });
  }

  onEnd(_result: FullResult): void {
    this.progress.end();
    const env = readRunOptions();
    const m = this.metadata;
    const merged = mergeVerdicts(m.target ?? env.target, m.profile ?? env.profile, m.strict ?? env.strict, m.seed ?? env.seed, [...this.latest.values()]);
    const report = finishReport(merged, {
      grep: m.grep ?? env.grep,
      config: m.config ?? env.config,
      baselineFile: process.env.PACT_BASELINE || undefined,
      now: new Date(),
    });
    const counts = { passed: 0, failed: 0, skipped: 0, flaky: 0 };
    for (const outcome of this.outcomes.values()) {
      if (outcome === "expected") counts.passed++;
      else if (outcome === "unexpected") counts.failed++;
      else if (outcome === "skipped") counts.skipped++;
      else if (outcome === "flaky") counts.flaky++;
    }
    writeReports(report, this.outputDir);
    mkdirSync(this.outputDir, { recursive: true });
    writeFileSync(path.join(this.outputDir, "test-summary.json"), `${JSON.stringify(counts, null, 2)}\n`);
  }
}
