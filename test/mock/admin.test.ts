import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FIXTURE_KEY, type Running, appToken, bearer, session, start, userToken } from "./helpers.ts";

let t: Running;
before(async () => {
  t = await start();
});
after(async () => {
  await t.close();
});

const CONSOLE = "/admin/api-developers";

function page(path: string, cookie: string, headers: Record<string, string> = {}) {
  return fetch(t.base + path, { headers: { Cookie: cookie, ...headers }, redirect: "manual" });
}

function post(path: string, cookie: string, fields: Array<[string, string]>, headers: Record<string, string> = {}) {
  return fetch(t.base + path, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

function api(method: string, path: string, s: { cookie: string; csrf: string }, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(t.base + path, {
    method,
    headers: { Cookie: s.cookie, "X-CSRF-Token": s.csrf, ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
}

const v1 = (token: string) => fetch(`${t.base}/v1/contacts`, { headers: bearer(token) });

/** Every admin page and admin API read, concatenated: what a crawl for leaked secrets sees (REG-02, KEY-03). */
async function crawl(s: { cookie: string; csrf: string }): Promise<string> {
  const parts: string[] = [];
  for (const tab of ["apps", "installed", "api-keys", "members"]) parts.push(await (await page(`${CONSOLE}?tab=${tab}`, s.cookie)).text());
  parts.push(await (await page(CONSOLE, s.cookie)).text());
  for (const p of ["/admin/api/apps", "/admin/api/installed", "/admin/api/api-keys", "/admin/api/users"]) parts.push(await (await api("GET", p, s)).text());
  const apps = JSON.parse(parts[5] ?? "{}") as { data: Array<{ client_id: string }> };
  for (const a of apps.data) parts.push(await (await api("GET", `/admin/api/apps/${a.client_id}`, s)).text());
  return parts.join("\n");
}

function assertNeverShown(haystack: string, secret: string): void {
  for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")]) assert.ok(!haystack.includes(form), "secret visible after its one-time display");
}

describe("access control (INSTALL-03, SEC-07)", () => {
  test("no session: pages redirect to login with a same-origin return path; the JSON API says 401", async () => {
    const res = await fetch(`${t.base}${CONSOLE}?tab=installed`, { redirect: "manual" });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `/login?return_to=${encodeURIComponent(`${CONSOLE}?tab=installed`)}`);
    assert.equal((await fetch(`${t.base}/admin/api/apps`, { redirect: "manual" })).status, 401);
  });

  test("a member gets 403 on every tab and action, and the tokens are unaffected", async () => {
    const member = session(t.mock, "member@acme.test");
    for (const tab of ["apps", "installed", "api-keys", "members"]) assert.equal((await page(`${CONSOLE}?tab=${tab}`, member.cookie)).status, 403, tab);
    const { token } = userToken(t.mock, "member@acme.test", ["read:contacts"], "demo-spa");
    const revoke = await post(`${CONSOLE}/installed/demo-spa/revoke`, member.cookie, [["csrf_token", member.csrf]]);
    assert.equal(revoke.status, 403);
    assert.equal((await api("POST", "/admin/api/installed/demo-spa/revoke", member)).status, 403);
    assert.equal((await v1(token)).status, 200);
    assert.equal((await api("POST", "/admin/api/apps", member, { name: "x", type: "public", redirect_uris: ["https://x.test/cb"], scopes: ["read:contacts"] })).status, 403);
  });

  test("OAuth tokens and API keys cannot reach administration, even beside an admin cookie (SEC-07)", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const { token } = userToken(t.mock, "admin@acme.test", ["read:contacts", "write:contacts"], "demo-spa");
    const cc = appToken(t.mock, "demo-server", ["read:contacts"]).token;
    for (const credential of [token, cc, FIXTURE_KEY]) {
      for (const res of [
        await fetch(`${t.base}${CONSOLE}`, { headers: bearer(credential), redirect: "manual" }),
        await fetch(`${t.base}/admin/api/apps`, { headers: bearer(credential), redirect: "manual" }),
        await fetch(`${t.base}/admin/api/api-keys`, { method: "POST", headers: { ...bearer(credential), "Content-Type": "application/json" }, body: '{"name":"x"}', redirect: "manual" }),
        await api("POST", "/admin/api/installed/demo-spa/revoke", admin, undefined, bearer(credential)),
      ])
        assert.ok(res.status === 401 || res.status === 403, String(res.status));
    }
  });

  test("CSRF: a POST without, with a wrong, or with a cross-site token is refused (CONSENT-05 pattern)", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const other = session(t.mock, "admin@acme.test");
    const before = t.mock.store.apiKeys.size;
    assert.equal((await post(`${CONSOLE}/api-keys`, admin.cookie, [["name", "k"]])).status, 403);
    assert.equal((await post(`${CONSOLE}/api-keys`, admin.cookie, [["name", "k"], ["csrf_token", other.csrf]])).status, 403);
    assert.equal((await post(`${CONSOLE}/api-keys`, admin.cookie, [["name", "k"], ["csrf_token", admin.csrf], ["csrf_token", admin.csrf]])).status, 403);
    assert.equal((await post(`${CONSOLE}/api-keys`, admin.cookie, [["name", "k"], ["csrf_token", admin.csrf]], { Origin: "https://evil.test" })).status, 403);
    assert.equal((await api("POST", "/admin/api/api-keys", { cookie: admin.cookie, csrf: "" }, { name: "k" })).status, 403);
    assert.equal(t.mock.store.apiKeys.size, before);
    assert.equal((await post(`${CONSOLE}/api-keys`, admin.cookie, [["name", "k"], ["csrf_token", admin.csrf]])).status, 200);
    assert.equal(t.mock.store.apiKeys.size, before + 1);
  });
});

describe("apps (REG-01..05, AMB-27)", () => {
  test("the console has the tabs of the page contract", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const res = await page(CONSOLE, admin.cookie);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    const body = await res.text();
    for (const label of ["Apps", "Installed", "API keys"]) assert.match(body, new RegExp(`<a [^>]*>${label}</a>`));
    assert.match(body, /demo-server/);
    assert.match(body, /••••cret/);
    assert.ok(!body.includes("demo-server-secret"));
  });

  test("a confidential registration shows the secret once; regenerate replaces it at once", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const res = await post(`${CONSOLE}/apps`, admin.cookie, [
      ["csrf_token", admin.csrf],
      ["name", "Billing sync"],
      ["type", "confidential"],
      ["redirect_uris", "https://billing.test/cb\r\nhttps://billing.test/cb2?x=1"],
      ["scope", "read:contacts"],
      ["scope", "read:deals"],
    ]);
    assert.equal(res.status, 200);
    const body = await res.text();
    const clientId = /id="client-id">([^<]+)</.exec(body)?.[1];
    const secret = /id="client-secret">([^<]+)</.exec(body)?.[1];
    assert.ok(clientId && secret);
    const app = t.mock.store.liveApp(clientId);
    assert.ok(app);
    assert.deepEqual(app.redirectUris, ["https://billing.test/cb", "https://billing.test/cb2?x=1"]);
    assert.deepEqual(app.scopes, ["read:contacts", "read:deals"]);
    assert.ok(t.mock.store.verifyClientSecret(app, secret));
    assertNeverShown(await crawl(admin), secret);

    const rotated = await post(`${CONSOLE}/apps/${clientId}/secret`, admin.cookie, [["csrf_token", admin.csrf]]);
    assert.equal(rotated.status, 200);
    const newSecret = /id="client-secret">([^<]+)</.exec(await rotated.text())?.[1];
    assert.ok(newSecret && newSecret !== secret);
    assert.ok(!t.mock.store.verifyClientSecret(app, secret));
    assert.ok(t.mock.store.verifyClientSecret(app, newSecret));
    assertNeverShown(await crawl(admin), newSecret);
  });

  test("a public registration gets no secret", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const res = await api("POST", "/admin/api/apps", admin, { name: "CLI", type: "public", redirect_uris: ["http://127.0.0.1/cb", "com.example.app:/cb"], scope: "read:contacts" });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body["client_secret"], undefined);
    assert.equal(body["secret_hint"], null);
  });

  test("redirect URIs are validated and stored byte-identical (REG-04); unknown scopes refused (REG-05)", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const refused: Array<[string, "public" | "confidential"]> = [
      ["/relative/cb", "confidential"],
      ["https://a.test/cb#frag", "confidential"],
      ["http://a.test/cb", "confidential"],
      ["http://127.0.0.1/cb", "confidential"],
      ["https://*.a.test/cb", "confidential"],
      ["https://user@a.test/cb", "confidential"],
      ["http://localhost:8080/cb", "public"],
      ["myapp:/cb", "public"],
    ];
    for (const [uri, type] of refused) {
      const res = await api("POST", "/admin/api/apps", admin, { name: "x", type, redirect_uris: [uri], scopes: ["read:contacts"] });
      assert.equal(res.status, 400, uri);
      assert.ok(((await res.json()) as { error_description: string }).error_description.includes(uri), uri);
      const form = await post(`${CONSOLE}/apps`, admin.cookie, [["csrf_token", admin.csrf], ["name", "x"], ["type", type], ["redirect_uris", uri], ["scope", "read:contacts"]]);
      assert.equal(form.status, 400, uri);
      assert.match(await form.text(), /role="alert"/);
    }
    const accepted = ["https://A.test:443/Cb/../x?b=2&a=1", "http://[::1]:8080/cb", "com.example.app:/cb"];
    const ok = await api("POST", "/admin/api/apps", admin, { name: "ok", type: "public", redirect_uris: accepted, scopes: ["read:contacts"] });
    assert.equal(ok.status, 201);
    assert.deepEqual(((await ok.json()) as { redirect_uris: string[] }).redirect_uris, accepted);
    const unknown = await api("POST", "/admin/api/apps", admin, { name: "x", type: "public", redirect_uris: ["https://a.test/cb"], scopes: ["nope:nothing"] });
    assert.equal(unknown.status, 400);
  });

  test("deleting an app kills its tokens in every workspace (INSTALL-04)", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const created = (await (await api("POST", "/admin/api/apps", admin, { name: "Doomed", type: "confidential", redirect_uris: ["https://d.test/cb"], scopes: ["read:contacts"] })).json()) as { client_id: string };
    const a = userToken(t.mock, "member@acme.test", ["read:contacts"], created.client_id);
    const b = userToken(t.mock, "member@globex.test", ["read:contacts"], created.client_id);
    assert.equal((await v1(a.token)).status, 200);
    const del = await post(`${CONSOLE}/apps/${created.client_id}/delete`, admin.cookie, [["csrf_token", admin.csrf]]);
    assert.equal(del.status, 303);
    assert.equal(del.headers.get("location"), `${CONSOLE}?tab=apps&notice=deleted`);
    assert.equal((await v1(a.token)).status, 401);
    assert.equal((await v1(b.token)).status, 401);
    assert.equal((await api("GET", `/admin/api/apps/${created.client_id}`, admin)).status, 404);
  });

  test("an admin of another workspace cannot see or change this workspace's apps", async () => {
    const globex = session(t.mock, "admin@globex.test");
    const list = (await (await api("GET", "/admin/api/apps", globex)).json()) as { data: unknown[] };
    assert.equal(list.data.length, 0);
    assert.equal((await api("POST", "/admin/api/apps/demo-server/secret", globex)).status, 404);
    assert.equal((await api("DELETE", "/admin/api/apps/demo-server", globex)).status, 404);
    assert.ok(t.mock.store.liveApp("demo-server"));
  });
});

