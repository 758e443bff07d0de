import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPactMock } from "../../mock/app.ts";
import { DEFAULT_SHAPE, SHAPE_PRESETS, UnknownShapeError, resolveShape } from "../../mock/shape.ts";
import { THROTTLE_LIMIT } from "../../mock/oauth/throttle.ts";
import { PAGE_SECURITY_HEADERS } from "../../mock/views/html.ts";
import { Browser, type CodeRequest, type Harness, PASSWORD, authorizeQuery, basic, hidden, pkcePair, postForm, startMock } from "./oauth-harness.ts";

const SPA = { clientId: "demo-spa", redirectUri: "http://127.0.0.1:5173/callback" };
const CONF = { clientId: "demo-server", redirectUri: "https://server.example.test/callback" };
const CONF_AUTH = basic("demo-server", "demo-server-secret");
const API_KEY = "pact_key_mjQNUWpDXOzXpYa5rkTIsUY6e4N14BUBcQAlPNXvzcE";

function request(client: { clientId: string; redirectUri: string }, scope: string, state = "st-1"): CodeRequest & { verifier: string } {
  const { verifier, challenge } = pkcePair();
  return { ...client, scope, state, challenge, verifier };
}

/** A same-origin Location as a path (and query). */
function pathOf(res: Response): string {
  const loc = res.headers.get("location");
  assert.ok(loc, `no Location on ${res.status}`);
  const url = new URL(loc, "http://x.invalid");
  return url.pathname + url.search;
}

function assertPageHeaders(res: Response): void {
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) assert.equal(res.headers.get(name), value, name);
}

function formAction(text: string): string {
  const m = /<form method="post" action="([^"]*)"/.exec(text);
  assert.ok(m?.[1], "no form");
  return m[1].replace(/&amp;/g, "&");
}

async function redeem(h: Harness, r: CodeRequest & { verifier: string }, code: string) {
  const auth = r.clientId === CONF.clientId ? CONF_AUTH : {};
  const form: Record<string, string> = { grant_type: "authorization_code", code, redirect_uri: r.redirectUri, code_verifier: r.verifier };
  if (!auth.authorization) form.client_id = r.clientId;
  return postForm(h.base, "/oauth/token", form, auth);
}

/** Signs in on a login page (inline or routed) and returns the response to the POST. */
async function signInOn(browser: Browser, page: Response, email = "member@acme.test", password = PASSWORD): Promise<Response> {
  const text = await page.text();
  const form: Record<string, string> = { login_csrf: hidden(text, "login_csrf"), email, password };
  for (const name of ["return_to", "interaction"]) if (text.includes(`name="${name}"`)) form[name] = hidden(text, name);
  return browser.post(formAction(text), form);
}

async function decideOn(browser: Browser, page: Response, decision: "approve" | "deny"): Promise<Response> {
  const text = await page.text();
  const form: Record<string, string> = { csrf_token: hidden(text, "csrf_token"), decision };
  for (const name of ["transaction", "request"]) if (text.includes(`name="${name}"`)) form[name] = hidden(text, name);
  return browser.post(formAction(text), form);
}

describe("shape options", () => {
  it("the default shape is the mock as it always was", () => {
    assert.deepEqual(DEFAULT_SHAPE, {
      interaction: "inline",
      interactionPaths: "interaction",
      interactionStatus: 303,
      consent: "confidential-covering",
      standaloneLogin: true,
      loginFailureStatus: 200,
      api: { surface: "full", envelope: false },
      throttleN: THROTTLE_LIMIT,
    });
    assert.deepEqual(resolveShape("default"), DEFAULT_SHAPE);
    const mock = createPactMock();
    assert.deepEqual(mock.shape, DEFAULT_SHAPE);
    mock.close();
  });

  it("validates options and names", () => {
    assert.throws(() => resolveShape("nope"), UnknownShapeError);
    assert.throws(() => resolveShape({ standaloneLogin: false }), /routed/);
    assert.throws(() => resolveShape({ loginFailureStatus: 500 as 200 }));
    assert.throws(() => resolveShape({ throttleN: 0 }));
    assert.throws(() => resolveShape({ colour: "blue" } as never));
    assert.equal(resolveShape({ throttleN: 7 }).throttleN, 7);
  });

  it("the presets are the documented ones", () => {
    assert.deepEqual(resolveShape("routed"), {
      interaction: "routed",
      interactionPaths: "interaction",
      interactionStatus: 303,
      consent: "always",
      standaloneLogin: false,
      loginFailureStatus: 401,
      api: { surface: "small", envelope: true },
      throttleN: 10,
    });
    assert.deepEqual(resolveShape("remembering"), {
      interaction: "routed",
      interactionPaths: "signin-consent",
      interactionStatus: 302,
      consent: "exact-scope-set",
      standaloneLogin: true,
      loginFailureStatus: 422,
      api: { surface: "full", envelope: false },
      throttleN: 50,
    });
    assert.deepEqual(Object.keys(SHAPE_PRESETS).sort(), ["default", "remembering", "routed"]);
  });
});

