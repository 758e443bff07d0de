import { test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure } from "../checks/http.ts";
import { authorizeRequest, consentSubmission, isConsentPage, loginSubmission, metaRefreshTargets, redirectOrigins, scriptText, sendAuthorize, sendConsent, setParam } from "../checks/authz.ts";
import { followOnOrigin, isLoginPage } from "../flows/login.ts";
import { noStandaloneLogin, openLoginPageOn } from "../flows/code-factory.ts";
import type { Pairs, ProtocolClient } from "../http/client.ts";
import { findFormByButton, parseForms } from "../http/html-form.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { UserIdentity } from "../targets/schema.ts";

// SEC-01 (RFC 9700 §2.1, §4.11.2; RFC 6749 §10.15): the catalogue's parameter names and attacker values.
const NAMES = ["redirect_uri", "return_to", "returnTo", "next", "continue", "url", "target", "redirect", "callback"];
const VALUES = [
  "https://evil.test",
  "//evil.test",
  "/\\evil.test",
  "https:evil.test",
  // A literal "%2F%2Fevil.test" (sent as %252F%252F…): a server that decodes twice gets //evil.test.
  "%2F%2Fevil.test",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
];

interface Combo {
  /** Every name carries the same attacker value, so whichever one a page honours is the attacker's. */
  readonly names: readonly string[];
  readonly value: string;
}

/** Each name alone: for a link to the login page, the return path an attacker can hand a victim. */
const ISOLATED: Combo[] = NAMES.flatMap((name) => VALUES.map((value) => ({ names: [name], value })));
/** All names at once per value: every (name, value) pair reaches every other page in 7 requests. */
const BATCHED: Combo[] = VALUES.map((value) => ({ names: NAMES, value }));
/** At the authorization endpoint redirect_uri decides validity, so it is sent apart from the others. */
const AUTHZ_COMBOS: Combo[] = VALUES.flatMap((value) => [{ names: ["redirect_uri"], value }, { names: NAMES.filter((n) => n !== "redirect_uri"), value }]);

function query(combo: Combo): Array<[string, string]> {
  return combo.names.map((n) => [n, combo.value]);
}

/**
 * The location a response navigates to, if any — a 3xx Location, a Refresh header or meta-refresh —
 * must be on the target or, for authorization responses, a registered redirect origin of the
 * named client; no script may navigate to the attacker.
 */
function ensureNoOpenRedirect(res: HttpResponse, allowed: ReadonlySet<string>, where: string): void {
  const ok = (u: URL): boolean => (u.protocol === "http:" || u.protocol === "https:") && allowed.has(u.origin);
  if (res.isRedirect && res.location !== undefined) {
    let u: URL | undefined;
    try {
      // Resolved as a browser would (WHATWG URL: "/\evil.test" is "//evil.test").
      u = new URL(res.location, res.exchange.url);
    } catch {
      u = undefined;
    }
    ensure(u === undefined || ok(u), `${where}: ${res.status} to ${u?.protocol === "http:" || u?.protocol === "https:" ? u.origin : u?.protocol ?? "?"}`);
  }
  if (res.mediaType?.includes("html")) {
    for (const u of metaRefreshTargets(res)) ensure(ok(u), `${where}: refresh to ${u.origin}`);
    const scripts = scriptText(res);
    ensure(!/evil\.test|javascript:alert|data:text\/html/i.test(scripts), `${where}: a script names the attacker's URL`);
  }
}

/** Judges a response and every same-origin hop after it. */
async function judgeChain(c: ProtocolClient, res: HttpResponse, allowed: ReadonlySet<string>, where: string, origin: string): Promise<HttpResponse> {
  let current = res;
  for (let hop = 0; hop < 8; hop++) {
    ensureNoOpenRedirect(current, allowed, where);
    const next = current.isRedirect ? current.locationUrl : undefined;
    if (!next || next.origin !== origin) return current;
    current = await c.get(next.href, { label: `${where}: follow` });
  }
  return current;
}

function withFields(pairs: Pairs, combo: Combo): Array<[string, string]> {
  let acc: Array<[string, string]> = pairs.map(([n, v]) => [n, v]);
  for (const n of combo.names) acc = setParam(acc, n, combo.value);
  return acc;
}

async function submitLoginWith(c: ProtocolClient, page: HttpResponse, user: UserIdentity, target: Target, combo: Combo | null): Promise<HttpResponse> {
  const sub = loginSubmission(page, user, target);
  const pairs = combo ? withFields(sub.pairs, combo) : sub.pairs;
  return c.send({ method: sub.method, url: sub.url, form: sub.method === "POST" ? pairs : undefined, query: sub.method === "GET" ? pairs : undefined, label: "login: submit" });
}

async function sweep(verdicts: Verdicts, what: string, combos: readonly Combo[], run: (combo: Combo) => Promise<void>): Promise<void> {
  await checkProperty(verdicts, "SEC-01", `${what}: every parameter name × attacker value stays on the target or a registered redirect origin`, fc.constantFrom(...combos), run, {
    numRuns: combos.length,
    examples: combos,
  });
}

