import type { Clock } from "./clock.ts";
import { FaultSet } from "./faults.ts";
import type { Fixtures } from "./fixtures.ts";
import { PREFIX, digest, matchesDigest, newId, newSecret } from "./secrets.ts";

/** Lifetimes in seconds (catalogue AMB-10, AMB-12). */
export const LIFETIME_S = {
  accessToken: 3600,
  refreshToken: 30 * 24 * 3600,
  code: 60,
  session: 12 * 3600,
  transaction: 10 * 60,
} as const;

export type Permission = "contacts" | "deals";

export interface Workspace {
  readonly id: string;
  readonly name: string;
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly workspaceId: string;
  role: "admin" | "member";
  permissions: ReadonlySet<Permission>;
  active: boolean;
  readonly passwordDigest: string;
}

export interface App {
  readonly clientId: string;
  name: string;
  readonly workspaceId: string;
  readonly type: "public" | "confidential";
  secretDigest: string | null;
  /** Last four characters of the current secret, for the admin console. */
  secretHint: string | null;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly createdAt: number;
  deletedAt: number | null;
}

/** Who a grant acts as: a user (authorization code) or the app itself (client credentials, AMB-17). */
export type Principal = { readonly kind: "user"; readonly userId: string } | { readonly kind: "app"; readonly clientId: string };

export interface Grant {
  readonly id: string;
  readonly kind: "authorization_code" | "client_credentials";
  readonly clientId: string;
  readonly workspaceId: string;
  readonly principal: Principal;
  /** The scope the resource owner approved; refreshes may narrow per request but never widen it. */
  readonly scope: readonly string[];
  readonly createdAt: number;
  revokedAt: number | null;
}

export interface AuthCode {
  readonly digest: string;
  readonly clientId: string;
  readonly userId: string;
  readonly workspaceId: string;
  readonly redirectUri: string;
  readonly scope: readonly string[];
  readonly codeChallenge: string;
  readonly expiresAt: number;
  consumedAt: number | null;
  revokedAt: number | null;
  /** The grant its first redemption created, so a replay can revoke it (CODE-02). */
  grantId: string | null;
}

export interface AccessToken {
  readonly digest: string;
  readonly grantId: string;
  readonly scope: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  revokedAt: number | null;
}

export interface RefreshToken {
  readonly digest: string;
  readonly grantId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Set when the token was exchanged for a successor; presenting it again is reuse (REFRESH-04). */
  rotatedAt: number | null;
  revokedAt: number | null;
}

export interface ApiKey {
  readonly id: string;
  readonly digest: string;
  readonly hint: string;
  readonly name: string;
  readonly workspaceId: string;
  readonly createdAt: number;
  revokedAt: number | null;
}

export interface Session {
  readonly digest: string;
  readonly userId: string;
  /** Per-session anti-CSRF token, embedded in every form the session is shown. */
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export interface Contact {
  readonly id: string;
  readonly workspaceId: string;
  name: string;
  email: string;
  company: string;
}

export interface Deal {
  readonly id: string;
  readonly workspaceId: string;
  title: string;
  amount: number;
  stage: string;
  contactId: string;
}

/** What a bearer credential resolves to on /v1 (API-01, KEY-01). */
export type BearerPrincipal =
  | { readonly kind: "token"; readonly token: AccessToken; readonly grant: Grant; readonly workspaceId: string; readonly scope: readonly string[]; readonly user: User | null }
  | { readonly kind: "apiKey"; readonly key: ApiKey; readonly workspaceId: string };

interface GrantTokens {
  readonly access: Set<string>;
  readonly refresh: Set<string>;
}

const workspaceOf = (objectId: string, workspaces: Iterable<Workspace>): string => {
  for (const w of workspaces) if (objectId.startsWith(`${w.id}_`)) return w.id;
  throw new Error(`object ${objectId} has no workspace prefix`);
};

/**
 * All of the mock's state, in memory. Raw secrets (tokens, codes, client
 * secrets, keys, session ids) are never stored: maps are keyed by their
 * SHA-256 digest, so no dump, journal or error can print one.
 */
export class Store {
  readonly scopeReference = new Map<string, string>();
  readonly workspaces = new Map<string, Workspace>();
  readonly users = new Map<string, User>();
  readonly apps = new Map<string, App>();
  readonly grants = new Map<string, Grant>();
  readonly codes = new Map<string, AuthCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly apiKeys = new Map<string, ApiKey>();
  readonly sessions = new Map<string, Session>();
  readonly contacts = new Map<string, Contact>();
  readonly deals = new Map<string, Deal>();
  private readonly tokensByGrant = new Map<string, GrantTokens>();
  private readonly ccGrantIndex = new Map<string, string>();
  private readonly resetHooks: Array<() => void> = [];
  private sequence = 0;

