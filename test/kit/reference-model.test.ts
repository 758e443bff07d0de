import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReferenceModel } from "../../suites/model/reference-model.ts";

describe("reference model", () => {
  it("a code works once and its replay revokes the grant (CODE-01, CODE-02)", () => {
    const m = new ReferenceModel();
    const code = m.codeIssued();
    assert.equal(m.expectExchange(code), "ok");
    const t = m.exchanged(code, "ok");
    assert.ok(t);
    assert.equal(m.expectApi(t.access), "ok");
    assert.equal(m.expectExchange(code), "rejected");
    m.exchanged(code, "rejected");
    assert.equal(m.expectApi(t.access), "rejected");
    assert.equal(m.expectRefresh(t.refresh), "rejected");
  });

  it("codes are 'either' between the minimum and maximum lifetime (CODE-04)", () => {
    const m = new ReferenceModel();
    const code = m.codeIssued();
    m.advance(120);
    assert.equal(m.expectExchange(code), "either");
    m.advance(600);
    assert.equal(m.expectExchange(code), "rejected");
  });

  it("rotation: only the newest refresh token works; reuse kills the family (REFRESH-03, REFRESH-04)", () => {
    const m = new ReferenceModel();
    const t = m.exchanged(m.codeIssued(), "ok");
    assert.ok(t);
    const next = m.refreshed(t.refresh, "ok");
    assert.ok(next);
    assert.equal(m.expectRefresh(t.refresh), "rejected");
    assert.equal(m.expectRefresh(next.refresh), "ok");
    m.refreshed(t.refresh, "rejected");
    assert.equal(m.expectRefresh(next.refresh), "rejected");
    assert.equal(m.expectApi(next.access), "rejected");
  });

  it("lifetimes follow the clock with skew (API-05, REFRESH-02)", () => {
    const m = new ReferenceModel();
    const t = m.exchanged(m.codeIssued(), "ok");
    assert.ok(t);
    m.advance(3600);
    assert.equal(m.expectApi(t.access), "either");
    m.advance(120);
    assert.equal(m.expectApi(t.access), "rejected");
    assert.equal(m.expectRefresh(t.refresh), "ok");
    m.advance(30 * 86400);
    assert.equal(m.expectRefresh(t.refresh), "rejected");
  });

  it("revoking an access token leaves the refresh token; revoking a refresh token ends the grant (AMB-13)", () => {
    const m = new ReferenceModel();
    const t = m.exchanged(m.codeIssued(), "ok");
    assert.ok(t);
    m.revoked("access", t.access);
    assert.equal(m.expectApi(t.access), "rejected");
    assert.equal(m.expectRefresh(t.refresh), "ok");
    const next = m.refreshed(t.refresh, "ok");
    assert.ok(next);
    m.revoked("refresh", next.refresh);
    assert.equal(m.expectApi(next.access), "rejected");
  });

  it("an installation revoke kills grants and unredeemed codes (INSTALL-01)", () => {
    const m = new ReferenceModel();
    const t = m.exchanged(m.codeIssued(), "ok");
    const pending = m.codeIssued();
    assert.ok(t);
    m.installationRevoked();
    assert.equal(m.expectApi(t.access), "rejected");
    assert.equal(m.expectExchange(pending), "rejected");
  });
});

describe("reference model: open consequences and bases", () => {
  it("a replay after the shortest code lifetime leaves the grant uncertain until observed (RFC 6749 §4.1.2)", () => {
    const m = new ReferenceModel();
    const code = m.codeIssued();
    const t = m.exchanged(code, "ok");
    assert.ok(t);
    m.advance(30);
    m.exchanged(code, "rejected");
    assert.equal(m.expectApi(t.access), "either");
    assert.equal(m.expectRefresh(t.refresh), "either");
    m.apiCalled(t.access, "ok");
    assert.equal(m.expectRefresh(t.refresh), "ok");
  });

  it("an uncertain grant refused where it should work is settled as revoked", () => {
    const m = new ReferenceModel();
    const code = m.codeIssued();
    const t = m.exchanged(code, "ok");
    assert.ok(t);
    m.advance(30);
    m.exchanged(code, "rejected");
    m.refreshed(t.refresh, "rejected");
    assert.equal(m.expectApi(t.access), "rejected");
  });

  it("revoking a rotated refresh token leaves the family open; revoking the current one ends it (RFC 7009 §2.2, AMB-13)", () => {
    const m = new ReferenceModel();
    const t = m.exchanged(m.codeIssued(), "ok");
    assert.ok(t);
    const next = m.refreshed(t.refresh, "ok");
    assert.ok(next);
    m.revoked("refresh", t.refresh);
    assert.equal(m.expectRefresh(next.refresh), "either");
    m.revoked("refresh", next.refresh);
    assert.equal(m.expectApi(next.access), "rejected");
    assert.deepEqual(m.apiBasis(next.access), { id: "REVOKE-03", clause: "the access tokens" });
  });

  it("bases name the requirement behind each expectation", () => {
    const m = new ReferenceModel();
    const t = m.exchanged(m.codeIssued(), "ok");
    assert.ok(t);
    const next = m.refreshed(t.refresh, "ok");
    assert.ok(next);
    assert.equal(m.refreshBasis(t.refresh).id, "REFRESH-03");
    m.refreshed(t.refresh, "rejected");
    assert.equal(m.refreshBasis(next.refresh).id, "REFRESH-04");
    const pending = m.codeIssued();
    m.installationRevoked();
    assert.equal(m.exchangeBasis(pending).id, "INSTALL-01");
    assert.equal(m.hasLiveGrant(), false);
  });
});