describe("Installed tab (INSTALL-01..03, INSTALL-05)", () => {
  test("lists who authorized what and when; Revoke ends every token, refresh token and code of the app in this workspace only", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const user = userToken(t.mock, "member@acme.test", ["read:contacts", "read:deals"], "demo-server");
    const rt = t.mock.store.issueRefreshToken(user.grant);
    const cc = appToken(t.mock, "demo-server", ["read:deals"]);
    const spa = userToken(t.mock, "member@acme.test", ["read:contacts"], "demo-spa");
    const globex = userToken(t.mock, "member@globex.test", ["read:contacts"], "demo-server");
    const code = t.mock.store.issueCode({ clientId: "demo-server", userId: "usr_acme_member", workspaceId: "acme", redirectUri: "https://server.example.test/callback", scope: ["read:contacts"], codeChallenge: "x".repeat(43) });

    const tab = await (await page(`${CONSOLE}?tab=installed`, admin.cookie)).text();
    assert.match(tab, /Demo Server/);
    assert.match(tab, /member@acme\.test/);
    assert.match(tab, new RegExp(new Date(t.mock.clock.now()).toISOString().replace(/\./g, "\\.")));
    assert.match(tab, /<button type="submit">Revoke<\/button>/);
    const json = (await (await api("GET", "/admin/api/installed", admin)).json()) as { data: Array<{ client_id: string; scopes: string[]; authorizations: Array<{ user: string | null }> }> };
    const server = json.data.find((i) => i.client_id === "demo-server");
    assert.ok(server);
    assert.deepEqual(server.scopes, ["read:contacts", "read:deals"]);
    assert.ok(server.authorizations.some((a) => a.user === "member@acme.test"));
    assert.ok(server.authorizations.some((a) => a.user === null));

    const res = await post(`${CONSOLE}/installed/demo-server/revoke`, admin.cookie, [["csrf_token", admin.csrf]]);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `${CONSOLE}?tab=installed&notice=revoked`);
    assert.equal((await v1(user.token)).status, 401);
    assert.equal((await fetch(`${t.base}/v1/deals`, { headers: bearer(cc.token) })).status, 401);
    const rtGrant = t.mock.store.grants.get(rt.token.grantId);
    assert.ok(rtGrant);
    assert.equal(t.mock.store.grantIsLive(rtGrant), false, "the refresh token's grant is revoked");
    assert.notEqual(t.mock.store.findCode(code)?.revokedAt ?? null, null);
    assert.equal((await v1(spa.token)).status, 200, "other apps in the workspace are untouched (INSTALL-02)");
    assert.equal((await v1(globex.token)).status, 200, "the same app in another workspace is untouched (INSTALL-02)");
    const after = (await (await api("GET", "/admin/api/installed", admin)).json()) as { data: Array<{ client_id: string }> };
    assert.ok(!after.data.some((i) => i.client_id === "demo-server"));
  });

  test("deactivating a member revokes their grants but not client-credentials tokens (INSTALL-05)", async () => {
    const admin = session(t.mock, "admin@globex.test");
    const member = userToken(t.mock, "member@globex.test", ["read:contacts"], "demo-spa");
    const cc = appToken(t.mock, "demo-other", ["read:contacts"]);
    assert.equal((await api("POST", "/admin/api/users/member@globex.test/deactivate", admin)).status, 204);
    assert.equal((await v1(member.token)).status, 401);
    assert.equal((await v1(cc.token)).status, 200);
    assert.equal((await api("POST", "/admin/api/users/admin@acme.test/deactivate", admin)).status, 404, "only users of the admin's own workspace");
  });
});

