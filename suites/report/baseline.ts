import { readFileSync } from "node:fs";
import { z } from "zod";
import { isRequirementId } from "../registry/index.ts";
import type { BaselineProblem, ConformanceReport, ExpectedFailure, RequirementResult } from "./merge.ts";

/** One accepted failure: a requirement ID, optionally narrowed to one test (its title path). */
export const BaselineEntrySchema = z
  .object({
    id: z.string().regex(/^[A-Z]+-\d\d$/, "must be a requirement ID such as TOKEN-04"),
    test: z.string().min(1).optional().describe("Only this test's failure is accepted (its title as the report lists it)"),
    reason: z.string().min(1),
    owner: z.string().min(1),
    expires: z.iso.date({ error: "must be a date YYYY-MM-DD" }).describe("Last day the entry is accepted"),
  })
  .strict();

export const BaselineSchema = z
  .object({
    $schema: z.string().optional(),
    entries: z.array(BaselineEntrySchema),
  })
  .strict();

export type BaselineEntry = z.infer<typeof BaselineEntrySchema>;
export type Baseline = z.infer<typeof BaselineSchema>;

export class BaselineFileError extends Error {
  constructor(file: string, problems: readonly string[]) {
    super(`baseline ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "BaselineFileError";
  }
}

export function parseBaseline(raw: unknown, file: string): Baseline {
  const parsed = BaselineSchema.safeParse(raw);
  if (!parsed.success) throw new BaselineFileError(file, parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`));
  return parsed.data;
}

export function loadBaseline(file: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8")) as unknown;
  } catch (e) {
    throw new BaselineFileError(file, [e instanceof Error ? e.message : String(e)]);
  }
  return parseBaseline(raw, file);
}

/** `YYYY-MM-DD` of a date (UTC), and that date plus `days`. */
export function isoDay(d: Date, days = 0): string {
  return new Date(d.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

function failingTests(r: RequirementResult): Set<string> {
  return new Set(r.checks.filter((c) => c.status === "failed").map((c) => c.test));
}

function entryLabel(e: BaselineEntry): string {
  return e.test ? `${e.id} (test "${e.test}")` : e.id;
}

/**
 * Judges a run against a baseline (pure: `today` is passed in). The run fails on
 *  - a failure no live entry accepts ("unexpected-failure"),
 *  - an entry whose requirement (or test) no longer fails ("now-passes"),
 *  - an entry past its expiry date ("expired"; it then accepts nothing),
 *  - an entry that names no requirement or test of the run ("matches-nothing").
 * Entries for requirements a partial run (--grep, --shard) did not select, or skipped, are
 * listed in `notRun` and not judged. Accepted failures get `expected` and count in summary.expected.
 */
export function applyBaseline(report: ConformanceReport, baseline: Baseline, opts: { today: string; file: string }): ConformanceReport {
  const problems: BaselineProblem[] = [];
  const notRun: string[] = [];
  const byId = new Map(report.requirements.map((r) => [r.id, r]));
  const partial = report.run?.grep !== undefined;
  const live = new Map<string, BaselineEntry[]>();

  for (const e of baseline.entries) {
    const where = entryLabel(e);
    const req = byId.get(e.id);
    if (!isRequirementId(e.id) || !req) {
      problems.push({ kind: "matches-nothing", id: e.id, ...(e.test ? { test: e.test } : {}), message: `${where}: no such requirement in the catalogue` });
      continue;
    }
    if (e.expires < opts.today) {
      problems.push({ kind: "expired", id: e.id, ...(e.test ? { test: e.test } : {}), message: `${where}: expired on ${e.expires} (owner ${e.owner}); fix it or renew the entry` });
      continue;
    }
    if (req.tests.length === 0) {
      if (partial) notRun.push(where);
      else problems.push({ kind: "matches-nothing", id: e.id, ...(e.test ? { test: e.test } : {}), message: `${where}: no test of this run checks it (${req.reason})` });
      continue;
    }
    if (e.test !== undefined && !req.tests.includes(e.test)) {
      problems.push({ kind: "matches-nothing", id: e.id, test: e.test, message: `${where}: no such test for ${e.id} (tests: ${req.tests.join("; ")})` });
      continue;
    }
    if (req.status === "skipped") {
      notRun.push(`${where} (skipped: ${req.reason})`);
      continue;
    }
    const failing = failingTests(req);
    const stillFails = req.status === "failed" && (e.test === undefined || failing.has(e.test));
    if (!stillFails) {
      problems.push({ kind: "now-passes", id: e.id, ...(e.test ? { test: e.test } : {}), message: `${where}: no longer fails (${req.status}); remove the entry` });
      continue;
    }
    live.set(e.id, [...(live.get(e.id) ?? []), e]);
  }

  let expectedCount = 0;
  const requirements = report.requirements.map((r) => {
    if (r.status !== "failed") return r;
    const entries = live.get(r.id) ?? [];
    const whole = entries.find((e) => e.test === undefined);
    const uncovered = whole ? [] : [...failingTests(r)].filter((t) => !entries.some((e) => e.test === t));
    if (entries.length === 0 || uncovered.length > 0) {
      const expired = baseline.entries.some((e) => e.id === r.id && e.expires < opts.today);
      const which = uncovered.length && entries.length ? ` in ${uncovered.map((t) => `"${t}"`).join(", ")}` : "";
      problems.push({ kind: "unexpected-failure", id: r.id, message: `${r.id}: fails${which} and the baseline does not accept it${expired ? " (its entry expired)" : ""}` });
      return r;
    }
    expectedCount++;
    const first = whole ?? (entries[0] as BaselineEntry);
    const expected: ExpectedFailure = {
      reason: first.reason,
      owner: first.owner,
      expires: entries.map((e) => e.expires).sort()[0] ?? first.expires,
      ...(whole ? {} : { tests: entries.map((e) => e.test as string) }),
    };
    return { ...r, expected };
  });

  return {
    ...report,
    requirements,
    summary: { ...report.summary, expected: expectedCount },
    baseline: { file: opts.file, entries: baseline.entries.length, problems, notRun },
  };
}

/** The exit status a judged report earns: 0 conformant or only accepted failures, else 1. */
export function gateExitCode(report: ConformanceReport): 0 | 1 {
  // An `error` (could not judge) gates like a failure and no baseline accepts it (§0.1).
  const errors = report.summary.error ?? 0;
  if (report.baseline) return report.baseline.problems.length > 0 || errors > 0 || report.summary.failed > (report.summary.expected ?? 0) ? 1 : 0;
  return report.summary.failed > 0 || errors > 0 ? 1 : 0;
}

export const PLACEHOLDER_REASON = "TODO: why this failure is accepted";
export const PLACEHOLDER_OWNER = "TODO: owner";

/**
 * A baseline accepting every failure of `report`, expiring 30 days after `today`. Reason, owner
 * and expiry of a still-valid entry of `previous` for the same requirement are kept.
 */
export function baselineFromReport(report: ConformanceReport, today: Date, previous?: Baseline): Baseline {
  const day = isoDay(today);
  const entries: BaselineEntry[] = report.requirements
    .filter((r) => r.status === "failed")
    .map((r) => {
      const kept = previous?.entries.find((e) => e.id === r.id && e.test === undefined && e.expires >= day);
      return kept ?? { id: r.id, reason: PLACEHOLDER_REASON, owner: PLACEHOLDER_OWNER, expires: isoDay(today, 30) };
    });
  return { entries };
}
