/**
 * Verdicts on surviving mutants (issue 6): each survivor is either a check the
 * kit still lacks ("reported", with why it was left), a check added to the kit
 * after its group's last run ("added": it kills the mutant, tried by hand),
 * behaviour no requirement constrains ("unconstrained"), or a mutant no request
 * can tell from the original ("equivalent"). They live in docs/mutation-verdicts.json, written by
 * hand, and `npm run mutation -- --summary` matches them to the survivors of
 * the stored reports, so a survivor nobody has judged yet is listed as such.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

export const VERDICT_KINDS = ["equivalent", "unconstrained", "reported", "added"] as const;

const VerdictSchema = z
  .object({
    file: z.string().regex(/^mock\/.+\.ts$/),
    line: z.number().int().positive(),
    column: z.number().int().positive(),
    mutator: z.string().min(1),
    replacement: z.string(),
    /** The mutated source line, trimmed: verdicts follow their code when lines above it move. */
    code: z.string(),
    verdict: z.enum(VERDICT_KINDS),
    reason: z.string().min(10),
  })
  .strict();

export type Verdict = z.infer<typeof VerdictSchema>;

export interface Survivor {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  readonly replacement: string;
  /** The source line the mutant changes, trimmed. */
  readonly code: string;
}

export interface JudgedSurvivor extends Survivor {
  readonly verdict: Verdict | null;
}

export function loadVerdicts(file: string): Verdict[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: not readable JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = z.array(VerdictSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: entry ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Stryker's replacement text as the summary shows it: whitespace collapsed, at most 120 characters. */
export function shortReplacement(replacement: string): string {
  return replacement.replace(/\s+/g, " ").slice(0, 120);
}

const sameMutant = (s: Survivor, v: Verdict) => v.file === s.file && v.mutator === s.mutator && shortReplacement(v.replacement) === shortReplacement(s.replacement);

/**
 * Pairs each survivor with a verdict on the same mutant of the same source line
 * (file, mutator, replacement and trimmed line text), taking the verdict whose
 * recorded position is nearest when several fit. A verdict is used once. A
 * survivor whose line text changed gets no verdict: it has to be judged again.
 */
export function judge(survivors: readonly Survivor[], verdicts: readonly Verdict[]): JudgedSurvivor[] {
  const unused = new Set(verdicts);
  const ordered = [...survivors].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const fits = (s: Survivor) => [...unused].filter((v) => sameMutant(s, v) && v.code === s.code);
  // First the verdicts recorded at the survivor's own position, so that a nearby twin cannot take them.
  const exact = new Map<Survivor, Verdict>();
  for (const s of ordered) {
    const here = fits(s).find((v) => v.line === s.line && v.column === s.column);
    if (here) {
      exact.set(s, here);
      unused.delete(here);
    }
  }
  return ordered.map((s) => {
    const found = exact.get(s);
    if (found) return { ...s, verdict: found };
    const distance = (v: Verdict) => Math.abs(v.line - s.line) * 1000 + Math.abs(v.column - s.column);
    const best = fits(s).sort((a, b) => distance(a) - distance(b))[0] ?? null;
    if (best) unused.delete(best);
    return { ...s, verdict: best };
  });
}
