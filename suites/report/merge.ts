import type { RedactedExchange } from "../http/exchange.ts";
import { REQUIREMENTS } from "../registry/index.ts";
import type { Group, Level } from "../registry/types.ts";
import type { Profile } from "../harness/run-options.ts";
import { STATUS_RANK, type VerdictStatus } from "../harness/severity.ts";
import type { Verdict } from "../harness/verdicts.ts";

/** How to reproduce a failure or warning: replay commands (properties, scenarios) and redacted curls. */
export interface Reproduction {
  readonly commands: readonly string[];
  readonly curl: readonly string[];
}

/** A failure the baseline accepts (suites/report/baseline.ts). */
export interface ExpectedFailure {
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
  readonly tests?: readonly string[];
}

export interface RequirementResult {
  readonly id: string;
  readonly group?: Group;
  readonly level: Level;
  readonly levelText: string;
  readonly title: string;
  readonly source: string;
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly tests: readonly string[];
  readonly checks: ReadonlyArray<{ test: string; check: string; status: VerdictStatus; clause: Level; message?: string; reason?: string; replay?: string }>;
  /** The clause levels of the checks that decided a failed, error or warned status. */
  readonly clauses?: readonly Level[];
  readonly evidence?: readonly RedactedExchange[];
  readonly reproduction?: Reproduction;
  /** Set when the baseline lists this failure: it does not fail the run. */
  readonly expected?: ExpectedFailure;
}

/** A baseline rule the run broke (suites/report/baseline.ts). */
export interface BaselineProblem {
  readonly kind: "unexpected-failure" | "now-passes" | "expired" | "matches-nothing";
  readonly id: string;
  readonly test?: string;
  readonly message: string;
}

export interface BaselineOutcome {
  readonly file: string;
  readonly entries: number;
  readonly problems: readonly BaselineProblem[];
  /** Entries not judged because the run did not select their requirement (--grep, --shard). */
  readonly notRun: readonly string[];
}

export interface ConformanceReport {
  readonly target: string;
  readonly profile: Profile;
  readonly strict: boolean;
  readonly seed: number | null;
  /** `expected` counts the failed requirements the baseline accepts (a subset of `failed`). */
  readonly summary: { passed: number; failed: number; error: number; warned: number; skipped: number; expected?: number };
  readonly requirements: readonly RequirementResult[];
  /** Run details that replay commands and the baseline need. */
  readonly run?: { readonly grep?: string; readonly config?: string; readonly generatedAt?: string };
  readonly baseline?: BaselineOutcome;
}

export interface TestVerdicts {
  readonly test: string;
  readonly verdicts: readonly Verdict[];
}

export const NOT_COVERED = "not covered";

const MAX_EVIDENCE_PER_CHECK = 12;

/** Merges every test's verdicts per requirement ID (failed > error > warned > passed > skipped); uncovered IDs are "not covered". */
export function mergeVerdicts(target: string, profile: Profile, strict: boolean, seed: number | null, tests: readonly TestVerdicts[]): ConformanceReport {
  const byId = new Map<string, Array<{ test: string; v: Verdict }>>();
  for (const t of tests) for (const v of t.verdicts) {
    const list = byId.get(v.id) ?? [];
    list.push({ test: t.test, v });
    byId.set(v.id, list);
  }
  const requirements: RequirementResult[] = REQUIREMENTS.map((req) => {
    const entries = byId.get(req.id) ?? [];
    const common = { id: req.id, group: req.group, level: req.level, levelText: req.levelText, title: req.title, source: req.source };
    if (entries.length === 0) return { ...common, status: "skipped" as const, reason: NOT_COVERED, tests: [], checks: [] };
    let status: VerdictStatus = "skipped";
    for (const { v } of entries) if (STATUS_RANK[v.status] > STATUS_RANK[status]) status = v.status;
    const worst = entries.filter(({ v }) => v.status === status);
    const reason =
      status === "skipped"
        ? [...new Set(worst.map(({ v }) => v.reason ?? "skipped"))].join("; ")
        : status === "passed"
          ? `${entries.filter(({ v }) => v.status === "passed").length} check(s) passed`
          : worst.map(({ v }) => `${v.check}: ${v.message ?? ""}`).join("; ");
    // A property's evidence holds every example's exchanges; the last ones show the failure.
    const evidence = status === "failed" || status === "error" || status === "warned" ? worst.flatMap(({ v }) => (v.evidence ?? []).slice(-MAX_EVIDENCE_PER_CHECK)) : [];
    const clauses = status === "failed" || status === "warned" || status === "error" ? [...new Set(worst.map(({ v }) => v.clause))] : [];
    return {
      ...common,
      status,
      reason,
      ...(clauses.length ? { clauses } : {}),
      tests: [...new Set(entries.map((e) => e.test))],
      checks: entries.map(({ test, v }) => ({
        test,
        check: v.check,
        status: v.status,
        clause: v.clause,
        ...(v.message !== undefined ? { message: v.message } : {}),
        ...(v.reason !== undefined ? { reason: v.reason } : {}),
        ...(v.replay !== undefined ? { replay: v.replay } : {}),
      })),
      ...(evidence.length ? { evidence } : {}),
    };
  });
  const summary = { passed: 0, failed: 0, error: 0, warned: 0, skipped: 0 };
  for (const r of requirements) summary[r.status]++;
  return { target, profile, strict, seed, summary, requirements };
}