describe("API keys (KEY-01, KEY-03)", () => {
  test("created and shown once, usable as Bearer, listed by hint only, revoked at once", async () => {
    const admin = session(t.mock, "admin@acme.test");
    const res = await post(`${CONSOLE}/api-keys`, admin.cookie, [["csrf_token", admin.csrf], ["name", "Nightly export"]]);
    assert.equal(res.status, 200);
    const key = /id="api-key">([^<]+)</.exec(await res.text())?.[1];
    assert.ok(key);
    assert.equal((await v1(key)).status, 200);
    const listing = await crawl(admin);
    assertNeverShown(listing, key);
    assert.ok(listing.includes(`••••${key.slice(-4)}`));
    const created = t.mock.store.findApiKey(key);
    assert.ok(created);
    const revoke = await post(`${CONSOLE}/api-keys/${created.id}/revoke`, admin.cookie, [["csrf_token", admin.csrf]]);
    assert.equal(revoke.status, 303);
    assert.equal((await v1(key)).status, 401);

    const viaApi = (await (await api("POST", "/admin/api/api-keys", admin, { name: "script" })).json()) as { id: string; key: string };
    assert.equal((await v1(viaApi.key)).status, 200);
    assert.equal((await api("DELETE", `/admin/api/api-keys/${viaApi.id}`, admin)).status, 204);
    assert.equal((await v1(viaApi.key)).status, 401);
    const globex = session(t.mock, "admin@globex.test");
    assert.equal((await api("DELETE", "/admin/api/api-keys/key_acme_fixture", globex)).status, 404);
  });
});
