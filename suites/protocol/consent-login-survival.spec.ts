import { test, reqs, needs, tags, CheckSkipped } from "../harness/index.ts";
import { ensure, sameSet } from "../checks/http.ts";
import { authorizeRequest, browserPostHeaders, decide, ensureCodeRedirect, isConsentPage, loginSubmission, rawQuery, redirectsOffSite, scopesShown, setParam } from "../checks/authz.ts";
import { followOnOrigin, isLoginPage } from "../flows/login.ts";
import type { Pairs, ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { UserIdentity } from "../targets/schema.ts";

/**
 * CONSENT-01 (RFC 6749 §3.1; DOC-S2): without a session the authorization request leads to the
 * login, and after login the request survives: same client and scopes on the consent page, the
 * original state on the final redirect. These checks cover the ways a real browser reaches
 * that point besides the kit's plain one: request targets whose query carries characters
 * left unencoded, a mistyped password first, and the Origin/Referer headers a browser adds to
 * the login form's POST.
 */

/** Submits the login form on `page` as `user`, optionally with browser headers; follows same-origin hops. */
async function signIn(c: ProtocolClient, page: HttpResponse, user: UserIdentity, target: Target, headers?: Array<[string, string]>): Promise<HttpResponse> {
  const sub = loginSubmission(page, user, target);
  const post = await c.send({
    method: sub.method,
    url: sub.url,
    form: sub.method === "POST" ? sub.pairs : undefined,
    query: sub.method === "GET" ? sub.pairs : undefined,
    label: `login: ${target.recipe.signInButton} as ${user.email}`,
    ...(headers ? { headers } : {}),
  });
  return followOnOrigin(c, post, "after login");
}

/** After login: the consent page for the same scopes, then Approve gives a code with exactly `state`. */
async function ensureSurvives(c: ProtocolClient, consent: HttpResponse, target: Target, scope: string, redirectUri: string, state: string): Promise<void> {
  ensure(isConsentPage(consent, target), `expected the consent page after login, got ${consent.status}${consent.location ? ` Location ${consent.location.slice(0, 60)}` : ""}${isLoginPage(consent, target.recipe) ? " (the login page)" : ""}`);
  const shown = scopesShown(consent, target.scopes);
  ensure(sameSet(shown, scope.split(" ")), `consent lists ${JSON.stringify(shown)} for ${JSON.stringify(scope)}`);
  const { final: post } = await decide(c, consent, target, "approve");
  ensureCodeRedirect(post, redirectUri, state, target.issuer);
}

test.describe("CONSENT-01 the user logs in before consent, and the request survives login", () => {
  test("the request survives login: raw query characters, a mistyped password first, and the browser's Origin/Referer on the login POST", { tag: tags("CONSENT-01"), annotation: [...reqs("CONSENT-01"), ...needs("http", "code")] }, async ({ client, target, verdicts }) => {
    const app = target.apps.spa;
    const user = target.users.member;

    /** GET /oauth/authorize with `state` appended last, exactly as given (unencoded), without a session. */
    const openRaw = async (c: ProtocolClient, rawState: string): Promise<{ first: HttpResponse; page: HttpResponse; scope: string; redirectUri: string }> => {
      const req = authorizeRequest({ client: app, state: null });
      const pairs: Pairs = setParam(req.pairs, "state", null);
      const first = await c.get(`/oauth/authorize?${rawQuery(pairs)}&state=${rawState}`, { label: "authorize: no session, raw state" });
      return { first, page: await followOnOrigin(c, first, "login detour"), scope: req.scope, redirectUri: req.redirectUri };
    };

    // RFC 3986 §3.4: "/" and "?" and the sub-delims other than "&", "+", "=" and "'" may appear raw in a
    // query; a state ending in "//" leaves a request target that ends in "//".
    const legal = "c01/?:@!$()*,;~-._//";
    await verdicts.check("CONSENT-01", `a request whose state carries raw RFC 3986 query characters (${legal}) survives login: same scopes, the exact state`, async () => {
      const c = client.withJar();
      const r = await openRaw(c, legal);
      ensure(!redirectsOffSite(r.first, target), `a ${r.first.status} off the target before login`);
      ensure(isLoginPage(r.page, target.recipe), `expected the login page, got ${r.page.status}`);
      await ensureSurvives(c, await signIn(c, r.page, user, target), target, r.scope, r.redirectUri, legal);
    });

    // WHATWG URL leaves | { } ^ ` \ unencoded in a query, so a browser sends them raw (RFC 3986 does not allow
    // them; a target may refuse such a request outright, but if it shows the login it must keep the request).
    const browserRaw = "c01|{x}^`\\y";
    await verdicts.check("CONSENT-01", "a request whose state carries characters browsers send unencoded (| { } ^ ` \\) survives login", async () => {
      const c = client.withJar();
      const r = await openRaw(c, browserRaw);
      if (!isLoginPage(r.page, target.recipe) && r.page.status >= 400 && r.page.status < 500 && !r.first.isRedirect)
        throw new CheckSkipped(`the target refuses a request target with raw | { } ^ \` \\ before login (${r.page.status}); RFC 3986 §2 allows that`);
      ensure(!redirectsOffSite(r.first, target), `a ${r.first.status} off the target before login`);
      ensure(isLoginPage(r.page, target.recipe), `expected the login page, got ${r.page.status}`);
      await ensureSurvives(c, await signIn(c, r.page, user, target), target, r.scope, r.redirectUri, browserRaw);
    });

    await verdicts.check("CONSENT-01", "after a mistyped password the login form comes back, and signing in from it still continues the authorization request", async () => {
      const c = client.withJar();
      const req = authorizeRequest({ client: app, state: "c01-retry" });
      const page = await followOnOrigin(c, await c.get(`/oauth/authorize?${rawQuery(req.pairs)}`, { label: "authorize: no session" }), "login detour");
      ensure(isLoginPage(page, target.recipe), `expected the login page, got ${page.status}`);
      const again = await signIn(c, page, { ...user, password: `${user.password}-mistyped` }, target);
      ensure(!isConsentPage(again, target) && !again.isRedirect, `a wrong password answered ${again.status}${again.location ? " with a redirect" : ""}`);
      ensure(isLoginPage(again, target.recipe), `after a wrong password the login form did not come back (${again.status})`);
      await ensureSurvives(c, await signIn(c, again, user, target), target, req.scope, req.redirectUri, "c01-retry");
    });

    await verdicts.check("CONSENT-01", "a login POST carrying the Origin (and Referer) a browser sends from the login page signs in and continues the authorization request", async () => {
      const c = client.withJar();
      const req = authorizeRequest({ client: app, state: "c01-origin" });
      const page = await followOnOrigin(c, await c.get(`/oauth/authorize?${rawQuery(req.pairs)}`, { label: "authorize: no session" }), "login detour");
      ensure(isLoginPage(page, target.recipe), `expected the login page, got ${page.status}`);
      const headers = browserPostHeaders(page);
      const after = await signIn(c, page, user, target, headers);
      ensure(after.status < 400, `the login POST with ${headers.map(([n, v]) => `${n}: ${v}`).join(", ")} answered ${after.status}`);
      await ensureSurvives(c, after, target, req.scope, req.redirectUri, "c01-origin");
    });
  });
});
