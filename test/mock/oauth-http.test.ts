import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { AuthThrottle, THROTTLE_LIMIT } from "../../mock/oauth/throttle.ts";
import { Browser, type CodeRequest, type Harness, approve, authorizeQuery, basic, hidden, obtainCode, pkcePair, postForm, startMock } from "./oauth-harness.ts";

const SPA = { clientId: "demo-spa", redirectUri: "http://127.0.0.1:5173/callback" };
const CONF = { clientId: "demo-server", redirectUri: "https://server.example.test/callback" };
const CONF_AUTH = basic("demo-server", "demo-server-secret");
const DAY_S = 24 * 3600;

let h: Harness;
let browser: Browser;

before(async () => {
  h = await startMock();
});
after(async () => {
  await h.close();
});
beforeEach(async () => {
  h.mock.control.reset();
  browser = new Browser(h.base);
  await browser.login("member@acme.test");
});

function request(client: { clientId: string; redirectUri: string }, scope: string, state = "st-1"): CodeRequest & { verifier: string } {
  const { verifier, challenge } = pkcePair();
  return { ...client, scope, state, challenge, verifier };
}

async function redeem(r: CodeRequest & { verifier: string }, code: string, headers: Record<string, string> = {}, extra: Record<string, string> = {}) {
  const form: Record<string, string> = { grant_type: "authorization_code", code, redirect_uri: r.redirectUri, code_verifier: r.verifier, ...extra };
  if (!headers.authorization) form.client_id = r.clientId;
  return postForm(h.base, "/oauth/token", form, headers);
}

async function spaTokens(scope = "read:contacts write:contacts") {
  const r = request(SPA, scope);
  const t = await redeem(r, await obtainCode(browser, r));
  assert.equal(t.status, 200);
  return { access: String(t.json.access_token), refresh: String(t.json.refresh_token) };
}

