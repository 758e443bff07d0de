/**
 * `--plan`: which requirement IDs a run will judge and which it will skip, and why, without running
 * a test. The selection is Playwright's own (`--list --reporter=json`, the run's projects, --grep and
 * --shard); a test is skipped for the first capability of its `needs(...)` the target lacks, as the
 * harness skips it (suites/harness/index.ts), SEC-05's tests for want of --throttle-tests; and the
 * skips a spec decides in its body from the run and target alone come from suites/harness/skip-reasons.ts.
 * A check skipped because of what the target answers cannot be foreseen: the run reports those.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { modelWithoutAdmin, plainHttpLoopback, TIMING_SLOW_ONLY } from "../harness/skip-reasons.ts";
import { REQUIREMENTS } from "../registry/index.ts";
import { CAPABILITIES, GROUPS, type Capability } from "../registry/types.ts";
import { openTarget, type Target } from "../targets/index.ts";
import { OPTIONAL_IDENTITIES, skippedWithout } from "../targets/optional-identities.ts";
import { PROTOCOL_RUN_REQUESTS, selectionArgs, THROTTLE_PROJECT, type CliArgs, type Pacing } from "./args.ts";

/** Protocol tests of a full run when PROTOCOL_RUN_REQUESTS was measured (a URL target): about 36 requests a test. */
const PROTOCOL_RUN_TESTS = 204;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** One test as Playwright lists it. */
export interface ListedTest {
  readonly project: string;
  readonly file: string;
  readonly title: string;
  /** Requirement IDs it declares (`reqs(...)`). */
  readonly ids: readonly string[];
  /** Capabilities it declares (`needs(...)`), in order. */
  readonly needs: readonly Capability[];
}

/** What the plan knows of the run and the target. */
export interface PlanContext {
  readonly kind: "mock" | "url";
  readonly baseUrl: string;
  missing(capability: Capability): string | null;
  readonly slow: boolean;
  /** --throttle-tests, or the in-process mock (suites/harness/run-options.ts). */
  readonly throttleTests: boolean;
  readonly profile: "pact" | "rfc";
  /** Identities the target file leaves out (suites/targets/optional-identities.ts paths). */
  readonly absentIdentities: readonly string[];
  /** True when --grep, --shard or --project narrows the run. */
  readonly partial: boolean;
}

export interface PlannedRequirement {
  readonly id: string;
  readonly group: string;
  readonly status: "run" | "skipped" | "not selected";
  readonly reason: string;
  /** For a requirement that runs: checks that will be skipped for an identity the file leaves out. */
  readonly partly?: string;
  readonly tests: number;
}

/** Why `test` is skipped as a whole before its body runs, or null. */
export function testSkipReason(test: ListedTest, ctx: PlanContext): string | null {
  const lacking = test.needs.map((c) => ctx.missing(c)).find((r) => r !== null);
  if (lacking) return lacking;
  if (test.project === THROTTLE_PROJECT && ctx.kind !== "mock" && !ctx.throttleTests) return "throttling tests against a live target need an explicit flag (--throttle-tests)";
  return null;
}

/** Why the body of `test` skips every check of `id`, from the run and the target alone, or null. */
export function bodySkipReason(test: ListedTest, id: string, ctx: PlanContext): string | null {
  if (id === "SEC-04" && !ctx.slow) return TIMING_SLOW_ONLY;
  if (id === "SEC-06") return plainHttpLoopback(ctx.baseUrl);
  if (id === "INSTALL-01" && /model\.spec\.ts$/.test(test.file)) return modelWithoutAdmin(ctx);
  if (ctx.profile === "rfc") {
    const req = REQUIREMENTS.find((r) => r.id === id);
    if (req && req.clauses.every((c) => c.level === "PACT-PROFILE")) return "PACT-PROFILE clause is not checked under --profile rfc";
  }
  return null;
}

/** Per requirement of the catalogue: run, skipped (with the reasons) or not selected by this run. */
export function planCoverage(tests: readonly ListedTest[], ctx: PlanContext): PlannedRequirement[] {
  const byId = new Map<string, Array<string | null>>();
  for (const t of tests) {
    const whole = testSkipReason(t, ctx);
    for (const id of t.ids) {
      const list = byId.get(id) ?? [];
      list.push(whole ?? bodySkipReason(t, id, ctx));
      byId.set(id, list);
    }
  }
  return REQUIREMENTS.map((r) => {
    const reasons = byId.get(r.id);
    if (!reasons) return { id: r.id, group: r.group, status: "not selected" as const, reason: ctx.partial ? "not selected by this run (--grep, --shard or --project)" : "not covered", tests: 0 };
    if (reasons.every((x) => x !== null)) return { id: r.id, group: r.group, status: "skipped" as const, reason: [...new Set(reasons)].join("; "), tests: reasons.length };
    const partly = OPTIONAL_IDENTITIES.filter((i) => ctx.absentIdentities.includes(i.path) && skippedWithout(i).includes(r.id)).map((i) => i.path);
    return { id: r.id, group: r.group, status: "run" as const, reason: `${reasons.filter((x) => x === null).length} test(s)`, ...(partly.length ? { partly: `no ${partly.join(", ")}` } : {}), tests: reasons.length };
  });
}

interface JsonSuite {
  readonly title: string;
  readonly file?: string;
  readonly specs?: ReadonlyArray<{ readonly title: string; readonly file: string; readonly tests: ReadonlyArray<{ readonly projectName: string; readonly annotations: ReadonlyArray<{ readonly type: string; readonly description?: string }> }> }>;
  readonly suites?: readonly JsonSuite[];
}

