/** Requirement levels of the catalogue (§0.1). */
export type Level = "MUST" | "SHOULD" | "PACT-PROFILE";

export const GROUPS = [
  "REG", "AUTHZ", "PKCE", "CONSENT", "CODE", "TOKEN", "REFRESH", "CC", "REVOKE", "API", "INSTALL", "KEY", "SEC", "META",
] as const;
export type Group = (typeof GROUPS)[number];

/** What a test needs from its target (§0.2). */
export const CAPABILITIES = ["http", "session", "browser", "code", "clock", "admin", "multi", "race", "timing"] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * One clause of an entry's level. `scope` names what the clause covers, as the catalogue
 * words it ("error code", "the access tokens"); null when the level covers the whole entry.
 * `pactLevel` is set where the Pact profile raises the clause ("SHOULD (PACT-PROFILE: MUST)").
 */
export interface Clause {
  readonly level: Level;
  readonly scope: string | null;
  readonly pactLevel?: "MUST";
}

export interface Requirement {
  readonly id: string;
  readonly group: Group;
  readonly title: string;
  /** The level of the first clause: the entry's headline level. */
  readonly level: Level;
  /** The catalogue's level line as written. */
  readonly levelText: string;
  readonly clauses: readonly Clause[];
  readonly source: string;
  readonly needs: readonly Capability[];
  readonly needsText: string;
  readonly summary: string;
  /** Statistical checks that never block a run on their own, even with --strict (SEC-04). */
  readonly advisory?: boolean;
}
