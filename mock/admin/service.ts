import { HttpError } from "../errors.ts";
import { validateRedirectUriForRegistration } from "../oauth/redirect-uri.ts";
import type { ApiKey, App, Store, User } from "../store.ts";

/**
 * Admin operations shared by the console pages and the JSON admin API, so the
 * two can never disagree on validation (REG-04, REG-05) or on what is shown.
 */

export type ClientType = "public" | "confidential";

export interface RegisterInput {
  readonly name: string;
  readonly type: string;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
}

const invalid = (detail: string) => new HttpError(400, detail, {}, "invalid_request");

/** Validates and registers an app in the admin's workspace; the secret is returned to be shown once (REG-01..05). */
export function registerApp(store: Store, workspaceId: string, input: RegisterInput): { app: App; secret: string | null } {
  const name = input.name.trim();
  if (name === "" || name.length > 100) throw invalid("Give the app a name of 1 to 100 characters.");
  if (input.type !== "public" && input.type !== "confidential") throw invalid('The client type must be "public" or "confidential".');
  const type: ClientType = input.type;
  if (input.redirectUris.length === 0) throw invalid("Add at least one redirect URI.");
  if (input.redirectUris.length > 20) throw invalid("Register at most 20 redirect URIs.");
  for (const uri of input.redirectUris) {
    const verdict = validateRedirectUriForRegistration(uri, type);
    if (!verdict.ok) throw invalid(`Redirect URI "${uri}" is not allowed: ${verdict.reason}`);
  }
  if (input.scopes.length === 0) throw invalid("Choose at least one scope.");
  for (const scope of input.scopes) if (!store.scopeReference.has(scope)) throw invalid(`Unknown scope "${scope}"; choose scopes from the scope reference.`);
  // Stored exactly as given (REG-04: no normalisation); exact duplicates collapse.
  return store.registerApp({ name, workspaceId, type, redirectUris: [...new Set(input.redirectUris)], scopes: [...new Set(input.scopes)] });
}

/** A live app registered in this workspace; anything else is 404, as if it did not exist. */
export function appInWorkspace(store: Store, workspaceId: string, clientId: string): App {
  const app = store.liveApp(clientId);
  // Fault admin-cross-workspace (INSTALL-02): an admin reaches another workspace's app by its client_id.
  if (!app || (app.workspaceId !== workspaceId && !store.faults.has("admin-cross-workspace"))) throw new HttpError(404, "No such app in this workspace.");
  return app;
}

export function rotateSecret(store: Store, app: App): string {
  if (app.type !== "confidential") throw invalid("Public clients have no secret.");
  return store.rotateSecret(app);
}

export function appsOf(store: Store, workspaceId: string): App[] {
  return [...store.apps.values()].filter((a) => a.workspaceId === workspaceId && a.deletedAt === null).sort((a, b) => a.name.localeCompare(b.name) || a.clientId.localeCompare(b.clientId));
}

/** The masked form of a secret: its last four characters only (REG-02). */
export function maskedHint(hint: string | null): string | null {
  return hint === null ? null : `••••${hint}`;
}

export interface Authorization {
  readonly kind: "authorization_code" | "client_credentials";
  /** The consenting user's email; null for client credentials (the app itself, AMB-17). */
  readonly user: string | null;
  readonly authorizedAt: string;
  readonly scopes: readonly string[];
}

export interface Installation {
  readonly clientId: string;
  readonly name: string;
  readonly type: ClientType;
  /** Union of the scopes granted by the live authorizations. */
  readonly scopes: readonly string[];
  readonly authorizations: readonly Authorization[];
}

export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Every app holding a live grant in the workspace, with who authorized it and when (INSTALL-03). */
export function installations(store: Store, workspaceId: string): Installation[] {
  const byClient = new Map<string, Authorization[]>();
  const grants = store.liveGrantsInWorkspace(workspaceId).sort((a, b) => a.createdAt - b.createdAt);
  for (const g of grants) {
    const user = g.principal.kind === "user" ? (store.users.get(g.principal.userId)?.email ?? null) : null;
    const list = byClient.get(g.clientId) ?? [];
    list.push({ kind: g.kind, user, authorizedAt: iso(g.createdAt), scopes: [...g.scope] });
    byClient.set(g.clientId, list);
  }
  const out: Installation[] = [];
  for (const [clientId, authorizations] of byClient) {
    const app = store.liveApp(clientId);
    if (!app) continue;
    const scopes = [...store.scopeReference.keys()].filter((s) => authorizations.some((a) => a.scopes.includes(s)));
    out.push({ clientId, name: app.name, type: app.type, scopes, authorizations });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.clientId.localeCompare(b.clientId));
}

export function keysOf(store: Store, workspaceId: string): ApiKey[] {
  return [...store.apiKeys.values()].filter((k) => k.workspaceId === workspaceId).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export function keyInWorkspace(store: Store, workspaceId: string, keyId: string): ApiKey {
  const key = keysOf(store, workspaceId).find((k) => k.id === keyId);
  if (!key) throw new HttpError(404, "No such API key in this workspace.");
  return key;
}

export function createApiKey(store: Store, workspaceId: string, name: string): { raw: string; key: ApiKey } {
  const trimmed = name.trim();
  if (trimmed === "" || trimmed.length > 100) throw invalid("Give the key a name of 1 to 100 characters.");
  return store.createApiKey(workspaceId, trimmed);
}

export function membersOf(store: Store, workspaceId: string): User[] {
  return [...store.users.values()].filter((u) => u.workspaceId === workspaceId).sort((a, b) => a.email.localeCompare(b.email));
}

/** Offboards a member of the admin's workspace: their grants die, app tokens do not (INSTALL-05). */
export function deactivateMember(store: Store, admin: User, idOrEmail: string): User {
  const user = membersOf(store, admin.workspaceId).find((u) => u.id === idOrEmail || u.email === idOrEmail);
  if (!user) throw new HttpError(404, "No such user in this workspace.");
  if (user.id === admin.id) throw invalid("You cannot deactivate yourself.");
  store.deactivateUser(user);
  return user;
}

export function appJson(app: App) {
  return {
    client_id: app.clientId,
    name: app.name,
    type: app.type,
    redirect_uris: [...app.redirectUris],
    scopes: [...app.scopes],
    secret_hint: maskedHint(app.secretHint),
    created_at: iso(app.createdAt),
  };
}

export function installationJson(i: Installation) {
  return {
    client_id: i.clientId,
    name: i.name,
    type: i.type,
    scopes: [...i.scopes],
    authorizations: i.authorizations.map((a) => ({ kind: a.kind, user: a.user, authorized_at: a.authorizedAt, scopes: [...a.scopes] })),
  };
}

export function keyJson(k: ApiKey) {
  return { id: k.id, name: k.name, hint: maskedHint(k.hint), created_at: iso(k.createdAt), revoked_at: k.revokedAt === null ? null : iso(k.revokedAt) };
}

export function userJson(u: User) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, active: u.active, permissions: [...u.permissions].sort() };
}
