import { GROUPS } from "../registry/types.ts";
import { clauseLevels, countsOf, DISPLAY_LABEL, displayStatus, firstLine, groupOf } from "./display.ts";
import type { ConformanceReport, RequirementResult } from "./merge.ts";

/** Text safe inside a Markdown table cell or list item (no HTML, no breaking pipes). */
function md(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

function html(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${text.replace(/\r?\n/g, " ")}${fence}`;
}

function item(r: RequirementResult): string[] {
  const lines = [`- **${r.id}** \\[${md(clauseLevels(r))}\\] ${md(r.title)}: ${md(firstLine(r.reason))}`];
  for (const cmd of r.reproduction?.commands ?? []) lines.push(`  - replay: ${code(cmd)}`);
  const curl = r.reproduction?.curl.at(-1);
  if (curl) lines.push(`  - request: ${code(firstLine(curl, 600))}`);
  return lines;
}

/**
 * The summary for a pull-request comment: counts, then failures, accepted (baseline) failures,
 * baseline problems, warnings, and skipped requirements grouped by reason.
 */
export function renderMarkdown(report: ConformanceReport): string {
  const c = countsOf(report);
  const out: string[] = [];
  const verdict = c.failed > c.expected || (report.baseline?.problems.length ?? 0) > 0 ? "not conformant" : c.error ? "not judged" : c.failed ? "conformant except accepted failures" : "conformant";
  out.push(`## Pact conformance: ${md(report.target)} (${verdict})`, "");
  out.push(`Profile \`${report.profile}\`${report.strict ? ", strict" : ""}, seed ${report.seed ?? "-"}${report.run?.grep ? `, grep ${code(report.run.grep)}` : ""}.`, "");
  out.push(`**Summary:** ${c.passed} passed, ${c.failed} failed (${c.expected} expected), ${c.error} error, ${c.warned} warned, ${c.skipped} skipped`, "");
  out.push("| group | passed | failed | expected | error | warned | skipped |", "|---|---:|---:|---:|---:|---:|---:|");
  for (const g of GROUPS) {
    const rs = report.requirements.filter((r) => groupOf(r) === g);
    if (rs.length === 0) continue;
    const n = (s: string) => rs.filter((r) => displayStatus(r) === s).length;
    out.push(`| ${g} | ${n("passed")} | ${n("failed") + n("expected")} | ${n("expected")} | ${n("error")} | ${n("warned")} | ${n("skipped")} |`);
  }
  out.push(`| **total** | ${c.passed} | ${c.failed} | ${c.expected} | ${c.error} | ${c.warned} | ${c.skipped} |`, "");

  const failed = report.requirements.filter((r) => displayStatus(r) === "failed");
  if (failed.length) out.push(`### Failures (${failed.length})`, "", ...failed.flatMap(item), "");
  const errors = report.requirements.filter((r) => r.status === "error");
  if (errors.length) out.push(`### Could not judge (${errors.length})`, "", ...errors.flatMap(item), "");
  const problems = report.baseline?.problems ?? [];
  if (problems.length) out.push(`### Baseline problems (${problems.length})`, "", ...problems.map((p) => `- ${p.kind}: ${md(p.message)}`), "");
  const expected = report.requirements.filter((r) => displayStatus(r) === "expected");
  if (expected.length) {
    out.push(`### Expected failures (${expected.length}, accepted by the baseline)`, "");
    for (const r of expected) out.push(`- **${r.id}** \\[${md(r.level)}\\] ${md(r.title)}: ${md(r.expected?.reason ?? "")} (owner ${md(r.expected?.owner ?? "")}, until ${r.expected?.expires ?? ""})`);
    out.push("");
  }
  const warned = report.requirements.filter((r) => r.status === "warned");
  if (warned.length) out.push(`### Warnings (${warned.length})`, "", ...warned.flatMap(item), "");

  const skipped = report.requirements.filter((r) => r.status === "skipped");
  if (skipped.length) {
    out.push(`### Skipped (${skipped.length})`, "");
    const byReason = new Map<string, string[]>();
    for (const r of skipped) {
      const key = firstLine(r.reason, 200);
      byReason.set(key, [...(byReason.get(key) ?? []), r.id]);
    }
    for (const [reason, ids] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
      out.push(`<details><summary>${html(reason)} (${ids.length})</summary>`, "", ids.join(", "), "", "</details>", "");
    }
  }
  out.push(`Statuses: ${Object.values(DISPLAY_LABEL).join(", ")}. Details, evidence and replay commands: \`reports/conformance.html\`, \`reports/conformance.json\`.`);
  return `${out.join("\n")}\n`;
}
