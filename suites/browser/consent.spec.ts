/**
 * Login and consent in real Chromium (catalogue §4 CONSENT, AUTHZ-01, AUTHZ-07, SEC-01, SEC-02):
 * the browser drives the target's pages by the recipe's accessible names; the client's redirect
 * URIs are answered by a stub inside the browser; codes are redeemed over the kit's HTTP client.
 */
import { test, reqs, needs, expect, CheckSkipped, type Target, type Verdicts, tags } from "../harness/index.ts";
import { ensure, ensureStatus, sameSet } from "../checks/http.ts";
import { AdminSession, AdminUnsupported } from "../flows/admin.ts";
import { exchangeCode } from "../flows/tokens.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { AppIdentity } from "../targets/index.ts";
import type { FrameLocator, Locator, Page } from "@playwright/test";
import {
  AWKWARD_STATE,
  NavigationTrap,
  gotoMaybeLeaving,
  authorizationUrl,
  autoSubmitPage,
  button,
  capturePost,
  collectHtml,
  emailField,
  isCsrfField,
  pageText,
  recordPostRedirects,
  recordThirdParty,
  scopeSet,
  scopesIn,
  shortUrl,
  signIn,
  startLocalSite,
  type BrowserAuthorization,
} from "./support.ts";
import { noStandaloneLogin } from "../flows/code-factory.ts";

/** Parameters an authorization response may add to the redirect URI (RFC 6749 §4.1.2; RFC 9207 iss). */
const RESPONSE_PARAMS = new Set(["code", "state", "iss"]);
const TOKEN_PARAMS = ["access_token", "refresh_token", "id_token"];

/** The registered URI with a query of its own when there is one (AUTHZ-01: the query is kept). */
function redirectWithQuery(app: AppIdentity): string {
  return app.redirectUris.find((u) => /^https?:/.test(u) && new URL(u).search !== "") ?? (app.redirectUris[0] as string);
}

/** A proper subset of the registered scopes when there is one, so "exactly the requested" can fail. */
function someScopes(app: AppIdentity): string {
  return app.scopes.length > 2 ? [app.scopes[0], app.scopes[app.scopes.length - 1]].join(" ") : app.scopes.join(" ");
}

/** Where the consent page should be: the login form gone, Approve and Deny shown, nothing sent to the client yet. */
async function ensureConsentShown(page: Page, target: Target, callbacks: NavigationTrap): Promise<void> {
  await expect(button(page, target.recipe.approveButton), `no "${target.recipe.approveButton}" button on ${shortUrl(page.url())}`).toBeVisible();
  await expect(button(page, target.recipe.denyButton), `no "${target.recipe.denyButton}" button`).toBeVisible();
  ensure(callbacks.hits.length === 0, `the browser was sent to the client (${shortUrl(callbacks.hits[0]?.href ?? "")}) before any consent`);
}

/** AUTHZ-01 / SEC-02: the landing URL is the redirect URI, its own query kept, plus only code, state[, iss], all in the query. */
function ensureCodeResponse(landed: URL, redirectUri: string): string {
  const reg = new URL(redirectUri);
  ensure(landed.origin === reg.origin && landed.pathname === reg.pathname, `landed on ${landed.origin}${landed.pathname}, not the redirect URI ${reg.origin}${reg.pathname}`);
  const got = [...landed.searchParams];
  for (const [n, v] of reg.searchParams) {
    ensure(got.some(([gn, gv]) => gn === n && gv === v), `the redirect URI's own query parameter ${n}=${v} was dropped (RFC 6749 §3.1.2)`);
  }
  const added = got.filter(([n, v]) => !reg.searchParams.getAll(n).includes(v));
  const extra = added.map(([n]) => n).filter((n) => !RESPONSE_PARAMS.has(n));
  ensure(extra.length === 0, `the response added ${extra.join(", ")} besides code, state and iss`);
  ensure(landed.hash === "", `the response has a fragment (${landed.hash.length} characters); parameters belong in the query (RFC 6749 §4.1.2)`);
  const code = landed.searchParams.get("code");
  ensure(code !== null && code !== "", "no code in the redirect");
  return code;
}

