import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { FIXTURE_KEY, type Running, appToken, bearer, challenge, start, userToken } from "./helpers.ts";

let t: Running;
before(async () => {
  t = await start();
});
after(async () => {
  await t.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(t.base + path, { headers, redirect: "manual" });
const send = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  fetch(t.base + path, { method, headers: { "Content-Type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual" });

/** A raw HTTP/1.1 exchange, for requests fetch cannot express (two Authorization headers). */
function rawRequest(lines: string[]): Promise<{ status: number; head: string }> {
  const url = new URL(t.base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write([...lines, `Host: ${url.host}`, "Connection: close", "", ""].join("\r\n")));
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("end", () => resolve({ status: Number(data.slice(9, 12)), head: data.split("\r\n\r\n")[0] ?? "" }));
    socket.on("error", reject);
  });
}

describe("authentication (RFC 6750; API-02, 03, 06..09, KEY-01)", () => {
  test("a valid token in the header gets 200 with at most `limit` contacts of its workspace (API-01)", async () => {
    const { token } = userToken(t.mock, "member@acme.test", ["read:contacts"]);
    const res = await get("/v1/contacts?limit=10", bearer(token));
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: Array<{ id: string }> };
    assert.ok(body.data.length > 0 && body.data.length <= 10);
    assert.ok(body.data.every((c) => c.id.startsWith("acme_")));
  });

  test("no credentials or another scheme: 401 bare challenge (API-02)", async () => {
    for (const headers of [{} as Record<string, string>, { Authorization: "Basic dXNlcjpwYXNz" }, { Authorization: "Token abc" }, { Authorization: "Digest x" }]) {
      const res = await get("/v1/contacts", headers);
      assert.equal(res.status, 401);
      const c = challenge(res);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer /);
      assert.equal(c.get("error"), undefined);
    }
  });

  test("malformed Bearer credentials: 400 invalid_request (API-06)", async () => {
    for (const value of ["Bearer", "Bearer    ", "Bearer a b", "Bearer a,b"]) {
      const res = await get("/v1/contacts", { Authorization: value });
      assert.equal(res.status, 400, value);
      assert.equal(challenge(res).get("error"), "invalid_request", value);
    }
  });

  test("two Authorization headers: 400 invalid_request (API-06)", async () => {
    const { token } = userToken(t.mock, "member@acme.test", ["read:contacts"]);
    const res = await rawRequest(["GET /v1/contacts HTTP/1.1", `Authorization: Bearer ${token}`, `Authorization: Bearer ${token}`]);
    assert.equal(res.status, 400);
    assert.match(res.head, /error="invalid_request"/);
  });

  test("scheme is case-insensitive, token is not (API-07)", async () => {
    const { token } = userToken(t.mock, "member@acme.test", ["read:contacts"]);
    for (const scheme of ["bearer", "BEARER", "Bearer", "bEaReR"]) assert.equal((await get("/v1/contacts", { Authorization: `${scheme} ${token}` })).status, 200, scheme);
    const last = token.at(-1) ?? "a";
    const flipped = token.slice(0, -1) + (last === last.toUpperCase() ? last.toLowerCase() : last.toUpperCase());
    const res = await get("/v1/contacts", bearer(flipped === token ? `${token.slice(0, -1)}Z` : flipped));
    assert.equal(res.status, 401);
    assert.equal(challenge(res).get("error"), "invalid_token");
  });

  test("unknown, expired and revoked tokens: 401 invalid_token, token not echoed (API-03, API-05)", async () => {
    const unknown = await get("/v1/contacts", bearer("pact_at_doesnotexist"));
    assert.equal(unknown.status, 401);
    assert.equal(challenge(unknown).get("error"), "invalid_token");
    assert.ok(!(await unknown.text()).includes("doesnotexist"));

    const { token } = userToken(t.mock, "member@acme.test", ["read:contacts"]);
    t.mock.clock.advance(3600 - 60);
    assert.equal((await get("/v1/contacts", bearer(token))).status, 200);
    t.mock.clock.advance(120);
    const expired = await get("/v1/contacts", bearer(token));
    assert.equal(expired.status, 401);
    assert.equal(challenge(expired).get("error"), "invalid_token");

    const fresh = userToken(t.mock, "member@acme.test", ["read:contacts"]);
    const at = t.mock.store.findAccessToken(fresh.token);
    assert.ok(at);
    t.mock.store.revokeAccessToken(at);
    assert.equal((await get("/v1/contacts", bearer(fresh.token))).status, 401);
  });

  test("refresh tokens, codes, client secrets and client ids are not bearer credentials (API-09)", async () => {
    const { grant } = userToken(t.mock, "member@acme.test", ["read:contacts"]);
    const rt = t.mock.store.issueRefreshToken(grant).raw;
    const code = t.mock.store.issueCode({ clientId: "demo-server", userId: "usr_acme_member", workspaceId: "acme", redirectUri: "https://server.example.test/callback", scope: ["read:contacts"], codeChallenge: "x".repeat(43) });
    for (const credential of [rt, code, "demo-server-secret", "demo-server"]) {
      const res = await get("/v1/contacts", bearer(credential));
      assert.equal(res.status, 401, credential.slice(0, 8));
      assert.equal(challenge(res).get("error"), "invalid_token");
    }
  });

  test("token in the query only is unauthenticated; header plus query is invalid_request; form body unsupported (API-08)", async () => {
    const { token } = userToken(t.mock, "member@acme.test", ["read:contacts", "write:contacts"]);
    const queryOnly = await get(`/v1/contacts?access_token=${token}`);
    assert.equal(queryOnly.status, 401);
    assert.equal(challenge(queryOnly).get("error"), undefined);

    const both = await get(`/v1/contacts?access_token=${token}`, bearer(token));
    assert.equal(both.status, 400);
    assert.equal(challenge(both).get("error"), "invalid_request");

    const before = t.mock.store.contacts.size;
    const form = await fetch(`${t.base}/v1/contacts`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `access_token=${token}&name=x&email=x%40y.test`, redirect: "manual" });
    assert.equal(form.status, 401);
    assert.equal(challenge(form).get("error"), undefined);
    assert.equal(t.mock.store.contacts.size, before);
  });

  test("API keys work like tokens with workspace-wide rights; a revoked key gets invalid_token (KEY-01, AMB-22)", async () => {
    const ok = await get("/v1/deals?limit=10", bearer(FIXTURE_KEY));
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { data: Array<{ id: string }> };
    assert.ok(body.data.every((d) => d.id.startsWith("acme_")));
    const { raw, key } = t.mock.store.createApiKey("acme", "temp");
    assert.equal((await get("/v1/contacts", bearer(raw))).status, 200);
    key.revokedAt = t.mock.store.now();
    const revoked = await get("/v1/contacts", bearer(raw));
    assert.equal(revoked.status, 401);
    assert.equal(challenge(revoked).get("error"), "invalid_token");
    assert.equal((await get("/v1/me", bearer(FIXTURE_KEY))).status, 403);
  });
});

