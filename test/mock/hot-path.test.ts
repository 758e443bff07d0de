/**
 * The hot routes (mock/http/hot-path.ts) answer exactly as express does. A
 * query string on the POST, or a trailing slash on /v1/contacts, sends the
 * same request through express instead, so each case is sent both ways and
 * the answers compared: status, every header but Date, and the body with
 * fresh secrets masked.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { FaultName } from "../../mock/faults.ts";
import { type Harness, basic, startMock } from "./oauth-harness.ts";
import { userToken } from "./helpers.ts";

let h: Harness;

before(async () => {
  h = await startMock();
});
after(async () => {
  await h.close();
});
beforeEach(() => {
  h.mock.control.reset();
  h.mock.control.setFaults([]);
});

interface Answer {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  readonly body: string;
}

async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const res = await fetch(`${h.base}${path}`, { method: init.method ?? "POST", headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) });
  const body = (await res.text()).replace(/pact_(at|rt)_[A-Za-z0-9_-]+/g, "pact_$1_…");
  return { status: res.status, headers: [...res.headers].filter(([k]) => k !== "date" && k !== "keep-alive"), body };
}

async function sameBothWays(hot: string, viaExpress: string, init: { method?: string; headers?: Record<string, string>; body?: string }, reset = true): Promise<Answer> {
  if (reset) h.mock.control.reset();
  const a = await send(hot, init);
  if (reset) h.mock.control.reset();
  const b = await send(viaExpress, init);
  assert.deepEqual(a, b, `${init.method ?? "POST"} ${hot} and ${viaExpress} differ`);
  return a;
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const SERVER = basic("demo-server", "demo-server-secret");

const TOKEN_CASES: Array<{ name: string; headers: Record<string, string>; body: string; faults?: FaultName[] }> = [
  { name: "client credentials", headers: { ...FORM, ...SERVER }, body: "grant_type=client_credentials&scope=read%3Acontacts" },
  { name: "client credentials, secret in the body", headers: FORM, body: "grant_type=client_credentials&scope=read:contacts&client_id=demo-server&client_secret=demo-server-secret" },
  { name: "wrong secret", headers: { ...FORM, ...basic("demo-server", "nope") }, body: "grant_type=client_credentials&scope=read%3Acontacts" },
  { name: "public client", headers: FORM, body: "grant_type=client_credentials&scope=read%3Acontacts&client_id=demo-spa" },
  { name: "no grant type", headers: { ...FORM, ...SERVER }, body: "scope=read%3Acontacts" },
  { name: "unknown grant type", headers: { ...FORM, ...SERVER }, body: "grant_type=password" },
  { name: "repeated parameter", headers: { ...FORM, ...SERVER }, body: "grant_type=client_credentials&scope=a&scope=b" },
  { name: "JSON body", headers: { "content-type": "application/json", ...SERVER }, body: '{"grant_type":"client_credentials"}' },
  { name: "empty body", headers: { ...FORM, ...SERVER }, body: "" },
  { name: "bad escapes", headers: { ...FORM, ...SERVER }, body: "grant_type=client_credentials&scope=%ZZ%FF" },
  { name: "unknown refresh token", headers: FORM, body: "grant_type=refresh_token&refresh_token=pact_rt_nope&client_id=demo-spa" },
  { name: "unknown code", headers: FORM, body: "grant_type=authorization_code&code=pact_ac_nope&client_id=demo-spa&redirect_uri=x&code_verifier=y" },
  { name: "Basic and body secret", headers: { ...FORM, ...SERVER }, body: "grant_type=client_credentials&client_secret=x" },
  { name: "malformed Basic", headers: { ...FORM, authorization: "Basic !!!" }, body: "grant_type=client_credentials" },
  { name: "response faults", headers: { ...FORM, ...SERVER }, body: "grant_type=client_credentials&scope=read%3Acontacts", faults: ["token-cache-headers-missing", "token-type-lowercase", "token-expires-7200"] },
  { name: "Basic refused by fault", headers: { ...FORM, ...SERVER }, body: "grant_type=client_credentials&scope=read%3Acontacts", faults: ["basic-auth-unsupported"] },
];

describe("hot path: POST /oauth/token answers as express does", () => {
  for (const c of TOKEN_CASES)
    it(c.name, async () => {
      h.mock.control.setFaults(c.faults ?? []);
      await sameBothWays("/oauth/token", "/oauth/token?via=express", { headers: c.headers, body: c.body });
    });

  it("the journal records hot requests with their secrets redacted", async () => {
    await send("/oauth/token", { headers: FORM, body: "grant_type=client_credentials&scope=read:contacts&client_id=demo-server&client_secret=demo-server-secret" });
    const entries = h.mock.control && (await (await fetch(`${h.base}/__mock/requests`)).json()) as { requests: Array<{ path: string; status: number; form?: Record<string, string> }> };
    const last = entries.requests.at(-1);
    assert.equal(last?.path, "/oauth/token");
    assert.equal(last?.status, 200);
    assert.equal(last?.form?.grant_type, "client_credentials");
    assert.doesNotMatch(JSON.stringify(entries), /demo-server-secret|pact_at_/);
  });
});

describe("hot path: POST /oauth/revoke answers as express does", () => {
  const cases: Array<{ name: string; headers: Record<string, string>; body: string }> = [
    { name: "unknown token", headers: { ...FORM, ...SERVER }, body: "token=pact_at_nope" },
    { name: "no client", headers: FORM, body: "token=pact_at_nope" },
    { name: "no token", headers: { ...FORM, ...SERVER }, body: "" },
    { name: "token in the query", headers: { ...FORM, ...SERVER }, body: "token=x" },
  ];
  for (const c of cases)
    it(c.name, async () => {
      await sameBothWays("/oauth/revoke", "/oauth/revoke?via=express", { headers: c.headers, body: c.body });
    });

  it("revokes an issued access token", async () => {
    const { token } = userToken(h.mock, "member@acme.test", ["read:contacts"]);
    assert.notEqual(h.mock.store.resolveBearer(token), null);
    const a = await send("/oauth/revoke", { headers: { ...FORM, ...SERVER }, body: `token=${token}` });
    assert.equal(a.status, 200);
    assert.equal(h.mock.store.resolveBearer(token), null);
  });
});

describe("hot path: GET /v1/contacts answers as express does", () => {
  const get = (authorization: string | null, query = "?limit=3") => {
    const headers: Record<string, string> = authorization === null ? {} : { authorization };
    return { hot: `/v1/contacts${query}`, viaExpress: `/v1/contacts/${query}`, init: { method: "GET", headers } };
  };

  it("a page, the next page, a bad cursor and a bad limit", async () => {
    const { token } = userToken(h.mock, "member@acme.test", ["read:contacts"]);
    const first = get(`Bearer ${token}`);
    const page = await sameBothWays(first.hot, first.viaExpress, first.init, false);
    assert.equal(page.status, 200);
    const cursor = (JSON.parse(page.body) as { next_cursor: string }).next_cursor;
    for (const query of [`?limit=3&cursor=${cursor}`, "?cursor=bogus", "?limit=0", "?limit=2&limit=3", ""]) {
      const c = get(`Bearer ${token}`, query);
      await sameBothWays(c.hot, c.viaExpress, c.init, false);
    }
  });

  it("missing, malformed, unknown and insufficient credentials", async () => {
    const { token: deals } = userToken(h.mock, "member@acme.test", ["read:deals"]);
    for (const auth of [null, "Basic abc", "Bearer", "Bearer a b", "Bearer pact_at_nope", `Bearer ${deals}`]) {
      const c = get(auth);
      await sameBothWays(c.hot, c.viaExpress, c.init, false);
    }
    const q = get(null, "?access_token=x");
    await sameBothWays(q.hot, q.viaExpress, q.init, false);
  });

  it("faults switched inside the handlers still apply", async () => {
    const { token: deals } = userToken(h.mock, "member@acme.test", ["read:deals"]);
    h.mock.control.setFaults(["api-scope-unenforced", "www-authenticate-missing"]);
    for (const auth of [null, `Bearer ${deals}`]) {
      const c = get(auth);
      await sameBothWays(c.hot, c.viaExpress, c.init, false);
    }
  });
});
