/**
 * `npm run mutation` (issue 6): mutation testing of the mock against the kit.
 *
 * Stryker 9 with its command runner mutates one module group of mock/ at a
 * time; the test command runs only the kit's protocol specs for the
 * requirement groups that module serves, against the in-process mock of the
 * sandbox (the mutated copy). The command runner has no per-test coverage, so
 * every mutant runs that whole command: narrow commands keep a group within
 * minutes.
 *
 *   npm run mutation                          every group, in the order of --list
 *   npm run mutation -- --group pkce ...      only these groups, in that order (repeatable, or comma-separated)
 *   npm run mutation -- --list                the groups, their files and their --grep
 *   npm run mutation -- --summary             rewrite the summary from the stored group reports
 *   npm run mutation -- --doc                 the summary, then docs/mutation-survivors.md from it
 *   npm run mutation -- --count [--group …]   count each group's mutants (kit not run; a no-op command)
 *
 * Options: --concurrency N (default 2), --via-cli (run each mutant through
 * `npm run conformance`'s CLI instead of Playwright directly; slower, same verdicts).
 *
 * Writes reports/mutation/<group>/mutation.json (Stryker's JSON report) and
 * run.json (timings) per group, and reports/mutation/summary.md and
 * summary.json: the score per file over every group run so far, with each
 * surviving mutant.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Stryker } from "@stryker-mutator/core";
import { declarationLines } from "./declaration-lines.ts";
import { renderSurvivorsDoc } from "./mutation-doc.ts";
import { type JudgedSurvivor, type Survivor, judge, loadVerdicts, shortReplacement } from "./mutation-verdicts.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "reports", "mutation");
const SEED = "20261129";

export interface MutationGroup {
  readonly name: string;
  /**
   * What to mutate: "path" for a whole file, or "path#name,name" for only those top-level
   * declarations (functions, constants) or class methods ("Store.revokeGrant"), so that one
   * file's parts can run narrower specs.
   */
  readonly mutate: readonly string[];
  /** Playwright --grep over the protocol specs' titles (requirement IDs). */
  readonly grep: string;
  readonly why: string;
}

