import { randomInt } from "node:crypto";
import { z } from "zod";

export type Profile = "pact" | "rfc";

/** The seed CI uses when none is given, so CI runs are reproducible. */
export const CI_DEFAULT_SEED = 20261129;

/** What the CLI hands to every Playwright worker through the environment. */
export interface RunOptions {
  /** "mock" or a base URL. */
  readonly target: string;
  readonly config: string | undefined;
  readonly profile: Profile;
  readonly strict: boolean;
  readonly slow: boolean;
  readonly seed: number;
  /** fast-check replay path (`--path`), applied to properties of `grep` IDs only. */
  readonly path: string | undefined;
  readonly grep: string | undefined;
  /**
   * Whether throttling tests (SEC-05) may run: always against the in-process mock, and against
   * a URL target only with `--throttle-tests` (PACT_THROTTLE_TESTS=1), since they trip lockouts.
   */
  readonly throttleTests: boolean;
  /** Per-worker request pacing (PACT_MAX_CONCURRENCY, PACT_RPS); undefined: unlimited. */
  readonly maxConcurrency: number | undefined;
  readonly rps: number | undefined;
}

const flag = z
  .enum(["", "0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true");

export const RunEnvSchema = z.object({
  PACT_TARGET: z.string().min(1).default("mock"),
  PACT_CONFIG: z.string().min(1).optional(),
  PACT_PROFILE: z.enum(["pact", "rfc"]).default("pact"),
  PACT_STRICT: flag,
  PACT_SLOW: flag,
  PACT_SEED: z.string().regex(/^-?\d+$/, "PACT_SEED must be an integer").optional(),
  PACT_PATH: z.string().regex(/^\d+(:\d+)*$/, "PACT_PATH must look like 3:0:1").optional(),
  PACT_GREP: z.string().optional(),
  PACT_THROTTLE_TESTS: flag,
  PACT_MAX_CONCURRENCY: z.string().regex(/^\d+$/, "PACT_MAX_CONCURRENCY must be an integer").optional(),
  PACT_RPS: z.string().regex(/^\d+(\.\d+)?$/, "PACT_RPS must be a number").optional(),
  CI: z.string().optional(),
});

/** Seed precedence: PACT_SEED, else the fixed CI seed under CI=true, else a per-process one. */
function resolveSeed(env: z.infer<typeof RunEnvSchema>): number {
  if (env.PACT_SEED !== undefined) return Number(env.PACT_SEED) | 0;
  if (env.CI === "true" || env.CI === "1") return CI_DEFAULT_SEED;
  // The CLI and playwright.config.ts always set PACT_SEED; this serves library use only.
  return randomInt(1, 2 ** 31 - 1);
}

export function readRunOptions(env: NodeJS.ProcessEnv = process.env): RunOptions {
  const parsed = RunEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`bad run environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const e = parsed.data;
  return {
    target: e.PACT_TARGET,
    config: e.PACT_CONFIG,
    profile: e.PACT_PROFILE,
    strict: e.PACT_STRICT,
    slow: e.PACT_SLOW,
    seed: resolveSeed(e),
    path: e.PACT_PATH,
    grep: e.PACT_GREP,
    throttleTests: e.PACT_TARGET === "mock" || e.PACT_THROTTLE_TESTS,
    maxConcurrency: e.PACT_MAX_CONCURRENCY && e.PACT_MAX_CONCURRENCY !== "0" ? Number(e.PACT_MAX_CONCURRENCY) : undefined,
    rps: e.PACT_RPS && Number(e.PACT_RPS) > 0 ? Number(e.PACT_RPS) : undefined,
  };
}
