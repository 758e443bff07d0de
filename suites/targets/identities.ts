import type { AppIdentity, TargetFile } from "./schema.ts";

/**
 * What the target file says about its apps, as the checks need it: which apps exist to cross-test
 * (CODE-05, REFRESH-07) and which scopes of the scope reference an app is not registered for
 * (AUTHZ-06, CC-04, REFRESH-06). Nothing here assumes the mock's fixtures.
 */

export type AppRole = keyof TargetFile["apps"];

export interface NamedApp {
  /** The role the target file gives it: conf, conf2, spa or cli. */
  readonly role: AppRole;
  readonly app: AppIdentity;
}

const ROLES: readonly AppRole[] = ["conf", "conf2", "spa", "cli"];

/** Every app the target file names, once per client_id, in a stable order. */
export function namedApps(apps: TargetFile["apps"]): NamedApp[] {
  const seen = new Set<string>();
  const out: NamedApp[] = [];
  for (const role of ROLES) {
    const app = apps[role];
    if (!app || seen.has(app.clientId)) continue;
    seen.add(app.clientId);
    out.push({ role, app });
  }
  return out;
}

export interface CrossPair {
  /** The app the code or token was issued to. */
  readonly owner: NamedApp;
  /** The app that presents it, authenticated as itself. */
  readonly presenter: NamedApp;
}

/** Every ordered pair of two distinct apps: a credential of `owner` presented by `presenter`. */
export function crossClientPairs(apps: TargetFile["apps"]): CrossPair[] {
  const named = namedApps(apps);
  return named.flatMap((owner) => named.filter((p) => p.app.clientId !== owner.app.clientId).map((presenter) => ({ owner, presenter })));
}

/** Why there is nothing to cross-test, or null when the file names at least two distinct apps. */
export function crossClientMissing(apps: TargetFile["apps"]): string | null {
  const n = namedApps(apps).length;
  return n >= 2 ? null : `the target file names ${n} distinct app${n === 1 ? "" : "s"}; a cross-client check needs two`;
}

export function describeApp(n: NamedApp): string {
  return `${n.role.toUpperCase()} (${n.app.clientId})`;
}

/** Scopes of the scope reference the app is not registered for (the catalogue's `write:deals` probe for CONF). */
export function unregisteredScopes(reference: readonly string[], app: Pick<AppIdentity, "scopes">): string[] {
  const registered = new Set(app.scopes);
  return reference.filter((s) => !registered.has(s));
}

/** The reason a check of an unregistered but existing scope is skipped, or null when there is one. */
export function unregisteredMissing(reference: readonly string[], app: Pick<AppIdentity, "clientId" | "scopes">): string | null {
  return unregisteredScopes(reference, app).length > 0 ? null : `${app.clientId} is registered for every scope of the target's scope reference (${reference.join(" ")}), so there is no existing scope it lacks`;
}
