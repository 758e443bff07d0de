/**
 * Admin → API & developers in real Chromium (DOC-S1, DOC-S4/Revocation; catalogue REG-01..05,
 * INSTALL-01..03, KEY-01, KEY-03, SEC-02). The console is driven by the page contract's tab and
 * button names and the form's visible labels; tokens used to observe the effects come from the
 * kit's HTTP flows, and every effect is observed over HTTP.
 */
import { randomBytes } from "node:crypto";
import type { BrowserContext, Locator, Page } from "@playwright/test";
import { test, reqs, needs, expect, CheckError, CheckSkipped, type Target, tags } from "../harness/index.ts";
import { ensure, ensureStatus, ensureTokenError } from "../checks/http.ts";
import { ensureBearerAccepted, ensureBearerRejected, ensureCodeRejected, ensureRefreshRejected, fp, secretForms, withinPropagation } from "../checks/admin.ts";
import { ADMIN_NAMES, AdminSession, labelledValues } from "../flows/admin.ts";
import { clientCredentials, revoke, tokens, type TokenSet } from "../flows/tokens.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { Redactor } from "../http/redact.ts";
import type { AppIdentity } from "../targets/index.ts";
import { button, escapeRegExp, openConsole, pageText, shortUrl, tab } from "./support.ts";

type AppType = "public" | "confidential";

interface Registration {
  readonly clientId: string | null;
  readonly secret: string | null;
  /** Text of every visible role=alert element after submitting. */
  readonly alerts: string[];
  readonly status: number | null;
}

function suffix(): string {
  return randomBytes(4).toString("hex");
}

/** Opens the console as the target's admin and checks the page contract's tabs are there. */
async function consoleAsAdmin(page: Page, target: Target): Promise<void> {
  await openConsole(page, target, target.users.admin);
  for (const name of [ADMIN_NAMES.appsTab, ADMIN_NAMES.installedTab, ADMIN_NAMES.keysTab]) {
    await expect(tab(page, name), `no tab named "${name}" on ${shortUrl(page.url())}`).toBeVisible();
  }
}

async function openTab(page: Page, name: string): Promise<void> {
  await tab(page, name).click();
  await page.waitForLoadState("load");
}

/** Picks the app type by its control: a select labelled Type, or radio buttons named after the type. */
async function chooseType(page: Page, type: AppType): Promise<void> {
  const radio = page.getByRole("radio", { name: new RegExp(`^${type}`, "i") });
  if (await radio.count()) {
    await radio.first().check();
    return;
  }
  const select = page.getByLabel(/^(app )?type$/i);
  const labels = await select.getByRole("option").allTextContents();
  const label = labels.find((l) => l.trim().toLowerCase().startsWith(type));
  await select.selectOption(label !== undefined ? { label } : type);
}

/** Fills the Apps tab's registration form by its labels and presses "Register app". */
async function register(page: Page, input: { name: string; type: AppType; redirectUris: readonly string[]; scopes: readonly string[] }, reference: readonly string[], redactor: Redactor): Promise<Registration> {
  if (!(await button(page, ADMIN_NAMES.registerButton).isVisible())) await openTab(page, ADMIN_NAMES.appsTab);
  await page.getByLabel(/^(app )?name$/i).fill(input.name);
  await chooseType(page, input.type);
  const uris = page.getByLabel(/redirect/i);
  const multiline = await uris.evaluate((el) => el.tagName === "TEXTAREA");
  await uris.fill(input.redirectUris.join(multiline ? "\n" : " "));
  // A refused form comes back filled in: every scope box is set to what this registration asks.
  const boxes = await page.getByRole("checkbox").evaluateAll((els) => els.map((e) => ({ label: (e as HTMLInputElement).labels?.[0]?.textContent?.trim() ?? "", checked: (e as HTMLInputElement).checked })));
  for (const s of new Set([...reference, ...input.scopes])) {
    const want = input.scopes.includes(s);
    const box = boxes.find((b) => b.label === s);
    if (box ? box.checked !== want : want) await page.getByRole("checkbox", { name: s, exact: true }).setChecked(want);
  }
  const response = page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest());
  await button(page, ADMIN_NAMES.registerButton).click();
  const status = (await response.catch(() => null))?.status() ?? null;
  await page.waitForLoadState("load");
  const values = labelledValues(await page.content());
  const clientId = values.find(([l]) => /client[ _-]?id/i.test(l))?.[1] || null;
  const secret = values.find(([l]) => /client[ _-]?secret/i.test(l))?.[1] || null;
  redactor.learn(secret, "client_secret");
  const alerts = (await page.getByRole("alert").allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  return { clientId, secret, alerts, status };
}

