import { test } from "node:test";
import assert from "node:assert/strict";
import { applyBaseline, baselineFromReport, gateExitCode, parseBaseline, PLACEHOLDER_OWNER, type Baseline } from "../../suites/report/baseline.ts";
import { countsOf } from "../../suites/report/display.ts";
import type { ConformanceReport } from "../../suites/report/merge.ts";
import { renderHtml } from "../../suites/report/render-html.ts";
import { escapeXml, renderJunit } from "../../suites/report/render-junit.ts";
import { renderMarkdown } from "../../suites/report/render-markdown.ts";
import { linkSource } from "../../suites/report/rfc-links.ts";
import { mergeVerdicts } from "../../suites/report/merge.ts";
import { SAMPLE_NOW, SAMPLE_TESTS, SAMPLE_TEST_TITLES, sampleReport } from "../../suites/report/sample.ts";
import { finishReport, renderJson } from "../../suites/report/write.ts";

type Counts = { passed: number; failed: number; error: number; warned: number; skipped: number; expected: number };

function fromJson(text: string): Counts {
  const r = JSON.parse(text) as ConformanceReport;
  return { ...r.summary, error: r.summary.error ?? 0, expected: r.summary.expected ?? 0 };
}

function fromMarkdown(text: string): Counts {
  const m = text.match(/\*\*Summary:\*\* (\d+) passed, (\d+) failed \((\d+) expected\), (\d+) error, (\d+) warned, (\d+) skipped/);
  assert.ok(m, "summary line");
  const c = { passed: Number(m[1]), failed: Number(m[2]), expected: Number(m[3]), error: Number(m[4]), warned: Number(m[5]), skipped: Number(m[6]) };
  const failures = text.split("### Failures")[1]?.split("\n### ")[0] ?? "";
  assert.equal((failures.match(/^- \*\*/gm) ?? []).length, c.failed - c.expected, "one bullet per unexpected failure");
  return c;
}

function fromHtml(text: string): Counts {
  const n = (s: string) => (text.match(new RegExp(`<tr id="req-[A-Z]+-\\d\\d" data-status="${s}"`, "g")) ?? []).length;
  return { passed: n("passed"), failed: n("failed") + n("expected"), expected: n("expected"), error: n("error"), warned: n("warned"), skipped: n("skipped") };
}

/** Requirement counts read back from junit.xml: the worst scenario per requirement property. */
function fromJunit(text: string): Counts {
  const rank: Record<string, number> = { skipped: 0, passed: 1, warned: 2, error: 3, expected: 4, failed: 4 };
  const worst = new Map<string, string>();
  for (const block of text.split("<testcase ").slice(1)) {
    const id = block.match(/<property name="requirement" value="([^"]+)"/)?.[1];
    const status = block.match(/<property name="status" value="([^"]+)"/)?.[1];
    assert.ok(id && status);
    const prev = worst.get(id);
    if (prev === undefined || (rank[status] ?? 0) > (rank[prev] ?? 0)) worst.set(id, status);
  }
  const c = { passed: 0, failed: 0, error: 0, warned: 0, skipped: 0, expected: 0 };
  for (const s of worst.values()) {
    if (s === "expected") {
      c.expected++;
      c.failed++;
    } else c[s as "passed" | "failed" | "error" | "warned" | "skipped"]++;
  }
  return c;
}

function assertAgree(report: ConformanceReport): Counts {
  const truth = countsOf(report);
  const all = { json: fromJson(renderJson(report)), markdown: fromMarkdown(renderMarkdown(report)), html: fromHtml(renderHtml(report)), junit: fromJunit(renderJunit(report)) };
  for (const [name, c] of Object.entries(all)) assert.deepEqual(c, truth, `${name} disagrees`);
  return truth;
}

const FUTURE = "2026-12-31";

function entry(id: string, extra: Partial<Baseline["entries"][number]> = {}): Baseline["entries"][number] {
  return { id, reason: "tracked in PACT-123", owner: "qa@pact", expires: FUTURE, ...extra };
}

function judge(b: Baseline, report = sampleReport()) {
  return applyBaseline(report, b, { today: "2026-11-29", file: "baseline.json" });
}

test("the four reports agree on the counts, with and without a baseline", () => {
  const plain = assertAgree(sampleReport());
  assert.deepEqual(plain, { passed: 1, failed: 2, error: 0, warned: 1, skipped: 98, expected: 0 });
  const judged = judge({ entries: [entry("TOKEN-11")] });
  assert.deepEqual(assertAgree(judged), { passed: 1, failed: 2, error: 0, warned: 1, skipped: 98, expected: 1 });
});

