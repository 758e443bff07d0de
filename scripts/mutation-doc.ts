/**
 * Renders docs/mutation-survivors.md (`npm run mutation -- --doc`) from the
 * summary of the stored group reports and the hand-written parts in
 * scripts/mutation-survivors.template.md: the figures, each group's run time,
 * and every surviving mutant with its verdict.
 */
import { readFileSync } from "node:fs";
import type { JudgedFileScore, MutationSummary } from "./mutation.ts";

/** The modules behind the authorization endpoint's pages. */
const PAGE_MODULES = ["mock/oauth/authorize.ts", "mock/oauth/login.ts", "mock/oauth/consent-transactions.ts", "mock/http/session.ts"];
/** The /v1 resources: the mock's own object design beyond what the catalogue fixes. */
const RESOURCE_MODULES = ["mock/api/router.ts", "mock/api/body.ts"];
/** The one error renderer, shared by every route family (the admin console's and the control API's too). */
const SHARED_MODULES = ["mock/http/error-handler.ts"];

export interface Aggregate {
  readonly files: number;
  readonly detected: number;
  readonly valid: number;
  readonly equivalent: number;
}

function aggregate(files: readonly JudgedFileScore[]): Aggregate {
  const sum = (f: (s: JudgedFileScore) => number) => files.reduce((a, s) => a + f(s), 0);
  const detected = sum((s) => s.killed + s.timeout);
  return { files: files.length, detected, valid: detected + sum((s) => s.survived + s.noCoverage), equivalent: sum((s) => s.equivalent) };
}

const pct = (detected: number, valid: number) => (valid === 0 ? "n/a" : `${((100 * detected) / valid).toFixed(1)}%`);

function figureLine(label: string, a: Aggregate): string {
  return `${label}: **${pct(a.detected, a.valid)}** (${a.detected} of ${a.valid}); without its ${a.equivalent} equivalent survivors **${pct(a.detected, a.valid - a.equivalent)}** (${a.detected} of ${a.valid - a.equivalent}).`;
}

/** The goal of 80%, held against each figure it could be read as. */
const GOAL = 0.8;

export function goalLine(all: Aggregate, protocol: Aggregate, protocolFiles: number): string {
  // Two decimals, so that a score just under the goal never reads as the goal itself.
  const judge = (detected: number, valid: number) => `${valid === 0 ? "n/a" : `${((100 * detected) / valid).toFixed(2)}%`}, ${valid > 0 && detected / valid >= GOAL ? "at or above" : "below"} ${GOAL * 100}%`;
  return [
    `Against the goal of ${GOAL * 100}%: over all ${all.files} files, the score without equivalent mutants is ${judge(all.detected, all.valid - all.equivalent)}, and Stryker's own score is ${judge(all.detected, all.valid)};`,
    `over the ${protocolFiles} protocol modules, Stryker's own score is ${judge(protocol.detected, protocol.valid)}.`,
  ].join(" ");
}

