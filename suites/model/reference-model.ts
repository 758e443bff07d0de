/**
 * A small reference model of one public client's tokens, written from the
 * catalogue (not from any server's code). The model-based test runs the same
 * commands against a target and this model and compares after every step.
 *
 * Where the catalogue leaves a range (a code lives between 20 s and
 * CODE_TTL_MAX_S; expiry boundaries have SKEW_S leeway), the model answers
 * "either" and the test accepts both outcomes.
 */

export type Outcome = "ok" | "rejected";
export type Expectation = Outcome | "either";

export interface ModelParams {
  readonly skewS: number;
  readonly codeTtlMinS: number;
  readonly codeTtlMaxS: number;
  readonly accessTtlS: number;
  readonly refreshTtlS: number;
}

export const PACT_MODEL_PARAMS: ModelParams = { skewS: 60, codeTtlMinS: 20, codeTtlMaxS: 600, accessTtlS: 3600, refreshTtlS: 30 * 86400 };

interface ModelCode {
  readonly issuedAt: number;
  /** Redemption attempts so far; the first valid one creates `grant`. */
  redeemed: boolean;
  dead: boolean;
  grant: number | null;
}

interface ModelGrant {
  revoked: boolean;
}

interface ModelAccess {
  readonly grant: number;
  readonly issuedAt: number;
  revoked: boolean;
}

interface ModelRefresh {
  readonly grant: number;
  readonly issuedAt: number;
  rotated: boolean;
  revoked: boolean;
}

/** Opaque handles: the test keeps the real strings; the model keeps only these ids. */
export class ReferenceModel {
  now = 0;
  private nextId = 0;
  readonly codes = new Map<number, ModelCode>();
  readonly grants = new Map<number, ModelGrant>();
  readonly access = new Map<number, ModelAccess>();
  readonly refresh = new Map<number, ModelRefresh>();

  constructor(readonly params: ModelParams = PACT_MODEL_PARAMS) {}

  private id(): number {
    return this.nextId++;
  }

  advance(seconds: number): void {
    this.now += seconds;
  }

  /** A code was issued by Approve (CONSENT-03). */
  codeIssued(): number {
    const id = this.id();
    this.codes.set(id, { issuedAt: this.now, redeemed: false, dead: false, grant: null });
    return id;
  }

  /** What redeeming the code should give (CODE-01, CODE-04). */
  expectExchange(codeId: number): Expectation {
    const c = this.codes.get(codeId);
    if (!c || c.redeemed || c.dead) return "rejected";
    const age = this.now - c.issuedAt;
    if (age <= this.params.codeTtlMinS) return "ok";
    if (age >= this.params.codeTtlMaxS + this.params.skewS) return "rejected";
    return "either";
  }

  /**
   * Records a redemption's observed outcome. A successful one creates a grant
   * with one access and one refresh token; a replay of a redeemed code revokes
   * what it produced (CODE-02, Pact profile).
   */
  exchanged(codeId: number, outcome: Outcome): { grant: number; access: number; refresh: number } | null {
    const c = this.codes.get(codeId);
    if (!c) return null;
    if (outcome === "rejected") {
      if (c.redeemed && c.grant !== null) this.revokeGrant(c.grant);
      c.dead = true;
      return null;
    }
    c.redeemed = true;
    const grant = this.id();
    this.grants.set(grant, { revoked: false });
    c.grant = grant;
    return { grant, access: this.newAccess(grant), refresh: this.newRefresh(grant) };
  }

  private newAccess(grant: number): number {
    const id = this.id();
    this.access.set(id, { grant, issuedAt: this.now, revoked: false });
    return id;
  }

  private newRefresh(grant: number): number {
    const id = this.id();
    this.refresh.set(id, { grant, issuedAt: this.now, rotated: false, revoked: false });
    return id;
  }

  private grantLive(grant: number): boolean {
    return this.grants.get(grant)?.revoked === false;
  }

  /** Whether an API call with the access token should succeed (API-05, REVOKE-03/04, REFRESH-04). */
  expectApi(accessId: number): Expectation {
    const a = this.access.get(accessId);
    if (!a || a.revoked || !this.grantLive(a.grant)) return "rejected";
    const age = this.now - a.issuedAt;
    if (age <= this.params.accessTtlS - this.params.skewS) return "ok";
    if (age >= this.params.accessTtlS + this.params.skewS) return "rejected";
    return "either";
  }

  /** Whether refreshing should succeed (REFRESH-02, REFRESH-03, REFRESH-08). */
  expectRefresh(refreshId: number): Expectation {
    const r = this.refresh.get(refreshId);
    if (!r || r.revoked || r.rotated || !this.grantLive(r.grant)) return "rejected";
    const age = this.now - r.issuedAt;
    if (age <= this.params.refreshTtlS - this.params.skewS) return "ok";
    if (age >= this.params.refreshTtlS + this.params.skewS) return "rejected";
    return "either";
  }

  /** Records a refresh's observed outcome: rotation on success, family revocation on reuse (REFRESH-04). */
  refreshed(refreshId: number, outcome: Outcome): { access: number; refresh: number } | null {
    const r = this.refresh.get(refreshId);
    if (!r) return null;
    if (outcome === "rejected") {
      if (r.rotated) this.revokeGrant(r.grant);
      return null;
    }
    r.rotated = true;
    return { access: this.newAccess(r.grant), refresh: this.newRefresh(r.grant) };
  }

  /** POST /oauth/revoke: a refresh token ends its grant, an access token only itself (AMB-13). */
  revoked(kind: "access" | "refresh", id: number): void {
    if (kind === "access") {
      const a = this.access.get(id);
      if (a) a.revoked = true;
      return;
    }
    const r = this.refresh.get(id);
    if (r) this.revokeGrant(r.grant);
  }

  /** Admin Revoke in the Installed tab: every grant and unredeemed code of the client (INSTALL-01). */
  installationRevoked(): void {
    for (const g of this.grants.keys()) this.revokeGrant(g);
    for (const c of this.codes.values()) if (!c.redeemed) c.dead = true;
  }

  private revokeGrant(grant: number): void {
    const g = this.grants.get(grant);
    if (g) g.revoked = true;
    for (const a of this.access.values()) if (a.grant === grant) a.revoked = true;
    for (const r of this.refresh.values()) if (r.grant === grant) r.revoked = true;
  }
}

/** Does an observed outcome satisfy the model's expectation? */
export function agrees(expected: Expectation, observed: Outcome): boolean {
  return expected === "either" || expected === observed;
}