/** In priority order: the OAuth and API modules first. */
export const MUTATION_GROUPS: readonly MutationGroup[] = [
  { name: "pkce", mutate: ["mock/oauth/pkce.ts"], grep: "PKCE", why: "challenge syntax at /oauth/authorize, verifier syntax and S256 at /oauth/token" },
  { name: "scope", mutate: ["mock/oauth/scope.ts"], grep: "AUTHZ-06|CC-04|REFRESH-0[56]|CONSENT-03|TOKEN-01", why: "scope syntax, subsets and the scope member of token responses" },
  { name: "client-auth", mutate: ["mock/oauth/client-auth.ts#formUrlDecode,decodeBasicAuth,identifyClient"], grep: "TOKEN-0[6-9]|TOKEN-10|REG-03|REVOKE-06|KEY-02", why: "reading the client from HTTP Basic or the body, one method per request" },
  { name: "client-authn", mutate: ["mock/oauth/client-auth.ts#UNKNOWN_CLIENT_DIGEST,authFailed,sourceOf,authenticateClient"], grep: "TOKEN-0[79]|TOKEN-10|REG-03|SEC-05", why: "authenticating the client: secrets, public clients, throttling" },
  { name: "code-grant", mutate: ["mock/oauth/grants/authorization-code.ts"], grep: "CODE-0[1-6]|PKCE-0[5-9]|TOKEN-1[23]|INSTALL-0[35]|API-01", why: "authorization_code redemption, and the grant it records (Installed tab, user, API)" },
  { name: "refresh-grant", mutate: ["mock/oauth/grants/refresh-token.ts"], grep: "REFRESH", why: "refresh_token rotation, reuse detection, scope narrowing" },
  { name: "cc-grant", mutate: ["mock/oauth/grants/client-credentials.ts"], grep: "CC-0[1-4]", why: "client_credentials" },
  { name: "revoke", mutate: ["mock/oauth/revoke.ts"], grep: "REVOKE", why: "RFC 7009 revocation" },
  { name: "token-endpoint", mutate: ["mock/oauth/token-endpoint.ts"], grep: "TOKEN|CC-03", why: "request shape, grant dispatch, response headers" },
  { name: "api-auth", mutate: ["mock/api/auth.ts#B64TOKEN,SCHEME_AND_REST,authorizationHeaders,authenticate,callerFor"], grep: "API-0[1-9]|KEY-01|CC-05", why: "Bearer authentication on /v1, and the scopes a credential carries" },
  { name: "api-scope", mutate: ["mock/api/auth.ts#permissionFor,requireScope,requireUser"], grep: "API-04|CC-05|CONSENT-09", why: "scope and permission enforcement on /v1" },
  { name: "redirect-match", mutate: ["mock/oauth/redirect-uri.ts#LOOPBACK_ORIGINS,PORT,isPort,portlessLoopback,redirectUriMatches"], grep: "AUTHZ-0[1-4]", why: "exact and loopback redirect URI matching (VISIBLE_ASCII and anyHostWithPort serve only faults)" },
  { name: "redirect-registration", mutate: ["mock/oauth/redirect-uri.ts#SCHEME,REVERSE_DNS_SCHEME,FORBIDDEN_CHARS,MAX_LENGTH,reject,authorityOf,validateRedirectUriForRegistration"], grep: "REG-04", why: "redirect URI validation at registration" },
  { name: "redirect-cors", mutate: ["mock/oauth/redirect-uri.ts#corsOriginOf"], grep: "SEC-08", why: "CORS origins of registered redirect URIs" },
  { name: "authorize", mutate: ["mock/oauth/authorize.ts", "mock/oauth/authorize-request.ts"], grep: "AUTHZ|PKCE-0[1-4]|CONSENT", why: "the authorization request, its error redirects, the consent page it serves and the consent decision" },
  { name: "consent-login", mutate: ["mock/oauth/consent-transactions.ts", "mock/oauth/login.ts"], grep: "CONSENT|AUTHZ-11|SEC-01", why: "login, consent and their CSRF protection" },
  { name: "oauth-http", mutate: ["mock/oauth/cors.ts", "mock/oauth/throttle.ts", "mock/oauth/metadata.ts", "mock/oauth/oauth-form.ts"], grep: "SEC-0[58]|META|TOKEN-05|TOKEN-13|API-01", why: "CORS (also on /v1), throttling, metadata, form parsing" },
  { name: "error-responses", mutate: ["mock/http/error-handler.ts", "mock/errors.ts", "mock/http/redirect.ts"], grep: "AUTHZ|TOKEN|API-0[2-9]|REVOKE-0[5-7]|CONSENT-0[46]|META", why: "the one place that turns errors into RFC responses (JSON bodies, challenges, error redirects, no-redirect pages)" },
  { name: "request-parsing", mutate: ["mock/http/params.ts", "mock/oauth/router.ts"], grep: "AUTHZ-0[1-9]|AUTHZ-10|TOKEN-0[15]|TOKEN-1[34]|REVOKE-0[1-6]|META|CODE-01|API-08|SEC-08", why: "form and query parameters (duplicates, empty values, media type) and the OAuth routes with their 405s" },
  { name: "session", mutate: ["mock/http/session.ts"], grep: "CONSENT|AUTHZ-11|SEC-01", why: "the session cookie and the CSRF defence of the pages' forms" },
  { name: "api-router", mutate: ["mock/api/router.ts", "mock/api/body.ts"], grep: "API|CC-05|CONSENT-09|INSTALL|KEY", why: "the /v1 resources" },
  {
    name: "store-tokens",
    mutate: ["mock/store.ts#Store.issueCode,Store.findCode,Store.createGrant,Store.clientCredentialsGrant,Store.issueAccessToken,Store.issueRefreshToken,Store.findAccessToken,Store.findRefreshToken,Store.grantIsLive,Store.accessTokenIsLive,Store.revokeGrant,Store.revokeAccessToken,Store.resolveBearer"],
    grep: "CODE|REFRESH|REVOKE|API-0[3-579]|CC-0[1-5]|KEY-01|INSTALL-0[145]|CONSENT-09",
    why: "the state behind codes, grants and tokens: lifetimes, liveness, revocation cascades, bearer lookup",
  },
  {
    name: "store-lifecycle",
    mutate: ["mock/store.ts#Store.authenticateUser,Store.findSession,Store.liveApp,Store.verifyClientSecret,Store.registerApp,Store.rotateSecret,Store.secretHint,Store.deleteApp,Store.revokeInstallation,Store.deactivateUser,Store.grantHasLiveTokens,Store.createApiKey,Store.revokeApiKey,Store.liveGrantsInWorkspace"],
    grep: "INSTALL|KEY|REG|TOKEN-0[679]|AUTHZ-02|CONSENT-0[18]",
    why: "users, sessions, apps, secrets, installations and API keys in the store",
  },
];