const refresh = (token: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  postForm(h.base, "/oauth/token", { grant_type: "refresh_token", refresh_token: token, ...(headers.authorization ? {} : { client_id: "demo-spa" }), ...extra }, headers);
const live = (access: string) => h.mock.store.resolveBearer(access) !== null;

describe("login and authorize", () => {
  it("shows the login page, not a client redirect, before authentication (AUTHZ-11, CONSENT-01)", async () => {
    const anon = new Browser(h.base);
    const r = request(SPA, "write:deals");
    const res = await anon.get(authorizeQuery(r));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("location"), null);
    const text = await res.text();
    assert.match(text, /<label for="email">Email<\/label>/);
    assert.match(text, /<label for="password">Password<\/label>/);
    assert.match(text, /<button type="submit">Sign in<\/button>/);
    assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    const login = await anon.post("/login", { login_csrf: hidden(text, "login_csrf"), return_to: hidden(text, "return_to"), email: "member@acme.test", password: "pact-demo-password" });
    assert.equal(login.status, 303);
    const back = await anon.get(login.headers.get("location") ?? "");
    assert.equal(back.status, 302);
    const loc = new URL(back.headers.get("location") ?? "");
    assert.equal(loc.searchParams.get("error"), "invalid_scope");
    assert.equal(loc.searchParams.get("state"), "st-1");
  });

  it("refuses bad credentials without enumeration, login CSRF and off-site return paths (SEC-01)", async () => {
    const anon = new Browser(h.base);
    const unknown = await anon.login("nobody@acme.test");
    const wrong = await anon.login("member@acme.test", "wrong");
    assert.equal(unknown.status, 200);
    assert.equal(wrong.status, 200);
    assert.match(await unknown.text(), /Incorrect email or password/);
    assert.match(await wrong.text(), /Incorrect email or password/);
    const noCsrf = await new Browser(h.base).post("/login", { email: "member@acme.test", password: "pact-demo-password" });
    assert.equal(noCsrf.status, 403);
    for (const target of ["//evil.test", "/\\evil.test", "https://evil.test"]) {
      const res = await new Browser(h.base).login("member@acme.test", "pact-demo-password", target);
      assert.equal(res.headers.get("location"), "/login", target);
    }
  });

  it("consent names the app, workspace, host and scopes; Approve returns code and state, keeping the URI's query (AUTHZ-01, CONSENT-02)", async () => {
    const r = request({ clientId: "demo-server", redirectUri: "https://server.example.test/callback2?tenant=a" }, "read:contacts read:deals", "a b&c=<d>");
    const page = await (await browser.get(authorizeQuery(r))).text();
    for (const text of ["Demo Server", "Acme", "server.example.test", "<code>read:contacts</code>", "<code>read:deals</code>", ">Approve</button>", ">Deny</button>"]) assert.ok(page.includes(text), text);
    assert.ok(!page.includes("write:contacts"));
    assert.ok(!page.includes("<d>"));
    const loc = await approve(browser, r);
    assert.equal(loc.origin + loc.pathname, "https://server.example.test/callback2");
    assert.equal(loc.searchParams.get("tenant"), "a");
    assert.equal(loc.searchParams.get("state"), "a b&c=<d>");
    assert.ok(loc.searchParams.get("code")?.startsWith("pact_ac_"));
  });

  it("Deny gives access_denied with state; the consent POST needs the CSRF token (CONSENT-04, CONSENT-05)", async () => {
    const r = request(SPA, "read:contacts");
    const page = await (await browser.get(authorizeQuery(r))).text();
    const forged = await browser.post("/oauth/consent", { transaction: hidden(page, "transaction"), decision: "approve" });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get("location"), null);
    const evil = await browser.post("/oauth/consent", { csrf_token: hidden(page, "csrf_token"), transaction: hidden(page, "transaction"), decision: "approve" }, { origin: "https://evil.test" });
    assert.equal(evil.status, 403);
    const deny = await browser.post("/oauth/consent", { csrf_token: hidden(page, "csrf_token"), transaction: hidden(page, "transaction"), decision: "deny" });
    assert.equal(deny.status, 303);
    const loc = new URL(deny.headers.get("location") ?? "");
    assert.equal(loc.searchParams.get("error"), "access_denied");
    assert.equal(loc.searchParams.get("state"), "st-1");
    assert.equal(loc.searchParams.get("code"), null);
    const again = await browser.post("/oauth/consent", { csrf_token: hidden(page, "csrf_token"), transaction: hidden(page, "transaction"), decision: "approve" });
    assert.equal(again.status, 400, "a transaction is answered once");
  });

  it("re-prompts public clients; a confidential client skips consent only while a grant covers the request (CONSENT-08)", async () => {
    await spaTokens("read:contacts");
    assert.equal((await browser.get(authorizeQuery(request(SPA, "read:contacts")))).status, 200);
    const r = request(CONF, "read:contacts");
    const t = await redeem(r, await obtainCode(browser, r), CONF_AUTH);
    assert.equal(t.status, 200);
    const silent = await browser.get(authorizeQuery(request(CONF, "read:contacts")));
    assert.equal(silent.status, 302);
    assert.ok(new URL(silent.headers.get("location") ?? "").searchParams.get("code"));
    assert.equal((await browser.get(authorizeQuery(request(CONF, "read:contacts read:deals")))).status, 200, "a wider request is prompted");
    await postForm(h.base, "/oauth/revoke", { token: String(t.json.refresh_token) }, CONF_AUTH);
    assert.equal((await browser.get(authorizeQuery(request(CONF, "read:contacts")))).status, 200, "after revocation it is prompted again");
  });

  it("never sends CORS headers on /oauth/authorize (SEC-08)", async () => {
    const res = await browser.get(authorizeQuery(request(SPA, "read:contacts")), { origin: "http://127.0.0.1:5173" });
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  });
});

