import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPactMock } from "../../mock/app.ts";
import { FAULTS, FAULT_NAMES, FaultSet, UnknownFaultError, faultNamesFromList } from "../../mock/faults.ts";
import { GROUPS, REQUIREMENTS, isRequirementId } from "../../suites/registry/index.ts";
import { FIXTURE_KEY, bearer, userToken } from "./helpers.ts";
import { AuthThrottle, THROTTLE_LIMIT } from "../../mock/oauth/throttle.ts";
import { Browser, type Harness, approve, basic, hidden, pkcePair, postForm, startMock } from "./oauth-harness.ts";

/** The names issue 6 asks for, at least. */
const ISSUE_6 = [
  "pkce-any-verifier", "pkce-plain-allowed", "pkce-optional-for-public", "code-reusable", "code-not-bound-to-client", "code-never-expires",
  "redirect-prefix-match", "redirect-loopback-any-host", "state-dropped", "error-redirect-without-state", "authorize-scope-unchecked",
  "token-expires-7200", "token-cache-headers-missing", "token-type-lowercase", "refresh-not-rotated", "refresh-reuse-undetected",
  "refresh-scope-widening", "refresh-never-expires", "cc-public-client-allowed", "cc-refresh-token-issued", "client-secret-unchecked",
  "basic-auth-unsupported", "revoke-noop", "revoke-refresh-keeps-access", "install-revoke-noop", "api-scope-unenforced",
  "api-expired-token-accepted", "api-query-token-accepted", "api-cross-workspace", "www-authenticate-missing", "key-revoke-noop",
  "consent-csrf-missing", "login-open-redirect", "secret-shown-again", "metadata-advertises-plain",
];

const SPA = { clientId: "demo-spa", redirectUri: "http://127.0.0.1:5173/callback", scope: "read:contacts" };
const CONF = { clientId: "demo-server", redirectUri: "https://server.example.test/callback", scope: "read:contacts" };
const CONF_AUTH = basic("demo-server", "demo-server-secret");

