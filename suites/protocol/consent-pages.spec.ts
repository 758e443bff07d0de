import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureStatus, sameSet } from "../checks/http.ts";
import {
  authorizeRequest,
  consentForm,
  consentSubmission,
  decide,
  ensureCodeRedirect,
  isConsentPage,
  loginSubmission,
  redirectsOffSite,
  scopesShown,
  sendAuthorize,
  browserPostHeaders,
  sendConsent,
  setParam,
  type ConsentSubmission,
} from "../checks/authz.ts";
import { followOnOrigin, isLoginPage, standaloneLoginPage } from "../flows/login.ts";
import { openLoginPageOn } from "../flows/code-factory.ts";
import { exchangeCode, revoke } from "../flows/tokens.ts";
import type { Pairs, ProtocolClient } from "../http/client.ts";
import { parseSetCookie } from "../http/cookies.ts";
import { visibleText } from "../http/html-form.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { AppIdentity, UserIdentity } from "../targets/schema.ts";
import { unapprovedConfidential } from "../flows/consent.ts";

/** Signs `user` in through the login page at `page`; returns the login POST's own response. */
async function postLogin(c: ProtocolClient, page: HttpResponse, user: UserIdentity, target: Target): Promise<HttpResponse> {
  const sub = loginSubmission(page, user, target);
  return c.send({ method: sub.method, url: sub.url, form: sub.method === "POST" ? sub.pairs : undefined, query: sub.method === "GET" ? sub.pairs : undefined, label: `login: ${target.recipe.signInButton} as ${user.email}` });
}

/** A fresh, logged-in client for `user` (its own jar). */
async function loggedIn(client: ProtocolClient, target: Target, user: UserIdentity): Promise<ProtocolClient> {
  const c = client.withJar();
  const page = await openLoginPageOn(c, target);
  const after = await followOnOrigin(c, await postLogin(c, page, user, target), "login");
  ensure(!isLoginPage(after, target.recipe), `login as ${user.email} was refused`);
  return c;
}

function codeOf(res: HttpResponse): string {
  const code = res.isRedirect ? res.locationUrl?.searchParams.get("code") : null;
  ensure(code, `no code in the redirect (${res.status})`);
  return code;
}

/** All non-empty subsets of `xs`. */
function subsets(xs: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let m = 1; m < 1 << xs.length; m++) out.push(xs.filter((_, i) => m & (1 << i)));
  return out;
}

test.describe("CONSENT-01 the user logs in before consent, and the request survives login", () => {
  test("no session → login → consent for the same client and scopes → Approve → original state → code redeems with the original verifier", { tag: tags("CONSENT-01", "CONSENT-07"), annotation: [...reqs("CONSENT-01", "CONSENT-07"), ...needs("http", "code")] }, async ({ client, target, verdicts }) => {
    const anon = client.withJar();
    const app = target.apps.spa;
    const req = authorizeRequest({ client: app, state: "s-c01 &=+" });
    const first = await sendAuthorize(anon, req.pairs, { label: "authorize: no session" });
    const loginPage = await followOnOrigin(anon, first, "login detour");
    const shown = await verdicts.check("CONSENT-01", "without a session the request leads to the login page, on the target (RFC 6749 §3.1)", () => {
      ensure(!redirectsOffSite(first, target), `a ${first.status} off the target before login`);
      ensure(isLoginPage(loginPage, target.recipe), `expected the login page, got ${loginPage.status}`);
    }, { stopOnFailure: true });
    if (shown !== "passed") return;
    const loginPost = await postLogin(anon, loginPage, target.users.member, target);
    await verdicts.check("CONSENT-07", "the login POST that continues the authorization answers 302 or 303, never 307/308 (RFC 9700 §4.12)", () => ensureStatus(loginPost, [302, 303]), { clause: "not 307/308" });
    await verdicts.check("CONSENT-07", "the login POST that continues the authorization answers 303 (RFC 9700 §4.12)", () => ensureStatus(loginPost, 303), { clause: "303" });
    await verdicts.check("CONSENT-01", "the login's return target stays on the target (SEC-01)", () => ensure(!redirectsOffSite(loginPost, target), `the login POST redirects to ${loginPost.locationUrl?.origin ?? "?"}`));
    const consent = await followOnOrigin(anon, loginPost, "after login");
    const ok = await verdicts.check("CONSENT-01", "after login the consent page shows the same client and scopes", () => {
      ensure(isConsentPage(consent, target), `expected the consent page after login, got ${consent.status}`);
      ensure(sameSet(scopesShown(consent, target.scopes), req.scope.split(" ")), `consent lists ${JSON.stringify(scopesShown(consent, target.scopes))}`);
      if (app.name) ensure(visibleText(consent.text).includes(app.name), `the consent page does not name ${app.name}`);
    });
    if (ok !== "passed") return;
    await verdicts.check("CONSENT-01", "the consent page still shows the redirect host (CONSENT-02)", () => ensure(visibleText(consent.text).includes(new URL(req.redirectUri).hostname), "the redirect host is not shown"), { clause: "PACT-PROFILE" });
    const { final: post } = await decide(anon, consent, target, "approve");
    await verdicts.check("CONSENT-01", "the final redirect carries the original state and the code redeems with the original verifier", async () => {
      const params = ensureCodeRedirect(post, req.redirectUri, req.state, target.issuer);
      const tok = await exchangeCode(client, app, { code: params.get("code") as string, redirectUri: req.redirectUri, verifier: req.verifier });
      ensureStatus(tok, 200);
    });
  });
});

