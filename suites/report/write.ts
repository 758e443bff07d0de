import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { applyBaseline, loadBaseline } from "./baseline.ts";
import type { ConformanceReport } from "./merge.ts";
import { renderHtml } from "./render-html.ts";
import { renderJunit } from "./render-junit.ts";
import { renderMarkdown } from "./render-markdown.ts";
import { withReproduction } from "./reproduce.ts";

export const REPORT_FILES = {
  json: "conformance.json",
  markdown: "conformance.md",
  html: "conformance.html",
  junit: "junit.xml",
} as const;

export function renderJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export interface FinishOptions {
  readonly grep?: string | undefined;
  readonly config?: string | undefined;
  /** A baseline file to judge the run against. */
  readonly baselineFile?: string | undefined;
  /** When the report is made (the baseline's "today"). */
  readonly now: Date;
}

/** The one pipeline from merged verdicts to the final report: run details, reproduction, baseline. */
export function finishReport(merged: ConformanceReport, opts: FinishOptions): ConformanceReport {
  let report: ConformanceReport = {
    ...merged,
    run: {
      ...(opts.grep !== undefined ? { grep: opts.grep } : {}),
      ...(opts.config !== undefined ? { config: opts.config } : {}),
      generatedAt: opts.now.toISOString(),
    },
  };
  report = withReproduction(report);
  if (opts.baselineFile) report = applyBaseline(report, loadBaseline(opts.baselineFile), { today: opts.now.toISOString().slice(0, 10), file: opts.baselineFile });
  return report;
}

/** Writes the four reports of one result, so they cannot disagree. Returns the paths written. */
export function writeReports(report: ConformanceReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [
    [REPORT_FILES.json, renderJson(report)],
    [REPORT_FILES.markdown, renderMarkdown(report)],
    [REPORT_FILES.html, renderHtml(report)],
    [REPORT_FILES.junit, renderJunit(report)],
  ];
  return files.map(([name, text]) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  });
}
