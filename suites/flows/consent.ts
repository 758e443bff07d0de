import type { ProtocolClient } from "../http/client.ts";
import type { AppIdentity } from "../targets/schema.ts";
import type { Target } from "../targets/target.ts";
import { AdminSession } from "./admin.ts";
import { FlowError } from "./login.ts";

/**
 * `base`, or on a target whose state persists between tests (no reset) a throwaway app of the same
 * type with the same scopes, registered through the admin console (ADMIN). For checks whose effects
 * would otherwise reach other tests running against the same server (revoking an installation kills
 * every token other tests hold), or that need an app no user has approved yet. Without ADMIN on
 * such a target the kit cannot make sure of either, and says so (the caller's IDs become `error`).
 */
export async function ownApp(client: ProtocolClient, target: Target, fresh: boolean, base: AppIdentity, why: string): Promise<AppIdentity> {
  if (fresh) return base;
  const missing = target.missing("admin");
  if (missing !== null) throw new FlowError(`the target keeps its state between tests, so ${why}, and the kit cannot register an app of its own (${missing})`);
  const admin = await AdminSession.open(client, target);
  const scopes = base.scopes.filter((s) => target.scopes.includes(s));
  const { page: _page, ...app } = await admin.registerIdentity(base.clientSecret ? "confidential" : "public", scopes.length ? scopes : base.scopes);
  return app;
}

/**
 * A confidential app that no user has approved yet, for checks that need its consent page.
 * CONSENT-08 lets a confidential client skip consent while a grant covers the request, so on a
 * shared server CONF may already hold the member's grant from another test.
 */
export function unapprovedConfidential(client: ProtocolClient, target: Target, fresh: boolean): Promise<AppIdentity> {
  return ownApp(client, target, fresh, target.apps.conf, `${target.apps.conf.clientId} may already hold a grant that skips consent`);
}

/** An app whose installation a test may revoke without ending the tokens other tests of the run hold. */
export function appToUninstall(client: ProtocolClient, target: Target, fresh: boolean, base: AppIdentity = target.apps.conf): Promise<AppIdentity> {
  return ownApp(client, target, fresh, base, `revoking ${base.clientId}'s installation would end the tokens other tests hold`);
}