describe("scopes (API-04, AMB-20, CONSENT-09)", () => {
  test("read scope cannot write; 403 names the minimal scope and nothing changes", async () => {
    const { token } = userToken(t.mock, "member@acme.test", ["read:contacts"]);
    const before = t.mock.store.contacts.size;
    const res = await send("POST", "/v1/contacts", bearer(token), { name: "Eve", email: "eve@x.test" });
    assert.equal(res.status, 403);
    assert.equal(challenge(res).get("error"), "insufficient_scope");
    assert.equal(challenge(res).get("scope"), "write:contacts");
    assert.equal(t.mock.store.contacts.size, before);
    const deals = await get("/v1/deals", bearer(token));
    assert.equal(deals.status, 403);
    assert.equal(challenge(deals).get("scope"), "read:deals");
  });

  test("write does not imply read", async () => {
    const { token } = userToken(t.mock, "member@acme.test", ["write:contacts"]);
    const res = await get("/v1/contacts", bearer(token));
    assert.equal(res.status, 403);
    assert.equal(challenge(res).get("scope"), "read:contacts");
    const del = await send("DELETE", "/v1/contacts/acme_ct_999", bearer(token));
    assert.equal(del.status, 404);
  });

  test("a user without deals permission gets 403 even with read:deals (CONSENT-09)", async () => {
    const { token } = userToken(t.mock, "restricted@acme.test", ["read:contacts", "read:deals"]);
    assert.equal((await get("/v1/contacts", bearer(token))).status, 200);
    const res = await get("/v1/deals", bearer(token));
    assert.equal(res.status, 403);
    assert.equal(challenge(res).get("error"), "insufficient_scope");
  });

  test("client-credentials tokens act as the app in its workspace and are refused on user-only endpoints (CC-05)", async () => {
    const { token } = appToken(t.mock, "demo-server", ["read:deals"]);
    const deals = await get("/v1/deals", bearer(token));
    assert.equal(deals.status, 200);
    const me = await get("/v1/me", bearer(token));
    assert.equal(me.status, 403);
    const user = userToken(t.mock, "member@acme.test", ["read:contacts"]);
    const mine = await get("/v1/me", bearer(user.token));
    assert.equal(mine.status, 200);
    assert.equal(((await mine.json()) as { email: string }).email, "member@acme.test");
  });
});

