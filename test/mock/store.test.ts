import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createManualClock } from "../../mock/clock.ts";
import { loadFixtures } from "../../mock/fixtures.ts";
import { LIFETIME_S, Store } from "../../mock/store.ts";

function fresh() {
  const clock = createManualClock();
  return { clock, store: new Store(loadFixtures(), clock) };
}

function userGrant(store: Store, clientId = "demo-server", userId = "usr_acme_member") {
  return store.createGrant({ kind: "authorization_code", clientId, workspaceId: "acme", principal: { kind: "user", userId }, scope: ["read:contacts"] });
}

describe("store", () => {
  it("never keeps a raw token: maps are keyed by digest", () => {
    const { store } = fresh();
    const grant = userGrant(store);
    const { raw } = store.issueAccessToken(grant, grant.scope);
    assert.ok(raw.startsWith("pact_at_"));
    assert.equal(store.accessTokens.has(raw), false);
    assert.ok(!JSON.stringify([...store.accessTokens.values()]).includes(raw));
    assert.ok(store.findAccessToken(raw));
  });

  it("access tokens expire after 3600 s on the injected clock", () => {
    const { store, clock } = fresh();
    const grant = userGrant(store);
    const { raw } = store.issueAccessToken(grant, grant.scope);
    clock.advance(LIFETIME_S.accessToken - 1);
    assert.ok(store.resolveBearer(raw));
    clock.advance(1);
    assert.equal(store.resolveBearer(raw), null);
  });

  it("revoking a grant kills its access and refresh tokens, and only its own", () => {
    const { store } = fresh();
    const a = userGrant(store);
    const b = userGrant(store);
    const atA = store.issueAccessToken(a, a.scope).raw;
    const rtA = store.issueRefreshToken(a).token;
    const atB = store.issueAccessToken(b, b.scope).raw;
    store.revokeGrant(a.id);
    assert.equal(store.resolveBearer(atA), null);
    assert.equal(store.grantIsLive(a), false, "the refresh token's grant is over");
    assert.equal(rtA.grantId, a.id);
    assert.ok(store.resolveBearer(atB));
  });

  it("an installation revoke covers grants, client-credentials tokens and unredeemed codes of that client in that workspace", () => {
    const { store } = fresh();
    const user = userGrant(store);
    const cc = store.createGrant({ kind: "client_credentials", clientId: "demo-server", workspaceId: "acme", principal: { kind: "app", clientId: "demo-server" }, scope: ["read:deals"] });
    const other = userGrant(store, "demo-spa");
    const atUser = store.issueAccessToken(user, user.scope).raw;
    const atCc = store.issueAccessToken(cc, cc.scope).raw;
    const atOther = store.issueAccessToken(other, other.scope).raw;
    const code = store.issueCode({ clientId: "demo-server", userId: "usr_acme_member", workspaceId: "acme", redirectUri: "https://server.example.test/callback", scope: ["read:contacts"], codeChallenge: "x".repeat(43) });
    store.revokeInstallation("demo-server", "acme");
    assert.equal(store.resolveBearer(atUser), null);
    assert.equal(store.resolveBearer(atCc), null);
    assert.ok(store.resolveBearer(atOther));
    assert.notEqual(store.findCode(code)?.revokedAt, null);
  });

  it("deactivating a user kills that user's grants but not client-credentials tokens", () => {
    const { store } = fresh();
    const user = userGrant(store);
    const cc = store.createGrant({ kind: "client_credentials", clientId: "demo-server", workspaceId: "acme", principal: { kind: "app", clientId: "demo-server" }, scope: ["read:deals"] });
    const atUser = store.issueAccessToken(user, user.scope).raw;
    const atCc = store.issueAccessToken(cc, cc.scope).raw;
    const member = store.users.get("usr_acme_member");
    assert.ok(member);
    store.deactivateUser(member);
    assert.equal(store.resolveBearer(atUser), null);
    assert.ok(store.resolveBearer(atCc));
  });

  it("a rotated secret replaces the old one at once", () => {
    const { store } = fresh();
    const app = store.liveApp("demo-server");
    assert.ok(app);
    assert.ok(store.verifyClientSecret(app, "demo-server-secret"));
    const next = store.rotateSecret(app);
    assert.equal(store.verifyClientSecret(app, "demo-server-secret"), false);
    assert.ok(store.verifyClientSecret(app, next));
  });

  it("public apps never verify a secret", () => {
    const { store } = fresh();
    const app = store.liveApp("demo-spa");
    assert.ok(app);
    assert.equal(store.verifyClientSecret(app, ""), false);
    assert.equal(store.verifyClientSecret(app, "anything"), false);
  });

  it("client ids are exact and case-sensitive; deleted apps are gone", () => {
    const { store } = fresh();
    assert.equal(store.liveApp("DEMO-SPA"), undefined);
    const app = store.liveApp("demo-spa");
    assert.ok(app);
    store.deleteApp(app);
    assert.equal(store.liveApp("demo-spa"), undefined);
  });

  it("sweep drops expired entries so memory returns to where it started", () => {
    const { store, clock } = fresh();
    for (let i = 0; i < 500; i++) {
      const g = store.createGrant({ kind: "client_credentials", clientId: "demo-server", workspaceId: "acme", principal: { kind: "app", clientId: "demo-server" }, scope: ["read:deals"] });
      store.issueAccessToken(g, g.scope);
    }
    assert.equal(store.accessTokens.size, 500);
    clock.advance(LIFETIME_S.accessToken + 1);
    store.sweep();
    assert.equal(store.accessTokens.size, 0);
    assert.equal(store.grants.size, 0);
  });

  it("reset returns to the fixtures and runs reset hooks", () => {
    const { store } = fresh();
    let hooked = 0;
    store.onReset(() => hooked++);
    store.createApiKey("acme", "temp");
    store.reset();
    assert.equal(store.apiKeys.size, 1);
    assert.equal(hooked, 1);
  });

  it("passwords are checked for active users only", () => {
    const { store } = fresh();
    assert.ok(store.authenticateUser("member@acme.test", "pact-demo-password"));
    assert.equal(store.authenticateUser("member@acme.test", "wrong"), null);
    assert.equal(store.authenticateUser("nobody@acme.test", "pact-demo-password"), null);
  });
});