/**
 * Stryker `mutate` entries for a group: "path#a,b" becomes one "path:FROM-TO" line range per
 * named top-level declaration, found in the current source (so edits elsewhere do not shift it).
 */
export function resolveMutate(group: MutationGroup, root = ROOT): string[] {
  return group.mutate.flatMap((entry) => {
    const [file, names] = entry.split("#") as [string, string | undefined];
    if (names === undefined) return [file];
    const lines = readFileSync(path.join(root, file), "utf8").split("\n");
    return names.split(",").map((name) => {
      const [start, end] = declarationLines(lines, name, `${file} (group ${group.name})`);
      return `${file}:${start + 1}-${end + 1}`;
    });
  });
}

/**
 * The environment `npm run conformance -- --target mock --project protocol --strict` gives
 * Playwright. --strict: a SHOULD check that catches a mutant warns, and a warning is a
 * detection, as in the self-check.
 */
function kitEnvironment(group: MutationGroup): Record<string, string> {
  return {
    PACT_TARGET: "mock",
    PACT_PROFILE: "pact",
    PACT_STRICT: "1",
    PACT_SLOW: "0",
    PACT_SEED: SEED,
    PACT_PROJECT: "protocol",
    PACT_THROTTLE_TESTS: "0",
    PACT_MAX_CONCURRENCY: "0",
    PACT_RPS: "0",
    PACT_GREP: group.grep,
  };
}

/** Each run gets its own reports directory (runs of one sandbox go in parallel) and removes it after. */
function kitCommand(group: MutationGroup, viaCli: boolean): string {
  const grep = `'${group.grep}'`;
  const run = viaCli
    ? `PACT_WORKERS=1 node_modules/.bin/tsx suites/cli/conformance.ts --target mock --project protocol --strict --seed ${SEED} --grep ${grep} >"$d/out.txt" 2>&1`
    : `node_modules/.bin/playwright test --project protocol --project protocol-throttle --grep ${grep} --workers 1 --max-failures 1 --reporter dot >"$d/out.txt" 2>&1`;
  return `d=$(mktemp -d) && export PACT_REPORTS_DIR="$d" PLAYWRIGHT_BLOB_OUTPUT_DIR="$d/blob"; ${run}; rc=$?; tail -c 4000 "$d/out.txt"; rm -rf "$d"; exit $rc`;
}

type MutantResult = Awaited<ReturnType<Stryker["runMutationTest"]>>[number];
type StrykerOptions = ConstructorParameters<typeof Stryker>[0];
type LogLevel = NonNullable<StrykerOptions["logLevel"]>;

interface GroupRun {
  readonly group: string;
  readonly files: readonly string[];
  readonly grep: string;
  readonly startedAt: string;
  readonly seconds: number;
  readonly concurrency: number;
  /** SHOULD warnings counted as detections (runs before this field existed did not). */
  readonly strict?: boolean;
  readonly mutants: number;
}