  constructor(
    private readonly fixtures: Fixtures,
    readonly clock: Clock,
    /** Active fault injections (mock/faults.ts); reset() leaves them alone. */
    readonly faults: FaultSet = new FaultSet(),
  ) {
    this.seed();
  }

  /** Back to the fixtures; modules with their own state register a hook. */
  reset(): void {
    for (const m of [this.scopeReference, this.workspaces, this.users, this.apps, this.grants, this.codes, this.accessTokens, this.refreshTokens, this.apiKeys, this.sessions, this.contacts, this.deals, this.tokensByGrant, this.ccGrantIndex])
      m.clear();
    this.seed();
    for (const hook of this.resetHooks) hook();
  }

  onReset(hook: () => void): void {
    this.resetHooks.push(hook);
  }

  private seed(): void {
    const fx = this.fixtures;
    const now = this.clock.now();
    for (const s of fx.scopes) this.scopeReference.set(s.name, s.description);
    for (const w of fx.workspaces) this.workspaces.set(w.id, { id: w.id, name: w.name });
    const passwordDigest = digest(fx.password);
    for (const u of fx.users)
      this.users.set(u.id, {
        id: u.id,
        email: u.email,
        name: u.name,
        workspaceId: u.workspace,
        role: u.role,
        permissions: new Set(u.permissions),
        active: true,
        passwordDigest,
      });
    for (const a of fx.apps)
      this.apps.set(a.clientId, {
        clientId: a.clientId,
        name: a.name,
        workspaceId: a.workspace,
        type: a.type,
        secretDigest: a.clientSecret ? digest(a.clientSecret) : null,
        secretHint: a.clientSecret ? a.clientSecret.slice(-4) : null,
        redirectUris: [...a.redirectUris],
        scopes: [...a.scopes],
        createdAt: now,
        deletedAt: null,
      });
    for (const k of fx.apiKeys)
      this.apiKeys.set(digest(k.key), { id: k.id, digest: digest(k.key), hint: k.key.slice(-4), name: k.name, workspaceId: k.workspace, createdAt: now, revokedAt: null });
    const workspaces = [...this.workspaces.values()];
    for (const c of fx.contacts) this.contacts.set(c.id, { ...c, workspaceId: workspaceOf(c.id, workspaces) });
    for (const d of fx.deals) this.deals.set(d.id, { ...d, workspaceId: workspaceOf(d.id, workspaces) });
  }

  now(): number {
    return this.clock.now();
  }

  /** A fresh, sortable object id within a workspace (`acme_ct_…`). */
  nextObjectId(workspaceId: string, kind: "ct" | "dl"): string {
    this.sequence += 1;
    return `${workspaceId}_${kind}_n${String(this.sequence).padStart(6, "0")}`;
  }

  // ---- users and sessions -------------------------------------------------

  userByEmail(email: string): User | undefined {
    for (const u of this.users.values()) if (u.email === email) return u;
    return undefined;
  }

  /** Checks a password in constant time; inactive users cannot log in. */
  authenticateUser(email: string, password: string): User | null {
    const user = this.userByEmail(email);
    // Compare even for an unknown user so timing does not reveal which emails exist.
    const ok = matchesDigest(password, user?.passwordDigest ?? digest(`\u0000${password}`));
    return user && user.active && ok ? user : null;
  }

  createSession(userId: string): { raw: string; session: Session } {
    const raw = newSecret(PREFIX.session);
    const session: Session = { digest: digest(raw), userId, csrfToken: newSecret(PREFIX.csrf), expiresAt: this.now() + LIFETIME_S.session * 1000 };
    this.sessions.set(session.digest, session);
    return { raw, session };
  }