test.describe("CONSENT-02 consent shows the app, the workspace and exactly the requested scopes", () => {
  test("property: for every non-empty S ⊆ registered the page lists exactly S, and names app, workspace and redirect host", { tag: tags("CONSENT-02"), annotation: [...reqs("CONSENT-02"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    const session = client.withJar(await codeFactory.session());
    const app = await verdicts.precondition("a confidential app no user has approved yet", () => unapprovedConfidential(client, target, fresh));
    const all = subsets(app.scopes);
    await checkProperty(
      verdicts,
      "CONSENT-02",
      "the set of scopes on the consent page equals S",
      fc.constantFrom(...all),
      async (scopes) => {
        const res = await sendAuthorize(session, authorizeRequest({ client: app, scope: scopes.join(" ") }).pairs, { label: "authorize: consent for S" });
        ensure(isConsentPage(res, target), `no consent page (${res.status})`);
        const shown = scopesShown(res, target.scopes);
        ensure(sameSet(shown, scopes), `the page lists ${JSON.stringify(shown)} for S = ${JSON.stringify(scopes)}`);
      },
      { numRuns: all.length, examples: all, clause: "scopes shown" },
    );
    const user = target.users.member;
    for (const uri of app.redirectUris) {
      const res = await sendAuthorize(session, authorizeRequest({ client: app, redirectUri: uri }).pairs, { label: "authorize: consent page" });
      const text = visibleText(res.text);
      await verdicts.check("CONSENT-02", `the consent page names the redirect host ${new URL(uri).hostname}`, () => ensure(text.includes(new URL(uri).hostname), "the redirect host is not shown"), { clause: "redirect host" });
      if (app.name) await verdicts.check("CONSENT-02", `the consent page names the app (${app.name})`, () => ensure(text.includes(app.name as string), "the app name is not shown"), { clause: "app name" });
      else verdicts.skip("CONSENT-02", "the target file gives no display name for the CONF app", "the consent page names the app");
      if (user.workspace) await verdicts.check("CONSENT-02", `the consent page names the workspace (${user.workspace})`, () => ensure(text.includes(user.workspace as string), "the workspace is not shown"), { clause: "target workspace" });
      else verdicts.skip("CONSENT-02", "the target file gives no workspace name for the member user", "the consent page names the workspace");
    }
  });
});

test.describe("CONSENT-03 Approve issues a code for exactly the requested scope", () => {
  test("the token's scope equals the requested set, and consent offers no per-scope choice", { tag: tags("CONSENT-03"), annotation: [...reqs("CONSENT-03"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    for (const app of [target.apps.spa, target.apps.conf]) {
      for (const scopes of subsets(app.scopes).slice(0, 4)) {
        const req = authorizeRequest({ client: app, scope: scopes.join(" ") });
        const page = await sendAuthorize(session, req.pairs, { label: `authorize: ${app.clientId} ${scopes.join(" ")}` });
        if (isConsentPage(page, target)) {
          const form = consentForm(page, target);
          await verdicts.check("CONSENT-03", `${app.clientId}: the consent form has no per-scope controls (all-or-nothing, AMB-08)`, () => {
            const choices = (form?.fields ?? []).filter((f) => f.type === "checkbox" || f.type === "radio" || f.tag === "select");
            ensure(choices.length === 0, `the consent form has ${choices.map((f) => `${f.type} ${f.name ?? ""}`).join(", ")}`);
          }, { clause: "all-or-nothing consent" });
        }
        const post = isConsentPage(page, target) ? (await decide(session, page, target, "approve")).final : page;
        await verdicts.check("CONSENT-03", `${app.clientId}: Approve for {${scopes.join(", ")}} gives a token whose scope equals it (RFC 6749 §3.3, §5.1)`, async () => {
          const tok = await exchangeCode(client, app, { code: codeOf(post), redirectUri: req.redirectUri, verifier: req.verifier });
          ensureStatus(tok, 200);
          const body = tok.json() as { scope?: unknown };
          // RFC 6749 §5.1: scope may be omitted only when identical to the request.
          const granted = typeof body.scope === "string" ? body.scope.split(" ").filter(Boolean) : scopes;
          ensure(sameSet(granted, scopes), `granted ${JSON.stringify(granted)} for requested ${JSON.stringify(scopes)}`);
        });
      }
    }
  });
});

/** Hidden fields that look like the anti-CSRF token. */
function csrfFieldNames(sub: ConsentSubmission, page: HttpResponse, target: Target): string[] {
  const form = consentForm(page, target);
  const hidden = (form?.fields ?? []).filter((f) => f.type === "hidden" && f.name !== null).map((f) => f.name as string);
  const named = hidden.filter((n) => /csrf|xsrf|authenticity|anti.?forgery/i.test(n));
  return named.length ? named : hidden.filter((n) => sub.pairs.some(([p]) => p === n));
}

function ensureRefusedPost(res: HttpResponse, target: Target): void {
  ensure(res.status >= 400 && res.status < 500, `expected a 4xx, got ${res.status}`);
  ensure(!redirectsOffSite(res, target), "the refused approval redirects to the client");
  ensure(!/[?&#]code=/.test(res.location ?? "") && !/[?&#]code=/.test(res.text), "the refused approval carries a code");
}

test.describe("CONSENT-05 the approval action is CSRF-protected", () => {
  test("approval without the token, with another session's token, or from a foreign Origin/Referer is refused; session cookie attributes", { tag: tags("CONSENT-05"), annotation: [...reqs("CONSENT-05"), ...needs("http", "session")] }, async ({ client, target, verdicts }) => {
    const app = target.apps.spa;
    const mine = await loggedIn(client, target, target.users.member);
    const other = await loggedIn(client, target, target.users.member);
    const freshPage = async (c: ProtocolClient): Promise<HttpResponse> => {
      const page = await sendAuthorize(c, authorizeRequest({ client: app }).pairs, { label: "authorize: consent page" });
      ensure(isConsentPage(page, target), `no consent page (${page.status})`);
      return page;
    };

    await verdicts.check("CONSENT-05", "approval POST without the anti-CSRF token gives a 4xx and no code (RFC 6749 §10.12)", async () => {
      const page = await freshPage(mine);
      const sub = consentSubmission(page, target, "approve");
      const drop = new Set(csrfFieldNames(sub, page, target));
      ensure(drop.size > 0, "the consent form has no hidden field that could carry an anti-CSRF token");
      ensureRefusedPost(await followOnOrigin(mine, await sendConsent(mine, { ...sub, pairs: sub.pairs.filter(([n]) => !drop.has(n)) }, { label: "consent: approve without CSRF token" }), "consent"), target);
    });
    await verdicts.check("CONSENT-05", "approval POST with the token of another session gives a 4xx and no code", async () => {
      const page = await freshPage(mine);
      const sub = consentSubmission(page, target, "approve");
      const foreignPage = await freshPage(other);
      const foreign = consentSubmission(foreignPage, target, "approve");
      const names = new Set(csrfFieldNames(sub, page, target));
      const swapped = sub.pairs.map(([n, v]) => [n, names.has(n) ? (foreign.pairs.find(([m]) => m === n)?.[1] ?? v) : v] as [string, string]);
      ensure(swapped.some(([n, v], i) => names.has(n) && v !== sub.pairs[i]?.[1]), "the other session's form carries the same token values");
      ensureRefusedPost(await followOnOrigin(mine, await sendConsent(mine, { ...sub, pairs: swapped }, { label: "consent: approve with another session's token" }), "consent"), target);
    });
    for (const [header, value] of [["origin", "https://evil.test"], ["referer", "https://evil.test/connect"]] as Array<[string, string]>) {
      await verdicts.check("CONSENT-05", `approval POST with ${header === "origin" ? "Origin" : "Referer"}: ${value} gives a 4xx and no code`, async () => {
        const page = await freshPage(mine);
        ensureRefusedPost(await followOnOrigin(mine, await sendConsent(mine, consentSubmission(page, target, "approve"), { headers: [[header, value]], label: `consent: approve with foreign ${header}` }), "consent"), target);
      });
    }
    await verdicts.check("CONSENT-05", "control: the untampered approval POST gives a code (so the refusals above are due to the tampering)", async () => {
      const page = await freshPage(mine);
      const post = await followOnOrigin(mine, await sendConsent(mine, consentSubmission(page, target, "approve"), { label: "consent: approve untampered" }), "consent");
      codeOf(post);
    });
    // A browser adds Origin (and, by the page's Referrer-Policy, Referer) to the approval POST (Fetch,
    // "append a request Origin header"). A server that refused those would pass the foreign-header
    // refusals above while no real browser could approve.
    await verdicts.check("CONSENT-05", "control: the approval POST with the Origin and Referer a browser adds from the consent page gives a code", async () => {
      const page = await freshPage(mine);
      const headers = browserPostHeaders(page);
      const post = await followOnOrigin(mine, await sendConsent(mine, consentSubmission(page, target, "approve"), { headers, label: "consent: approve with the browser's own headers" }), "consent");
      ensure(post.status < 400, `the approval with ${headers.map(([n, v]) => `${n}: ${v.replace(/\?.*$/, "?…")}`).join(", ")} was refused with ${post.status}`);
      codeOf(post);
    });

    // PACT: session cookie attributes, read from the login response that establishes the session.
    const c = client.withJar();
    const page = await openLoginPageOn(c, target);
    const loginPost = await postLogin(c, page, target.users.member, target);
    const https = new URL(target.baseUrl).protocol === "https:";
    const set = loginPost.headerAll("set-cookie").map((l) => parseSetCookie(l, Date.now())).filter((ck) => ck !== null && ck.value !== "" && (ck.expiresAt === null || ck.expiresAt > Date.now()));
    await verdicts.check("CONSENT-05", "the session cookie set at login is HttpOnly and SameSite=Lax or Strict", () => {
      ensure(set.length > 0, "the login response sets no cookie");
      for (const ck of set) {
        if (!ck) continue;
        ensure(ck.httpOnly, `cookie ${ck.name} is not HttpOnly`);
        ensure(ck.sameSite !== null && ["lax", "strict"].includes(ck.sameSite.toLowerCase()), `cookie ${ck.name} has SameSite=${ck.sameSite ?? "(none)"}`);
      }
    }, { clause: "cookie attributes" });
    if (https) {
      await verdicts.check("CONSENT-05", "the session cookie is Secure on an https target", () => {
        for (const ck of set) if (ck) ensure(ck.secure, `cookie ${ck.name} is not Secure`);
      }, { clause: "cookie attributes" });
    } else {
      verdicts.skip("CONSENT-05", "not applicable: the target serves plain HTTP on loopback, where a cookie cannot be Secure", "the session cookie is Secure on an https target");
    }
  });
});

/** Absolute resource URLs a page loads (scripts, styles, images, fonts, frames). */
function loadedResources(res: HttpResponse): URL[] {
  const out: URL[] = [];
  const push = (raw: string): void => {
    try {
      out.push(new URL(raw, res.exchange.url));
    } catch {
      /* not a URL */
    }
  };
  for (const m of res.text.matchAll(/<(script|img|iframe|frame|source|video|audio|embed|object|input)\b[^>]*?\s(?:src|data)\s*=\s*["']?([^"'\s>]+)/gi)) push(m[2] as string);
  for (const m of res.text.matchAll(/<link\b[^>]*>/gi)) {
    const href = /\shref\s*=\s*["']?([^"'\s>]+)/i.exec(m[0])?.[1];
    if (href && /rel\s*=\s*["']?[^"'>]*(stylesheet|icon|preload|prefetch|modulepreload|manifest|font)/i.test(m[0])) push(href);
  }
  for (const m of res.text.matchAll(/(?:@import\s+|url\()\s*["']?([^"')\s;]+)/gi)) push(m[1] as string);
  return out;
}

function frameAncestors(res: HttpResponse): string | null {
  for (const csp of res.headerAll("content-security-policy")) {
    const d = csp.split(";").map((x) => x.trim()).find((x) => /^frame-ancestors\b/i.test(x));
    if (d) return d.replace(/^frame-ancestors\s*/i, "").trim();
  }
  return null;
}

test.describe("CONSENT-06 login and consent pages have anti-framing and referrer protection", () => {
  test("login, consent and authorization error pages forbid framing, set Referrer-Policy and CSP, load nothing third-party", { tag: tags("CONSENT-06"), annotation: [...reqs("CONSENT-06"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const origin = new URL(target.baseUrl).origin;
    const app = target.apps.spa;
    const standalone = await standaloneLoginPage(client.withJar(), target.recipe);
    const pages: Array<[string, HttpResponse]> = [
      ...(standalone ? [["login page", standalone] as [string, HttpResponse]] : []),
      ["login page of an authorization request", await sendAuthorize(client.withJar(), authorizeRequest({ client: app }).pairs, { label: "authorize: no session" })],
      ["consent page", await sendAuthorize(session, authorizeRequest({ client: app }).pairs, { label: "authorize: consent page" })],
      ["error page (unknown client)", await sendAuthorize(session, setParam(authorizeRequest({ client: app }).pairs, "client_id", "no-such-client"), { label: "authorize: error page" })],
      ["error page (unregistered redirect_uri)", await sendAuthorize(session, authorizeRequest({ client: app, redirectUri: "https://evil.test/cb" }).pairs, { label: "authorize: error page" })],
    ];
    // RFC 9700 §4.16: the AS MUST prevent clickjacking (either header does it in current browsers); CSP
    // SHOULD be used, and X-Frame-Options keeps older browsers covered, so both together are the SHOULD clause.
    for (const [what, res0] of pages) {
      const res = res0.isRedirect && !redirectsOffSite(res0, target) ? await followOnOrigin(client.withJar(), res0, what) : res0;
      const fa = frameAncestors(res);
      const xfo = res.header("x-frame-options")?.trim().toUpperCase();
      await verdicts.check("CONSENT-06", `${what}: framing is forbidden (frame-ancestors 'none'/'self' or X-Frame-Options DENY/SAMEORIGIN, RFC 9700 §4.16)`, () => {
        const cspOk = fa !== null && /^('none'|'self')$/i.test(fa);
        const xfoOk = xfo === "DENY" || xfo === "SAMEORIGIN";
        ensure(cspOk || xfoOk, `CSP frame-ancestors ${fa ?? "(absent)"}, X-Frame-Options ${xfo ?? "(absent)"}`);
      }, { clause: "anti-framing" });
      await verdicts.check("CONSENT-06", `${what}: Content-Security-Policy frame-ancestors 'none' or 'self', and X-Frame-Options for older browsers`, () => {
        ensure(fa !== null && /^('none'|'self')$/i.test(fa), `CSP frame-ancestors is ${fa ?? "absent"}`);
        ensure(xfo === "DENY" || xfo === "SAMEORIGIN", `X-Frame-Options is ${xfo ?? "absent"}`);
      }, { clause: "CSP" });
      await verdicts.check("CONSENT-06", `${what}: Referrer-Policy no-referrer or same-origin (RFC 9700 §4.2.4)`, () => {
        const rp = (res.header("referrer-policy") ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean).pop();
        ensure(rp === "no-referrer" || rp === "same-origin", `Referrer-Policy is ${rp ?? "absent"}`);
      }, { clause: "referrer policy" });
      await verdicts.check("CONSENT-06", `${what}: no scripts, styles, images or fonts from third-party origins`, () => {
        const foreign = loadedResources(res).filter((u) => (u.protocol === "http:" || u.protocol === "https:") && u.origin !== origin);
        ensure(foreign.length === 0, `loads ${foreign.map((u) => u.origin).join(", ")}`);
      }, { clause: "no third-party resources" });
    }
  });
});

test.describe("CONSENT-07 the redirect after a form POST is a 303, never a 307 or 308", () => {
  test("Approve and Deny answer 302/303 (303 preferred)", { tag: tags("CONSENT-07"), annotation: [...reqs("CONSENT-07"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    for (const decision of ["approve", "deny"] as const) {
      const page = await sendAuthorize(session, authorizeRequest({ client: target.apps.spa }).pairs, { label: "authorize: consent page" });
      const post = await sendConsent(session, consentSubmission(page, target, decision), { label: `consent: ${decision}` });
      await verdicts.check("CONSENT-07", `${decision} POST answers 302 or 303, never 307/308 (RFC 9700 §4.12, RFC 9110 §15.4.9)`, () => ensureStatus(post, [302, 303]), { clause: "not 307/308" });
      await verdicts.check("CONSENT-07", `${decision} POST answers 303`, () => ensureStatus(post, 303), { clause: "303" });
    }
  });
});

/** Authorize with `session`; the outcome is "consent" or "code" (an immediate redirect with a code). */
async function promptOrCode(session: ProtocolClient, target: Target, app: AppIdentity, scope: string): Promise<{ kind: "consent" | "code" | "other"; res: HttpResponse; pairs: Pairs; verifier: string; redirectUri: string }> {
  const req = authorizeRequest({ client: app, scope });
  const res = await sendAuthorize(session, req.pairs, { label: `authorize: ${app.clientId} ${scope}` });
  const kind = isConsentPage(res, target) ? "consent" : res.isRedirect && res.locationUrl?.searchParams.has("code") ? "code" : "other";
  return { kind, res, pairs: req.pairs, verifier: req.verifier, redirectUri: req.redirectUri };
}

test.describe("CONSENT-08 public clients never get silent re-approval", () => {
  test("a second request from a public client shows consent again; a confidential one skips it only under an active covering grant", { tag: tags("CONSENT-08"), annotation: [...reqs("CONSENT-08"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    const session = client.withJar(await codeFactory.session());
    const publics = [target.apps.spa, target.apps.cli].filter((a): a is AppIdentity => a !== undefined);
    for (const app of publics) {
      const scope = app.scopes.join(" ");
      const first = await promptOrCode(session, target, app, scope);
      const shown = await verdicts.check("CONSENT-08", `${app.clientId} (public): the first request shows consent`, () => ensure(first.kind === "consent", `got ${first.kind} (${first.res.status})`));
      if (shown !== "passed") continue;
      const { final: post } = await decide(session, first.res, target, "approve");
      await exchangeCode(client, app, { code: codeOf(post), redirectUri: first.redirectUri, verifier: first.verifier });
      const second = await promptOrCode(session, target, app, scope);
      await verdicts.check("CONSENT-08", `${app.clientId} (public): the second request for the same user and scopes shows consent again (RFC 8252 §8.6)`, () => ensure(second.kind === "consent", `got ${second.kind} (${second.res.status})`));
    }

    // A confidential client with no grant yet: on a shared server CONF may hold one from another test.
    const conf = await verdicts.precondition("a confidential app no user has approved yet", () => unapprovedConfidential(client, target, fresh));
    const narrow = conf.scopes[0] as string;
    const wide = conf.scopes.join(" ");
    const first = await promptOrCode(session, target, conf, narrow);
    await verdicts.check("CONSENT-08", "CONF with no grant yet: consent is shown", () => ensure(first.kind === "consent", `got ${first.kind} (${first.res.status})`), { clause: "rule for confidential clients" });
    if (first.kind !== "consent") return;
    const { final: post } = await decide(session, first.res, target, "approve");
    const tok = await exchangeCode(client, conf, { code: codeOf(post), redirectUri: first.redirectUri, verifier: first.verifier });
    const tokens = tok.jsonOrUndefined() as { access_token?: string; refresh_token?: string } | undefined;
    if (conf.scopes.length > 1) {
      const widen = await promptOrCode(session, target, conf, wide);
      await verdicts.check("CONSENT-08", "CONF with a grant for fewer scopes: consent is shown for the wider request (AMB-23)", () => ensure(widen.kind === "consent", `got ${widen.kind} (${widen.res.status})`), { clause: "rule for confidential clients" });
    }
    // A grant is one resource owner's consent (RFC 6749 §4.1.1, §10.12): it covers its own user only, not a colleague in the same workspace.
    const colleague = target.users.admin;
    if (colleague && colleague.email !== target.users.member.email) {
      const theirs = await promptOrCode(client.withJar(await codeFactory.session(colleague)), target, conf, narrow);
      await verdicts.check("CONSENT-08", `CONF for ${colleague.email}, while ${target.users.member.email} holds a covering grant: consent is shown (another user's grant covers nothing for them)`, () => ensure(theirs.kind === "consent", `got ${theirs.kind} (${theirs.res.status})`), { clause: "rule for confidential clients" });
    } else verdicts.skip("CONSENT-08", "the target file names no second user of the member's workspace", "another user's grant does not skip consent");
    if (tokens?.refresh_token) {
      await revoke(client, conf, tokens.refresh_token, { hint: "refresh_token", label: "revoke the grant's refresh token" });
      if (tokens.access_token) await revoke(client, conf, tokens.access_token, { hint: "access_token", label: "revoke the grant's access token" });
      const after = await promptOrCode(session, target, conf, narrow);
      await verdicts.check("CONSENT-08", "CONF after its grant was revoked: consent is shown again (no active grant covers it)", () => ensure(after.kind === "consent", `got ${after.kind} (${after.res.status})`), { clause: "rule for confidential clients" });
    } else {
      verdicts.skip("CONSENT-08", "the CONF code exchange returned no refresh token to revoke", "CONF after its grant was revoked: consent is shown again");
    }
  });
});

test.describe("CONSENT-09 a token never exceeds the consenting user's own permissions", () => {
  test("the restricted user's read:deals token cannot list deals (or consent refuses the scope)", { tag: tags("CONSENT-09"), annotation: [...reqs("CONSENT-09"), ...needs("http", "session", "code", "multi")] }, async ({ client, target, verdicts, codeFactory }) => {
    const conf = target.apps.conf;
    const restricted = target.users.restricted;
    if (!restricted || !conf.scopes.includes("read:deals")) {
      verdicts.skip("CONSENT-09", !restricted ? "the target file names no restricted user" : "the CONF app does not register read:deals");
      return;
    }
    const dealsWith = async (user: UserIdentity): Promise<{ consentRefused: boolean; status: number | null }> => {
      const session = client.withJar(await codeFactory.session(user));
      const req = authorizeRequest({ client: conf, scope: "read:deals" });
      const page = await sendAuthorize(session, req.pairs, { label: `authorize: read:deals as ${user.email}` });
      const listed = isConsentPage(page, target) ? scopesShown(page, target.scopes) : [];
      const post = isConsentPage(page, target) ? (await decide(session, page, target, "approve")).final : page;
      const loc = post.isRedirect ? post.locationUrl : undefined;
      if (!loc?.searchParams.get("code")) return { consentRefused: true, status: null };
      if (isConsentPage(page, target) && !listed.includes("read:deals")) return { consentRefused: true, status: null };
      const tok = await exchangeCode(client, conf, { code: loc.searchParams.get("code") as string, redirectUri: req.redirectUri, verifier: req.verifier });
      const at = (tok.jsonOrUndefined() as { access_token?: string; scope?: string } | undefined) ?? {};
      if (tok.status !== 200 || !at.access_token) return { consentRefused: true, status: null };
      if (typeof at.scope === "string" && !at.scope.split(" ").includes("read:deals")) return { consentRefused: true, status: null };
      const res = await client.get("/v1/deals", { headers: [["authorization", `Bearer ${at.access_token}`]], label: `GET /v1/deals as ${user.email}'s token` });
      return { consentRefused: false, status: res.status };
    };
    const control = await dealsWith(target.users.member);
    if (control.consentRefused || control.status !== 200) {
      verdicts.error("CONSENT-09", `could not judge: control failed: the member's read:deals token does not list deals (${control.consentRefused ? "no token" : control.status}), so a 403 would prove nothing`);
      return;
    }
    const r = await dealsWith(restricted);
    await verdicts.check("CONSENT-09", "USR-R's read:deals approval is refused, or its token gets 403 on GET /v1/deals (RFC 9700 §2.3)", () => {
      ensure(r.consentRefused || r.status === 403, `the restricted user's token got ${r.status} on GET /v1/deals`);
    });
  });
});
