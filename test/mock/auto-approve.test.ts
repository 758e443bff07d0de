import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPactMock } from "../../mock/app.ts";
import { UnknownAutoApproveUserError } from "../../mock/oauth/auto-approve.ts";
import { type CodeRequest, type Harness, authorizeQuery, pkcePair, startMock } from "./oauth-harness.ts";
import { session } from "./helpers.ts";

const SPA = { clientId: "demo-spa", redirectUri: "http://127.0.0.1:5173/callback", scope: "read:contacts" };

function spaRequest(state = "st-\u00e9 +/&=x"): CodeRequest & { verifier: string } {
  const { verifier, challenge } = pkcePair();
  return { ...SPA, state, challenge, verifier };
}

async function authorize(h: Harness, path: string): Promise<Response> {
  return fetch(h.base + path, { redirect: "manual" });
}

function location(res: Response): URL {
  const loc = res.headers.get("location");
  assert.ok(loc, `no Location on ${res.status}`);
  return new URL(loc);
}

async function redeem(h: Harness, r: { verifier: string }, code: string): Promise<Response> {
  return fetch(`${h.base}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: SPA.redirectUri, client_id: SPA.clientId, code_verifier: r.verifier }).toString(),
  });
}

async function control(h: Harness, body?: unknown): Promise<Response> {
  return fetch(`${h.base}/__mock/auto-approve`, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

describe("auto-approve (headless approval)", () => {
  let h: Harness;
  before(async () => {
    h = await startMock({ autoApprove: "member@acme.test" });
  });
  after(() => h.close());

  it("answers a valid authorization at once with a code and the exact state; the code redeems and /v1 answers", async () => {
    const r = spaRequest();
    const res = await authorize(h, authorizeQuery(r));
    assert.equal(res.status, 302);
    const loc = location(res);
    assert.equal(`${loc.origin}${loc.pathname}`, SPA.redirectUri);
    assert.equal(loc.searchParams.get("state"), r.state);
    const code = loc.searchParams.get("code");
    assert.ok(code);
    const tokenRes = await redeem(h, r, code);
    assert.equal(tokenRes.status, 200);
    const tokens = (await tokenRes.json()) as { access_token: string; scope: string };
    assert.equal(tokens.scope, "read:contacts");
    const api = await fetch(`${h.base}/v1/contacts?limit=1`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(api.status, 200);
  });

  it("records the grant like an approval: the Installed tab shows it and Revoke kills its tokens", async () => {
    const r = spaRequest("installed");
    const code = location(await authorize(h, authorizeQuery(r))).searchParams.get("code") ?? "";
    const tokens = (await (await redeem(h, r, code)).json()) as { access_token: string };
    const admin = session(h.mock, "admin@acme.test");
    const installed = await fetch(`${h.base}/admin/api/installed`, { headers: { Cookie: admin.cookie, "X-CSRF-Token": admin.csrf } });
    const body = (await installed.json()) as { data: Array<{ client_id: string; authorizations: Array<{ user: string }> }> };
    const spa = body.data.find((d) => d.client_id === "demo-spa");
    assert.ok(spa, "demo-spa is installed");
    assert.ok(spa.authorizations.some((a) => JSON.stringify(a.user).includes("member@acme.test")));
    const revoke = await fetch(`${h.base}/admin/api/installed/demo-spa/revoke`, { method: "POST", headers: { Cookie: admin.cookie, "X-CSRF-Token": admin.csrf } });
    assert.equal(revoke.status, 204);
    const api = await fetch(`${h.base}/v1/contacts`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(api.status, 401);
  });

  it("keeps every other check: unknown client and redirect mismatch get the no-redirect page", async () => {
    const r = spaRequest();
    const unknown = await authorize(h, authorizeQuery({ ...r, clientId: "no-such-app" }));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get("location"), null);
    const mismatch = await authorize(h, authorizeQuery({ ...r, redirectUri: "http://127.0.0.1:5173/elsewhere" }));
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.headers.get("location"), null);
  });

  it("keeps the error redirects: missing or malformed PKCE and an unregistered scope, each with the exact state", async () => {
    const r = spaRequest("s-1");
    const cases: Array<[string, string]> = [
      [authorizeQuery(r).replace(/&code_challenge=[^&]*/, ""), "invalid_request"],
      [authorizeQuery({ ...r, challenge: "short" }), "invalid_request"],
      [authorizeQuery(r, { code_challenge_method: "plain" }), "invalid_request"],
      [authorizeQuery({ ...r, scope: "read:deals" }), "invalid_scope"],
      [authorizeQuery(r, { response_type: "token" }), "unsupported_response_type"],
    ];
    for (const [path, error] of cases) {
      const res = await authorize(h, path);
      assert.equal(res.status, 302, path);
      const loc = location(res);
      assert.equal(loc.searchParams.get("error"), error, path);
      assert.equal(loc.searchParams.get("state"), "s-1", path);
      assert.equal(loc.searchParams.get("code"), null, path);
    }
  });

  it("the control API reads, denies, switches off and refuses an unknown user", async () => {
    assert.deepEqual(await (await control(h)).json(), { user: "member@acme.test", decision: "approve" });

    const deny = await control(h, { user: "member@acme.test", decision: "deny" });
    assert.deepEqual(await deny.json(), { user: "member@acme.test", decision: "deny" });
    const denied = location(await authorize(h, authorizeQuery(spaRequest("d-1"))));
    assert.equal(denied.searchParams.get("error"), "access_denied");
    assert.equal(denied.searchParams.get("state"), "d-1");

    const unknown = await control(h, { user: "nobody@acme.test" });
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /member@acme\.test/);
    assert.equal(((await (await control(h)).json()) as { decision: string }).decision, "deny", "a refused change changes nothing");

    for (const bad of [{}, { user: 3 }, { user: "member@acme.test", decision: "maybe" }, { user: null, decision: "deny" }, { user: "member@acme.test", extra: 1 }])
      assert.equal((await control(h, bad)).status, 400, JSON.stringify(bad));

    assert.deepEqual(await (await control(h, { user: null })).json(), { user: null, decision: "approve" });
    const page = await authorize(h, authorizeQuery(spaRequest()));
    assert.equal(page.status, 200, "off again: the login page");

    await control(h, { user: "member@acme.test" });
    await fetch(`${h.base}/__mock/reset`, { method: "POST" });
    assert.equal(((await (await control(h)).json()) as { user: string }).user, "member@acme.test", "kept across reset");
  });
});

describe("auto-approve options", () => {
  it("is off by default", async () => {
    const h = await startMock();
    try {
      assert.deepEqual(h.mock.control.autoApprove(), { user: null, decision: "approve" });
      assert.equal((await authorize(h, authorizeQuery(spaRequest()))).status, 200);
    } finally {
      await h.close();
    }
  });

  it("takes { user, decision } and refuses an unknown email or control: false", () => {
    const mock = createPactMock({ autoApprove: { user: "admin@globex.test", decision: "deny" } });
    assert.deepEqual(mock.control.autoApprove(), { user: "admin@globex.test", decision: "deny" });
    mock.close();
    assert.throws(() => createPactMock({ autoApprove: "nobody@acme.test" }), (e: unknown) => e instanceof UnknownAutoApproveUserError && /member@acme\.test/.test(e.message));
    assert.throws(() => createPactMock({ autoApprove: "member@acme.test", control: false }), /control/);
  });

  for (const shape of ["routed", "remembering"]) {
    it(`works in the ${shape} shape, with the same checks`, async () => {
      const h = await startMock({ shape, autoApprove: "member@acme.test" });
      try {
        const r = spaRequest("shape-state");
        const res = await authorize(h, authorizeQuery(r));
        assert.equal(res.status, 302);
        const loc = location(res);
        assert.equal(loc.searchParams.get("state"), "shape-state");
        const code = loc.searchParams.get("code");
        assert.ok(code);
        assert.equal((await redeem(h, r, code)).status, 200);
        const bad = location(await authorize(h, authorizeQuery({ ...r, scope: "write:deals" })));
        assert.equal(bad.searchParams.get("error"), "invalid_scope");
        assert.equal((await authorize(h, authorizeQuery({ ...r, clientId: "nope" }))).status, 400);
      } finally {
        await h.close();
      }
    });
  }
});