describe("token endpoint: authorization code", () => {
  it("issues the documented response shape with no-store (TOKEN-01..04) and CORS for the SPA origin", async () => {
    const r = request(SPA, "read:contacts write:contacts");
    const t = await redeem(r, await obtainCode(browser, r), { origin: "http://127.0.0.1:5173" });
    assert.equal(t.status, 200);
    assert.deepEqual(Object.keys(t.json).sort(), ["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
    assert.equal(t.json.token_type, "Bearer");
    assert.equal(t.json.expires_in, 3600);
    assert.equal(t.json.scope, "read:contacts write:contacts");
    assert.equal(t.headers.get("cache-control"), "no-store");
    assert.equal(t.headers.get("pragma"), "no-cache");
    assert.equal(t.headers.get("access-control-allow-origin"), "http://127.0.0.1:5173");
    assert.equal(t.headers.get("access-control-allow-credentials"), null);
  });

  it("a replayed code fails and revokes what it issued (CODE-01, CODE-02)", async () => {
    const r = request(SPA, "read:contacts");
    const code = await obtainCode(browser, r);
    const first = await redeem(r, code);
    assert.equal(first.status, 200);
    const second = await redeem(r, code);
    assert.equal(second.status, 400);
    assert.equal(second.json.error, "invalid_grant");
    assert.equal(live(String(first.json.access_token)), false);
    assert.equal((await refresh(String(first.json.refresh_token))).json.error, "invalid_grant");
  });

  it("failed client authentication and malformed requests leave the code unconsumed (TOKEN-05, TOKEN-09, AMB-18)", async () => {
    const r = request(CONF, "read:contacts");
    const code = await obtainCode(browser, r);
    const noSecret = await redeem(r, code);
    assert.equal(noSecret.status, 401);
    assert.equal(noSecret.headers.get("www-authenticate"), 'Basic realm="pact"');
    const inQuery = await postForm(h.base, `/oauth/token?code=${encodeURIComponent(code)}`, { grant_type: "authorization_code", redirect_uri: r.redirectUri, code_verifier: r.verifier }, CONF_AUTH);
    assert.equal(inQuery.json.error, "invalid_request");
    const authenticated = await redeem(r, code, CONF_AUTH);
    assert.equal(authenticated.status, 200, "a properly authenticated request still redeems it");
  });

  it("a wrong verifier gives invalid_grant and burns the code (PKCE-06); a missing one gives invalid_request (PKCE-07)", async () => {
    const r = request(SPA, "read:contacts");
    const code = await obtainCode(browser, r);
    const wrong = await redeem({ ...r, verifier: pkcePair().verifier }, code);
    assert.equal(wrong.json.error, "invalid_grant");
    assert.equal((await redeem(r, code)).json.error, "invalid_grant");
    const r2 = request(SPA, "read:contacts");
    const code2 = await obtainCode(browser, r2);
    const missing = await postForm(h.base, "/oauth/token", { grant_type: "authorization_code", code: code2, redirect_uri: r2.redirectUri, client_id: "demo-spa", code_verifier: "" });
    assert.equal(missing.json.error, "invalid_request");
  });

  it("binds the code to its client and its exact loopback redirect URI (CODE-05, CODE-06)", async () => {
    const cli = request({ clientId: "demo-cli", redirectUri: "http://127.0.0.1:53000/callback" }, "read:contacts");
    const loc = await approve(browser, cli);
    assert.equal(loc.port, "53000");
    const code = loc.searchParams.get("code") ?? "";
    assert.equal((await redeem({ ...cli, redirectUri: "http://127.0.0.1:53001/callback" }, code)).json.error, "invalid_grant");
    const r = request(CONF, "read:contacts");
    const confCode = await obtainCode(browser, r);
    assert.equal((await redeem(r, confCode, basic("demo-other", "demo-other-secret"))).json.error, "invalid_grant");
    assert.equal((await redeem(r, confCode, CONF_AUTH)).status, 200, "another client's attempt does not consume it");
  });

  it("codes expire after 60 s (CODE-04)", async () => {
    const r = request(SPA, "read:contacts");
    const code = await obtainCode(browser, r);
    h.clock.advance(61);
    assert.equal((await redeem(r, code)).json.error, "invalid_grant");
    const r2 = request(SPA, "read:contacts");
    const code2 = await obtainCode(browser, r2);
    h.clock.advance(30);
    assert.equal((await redeem(r2, code2)).status, 200);
  });

  it("access tokens live 3600 s", async () => {
    const { access } = await spaTokens();
    h.clock.advance(3599);
    assert.equal(live(access), true);
    h.clock.advance(1);
    assert.equal(live(access), false);
  });
});

describe("token endpoint: client authentication and request shape", () => {
  const cc = (headers: Record<string, string>, form: Record<string, string> = {}) => postForm(h.base, "/oauth/token", { grant_type: "client_credentials", scope: "read:deals", ...form }, headers);

  it("answers unknown clients and wrong secrets identically with 401 and a Basic challenge (TOKEN-07)", async () => {
    const unknown = await cc(basic("nobody", "x"));
    const wrong = await cc(basic("demo-server", "demo-server-secreT"));
    const body = await cc({}, { client_id: "demo-server", client_secret: "nope" });
    for (const t of [unknown, wrong, body]) {
      assert.equal(t.status, 401);
      assert.equal(t.headers.get("www-authenticate"), 'Basic realm="pact"');
      assert.deepEqual(t.json, unknown.json);
    }
    assert.equal((await cc({}, { client_id: "demo-server", client_secret: "pact_key_mjQNUWpDXOzXpYa5rkTIsUY6e4N14BUBcQAlPNXvzcE" })).status, 401, "an API key is no client secret (KEY-02)");
  });

  it("allows one authentication method per request (TOKEN-08)", async () => {
    assert.equal((await cc(CONF_AUTH, { client_secret: "demo-server-secret" })).json.error, "invalid_request");
    assert.equal((await cc(CONF_AUTH, { client_id: "demo-other" })).json.error, "invalid_request");
    assert.equal((await cc(CONF_AUTH, { client_id: "demo-server" })).status, 200);
    assert.equal((await cc({}, { client_id: "demo-server", client_secret: "demo-server-secret" })).status, 200);
  });

  it("client credentials: confidential only, explicit registered scope, no refresh token (CC-01..04)", async () => {
    const ok = await cc(CONF_AUTH);
    assert.equal(ok.status, 200);
    assert.equal(ok.json.refresh_token, undefined);
    assert.equal(ok.json.scope, "read:deals");
    const grant = h.mock.store.resolveBearer(String(ok.json.access_token));
    assert.ok(grant?.kind === "token" && grant.grant.principal.kind === "app" && grant.workspaceId === "acme");
    assert.equal((await cc(CONF_AUTH, { scope: "write:deals" })).json.error, "invalid_scope");
    assert.equal((await cc(CONF_AUTH, { scope: "" })).json.error, "invalid_scope");
    const pub = await cc({}, { client_id: "demo-spa", client_secret: "invented", scope: "read:contacts" });
    assert.equal(pub.status, 400);
    assert.equal(pub.json.error, "unauthorized_client");
  });

  it("validates content type, method, grant type and duplicates (TOKEN-05, TOKEN-11, TOKEN-13)", async () => {
    const json = await fetch(`${h.base}/oauth/token`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, "invalid_request");
    assert.equal(json.headers.get("cache-control"), "no-store");
    const get = await fetch(`${h.base}/oauth/token?grant_type=client_credentials`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    assert.equal((await cc(CONF_AUTH, { grant_type: "" })).json.error, "invalid_request");
    for (const g of ["password", "implicit", "Authorization_Code", "urn:ietf:params:oauth:grant-type:device_code"]) assert.equal((await cc(CONF_AUTH, { grant_type: g })).json.error, "unsupported_grant_type", g);
    const dup = await postForm(h.base, "/oauth/token", "grant_type=client_credentials&scope=read:deals&scope=read:deals", CONF_AUTH);
    assert.equal(dup.json.error, "invalid_request");
    assert.equal((await cc(CONF_AUTH, { foo: "1", audience: "x" })).status, 200);
    const big = await fetch(`${h.base}/oauth/token`, { method: "POST", body: `a=${"x".repeat(70_000)}`, headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(big.status, 413);
    assert.match(big.headers.get("content-type") ?? "", /json/);
  });

  it("public clients: a non-empty secret is refused, an empty one counts as omitted (REG-03)", async () => {
    const r = request(SPA, "read:contacts");
    const code = await obtainCode(browser, r);
    assert.equal((await redeem(r, code, {}, { client_secret: "x" })).status, 401);
    assert.equal((await redeem(r, code, {}, { client_secret: "" })).status, 200);
  });

  it("throttles failed authentications per client and source on the mock clock (SEC-05)", async () => {
    for (let i = 0; i < THROTTLE_LIMIT; i++) assert.equal((await cc(basic("demo-server", `bad-${i}`))).status, 401);
    const blocked = await cc(CONF_AUTH);
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get("retry-after")) >= 1);
    assert.equal((await cc(basic("demo-other", "demo-other-secret"), { scope: "read:contacts" })).status, 200, "another client is unaffected");
    h.clock.advance(61);
    assert.equal((await cc(CONF_AUTH)).status, 200);
    const throttle = new AuthThrottle(h.mock.store);
    for (let i = 0; i < THROTTLE_LIMIT; i++) throttle.recordFailure("demo-server", "10.0.0.1");
    assert.ok(throttle.retryAfter("demo-server", "10.0.0.1") !== null);
    assert.equal(throttle.retryAfter("demo-server", "10.0.0.2"), null, "another source is unaffected");
  });

  it("a flood of made-up client_ids from the throttled source does not free the throttled client (SEC-05)", () => {
    const throttle = new AuthThrottle(h.mock.store);
    for (let i = 0; i < THROTTLE_LIMIT; i++) throttle.recordFailure("demo-server", "10.0.0.9");
    for (let i = 0; i < THROTTLE_LIMIT - 1; i++) throttle.recordFailure("demo-other", "10.0.0.9");
    for (let i = 0; i < 25_000; i++) throttle.recordFailure(`made-up-${i}`, "10.0.0.9");
    assert.ok(throttle.retryAfter("demo-server", "10.0.0.9") !== null, "still throttled");
    throttle.recordFailure("demo-other", "10.0.0.9");
    assert.ok(throttle.retryAfter("demo-other", "10.0.0.9") !== null, "a pair one short of the limit kept its count");
    h.clock.advance(61);
    assert.equal(throttle.retryAfter("demo-server", "10.0.0.9"), null, "the window still ends");
  });
});

describe("refresh", () => {
  it("rotates, and reusing a rotated token revokes the whole grant (REFRESH-03, REFRESH-04)", async () => {
    const { access: a1, refresh: r1 } = await spaTokens();
    const second = await refresh(r1);
    assert.equal(second.status, 200);
    const r2 = String(second.json.refresh_token);
    const a2 = String(second.json.access_token);
    assert.notEqual(r2, r1);
    assert.equal(live(a1), true, "the superseded access token lives on until reuse");
    const reuse = await refresh(r1);
    assert.equal(reuse.json.error, "invalid_grant");
    assert.equal((await refresh(r2)).json.error, "invalid_grant");
    assert.equal(live(a2), false);
    assert.equal(live(a1), false);
  });

  it("narrows per request, refuses widening and keeps the presented token (REFRESH-05, REFRESH-06)", async () => {
    const { refresh: r1 } = await spaTokens("read:contacts");
    const wide = await refresh(r1, { scope: "read:contacts write:contacts" });
    assert.equal(wide.json.error, "invalid_scope");
    const { refresh: r2 } = await spaTokens();
    const narrow = await refresh(r2, { scope: "read:contacts" });
    assert.equal(narrow.json.scope, "read:contacts");
    const full = await refresh(String(narrow.json.refresh_token));
    assert.equal(full.json.scope, "read:contacts write:contacts");
    assert.equal((await refresh(r1)).status, 200, "the token that tried to widen still works");
  });

  it("each refresh token lives 30 days from its own issuance (REFRESH-02)", async () => {
    const { refresh: r1 } = await spaTokens();
    h.clock.advance(30 * DAY_S - 60);
    const rotated = await refresh(r1);
    assert.equal(rotated.status, 200);
    h.clock.advance(29 * DAY_S);
    const r2 = String(rotated.json.refresh_token);
    await browser.login("member@acme.test");
    const { refresh: r3 } = await spaTokens();
    h.clock.advance(DAY_S + 60);
    assert.equal((await refresh(r2)).json.error, "invalid_grant");
    assert.equal((await refresh(r3)).status, 200);
  });

  it("binds the token to its client, and confidential clients must authenticate (REFRESH-07, REFRESH-09)", async () => {
    const { access, refresh: r1 } = await spaTokens("read:contacts");
    assert.equal((await refresh(r1, { client_id: "demo-cli" })).json.error, "invalid_grant");
    assert.equal((await refresh(access)).json.error, "invalid_grant");
    assert.equal((await refresh("")).json.error, "invalid_request");
    const r = request(CONF, "read:contacts");
    const t = await redeem(r, await obtainCode(browser, r), CONF_AUTH);
    const confRt = String(t.json.refresh_token);
    assert.equal((await refresh(confRt, { client_id: "demo-server" })).status, 401);
    assert.equal((await refresh(confRt, {}, basic("demo-other", "demo-other-secret"))).json.error, "invalid_grant");
    assert.equal((await refresh(confRt, {}, CONF_AUTH)).status, 200);
  });
});

describe("revocation", () => {
  const revoke = (form: Record<string, string>, headers: Record<string, string> = {}) => postForm(h.base, "/oauth/revoke", form, headers);

  it("a refresh token ends its grant; an access token only itself; hints are hints (REVOKE-03..05)", async () => {
    const one = await spaTokens();
    const rotated = await refresh(one.refresh);
    assert.equal((await revoke({ token: String(rotated.json.refresh_token), token_type_hint: "access_token", client_id: "demo-spa" })).status, 200);
    assert.equal(live(one.access), false);
    assert.equal(live(String(rotated.json.access_token)), false);
    const two = await spaTokens();
    assert.equal((await revoke({ token: two.access, token_type_hint: "refresh_token", client_id: "demo-spa" })).status, 200);
    assert.equal(live(two.access), false);
    assert.equal((await refresh(two.refresh)).status, 200, "the refresh token survives");
  });

  it("leaves other clients' tokens and API keys alone, and answers 200 (REVOKE-02, REVOKE-07, KEY-02)", async () => {
    const { access, refresh: rt } = await spaTokens("read:contacts");
    assert.equal((await revoke({ token: rt, client_id: "demo-cli" })).status, 200);
    assert.equal((await revoke({ token: access }, CONF_AUTH)).status, 200);
    assert.equal(live(access), true);
    const key = "pact_key_mjQNUWpDXOzXpYa5rkTIsUY6e4N14BUBcQAlPNXvzcE";
    assert.equal((await revoke({ token: key, client_id: "demo-spa" })).status, 200);
    assert.notEqual(h.mock.store.resolveBearer(key), null);
    assert.equal((await revoke({ token: "random-string", client_id: "demo-spa" })).status, 200);
    assert.equal((await refresh(rt)).status, 200);
  });

  it("validates the client and the request (REVOKE-06)", async () => {
    const { access } = await spaTokens("read:contacts");
    assert.equal((await revoke({ token: access })).status, 401);
    const bad = await revoke({ token: access, client_id: "demo-server", client_secret: "wrong" });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get("www-authenticate"), 'Basic realm="pact"');
    assert.equal((await revoke({ client_id: "demo-spa" })).json.error, "invalid_request");
    assert.equal((await revoke({ token: "", client_id: "demo-spa" })).json.error, "invalid_request");
    assert.equal((await postForm(h.base, "/oauth/revoke", `token=${access}&token=${access}&client_id=demo-spa`)).json.error, "invalid_request");
    const get = await fetch(`${h.base}/oauth/revoke?token=${access}&client_id=demo-spa`);
    assert.equal(get.status, 405);
    assert.equal(live(access), true);
  });

  it("answers CORS preflights for the SPA origin only, without credentials (SEC-08)", async () => {
    const pre = (origin: string) => fetch(`${h.base}/oauth/revoke`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    const ok = await pre("http://127.0.0.1:5173");
    assert.equal(ok.headers.get("access-control-allow-origin"), "http://127.0.0.1:5173");
    assert.equal(ok.headers.get("access-control-allow-credentials"), null);
    assert.equal((await pre("https://evil.test")).headers.get("access-control-allow-origin"), null);
  });
});

describe("hostile input", () => {
  it("never answers 5xx, and token-endpoint errors stay JSON (TOKEN-14, AUTHZ-02)", async () => {
    const anon = new Browser(h.base);
    const challenge = pkcePair().challenge;
    const paths = [
      "/oauth/authorize?client_id=%00&redirect_uri=x",
      `/oauth/authorize?client_id=${"a".repeat(4096)}`,
      "/oauth/authorize?client_id=demo-spa&redirect_uri=http://127.0.0.1:5173/callback&scope=read:contacts\\x&state=\"<é€>&code_challenge=" + challenge,
      "/oauth/authorize?client_id=demo-spa&redirect_uri=http://127.0.0.1:5173/callback&state=%ZZ%C3%28",
      "/login?return_to=%2F%2Fevil.test",
    ];
    for (const path of paths) for (const b of [anon, browser]) assert.ok((await b.get(path)).status < 500, path);
    const loginPage = await anon.get(paths[2] ?? "");
    assert.equal(loginPage.status, 200);
    const text = await loginPage.text();
    const login = await anon.post("/login", { login_csrf: hidden(text, "login_csrf"), return_to: hidden(text, "return_to"), email: "member@acme.test", password: "pact-demo-password" });
    assert.match(login.headers.get("location") ?? "", /^\/oauth\/authorize\?/, "the request survives the login detour");
    const bodies: Array<[string, Record<string, string>]> = [
      ["\u0000\uFFFF%%%&&==", {}],
      ["grant_type=authorization_code&code=%FF%FE", { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }],
      ["garbage", { "content-encoding": "gzip" }],
      ["garbage", { "content-encoding": "br" }],
      ["grant_type=client_credentials", { authorization: "Basic %%%" }],
      ["grant_type=client_credentials", { authorization: "Basic" }],
    ];
    for (const [body, headers] of bodies) {
      const res = await fetch(`${h.base}/oauth/token`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });
      assert.ok([400, 401].includes(res.status), `${body} ${JSON.stringify(headers)} → ${res.status}`);
      assert.equal(typeof ((await res.json()) as { error: unknown }).error, "string");
    }
  });
});

describe("metadata", () => {
  it("publishes RFC 8414 metadata with the mock's own issuer (META-01)", async () => {
    const res = await fetch(`${h.base}/.well-known/oauth-authorization-server`);
    const meta = (await res.json()) as Record<string, unknown>;
    assert.equal(meta.issuer, h.base);
    assert.equal(meta.token_endpoint, `${h.base}/oauth/token`);
    assert.deepEqual(meta.code_challenge_methods_supported, ["S256"]);
    assert.deepEqual(meta.scopes_supported, ["read:contacts", "write:contacts", "read:deals", "write:deals"]);
  });
});
