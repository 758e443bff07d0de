/**
 * `npm run variants`: the conformance kit's protocol project against the mock
 * in each shape preset (mock/shape.ts) other than the default. Each shape is a
 * conformant server laid out the way some real authorization servers are, so
 * every failure here is a false verdict of the kit (or a bug of the shape).
 *
 *   npm run variants                     every preset
 *   npm run variants -- --only routed    one preset
 *   npm run variants -- -- --grep AUTHZ  anything after a second `--` goes to the kit
 *
 * Each preset's mock runs in this process on an ephemeral 127.0.0.1 port with
 * no control API (a real server has none, so the kit cannot reset or move the
 * clock). Its target file is test/variants/<preset>.target.json with the real
 * baseUrl filled in. Reports: reports/variants/<preset>/. Exits 1 when any
 * preset has failed requirements or no report.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createPactMock } from "../mock/app.ts";
import { SHAPE_PRESET_NAMES, type ShapePresetName } from "../mock/shape.ts";

const HELP = `Runs the conformance kit (protocol project) against the mock in each shape preset.

Usage: npm run variants -- [--only NAME] [-- KIT-ARGS...]

Options:
  --only NAME   one preset (${variantNames().join(", ")})
  --jobs N      presets run side by side (default 2; their output then goes to reports/variants/<preset>/kit.log)
  -h, --help    show this help

Target files: test/variants/<preset>.target.json (baseUrl is replaced by the mock's address).
Reports: reports/variants/<preset>/ (conformance.json, test-summary.json, ...).
Exit status: 0 when every preset passes, 1 when any has failed requirements or no report.
`;

const root = join(import.meta.dirname, "..");

/** The presets with a target file; "default" is what `npm run conformance -- --target mock` covers. */
export function variantNames(): ShapePresetName[] {
  return SHAPE_PRESET_NAMES.filter((n) => n !== "default");
}

export function reportsDirOf(preset: string): string {
  return join(root, "reports", "variants", preset);
}

interface Summary {
  passed: number;
  failed: number;
  warned: number;
  skipped: number;
  error?: number;
}

interface Outcome {
  preset: string;
  wallSeconds: number;
  exitCode: number;
  summary: Summary | null;
  tests: { passed: number; failed: number; skipped: number; flaky: number } | null;
  failures: Array<{ id: string; status: string; reason: string }>;
}

function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