  /** The live session for a raw cookie value, with its active user. */
  findSession(raw: string | undefined): { session: Session; user: User } | null {
    if (!raw) return null;
    const session = this.sessions.get(digest(raw));
    if (!session || session.expiresAt <= this.now()) return null;
    const user = this.users.get(session.userId);
    return user && user.active ? { session, user } : null;
  }

  endSession(raw: string | undefined): void {
    if (raw) this.sessions.delete(digest(raw));
  }

  // ---- apps ---------------------------------------------------------------

  /** A registered, not-deleted app. Lookup is exact and case-sensitive (AUTHZ-02). */
  liveApp(clientId: string | undefined): App | undefined {
    if (clientId === undefined) return undefined;
    const app = this.apps.get(clientId);
    return app && app.deletedAt === null ? app : undefined;
  }

  /** Checks a confidential client's secret in constant time. */
  verifyClientSecret(app: App, presented: string): boolean {
    // Always hash-compare, even for an app without a secret, so timing is uniform.
    return matchesDigest(presented, app.secretDigest ?? digest(`\u0000no-secret\u0000${presented}`)) && app.secretDigest !== null;
  }

  registerApp(input: { name: string; workspaceId: string; type: "public" | "confidential"; redirectUris: string[]; scopes: string[] }): { app: App; secret: string | null } {
    const secret = input.type === "confidential" ? newSecret(PREFIX.clientSecret) : null;
    const app: App = {
      clientId: newId("pact_client_"),
      name: input.name,
      workspaceId: input.workspaceId,
      type: input.type,
      secretDigest: secret ? digest(secret) : null,
      secretHint: secret ? this.secretHint(secret) : null,
      redirectUris: [...input.redirectUris],
      scopes: [...input.scopes],
      createdAt: this.now(),
      deletedAt: null,
    };
    this.apps.set(app.clientId, app);
    return { app, secret };
  }

  /** Replaces a confidential app's secret at once; issued tokens survive (INSTALL-04). */
  rotateSecret(app: App): string {
    const secret = newSecret(PREFIX.clientSecret);
    app.secretDigest = digest(secret);
    app.secretHint = this.secretHint(secret);
    return secret;
  }

  /** The masked hint kept for a new secret: its last four characters (REG-02). */
  private secretHint(secret: string): string {
    // Fault secret-shown-again (REG-02): the whole secret becomes the hint the console shows.
    if (this.faults.has("secret-shown-again")) return secret;
    return secret.slice(-4);
  }

  /**
   * Deletes an app (INSTALL-04): its grants stop being live (grantIsLive), so its
   * tokens die in every workspace, and it can no longer authenticate, so its codes
   * and refresh tokens cannot be redeemed.
   */
  deleteApp(app: App): void {
    app.deletedAt = this.now();
  }

  // ---- codes, grants and tokens -------------------------------------------

  issueCode(input: Omit<AuthCode, "digest" | "expiresAt" | "consumedAt" | "revokedAt" | "grantId">): string {
    const raw = newSecret(PREFIX.code);
    // Fault code-never-expires (CODE-04): no lifetime at all.
    const expiresAt = this.faults.has("code-never-expires") ? Number.POSITIVE_INFINITY : this.now() + LIFETIME_S.code * 1000;
    this.codes.set(digest(raw), { ...input, digest: digest(raw), expiresAt, consumedAt: null, revokedAt: null, grantId: null });
    return raw;
  }

  findCode(raw: string): AuthCode | undefined {
    return this.codes.get(digest(raw));
  }

  createGrant(input: Omit<Grant, "id" | "createdAt" | "revokedAt">): Grant {
    const grant: Grant = { ...input, id: newId("grant_"), createdAt: this.now(), revokedAt: null };
    this.grants.set(grant.id, grant);
    this.tokensByGrant.set(grant.id, { access: new Set(), refresh: new Set() });
    return grant;
  }

  /**
   * The app's live client-credentials grant for this scope, created on first
   * use. Tokens issued under it are revoked one by one (REVOKE-04) or all
   * together by an uninstall or delete (INSTALL-01, INSTALL-04), so sharing the
   * grant changes no observable behaviour and keeps memory per token small.
   */
  clientCredentialsGrant(clientId: string, workspaceId: string, scope: readonly string[]): Grant {
    const key = `${clientId}\u0000${workspaceId}\u0000${[...scope].sort().join(" ")}`;
    const existing = this.ccGrantIndex.get(key);
    const grant = existing === undefined ? undefined : this.grants.get(existing);
    if (grant && this.grantIsLive(grant)) return grant;
    const created = this.createGrant({ kind: "client_credentials", clientId, workspaceId, principal: { kind: "app", clientId }, scope: [...scope] });
    this.ccGrantIndex.set(key, created.id);
    return created;
  }