function ensureNoTokensInUrl(landed: URL): void {
  const fragment = new URLSearchParams(landed.hash.slice(1));
  for (const p of TOKEN_PARAMS) ensure(!landed.searchParams.has(p) && !fragment.has(p), `the authorization response carries ${p} in the URL (RFC 9700 §2.1.2)`);
}

/** Redeems the code with the verifier the browser's request was built from (RFC 7636 §4.5). */
async function redeem(client: ProtocolClient, app: AppIdentity, code: string, auth: BrowserAuthorization): Promise<{ scope: string | undefined }> {
  const res = await exchangeCode(client, app, { code, redirectUri: auth.redirectUri, verifier: auth.verifier });
  ensureStatus(res, 200);
  const body = res.json() as { access_token?: unknown; scope?: unknown };
  ensure(typeof body.access_token === "string", "the token response has no access_token");
  return { scope: typeof body.scope === "string" ? body.scope : undefined };
}

/** CONSENT-02: the page lists exactly `requested` among the reference scopes, and names the app, the workspace and the redirect host. */
async function checkConsentPage(page: Page, target: Target, verdicts: Verdicts, app: AppIdentity, requested: string, redirectUri: string): Promise<void> {
  const text = await pageText(page);
  const want = [...scopeSet(requested)];
  await verdicts.check("CONSENT-02", "the consent page lists every requested scope and no other", () => {
    const shown = scopesIn(text, target.scopes);
    const missing = want.filter((s) => !shown.includes(s));
    const unasked = shown.filter((s) => !want.includes(s));
    ensure(missing.length === 0, `requested scope(s) not shown: ${missing.join(", ")}`);
    ensure(unasked.length === 0, `scope(s) shown that were not requested: ${unasked.join(", ")}`);
  }, { clause: "scopes shown" });
  await verdicts.check("CONSENT-02", "the consent page names the app", () => {
    if (!app.name) throw new CheckSkipped(`the target file gives no display name for ${app.clientId}`);
    ensure(text.includes(app.name), `the app name "${app.name}" is not on the page`);
  }, { clause: "app name" });
  await verdicts.check("CONSENT-02", "the consent page names the workspace being connected", () => {
    const ws = target.users.member.workspace;
    if (!ws) throw new CheckSkipped("the target file gives no workspace name for the member user");
    ensure(text.includes(ws), `the workspace "${ws}" is not on the page`);
  }, { clause: "target workspace" });
  await verdicts.check("CONSENT-02", "the consent page shows the redirect URI's host", () => {
    const host = new URL(redirectUri).host;
    ensure(text.includes(host), `the redirect host ${host} is not on the page`);
  }, { clause: "redirect host" });
}

