import type { ConformanceReport, Reproduction, RequirementResult } from "./merge.ts";

export interface CommandContext {
  readonly target: string;
  readonly profile: "pact" | "rfc";
  readonly strict: boolean;
  readonly config?: string | undefined;
}

function shellArg(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `npm run conformance -- …` that re-runs only `grep` with the same target, profile and seed. */
export function conformanceCommand(ctx: CommandContext, grep: string, seed: number | null, path?: string): string {
  const parts = ["npm run conformance --", "--target", shellArg(ctx.target)];
  if (ctx.config) parts.push("--config", shellArg(ctx.config));
  if (ctx.profile !== "pact") parts.push("--profile", ctx.profile);
  if (ctx.strict) parts.push("--strict");
  parts.push("--grep", shellArg(grep));
  if (seed !== null) parts.push("--seed", String(seed));
  if (path !== undefined) parts.push("--path", path);
  return parts.join(" ");
}

const REPLAY_LINE = /^replay: (npm run conformance -- .+)$/m;
const SEED_PATH = /seed: (-?\d+) {2}path: (\d+(?::\d+)*)/;
const MAX_CURLS = 6;

/**
 * The reproduction of one failed or warned requirement: each failing property's replay command
 * (`--grep ID --seed S --path P`), else the scenario command, and a redacted curl per exchange
 * of the evidence (the last ones, where the failure shows).
 */
export function reproductionOf(req: RequirementResult, report: ConformanceReport): Reproduction | undefined {
  if (req.status !== "failed" && req.status !== "warned") return undefined;
  const ctx: CommandContext = { target: report.target, profile: report.profile, strict: report.strict, config: report.run?.config };
  const commands = new Set<string>();
  for (const c of req.checks) {
    if (c.status !== req.status) continue;
    if (c.replay) commands.add(c.replay);
    const fromMessage = c.message?.match(REPLAY_LINE)?.[1];
    const seedPath = c.message?.match(SEED_PATH);
    if (seedPath) commands.add(conformanceCommand(ctx, req.id, Number(seedPath[1]), seedPath[2]));
    else if (fromMessage) commands.add(fromMessage);
  }
  if (commands.size === 0) commands.add(conformanceCommand(ctx, req.id, report.seed));
  const curl = [...new Set((req.evidence ?? []).map((x) => x.curl))].slice(-MAX_CURLS);
  return { commands: [...commands], curl };
}

/** Adds `reproduction` to every failed or warned requirement. */
export function withReproduction(report: ConformanceReport): ConformanceReport {
  return {
    ...report,
    requirements: report.requirements.map((r) => {
      const reproduction = reproductionOf(r, report);
      return reproduction ? { ...r, reproduction } : r;
    }),
  };
}
