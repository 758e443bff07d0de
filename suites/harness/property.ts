import fc from "fast-check";
import type { Level } from "../registry/types.ts";
import { conformanceCommand } from "../report/reproduce.ts";
import { readRunOptions, type RunOptions } from "./run-options.ts";
import { ThrottledError } from "../http/client.ts";
import { CheckError, type Verdicts } from "./verdicts.ts";

export interface PropertyOptions<T> {
  /** Examples; default 100 for HTTP-only properties (cap CODE properties at 20–50, spec §0.5). */
  readonly numRuns?: number;
  /** The catalogue's explicit edge cases: always run, before the random ones. */
  readonly examples?: ReadonlyArray<T>;
  readonly clause?: Level | string;
  /** Per-example timeout, ms. */
  readonly timeout?: number;
}

/** The command that replays one failing property alone, against the run's target and profile. */
export function replayCommand(id: string, seed: number, path: string, run: RunOptions = readRunOptions()): string {
  return conformanceCommand({ target: run.target, config: run.config, profile: run.profile, strict: run.strict }, id, seed, path);
}

/**
 * Checks a fast-check property as one verdict of `id`, with the run's seed. On failure the
 * message gives the counterexample, seed, path and the replay command. `predicate` fails by
 * throwing or returning false.
 */
export async function checkProperty<T>(
  verdicts: Verdicts,
  id: string,
  name: string,
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<boolean | void> | boolean | void,
  opts: PropertyOptions<T> = {},
): Promise<void> {
  const run = readRunOptions();
  const replayPath = run.path !== undefined && (run.grep === undefined || run.grep.split(/[|,\s]+/).includes(id)) ? run.path : undefined;
  let replay: string | undefined;
  let couldNotJudge: Error | null = null;
  await verdicts.check(
    id,
    `property: ${name}`,
    async () => {
      const details = await fc.check(
        fc.asyncProperty(arb, async (v) => {
          // Once the target could not be asked (its throttle held), no later example or shrink can judge either.
          if (couldNotJudge) throw couldNotJudge;
          try {
            const r = await predicate(v);
            return r !== false;
          } catch (e) {
            if (e instanceof ThrottledError || e instanceof CheckError) couldNotJudge = e;
            throw e;
          }
        }),
        {
          seed: run.seed,
          // fast-check counts examples inside numRuns: add them so every named edge case runs *and* numRuns random ones follow.
          numRuns: (opts.numRuns ?? 100) + (opts.examples?.length ?? 0),
          examples: (opts.examples ?? []).map((e) => [e] as [T]),
          ...(replayPath !== undefined ? { path: replayPath } : {}),
          ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
          endOnFailure: false,
        },
      );
      if (couldNotJudge) throw couldNotJudge;
      if (!details.failed) return;
      const path = details.counterexamplePath ?? "0";
      replay = replayCommand(id, details.seed, path, run);
      // An example that could not be judged (a precondition it checks itself) makes the property `error`, not failed (§0.1).
      if (details.errorInstance instanceof CheckError) throw new CheckError(`${details.errorInstance.reason} (example ${fc.stringify(details.counterexample?.[0])}; ${replay})`);
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : "predicate returned false";
      throw new Error(
        `property failed after ${details.numRuns} run(s) (${details.numShrinks} shrinks)\n` +
          `counterexample: ${fc.stringify(details.counterexample?.[0])}\n` +
          `cause: ${cause}\n` +
          `seed: ${details.seed}  path: ${path}\n` +
          `replay: ${replay}`,
      );
    },
    { ...(opts.clause !== undefined ? { clause: opts.clause } : {}) },
  );
  if (replay) process.stderr.write(`[${id}] ${name}: replay with ${replay}\n`);
}

export { fc };