/** The row of the current tab that names `keys` (client_id, app or key name). */
function row(page: Page, ...keys: string[]): Locator {
  return page.getByRole("row").filter({ hasText: new RegExp(keys.filter(Boolean).map(escapeRegExp).join("|")) });
}

/**
 * REG-02 / KEY-03: every console page reachable by links and tabs from the console, breadth first,
 * read as the browser renders it; nothing is submitted, and sign-out links are not followed.
 */
async function crawlConsole(page: Page, target: Target, limit = 30): Promise<Array<{ url: string; html: string; text: string }>> {
  const origin = new URL(target.baseUrl).origin;
  const start = `${target.baseUrl}${target.recipe.adminPath}`;
  const root = `/${target.recipe.adminPath.split("/")[1] ?? "admin"}`;
  const seen = new Set<string>([start]);
  const queue = [start];
  const out: Array<{ url: string; html: string; text: string }> = [];
  while (queue.length && out.length < limit) {
    const url = queue.shift() as string;
    await page.goto(url);
    out.push({ url: page.url(), html: await page.content(), text: await pageText(page) });
    const links = await page.getByRole("link").or(page.getByRole("tab")).evaluateAll((els) =>
      els.map((e) => ({ href: e instanceof HTMLAnchorElement ? e.href : "", name: (e.textContent ?? "").trim() })),
    );
    for (const l of links) {
      if (!l.href || /sign ?out|log ?out/i.test(l.name)) continue;
      const u = new URL(l.href);
      u.hash = "";
      if (u.origin === origin && u.pathname.startsWith(root) && !seen.has(u.href)) {
        seen.add(u.href);
        queue.push(u.href);
      }
    }
  }
  return out;
}

function ensureAbsentEverywhere(pages: ReadonlyArray<{ url: string; html: string }>, secret: string, what: string): void {
  ensure(pages.length > 0, "the crawl reached no console page");
  for (const p of pages) {
    for (const [how, form] of secretForms(secret)) {
      ensure(!p.html.includes(form) && !p.url.includes(form), `${what} ${fp(secret)} appears ${how} on ${shortUrl(p.url)}`);
    }
  }
}

/** Every URL the browser requested in this context (SEC-02). */
function recordUrls(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on("request", (r) => urls.push(r.url()));
  return urls;
}

function ensureNotInUrls(urls: readonly string[], secret: string, what: string): void {
  for (const u of urls) for (const [how, form] of secretForms(secret)) ensure(!u.includes(form), `${what} ${fp(secret)} travelled ${how} in the URL ${shortUrl(u)}`);
}

/** Deletes apps this test registered, so a live target does not collect them. */
async function cleanUp(client: ProtocolClient, target: Target, clientIds: readonly string[]): Promise<void> {
  if (clientIds.length === 0) return;
  try {
    const admin = await AdminSession.open(client, target);
    for (const id of clientIds) await admin.deleteApp(id).catch(() => undefined);
  } catch {
    // best effort: a target that is reset between tests does not need it
  }
}

/** Rough bits of the random part: length after a type prefix × log2(alphabet) (RFC 6749 §10.10). */
function estimatedBits(secret: string): number {
  const random = secret.replace(/^(?:[a-z]+_)+/, "");
  const size = /^[0-9a-f]+$/i.test(random) ? 16 : /^[0-9A-Za-z]+$/.test(random) ? 62 : /^[0-9A-Za-z_-]+$/.test(random) ? 64 : 94;
  return random.length * Math.log2(size);
}

interface UriCase {
  readonly uri: string;
  readonly type: AppType;
  readonly why: string;
  readonly clause: "MUST" | "PACT-PROFILE";
}

