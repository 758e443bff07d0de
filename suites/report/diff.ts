import { displayStatus, DISPLAY_LABEL, firstLine, type DisplayStatus } from "./display.ts";
import type { ConformanceReport, RequirementResult } from "./merge.ts";

export interface StatusChange {
  readonly id: string;
  readonly title: string;
  readonly before: DisplayStatus | "absent";
  readonly after: DisplayStatus | "absent";
  /** The later run's reason (why it fails now, or why it is skipped). */
  readonly reason: string;
}

export interface ReportDiff {
  /** Failing in B and not failing in A (an accepted failure in A counts as failing). */
  readonly newFailures: readonly StatusChange[];
  /** Failing in A, passing or warning in B. */
  readonly fixed: readonly StatusChange[];
  readonly stillFailing: readonly StatusChange[];
  /** Every other status change (warnings, skips, coverage). */
  readonly otherChanges: readonly StatusChange[];
  readonly summaryBefore: ConformanceReport["summary"];
  readonly summaryAfter: ConformanceReport["summary"];
}

const failing = (s: DisplayStatus | "absent") => s === "failed" || s === "expected" || s === "error";

/** What changed from run A to run B, per requirement ID (pure). */
export function diffReports(a: ConformanceReport, b: ConformanceReport): ReportDiff {
  const before = new Map<string, RequirementResult>(a.requirements.map((r) => [r.id, r]));
  const after = new Map<string, RequirementResult>(b.requirements.map((r) => [r.id, r]));
  const ids = [...new Set([...a.requirements.map((r) => r.id), ...b.requirements.map((r) => r.id)])];
  const newFailures: StatusChange[] = [];
  const fixed: StatusChange[] = [];
  const stillFailing: StatusChange[] = [];
  const otherChanges: StatusChange[] = [];
  for (const id of ids) {
    const ra = before.get(id);
    const rb = after.get(id);
    const sa = ra ? displayStatus(ra) : "absent";
    const sb = rb ? displayStatus(rb) : "absent";
    const change: StatusChange = { id, title: (rb ?? ra)?.title ?? "", before: sa, after: sb, reason: rb?.reason ?? "" };
    if ((sb === "failed" || sb === "error") && !failing(sa)) newFailures.push(change);
    else if (failing(sa) && failing(sb)) {
      if ((sb === "failed" || sb === "error") && sa === "expected") newFailures.push(change);
      else stillFailing.push(change);
    } else if (failing(sa) && (sb === "passed" || sb === "warned")) fixed.push(change);
    else if (sa !== sb) otherChanges.push(change);
  }
  return { newFailures, fixed, stillFailing, otherChanges, summaryBefore: a.summary, summaryAfter: b.summary };
}

function label(s: DisplayStatus | "absent"): string {
  return s === "absent" ? "absent" : DISPLAY_LABEL[s];
}

function lines(title: string, list: readonly StatusChange[]): string[] {
  if (list.length === 0) return [];
  return [`${title} (${list.length})`, ...list.map((c) => `  ${c.id} ${label(c.before)} → ${label(c.after)}: ${c.title}${c.reason && c.after !== "passed" ? `\n      ${firstLine(c.reason, 200)}` : ""}`), ""];
}

export function renderDiff(d: ReportDiff, nameA: string, nameB: string): string {
  const s = (x: ConformanceReport["summary"]) => `${x.passed} passed, ${x.failed} failed${x.expected ? ` (${x.expected} expected)` : ""}, ${x.error ?? 0} error, ${x.warned} warned, ${x.skipped} skipped`;
  const out = [`Conformance diff: ${nameA} → ${nameB}`, `  before: ${s(d.summaryBefore)}`, `  after:  ${s(d.summaryAfter)}`, ""];
  out.push(...lines("NEW FAILURES", d.newFailures), ...lines("Still failing", d.stillFailing), ...lines("Fixed", d.fixed), ...lines("Other changes", d.otherChanges));
  if (d.newFailures.length + d.fixed.length + d.otherChanges.length === 0) out.push("No requirement changed status.", "");
  return `${out.join("\n")}\n`;
}