  issueAccessToken(grant: Grant, scope: readonly string[]): { raw: string; token: AccessToken } {
    const raw = newSecret(PREFIX.accessToken);
    const now = this.now();
    // Fault api-expired-token-accepted (API-05): the token never expires on /v1.
    const expiresAt = this.faults.has("api-expired-token-accepted") ? Number.POSITIVE_INFINITY : now + LIFETIME_S.accessToken * 1000;
    // Most tokens carry their grant's whole scope: share that array instead of copying it.
    const tokenScope = scope === grant.scope || (scope.length === grant.scope.length && scope.every((v, i) => v === grant.scope[i])) ? grant.scope : [...scope];
    const token: AccessToken = { digest: digest(raw), grantId: grant.id, scope: tokenScope, issuedAt: now, expiresAt, revokedAt: null };
    this.accessTokens.set(token.digest, token);
    this.tokensByGrant.get(grant.id)?.access.add(token.digest);
    return { raw, token };
  }

  issueRefreshToken(grant: Grant): { raw: string; token: RefreshToken } {
    const raw = newSecret(PREFIX.refreshToken);
    const now = this.now();
    // Fault refresh-never-expires (REFRESH-02): no 30-day lifetime.
    const expiresAt = this.faults.has("refresh-never-expires") ? Number.POSITIVE_INFINITY : now + LIFETIME_S.refreshToken * 1000;
    const token: RefreshToken = { digest: digest(raw), grantId: grant.id, issuedAt: now, expiresAt, rotatedAt: null, revokedAt: null };
    this.refreshTokens.set(token.digest, token);
    this.tokensByGrant.get(grant.id)?.refresh.add(token.digest);
    return { raw, token };
  }

  findAccessToken(raw: string): AccessToken | undefined {
    return this.accessTokens.get(digest(raw));
  }

  findRefreshToken(raw: string): RefreshToken | undefined {
    return this.refreshTokens.get(digest(raw));
  }

  /**
   * A grant is alive while not revoked, its app not deleted and its user active.
   * This is the one place those three end a grant's tokens: revoking, deleting an
   * app and offboarding a user change the grant, app or user, never each token.
   */
  grantIsLive(grant: Grant): boolean {
    if (grant.revokedAt !== null) return false;
    const app = this.apps.get(grant.clientId);
    if (!app || app.deletedAt !== null) return false;
    if (grant.principal.kind === "user") {
      const user = this.users.get(grant.principal.userId);
      if (!user || !user.active) return false;
    }
    return true;
  }

  accessTokenIsLive(token: AccessToken): boolean {
    const grant = this.grants.get(token.grantId);
    return token.revokedAt === null && token.expiresAt > this.now() && grant !== undefined && this.grantIsLive(grant);
  }

  /** Revokes a grant: every access and refresh token it holds dies with it (grantIsLive; REVOKE-03, REFRESH-04, CODE-02). */
  revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (grant) grant.revokedAt ??= this.now();
  }

  /** Revokes one access token only (REVOKE-04). */
  revokeAccessToken(token: AccessToken): void {
    token.revokedAt ??= this.now();
  }

  /**
   * An admin's Revoke in the Installed tab: every grant of the app in the
   * workspace, its client-credentials tokens and its unredeemed codes (INSTALL-01, AMB-13).
   */
  revokeInstallation(clientId: string, workspaceId: string): void {
    // Fault install-revoke-noop (INSTALL-01).
    if (this.faults.has("install-revoke-noop")) return;
    const now = this.now();
    for (const g of this.grants.values()) if (g.clientId === clientId && g.workspaceId === workspaceId) this.revokeGrant(g.id);
    for (const c of this.codes.values()) if (c.clientId === clientId && c.workspaceId === workspaceId && c.revokedAt === null) c.revokedAt = now;
  }

