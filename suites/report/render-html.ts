import { GROUPS } from "../registry/types.ts";
import type { RedactedExchange } from "../http/exchange.ts";
import { countsOf, DISPLAY_LABEL, DISPLAY_ORDER, displayStatus, GROUP_TITLES, groupOf, type DisplayStatus } from "./display.ts";
import type { ConformanceReport, RequirementResult } from "./merge.ts";
import { linkSource } from "./rfc-links.ts";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 1.5rem;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}h3{font-size:1rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f6f8fa}.num{text-align:right}
.st{font-weight:600;white-space:nowrap}.st-failed{color:#b00020}.st-error{color:#6f42c1}.st-expected{color:#8a5300}.st-warned{color:#8a5300}.st-passed{color:#116329}.st-skipped{color:#57606a}
.src{color:#57606a;font-size:.9em}pre{background:#f6f8fa;padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-all;font-size:12px}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.75rem}
`;

function statusCell(s: DisplayStatus): string {
  return `<span class="st st-${s}">${escapeHtml(DISPLAY_LABEL[s])}</span>`;
}

function sourceHtml(source: string): string {
  return linkSource(source)
    .map((p) => (p.href ? `<a href="${escapeHtml(p.href)}" rel="noreferrer">${escapeHtml(p.text)}</a>` : escapeHtml(p.text)))
    .join("");
}

function headers(list: ReadonlyArray<readonly [string, string]>): string {
  return list.map(([n, v]) => `${n}: ${v}`).join("\n");
}

/** One exchange as an HTTP/1.1-style transcript (already redacted). */
export function transcriptText(x: RedactedExchange): string {
  const request = `${x.method} ${x.url}\n${headers(x.requestHeaders)}${x.requestBody !== null ? `\n\n${x.requestBody}` : ""}`;
  const response = x.error !== undefined ? `(no response: ${x.error})` : `HTTP ${x.status}\n${headers(x.responseHeaders)}\n\n${x.responseBody}`;
  return `${request}\n\n${response}`;
}

function failureDetails(r: RequirementResult): string {
  const s = displayStatus(r);
  const parts: string[] = [];
  parts.push(`<article id="detail-${r.id}" aria-labelledby="detail-h-${r.id}">`);
  parts.push(`<h3 id="detail-h-${r.id}">${escapeHtml(r.id)} ${escapeHtml(r.title)}</h3>`);
  parts.push(`<p>${statusCell(s)} · level ${escapeHtml(r.levelText)} · source ${sourceHtml(r.source)}</p>`);
  if (r.expected) parts.push(`<p>Accepted by the baseline: ${escapeHtml(r.expected.reason)} (owner ${escapeHtml(r.expected.owner)}, until ${escapeHtml(r.expected.expires)})</p>`);
  parts.push(`<h4>What failed</h4><ul>`);
  for (const c of r.checks.filter((c) => c.status === r.status)) parts.push(`<li><strong>${escapeHtml(c.check)}</strong> (${escapeHtml(c.test)})<pre>${escapeHtml(c.message ?? "")}</pre></li>`);
  parts.push(`</ul>`);
  if (r.reproduction) {
    parts.push(`<h4>Reproduce</h4>`);
    for (const cmd of r.reproduction.commands) parts.push(`<pre aria-label="Replay command">${escapeHtml(cmd)}</pre>`);
  }
  const evidence = r.evidence ?? [];
  parts.push(`<section aria-label="HTTP transcript of ${escapeHtml(r.id)}"><h4>HTTP transcript (${evidence.length} exchange${evidence.length === 1 ? "" : "s"}, redacted)</h4>`);
  if (evidence.length === 0) parts.push(`<p>No HTTP exchange was recorded by the failing checks.</p>`);
  for (const x of evidence) {
    parts.push(`<h5>${escapeHtml(x.label ?? `${x.method} ${x.url}`)}</h5><pre>${escapeHtml(transcriptText(x))}</pre>`);
    parts.push(`<details><summary>curl</summary><pre>${escapeHtml(x.curl)}</pre></details>`);
  }
  parts.push(`</section></article>`);
  return parts.join("\n");
}

/**
 * The whole report as one self-contained page: no script, no external resource (a CSP forbids
 * any fetch); links to the RFC sections are plain anchors.
 */
export function renderHtml(report: ConformanceReport): string {
  const c = countsOf(report);
  const title = `Pact conformance: ${report.target}`;
  const out: string[] = [];
  out.push(`<!doctype html><html lang="en"><head><meta charset="utf-8">`);
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  out.push(`<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`);
  out.push(`<header><h1>${escapeHtml(title)}</h1>`);
  out.push(`<p>Profile <code>${escapeHtml(report.profile)}</code>${report.strict ? ", strict" : ""} · seed ${escapeHtml(String(report.seed ?? "-"))}${report.run?.grep ? ` · grep <code>${escapeHtml(report.run.grep)}</code>` : ""}${report.run?.generatedAt ? ` · ${escapeHtml(report.run.generatedAt)}` : ""}</p>`);
  out.push(`<table aria-label="Summary"><thead><tr>${DISPLAY_ORDER.map((s) => `<th scope="col">${escapeHtml(DISPLAY_LABEL[s])}</th>`).join("")}<th scope="col">total</th></tr></thead>`);
  const n: Record<DisplayStatus, number> = { failed: c.failed - c.expected, error: c.error, expected: c.expected, warned: c.warned, passed: c.passed, skipped: c.skipped };
  out.push(`<tbody><tr>${DISPLAY_ORDER.map((s) => `<td class="num" data-count="${s}">${n[s]}</td>`).join("")}<td class="num">${report.requirements.length}</td></tr></tbody></table>`);
  out.push(`<nav aria-label="Groups"><ul>${GROUPS.map((g) => `<li><a href="#group-${g}">${g}</a></li>`).join("")}</ul></nav></header><main>`);

  const problems = report.baseline?.problems ?? [];
  if (problems.length) {
    out.push(`<section aria-labelledby="baseline-h"><h2 id="baseline-h">Baseline problems</h2><ul>`);
    for (const p of problems) out.push(`<li>${escapeHtml(p.kind)}: ${escapeHtml(p.message)}</li>`);
    out.push(`</ul></section>`);
  }
  const attention = report.requirements
    .filter((r) => r.status === "failed" || r.status === "error" || r.status === "warned")
    .sort((a, b) => DISPLAY_ORDER.indexOf(displayStatus(a)) - DISPLAY_ORDER.indexOf(displayStatus(b)));
  if (attention.length) {
    out.push(`<section aria-labelledby="failures-h"><h2 id="failures-h">Failures and warnings</h2>`);
    for (const r of attention) out.push(failureDetails(r));
    out.push(`</section>`);
  }

  for (const g of GROUPS) {
    const rs = report.requirements.filter((r) => groupOf(r) === g);
    if (rs.length === 0) continue;
    out.push(`<section id="group-${g}" aria-labelledby="group-h-${g}"><h2 id="group-h-${g}">${g}: ${escapeHtml(GROUP_TITLES[g])}</h2>`);
    out.push(`<table aria-label="${g} requirements"><thead><tr><th scope="col">ID</th><th scope="col">Requirement</th><th scope="col">Level</th><th scope="col">Status</th><th scope="col">Reason</th></tr></thead><tbody>`);
    for (const r of rs) {
      const s = displayStatus(r);
      const id = r.status === "failed" || r.status === "error" || r.status === "warned" ? `<a href="#detail-${r.id}">${r.id}</a>` : r.id;
      const reason = r.expected ? `${r.reason}\n(accepted: ${r.expected.reason})` : r.reason;
      out.push(
        `<tr id="req-${r.id}" data-status="${s}"><th scope="row">${id}</th><td>${escapeHtml(r.title)}<div class="src">${sourceHtml(r.source)}</div></td>` +
          `<td>${escapeHtml(r.levelText)}</td><td>${statusCell(s)}</td><td>${escapeHtml(reason.length > 600 ? `${reason.slice(0, 599)}…` : reason)}</td></tr>`,
      );
    }
    out.push(`</tbody></table></section>`);
  }
  out.push(`</main></body></html>`);
  return `${out.join("\n")}\n`;
}