async function control(h: Harness, method: "GET" | "POST" | "PUT", body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${h.base}/__mock/faults`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A signed-in member approves SPA; returns the redirect and the PKCE pair. */
async function spaCode(h: Harness, extra: { state?: string } = {}): Promise<{ location: URL; verifier: string }> {
  const browser = new Browser(h.base);
  await browser.login("member@acme.test");
  const { verifier, challenge } = pkcePair();
  const location = await approve(browser, { ...SPA, challenge, ...extra });
  return { location, verifier };
}

function redeem(h: Harness, code: string, verifier: string) {
  return postForm(h.base, "/oauth/token", { grant_type: "authorization_code", client_id: SPA.clientId, redirect_uri: SPA.redirectUri, code, code_verifier: verifier });
}

describe("fault catalogue", () => {
  it("names every fault issue 6 lists, each once", () => {
    for (const name of ISSUE_6) assert.ok((FAULT_NAMES as readonly string[]).includes(name), name);
    assert.equal(new Set(FAULT_NAMES).size, FAULT_NAMES.length);
  });

  it("targets only catalogue IDs, and every requirement group at least once", () => {
    for (const f of FAULTS) {
      assert.ok(f.requirementIds.length > 0, f.name);
      for (const id of f.requirementIds) assert.ok(isRequirementId(id), `${f.name}: ${id}`);
      assert.match(f.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(f.description.length > 0 && !f.description.includes("\n"), f.name);
    }
    const groupOf = new Map(REQUIREMENTS.map((r) => [r.id, r.group]));
    const covered = new Set(FAULTS.flatMap((f) => f.requirementIds.map((id) => groupOf.get(id))));
    for (const g of GROUPS) assert.ok(covered.has(g), g);
  });

  it("refuses unknown names everywhere, naming them and the valid ones", () => {
    assert.throws(() => createPactMock({ faults: ["state-dropped", "no-such-fault"] }), (e: unknown) => e instanceof UnknownFaultError && e.message.includes("no-such-fault") && e.message.includes("state-dropped"));
    const set = new FaultSet(["state-dropped"]);
    assert.throws(() => set.set(["bogus"]), UnknownFaultError);
    assert.deepEqual(set.list(), ["state-dropped"], "a refused change changes nothing");
    assert.deepEqual(faultNamesFromList("state-dropped, code-reusable state-dropped"), ["state-dropped", "code-reusable"]);
    assert.deepEqual(faultNamesFromList(undefined), []);
  });
});

describe("control API /__mock/faults", () => {
  let h: Harness;
  before(async () => (h = await startMock()));
  after(() => h.close());

  it("lists the active faults and the catalogue", async () => {
    const { status, json } = await control(h, "GET");
    assert.equal(status, 200);
    assert.deepEqual(json.active, []);
    const available = json.available as Array<{ name: string; requirementIds: string[]; description: string }>;
    assert.deepEqual(available.map((f) => f.name), FAULT_NAMES);
    assert.ok(available.every((f) => Array.isArray(f.requirementIds) && typeof f.description === "string"));
  });

  it("sets, enables and disables; the in-process handle agrees", async () => {
    assert.deepEqual((await control(h, "POST", { set: ["code-reusable", "state-dropped"] })).json.active, ["state-dropped", "code-reusable"]);
    assert.deepEqual((await control(h, "POST", { enable: ["revoke-noop"], disable: ["state-dropped"] })).json.active, ["code-reusable", "revoke-noop"]);
    assert.deepEqual(h.mock.faults.list(), ["code-reusable", "revoke-noop"]);
    h.mock.control.setFaults(["metadata-advertises-plain"]);
    assert.deepEqual((await control(h, "GET")).json.active, ["metadata-advertises-plain"]);
  });

  it("keeps faults across POST /__mock/reset", async () => {
    h.mock.control.setFaults(["token-type-lowercase"]);
    assert.equal((await fetch(`${h.base}/__mock/reset`, { method: "POST" })).status, 200);
    assert.deepEqual((await control(h, "GET")).json.active, ["token-type-lowercase"]);
    h.mock.control.setFaults([]);
  });

  it("validates input: unknown names are a 400 naming them, and nothing changes", async () => {
    h.mock.control.setFaults(["state-dropped"]);
    const unknown = await control(h, "POST", { enable: ["code-reusable", "nope-1"], disable: ["nope-2"] });
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.json.error_description), /nope-1, nope-2/);
    assert.equal((await control(h, "POST", { set: ["nope-3"] })).status, 400);
    assert.deepEqual(h.mock.faults.list(), ["state-dropped"]);
    for (const bad of [{}, { set: "state-dropped" }, { set: ["state-dropped"], enable: [] }, { other: [] }, [1]])
      assert.equal((await control(h, "POST", bad)).status, 400, JSON.stringify(bad));
    const notJson = await fetch(`${h.base}/__mock/faults`, { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    assert.equal(notJson.status, 400);
    assert.equal((await control(h, "PUT", { set: [] })).status, 405);
    h.mock.control.setFaults([]);
  });
});

describe("faults change behaviour over HTTP", () => {
  let h: Harness;
  before(async () => (h = await startMock()));
  after(() => h.close());

  it("state-dropped (AUTHZ-07): the success redirect loses state", async () => {
    h.mock.control.setFaults([]);
    assert.equal((await spaCode(h, { state: "s-123" })).location.searchParams.get("state"), "s-123");
    h.mock.control.setFaults(["state-dropped"]);
    const { location } = await spaCode(h, { state: "s-123" });
    assert.ok(location.searchParams.get("code"));
    assert.equal(location.searchParams.get("state"), null);
  });

  it("redirect-localhost-alias (AUTHZ-04): http://localhost/callback reaches consent for the CLI", async () => {
    const browser = new Browser(h.base);
    await browser.login("member@acme.test");
    const { challenge } = pkcePair();
    const authorize = (): Promise<Response> =>
      browser.get(`/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: "demo-cli", redirect_uri: "http://localhost/callback", scope: "read:contacts", code_challenge: challenge, code_challenge_method: "S256" })}`);
    h.mock.control.setFaults(["redirect-localhost-alias"]);
    assert.match(await (await authorize()).text(), /Approve/);
    h.mock.control.setFaults([]);
    const refused = await authorize();
    assert.equal(refused.status, 400);
    assert.doesNotMatch(await refused.text(), /Approve/);
  });

  it("consent-grant-shared (CONSENT-08): the admin skips consent on the member's grant", async () => {
    const member = new Browser(h.base);
    await member.login("member@acme.test");
    const { verifier, challenge } = pkcePair();
    const code = (await approve(member, { ...CONF, challenge })).searchParams.get("code") ?? "";
    const redeemed = await postForm(h.base, "/oauth/token", { grant_type: "authorization_code", code, redirect_uri: CONF.redirectUri, code_verifier: verifier }, CONF_AUTH);
    assert.equal(redeemed.status, 200);
    const admin = new Browser(h.base);
    await admin.login("admin@acme.test");
    const authorize = (): Promise<Response> =>
      admin.get(`/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: CONF.clientId, redirect_uri: CONF.redirectUri, scope: CONF.scope, code_challenge: pkcePair().challenge, code_challenge_method: "S256" })}`);
    h.mock.control.setFaults(["consent-grant-shared"]);
    assert.equal((await authorize()).status, 302);
    h.mock.control.setFaults([]);
    const prompted = await authorize();
    assert.equal(prompted.status, 200);
    assert.match(await prompted.text(), /Approve/);
  });

  it("admin-cross-workspace (INSTALL-02): the globex admin deletes an acme app", async () => {
    const del = async (): Promise<number> => {
      const admin = new Browser(h.base);
      await admin.login("admin@globex.test");
      const page = await (await admin.get("/admin/api-developers?tab=apps")).text();
      const res = await admin.post("/admin/api-developers/apps/demo-other/delete", { csrf_token: hidden(page, "csrf_token") });
      return res.status;
    };
    assert.equal(await del(), 404);
    assert.ok(h.mock.store.liveApp("demo-other"));
    h.mock.control.setFaults(["admin-cross-workspace"]);
    assert.equal(await del(), 303);
    h.mock.control.setFaults([]);
    assert.equal(h.mock.store.liveApp("demo-other"), undefined);
    h.mock.control.reset();
  });

  it("token-error-echoes-code (TOKEN-14): invalid_grant repeats an unknown code", async () => {
    const bogus = "kit-unknown-code-0123456789";
    h.mock.control.setFaults(["token-error-echoes-code"]);
    const echoed = await redeem(h, bogus, "v".repeat(43));
    h.mock.control.setFaults([]);
    const clean = await redeem(h, bogus, "v".repeat(43));
    assert.equal(echoed.json.error, "invalid_grant");
    assert.match(String(echoed.json.error_description), new RegExp(bogus));
    assert.doesNotMatch(String(clean.json.error_description), new RegExp(bogus));
  });

  it("state-truncated (AUTHZ-07): a 700-character state comes back as its first 600", async () => {
    const state = "s".repeat(100) + "t".repeat(600);
    h.mock.control.setFaults(["state-truncated"]);
    assert.equal((await spaCode(h, { state })).location.searchParams.get("state"), state.slice(0, 600));
    h.mock.control.setFaults([]);
    assert.equal((await spaCode(h, { state })).location.searchParams.get("state"), state);
  });

  it("code-reusable (CODE-01) and pkce-any-verifier (PKCE-06)", async () => {
    h.mock.control.setFaults([]);
    let { location, verifier } = await spaCode(h);
    let code = location.searchParams.get("code") ?? "";
    assert.equal((await redeem(h, code, verifier)).status, 200);
    assert.equal((await redeem(h, code, verifier)).json.error, "invalid_grant");

    h.mock.control.setFaults(["code-reusable"]);
    ({ location, verifier } = await spaCode(h));
    code = location.searchParams.get("code") ?? "";
    assert.equal((await redeem(h, code, verifier)).status, 200);
    assert.equal((await redeem(h, code, verifier)).status, 200);

    h.mock.control.setFaults(["pkce-any-verifier"]);
    ({ location } = await spaCode(h));
    assert.equal((await redeem(h, location.searchParams.get("code") ?? "", pkcePair().verifier)).status, 200);
  });

  it("token response faults (TOKEN-02, TOKEN-03, TOKEN-04) and cc-refresh-token-issued (CC-02)", async () => {
    const cc = () => postForm(h.base, "/oauth/token", { grant_type: "client_credentials", scope: "read:contacts" }, CONF_AUTH);
    h.mock.control.setFaults([]);
    const clean = await cc();
    assert.equal(clean.json.token_type, "Bearer");
    assert.equal(clean.json.expires_in, 3600);
    assert.equal(clean.headers.get("cache-control"), "no-store");
    assert.equal(clean.json.refresh_token, undefined);

    h.mock.control.setFaults(["token-type-lowercase", "token-expires-7200", "token-cache-headers-missing", "cc-refresh-token-issued"]);
    const faulty = await cc();
    assert.equal(faulty.status, 200);
    assert.equal(faulty.json.token_type, "bearer");
    assert.equal(faulty.json.expires_in, 7200);
    assert.equal(faulty.headers.get("cache-control"), null);
    assert.equal(faulty.headers.get("pragma"), null);
    assert.equal(typeof faulty.json.refresh_token, "string");
  });

  it("client-secret-unchecked (TOKEN-07) and basic-auth-unsupported (TOKEN-06)", async () => {
    const withSecret = (secret: string) => postForm(h.base, "/oauth/token", { grant_type: "client_credentials", scope: "read:contacts" }, basic("demo-server", secret));
    h.mock.control.setFaults([]);
    assert.equal((await withSecret("wrong")).status, 401);
    h.mock.control.setFaults(["client-secret-unchecked"]);
    assert.equal((await withSecret("wrong")).status, 200);
    h.mock.control.setFaults(["basic-auth-unsupported"]);
    const refused = await withSecret("demo-server-secret");
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error, "invalid_client");
    const body = await postForm(h.base, "/oauth/token", { grant_type: "client_credentials", scope: "read:contacts", client_id: "demo-server", client_secret: "demo-server-secret" });
    assert.equal(body.status, 200);
  });

  it("/v1 faults: api-query-token-accepted (API-08), www-authenticate-missing (API-02), api-scope-unenforced (API-04)", async () => {
    const { token } = userToken(h.mock, "member@acme.test", ["read:contacts"]);
    h.mock.control.setFaults([]);
    assert.equal((await fetch(`${h.base}/v1/contacts?access_token=${token}`)).status, 401);
    const bare = await fetch(`${h.base}/v1/contacts`);
    assert.match(bare.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal((await fetch(`${h.base}/v1/deals`, { headers: bearer(token) })).status, 403);

    h.mock.control.setFaults(["api-query-token-accepted", "www-authenticate-missing", "api-scope-unenforced"]);
    assert.equal((await fetch(`${h.base}/v1/contacts?access_token=${token}`)).status, 200);
    const noChallenge = await fetch(`${h.base}/v1/contacts`);
    assert.equal(noChallenge.status, 401);
    assert.equal(noChallenge.headers.get("www-authenticate"), null);
    assert.equal((await fetch(`${h.base}/v1/deals`, { headers: bearer(token) })).status, 200);
  });

  it("api-expired-token-accepted (API-05): a token still works after the hour", async () => {
    h.mock.control.setFaults(["api-expired-token-accepted"]);
    const { token } = userToken(h.mock, "member@acme.test", ["read:contacts"]);
    h.mock.control.advanceClock(2 * 3600);
    assert.equal((await fetch(`${h.base}/v1/contacts`, { headers: bearer(token) })).status, 200);
    h.mock.control.setFaults([]);
    const { token: fresh } = userToken(h.mock, "member@acme.test", ["read:contacts"]);
    h.mock.control.advanceClock(2 * 3600);
    assert.equal((await fetch(`${h.base}/v1/contacts`, { headers: bearer(fresh) })).status, 401);
  });

  it("metadata-advertises-plain (META-01) and login-open-redirect (SEC-01)", async () => {
    h.mock.control.setFaults(["metadata-advertises-plain", "login-open-redirect"]);
    const meta = (await (await fetch(`${h.base}/.well-known/oauth-authorization-server`)).json()) as { code_challenge_methods_supported: string[] };
    assert.deepEqual(meta.code_challenge_methods_supported, ["S256", "plain"]);
    const browser = new Browser(h.base);
    const res = await browser.login("member@acme.test", undefined, "https://evil.test/steal");
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "https://evil.test/steal");
    h.mock.control.setFaults([]);
    assert.equal((await new Browser(h.base).login("member@acme.test", undefined, "https://evil.test/steal")).headers.get("location"), "/login");
  });

  it("throttle-window-short (SEC-05): failures 30 s apart never add up to THROTTLE_N", () => {
    const spread = (): number | null => {
      const throttle = new AuthThrottle(h.mock.store);
      for (let i = 0; i < THROTTLE_LIMIT; i++) {
        if (i === THROTTLE_LIMIT / 2) h.mock.control.advanceClock(30);
        throttle.recordFailure("demo-server", "10.0.0.1");
      }
      return throttle.retryAfter("demo-server", "10.0.0.1");
    };
    h.mock.control.setFaults(["throttle-window-short"]);
    assert.equal(spread(), null);
    h.mock.control.setFaults([]);
    assert.ok(spread() !== null, "without the fault the 60 s window holds all THROTTLE_N failures");
  });

  it("with every fault on, the usual flows answer without a 5xx", async () => {
    h.mock.control.setFaults([...FAULT_NAMES]);
    const statuses: number[] = [];
    const { location, verifier } = await spaCode(h, { state: "x" });
    const tokens = await redeem(h, location.searchParams.get("code") ?? "", verifier);
    statuses.push(tokens.status);
    const refresh = String(tokens.json.refresh_token);
    const access = String(tokens.json.access_token);
    statuses.push((await postForm(h.base, "/oauth/token", { grant_type: "refresh_token", client_id: SPA.clientId, refresh_token: refresh, scope: "read:contacts write:contacts" })).status);
    statuses.push((await postForm(h.base, "/oauth/token", { grant_type: "client_credentials", client_id: SPA.clientId, scope: "read:contacts" })).status);
    statuses.push((await postForm(h.base, "/oauth/revoke", { token: refresh, client_id: SPA.clientId })).status);
    for (const path of ["/v1/contacts", "/v1/deals", "/v1/me", "/v1/contacts/globex_ct_001", `/v1/contacts?access_token=${access}`])
      statuses.push((await fetch(h.base + path, { headers: path.includes("access_token") ? {} : bearer(access) })).status);
    statuses.push((await fetch(`${h.base}/v1/contacts`, { headers: bearer(FIXTURE_KEY) })).status);
    const browser = new Browser(h.base);
    await browser.login("member@acme.test");
    for (const uri of ["http://evil.test:8080/callback", "http://127.0.0.1:5173/callback/../x", "https://server.example.test/callback%0Aevil"]) {
      const q = new URLSearchParams({ response_type: "code", client_id: uri.includes("server") ? CONF.clientId : uri.includes("5173") ? SPA.clientId : "demo-cli", redirect_uri: uri, scope: "read:contacts", code_challenge_method: "plain", code_challenge: pkcePair().verifier, state: "s" });
      statuses.push((await browser.get(`/oauth/authorize?${q}`)).status);
    }
    statuses.push((await browser.get("/oauth/authorize?client_id=demo-spa&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fcallback&response_type=token&state=s")).status);
    statuses.push((await new Browser(h.base).login("member@acme.test", undefined, "https://evil.test/\u00e9")).status);
    h.mock.control.setFaults([]);
    assert.ok(statuses.every((s) => s < 500), statuses.join(","));
  });
});
