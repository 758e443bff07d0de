import { REQUIREMENTS } from "./requirements.ts";
import type { Capability, Clause, Level, Requirement } from "./types.ts";

export { REQUIREMENTS } from "./requirements.ts";
export * from "./types.ts";

const BY_ID: ReadonlyMap<string, Requirement> = new Map(REQUIREMENTS.map((r) => [r.id, r]));

export const REQUIREMENT_IDS: readonly string[] = REQUIREMENTS.map((r) => r.id);

export function isRequirementId(id: string): boolean {
  return BY_ID.has(id);
}

export class UnknownRequirementError extends Error {
  constructor(id: string) {
    super(`unknown requirement ID "${id}" (not in spec/requirements.md)`);
    this.name = "UnknownRequirementError";
  }
}

export function requirement(id: string): Requirement {
  const found = BY_ID.get(id);
  if (!found) throw new UnknownRequirementError(id);
  return found;
}

/**
 * Picks the clause a check exercises. `clause` may be a level ("PACT-PROFILE") or a word of
 * the clause's scope as the catalogue writes it ("error code"); absent means the headline clause.
 */
export function findClause(req: Requirement, clause?: Level | string): Clause {
  const first = req.clauses[0];
  if (!first) throw new Error(`${req.id} has no level clause`);
  if (clause === undefined) return first;
  const byLevel = req.clauses.find((c) => c.level === clause);
  if (byLevel) return byLevel;
  const byScope = req.clauses.find((c) => c.scope !== null && c.scope.toLowerCase().includes(clause.toLowerCase()));
  if (byScope) return byScope;
  if (clause === "MUST" || clause === "SHOULD" || clause === "PACT-PROFILE") {
    // A check may be stricter or laxer than the headline; honour the level it names.
    return { level: clause, scope: null };
  }
  throw new Error(`${req.id} has no clause matching "${clause}" (levels: ${req.levelText})`);
}

export function needsOf(id: string): readonly Capability[] {
  return requirement(id).needs;
}
