import { z } from "zod";

export const USAGE = `Usage: npm run conformance -- --target mock|URL [options]

  --target mock|URL       the in-process mock, or a running server's base URL (required)
  --config FILE           live target file (JSON; schema: suites/targets/target-file.schema.json)
  --profile pact|rfc      pact (default): PACT-PROFILE clauses fail; rfc: they are skipped
  --strict                SHOULD failures fail instead of warning
  --grep ID               run only tests whose title matches (e.g. PKCE-06, or "TOKEN-0[1-4]")
  --seed N                fast-check seed (default: 20261129 under CI=true, else random)
  --path P                fast-check replay path (with --grep and --seed, from a failure message)
  --slow                  allow real-time waits where the target has no clock
  --project NAME          protocol | browser | all (default all)
  --workers N             Playwright workers (default 2)
  --baseline FILE         accepted failures (JSON: {"entries": [{id, test?, reason, owner, expires}]})
  --update-baseline       write the run's failures to the --baseline file (default conformance-baseline.json)
  --max-concurrency N     requests in flight at once, whole run (default: 4 for a remote URL;
                          unlimited for the mock and loopback URLs: 127.0.0.0/8, [::1], localhost)
  --rps N                 requests per second, whole run (default: 10 for a remote URL;
                          unlimited for the mock and loopback URLs)
  --throttle-tests        run the throttling tests (SEC-05) against a URL target; they run last,
                          one at a time, and on a target without the control API each after a
                          minute without the kit's failed client authentications
  --shard I/N             run one shard of N; writes blob-report/ for --merge
  --merge DIR             merge the shards' blob reports in DIR into one report (no --target)
  --help                  this text

Throttling (SEC-05): on a URL target without the mock's control API, the kit's own failed client
authentications stay under the target file's params.THROTTLE_N (default 50) per client and minute,
minus a margin (a fifth, at least 2), across all workers; a test that would go over waits for the
window. A 429 outside SEC-05 is waited out (Retry-After, at most 65 s) and retried once; if it
persists the check is reported as error (could not judge), never as failed.

Exit status: 0 conformant (or only failures the baseline accepts), 1 a requirement failed or
the baseline is out of date, 2 the run could not start.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const VALUE_FLAGS = ["target", "config", "profile", "grep", "seed", "path", "project", "workers", "baseline", "max-concurrency", "rps", "shard", "merge"] as const;
const BOOL_FLAGS = ["strict", "slow", "help", "update-baseline", "throttle-tests"] as const;

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export const CliArgsSchema = z
  .object({
    target: z
      .string()
      .refine((t) => t === "mock" || /^https?:\/\/[^\s/]+/.test(t), "--target must be mock or an http(s) URL")
      .optional(),
    config: z.string().min(1).optional(),
    profile: z.enum(["pact", "rfc"], { error: "--profile must be pact or rfc" }).default("pact"),
    strict: z.boolean().default(false),
    slow: z.boolean().default(false),
    grep: z.string().min(1).optional(),
    seed: z.string().regex(/^-?\d+$/, "--seed must be an integer").optional(),
    path: z.string().regex(/^\d+(:\d+)*$/, "--path must look like 3:0:1").optional(),
    project: z.enum(["protocol", "browser", "all"], { error: "--project must be protocol, browser or all" }).default("all"),
    workers: z.string().regex(/^[1-9]\d*$/, "--workers must be a positive integer").optional(),
    baseline: z.string().min(1).optional(),
    updateBaseline: z.boolean().default(false),
    maxConcurrency: z.string().regex(/^[1-9]\d*$/, "--max-concurrency must be a positive integer").transform(Number).optional(),
    rps: z.string().regex(/^(\d+(\.\d+)?)$/, "--rps must be a positive number").transform(Number).refine((n) => n > 0, "--rps must be a positive number").optional(),
    throttleTests: z.boolean().default(false),
    shard: z.string().regex(/^[1-9]\d*\/[1-9]\d*$/, "--shard must look like 1/3").refine((v) => { const [i, n] = v.split("/").map(Number); return (i ?? 0) <= (n ?? 0); }, "--shard I/N needs I ≤ N").optional(),
    merge: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.merge !== undefined) {
      if (a.target !== undefined || a.shard !== undefined) ctx.addIssue({ code: "custom", message: "--merge takes no --target or --shard (the shards' reports name their target)" });
    } else if (a.target === undefined) {
      ctx.addIssue({ code: "custom", message: "--target is required (mock or a URL)" });
    }
    if (a.shard !== undefined && (a.baseline !== undefined || a.updateBaseline)) ctx.addIssue({ code: "custom", message: "--baseline applies to the merged report: give it to --merge, not to a --shard run" });
  });

export type CliArgs = z.infer<typeof CliArgsSchema>;

/** Parses argv (after the script name); returns "help" for --help. */
export function parseArgs(argv: readonly string[]): CliArgs | "help" {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if ((BOOL_FLAGS as readonly string[]).includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      raw[camel(name)] = true;
    } else if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      if (camel(name) in raw) throw new UsageError(`--${name} given twice`);
      raw[camel(name)] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  if (raw.help) return "help";
  const parsed = CliArgsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

/** Pacing for remote URL targets unless given (shared environments must not see a burst). */
export const URL_DEFAULT_MAX_CONCURRENCY = 4;
export const URL_DEFAULT_RPS = 10;

/**
 * Whether a target URL is on this machine (127.0.0.0/8, [::1], localhost): a local server is
 * nobody's shared environment, so it runs unpaced unless --rps or --max-concurrency is given.
 */
export function isLoopbackTarget(target: string): boolean {
  let host: string;
  try {
    host = new URL(target).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host === "localhost" || host.endsWith(".localhost") || host === "[::1]") return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4[1] === "127" && v4.slice(1).every((o) => Number(o) <= 255);
}

export interface Pacing {
  readonly workers: number;
  /** Per worker, for PACT_MAX_CONCURRENCY / PACT_RPS. */
  readonly maxConcurrency: number | undefined;
  readonly rps: number | undefined;
}

/**
 * Splits the run's limits over its workers: each worker paces its own requests, so the sum
 * stays within --max-concurrency and --rps. Without --workers, no more workers than slots.
 * Remote URL targets default to 4 in flight and 10/s; the mock and loopback URLs to no limit.
 */
export function planPacing(args: CliArgs, sharedState: boolean, defaultWorkers: number): Pacing {
  const remote = args.target !== undefined && args.target !== "mock" && !isLoopbackTarget(args.target);
  const maxConcurrency = args.maxConcurrency ?? (remote ? URL_DEFAULT_MAX_CONCURRENCY : undefined);
  const rps = args.rps ?? (remote ? URL_DEFAULT_RPS : undefined);
  let workers = args.workers ? Number(args.workers) : sharedState ? 1 : defaultWorkers;
  if (!args.workers && maxConcurrency !== undefined) workers = Math.max(1, Math.min(workers, maxConcurrency));
  return {
    workers,
    maxConcurrency: maxConcurrency === undefined ? undefined : Math.max(1, Math.floor(maxConcurrency / workers)),
    rps: rps === undefined ? undefined : rps / workers,
  };
}

/**
 * Requests a full protocol run sends through the protocol client to a URL target, measured against
 * the mock served on 127.0.0.1 (7,427 with seed 20261129; at 10/s that run took 724 s).
 */
export const PROTOCOL_RUN_REQUESTS = 7_400;

/**
 * A rough lower bound on a paced run's duration, said up front: the protocol suite's requests at
 * the run's --rps. Null when unpaced by rate, or when --grep selects an unknown share of the tests.
 */
export function pacedDurationEstimate(args: CliArgs, pacing: Pacing): string | null {
  if (pacing.rps === undefined || args.grep !== undefined || args.project === "browser") return null;
  const rps = pacing.rps * pacing.workers;
  const shards = args.shard ? Number(args.shard.split("/")[1]) : 1;
  const minutes = Math.ceil(PROTOCOL_RUN_REQUESTS / shards / rps / 60);
  return `about ${PROTOCOL_RUN_REQUESTS.toLocaleString("en-US")} requests${shards > 1 ? ` over ${shards} shards` : ""} at ${Number(rps.toFixed(3))}/s: at least ${minutes} min${args.project === "all" ? " for the protocol suite" : ""}`;
}
