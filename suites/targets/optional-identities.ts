/**
 * The target file's optional identities and the requirement IDs whose checks are skipped (in part
 * or whole) without each. Capability `multi` needs conf2, restricted and secondWorkspace together
 * (target.ts `capabilityReasons`), so every ID whose catalogue entry needs `multi` counts for each of
 * them; the rest is what the specs skip by name when the identity is absent.
 */
import { REQUIREMENTS } from "../registry/index.ts";
import type { Capability } from "../registry/types.ts";

export interface OptionalIdentity {
  /** Where it sits in the target file. */
  readonly path: "apps.conf2" | "apps.cli" | "users.restricted" | "users.secondWorkspace" | "users.secondWorkspaceAdmin" | "apiKey";
  /** What it is, as the catalogue's roles say it. */
  readonly what: string;
  /** A capability the target lacks without it (target.ts). */
  readonly capability?: Capability;
  /** IDs the specs skip by name without it, beyond those of the capability. */
  readonly ids: readonly string[];
}

export const OPTIONAL_IDENTITIES: readonly OptionalIdentity[] = [
  { path: "apps.conf2", what: "CONF2: a second confidential app", capability: "multi", ids: [] },
  { path: "apps.cli", what: "CLI: a public native app with port-less loopback redirect URIs (RFC 8252)", ids: ["AUTHZ-04", "CODE-06", "CC-03", "REFRESH-03"] },
  { path: "users.restricted", what: "USR-R: a member of WS-A without deals access", capability: "multi", ids: ["CONSENT-09"] },
  { path: "users.secondWorkspace", what: "USR-B: a member of a second workspace WS-B", capability: "multi", ids: ["API-10", "INSTALL-02", "CC-05"] },
  { path: "users.secondWorkspaceAdmin", what: "ADM-B: the admin of WS-B", ids: ["INSTALL-02"] },
  { path: "apiKey", what: "KEY-A: a static API key of WS-A", ids: ["REVOKE-07"] },
];

/** The IDs whose checks are skipped, in part or whole, when the identity at `path` is absent. */
export function skippedWithout(identity: OptionalIdentity): string[] {
  const byCapability = identity.capability ? REQUIREMENTS.filter((r) => r.needs.includes(identity.capability as Capability)).map((r) => r.id) : [];
  const all = new Set([...byCapability, ...identity.ids]);
  return REQUIREMENTS.map((r) => r.id).filter((id) => all.has(id));
}

/** The `$comment` `init` writes on an optional identity. */
export function optionalIdentityComment(identity: OptionalIdentity): string {
  const ids = skippedWithout(identity);
  const cap = identity.capability ? ` (with the other identities of capability "${identity.capability}")` : "";
  return `Optional: ${identity.what}. Remove this entry if the target has none; without it${cap} checks of ${ids.join(", ")} are skipped.`;
}
