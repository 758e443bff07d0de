import { GROUPS, type Group } from "../registry/types.ts";
import { STATUS_RANK, type VerdictStatus } from "../harness/severity.ts";
import type { ConformanceReport, RequirementResult } from "./merge.ts";

/** Catalogue section titles (spec/requirements.md §1–§14). */
export const GROUP_TITLES: Readonly<Record<Group, string>> = {
  REG: "Client registration",
  AUTHZ: "Authorization request",
  PKCE: "PKCE",
  CONSENT: "Login and consent",
  CODE: "Authorization code",
  TOKEN: "Token endpoint",
  REFRESH: "Refresh",
  CC: "Client credentials",
  REVOKE: "Token revocation",
  API: "Resource API",
  INSTALL: "Installation lifecycle",
  KEY: "Static API keys",
  SEC: "Cross-cutting security",
  META: "Discovery",
};

export function groupOf(r: RequirementResult): Group {
  const g = r.group ?? (r.id.split("-")[0] as Group);
  return (GROUPS as readonly string[]).includes(g) ? g : "SEC";
}

/** What a report shows for a requirement: its status, with accepted failures told apart. */
export type DisplayStatus = VerdictStatus | "expected";

export function displayStatus(r: RequirementResult): DisplayStatus {
  return r.status === "failed" && r.expected ? "expected" : r.status;
}

export const DISPLAY_LABEL: Readonly<Record<DisplayStatus, string>> = {
  failed: "failed",
  error: "could not judge",
  expected: "expected failure",
  warned: "warned",
  passed: "passed",
  skipped: "skipped",
};

/** One requirement in one test: the unit of junit.xml. */
export interface Scenario {
  readonly requirement: RequirementResult;
  readonly test: string | null;
  readonly status: VerdictStatus;
  /** Messages of the checks that decided the status, or skip reasons. */
  readonly details: readonly string[];
}

/** Every (requirement, test) pair; a requirement no test ran is one scenario with no test. */
export function scenariosOf(report: ConformanceReport): Scenario[] {
  const out: Scenario[] = [];
  for (const r of report.requirements) {
    if (r.tests.length === 0) {
      out.push({ requirement: r, test: null, status: r.status, details: [r.reason] });
      continue;
    }
    for (const t of r.tests) {
      const checks = r.checks.filter((c) => c.test === t);
      let status: VerdictStatus = "skipped";
      for (const c of checks) if (STATUS_RANK[c.status] > STATUS_RANK[status]) status = c.status;
      const deciding = checks.filter((c) => c.status === status);
      const details = deciding.map((c) => (status === "skipped" ? `${c.check}: ${c.reason ?? "skipped"}` : status === "passed" ? c.check : `${c.check}: ${c.message ?? ""}`));
      out.push({ requirement: r, test: t, status, details });
    }
  }
  return out;
}

/** Counts per display status, from the requirements themselves (what every format must agree on). */
export function countsOf(report: ConformanceReport): { passed: number; failed: number; error: number; warned: number; skipped: number; expected: number } {
  const c = { passed: 0, failed: 0, error: 0, warned: 0, skipped: 0, expected: 0 };
  for (const r of report.requirements) {
    c[r.status]++;
    if (r.status === "failed" && r.expected) c.expected++;
  }
  return c;
}

/** Order for "failures first": failed, error, expected, warned, passed, skipped. */
export const DISPLAY_ORDER: readonly DisplayStatus[] = ["failed", "error", "expected", "warned", "passed", "skipped"];

/** "MUST", or "MUST, SHOULD": the clause levels behind a failed, error or warned requirement. */
export function clauseLevels(r: RequirementResult): string {
  return (r.clauses && r.clauses.length ? r.clauses : [r.level]).join(", ");
}

export function firstLine(text: string, max = 240): string {
  const line = (text.split("\n")[0] ?? "").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