function figures(summary: MutationSummary): string[] {
  const all = aggregate(summary.files);
  const ignored = summary.files.reduce((a, s) => a + s.ignored, 0);
  const onlyDescription = summary.files.flatMap((f) => f.survivors).filter((s) => s.verdict?.verdict === "equivalent" && /only (the )?(free-text )?(error_)?description/.test(s.verdict.reason)).length;
  const pages = summary.files.filter((f) => PAGE_MODULES.includes(f.file));
  const resources = summary.files.filter((f) => RESOURCE_MODULES.includes(f.file));
  const shared = summary.files.filter((f) => SHARED_MODULES.includes(f.file));
  const protocol = summary.files.filter((f) => !PAGE_MODULES.includes(f.file) && !RESOURCE_MODULES.includes(f.file) && !SHARED_MODULES.includes(f.file));
  const rows = summary.files.map((f) => {
    const a = aggregate([f]);
    return `| ${f.file} | ${pct(a.detected, a.valid)} | ${a.detected} / ${a.valid} | ${f.survived + f.noCoverage} | ${f.equivalent} | ${pct(a.detected, a.valid - a.equivalent)} | ${f.timeout} | ${f.ignored} | ${f.groups.join(", ")} |`;
  });
  return [
    `Aggregate over the ${all.files} files: **${pct(all.detected, all.valid)}** (${all.detected} of ${all.valid} valid mutants detected; ${ignored} more not mutated, see below). Without the ${all.equivalent} survivors judged equivalent below: **${pct(all.detected, all.valid - all.equivalent)}** (${all.detected} of ${all.valid - all.equivalent}).`,
    "",
    `Equivalent here means that no status, header, body member, redirect or page element a client can observe differs from the original, except possibly the free-text \`error_description\`, which the ignorer already leaves out (see "Not mutated"); ${onlyDescription} of the ${all.equivalent} differ in that text only. The usual definition of a mutation score (detected / non-equivalent) is the second figure; Stryker's own report counts equivalent mutants as survivors, which is the first.`,
    "",
    goalLine(all, aggregate(protocol), protocol.length),
    "",
    figureLine(`- The ${protocol.length} protocol modules (token endpoint, grants, client authentication, PKCE, scope, revocation, redirect URIs, CORS, throttling, metadata, form and query parameters, the error classes, error redirects, the OAuth routes, the authorization request's validation, Bearer authentication on /v1, and the store's codes, grants, tokens, apps, users and API keys)`, aggregate(protocol)),
    ...(shared.length ? [`${figureLine("- The shared error renderer (mock/http/error-handler.ts)", aggregate(shared))} It renders every route family's errors: the OAuth endpoints' JSON errors, Bearer challenges, error redirects and no-redirect pages, but also the body format of /v1's, the admin console's, the control API's and the pages' plain HTTP errors, which no requirement fixes; most of its survivors are there.`] : []),
    `${figureLine(`- The ${pages.length} modules behind the authorization endpoint's pages (authorize.ts: the consent page, the prompt-skip rule and the consent decision; login.ts; consent-transactions.ts; session.ts: the session cookie and the forms' CSRF check)`, aggregate(pages))} Most of their survivors change behaviour no requirement decides: CSRF protection of the login form and the admin console's forms, logout, whether a confidential client may skip the prompt (allowed, never required), page wording.`,
    `${figureLine(`- The /v1 resources (${resources.map((f) => f.file).join(", ")})`, aggregate(resources))} The catalogue fixes only \`GET /v1/contacts?limit=10\` (API-01), scope enforcement (API-04), expiry and token handling (API-02…09) and workspace isolation (API-10); the rest of the resource API (object fields, pagination cursors, body validation, conflicts) is the mock's own design, which a kit that must also judge a live Pact cannot pin.`,
    figureLine("- All files except the /v1 resources", aggregate([...protocol, ...shared, ...pages])),
    "",
    "| File | Score | Detected / valid | Survived | Equivalent | Score without equivalent | Timed out | Ignored | Groups |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ];
}

function runTimes(summary: MutationSummary): string[] {
  const runs = [...summary.runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const minutes = (s: number) => `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return [
    "| Group | --grep | Mutants (incl. ignored) | Run time | Started (UTC) |",
    "|---|---|---|---|---|",
    ...runs.map((r) => `| ${r.group} | \`${r.grep.replace(/\|/g, "\\|")}\` | ${r.mutants} | ${minutes(r.seconds)} | ${r.startedAt.slice(0, 16).replace("T", " ")} |`),
    `| **all** | | ${runs.reduce((a, r) => a + r.mutants, 0)} | **${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")} min** | |`,
  ];
}

const VERDICT_LABEL = { equivalent: "equivalent", unconstrained: "unconstrained", reported: "missing check, reported and not added", added: "missing check, added after the group's last run (it fails with this mutant applied by hand)" } as const;

function survivors(summary: MutationSummary): string[] {
  return [...summary.files]
    .sort((a, b) => a.file.localeCompare(b.file))
    .filter((f) => f.survivors.length > 0)
    .flatMap((f) => {
      const a = aggregate([f]);
      return [
        `### ${f.file} — ${pct(a.detected, a.valid)} (${a.detected} of ${a.valid}; groups ${f.groups.join(", ")})`,
        ...f.survivors.map((s) => `- ${s.file.replace(/^mock\//, "")}:${s.line} ${s.mutator} \`${s.replacement}\` — ${s.verdict ? `${VERDICT_LABEL[s.verdict.verdict]}: ${s.verdict.reason}` : "NO VERDICT YET"}`),
        "",
      ];
    });
}

export function renderSurvivorsDoc(summary: MutationSummary, templateFile: string): string {
  return readFileSync(templateFile, "utf8")
    .replace("{{FIGURES}}", () => figures(summary).join("\n"))
    .replace("{{RUNTIMES}}", () => runTimes(summary).join("\n"))
    .replace("{{SURVIVORS}}", () => survivors(summary).join("\n"));
}
