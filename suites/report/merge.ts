import type { RedactedExchange } from "../http/exchange.ts";
import { REQUIREMENTS } from "../registry/index.ts";
import type { Level } from "../registry/types.ts";
import type { Profile } from "../harness/run-options.ts";
import { STATUS_RANK, type VerdictStatus } from "../harness/severity.ts";
import type { Verdict } from "../harness/verdicts.ts";

export interface RequirementResult {
  readonly id: string;
  readonly level: Level;
  readonly levelText: string;
  readonly title: string;
  readonly source: string;
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly tests: readonly string[];
  readonly checks: ReadonlyArray<{ test: string; check: string; status: VerdictStatus; clause: Level; message?: string; reason?: string; replay?: string }>;
  readonly evidence?: readonly RedactedExchange[];
}

export interface ConformanceReport {
  readonly target: string;
  readonly profile: Profile;
  readonly strict: boolean;
  readonly seed: number | null;
  readonly summary: { passed: number; failed: number; warned: number; skipped: number };
  readonly requirements: readonly RequirementResult[];
}

export interface TestVerdicts {
  readonly test: string;
  readonly verdicts: readonly Verdict[];
}

export const NOT_COVERED = "not covered";

/** Merges every test's verdicts per requirement ID (failed > warned > passed > skipped); uncovered IDs are "not covered". */
export function mergeVerdicts(target: string, profile: Profile, strict: boolean, seed: number | null, tests: readonly TestVerdicts[]): ConformanceReport {
  const byId = new Map<string, Array<{ test: string; v: Verdict }>>();
  for (const t of tests) for (const v of t.verdicts) {
    const list = byId.get(v.id) ?? [];
    list.push({ test: t.test, v });
    byId.set(v.id, list);
  }
  const requirements: RequirementResult[] = REQUIREMENTS.map((req) => {
    const entries = byId.get(req.id) ?? [];
    const common = { id: req.id, level: req.level, levelText: req.levelText, title: req.title, source: req.source };
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
    const evidence = status === "failed" || status === "warned" ? worst.flatMap(({ v }) => v.evidence ?? []) : [];
    return {
      ...common,
      status,
      reason,
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
  const summary = { passed: 0, failed: 0, warned: 0, skipped: 0 };
  for (const r of requirements) summary[r.status]++;
  return { target, profile, strict, seed, summary, requirements };
}
