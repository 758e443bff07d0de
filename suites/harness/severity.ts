import type { Clause, Requirement } from "../registry/types.ts";
import type { Profile } from "./run-options.ts";

/**
 * `error`: the test could not reach the observation the requirement needs (no code, no token, no
 * consent page, a crash before any check). It gates like a failure but is never one (§0.1).
 */
export type VerdictStatus = "passed" | "failed" | "error" | "warned" | "skipped";

export interface SeverityContext {
  readonly profile: Profile;
  readonly strict: boolean;
}

/** Whether a clause is checked at all under the profile (§0.1: PACT-PROFILE is skipped under rfc). */
export function clauseApplies(clause: Clause, ctx: SeverityContext): boolean {
  return !(clause.level === "PACT-PROFILE" && ctx.profile === "rfc");
}

/**
 * What a failed check of `clause` becomes (§0.1): MUST fails; SHOULD warns unless --strict or
 * the Pact profile raises it to MUST; PACT-PROFILE fails under pact. Advisory entries only warn.
 */
export function failureStatus(req: Requirement, clause: Clause, ctx: SeverityContext): VerdictStatus {
  if (!clauseApplies(clause, ctx)) return "skipped";
  if (clause.level === "MUST" || clause.level === "PACT-PROFILE") return "failed";
  if (ctx.profile === "pact" && clause.pactLevel === "MUST") return "failed";
  if (req.advisory) return "warned";
  return ctx.strict ? "failed" : "warned";
}

/** Merge order of verdicts for one requirement: failed > error > warned > passed > skipped. */
export const STATUS_RANK: Readonly<Record<VerdictStatus, number>> = { failed: 4, error: 3, warned: 2, passed: 1, skipped: 0 };

export function worstStatus(statuses: Iterable<VerdictStatus>): VerdictStatus {
  let worst: VerdictStatus = "skipped";
  let any = false;
  for (const s of statuses) {
    if (!any || STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
    any = true;
  }
  return worst;
}