  /** Deactivates a user: their grants stop being live (grantIsLive), client-credentials tokens do not; their sessions end (INSTALL-05). */
  deactivateUser(user: User): void {
    user.active = false;
    for (const [d, s] of this.sessions) if (s.userId === user.id) this.sessions.delete(d);
  }

  private grantHasLiveTokens(grantId: string): boolean {
    const now = this.now();
    const tokens = this.tokensByGrant.get(grantId);
    if (!tokens) return false;
    for (const d of tokens.refresh) {
      const t = this.refreshTokens.get(d);
      if (t && t.revokedAt === null && t.rotatedAt === null && t.expiresAt > now) return true;
    }
    for (const d of tokens.access) {
      const t = this.accessTokens.get(d);
      if (t && t.revokedAt === null && t.expiresAt > now) return true;
    }
    return false;
  }

  // ---- API keys -----------------------------------------------------------

  createApiKey(workspaceId: string, name: string): { raw: string; key: ApiKey } {
    const raw = newSecret(PREFIX.apiKey);
    const key: ApiKey = { id: newId("key_"), digest: digest(raw), hint: raw.slice(-4), name, workspaceId, createdAt: this.now(), revokedAt: null };
    this.apiKeys.set(key.digest, key);
    return { raw, key };
  }

  findApiKey(raw: string): ApiKey | undefined {
    return this.apiKeys.get(digest(raw));
  }

  /** Revokes an API key at once (KEY-03). */
  revokeApiKey(key: ApiKey): void {
    // Fault key-revoke-noop (KEY-03).
    if (this.faults.has("key-revoke-noop")) return;
    key.revokedAt ??= this.now();
  }

  /**
   * Live grants of either kind in a workspace that still hold a usable token:
   * the Installed tab also lists apps holding only client-credentials tokens,
   * since Revoke ends those too (INSTALL-01, AMB-13).
   */
  liveGrantsInWorkspace(workspaceId: string): Grant[] {
    return [...this.grants.values()].filter((g) => g.workspaceId === workspaceId && this.grantIsLive(g) && this.grantHasLiveTokens(g.id));
  }

  // ---- bearer credentials ---------------------------------------------------

  /** Resolves a presented bearer credential (token or API key) to its principal, or null when it is not live. */
  resolveBearer(raw: string): BearerPrincipal | null {
    const token = this.findAccessToken(raw);
    if (token) {
      const grant = this.grants.get(token.grantId);
      if (!grant || !this.accessTokenIsLive(token)) return null;
      const user = grant.principal.kind === "user" ? (this.users.get(grant.principal.userId) ?? null) : null;
      return { kind: "token", token, grant, workspaceId: grant.workspaceId, scope: token.scope, user };
    }
    const key = this.findApiKey(raw);
    if (key && key.revokedAt === null) return { kind: "apiKey", key, workspaceId: key.workspaceId };
    return null;
  }

  // ---- memory ---------------------------------------------------------------

  /**
   * Drops what can never be used again: expired codes, tokens and sessions,
   * and grants with nothing left. Called on a timer and after clock moves.
   */
  sweep(): { removed: number } {
    const now = this.now();
    let removed = 0;
    for (const [d, c] of this.codes) if (c.expiresAt <= now) (this.codes.delete(d), removed++);
    for (const [d, s] of this.sessions) if (s.expiresAt <= now) (this.sessions.delete(d), removed++);
    for (const [d, t] of this.accessTokens)
      if (t.expiresAt <= now) {
        this.accessTokens.delete(d);
        this.tokensByGrant.get(t.grantId)?.access.delete(d);
        removed++;
      }
    for (const [d, t] of this.refreshTokens)
      if (t.expiresAt <= now) {
        this.refreshTokens.delete(d);
        this.tokensByGrant.get(t.grantId)?.refresh.delete(d);
        removed++;
      }
    const referencedByCode = new Set<string>();
    for (const c of this.codes.values()) if (c.grantId !== null) referencedByCode.add(c.grantId);
    for (const [id, tokens] of this.tokensByGrant)
      if (tokens.access.size === 0 && tokens.refresh.size === 0) {
        if (!referencedByCode.has(id)) {
          this.tokensByGrant.delete(id);
          this.grants.delete(id);
          removed++;
        }
      }
    return { removed };
  }
}