test.describe("SEC-01 no open redirects anywhere on the authorization server", () => {
  test("login page and login return paths", { tag: tags("SEC-01"), annotation: [...reqs("SEC-01"), ...needs("http", "session")] }, async ({ client, target, verdicts }) => {
    const origin = new URL(target.baseUrl).origin;
    const own = new Set([origin]);
    const user = target.users.member;
    const absent = await noStandaloneLogin(client.withJar(), target);
    if (absent !== null) verdicts.skip("SEC-01", absent, "GET login page with the parameter, then sign in");
    else await sweep(verdicts, "GET login page with the parameter, then sign in", ISOLATED, async (combo) => {
      const c = client.withJar();
      const res = await c.get(target.recipe.loginPath ?? "/login", { query: query(combo), label: "login page" });
      const page = await judgeChain(c, res, own, "login page", origin);
      if (!isLoginPage(page, target.recipe)) return;
      await judgeChain(c, await submitLoginWith(c, page, user, target, null), own, "login POST", origin);
    });
    // A forged login POST needs the victim's login-CSRF token, so the fields are injected all at once here.
    await sweep(verdicts, "POST login with the fields injected into the form", BATCHED, async (combo) => {
      const c = client.withJar();
      const page = await openLoginPageOn(c, target);
      await judgeChain(c, await submitLoginWith(c, page, user, target, combo), own, "login POST", origin);
    });
  });

  test("logout, signed in and signed out", { tag: tags("SEC-01"), annotation: [...reqs("SEC-01"), ...needs("http", "session")] }, async ({ client, target, verdicts }) => {
    const origin = new URL(target.baseUrl).origin;
    const own = new Set([origin]);
    await sweep(verdicts, "logout with the parameters", BATCHED, async (combo) => {
      // Signed in: the logout form of the signed-in page when there is one, else POST /logout.
      const c = client.withJar();
      const page = await openLoginPageOn(c, target);
      const signedIn = await followOnOrigin(c, await submitLoginWith(c, page, target.users.member, target, null), "login");
      const form = parseForms(signedIn.text, signedIn.exchange.url).find((f) => /logout|sign.?out/i.test(f.action)) ?? findFormByButton(parseForms(signedIn.text, signedIn.exchange.url), "Sign out");
      const fields: Array<[string, string]> = (form?.fields ?? []).filter((f) => f.name).map((f) => [f.name as string, f.value]);
      const url = form?.action ?? new URL("/logout", target.baseUrl).href;
      await judgeChain(c, await c.send({ method: "POST", url, form: withFields(fields, combo), label: "logout: form" }), own, "logout (signed in)", origin);
      // Signed out, in the query and the body, and as a GET.
      const anon = client.withJar();
      await judgeChain(anon, await anon.send({ method: "POST", url: `/logout?${new URLSearchParams(query(combo)).toString()}`, form: query(combo), label: "logout: signed out" }), own, "logout (signed out)", origin);
      await judgeChain(anon, await anon.get("/logout", { query: query(combo), label: "logout: GET" }), own, "GET /logout", origin);
    });
  });

  test("authorize and consent, with and without a session", { tag: tags("SEC-01"), annotation: [...reqs("SEC-01"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const origin = new URL(target.baseUrl).origin;
    const app = target.apps.conf;
    const allowed = new Set([origin, ...redirectOrigins(app.redirectUris)]);
    const session = client.withJar(await codeFactory.session());
    await sweep(verdicts, "authorize and consent with the parameters", AUTHZ_COMBOS, async (combo) => {
      const pairs = withFields(authorizeRequest({ client: app }).pairs, combo);
      const page = await judgeChain(session, await sendAuthorize(session, pairs, { label: "authorize", firstHop: true }), allowed, "authorize (session)", origin);
      if (isConsentPage(page, target)) {
        const sub = consentSubmission(page, target, "approve");
        await judgeChain(session, await sendConsent(session, { ...sub, pairs: withFields(sub.pairs, combo) }, { label: "consent: approve" }), allowed, "consent POST", origin);
      }
      const anon = client.withJar();
      const login = await judgeChain(anon, await sendAuthorize(anon, pairs, { label: "authorize (no session)", firstHop: true }), allowed, "authorize (no session)", origin);
      if (isLoginPage(login, target.recipe)) await judgeChain(anon, await submitLoginWith(anon, login, target.users.member, target, null), allowed, "login during authorize", origin);
    });
  });

  test("admin console, error pages and every other page", { tag: tags("SEC-01"), annotation: [...reqs("SEC-01"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const origin = new URL(target.baseUrl).origin;
    const own = new Set([origin]);
    const admin = client.withJar(await codeFactory.session(target.users.admin));
    const paths = ["/", target.recipe.adminPath, "/oauth/consent", "/oauth/token", "/oauth/revoke", "/v1/contacts", "/.well-known/oauth-authorization-server", "/no-such-page"];
    await sweep(verdicts, "admin console signed out, then signed in through its login detour", BATCHED, async (combo) => {
      const anon = client.withJar();
      const page = await judgeChain(anon, await anon.get(target.recipe.adminPath, { query: query(combo), label: "admin (signed out)" }), own, "admin (signed out)", origin);
      if (isLoginPage(page, target.recipe)) await judgeChain(anon, await submitLoginWith(anon, page, target.users.admin, target, null), own, "login to admin", origin);
    });
    await sweep(verdicts, "GET every page with the parameters (signed out, and the admin console signed in)", BATCHED, async (combo) => {
      const anon = client.withJar();
      for (const p of paths) await judgeChain(anon, await anon.get(p, { query: query(combo), label: `GET ${p}` }), own, `GET ${p}`, origin);
      await judgeChain(admin, await admin.get(target.recipe.adminPath, { query: query(combo), label: "GET admin (signed in)" }), own, "GET admin (signed in)", origin);
    });
  });
});