describe("workspace isolation (API-10)", () => {
  test("another workspace's objects are 404, never listed, and writes change nothing", async () => {
    const { token } = userToken(t.mock, "member@globex.test", ["read:contacts", "write:contacts", "read:deals", "write:deals"]);
    const acmeContact = t.mock.store.contacts.get("acme_ct_001");
    assert.ok(acmeContact);
    const snapshot = { ...acmeContact };
    assert.equal((await get("/v1/contacts/acme_ct_001", bearer(token))).status, 404);
    assert.equal((await send("PATCH", "/v1/contacts/acme_ct_001", bearer(token), { name: "Hacked" })).status, 404);
    assert.equal((await send("DELETE", "/v1/contacts/acme_ct_001", bearer(token))).status, 404);
    assert.equal((await send("POST", "/v1/deals", bearer(token), { title: "x", amount: 1, stage: "lead", contact_id: "acme_ct_001" })).status, 400);
    assert.deepEqual({ ...t.mock.store.contacts.get("acme_ct_001") }, snapshot);

    let cursor: string | null = null;
    const seen: string[] = [];
    do {
      const res = await get(`/v1/contacts?limit=100${cursor ? `&cursor=${cursor}` : ""}`, bearer(token));
      const body = (await res.json()) as { data: Array<{ id: string }>; next_cursor: string | null };
      seen.push(...body.data.map((c) => c.id));
      cursor = body.next_cursor;
    } while (cursor);
    assert.ok(seen.length > 0);
    assert.ok(seen.every((id) => id.startsWith("globex_")));
  });
});

describe("pagination and validation", () => {
  test("limit bounds and cursor walk every object once", async () => {
    const { token } = userToken(t.mock, "admin@acme.test", ["read:contacts"]);
    for (const bad of ["0", "101", "-1", "abc", "1.5", ""]) {
      const res = await get(`/v1/contacts?limit=${bad}`, bearer(token));
      if (bad === "") assert.equal(res.status, 200);
      else {
        assert.equal(res.status, 400, bad);
        assert.equal(((await res.json()) as { error: string }).error, "invalid_request");
      }
    }
    assert.equal((await get("/v1/contacts?limit=5&limit=6", bearer(token))).status, 400);
    assert.equal((await get("/v1/contacts?cursor=garbage", bearer(token))).status, 400);
    const deal = (await (await get("/v1/deals?limit=1", bearer(FIXTURE_KEY))).json()) as { next_cursor: string };
    assert.equal((await get(`/v1/contacts?cursor=${deal.next_cursor}`, bearer(token))).status, 400, "a deals cursor is not a contacts cursor");

    const expected = [...t.mock.store.contacts.values()].filter((c) => c.workspaceId === "acme").map((c) => c.id).sort();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/contacts?limit=7${cursor ? `&cursor=${cursor}` : ""}`, bearer(token));
      assert.equal(res.status, 200);
      const body = (await res.json()) as { data: Array<{ id: string }>; next_cursor: string | null; has_more: boolean };
      assert.ok(body.data.length <= 7);
      assert.equal(body.has_more, body.next_cursor !== null);
      seen.push(...body.data.map((c) => c.id));
      cursor = body.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, expected);
  });

  test("create, get, update, delete round-trip with validation", async () => {
    const { token } = userToken(t.mock, "admin@acme.test", ["read:contacts", "write:contacts", "read:deals", "write:deals"]);
    assert.equal((await send("POST", "/v1/contacts", bearer(token), { name: "" })).status, 400);
    assert.equal((await send("POST", "/v1/contacts", bearer(token), { name: "A", email: "not-an-email" })).status, 400);
    assert.equal((await fetch(`${t.base}/v1/contacts`, { method: "POST", headers: { ...bearer(token), "Content-Type": "text/plain" }, body: "{}" })).status, 415);
    assert.equal((await fetch(`${t.base}/v1/contacts`, { method: "POST", headers: { ...bearer(token), "Content-Type": "application/json" }, body: "{" })).status, 400);

    const created = await send("POST", "/v1/contacts", bearer(token), { name: "Dana Scully", email: "dana@fbi.test", company: "FBI" });
    assert.equal(created.status, 201);
    const contact = (await created.json()) as { id: string; name: string };
    assert.equal((await get(`/v1/contacts/${contact.id}`, bearer(token))).status, 200);
    const patched = await send("PATCH", `/v1/contacts/${contact.id}`, bearer(token), { company: "X-Files" });
    assert.equal(((await patched.json()) as { company: string }).company, "X-Files");

    const deal = await send("POST", "/v1/deals", bearer(token), { title: "Case", amount: 10, stage: "lead", contact_id: contact.id });
    assert.equal(deal.status, 201);
    const dealId = ((await deal.json()) as { id: string }).id;
    assert.equal((await send("DELETE", `/v1/contacts/${contact.id}`, bearer(token))).status, 409);
    assert.equal((await send("DELETE", `/v1/deals/${dealId}`, bearer(token))).status, 204);
    assert.equal((await send("DELETE", `/v1/contacts/${contact.id}`, bearer(token))).status, 204);
    assert.equal((await get(`/v1/contacts/${contact.id}`, bearer(token))).status, 404);
  });

  test("unknown /v1 routes are JSON 404; wrong methods are 405 with Allow", async () => {
    const res = await get("/v1/nothing", bearer(FIXTURE_KEY));
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /json/);
    const put = await fetch(`${t.base}/v1/contacts`, { method: "PUT", headers: bearer(FIXTURE_KEY) });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, HEAD, POST");
  });
});
