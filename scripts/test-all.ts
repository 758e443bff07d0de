/**
 * `npm test`: every suite the project has, then one closing line that sums
 * them (`N passed, N failed, N skipped`), which is what CI reads.
 *
 *   npm test                    unit tests, the conformance kit against the mock, the kit's self-check
 *   npm test -- --only unit     one step (unit | conformance | variants | selfcheck)
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { resolveChromium, ChromiumNotFoundError } from "../suites/harness/chromium.ts";
import { ensureChromium, type BrowserSetupDeps, type CommandResult } from "../suites/harness/browser-setup.ts";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Step {
  name: string;
  /** The step runs the browser project: Chromium is found, or installed, before it starts. */
  browser?: boolean;
  command: string[];
  /** Counts from the step's own output or files; null when none could be read. */
  count(output: string): Counts | null;
}

const root = join(import.meta.dirname, "..");

function findTests(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return findTests(path);
      return name.endsWith(".test.ts") ? [path] : [];
    })
    .sort();
}

/** Node's spec reporter closes with `ℹ pass N`, `ℹ fail N`, `ℹ skipped N`, `ℹ todo N`. */
function nodeTestCounts(output: string): Counts | null {
  const read = (label: string) => {
    const m = output.match(new RegExp(`^ℹ ${label} (\\d+)$`, "m"));
    return m ? Number(m[1]) : null;
  };
  const passed = read("pass");
  const failed = read("fail");
  if (passed === null || failed === null) return null;
  return { passed, failed, skipped: (read("skipped") ?? 0) + (read("todo") ?? 0) };
}

/** The conformance reporter writes raw Playwright counts beside the report. */
function playwrightCounts(): Counts | null {
  const file = join(root, "reports", "test-summary.json");
  if (!existsSync(file)) return null;
  const s = JSON.parse(readFileSync(file, "utf8")) as { passed?: number; failed?: number; skipped?: number; flaky?: number };
  return { passed: (s.passed ?? 0) + (s.flaky ?? 0), failed: s.failed ?? 0, skipped: s.skipped ?? 0 };
}

/** The variants run (scripts/variants.ts) writes Playwright counts per shape preset; summed here. */
function variantCounts(): Counts | null {
  const dir = join(root, "reports", "variants");
  if (!existsSync(dir)) return null;
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  let found = false;
  for (const preset of readdirSync(dir)) {
    const file = join(dir, preset, "test-summary.json");
    if (!existsSync(file)) continue;
    found = true;
    const s = JSON.parse(readFileSync(file, "utf8")) as { passed?: number; failed?: number; skipped?: number; flaky?: number };
    total.passed += (s.passed ?? 0) + (s.flaky ?? 0);
    total.failed += s.failed ?? 0;
    total.skipped += s.skipped ?? 0;
  }
  return found ? total : null;
}

/** Each fault the kit must detect counts as one test, and the clean mock's run as one more. */
function selfcheckCounts(): Counts | null {
  const file = join(root, "reports", "selfcheck.json");
  if (!existsSync(file)) return null;
  const s = JSON.parse(readFileSync(file, "utf8")) as { clean: { passed: boolean }; faults: Array<{ verdict: string }> };
  const detected = s.faults.filter((f) => f.verdict === "detected").length;
  return { passed: detected + (s.clean.passed ? 1 : 0), failed: s.faults.length - detected + (s.clean.passed ? 0 : 1), skipped: 0 };
}

const unitFiles = findTests(join(root, "test")).map((f) => relative(root, f));

const steps: Step[] = [
  {
    name: "unit",
    command: ["node", "--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=2", ...unitFiles],
    count: nodeTestCounts,
  },
  {
    name: "conformance",
    browser: true,
    command: ["npx", "tsx", "suites/cli/conformance.ts", "--target", "mock", "--project", "all"],
    count: () => playwrightCounts(),
  },
  {
    // The kit against the mock in other conformant shapes (mock/shape.ts), as URL targets without a
    // control API: every failure or error there is a false verdict of the kit on a conformant server.
    name: "variants",
    command: ["npx", "tsx", "scripts/variants.ts"],
    count: () => variantCounts(),
  },
  {
    name: "selfcheck",
    command: ["npx", "tsx", "suites/cli/selfcheck.ts", "--subset"],
    count: () => selfcheckCounts(),
  },
];

const { values } = parseArgs({ options: { only: { type: "string" } } });
const selected = values.only ? steps.filter((s) => s.name === values.only) : steps;
if (selected.length === 0) {
  process.stderr.write(`Unknown step "${values.only}". Steps: ${steps.map((s) => s.name).join(", ")}\n`);
  process.exit(2);
}

function command(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): CommandResult {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8", timeout: 300_000, stdio: ["ignore", "pipe", "pipe"] });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}` };
}

const aptEnv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
const systemDeps: BrowserSetupDeps = {
  locate: () => {
    try {
      return { found: resolveChromium(() => chromium.executablePath()) };
    } catch (e) {
      if (e instanceof ChromiumNotFoundError) return { missing: e };
      throw e;
    }
  },
  chromiumPathSet: Boolean(process.env.CHROMIUM_PATH),
  playwrightInstall: () => command("npx", ["playwright", "install", "chromium"]),
  isRoot: process.getuid?.() === 0,
  debianLike: spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0,
  aptInstall: () => command("apt-get", ["install", "-y", "-qq", "chromium"], aptEnv),
  aptUpdate: () => command("apt-get", ["update", "-qq"], aptEnv),
  say: (line) => process.stdout.write(`${line}\n`),
};

function run(step: Step): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${step.name}: ${step.command.slice(0, 6).join(" ")}${step.command.length > 6 ? " …" : ""}\n`);
    const child = spawn(step.command[0] ?? "node", step.command.slice(1), { cwd: root, env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      process.stdout.write(d);
    });
    child.stderr.on("data", (d: Buffer) => process.stderr.write(d));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

// Counts come from files the steps write: never read a previous run's.
for (const stale of ["test-summary.json", "selfcheck.json", "variants"]) rmSync(join(root, "reports", stale), { force: true, recursive: true });

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const lines: string[] = [];
let broken = false;
for (const step of selected) {
  if (step.name === "unit" && unitFiles.length === 0) continue;
  // Without Chromium the step stops before any test with ChromiumNotFoundError and its fix.
  if (step.browser) ensureChromium(systemDeps);
  const { code, output } = await run(step);
  const counts = step.count(output);
  if (!counts) {
    lines.push(`${step.name}: exited ${code}, no test counts found`);
    broken = true;
    continue;
  }
  if (code !== 0 && counts.failed === 0) {
    lines.push(`${step.name}: exited ${code} although no test failed`);
    broken = true;
  }
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  lines.push(`${step.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
}

process.stdout.write(`\n=== summary\n${lines.join("\n")}\n`);
process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exit(total.failed > 0 || broken ? 1 : 0);
