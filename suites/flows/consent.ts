import type { ProtocolClient } from "../http/client.ts";
import type { AppIdentity } from "../targets/schema.ts";
import type { Target } from "../targets/target.ts";
import { AdminSession } from "./admin.ts";
import { FlowError } from "./login.ts";

/**
 * A confidential app that no user has approved yet, for checks that need its consent page.
 * CONSENT-08 lets a confidential client skip consent while a grant covers the request, so on a
 * target whose state persists between tests (no reset), CONF may already hold the member's grant
 * from another test. There the kit registers a throwaway app with CONF's scopes (ADMIN); without
 * ADMIN it cannot make sure of a consent page, and says so (the caller's IDs become `error`).
 */
export async function unapprovedConfidential(client: ProtocolClient, target: Target, fresh: boolean): Promise<AppIdentity> {
  if (fresh) return target.apps.conf;
  const why = target.missing("admin");
  if (why !== null) throw new FlowError(`the target keeps its state between tests, so ${target.apps.conf.clientId} may already hold a grant that skips consent, and the kit cannot register a fresh confidential app (${why})`);
  const admin = await AdminSession.open(client, target);
  const scopes = target.apps.conf.scopes.filter((s) => target.scopes.includes(s));
  const { page: _page, ...app } = await admin.registerIdentity("confidential", scopes.length ? scopes : target.apps.conf.scopes);
  return app;
}