test.describe("Login and consent in the browser", () => {
  test("CONSENT-01..03, AUTHZ-01, AUTHZ-07: Approve after the login detour returns code and exact state; the code redeems with the original verifier", {
    tag: tags("CONSENT-01", "CONSENT-02", "CONSENT-03", "CONSENT-06", "CONSENT-07", "AUTHZ-01", "AUTHZ-07", "SEC-02"), annotation: [...reqs("CONSENT-01", "CONSENT-02", "CONSENT-03", "CONSENT-06", "CONSENT-07", "AUTHZ-01", "AUTHZ-07", "SEC-02"), ...needs("browser", "http")],
  }, async ({ page, context, target, client, verdicts }) => {
    const app = target.apps.conf;
    const recipe = target.recipe;
    const origin = new URL(target.baseUrl).origin;
    const auth = authorizationUrl(target, { client: app, redirectUri: redirectWithQuery(app), scope: someScopes(app), state: AWKWARD_STATE });
    const callbacks = await NavigationTrap.forRedirectUris(context, app.redirectUris);
    const postRedirects = recordPostRedirects(page, origin);
    const htmlBodies = collectHtml(page, origin);
    const thirdParty = recordThirdParty(page, origin);

    await page.goto(auth.url);
    await verdicts.check("CONSENT-01", "without a session, /oauth/authorize shows the login form first", async () => {
      await expect(emailField(page, recipe), `no field labelled "${recipe.emailLabel}" on ${shortUrl(page.url())}`).toBeVisible();
      await expect(button(page, recipe.signInButton)).toBeVisible();
      await expect(button(page, recipe.approveButton)).toHaveCount(0);
      ensure(callbacks.hits.length === 0, "the browser was sent to the client without signing in");
    }, { stopOnFailure: true });

    await signIn(page, recipe, target.users.member);
    await verdicts.check("CONSENT-01", "after signing in, the consent page of the same request is shown", () => ensureConsentShown(page, target, callbacks), { stopOnFailure: true });
    await checkConsentPage(page, target, verdicts, app, auth.scope, auth.redirectUri);

    await button(page, recipe.approveButton).click();
    const landed = await callbacks.landing(page);

    let code = "";
    await verdicts.check("AUTHZ-01", "Approve redirects to the registered URI, its own query kept, adding code and state in the query only", () => {
      code = ensureCodeResponse(landed, auth.redirectUri);
    }, { stopOnFailure: true });
    await verdicts.check("AUTHZ-07", `state comes back byte-exact after the login detour (${JSON.stringify(AWKWARD_STATE)}, spaces sent as +)`, () => {
      const got = landed.searchParams.get("state");
      ensure(got === AWKWARD_STATE, `state came back as ${JSON.stringify(got)}`);
    });
    await verdicts.check("SEC-02", "the authorization response carries no token in the query or fragment", () => ensureNoTokensInUrl(landed));
    await verdicts.check("AUTHZ-07", "the state is never reflected unescaped into a Pact page", async () => {
      const marker = AWKWARD_STATE.slice(AWKWARD_STATE.indexOf("%"));
      for (const { url, body } of await htmlBodies()) ensure(!body.includes(marker), `${shortUrl(url)} contains the state's "${marker}" unescaped (RFC 6749 §10.14)`);
    });
    await verdicts.check("CONSENT-07", "the login and approve POSTs are answered with 302 or 303, never 307 or 308", () => {
      ensure(postRedirects.length > 0, "no form POST was answered with a redirect");
      const bad = postRedirects.filter((r) => r.status === 307 || r.status === 308);
      ensure(bad.length === 0, bad.map((r) => `${new URL(r.url).pathname} → ${r.status}`).join(", "));
    }, { clause: "not 307/308" });
    await verdicts.check("CONSENT-07", "the login and approve POSTs are answered with 303 (RFC 9700 §4.12)", () => {
      const other = postRedirects.filter((r) => r.status !== 303);
      ensure(other.length === 0, other.map((r) => `${new URL(r.url).pathname} → ${r.status}`).join(", "));
    }, { clause: "303" });
    await verdicts.check("CONSENT-06", "the login and consent pages load nothing from third-party origins", () => {
      ensure(thirdParty.length === 0, `third-party requests: ${[...new Set(thirdParty)].join(", ")}`);
    }, { clause: "third-party" });

    let granted: string | undefined;
    await verdicts.check("CONSENT-01", "the code redeems with the verifier of the original request", async () => {
      granted = (await redeem(client, app, code, auth)).scope;
    }, { stopOnFailure: true });
    await verdicts.check("CONSENT-03", "the token's scope equals the requested scope set", () => {
      // RFC 6749 §5.1: scope may be omitted only when identical to the request.
      const got = granted === undefined ? auth.scope : granted;
      ensure(sameSet([...scopeSet(got)], [...scopeSet(auth.scope)]), `granted "${got}", requested "${auth.scope}"`);
    });
  });

  test("CONSENT-04: Deny returns access_denied with the exact state, no code, and installs nothing", {
    tag: tags("CONSENT-04", "AUTHZ-07"), annotation: [...reqs("CONSENT-04", "AUTHZ-07"), ...needs("browser", "http")],
  }, async ({ page, context, target, client, verdicts }) => {
    const app = target.apps.conf2 ?? target.apps.conf;
    const member = target.users.member;
    const state = "deny & return: a+b%20c";
    const admin = target.missing("admin") === null ? await AdminSession.open(client, target).catch(() => null) : null;
    const installedRow = async (): Promise<string[]> => {
      if (!admin) return [];
      const { installed } = await admin.listInstalled();
      return installed.filter((i) => (i.clientId === app.clientId || (app.name !== undefined && i.name === app.name)) && i.authorizedBy.includes(member.email)).map((i) => i.text);
    };
    const before = await installedRow().catch((): null => null);

    const auth = authorizationUrl(target, { client: app, state });
    const callbacks = await NavigationTrap.forRedirectUris(context, app.redirectUris);
    await page.goto(auth.url);
    await signIn(page, target.recipe, member);
    await verdicts.check("CONSENT-04", "the consent page is shown", () => ensureConsentShown(page, target, callbacks), { stopOnFailure: true });
    await button(page, target.recipe.denyButton).click();
    const landed = await callbacks.landing(page);

    await verdicts.check("CONSENT-04", "Deny redirects to the redirect URI with error=access_denied, the state and no code", () => {
      const reg = new URL(auth.redirectUri);
      ensure(landed.origin === reg.origin && landed.pathname === reg.pathname, `landed on ${landed.origin}${landed.pathname}, not ${reg.origin}${reg.pathname}`);
      ensure(landed.searchParams.get("error") === "access_denied", `error is ${JSON.stringify(landed.searchParams.get("error"))}`);
      ensure(!landed.searchParams.has("code") && !landed.hash.includes("code="), "the denial carries a code");
      ensure(callbacks.withCode().length === 0, "a code reached the client");
    });
    await verdicts.check("AUTHZ-07", "the error redirect after Deny carries the exact state", () => {
      ensure(landed.searchParams.get("state") === state, `state came back as ${JSON.stringify(landed.searchParams.get("state"))}`);
    });
    await verdicts.check("CONSENT-04", "the app does not appear in the Installed tab for this user after Deny", async () => {
      if (!admin || before === null) throw new CheckSkipped(target.missing("admin") ?? "the admin console could not be opened over HTTP");
      let after: string[];
      try {
        after = await installedRow();
      } catch (e) {
        if (e instanceof AdminUnsupported) throw new CheckSkipped(e.message);
        throw e;
      }
      ensure(sameSet(after, before), `the Installed tab gained an authorization of ${app.clientId} by ${member.email}: ${after.join(" / ")}`);
    });
  });

  test("CONSENT-08: a public client is asked again; a confidential one only skips consent when a live grant covers the request", {
    tag: tags("CONSENT-08", "AUTHZ-07"), annotation: [...reqs("CONSENT-08", "AUTHZ-07"), ...needs("browser", "http")],
  }, async ({ page, context, target, client, verdicts }) => {
    const spa = target.apps.spa;
    const conf = target.apps.conf;
    const callbacks = await NavigationTrap.forRedirectUris(context, [...spa.redirectUris, ...conf.redirectUris]);

    const first = authorizationUrl(target, { client: spa });
    await page.goto(first.url);
    await signIn(page, target.recipe, target.users.member);
    await verdicts.check("CONSENT-08", "the first authorization of the public client shows the consent page", () => ensureConsentShown(page, target, callbacks), { stopOnFailure: true });
    await button(page, target.recipe.approveButton).click();
    const firstLanding = await callbacks.landing(page);
    await verdicts.check("CONSENT-08", "Approve returns a code to the public client", async () => {
      const code = firstLanding.searchParams.get("code");
      ensure(code, `no code in ${shortUrl(firstLanding.href)}`);
      await redeem(client, spa, code, first);
    }, { stopOnFailure: true });

    const hitsBefore = callbacks.hits.length;
    const second = authorizationUrl(target, { client: spa, state: AWKWARD_STATE }, "%20");
    await gotoMaybeLeaving(page, second.url);
    await verdicts.check("CONSENT-08", "the same request again, same user and scopes, shows the consent page again", async () => {
      await expect(button(page, target.recipe.approveButton), `no consent page the second time; the browser is on ${shortUrl(page.url())}`).toBeVisible();
      ensure(callbacks.hits.length === hitsBefore, `the second request went straight back to the client (${shortUrl(callbacks.hits.at(-1)?.href ?? "")})`);
    });
    if (await button(page, target.recipe.approveButton).isVisible()) {
      await button(page, target.recipe.approveButton).click();
      const landed = await callbacks.landing(page);
      await verdicts.check("AUTHZ-07", `state comes back byte-exact (${JSON.stringify(AWKWARD_STATE)}, spaces sent as %20)`, () => {
        ensure(landed.searchParams.get("state") === AWKWARD_STATE, `state came back as ${JSON.stringify(landed.searchParams.get("state"))}`);
      });
    }

    // Pact profile: a confidential client with a live grant for read:contacts asking for more is asked again.
    const narrow = conf.scopes[0] as string;
    const wider = conf.scopes.join(" ");
    if (conf.scopes.length < 2) {
      verdicts.skip("CONSENT-08", `${conf.clientId} has one registered scope; no wider request can be made`, "a confidential client asking beyond its live grant is asked again");
      return;
    }
    const grant = authorizationUrl(target, { client: conf, scope: narrow });
    const hitsGrant = callbacks.hits.length;
    await gotoMaybeLeaving(page, grant.url);
    if (callbacks.hits.length === hitsGrant) await button(page, target.recipe.approveButton).click();
    const granted = await callbacks.landing(page);
    await redeem(client, conf, granted.searchParams.get("code") ?? "", grant);
    const more = authorizationUrl(target, { client: conf, scope: wider });
    const hitsNow = callbacks.hits.length;
    await gotoMaybeLeaving(page, more.url);
    await verdicts.check("CONSENT-08", "a confidential client whose live grant does not cover the request is asked again", async () => {
      await expect(button(page, target.recipe.approveButton), `no consent page for ${wider}; the browser is on ${shortUrl(page.url())}`).toBeVisible();
      ensure(callbacks.hits.length === hitsNow, "the wider request went straight back to the client with a code");
    }, { clause: "rule for confidential clients" });
  });

  test("CONSENT-06: another origin's page cannot frame the login, consent or authorization error pages", {
    tag: tags("CONSENT-06"), annotation: [...reqs("CONSENT-06"), ...needs("browser")],
  }, async ({ page, target, verdicts, client }) => {
    const origin = new URL(target.baseUrl).origin;
    const site = await startLocalSite();
    try {
      // Headers of the document each frame ended on, keyed by the URL its navigation started from:
      // a server may reach its login page through same-origin redirects (an interaction page).
      const framed = new Map<string, Record<string, string>>();
      page.on("response", (res) => {
        if (res.frame() === page.mainFrame() || new URL(res.url()).origin !== origin || !res.request().isNavigationRequest()) return;
        if (res.status() >= 300 && res.status() < 400) return;
        let first = res.request();
        for (let from = first.redirectedFrom(); from; from = from.redirectedFrom()) first = from;
        framed.set(first.url(), res.headers());
      });
      const control = site.page("/control", "<!doctype html><title>Control</title><h1>Framing control</h1>");
      const framer = (frames: Array<[string, string]>): string =>
        `<!doctype html><html lang="en"><head><title>Framing page</title></head><body>${[...frames, ["Framing control", control] as [string, string]]
          .map(([title, src]) => `<iframe title="${title}" src="${src.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}" width="600" height="400"></iframe>`)
          .join("")}</body></html>`;

      // The standalone login page, or where a signed-out authorization request shows the login form.
      const loginUrl = (await noStandaloneLogin(client, target)) === null ? `${target.baseUrl}${target.recipe.loginPath ?? "/login"}` : authorizationUrl(target, { client: target.apps.spa }).url;
      const errorUrl = `${target.baseUrl}/oauth/authorize?response_type=code&client_id=conformance-unknown-client&redirect_uri=${encodeURIComponent("https://evil.test/cb")}`;
      const consent = authorizationUrl(target, { client: target.apps.spa });

      const checkFramed = async (title: string, url: string, marker: ((f: FrameLocator) => Locator) | null): Promise<void> => {
        await verdicts.check("CONSENT-06", `the ${title.toLowerCase()} does not render inside another origin's iframe`, async () => {
          await expect(page.getByTitle("Framing control").contentFrame().getByRole("heading", { name: "Framing control" }), "the control frame did not render: the framing page itself is broken").toBeVisible();
          const seen = [...framed.keys()].find((u) => u.startsWith(url.split("?")[0] as string));
          ensure(seen !== undefined, `the iframe never requested ${shortUrl(url)}`);
          const frameEl = await page.getByTitle(title).elementHandle();
          const frame = await frameEl?.contentFrame();
          const frameUrl = frame?.url() ?? "";
          if (marker) await expect(marker(page.getByTitle(title).contentFrame()), `the ${title.toLowerCase()} rendered inside the frame`).toHaveCount(0);
          ensure(!frameUrl.startsWith(origin), `the frame holds a Pact document (${shortUrl(frameUrl)})`);
        }, { clause: "anti-framing" });
        const headers = [...framed.entries()].find(([u]) => u.startsWith(url.split("?")[0] as string))?.[1] ?? {};
        const xfo = (headers["x-frame-options"] ?? "").trim().toUpperCase();
        const ancestors = /(?:^|;)\s*frame-ancestors\s+([^;]*)/i.exec(headers["content-security-policy"] ?? "")?.[1]?.trim() ?? null;
        await verdicts.check("CONSENT-06", `the ${title.toLowerCase()} sends X-Frame-Options DENY/SAMEORIGIN or CSP frame-ancestors 'none'/'self'`, () => {
          ensure(xfo === "DENY" || xfo === "SAMEORIGIN" || ancestors === "'none'" || ancestors === "'self'", `X-Frame-Options: ${xfo || "(absent)"}; frame-ancestors: ${ancestors ?? "(absent)"}`);
        }, { clause: "anti-framing" });
        await verdicts.check("CONSENT-06", `the ${title.toLowerCase()} sends CSP frame-ancestors 'none' or 'self' (RFC 9700 §4.16)`, () => {
          ensure(ancestors === "'none'" || ancestors === "'self'", `frame-ancestors: ${ancestors ?? "(absent)"}`);
        }, { clause: "CSP" });
        await verdicts.check("CONSENT-06", `the ${title.toLowerCase()} sends Referrer-Policy no-referrer or same-origin (RFC 9700 §4.2.4)`, () => {
          const rp = (headers["referrer-policy"] ?? "").split(",").map((s) => s.trim().toLowerCase()).at(-1) ?? "";
          ensure(rp === "no-referrer" || rp === "same-origin", `Referrer-Policy: ${rp || "(absent)"}`);
        }, { clause: "referrer policy" });
      };

      // Signed out: the login page and an authorization error page.
      await page.goto(site.page("/frame-signed-out", framer([["Pact login", loginUrl], ["Pact authorization error", errorUrl]])));
      await checkFramed("Pact login", loginUrl, (f) => f.getByRole("button", { name: target.recipe.signInButton }));
      await checkFramed("Pact authorization error", errorUrl, null);

      // Signed in (the cookie is same-site for a loopback target): the consent page.
      await page.goto(loginUrl);
      await signIn(page, target.recipe, target.users.member);
      await expect(button(page, target.recipe.signInButton)).toHaveCount(0);
      framed.clear();
      await page.goto(site.page("/frame-signed-in", framer([["Pact consent", consent.url]])));
      await checkFramed("Pact consent", consent.url, (f) => f.getByRole("button", { name: target.recipe.approveButton }).or(f.getByRole("button", { name: target.recipe.signInButton })));
    } finally {
      await site.close();
    }
  });

  test("CONSENT-05: a forged approval from another origin, or one without the CSRF token, gets no code", {
    tag: tags("CONSENT-05"), annotation: [...reqs("CONSENT-05"), ...needs("browser", "http")],
  }, async ({ page, context, target, verdicts }) => {
    const app = target.apps.conf;
    const origin = new URL(target.baseUrl).origin;
    const callbacks = await NavigationTrap.forRedirectUris(context, app.redirectUris);
    const site = await startLocalSite();
    try {
      const auth = authorizationUrl(target, { client: app });
      await page.goto(auth.url);
      const before = new Set((await context.cookies(origin)).map((c) => c.name));
      await signIn(page, target.recipe, target.users.member);
      await verdicts.check("CONSENT-05", "the consent page is shown", () => ensureConsentShown(page, target, callbacks), { stopOnFailure: true });

      await verdicts.check("CONSENT-05", "the session cookie is HttpOnly and SameSite=Lax or Strict (Secure on https)", async () => {
        const session = (await context.cookies(origin)).filter((c) => !before.has(c.name));
        ensure(session.length > 0, "signing in set no new cookie");
        for (const c of session) {
          ensure(c.httpOnly, `cookie ${c.name} is not HttpOnly`);
          ensure(c.sameSite === "Lax" || c.sameSite === "Strict", `cookie ${c.name} is SameSite=${c.sameSite}`);
          if (origin.startsWith("https:")) ensure(c.secure, `cookie ${c.name} is not Secure on an https target`);
        }
      }, { clause: "cookie attributes" });

      // The genuine approval, captured (not sent) to learn the form's action and fields.
      const genuine = await capturePost(page, origin, button(page, target.recipe.approveButton));
      const csrfFields = genuine.pairs.filter(([n]) => isCsrfField(n)).map(([n]) => n);

      const forge = async (label: string, pairs: Array<[string, string]>): Promise<void> => {
        const hits = callbacks.hits.length;
        const url = site.page(`/forged-${label.replace(/\W+/g, "-")}`, autoSubmitPage(genuine.url, pairs));
        const [res] = await Promise.all([page.waitForResponse((r) => r.url() === genuine.url && r.request().method() === "POST"), page.goto(url, { waitUntil: "commit" })]);
        await page.waitForLoadState("load");
        ensure(callbacks.withCode().length === 0 && callbacks.hits.length === hits, `the forged form reached the client: ${shortUrl(callbacks.hits.at(-1)?.href ?? "")}`);
        ensure(res.status() >= 400 && res.status() < 500, `the forged POST was answered ${res.status()}${res.headers().location ? ` → ${shortUrl(res.headers().location ?? "")}` : ""}, expected a 4xx`);
      };

      await verdicts.check("CONSENT-05", "an auto-submitted form on another origin without the CSRF token gets a 4xx and no code", async () => {
        if (csrfFields.length === 0) throw new CheckSkipped(`no field of the approval form is named like an anti-CSRF token (${genuine.pairs.map(([n]) => n).join(", ")})`);
        await forge("no-token", genuine.pairs.filter(([n]) => !isCsrfField(n)));
      });
      await verdicts.check("CONSENT-05", "an auto-submitted form on another origin carrying the session's own token gets a 4xx and no code (Origin check)", async () => {
        await forge("with-token", genuine.pairs);
      });

      // Same origin, token stripped: only the token itself can stop this one.
      await page.goto(auth.url);
      await verdicts.check("CONSENT-05", "Approve on the consent page with the CSRF token stripped from the POST gets a 4xx and no code", async () => {
        if (csrfFields.length === 0) throw new CheckSkipped("no field of the approval form is named like an anti-CSRF token");
        await expect(button(page, target.recipe.approveButton)).toBeVisible();
        const matcher = (u: URL): boolean => u.origin === origin;
        await page.route(matcher, async (route) => {
          const req = route.request();
          if (req.method() !== "POST") return route.fallback();
          const body = new URLSearchParams([...new URLSearchParams(req.postData() ?? "")].filter(([n]) => !isCsrfField(n))).toString();
          return route.continue({ postData: body });
        });
        const hits = callbacks.hits.length;
        // This consent page's form may post elsewhere than the first one (an interaction URL per request).
        const [res] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).origin === origin && r.request().method() === "POST"), button(page, target.recipe.approveButton).click()]);
        await page.waitForLoadState("load");
        await page.unroute(matcher);
        ensure(callbacks.hits.length === hits, `the stripped approval reached the client: ${shortUrl(callbacks.hits.at(-1)?.href ?? "")}`);
        ensure(res.status() >= 400 && res.status() < 500, `the stripped approval was answered ${res.status()}, expected a 4xx`);
      });

      // Control: the same session's genuine approval works, so the refusals above were the CSRF defence.
      await page.goto(auth.url);
      await button(page, target.recipe.approveButton).click();
      const landed = await callbacks.landing(page);
      await verdicts.check("CONSENT-05", "control: the genuine Approve of the same session does get a code", () => {
        ensure(landed.searchParams.has("code"), `the genuine approval landed on ${shortUrl(landed.href)} without a code`);
      });
    } finally {
      await site.close();
    }
  });

  test("SEC-01, CONSENT-01: the login's return-to cannot send the browser off-site", {
    tag: tags("SEC-01", "CONSENT-01"), annotation: [...reqs("SEC-01", "CONSENT-01"), ...needs("browser")],
  }, async ({ page, context, target, verdicts, client }) => {
    const absent = await noStandaloneLogin(client, target);
    if (absent !== null) {
      verdicts.skip("SEC-01", absent, "login URL return-to parameters");
      verdicts.skip("CONSENT-01", absent, "login URL return-to parameters");
      return;
    }
    const origin = new URL(target.baseUrl).origin;
    const evil = (await NavigationTrap.install(context, (u) => u.hostname === "evil.test")).hits;
    const names = ["return_to", "returnTo", "next", "continue", "redirect", "redirect_uri", "url", "target", "callback"];
    const loginWith = (value: string): string => `${target.baseUrl}${target.recipe.loginPath ?? "/login"}?${names.map((n) => `${n}=${encodeURIComponent(value)}`).join("&")}`;
    // Where the browser went since `mark` hits: an evil.test navigation, or a page off the target.
    const offSite = (mark: number): string | null => evil[mark]?.href ?? (/^https?:/.test(page.url()) && new URL(page.url()).origin !== origin ? page.url() : null);

    let mark = evil.length;
    await gotoMaybeLeaving(page, loginWith("https://evil.test/phish"));
    if (await emailField(page, target.recipe).isVisible()) {
      await signIn(page, target.recipe, target.users.member);
      await page.waitForLoadState("load");
    }
    await verdicts.check("SEC-01", "signing in from a login URL whose return-to parameters name https://evil.test stays on the target", async () => {
      const off = offSite(mark);
      ensure(off === null, `the browser went to ${off}`);
      await expect(button(page, target.recipe.signInButton), "the sign-in was refused").toHaveCount(0);
    });
    await verdicts.check("CONSENT-01", "the login's return-to target cannot be pointed off-site", () => {
      const off = offSite(mark);
      ensure(off === null, `the browser went to ${off}`);
    });
    for (const value of ["//evil.test/phish", "/\\evil.test/phish", "https:evil.test/phish"]) {
      mark = evil.length;
      await gotoMaybeLeaving(page, loginWith(value));
      await page.waitForLoadState("load");
      await verdicts.check("SEC-01", `a signed-in visit to the login URL with return-to ${JSON.stringify(value)} stays on the target`, () => {
        const off = offSite(mark);
        ensure(off === null, `the browser went to ${off}`);
      });
    }
  });
});