/** REG-04's cases, in two tests so that the two workers share them. */
const REG04_PARTS: ReadonlyArray<{ title: string; cases: readonly UriCase[]; valid: readonly AppType[] }> = [
  {
    title: "relative, fragment, non-loopback http and wildcard redirect URIs are refused with a visible message; valid confidential URIs are stored byte for byte",
    cases: [
      { uri: "/callback", type: "confidential", why: "a relative URI", clause: "MUST" },
      { uri: "https://conformance.example.test/cb#frag", type: "confidential", why: "a fragment", clause: "MUST" },
      { uri: "http://conformance.example.test/cb", type: "confidential", why: "http on a non-loopback host", clause: "MUST" },
      { uri: "https://*.example.test/cb", type: "confidential", why: "a wildcard host", clause: "MUST" },
      { uri: "https://conformance.example.test/*", type: "confidential", why: "a wildcard path", clause: "MUST" },
    ],
    valid: ["confidential"],
  },
  {
    title: "userinfo, localhost, non-reverse-DNS schemes and loopback on confidential clients are refused with a visible message; valid public URIs are stored byte for byte",
    cases: [
      { uri: "https://user@conformance.example.test/cb", type: "confidential", why: "userinfo", clause: "PACT-PROFILE" },
      { uri: "http://localhost:8080/cb", type: "public", why: "localhost", clause: "PACT-PROFILE" },
      { uri: "myapp:/cb", type: "public", why: "a private-use scheme not in reverse-DNS form", clause: "PACT-PROFILE" },
      { uri: "http://127.0.0.1:8080/cb", type: "confidential", why: "loopback http on a confidential client", clause: "PACT-PROFILE" },
    ],
    valid: ["public"],
  },
];

