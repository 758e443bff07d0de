import { z } from "zod";

export const USAGE = `Usage: npm run conformance -- --target mock|URL [options]
       npm run conformance -- init --target URL [--out FILE] [--force]
       npm run conformance -- check-config --config FILE [--target mock|URL]

  init                    read the target's RFC 8414 metadata, check what can be checked without
                          credentials (endpoints answer, where the login form is) and write a target
                          file with every field: discovered values filled in, secrets as \${PACT_…},
                          the rest as <…> placeholders; optional identities carry a "$comment" naming
                          the requirements skipped without them. --out FILE (default pact.target.json);
                          an existing file is kept unless --force.
  check-config            validate the target file and run the preflight alone (the target answers,
                          metadata, each app's secret, each user's login, the API key); every problem
                          at once, each with the field to fix. Exit 0 fine, 2 otherwise. --target
                          defaults to the file's baseUrl.

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
  --plan                  after the preflight, print per requirement group which IDs will run and which
                          will be skipped and why, and the estimated requests and time at the chosen
                          pacing; then exit 0 without running a test
  --shard I/N             run one shard of N; writes blob-report/ for --merge
  --merge DIR             merge the shards' blob reports in DIR into one report (no --target)
  --help                  this text

Throttling (SEC-05): on a URL target without the mock's control API, the kit's own failed client
authentications stay under the target file's params.THROTTLE_N (default 50) per client and minute,
minus a margin (a fifth, at least 2), across all workers; a test that would go over waits for the
window. A 429 outside SEC-05 is waited out (Retry-After, at most 65 s) and retried once; if it
persists the check is reported as error (could not judge), never as failed.

Exit status: 0 conformant (or only failures the baseline accepts), 1 a requirement failed, could
not be judged (error) or the baseline is out of date, 2 the run could not start.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const VALUE_FLAGS = ["target", "config", "profile", "grep", "seed", "path", "project", "workers", "baseline", "max-concurrency", "rps", "shard", "merge"] as const;
const BOOL_FLAGS = ["strict", "slow", "help", "update-baseline", "throttle-tests", "plan"] as const;

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
    plan: z.boolean().default(false),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.merge !== undefined) {
      if (a.target !== undefined || a.shard !== undefined) ctx.addIssue({ code: "custom", message: "--merge takes no --target or --shard (the shards' reports name their target)" });
    } else if (a.target === undefined) {
      ctx.addIssue({ code: "custom", message: "--target is required (mock or a URL)" });
    }
    if (a.plan && a.merge !== undefined) ctx.addIssue({ code: "custom", message: "--plan applies to a run, not to --merge" });
    if (a.shard !== undefined && (a.baseline !== undefined || a.updateBaseline)) ctx.addIssue({ code: "custom", message: "--baseline applies to the merged report: give it to --merge, not to a --shard run" });
  });

export type CliArgs = z.infer<typeof CliArgsSchema>;

/** Reads `--flag value`, `--flag=value` and boolean `--flag` into camelCase keys. */
function readFlags(argv: readonly string[], valueFlags: readonly string[], boolFlags: readonly string[]): Record<string, string | boolean> {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (boolFlags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      raw[camel(name)] = true;
    } else if (valueFlags.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      if (camel(name) in raw) throw new UsageError(`--${name} given twice`);
      raw[camel(name)] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return raw;
}

function parseWith<T extends z.ZodType>(schema: T, raw: Record<string, string | boolean>): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

/** Parses argv (after the script name); returns "help" for --help. */
export function parseArgs(argv: readonly string[]): CliArgs | "help" {
  const raw = readFlags(argv, VALUE_FLAGS, BOOL_FLAGS);
  if (raw.help) return "help";
  return parseWith(CliArgsSchema, raw);
}

const urlTarget = z.string().refine((t) => /^https?:\/\/[^\s/]+/.test(t), "--target must be an http(s) URL");

export const InitArgsSchema = z
  .object({
    target: urlTarget.optional(),
    out: z.string().min(1).default("pact.target.json"),
    force: z.boolean().default(false),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.target === undefined) ctx.addIssue({ code: "custom", message: "init needs --target URL (a running server)" });
  });

export const CheckConfigArgsSchema = z
  .object({
    config: z.string().min(1).optional(),
    target: z
      .string()
      .refine((t) => t === "mock" || /^https?:\/\/[^\s/]+/.test(t), "--target must be mock or an http(s) URL")
      .optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.config === undefined) ctx.addIssue({ code: "custom", message: "check-config needs --config FILE" });
  });

export type InitArgs = z.infer<typeof InitArgsSchema> & { target: string };
export type CheckConfigArgs = z.infer<typeof CheckConfigArgsSchema> & { config: string };

export type Command = { readonly command: "run"; readonly args: CliArgs } | { readonly command: "init"; readonly args: InitArgs } | { readonly command: "check-config"; readonly args: CheckConfigArgs } | { readonly command: "help" };

/** The sub-command (`init`, `check-config`, or a run when the first word is a flag) and its arguments. */
export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === "init" || first === "check-config") {
    const raw = first === "init" ? readFlags(rest, ["target", "out"], ["force", "help"]) : readFlags(rest, ["config", "target"], ["help"]);
    if (raw.help) return { command: "help" };
    delete raw.help;
    return first === "init"
      ? { command: "init", args: parseWith(InitArgsSchema, raw) as InitArgs }
      : { command: "check-config", args: parseWith(CheckConfigArgsSchema, raw) as CheckConfigArgs };
  }
  if (first !== undefined && !first.startsWith("--")) throw new UsageError(`unknown command "${first}" (commands: init, check-config; or options of a run)`);
  const args = parseArgs(argv);
  return args === "help" ? { command: "help" } : { command: "run", args };
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

/** The Playwright project of SEC-05's tests (playwright.config.ts). */
export const THROTTLE_PROJECT = "protocol-throttle";

/** The Playwright arguments that select the run's tests (projects, --grep, --shard). */
export function selectionArgs(args: CliArgs): string[] {
  const pwArgs: string[] = [];
  // SEC-05 has a project of its own that runs after the others (playwright.config.ts); naming it keeps
  // it a selected project, so --grep and --shard apply to it as to the rest.
  if (args.project === "protocol") pwArgs.push("--project", "protocol", "--project", THROTTLE_PROJECT);
  else if (args.project !== "all") pwArgs.push("--project", args.project);
  if (args.grep) pwArgs.push("--grep", args.grep);
  if (args.shard) pwArgs.push("--shard", args.shard);
  return pwArgs;
}