describe("routed interaction, /interaction/{id} by 303 (preset routed)", () => {
  let h: Harness;
  before(async () => {
    h = await startMock({ shape: "routed" });
  });
  after(async () => {
    await h.close();
  });

  it("hops to a login interaction, then through resume to consent, then through resume to the client", async () => {
    const browser = new Browser(h.base);
    const r = request(CONF, "read:contacts", "st-routed");
    const start = await browser.get(authorizeQuery(r));
    assert.equal(start.status, 303);
    assert.match(pathOf(start), /^\/interaction\/[A-Za-z0-9_-]{32}$/);
    assertPageHeaders(start);

    const login = await browser.get(pathOf(start));
    assert.equal(login.status, 200);
    assertPageHeaders(login);
    const loginText = await login.clone().text();
    assert.match(loginText, /<label for="email">Email<\/label>/);
    assert.match(loginText, /<label for="password">Password<\/label>/);
    assert.match(loginText, /<button type="submit">Sign in<\/button>/);
    assert.equal(formAction(loginText), pathOf(start));

    const wrong = await signInOn(browser, login.clone(), "member@acme.test", "wrong");
    assert.equal(wrong.status, 401, "loginFailureStatus");
    assert.match(await wrong.text(), /Incorrect email or password/);

    const signedIn = await signInOn(browser, login);
    assert.equal(signedIn.status, 303);
    assert.match(pathOf(signedIn), /^\/oauth\/authorize\/resume\/[A-Za-z0-9_-]{32}$/);
    const resume = await browser.get(pathOf(signedIn));
    assert.equal(resume.status, 303);
    assert.match(pathOf(resume), /^\/interaction\//);
    assert.equal((await browser.get(pathOf(signedIn))).status, 400, "a resume URL is single-use");

    const consent = await browser.get(pathOf(resume));
    assert.equal(consent.status, 200);
    assertPageHeaders(consent);
    const consentText = await consent.clone().text();
    assert.match(consentText, /Connect Demo Server to Acme/);
    assert.match(consentText, /<code>read:contacts<\/code> — /);
    assert.match(consentText, />Approve<\/button>/);
    assert.match(consentText, />Deny<\/button>/);

    const approved = await decideOn(browser, consent, "approve");
    assert.equal(approved.status, 303);
    assert.match(pathOf(approved), /^\/oauth\/authorize\/resume\//);
    const back = await browser.get(pathOf(approved));
    assert.equal(back.status, 303);
    const loc = new URL(back.headers.get("location") ?? "");
    assert.equal(`${loc.origin}${loc.pathname}`, CONF.redirectUri);
    assert.equal(loc.searchParams.get("state"), "st-routed");
    const token = await redeem(h, r, loc.searchParams.get("code") ?? "");
    assert.equal(token.status, 200);

    // consent "always": a confidential client with a live grant is asked again.
    const again = await browser.get(authorizeQuery(request(CONF, "read:contacts")));
    assert.equal(again.status, 303);
    assert.equal((await browser.get(pathOf(again))).status, 200);
  });

  it("Deny goes through resume to an access_denied redirect with the state", async () => {
    const browser = new Browser(h.base);
    const r = request(SPA, "read:contacts", "st-deny");
    const login = await browser.get(pathOf(await browser.get(authorizeQuery(r))));
    const consent = await browser.get(pathOf(await browser.get(pathOf(await signInOn(browser, login)))));
    const denied = await decideOn(browser, consent, "deny");
    assert.equal(denied.status, 303);
    const back = await browser.get(pathOf(denied));
    assert.equal(back.status, 303);
    const loc = new URL(back.headers.get("location") ?? "");
    assert.equal(loc.searchParams.get("error"), "access_denied");
    assert.equal(loc.searchParams.get("state"), "st-deny");
  });

  it("answers request errors directly: no-redirect errors, and error redirects only after sign-in (AUTHZ-11)", async () => {
    const anon = new Browser(h.base);
    const bad = await anon.get(authorizeQuery({ ...CONF, redirectUri: "https://evil.test/cb", scope: "read:contacts", challenge: pkcePair().challenge }));
    assert.equal(bad.status, 400);
    const r = request(CONF, "write:deals", "st-bad");
    const start = await anon.get(authorizeQuery(r));
    assert.equal(start.status, 303);
    assert.match(pathOf(start), /^\/interaction\//, "without a session, sign in first");
    const resume = await anon.get(pathOf(await signInOn(anon, await anon.get(pathOf(start)))));
    assert.ok(resume.status === 302 || resume.status === 303, `status ${resume.status}`);
    const loc = new URL(resume.headers.get("location") ?? "");
    assert.equal(loc.searchParams.get("error"), "invalid_scope");
    assert.equal(loc.searchParams.get("state"), "st-bad");
    const direct = await anon.get(authorizeQuery(request(CONF, "write:deals", "st-direct")));
    assert.equal(direct.status, 302, "with a session the error redirect is immediate, as inline");
    assert.equal(new URL(direct.headers.get("location") ?? "").searchParams.get("state"), "st-direct");
  });

  it("binds interactions to the browser and the session, and keeps the consent form's CSRF protection (CONSENT-05)", async () => {
    const victim = new Browser(h.base);
    const other = new Browser(h.base);
    const start = await victim.get(authorizeQuery(request(CONF, "read:contacts")));
    assert.equal((await other.get(pathOf(start))).status, 400, "another browser cannot use the login interaction");
    const consentPath = pathOf(await victim.get(pathOf(await signInOn(victim, await victim.get(pathOf(start))))));
    await other.get(pathOf(await other.get(authorizeQuery(request(SPA, "read:contacts")))));
    const otherLogin = await other.get(pathOf(await other.get(authorizeQuery(request(SPA, "read:contacts")))));
    const otherIn = await signInOn(other, otherLogin);
    assert.equal(otherIn.status, 303, await otherIn.clone().text());
    assert.equal((await other.get(consentPath)).status, 400, "another session cannot see the consent interaction");
    const consent = await victim.get(consentPath);
    const text = await consent.text();
    const csrf = hidden(text, "csrf_token");
    assert.equal((await victim.post(consentPath, { decision: "approve" })).status, 403, "no CSRF token");
    assert.equal((await victim.post(consentPath, { csrf_token: csrf, decision: "approve" }, { origin: "https://evil.test" })).status, 403, "cross-site Origin");
    assert.equal((await other.post(consentPath, { csrf_token: csrf, decision: "approve" })).status, 403, "another session's token");
    const ok = await victim.post(consentPath, { csrf_token: csrf, decision: "approve" });
    assert.equal(ok.status, 303);
    assert.equal((await victim.post(consentPath, { csrf_token: csrf, decision: "approve" })).status, 400, "single use");
    const login = await new Browser(h.base).get(pathOf(await new Browser(h.base).get(authorizeQuery(request(CONF, "read:contacts")))));
    assert.equal(login.status, 400, "a fresh browser without the login-CSRF cookie of the interaction");
  });

  it("has no standalone login; the admin console starts a sign-in interaction that returns to it", async () => {
    const browser = new Browser(h.base);
    assert.equal((await browser.get("/login")).status, 404);
    assert.equal((await browser.post("/login", { email: "admin@acme.test", password: PASSWORD })).status, 404);
    const start = await browser.get("/admin/api-developers?tab=apps");
    assert.equal(start.status, 303);
    assert.match(pathOf(start), /^\/interaction\//);
    const signedIn = await signInOn(browser, await browser.get(pathOf(start)), "admin@acme.test");
    assert.equal(signedIn.status, 303);
    const resume = await browser.get(pathOf(signedIn));
    assert.equal(resume.status, 303);
    assert.equal(pathOf(resume), "/admin/api-developers?tab=apps");
    const console = await browser.get(pathOf(resume));
    assert.equal(console.status, 200);
    const text = await console.text();
    assert.match(text, /Apps/);
    const out = await browser.post("/logout", { csrf_token: hidden(text, "csrf_token") });
    assert.equal(out.status, 303);
    assert.equal(pathOf(out), "/admin/api-developers");
  });

  it("serves the small /v1 surface with single objects under data", async () => {
    const auth = { authorization: `Bearer ${API_KEY}` };
    const list = await fetch(`${h.base}/v1/contacts`, { headers: auth });
    assert.equal(list.status, 200);
    const page = (await list.json()) as { object: string; data: Array<{ id: string }> };
    assert.equal(page.object, "list");
    const id = page.data[0]?.id ?? "";
    const one = await fetch(`${h.base}/v1/contacts/${id}`, { headers: auth });
    assert.equal(one.status, 200);
    assert.equal(((await one.json()) as { data: { id: string } }).data.id, id);
    const created = await fetch(`${h.base}/v1/contacts`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name: "Ada", email: "ada@example.test" }) });
    assert.equal(created.status, 201);
    const body = (await created.json()) as { data: { id: string; name: string } };
    assert.equal(body.data.name, "Ada");
    assert.equal((await fetch(`${h.base}/v1/contacts/${body.data.id}`, { headers: auth })).status, 200);
    assert.equal((await fetch(`${h.base}/v1/deals`, { headers: auth })).status, 200);
    const unknown = await fetch(`${h.base}/v1/nothing-here`, { headers: auth });
    const unknownBody = (await unknown.json()) as Record<string, unknown>;
    for (const [method, path] of [["GET", "/v1/me"], ["PATCH", `/v1/contacts/${id}`], ["DELETE", `/v1/contacts/${id}`], ["GET", "/v1/deals/x"], ["POST", "/v1/deals"], ["PUT", "/v1/contacts"]] as const) {
      const res = await fetch(`${h.base}${path}`, { method, headers: { ...auth, "content-type": "application/json" }, ...(method === "GET" ? {} : { body: "{}" }) });
      assert.equal(res.status, 404, `${method} ${path}`);
      const json = (await res.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(json).sort(), Object.keys(unknownBody).sort());
      assert.equal(json.error, "not_found");
    }
  });

  it("throttles after throttleN failed client authentications (SEC-05)", async () => {
    const cc = (headers: Record<string, string>) => postForm(h.base, "/oauth/token", { grant_type: "client_credentials", scope: "read:contacts" }, headers);
    for (let i = 0; i < 10; i++) assert.equal((await cc(basic("demo-server", `bad-${i}`))).status, 401, `failure ${i + 1}`);
    const blocked = await cc(CONF_AUTH);
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get("retry-after")) >= 1);
    h.clock.advance(61);
    assert.equal((await cc(CONF_AUTH)).status, 200);
  });
});