test("could not judge: every format counts an error, it gates the run, and no baseline accepts it (§0.1)", () => {
  const withError = finishReport(
    mergeVerdicts("mock", "pact", false, 42, [
      ...SAMPLE_TESTS,
      { test: "SEC-02 › secrets stay out of URLs", verdicts: [{ id: "SEC-02", check: "precondition: an access token of SPA", status: "error", clause: "MUST", clauseScope: null, message: 'could not judge: precondition "an access token of SPA" not met: no consent page' }] },
    ]),
    { now: SAMPLE_NOW },
  );
  assert.deepEqual(assertAgree(withError), { passed: 1, failed: 2, error: 1, warned: 1, skipped: 97, expected: 0 });
  assert.match(renderJunit(withError), /<error message="precondition: an access token of SPA: could not judge/);
  assert.match(renderMarkdown(withError), /### Could not judge \(1\)\n\n- \*\*SEC-02\*\* \\\[MUST\\\]/);
  const judged = judge({ entries: [entry("TOKEN-11"), entry("TOKEN-04")] }, withError);
  assert.equal(judged.summary.failed, judged.summary.expected);
  assert.equal(gateExitCode(judged), 1);
});

test("junit.xml has one test case per requirement and scenario, IDs as properties, valid escaping", () => {
  const xml = renderJunit(sampleReport());
  assert.equal((xml.match(/<testcase /g) ?? []).length, 97 + 2 + 1 + 1 + 1 + 1, "97 uncovered + TOKEN-04×2 + META-01 + TOKEN-11 + API-06 + REFRESH-02");
  assert.match(xml, /<property name="requirement" value="TOKEN-04"\/>/);
  assert.match(xml, /name="TOKEN-04 › TOKEN-04 expires_in › code exchange response has expires_in 3600"/);
  assert.ok(xml.includes("&lt;not &quot;3600&quot;&gt; &amp; nothing else"));
  assert.equal(escapeXml("a\u0000b\u001bc<&>\"'\uD800"), "a\\u0000b\\u001bc&lt;&amp;&gt;&quot;&apos;\uFFFD");
  // Every attribute value and text node is escaped: no raw & outside entities.
  assert.doesNotMatch(xml, /&(?!(amp|lt|gt|quot|apos);)/);
});

test("failures carry reproduction: the property's replay command and a redacted curl", () => {
  const r = sampleReport();
  const grant = r.requirements.find((x) => x.id === "TOKEN-11");
  assert.deepEqual(grant?.reproduction?.commands, ["npm run conformance -- --target mock --grep TOKEN-11 --seed 42 --path 16:0:0"]);
  const shape = r.requirements.find((x) => x.id === "TOKEN-04");
  assert.deepEqual(shape?.reproduction?.commands, ["npm run conformance -- --target mock --grep TOKEN-04 --seed 42"]);
  assert.match(shape?.reproduction?.curl[0] ?? "", /^curl .*\[secret#1a2b3c4d\]/);
  assert.equal(r.requirements.find((x) => x.id === "META-01")?.reproduction, undefined);
});

test("the Markdown summary lists failures first, then warnings, then skipped grouped by reason", () => {
  const md = renderMarkdown(sampleReport());
  const at = (s: string) => md.indexOf(s);
  assert.ok(at("### Failures (2)") > 0 && at("### Failures") < at("### Warnings") && at("### Warnings") < at("### Skipped"));
  assert.match(md, /<summary>not covered \(97\)<\/summary>/);
  assert.match(md, /<summary>target has no clock control \(1\)<\/summary>/);
  assert.ok(md.includes("`npm run conformance -- --target mock --grep TOKEN-11 --seed 42 --path 16:0:0`"));
});

test("the HTML page is self-contained and links RFC sections", () => {
  const html = renderHtml(sampleReport());
  assert.doesNotMatch(html, /<script|<link |src="http|url\(/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(html.includes('href="https://www.rfc-editor.org/rfc/rfc6749#section-5.1"'));
  assert.ok(html.includes("&#60;b&#62;&#38;&#39;&#34;&#60;/b&#62;"), "evidence body is escaped");
  const parts = linkSource("RFC 6749 §3.1.2.3 (simple string comparison, RFC 3986 §6.2.1), §3.1.2.4; DOC-S1");
  assert.deepEqual(parts.filter((p) => p.href).map((p) => p.href), [
    "https://www.rfc-editor.org/rfc/rfc6749",
    "https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3",
    "https://www.rfc-editor.org/rfc/rfc3986",
    "https://www.rfc-editor.org/rfc/rfc3986#section-6.2.1",
    "https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.4",
  ]);
});

// Baseline rules, one test each (issue 5, "Known gaps without blindness").

test("baseline: a failure listed in the baseline is expected and the run passes", () => {
  const r = judge({ entries: [entry("TOKEN-04"), entry("TOKEN-11")] });
  assert.deepEqual(r.baseline?.problems, []);
  assert.equal(r.summary.expected, 2);
  assert.equal(r.requirements.find((x) => x.id === "TOKEN-04")?.expected?.owner, "qa@pact");
  assert.equal(gateExitCode(r), 0);
});

test("baseline: a failure not in the baseline fails the run", () => {
  const r = judge({ entries: [entry("TOKEN-11")] });
  assert.deepEqual(r.baseline?.problems.map((p) => [p.kind, p.id]), [["unexpected-failure", "TOKEN-04"]]);
  assert.equal(gateExitCode(r), 1);
  assert.equal(gateExitCode(sampleReport()), 1, "no baseline: any failure fails");
});

test("baseline: an entry narrowed to one test accepts only that test's failure", () => {
  const ok = judge({ entries: [entry("TOKEN-04", { test: SAMPLE_TEST_TITLES.T_SHAPE }), entry("TOKEN-11")] });
  assert.equal(gateExitCode(ok), 0);
  const passing = judge({ entries: [entry("TOKEN-04", { test: SAMPLE_TEST_TITLES.T_REFRESH }), entry("TOKEN-11")] });
  assert.deepEqual(passing.baseline?.problems.map((p) => p.kind).sort(), ["now-passes", "unexpected-failure"]);
});

test("baseline: an entry whose requirement now passes fails the run", () => {
  const r = judge({ entries: [entry("TOKEN-04"), entry("TOKEN-11"), entry("META-01"), entry("API-06")] });
  assert.deepEqual(r.baseline?.problems.map((p) => [p.kind, p.id]), [["now-passes", "META-01"], ["now-passes", "API-06"]]);
  assert.equal(gateExitCode(r), 1);
});

test("baseline: an expired entry fails the run and accepts nothing", () => {
  const r = judge({ entries: [entry("TOKEN-04", { expires: "2026-11-28" }), entry("TOKEN-11", { expires: "2026-11-29" })] });
  assert.deepEqual(r.baseline?.problems.map((p) => [p.kind, p.id]), [["expired", "TOKEN-04"], ["unexpected-failure", "TOKEN-04"]]);
  assert.equal(r.summary.expected, 1, "an entry is valid through its expiry day");
  assert.equal(gateExitCode(r), 1);
});

test("baseline: an entry that matches nothing fails the run; a --grep run leaves unselected ones unjudged", () => {
  const b = { entries: [entry("TOKEN-04"), entry("TOKEN-11"), entry("PKCE-06"), entry("ZZZ-01"), entry("META-01", { test: "no such test" })] };
  const r = judge(b);
  assert.deepEqual(r.baseline?.problems.map((p) => [p.kind, p.id]), [["matches-nothing", "PKCE-06"], ["matches-nothing", "ZZZ-01"], ["matches-nothing", "META-01"]]);
  assert.equal(gateExitCode(r), 1);
  const grep = sampleReport();
  const partial = judge(b, { ...grep, run: { ...grep.run, grep: "TOKEN" } });
  assert.deepEqual(partial.baseline?.notRun, ["PKCE-06"]);
  assert.equal(partial.baseline?.problems.length, 2);
  const skipped = judge({ entries: [entry("TOKEN-04"), entry("TOKEN-11"), entry("REFRESH-02")] });
  assert.deepEqual(skipped.baseline?.notRun, ["REFRESH-02 (skipped: target has no clock control)"]);
  assert.equal(gateExitCode(skipped), 0);
});

test("baseline: the file is validated, and --update-baseline writes the failures with placeholders expiring in 30 days", () => {
  assert.throws(() => parseBaseline({ entries: [{ id: "TOKEN-04", reason: "r", owner: "o", expires: "soon" }] }, "b.json"), /entries\.0\.expires: must be a date/);
  assert.throws(() => parseBaseline({ entries: [{ id: "TOKEN-04", owner: "o", expires: FUTURE }] }, "b.json"), /entries\.0\.reason/);
  assert.throws(() => parseBaseline([], "b.json"), /\(root\)/);
  const fresh = baselineFromReport(sampleReport(), SAMPLE_NOW);
  assert.deepEqual(fresh.entries.map((e) => [e.id, e.owner, e.expires]), [["TOKEN-04", PLACEHOLDER_OWNER, "2026-12-29"], ["TOKEN-11", PLACEHOLDER_OWNER, "2026-12-29"]]);
  const kept = baselineFromReport(sampleReport(), SAMPLE_NOW, { entries: [entry("TOKEN-11")] });
  assert.deepEqual(kept.entries[1], entry("TOKEN-11"));
  assert.equal(gateExitCode(judge(parseBaseline(JSON.parse(JSON.stringify(fresh)), "b.json"))), 0);
});