/** The tests of Playwright's JSON list report, with their declared IDs and capabilities. */
export function listedTests(report: { suites?: readonly JsonSuite[] }): ListedTest[] {
  const out: ListedTest[] = [];
  const walk = (s: JsonSuite, prefix: string): void => {
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) {
        out.push({
          project: t.projectName,
          file: spec.file,
          title: `${prefix}${spec.title}`,
          ids: [...new Set(t.annotations.filter((a) => a.type === "requirement" && a.description).map((a) => a.description as string))],
          needs: t.annotations.filter((a) => a.type === "needs" && (CAPABILITIES as readonly string[]).includes(a.description ?? "")).map((a) => a.description as Capability),
        });
      }
    }
    for (const child of s.suites ?? []) walk(child, s.file ? prefix : `${prefix}${s.title} › `);
  };
  for (const s of report.suites ?? []) walk(s, "");
  return out;
}

/** `playwright test --list --reporter=json` with the run's selection: nothing runs, nothing is sent. */
function listWithPlaywright(args: CliArgs, env: NodeJS.ProcessEnv): Promise<ListedTest[]> {
  const bin = path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "playwright.cmd" : "playwright");
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["test", "--list", "--reporter=json", ...selectionArgs(args)], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      try {
        resolve(listedTests(JSON.parse(out) as { suites?: JsonSuite[] }));
      } catch {
        reject(new Error(`playwright --list exited ${code}: ${err.slice(-2000)}`));
      }
    });
  });
}

function absentIdentities(target: Target): string[] {
  const present: Record<string, unknown> = {
    "apps.conf2": target.apps.conf2,
    "apps.cli": target.apps.cli,
    "users.restricted": target.users.restricted,
    "users.secondWorkspace": target.users.secondWorkspace,
    "users.secondWorkspaceAdmin": target.users.secondWorkspaceAdmin,
    apiKey: target.apiKey,
  };
  return Object.entries(present).filter(([, v]) => v === undefined).map(([k]) => k);
}

/** The plan as text: per group, the IDs that run and those skipped with their reasons; then the estimate. */
export function renderPlan(planned: readonly PlannedRequirement[], tests: readonly ListedTest[], ctx: PlanContext, args: CliArgs, pacing: Pacing, targetName: string): string {
  const out: string[] = [];
  const running = planned.filter((p) => p.status === "run");
  const skipped = planned.filter((p) => p.status === "skipped");
  const runningTests = tests.filter((t) => testSkipReason(t, ctx) === null);
  out.push(`Plan for ${targetName} (profile ${args.profile}${args.slow ? ", --slow" : ""}${args.throttleTests ? ", --throttle-tests" : ""}${args.grep ? `, --grep ${args.grep}` : ""}): ${running.length} requirement(s) run, ${skipped.length} skipped; ${runningTests.length} of ${tests.length} selected test(s) run`, "");
  for (const g of GROUPS) {
    const rs = planned.filter((p) => p.group === g && p.status !== "not selected");
    if (rs.length === 0) continue;
    out.push(`${g}`);
    const run = rs.filter((p) => p.status === "run");
    if (run.length) out.push(`  run:     ${run.map((p) => (p.partly ? `${p.id} (some checks skipped: ${p.partly})` : p.id)).join(", ")}`);
    for (const p of rs.filter((x) => x.status === "skipped")) out.push(`  skipped: ${p.id}: ${p.reason}`);
  }
  const notSelected = planned.filter((p) => p.status === "not selected");
  if (notSelected.length) out.push("", `${notSelected.length} requirement(s) ${ctx.partial ? "not selected by this run" : "not covered by any test"}`);
  out.push("", `Checks skipped because of what the target answers (a page it does not show, a token it does not return) are not foreseen here; the run reports them.`);
  const protocolRun = runningTests.filter((t) => t.project !== "browser").length;
  const requests = Math.round((protocolRun * PROTOCOL_RUN_REQUESTS) / PROTOCOL_RUN_TESTS / 10) * 10;
  const rps = pacing.rps === undefined ? undefined : pacing.rps * pacing.workers;
  const shards = args.shard ? Number(args.shard.split("/")[1]) : 1;
  const time = rps === undefined ? "unpaced (no --rps limit on this target): its time depends on the target" : `at ${Number(rps.toFixed(3))}/s: at least ${Math.max(1, Math.ceil(requests / rps / 60))} min`;
  out.push(`Estimate: about ${requests.toLocaleString("en-US")} protocol request(s)${shards > 1 ? " in this shard" : ""} (${protocolRun} protocol test(s)), ${time}; ${runningTests.length - protocolRun} browser test(s) besides.`);
  return out.join("\n");
}

/** Prints the plan (and writes plan.json beside the reports); returns the exit status, 0. */
export async function printPlan(args: CliArgs, targetName: string, pacing: Pacing, env: NodeJS.ProcessEnv): Promise<number> {
  const tests = await listWithPlaywright(args, env);
  const target = await openTarget({ target: targetName, config: args.config });
  try {
    const ctx: PlanContext = {
      kind: target.kind,
      baseUrl: target.baseUrl,
      missing: (c) => target.missing(c),
      slow: args.slow,
      throttleTests: target.kind === "mock" || args.throttleTests,
      profile: args.profile,
      absentIdentities: absentIdentities(target),
      partial: args.grep !== undefined || args.shard !== undefined || args.project !== "all",
    };
    const planned = planCoverage(tests, ctx);
    process.stdout.write(`${renderPlan(planned, tests, ctx, args, pacing, targetName)}\n`);
    const dir = env.PACT_REPORTS_DIR ?? path.join(ROOT, "reports");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "plan.json"), `${JSON.stringify({ target: targetName, profile: args.profile, requirements: planned }, null, 2)}\n`);
    return 0;
  } finally {
    await target.close();
  }
}