describe("routed interaction, /signin and /consent by 302 (preset remembering)", () => {
  let h: Harness;
  before(async () => {
    h = await startMock({ shape: "remembering" });
  });
  after(async () => {
    await h.close();
  });

  /** Runs the routed flow for `r` in `browser` (signing in when asked); returns the final client redirect. */
  async function authorize(browser: Browser, r: CodeRequest): Promise<{ location: URL; consented: boolean }> {
    let res = await browser.get(authorizeQuery(r));
    let consented = false;
    for (let hop = 0; hop < 8; hop++) {
      assert.ok(res.status === 302 || res.status === 200, `status ${res.status}`);
      if (res.status === 302) {
        const loc = new URL(res.headers.get("location") ?? "", h.base);
        if (loc.origin !== h.base) return { location: loc, consented };
        res = await browser.get(loc.pathname + loc.search);
        continue;
      }
      const text = await res.clone().text();
      if (text.includes("Sign in</button>")) res = await signInOn(browser, res);
      else {
        consented = true;
        res = await decideOn(browser, res, "approve");
      }
    }
    throw new Error("too many hops");
  }

  it("uses /signin?interaction= and /consent?request= reached by 302, and 422 after a wrong password", async () => {
    const browser = new Browser(h.base);
    const start = await browser.get(authorizeQuery(request(SPA, "read:contacts")));
    assert.equal(start.status, 302);
    assert.match(pathOf(start), /^\/signin\?interaction=[A-Za-z0-9_-]{32}$/);
    const login = await browser.get(pathOf(start));
    assert.equal(formAction(await login.clone().text()), "/signin");
    const wrong = await signInOn(browser, login.clone(), "member@acme.test", "nope");
    assert.equal(wrong.status, 422);
    const signedIn = await signInOn(browser, login);
    assert.equal(signedIn.status, 302);
    assert.match(pathOf(signedIn), /^\/oauth\/authorize\/resume\//);
    const resume = await browser.get(pathOf(signedIn));
    assert.equal(resume.status, 302);
    assert.match(pathOf(resume), /^\/consent\?request=[A-Za-z0-9_-]{32}$/);
    const consent = await browser.get(pathOf(resume));
    assert.equal(consent.status, 200);
    assert.equal(formAction(await consent.clone().text()), "/consent");
    const approved = await decideOn(browser, consent, "approve");
    assert.equal(approved.status, 302);
    const back = await browser.get(pathOf(approved));
    assert.equal(back.status, 302);
    assert.ok(new URL(back.headers.get("location") ?? "").searchParams.get("code"));
    assert.equal((await browser.get("/login")).status, 200, "the standalone login stays");
  });

  it("consent exact-scope-set: a confidential client skips consent only for the same scope set; public clients always ask (CONSENT-08)", async () => {
    h.mock.control.reset();
    const browser = new Browser(h.base);
    const first = request(CONF, "read:contacts write:contacts");
    const a = await authorize(browser, first);
    assert.ok(a.consented);
    assert.equal((await redeem(h, first, a.location.searchParams.get("code") ?? "")).status, 200);

    const same = await authorize(browser, request(CONF, "write:contacts read:contacts"));
    assert.equal(same.consented, false, "same set, other order: no consent");
    assert.ok(same.location.searchParams.get("code"));
    const subset = await authorize(browser, request(CONF, "read:contacts"));
    assert.equal(subset.consented, true, "a covered but different set asks again");

    const spa = request(SPA, "read:contacts");
    const s1 = await authorize(browser, spa);
    assert.equal((await redeem(h, spa, s1.location.searchParams.get("code") ?? "")).status, 200);
    assert.equal((await authorize(browser, request(SPA, "read:contacts"))).consented, true, "public clients always ask");
  });
});

describe("inline shapes", () => {
  it("consent always asks a confidential client with a covering grant", async () => {
    const h = await startMock({ shape: { consent: "always" } });
    try {
      const browser = new Browser(h.base);
      await browser.login("member@acme.test");
      const r = request(CONF, "read:contacts");
      const page = await browser.get(authorizeQuery(r));
      assert.equal(page.status, 200);
      const res = await decideOn(browser, page, "approve");
      assert.equal(res.status, 303);
      assert.equal((await redeem(h, r, new URL(res.headers.get("location") ?? "").searchParams.get("code") ?? "")).status, 200);
      assert.equal((await browser.get(authorizeQuery(request(CONF, "read:contacts")))).status, 200, "asked again");
    } finally {
      await h.close();
    }
  });

  it("the default consent rule still skips it (unchanged)", async () => {
    const h = await startMock();
    try {
      const browser = new Browser(h.base);
      await browser.login("member@acme.test");
      const r = request(CONF, "read:contacts write:contacts");
      const res = await decideOn(browser, await browser.get(authorizeQuery(r)), "approve");
      assert.equal((await redeem(h, r, new URL(res.headers.get("location") ?? "").searchParams.get("code") ?? "")).status, 200);
      assert.equal((await browser.get(authorizeQuery(request(CONF, "read:contacts")))).status, 302, "a covering grant skips consent");
    } finally {
      await h.close();
    }
  });

  for (const status of [401, 422] as const) {
    it(`shows the login form again with ${status} after a wrong password`, async () => {
      const h = await startMock({ shape: { loginFailureStatus: status } });
      try {
        const browser = new Browser(h.base);
        const res = await browser.login("member@acme.test", "wrong");
        assert.equal(res.status, status);
        assertPageHeaders(res);
        assert.match(await res.text(), /<button type="submit">Sign in<\/button>/);
        assert.equal((await browser.login("member@acme.test")).status, 303);
      } finally {
        await h.close();
      }
    });
  }

  it("envelope alone wraps single objects of the full surface, never lists or errors", async () => {
    const h = await startMock({ shape: { api: { surface: "full", envelope: true } } });
    try {
      const auth = { authorization: `Bearer ${API_KEY}` };
      const list = (await (await fetch(`${h.base}/v1/deals`, { headers: auth })).json()) as { object: string; data: Array<{ id: string }> };
      assert.equal(list.object, "list");
      const deal = await fetch(`${h.base}/v1/deals/${list.data[0]?.id ?? ""}`, { headers: auth });
      assert.equal(((await deal.json()) as { data: { object: string } }).data.object, "deal");
      const missing = await fetch(`${h.base}/v1/deals/nope`, { headers: auth });
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error: string }).error, "not_found");
    } finally {
      await h.close();
    }
  });
});
