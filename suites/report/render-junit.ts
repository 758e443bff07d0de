import { GROUPS } from "../registry/types.ts";
import { firstLine, groupOf, scenariosOf, type Scenario } from "./display.ts";
import type { ConformanceReport } from "./merge.ts";

/** XML 1.0 text: escapes markup and replaces characters XML cannot carry at all. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] as string);
}

function attr(name: string, value: string | number): string {
  return `${name}="${escapeXml(String(value))}"`;
}

function testcase(s: Scenario): string {
  const r = s.requirement;
  const expected = s.status === "failed" && r.expected !== undefined;
  const props: Array<[string, string]> = [
    ["requirement", r.id],
    ["level", r.level],
    ["source", r.source],
    ["status", expected ? "expected" : s.status],
    ["requirement.status", r.status],
  ];
  if (s.test) props.push(["test", s.test]);
  if (expected && r.expected) props.push(["baseline.reason", r.expected.reason], ["baseline.owner", r.expected.owner], ["baseline.expires", r.expected.expires]);
  const name = s.test ? `${r.id} › ${s.test}` : `${r.id} ${r.title}`;
  const lines = [`    <testcase ${attr("classname", `${groupOf(r)}.${r.id}`)} ${attr("name", name)} time="0">`, "      <properties>"];
  for (const [n, v] of props) lines.push(`        <property ${attr("name", n)} ${attr("value", v)}/>`);
  lines.push("      </properties>");
  const body = s.details.join("\n");
  if (expected) {
    lines.push(`      <skipped ${attr("message", `expected failure (baseline): ${r.expected?.reason ?? ""}`)}/>`);
    lines.push(`      <system-out>${escapeXml(body)}</system-out>`);
  } else if (s.status === "failed") {
    const repro = [...(r.reproduction?.commands ?? []).map((c) => `replay: ${c}`), ...(r.reproduction?.curl ?? []).map((c) => `request: ${c}`)];
    lines.push(`      <failure ${attr("message", firstLine(s.details[0] ?? r.reason, 500))} ${attr("type", r.level)}>${escapeXml([body, ...repro].join("\n"))}</failure>`);
  } else if (s.status === "error") {
    lines.push(`      <error ${attr("message", firstLine(s.details[0] ?? r.reason, 500))} ${attr("type", "could-not-judge")}>${escapeXml(body)}</error>`);
  } else if (s.status === "skipped") {
    lines.push(`      <skipped ${attr("message", firstLine(s.details.join("; "), 500))}/>`);
  } else if (s.status === "warned") {
    lines.push(`      <system-out>${escapeXml(`warning: ${body}`)}</system-out>`);
  }
  lines.push("    </testcase>");
  return lines.join("\n");
}

/**
 * One JUnit test case per requirement and scenario (a requirement no test ran is one skipped
 * case), one suite per catalogue group. Accepted failures are skipped cases marked
 * `status=expected`; warnings pass with their message in system-out.
 */
export function renderJunit(report: ConformanceReport): string {
  const scenarios = scenariosOf(report);
  const isFailure = (s: Scenario) => s.status === "failed" && s.requirement.expected === undefined;
  const isSkipped = (s: Scenario) => s.status === "skipped" || (s.status === "failed" && s.requirement.expected !== undefined);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites ${attr("name", `Pact conformance: ${report.target}`)} ${attr("tests", scenarios.length)} ${attr("failures", scenarios.filter(isFailure).length)} ${attr("errors", scenarios.filter((s) => s.status === "error").length)} ${attr("skipped", scenarios.filter(isSkipped).length)}>`,
  );
  for (const g of GROUPS) {
    const list = scenarios.filter((s) => groupOf(s.requirement) === g);
    if (list.length === 0) continue;
    out.push(`  <testsuite ${attr("name", g)} ${attr("tests", list.length)} ${attr("failures", list.filter(isFailure).length)} ${attr("errors", list.filter((s) => s.status === "error").length)} ${attr("skipped", list.filter(isSkipped).length)}>`);
    out.push("    <properties>", `      <property name="profile" ${attr("value", report.profile)}/>`, `      <property name="seed" ${attr("value", String(report.seed ?? ""))}/>`, "    </properties>");
    for (const s of list) out.push(testcase(s));
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