test.describe("Admin console in the browser", () => {
  test("REG-01..03, REG-05: an admin registers a confidential and a public app; the secret is shown once and never again", {
    tag: tags("REG-01", "REG-02", "REG-03", "REG-05", "SEC-02"), annotation: [...reqs("REG-01", "REG-02", "REG-03", "REG-05", "SEC-02"), ...needs("admin", "browser", "http")],
  }, async ({ page, context, target, client, redactor, verdicts, codeFactory }) => {
    const urls = recordUrls(context);
    const created: string[] = [];
    try {
      await verdicts.check("REG-01", "the admin reaches the console with the tabs Apps, Installed and API keys", () => consoleAsAdmin(page, target), { stopOnFailure: true });

      const confInput = { name: `Conformance confidential ${suffix()}`, type: "confidential" as const, redirectUris: ["https://conformance.example.test/cb"], scopes: target.scopes.slice(0, 2) };
      const conf = await register(page, confInput, target.scopes, redactor);
      if (conf.clientId) created.push(conf.clientId);
      await verdicts.check("REG-01", "registering a confidential app shows a client_id and a client_secret", () => {
        ensure(conf.clientId, `no client ID shown (status ${conf.status}; alerts: ${conf.alerts.join(" / ") || "none"})`);
        ensure(conf.secret, "no client secret shown");
      }, { stopOnFailure: true });
      const confApp: AppIdentity = { clientId: conf.clientId as string, clientSecret: conf.secret as string, redirectUris: confInput.redirectUris, scopes: confInput.scopes };
      await verdicts.check("REG-01", "the shown secret authenticates the client at the revocation endpoint, a wrong one does not (RFC 7009 §2.1)", async () => {
        ensureStatus(await revoke(client, confApp, "conformance-not-a-token", { auth: "basic", label: "revoke: authenticate the new app" }), 200);
        ensureTokenError(await revoke(client, { ...confApp, clientSecret: `${conf.secret}x` }, "conformance-not-a-token", { auth: "basic", label: "revoke: wrong secret" }), ["invalid_client"], 401);
      });
      await verdicts.check("REG-01", "the secret's random part carries at least 128 bits (length × log2 alphabet)", () => {
        const bits = estimatedBits(conf.secret as string);
        ensure(bits >= 128, `about ${Math.floor(bits)} bits`);
      });

      const pubInput = { name: `Conformance public ${suffix()}`, type: "public" as const, redirectUris: ["http://127.0.0.1/cb", "com.example.conformance:/cb"], scopes: target.scopes.slice(0, 1) };
      const pub = await register(page, pubInput, target.scopes, redactor);
      if (pub.clientId) created.push(pub.clientId);
      await verdicts.check("REG-03", "registering a public app shows a client_id and no client secret", async () => {
        ensure(pub.clientId, `no client ID shown (status ${pub.status}; alerts: ${pub.alerts.join(" / ") || "none"})`);
        ensure(pub.secret === null, "a client secret was shown for a public client (RFC 6749 §10.1)");
      }, { clause: "no secret issued" });

      await verdicts.check("REG-05", "the registration form offers only scopes of the scope reference", async () => {
        await openTab(page, ADMIN_NAMES.appsTab);
        const offered = (await page.getByRole("checkbox").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).labels?.[0]?.textContent?.trim() ?? ""))).filter(Boolean);
        const unknown = offered.filter((s) => !target.scopes.includes(s));
        ensure(offered.length > 0, "the form offers no scope checkboxes");
        ensure(unknown.length === 0, `the form offers scopes outside the reference: ${unknown.join(", ")}`);
      });
      await verdicts.check("REG-05", "the Apps tab lists each new app with exactly the scopes it was registered with", async () => {
        await openTab(page, ADMIN_NAMES.appsTab);
        for (const [id, scopes] of [[conf.clientId as string, confInput.scopes], [pub.clientId as string, pubInput.scopes]] as const) {
          const text = await row(page, id).innerText();
          const listed = target.scopes.filter((s) => new RegExp(`(^|\\s)${escapeRegExp(s)}(\\s|$)`).test(text));
          ensure(listed.length === scopes.length && scopes.every((s) => listed.includes(s)), `${id} is listed with ${listed.join(" ") || "no scopes"}, registered ${scopes.join(" ")}`);
        }
      });
      await verdicts.check("REG-05", "a registration POST carrying a scope outside the reference is refused with a visible message", async () => {
        const box = page.getByRole("checkbox", { name: target.scopes[0] as string, exact: true });
        const field = (await box.getAttribute("name")) ?? "scope";
        const matcher = (u: URL): boolean => u.origin === new URL(target.baseUrl).origin;
        await page.route(matcher, (route) => {
          const req = route.request();
          if (req.method() !== "POST") return route.fallback();
          return route.continue({ postData: `${req.postData() ?? ""}&${encodeURIComponent(field)}=${encodeURIComponent("nope:nothing")}` });
        });
        const out = await register(page, { name: `Conformance unknown scope ${suffix()}`, type: "public", redirectUris: ["http://127.0.0.1/cb"], scopes: target.scopes.slice(0, 1) }, target.scopes, redactor);
        await page.unroute(matcher);
        if (out.clientId) created.push(out.clientId);
        ensure(out.clientId === null, `the app was registered with the unknown scope nope:nothing (client ID ${out.clientId})`);
        ensure(out.alerts.length > 0, `refused without a visible message (status ${out.status})`);
      });
      await verdicts.check("REG-05", "the new public app cannot be granted a reference scope it was not registered with", async () => {
        const outside = target.scopes.find((s) => !pubInput.scopes.includes(s));
        if (!outside) throw new CheckSkipped("every reference scope is registered for the app");
        const app: AppIdentity = { clientId: pub.clientId as string, redirectUris: [pubInput.redirectUris[0] as string], scopes: pubInput.scopes };
        const out = await codeFactory.authorize({ client: app, scope: outside });
        const loc = out.location;
        ensure(loc !== null && !loc.searchParams.has("code"), `the request for ${outside} ${loc ? "got a code" : `ended with ${out.response.status} and no redirect`}`);
        ensure(loc.searchParams.get("error") === "invalid_scope", `error is ${loc.searchParams.get("error") ?? "(absent)"}, expected invalid_scope`);
      });

      const pages = await crawlConsole(page, target);
      await verdicts.check("REG-02", `no console page reachable from the console shows the secret again, raw, URL-encoded or base64 (${pages.length} pages)`, () => {
        ensureAbsentEverywhere(pages, conf.secret as string, "the client secret");
      });
      await verdicts.check("SEC-02", "the client secret never travelled in a URL the browser requested", () => ensureNotInUrls(urls, conf.secret as string, "the client secret"));
    } finally {
      await cleanUp(client, target, created);
    }
  });

  for (const part of REG04_PARTS) test(`REG-04: ${part.title}`, {
    tag: tags("REG-04"), annotation: [...reqs("REG-04"), ...needs("admin", "browser")],
  }, async ({ page, target, client, redactor, verdicts }) => {
    const created: string[] = [];
    const scopes = target.scopes.slice(0, 1);
    const cases = part.cases;
    try {
      await consoleAsAdmin(page, target);
      for (const c of cases) {
        await verdicts.check("REG-04", `${c.why} (${c.uri}, ${c.type}) is refused with a visible message`, async () => {
          const out = await register(page, { name: `Conformance bad URI ${suffix()}`, type: c.type, redirectUris: [c.uri], scopes }, target.scopes, redactor);
          if (out.clientId) created.push(out.clientId);
          ensure(out.clientId === null, `accepted: the console showed client ID ${out.clientId}`);
          ensure(out.alerts.length > 0, `refused (status ${out.status}) but with no visible message (no role=alert)`);
        }, { clause: c.clause });
      }
      const valid = {
        confidential: ["https://conformance.example.test/cb?tenant=a&x=%20y", "https://conformance.example.test/cb2"],
        public: ["http://127.0.0.1/cb", "http://[::1]:7/cb", "com.example.conformance:/cb"],
      } as const;
      for (const type of part.valid) {
        await verdicts.check("REG-04", `valid ${type} redirect URIs are accepted and listed byte for byte`, async () => {
          const out = await register(page, { name: `Conformance valid ${type} ${suffix()}`, type, redirectUris: valid[type], scopes }, target.scopes, redactor);
          ensure(out.clientId, `refused: ${out.alerts.join(" / ") || `status ${out.status}`}`);
          created.push(out.clientId);
          await openTab(page, ADMIN_NAMES.appsTab);
          const text = await row(page, out.clientId).innerText();
          const missing = valid[type].filter((u) => !text.includes(u));
          ensure(missing.length === 0, `not listed as entered: ${missing.join(", ")}`);
        });
      }
    } finally {
      await cleanUp(client, target, created);
    }
  });

  test("INSTALL-01..03: the Installed tab shows who granted what and when; a member cannot revoke; Revoke kills the app's tokens at once", {
    tag: tags("INSTALL-01", "INSTALL-02", "INSTALL-03"), annotation: [...reqs("INSTALL-01", "INSTALL-02", "INSTALL-03"), ...needs("admin", "browser", "code", "http")],
  }, async ({ page, browser, target, client, codeFactory, verdicts }) => {
    const conf = target.apps.conf;
    const member = target.users.member;
    const scope = conf.scopes.slice(0, 2).join(" ");
    let user: TokenSet | undefined;
    let pending: Awaited<ReturnType<typeof codeFactory.issue>> | undefined;
    let cc: string | null = null;
    let spa: TokenSet | undefined;
    await verdicts.check("INSTALL-01", "setup: the member authorizes the app over HTTP and its token works on /v1", async () => {
      user = await tokens(client, codeFactory, { client: conf, scope });
      pending = await codeFactory.issue({ client: conf, scope });
      await ensureBearerAccepted(client, user.access_token, "the member's access token");
    }, { stopOnFailure: true });
    const ccRes = await clientCredentials(client, conf, conf.scopes[0] as string);
    if (ccRes.status === 200) cc = (ccRes.json() as { access_token: string }).access_token;
    spa = await tokens(client, codeFactory, { client: target.apps.spa }).catch((): undefined => undefined);
    const userTokens = user as TokenSet;
    const refreshToken = userTokens.refresh_token;

    await consoleAsAdmin(page, target);
    await openTab(page, ADMIN_NAMES.installedTab);
    const appRow = row(page, conf.clientId, conf.name ?? "");
    await verdicts.check("INSTALL-03", "the Installed tab lists the app with its granted scopes, who authorized it and when", async () => {
      await expect(appRow.first(), `no row for ${conf.clientId} on the Installed tab`).toBeVisible();
      const text = await appRow.first().innerText();
      const missing = scope.split(" ").filter((s) => !new RegExp(`(^|[^\\w:])${escapeRegExp(s)}($|[^\\w:])`).test(text));
      ensure(missing.length === 0, `granted scope(s) not listed: ${missing.join(", ")}`);
      ensure(text.includes(member.email), `${member.email}, who authorized it, is not named in the row`);
      ensure(/\b\d{4}-\d{2}-\d{2}(?!\d)|\b\d{1,2}[ /.-](?:\d{1,2}|[A-Z][a-z]{2})[ /.-]\d{2,4}\b|\b[A-Z][a-z]{2,8} \d{1,2}, \d{4}\b/.test(text), `no date of the authorization in the row: ${text.replace(/\s+/g, " ").slice(0, 200)}`);
    });

    // A member, signed in, tries the console and then the admin's Revoke request.
    const memberContext = await browser.newContext();
    try {
      const memberPage = await memberContext.newPage();
      const res = await openConsole(memberPage, target, member);
      await verdicts.check("INSTALL-03", "a member who opens the console gets no Installed tab and no Revoke button", async () => {
        await expect(tab(memberPage, ADMIN_NAMES.installedTab)).toHaveCount(0);
        await expect(memberPage.getByRole("button", { name: ADMIN_NAMES.revokeButton, exact: true })).toHaveCount(0);
        ensure(res === null || res.status() >= 400, `the console answered the member with ${res?.status()}`);
      });

      const revokeButton = appRow.first().getByRole("button", { name: ADMIN_NAMES.revokeButton, exact: true });
      const origin = new URL(target.baseUrl).origin;
      await verdicts.check("INSTALL-03", "the admin's Revoke request replayed with the member's session gets 403 and the tokens keep working", async () => {
        const matcher = (u: URL): boolean => u.origin === origin;
        await page.route(matcher, (route) => (route.request().method() === "POST" ? route.fulfill({ status: 204, body: "" }) : route.fallback()));
        const [req] = await Promise.all([page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).origin === origin), revokeButton.click()]);
        await page.unroute(matcher);
        const replay = await memberContext.request.post(req.url(), { headers: { "content-type": (await req.headerValue("content-type")) ?? "application/x-www-form-urlencoded" }, data: req.postData() ?? "", maxRedirects: 0 });
        ensure(replay.status() === 403, `the member's replay of POST ${new URL(req.url()).pathname} was answered ${replay.status()}`);
        await ensureBearerAccepted(client, userTokens.access_token, "the member's access token after the member's attempt");
      });
    } finally {
      await memberContext.close();
    }

    // The admin's real Revoke.
    await page.goto(`${target.baseUrl}${target.recipe.adminPath}`);
    await openTab(page, ADMIN_NAMES.installedTab);
    await appRow.first().getByRole("button", { name: ADMIN_NAMES.revokeButton, exact: true }).click();
    await page.waitForLoadState("load");
    await verdicts.check("INSTALL-01", "after Revoke the app's access token gets 401 invalid_token on /v1", () =>
      withinPropagation(target, () => ensureBearerRejected(client, userTokens.access_token, "the revoked app's access token")),
    );
    await verdicts.check("INSTALL-01", "after Revoke the app's refresh token gets invalid_grant", async () => {
      ensure(refreshToken, "the code exchange returned no refresh token");
      await withinPropagation(target, () => ensureRefreshRejected(client, conf, refreshToken, "of the revoked app"));
    });
    await verdicts.check("INSTALL-01", "after Revoke an unredeemed code of the app gets invalid_grant", () =>
      withinPropagation(target, () => ensureCodeRejected(client, conf, pending as NonNullable<typeof pending>)),
    { clause: "covers codes" });
    await verdicts.check("INSTALL-01", "after Revoke the app's client-credentials token gets 401", async () => {
      if (cc === null) throw new CheckError(`client credentials for ${conf.clientId} answered ${ccRes.status}`);
      const token = cc;
      await withinPropagation(target, () => ensureBearerRejected(client, token, "the revoked app's client-credentials token"));
    }, { clause: "client-credentials" });
    await verdicts.check("INSTALL-03", "after Revoke the Installed tab no longer lists the app", async () => {
      await openTab(page, ADMIN_NAMES.installedTab);
      await expect(row(page, conf.clientId, conf.name ?? "")).toHaveCount(0);
    });
    await verdicts.check("INSTALL-02", "another app's tokens in the same workspace keep working", async () => {
      if (!spa) throw new CheckError(`no token could be obtained for ${target.apps.spa.clientId}`);
      await ensureBearerAccepted(client, spa.access_token, `${target.apps.spa.clientId}'s access token`);
    });
  });

  test("KEY-01, KEY-03: an API key is created and shown once, works on /v1, never shows again, and is dead once revoked", {
    tag: tags("KEY-01", "KEY-03", "SEC-02"), annotation: [...reqs("KEY-01", "KEY-03", "SEC-02"), ...needs("admin", "browser", "http")],
  }, async ({ page, context, target, client, redactor, verdicts }) => {
    const urls = recordUrls(context);
    const name = `Conformance key ${suffix()}`;
    await consoleAsAdmin(page, target);
    await openTab(page, ADMIN_NAMES.keysTab);
    await page.getByLabel(/name/i).fill(name);
    await button(page, ADMIN_NAMES.createKeyButton).click();
    await page.waitForLoadState("load");
    const key = labelledValues(await page.content()).find(([l]) => /^(api )?key$/i.test(l))?.[1] ?? "";
    redactor.learn(key, "api_key");
    await verdicts.check("KEY-03", "creating a key shows it once, on the creation page", () => {
      ensure(key !== "", `no value labelled "API key" on ${shortUrl(page.url())}`);
    }, { stopOnFailure: true });
    await verdicts.check("KEY-03", "the key's random part carries at least 128 bits (length × log2 alphabet)", () => {
      const bits = estimatedBits(key);
      ensure(bits >= 128, `about ${Math.floor(bits)} bits`);
    });
    await verdicts.check("KEY-01", "Authorization: Bearer <key> on GET /v1/contacts?limit=10 gives 200", async () => {
      const res = await ensureBearerAccepted(client, key, "the new API key", "/v1/contacts?limit=10");
      ensure(Array.isArray((res.jsonOrUndefined() as { data?: unknown } | undefined)?.data), "the answer is not a {data: [...]} list");
    });

    const pages = await crawlConsole(page, target);
    await verdicts.check("KEY-03", `no console page reachable from the console shows the key again (${pages.length} pages)`, () => ensureAbsentEverywhere(pages, key, "the API key"));

    await page.goto(`${target.baseUrl}${target.recipe.adminPath}`);
    await openTab(page, ADMIN_NAMES.keysTab);
    await verdicts.check("KEY-03", "the key's row has a Revoke button that revokes it", async () => {
      await row(page, name).first().getByRole("button", { name: ADMIN_NAMES.revokeButton, exact: true }).click();
      await page.waitForLoadState("load");
    }, { stopOnFailure: true });
    await verdicts.check("KEY-03", "a revoked key gets 401 within REVOKE_PROPAGATION_S", () =>
      withinPropagation(target, () => ensureBearerRejected(client, key, "the revoked API key", "/v1/contacts?limit=10")),
    );
    await verdicts.check("KEY-01", "a revoked key and an unknown key get the same 401 Bearer invalid_token shape as an OAuth token", async () => {
      const revoked = await ensureBearerRejected(client, key, "the revoked API key", "/v1/contacts?limit=10");
      const unknown = await ensureBearerRejected(client, `${key.slice(0, -4)}${key.endsWith("AAAA") ? "BBBB" : "AAAA"}`, "an unknown key", "/v1/contacts?limit=10");
      ensure(revoked.mediaType === unknown.mediaType, `content types differ: ${revoked.mediaType} vs ${unknown.mediaType}`);
    });
    await verdicts.check("SEC-02", "the API key never travelled in a URL the browser requested", () => ensureNotInUrls(urls, key, "the API key"));
  });
});
