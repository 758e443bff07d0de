import { randomInt } from "node:crypto";
import { chromium, defineConfig, type Project } from "@playwright/test";
import { CHROMIUM_ARGS, resolveChromium } from "./suites/harness/chromium.ts";
import { CI_DEFAULT_SEED, readRunOptions } from "./suites/harness/run-options.ts";

// One seed for the whole run, shared by every worker through the environment.
if (!process.env.PACT_SEED) process.env.PACT_SEED = String(process.env.CI === "true" ? CI_DEFAULT_SEED : randomInt(1, 2 ** 31 - 1));

const run = readRunOptions();

const wantBrowser = (process.env.PACT_PROJECT ?? "all") !== "protocol";

function browserProject(): Project {
  const choice = resolveChromium(() => chromium.executablePath());
  return {
    name: "browser",
    testDir: "suites/browser",
    testMatch: "**/*.spec.ts",
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

export default defineConfig({
  outputDir: `${process.env.PACT_REPORTS_DIR || "reports"}/test-results`,
  fullyParallel: true,
  workers: process.env.PACT_WORKERS ? Number(process.env.PACT_WORKERS) : 2,
  forbidOnly: process.env.CI === "true",
  retries: 0,
  timeout: 60_000,
  reporter: [["list"], ["./suites/report/conformance-reporter.ts", { outputDir: "reports" }]],
  // Read back by the conformance reporter, also when it merges shards' blob reports.
  metadata: { pact: { target: run.target, profile: run.profile, strict: run.strict, seed: run.seed, ...(run.grep ? { grep: run.grep } : {}), ...(run.config ? { config: run.config } : {}) } },
  projects: [
    { name: "protocol", testDir: "suites/protocol", testMatch: "**/*.spec.ts" },
    ...(wantBrowser ? [browserProject()] : []),
  ],
});
