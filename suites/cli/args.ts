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
  --help                  this text

Exit status: 0 conformant, 1 a requirement failed, 2 the run could not start.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const VALUE_FLAGS = ["target", "config", "profile", "grep", "seed", "path", "project", "workers"] as const;
const BOOL_FLAGS = ["strict", "slow", "help"] as const;

export const CliArgsSchema = z
  .object({
    target: z
      .string({ error: "--target is required (mock or a URL)" })
      .refine((t) => t === "mock" || /^https?:\/\/[^\s/]+/.test(t), "--target must be mock or an http(s) URL"),
    config: z.string().min(1).optional(),
    profile: z.enum(["pact", "rfc"], { error: "--profile must be pact or rfc" }).default("pact"),
    strict: z.boolean().default(false),
    slow: z.boolean().default(false),
    grep: z.string().min(1).optional(),
    seed: z.string().regex(/^-?\d+$/, "--seed must be an integer").optional(),
    path: z.string().regex(/^\d+(:\d+)*$/, "--path must look like 3:0:1").optional(),
    project: z.enum(["protocol", "browser", "all"], { error: "--project must be protocol, browser or all" }).default("all"),
    workers: z.string().regex(/^[1-9]\d*$/, "--workers must be a positive integer").optional(),
  })
  .strict();

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
      raw[name] = true;
    } else if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      if (name in raw) throw new UsageError(`--${name} given twice`);
      raw[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  if (raw.help) return "help";
  const parsed = CliArgsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}
