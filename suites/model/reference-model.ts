/**
 * A small reference model of one public client's tokens, written from the
 * catalogue (not from any server's code). The model-based test runs the same
 * commands against a target and this model and compares after every step.
 *
 * Where the catalogue leaves a range (a code lives between 20 s and
 * CODE_TTL_MAX_S; expiry boundaries have SKEW_S leeway), the model answers
 * "either" and the test accepts both outcomes.
 *
 * Where the catalogue leaves a consequence open, the grant becomes
 * "uncertain": its tokens answer "either" until an observation settles it
 * (a token of the grant that works shows the grant is live; one refused while
 * it should work shows the grant was revoked). That covers replaying a code
 * the server may already have forgotten (RFC 6749 §4.1.2 "revoke (when
 * possible)"), reusing a rotated refresh token past its own lifetime
 * (REFRESH-04 speaks of live families), and revoking a rotated or expired
 * refresh token (an invalid token, RFC 7009 §2.2).
 */

/** The requirement (and clause) an expectation rests on, for attributing a disagreement. */
export interface Basis {
  readonly id: string;
  readonly clause?: string;
}

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
  /** Which requirement killed an unredeemed code. */
  killedBy: string | null;
  grant: number | null;
}

interface ModelGrant {
  revoked: boolean;
  /** Which requirement revoked it. */
  revokedBy: string | null;
  /** The catalogue leaves open whether the grant was revoked (see the file comment). */
  uncertain: boolean;
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
    this.codes.set(id, { issuedAt: this.now, redeemed: false, dead: false, killedBy: null, grant: null });
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

  /** The requirement behind expectExchange. */
  exchangeBasis(codeId: number): Basis {
    const c = this.codes.get(codeId);
    if (!c || c.redeemed) return { id: "CODE-01" };
    if (c.dead) return c.killedBy === "INSTALL-01" ? { id: "INSTALL-01", clause: "PACT-PROFILE" } : { id: "CODE-01" };
    const age = this.now - c.issuedAt;
    // CODE-04: usable for ≥ 20 s is the Pact clause; dead after 600 s (+ skew) is the SHOULD clause.
    return age <= this.params.codeTtlMinS ? { id: "CODE-04", clause: "PACT-PROFILE" } : { id: "CODE-04", clause: "SHOULD" };
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
      if (c.redeemed && c.grant !== null) {
        // CODE-02: a replay revokes what the code produced, "when possible" (RFC 6749 §4.1.2): certain
        // while the code is within the shortest lifetime the catalogue allows (CODE-04, 20 s).
        if (this.now - c.issuedAt <= this.params.codeTtlMinS) this.revokeGrant(c.grant, "CODE-02");
        else this.markUncertain(c.grant);
      }
      c.dead = true;
      return null;
    }
    c.redeemed = true;
    const grant = this.id();
    this.grants.set(grant, { revoked: false, revokedBy: null, uncertain: false });
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

  private grantUncertain(grant: number): boolean {
    return this.grants.get(grant)?.uncertain === true;
  }

  private markUncertain(grant: number): void {
    const g = this.grants.get(grant);
    if (g && !g.revoked) g.uncertain = true;
  }

  /** An observation of a token whose time-based expectation was "ok" settles an uncertain grant. */
  private settle(grant: number, timeBased: Expectation, outcome: Outcome): void {
    const g = this.grants.get(grant);
    if (!g || !g.uncertain || timeBased !== "ok") return;
    if (outcome === "ok") g.uncertain = false;
    else this.revokeGrant(grant, g.revokedBy ?? "uncertain");
  }

  private byAge(age: number, ttl: number): Expectation {
    if (age <= ttl - this.params.skewS) return "ok";
    if (age >= ttl + this.params.skewS) return "rejected";
    return "either";
  }

  /** Whether an API call with the access token should succeed (API-05, REVOKE-03/04, REFRESH-04). */
  expectApi(accessId: number): Expectation {
    const a = this.access.get(accessId);
    if (!a || a.revoked || !this.grantLive(a.grant)) return "rejected";
    const e = this.byAge(this.now - a.issuedAt, this.params.accessTtlS);
    return e === "ok" && this.grantUncertain(a.grant) ? "either" : e;
  }

  /** The requirement behind expectApi. */
  apiBasis(accessId: number): Basis {
    const a = this.access.get(accessId);
    if (!a) return { id: "API-05" };
    const g = this.grants.get(a.grant);
    if (g?.revoked) return grantBasis(g.revokedBy, "access");
    if (a.revoked) return { id: "REVOKE-04" };
    return { id: "API-05" };
  }

