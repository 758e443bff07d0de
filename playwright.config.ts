import { randomInt } from "node:crypto";
import { chromium, defineConfig, type Project } from "@playwright/test";
import { CHROMIUM_ARGS, resolveChromium } from "./suites/harness/chromium.ts";
import { CI_DEFAULT_SEED, readRunOptions } from "./suites/harness/run-options.ts";

/** Specs and reporter run from the sources (.ts) or, in an installed package, built (.js). */
const EXT = import.meta.url.endsWith(".ts") ? "ts" : "js";

// One seed for the whole run, shared by every worker through the environment.
if (!process.env.PACT_SEED) process.env.PACT_SEED = String(process.env.CI === "true" ? CI_DEFAULT_SEED : randomInt(1, 2 ** 31 - 1));

const run = readRunOptions();

const wantBrowser = (process.env.PACT_PROJECT ?? "all") !== "protocol";
const wantProtocol = (process.env.PACT_PROJECT ?? "all") !== "browser";

function browserProject(): Project {
  const choice = resolveChromium(() => chromium.executablePath());
  return {
    name: "browser",
    testDir: "suites/browser",
    testMatch: `**/*.spec.${EXT}`,
    use: {
      browserName: "chromium",
      headless: true,
      screenshot: "only-on-failure",
      // A trace records raw HTTP, typed passwords included. Against the mock those are the published fixture
      // values; against a live target traces are kept only when asked for (PACT_TRACE=1), never by default.
      trace: run.target === "mock" || process.env.PACT_TRACE === "1" ? "retain-on-failure" : "off",
      // --disable-auto-reload: a redirect to a client host that does not resolve ends on an error page, which must not navigate again by itself.
      launchOptions: { args: [...CHROMIUM_ARGS, "--disable-auto-reload"], ...(choice.executablePath ? { executablePath: choice.executablePath } : {}) },
    },
  };
}

/** SEC-05's tests: they exhaust a client's allowance of failed authentications on purpose. */
const THROTTLE_SPECS = `**/sec-throttle*.spec.${EXT}`;
const THROTTLE_PROJECT = "protocol-throttle";

/** As Playwright reads --grep: "/re/flags" or a case-insensitive pattern. */
function grepRegExp(pattern: string): RegExp {
  const m = /^\/(.*)\/([gi]*)$/.exec(pattern);
  return m ? new RegExp(m[1] as string, (m[2] as string).replace("g", "")) : new RegExp(pattern, "i");
}

/**
 * SEC-05 runs alone, after everything else: as the teardown of the other projects it starts only
 * when they have finished (whatever their verdicts; a dependency would be skipped after a failure),
 * on one worker, one test at a time, and on a target the kit cannot reset each test's first
 * credential request waits for a quiet window (suites/harness/throttle-guard.ts). A teardown that
 * is not itself selected ignores the command line's --grep, so the run's grep is applied here too.
 */
function throttleProject(): Project {
  return {
    name: THROTTLE_PROJECT,
    testDir: "suites/protocol",
    testMatch: THROTTLE_SPECS,
    workers: 1,
    fullyParallel: false,
    ...(run.grep ? { grep: grepRegExp(run.grep) } : {}),
  };
}

export default defineConfig({
  outputDir: `${process.env.PACT_REPORTS_DIR || "reports"}/test-results`,
  fullyParallel: true,
  workers: process.env.PACT_WORKERS ? Number(process.env.PACT_WORKERS) : 2,
  forbidOnly: process.env.CI === "true",
  retries: 0,
  timeout: 60_000,
  reporter: [["list"], [`./suites/report/conformance-reporter.${EXT}`, { outputDir: "reports" }]],
  // Read back by the conformance reporter, also when it merges shards' blob reports.
  metadata: { pact: { target: run.target, profile: run.profile, strict: run.strict, seed: run.seed, ...(run.grep ? { grep: run.grep } : {}), ...(run.config ? { config: run.config } : {}) } },
  projects: [
    { name: "protocol", testDir: "suites/protocol", testMatch: `**/*.spec.${EXT}`, testIgnore: THROTTLE_SPECS, teardown: THROTTLE_PROJECT },
    // A browser-only run has no SEC-05 to hold back; otherwise browser tests finish before it too.
    ...(wantBrowser ? [{ ...browserProject(), ...(wantProtocol ? { teardown: THROTTLE_PROJECT } : {}) }] : []),
    throttleProject(),
  ],
});