async function runGroup(group: MutationGroup, concurrency: number, viaCli: boolean, countOnly = false): Promise<GroupRun> {
  const dir = path.join(countOnly ? path.join(OUT, "count") : OUT, group.name);
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(kitEnvironment(group))) process.env[k] = v;
  for (const k of ["PACT_MOCK_FAULTS", "PACT_CONFIG", "PACT_PATH", "PACT_BASELINE", "PACT_WORKERS"]) delete process.env[k];
  const startedAt = new Date();
  process.stdout.write(`\nmutation: group ${group.name} (${group.mutate.join(", ")}), kit --grep '${group.grep}'\n`);
  const stryker = new Stryker({
    testRunner: "command",
    commandRunner: { command: countOnly ? "true" : kitCommand(group, viaCli) },
    coverageAnalysis: "off",
    mutate: resolveMutate(group),
    concurrency,
    timeoutMS: 60_000,
    timeoutFactor: 2,
    disableTypeChecks: "mock/**/*.ts",
    ignoreStatic: false,
    plugins: ["@stryker-mutator/*", path.join(ROOT, "scripts", "mutation-ignorers.ts")],
    ignorers: ["pact-fault-switches", "pact-error-descriptions"],
    tsconfigFile: "mutation-no-tsconfig.json",
    ignorePatterns: ["reports", "blob-report", "test-results", "playwright-report", "suites/zz-*"],
    reporters: countOnly ? ["json"] : ["clear-text", "json", "progress"],
    jsonReporter: { fileName: path.relative(ROOT, path.join(dir, "mutation.json")) },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
    thresholds: { high: 90, low: 80, break: null },
    cleanTempDir: true,
    logLevel: (countOnly ? "warn" : "info") as LogLevel,
    fileLogLevel: "off" as LogLevel,
  });
  const results: MutantResult[] = await stryker.runMutationTest();
  const run: GroupRun = {
    group: group.name,
    files: group.mutate,
    grep: group.grep,
    startedAt: startedAt.toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    concurrency,
    strict: true,
    mutants: results.length,
  };
  writeFileSync(path.join(dir, "run.json"), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

/** The parts of Stryker's JSON report (mutation-testing-report-schema) the summary reads. */
interface JsonReport {
  readonly files: Record<string, { readonly source: string; readonly mutants: ReadonlyArray<{ readonly id: string; readonly mutatorName: string; readonly replacement?: string; readonly status: string; readonly statusReason?: string; readonly location: { readonly start: { readonly line: number; readonly column: number } } }> }>;
}

interface FileScore {
  readonly file: string;
  readonly groups: readonly string[];
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly ignored: number;
  readonly errors: number;
  /** Detected / (detected + survived + no coverage), in percent; null without valid mutants. */
  readonly score: number | null;
  readonly survivors: readonly Survivor[];
}

/** A file's score with the verdicts on its survivors (docs/mutation-verdicts.json). */
export interface JudgedFileScore extends Omit<FileScore, "survivors"> {
  readonly survivors: readonly JudgedSurvivor[];
  /** Survivors judged equivalent: no request tells them from the original. */
  readonly equivalent: number;
  /** Detected / (valid − equivalent), in percent: the usual definition of a mutation score. */
  readonly scoreWithoutEquivalent: number | null;
}

function scoreFiles(group: string, report: JsonReport): FileScore[] {
  return Object.entries(report.files).map(([file, { source, mutants }]) => {
    const rel = path.relative(ROOT, path.resolve(ROOT, file));
    const lines = source.split("\n");
    const n = (s: string) => mutants.filter((m) => m.status === s).length;
    const killed = n("Killed");
    const timeout = n("Timeout");
    const survived = n("Survived");
    const noCoverage = n("NoCoverage");
    const valid = killed + timeout + survived + noCoverage;
    const survivors = mutants
      .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
      .map((m) => ({ file: rel, line: m.location.start.line, column: m.location.start.column, mutator: m.mutatorName, replacement: shortReplacement(m.replacement ?? ""), code: (lines[m.location.start.line - 1] ?? "").trim() }))
      .sort((a, b) => a.line - b.line || a.column - b.column);
    return {
      file: rel,
      groups: [group],
      killed,
      timeout,
      survived,
      noCoverage,
      ignored: n("Ignored"),
      errors: n("CompileError") + n("RuntimeError"),
      score: scoreOf(killed + timeout, valid),
      survivors,
    };
  });
}

function scoreOf(detected: number, valid: number): number | null {
  return valid === 0 ? null : Math.round((detected / valid) * 1000) / 10;
}

/** One row per file: a file split over several groups adds up their mutants. */
function mergeByFile(scores: readonly FileScore[]): FileScore[] {
  const byFile = new Map<string, FileScore>();
  for (const s of scores) {
    const prev = byFile.get(s.file);
    if (!prev) {
      byFile.set(s.file, s);
      continue;
    }
    const killed = prev.killed + s.killed;
    const timeout = prev.timeout + s.timeout;
    const survived = prev.survived + s.survived;
    const noCoverage = prev.noCoverage + s.noCoverage;
    byFile.set(s.file, {
      file: s.file,
      groups: [...prev.groups, ...s.groups],
      killed,
      timeout,
      survived,
      noCoverage,
      ignored: prev.ignored + s.ignored,
      errors: prev.errors + s.errors,
      score: scoreOf(killed + timeout, killed + timeout + survived + noCoverage),
      survivors: [...prev.survivors, ...s.survivors].sort((a, b) => a.line - b.line || a.column - b.column),
    });
  }
  return [...byFile.values()];
}

const VERDICTS = path.join(ROOT, "docs", "mutation-verdicts.json");

export interface MutationSummary {
  readonly seed: string;
  readonly overall: number | null;
  readonly overallWithoutEquivalent: number | null;
  readonly runs: readonly GroupRun[];
  readonly files: readonly JudgedFileScore[];
  /** Survivors no verdict covers yet. */
  readonly unjudged: number;
}

/** Reads every stored group report, matches the survivors to their verdicts and writes summary.md and .json. */
function writeSummary(): MutationSummary | null {
  if (!existsSync(OUT)) {
    process.stderr.write("mutation: no group has run yet\n");
    return null;
  }
  const perGroup: FileScore[] = [];
  const runs: GroupRun[] = [];
  for (const g of MUTATION_GROUPS) {
    const report = path.join(OUT, g.name, "mutation.json");
    const runFile = path.join(OUT, g.name, "run.json");
    if (!existsSync(report) || !existsSync(runFile)) continue;
    runs.push(JSON.parse(readFileSync(runFile, "utf8")) as GroupRun);
    perGroup.push(...scoreFiles(g.name, JSON.parse(readFileSync(report, "utf8")) as JsonReport));
  }
  const merged = mergeByFile(perGroup);
  const verdicts = loadVerdicts(VERDICTS);
  const judged = judge(merged.flatMap((f) => f.survivors), verdicts);
  const used = new Set(judged.map((j) => j.verdict));
  const measured = new Set(merged.map((f) => f.file));
  const stale = verdicts.filter((v) => !used.has(v) && measured.has(v.file));
  const files: JudgedFileScore[] = merged.map((f) => {
    const survivors = judged.filter((s) => s.file === f.file);
    const equivalent = survivors.filter((s) => s.verdict?.verdict === "equivalent").length;
    const detected = f.killed + f.timeout;
    return { ...f, survivors, equivalent, scoreWithoutEquivalent: scoreOf(detected, detected + f.survived + f.noCoverage - equivalent) };
  });
  const total = (f: (s: JudgedFileScore) => number) => files.reduce((a, s) => a + f(s), 0);
  const detected = total((s) => s.killed + s.timeout);
  const valid = detected + total((s) => s.survived + s.noCoverage);
  const equivalent = total((s) => s.equivalent);
  const unjudged = judged.filter((s) => s.verdict === null).length;
  const summary: MutationSummary = { seed: SEED, overall: scoreOf(detected, valid), overallWithoutEquivalent: scoreOf(detected, valid - equivalent), runs, files, unjudged };
  const pct = (x: number | null) => (x === null ? "n/a" : `${x.toFixed(1)}%`);
  const out = [
    "# Mutation testing of the mock",
    "",
    `\`npm run mutation\`: Stryker 9 (command runner) mutated each group's files; each mutant ran the kit's protocol specs for that group (\`--grep\`, \`--strict\`: a SHOULD warning counts as a detection) against the in-process mock, seed ${SEED}. Score = (killed + timeout) / (killed + timeout + survived + no coverage); ignored mutants (fault switches, free-text descriptions) are not counted. The second score also leaves out the survivors judged equivalent in docs/mutation-verdicts.json.`,
    "",
    `Overall: ${pct(summary.overall)} (${detected} of ${valid} valid mutants detected) over ${runs.length} group(s); without the ${equivalent} equivalent survivors ${pct(summary.overallWithoutEquivalent)} (${detected} of ${valid - equivalent}).`,
    unjudged ? `${unjudged} survivor(s) have no verdict yet: judge each in docs/mutation-verdicts.json (a missing check goes into the kit instead).` : "Every survivor has a verdict.",
    "",
    "| Group | Files | --grep | Strict | Mutants | Run time | Concurrency | Started |",
    "|---|---|---|---|---|---|---|---|",
    ...runs.map((r) => `| ${r.group} | ${r.files.join(", ")} | \`${r.grep.replace(/\|/g, "\\|")}\` | ${r.strict ? "yes" : "no"} | ${r.mutants} | ${Math.floor(r.seconds / 60)} min ${r.seconds % 60} s | ${r.concurrency} | ${r.startedAt.slice(0, 16).replace("T", " ")} |`),
    "",
    "| File | Groups | Score | Without equivalent | Killed | Timeout | Survived | Equivalent | No coverage | Ignored | Errors |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...files.map((s) => `| ${s.file} | ${s.groups.join(", ")} | ${pct(s.score)} | ${pct(s.scoreWithoutEquivalent)} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.equivalent} | ${s.noCoverage} | ${s.ignored} | ${s.errors} |`),
    "",
    "## Surviving mutants",
    "",
    ...files.flatMap((s) => s.survivors.map((m) => `- ${s.file}:${m.line}:${m.column} ${m.mutator}: \`${m.replacement.replace(/`/g, "'")}\` — ${m.verdict ? `${m.verdict.verdict}: ${m.verdict.reason}` : `NO VERDICT YET (\`${m.code.slice(0, 100)}\`)`}`)),
    "",
  ];
  writeFileSync(path.join(OUT, "summary.md"), out.join("\n"));
  writeFileSync(path.join(OUT, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`\n${out.slice(0, out.indexOf("## Surviving mutants")).join("\n")}\nsummary: ${path.relative(process.cwd(), path.join(OUT, "summary.md"))}\n`);
  if (stale.length) process.stdout.write(`${stale.length} verdict(s) in docs/mutation-verdicts.json match no survivor of the stored reports (killed since, or the line changed): ${stale.map((v) => `${v.file}:${v.line}:${v.column} ${v.mutator}`).join(", ")}\n`);
  if (unjudged) process.stdout.write(`${files.flatMap((s) => s.survivors.filter((m) => !m.verdict).map((m) => `  no verdict: ${s.file}:${m.line}:${m.column} ${m.mutator} \`${m.replacement}\`\n`)).join("")}`);
  return summary;
}

function pick(names: readonly string[]): MutationGroup[] {
  const wanted = names.flatMap((n) => n.split(",")).map((n) => n.trim()).filter((n) => n !== "");
  const unknown = wanted.filter((n) => !MUTATION_GROUPS.some((g) => g.name === n));
  if (unknown.length) {
    process.stderr.write(`mutation: unknown group(s) ${unknown.join(", ")}; see --list\n`);
    process.exit(2);
  }
  return wanted.length ? [...new Set(wanted)].map((n) => MUTATION_GROUPS.find((g) => g.name === n) as MutationGroup) : [...MUTATION_GROUPS];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      group: { type: "string", multiple: true, default: [] },
      list: { type: "boolean", default: false },
      summary: { type: "boolean", default: false },
      doc: { type: "boolean", default: false },
      concurrency: { type: "string", default: "2" },
      "via-cli": { type: "boolean", default: false },
      count: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.list) {
    for (const g of MUTATION_GROUPS) process.stdout.write(`${g.name.padEnd(22)} ${resolveMutate(g).join(" ")}\n${"".padEnd(22)} --grep '${g.grep}' (${g.why})\n`);
    return;
  }
  if (values.summary || values.doc) {
    const summary = writeSummary();
    if (summary && values.doc) {
      const doc = path.join(ROOT, "docs", "mutation-survivors.md");
      writeFileSync(doc, renderSurvivorsDoc(summary, path.join(ROOT, "scripts", "mutation-survivors.template.md")));
      process.stdout.write(`doc: ${path.relative(process.cwd(), doc)}\n`);
    }
    if (summary?.unjudged) process.exitCode = 1;
    return;
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    process.stderr.write("mutation: --concurrency must be a positive integer\n");
    process.exit(2);
  }
  mkdirSync(OUT, { recursive: true });
  if (values.count) {
    for (const group of pick(values.group)) {
      const run = await runGroup(group, concurrency, false, true);
      const report = JSON.parse(readFileSync(path.join(OUT, "count", group.name, "mutation.json"), "utf8")) as JsonReport;
      for (const s of scoreFiles(group.name, report)) process.stdout.write(`${group.name.padEnd(15)} ${s.file.padEnd(42)} ${String(s.survived + s.noCoverage).padStart(4)} to run, ${String(s.ignored).padStart(3)} ignored\n`);
      void run;
    }
    return;
  }
  const failed: string[] = [];
  for (const group of pick(values.group)) {
    try {
      const run = await runGroup(group, concurrency, values["via-cli"]);
      process.stdout.write(`mutation: group ${run.group}: ${run.mutants} mutants in ${run.seconds} s\n`);
    } catch (e) {
      failed.push(group.name);
      process.stderr.write(`mutation: group ${group.name} did not run: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    writeSummary();
  }
  const leftovers = existsSync(path.join(ROOT, ".stryker-tmp")) ? readdirSync(path.join(ROOT, ".stryker-tmp")) : [];
  if (leftovers.length) process.stderr.write(`mutation: .stryker-tmp still holds ${leftovers.join(", ")}\n`);
  if (failed.length) {
    process.stderr.write(`mutation: ${failed.length} group(s) did not run: ${failed.join(", ")}\n`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`mutation: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