  /** Records an API call's outcome (settles an uncertain grant). */
  apiCalled(accessId: number, outcome: Outcome): void {
    const a = this.access.get(accessId);
    if (!a || a.revoked) return;
    this.settle(a.grant, this.byAge(this.now - a.issuedAt, this.params.accessTtlS), outcome);
  }

  /** Whether refreshing should succeed (REFRESH-02, REFRESH-03, REFRESH-08). */
  expectRefresh(refreshId: number): Expectation {
    const r = this.refresh.get(refreshId);
    if (!r || r.revoked || r.rotated || !this.grantLive(r.grant)) return "rejected";
    const e = this.byAge(this.now - r.issuedAt, this.params.refreshTtlS);
    return e === "ok" && this.grantUncertain(r.grant) ? "either" : e;
  }

  /** The requirement behind expectRefresh. */
  refreshBasis(refreshId: number): Basis {
    const r = this.refresh.get(refreshId);
    if (!r) return { id: "REFRESH-03", clause: "public clients" };
    const g = this.grants.get(r.grant);
    if (g?.revoked) return grantBasis(g.revokedBy, "refresh");
    if (r.rotated) return { id: "REFRESH-03", clause: "public clients" };
    return { id: "REFRESH-02", clause: "MUST" };
  }

  /** Records a refresh's observed outcome: rotation on success, family revocation on reuse (REFRESH-04). */
  refreshed(refreshId: number, outcome: Outcome): { access: number; refresh: number } | null {
    const r = this.refresh.get(refreshId);
    if (!r) return null;
    const timeBased = this.byAge(this.now - r.issuedAt, this.params.refreshTtlS);
    if (!r.rotated && !r.revoked) this.settle(r.grant, timeBased, outcome);
    if (outcome === "rejected") {
      // REFRESH-04: reuse of a rotated token revokes its family; past the token's own lifetime the
      // catalogue says nothing, so the family's fate is left open.
      if (r.rotated) {
        if (timeBased === "ok") this.revokeGrant(r.grant, "REFRESH-04");
        else this.markUncertain(r.grant);
      }
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
    if (!r) return;
    const live = !r.rotated && !r.revoked && this.byAge(this.now - r.issuedAt, this.params.refreshTtlS) === "ok";
    if (live) this.revokeGrant(r.grant, "REVOKE-03");
    else this.markUncertain(r.grant);
  }

  /** True when some grant is certainly live (not revoked, not uncertain). */
  /**
   * A grant the Installed tab must list: not revoked, and holding a token that certainly still works.
   * Once every token has expired nothing is installed any more (the catalogue fixes no other lifetime for it).
   */
  hasLiveGrant(): boolean {
    return [...this.grants.entries()].some(
      ([id, g]) =>
        !g.revoked &&
        !g.uncertain &&
        ([...this.refresh.entries()].some(([rid, r]) => r.grant === id && this.expectRefresh(rid) === "ok") ||
          [...this.access.entries()].some(([aid, a]) => a.grant === id && this.expectApi(aid) === "ok")),
    );
  }

  /** Admin Revoke in the Installed tab: every grant and unredeemed code of the client (INSTALL-01). */
  installationRevoked(): void {
    for (const g of this.grants.keys()) this.revokeGrant(g, "INSTALL-01");
    for (const c of this.codes.values())
      if (!c.redeemed && !c.dead) {
        c.dead = true;
        c.killedBy = "INSTALL-01";
      }
  }

  private revokeGrant(grant: number, by: string): void {
    const g = this.grants.get(grant);
    if (g && !g.revoked) {
      g.revoked = true;
      g.revokedBy = by;
    }
    if (g) g.uncertain = false;
    for (const a of this.access.values()) if (a.grant === grant) a.revoked = true;
    for (const r of this.refresh.values()) if (r.grant === grant) r.revoked = true;
  }
}

/** Does an observed outcome satisfy the model's expectation? */
export function agrees(expected: Expectation, observed: Outcome): boolean {
  return expected === "either" || expected === observed;
}

/** The requirement that made a revoked grant's token dead, per token kind. */
function grantBasis(revokedBy: string | null, kind: "access" | "refresh"): Basis {
  switch (revokedBy) {
    case "CODE-02":
      return { id: "CODE-02" };
    case "REFRESH-04":
      return kind === "refresh" ? { id: "REFRESH-04", clause: "the active refresh token is revoked" } : { id: "REFRESH-04", clause: "PACT-PROFILE" };
    case "REVOKE-03":
      return kind === "refresh" ? { id: "REVOKE-03", clause: "the refresh token" } : { id: "REVOKE-03", clause: "the access tokens" };
    case "INSTALL-01":
      return { id: "INSTALL-01" };
    default:
      return kind === "refresh" ? { id: "REFRESH-04", clause: "the active refresh token is revoked" } : { id: "API-05" };
  }
}