/** Runs the kit; its output goes to the console, or to `logFile` when presets run side by side. */
function runKit(args: string[], env: NodeJS.ProcessEnv, logFile: string | null): Promise<number> {
  return new Promise((resolve) => {
    const out = logFile === null ? "inherit" : openSync(logFile, "w");
    const child = spawn("npx", ["tsx", "suites/cli/conformance.ts", ...args], { cwd: root, env, stdio: ["ignore", out, out] });
    const done = (code: number) => {
      if (typeof out === "number") closeSync(out);
      resolve(code);
    };
    child.on("error", () => done(2));
    child.on("exit", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

async function runPreset(preset: ShapePresetName, kitArgs: string[], sideBySide: boolean): Promise<Outcome> {
  const mock = createPactMock({ shape: preset, control: false });
  const server = mock.app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.setBaseUrl(baseUrl);

  const tmp = mkdtempSync(join(tmpdir(), `pact-variant-${preset}-`));
  const targetFile = join(tmp, `${preset}.target.json`);
  const template = JSON.parse(readFileSync(join(root, "test", "variants", `${preset}.target.json`), "utf8")) as Record<string, unknown>;
  delete template.$schema;
  writeFileSync(targetFile, `${JSON.stringify({ ...template, baseUrl }, null, 2)}\n`);

  const reportsDir = reportsDirOf(preset);
  // Never read a previous run's report.
  rmSync(reportsDir, { recursive: true, force: true });
  mkdirSync(reportsDir, { recursive: true });

  const logFile = sideBySide ? join(reportsDir, "kit.log") : null;
  process.stdout.write(`\n=== variant ${preset}: ${baseUrl}${logFile ? ` (output in ${logFile})` : ""}\n`);
  const started = Date.now();
  // --throttle-tests: the presets are ours to lock out, and SEC-05 must pass on a target that declares its THROTTLE_N.
  const exitCode = await runKit(["--target", baseUrl, "--config", targetFile, "--project", "protocol", "--throttle-tests", ...kitArgs], { ...process.env, PACT_REPORTS_DIR: reportsDir, FORCE_COLOR: "0" }, logFile);
  if (logFile) process.stdout.write(`=== variant ${preset} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const wallSeconds = (Date.now() - started) / 1000;

  mock.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });

  const report = readJson<{ summary?: Summary; requirements?: Array<{ id: string; status: string; reason?: string }> }>(join(reportsDir, "conformance.json"));
  const tests = readJson<Outcome["tests"]>(join(reportsDir, "test-summary.json"));
  const failures = (report?.requirements ?? []).filter((r) => r.status === "failed" || r.status === "error").map((r) => ({ id: r.id, status: r.status, reason: (r.reason ?? "").split("\n")[0] ?? "" }));
  return { preset, wallSeconds, exitCode, summary: report?.summary ?? null, tests, failures };
}

function render(o: Outcome): string {
  const lines = [`${o.preset}: ${o.wallSeconds.toFixed(1)} s, kit exit ${o.exitCode}`];
  if (o.summary) {
    const s = o.summary;
    lines.push(`  requirements: ${s.passed} passed, ${s.failed} failed, ${s.warned} warned, ${s.skipped} skipped, ${s.error ?? 0} error`);
  } else lines.push("  requirements: no report (the kit did not run to the end)");
  if (o.tests) lines.push(`  playwright: ${o.tests.passed} passed, ${o.tests.failed} failed, ${o.tests.skipped} skipped, ${o.tests.flaky} flaky`);
  for (const f of o.failures) lines.push(`  ${f.status.toUpperCase()} ${f.id}: ${f.reason}`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const dashdash = process.argv.indexOf("--", 2);
  const own = dashdash === -1 ? process.argv.slice(2) : process.argv.slice(2, dashdash);
  const kitArgs = dashdash === -1 ? [] : process.argv.slice(dashdash + 1);
  let values;
  try {
    values = parseArgs({ args: own, options: { only: { type: "string" }, jobs: { type: "string", default: "2" }, help: { type: "boolean", short: "h", default: false } }, allowPositionals: false }).values;
  } catch (e) {
    process.stderr.write(`variants: ${(e as Error).message}\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const names = variantNames();
  if (values.only !== undefined && !(names as string[]).includes(values.only)) {
    process.stderr.write(`variants: unknown preset "${values.only}"; valid: ${names.join(", ")}\n`);
    process.exit(2);
  }
  const selected = values.only ? [values.only as ShapePresetName] : names;
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    process.stderr.write(`variants: --jobs must be a positive integer, got "${values.jobs}"\n`);
    process.exit(2);
  }
  // Side by side by default: a preset with a small THROTTLE_N spends most of its time waiting for its
  // failure budget and SEC-05's quiet windows, not computing, so two presets share the cores well.
  const sideBySide = jobs > 1 && selected.length > 1;
  const outcomes: Outcome[] = new Array<Outcome>(selected.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, selected.length) }, async () => {
      for (let i = next++; i < selected.length; i = next++) outcomes[i] = await runPreset(selected[i] as ShapePresetName, kitArgs, sideBySide);
    }),
  );
  process.stdout.write(`\n=== variants summary\n${outcomes.map(render).join("\n")}\n`);
  const bad = outcomes.some((o) => !o.summary || o.summary.failed > 0 || (o.summary.error ?? 0) > 0);
  process.exit(bad ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
