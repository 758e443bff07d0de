import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BrowserContext, Locator, Page, Response as PwResponse } from "@playwright/test";
import { ensure } from "../checks/http.ts";
import { authorizationParams, type IssueOptions } from "../flows/code-factory.ts";
import { newPkcePair } from "../http/pkce.ts";
import type { Recipe, Target, UserIdentity } from "../targets/index.ts";

/**
 * Browser-side building blocks of the browser suites: authorization URLs, stub client callbacks,
 * sign-in by the target's recipe, a second local origin for framing and forgery pages.
 * Everything on a Pact page is located by accessible name (design.md "Pages").
 */

/** RFC 6749 Appendix A.5 VSCHAR edge cases the catalogue names for AUTHZ-07. */
export const AWKWARD_STATE = "a b&c=d+e%f#<script>";

export interface BrowserAuthorization {
  /** The full authorization request URL. */
  readonly url: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string | null;
}

/**
 * An RFC 6749 §4.1.1 request with an RFC 7636 §4.3 S256 challenge, as a URL for the browser.
 * `space` picks how spaces are sent: "+" (form encoding) or "%20"; AUTHZ-07 asks for both.
 */
export function authorizationUrl(target: Target, opts: Omit<IssueOptions, "user" | "deny">, space: "+" | "%20" = "+"): BrowserAuthorization {
  const pkce = newPkcePair(opts.verifier);
  const p = authorizationParams(opts, pkce.verifier);
  const query =
    space === "+"
      ? new URLSearchParams(p.pairs).toString()
      : p.pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join("&");
  return { url: `${target.baseUrl}/oauth/authorize?${query}`, verifier: pkce.verifier, redirectUri: p.redirectUri, scope: p.scope, state: p.state };
}

/** Scope names as a set (RFC 6749 §3.3). */
export function scopeSet(scope: string | undefined): Set<string> {
  return new Set((scope ?? "").split(" ").filter(Boolean));
}

/** A message-safe form of a URL: long query values (codes) shortened. */
export function shortUrl(url: string): string {
  return url.replace(/=([^&#]{10})[^&#]{6,}/g, "=$1…");
}

const STUB_PAGE = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Client callback</title></head><body><h1>Client callback</h1></body></html>";

/**
 * Navigations to hosts the kit stands in for: the client's redirect URIs (server.example.test, a
 * SPA port nobody listens on) and attacker origins (evil.test). Chromium does not pass redirect
 * hops through request interception, so a navigation is recorded from the browser's own request
 * event, which every hop raises, with the exact URL the browser was sent to; direct navigations
 * are also answered with a stub page.
 */
export class NavigationTrap {
  /** Every navigation that matched, in order. */
  readonly hits: URL[] = [];
  private consumed = 0;
  private wake: (() => void) | null = null;

  private constructor(private readonly matches: (u: URL) => boolean) {}

  static async install(context: BrowserContext, matches: (u: URL) => boolean): Promise<NavigationTrap> {
    const trap = new NavigationTrap(matches);
    context.on("request", (req) => {
      if (!req.isNavigationRequest()) return;
      const u = new URL(req.url());
      if (!trap.matches(u)) return;
      trap.hits.push(u);
      trap.wake?.();
    });
    await context.route(matches, (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: STUB_PAGE }));
    return trap;
  }

  /** A trap for the origins of a client's http(s) redirect URIs (private-use schemes never reach the network). */
  static forRedirectUris(context: BrowserContext, redirectUris: readonly string[]): Promise<NavigationTrap> {
    const origins = new Set(redirectUris.filter((u) => /^https?:/i.test(u)).map((u) => new URL(u).origin));
    return NavigationTrap.install(context, (u) => origins.has(u.origin));
  }

  /**
   * The next navigation the trap has not returned yet, waiting for it. A redirect hop to a host
   * that does not resolve leaves the page on the browser's error page (auto-reload is off).
   */
  async landing(page: Page, timeout = 10_000): Promise<URL> {
    if (this.hits.length <= this.consumed) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.wake = null;
          reject(new Error(`no navigation to the client within ${timeout} ms; the browser is on ${shortUrl(page.url())}`));
        }, timeout);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
    const hit = this.hits[this.consumed++] as URL;
    // Let the hop end (error page, stub or the client's own page) before the test navigates again.
    await page.waitForURL((u) => u.protocol === "chrome-error:" || this.matches(u), { waitUntil: "commit", timeout }).catch(() => undefined);
    return hit;
  }

  /** Navigations that carried an authorization code, in the query or the fragment. */
  withCode(): URL[] {
    return this.hits.filter((u) => u.searchParams.has("code") || new URLSearchParams(u.hash.slice(1)).has("code"));
  }
}

/** page.goto that tolerates a navigation ending on an unresolvable trapped host (net::ERR_*). */
export async function gotoMaybeLeaving(page: Page, url: string): Promise<void> {
  try {
    await page.goto(url);
  } catch (e) {
    if (!(e instanceof Error) || !/net::ERR_/.test(e.message)) throw e;
  }
}

// ---- Pact pages by accessible name ------------------------------------------------------------

export function emailField(page: Page, recipe: Recipe): Locator {
  return page.getByLabel(recipe.emailLabel, { exact: true });
}

export function button(page: Page, name: string): Locator {
  return page.getByRole("button", { name, exact: true });
}

/** Fills the login form of the recipe and presses its sign-in button. */
export async function signIn(page: Page, recipe: Recipe, user: UserIdentity): Promise<void> {
  await emailField(page, recipe).fill(user.email);
  await page.getByLabel(recipe.passwordLabel, { exact: true }).fill(user.password);
  await button(page, recipe.signInButton).click();
}

/** The page's rendered text (what a reader of the page sees). */
export async function pageText(page: Page): Promise<string> {
  return page.locator("body").innerText();
}

/** The reference scope names that occur as whole tokens in `text` (CONSENT-02). */
export function scopesIn(text: string, reference: readonly string[]): string[] {
  return reference.filter((name) => new RegExp(`(^|[^\\w:])${escapeRegExp(name)}($|[^\\w:])`).test(text));
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A console tab by the page contract's name: an ARIA tab, or a plain link of that name. */
export function tab(page: Page, name: string): Locator {
  return page.getByRole("tab", { name, exact: true }).or(page.getByRole("link", { name, exact: true })).first();
}

/**
 * Opens the admin console as `user`, signing in through the recipe's login form when asked.
 * Returns the last response of the navigation (null when none).
 */
export async function openConsole(page: Page, target: Target, user: UserIdentity): Promise<PwResponse | null> {
  let res = await page.goto(`${target.baseUrl}${target.recipe.adminPath}`);
  if (await emailField(page, target.recipe).isVisible()) {
    const nav = page.waitForNavigation();
    await signIn(page, target.recipe, user);
    res = await nav;
  }
  return res;
}

// ---- a second origin -----------------------------------------------------------------------

/** A tiny HTTP server on 127.0.0.1 with its own port: another origin for framing and forged-form pages. */
export interface LocalSite {
  readonly origin: string;
  /** Serves `html` at `path`. */
  page(path: string, html: string): string;
  close(): Promise<void>;
}

export async function startLocalSite(): Promise<LocalSite> {
  const pages = new Map<string, string>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const body = pages.get(new URL(req.url ?? "/", "http://x").pathname);
    if (body === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    page(path, html) {
      pages.set(path, html);
      return `${origin}${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A page on another origin that posts `pairs` to `action` as soon as it loads (a forged form, RFC 6749 §10.12). */
export function autoSubmitPage(action: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  const inputs = pairs.map(([n, v]) => `<input type="hidden" name="${htmlEscape(n)}" value="${htmlEscape(v)}">`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Win a prize</title></head><body><form id="f" method="post" action="${htmlEscape(action)}">${inputs}</form><script>document.getElementById("f").submit()</script></body></html>`;
}

// ---- form submissions ------------------------------------------------------------------------

export interface CapturedPost {
  readonly url: string;
  readonly pairs: Array<[string, string]>;
}

/**
 * Clicks `control` and captures the form POST it starts instead of sending it: the request is
 * answered with 204 No Content, so the page stays where it is (Fetch "navigate": a 204 ends the navigation).
 */
export async function capturePost(page: Page, origin: string, control: Locator): Promise<CapturedPost> {
  const isFormPost = (method: string, url: string, navigation: boolean): boolean => method === "POST" && navigation && new URL(url).origin === origin;
  const matcher = (url: URL): boolean => url.origin === origin;
  await page.route(matcher, async (route) => {
    const req = route.request();
    if (isFormPost(req.method(), req.url(), req.isNavigationRequest())) await route.fulfill({ status: 204, body: "" });
    else await route.fallback();
  });
  try {
    const [req] = await Promise.all([page.waitForRequest((r) => isFormPost(r.method(), r.url(), r.isNavigationRequest()), { timeout: 10_000 }), control.click()]);
    const type = (await req.headerValue("content-type")) ?? "";
    ensure(type.startsWith("application/x-www-form-urlencoded"), `the form POST was sent as ${type || "(no content type)"}, not application/x-www-form-urlencoded`);
    return { url: req.url(), pairs: [...new URLSearchParams(req.postData() ?? "")] };
  } finally {
    await page.unroute(matcher);
  }
}

/** Form fields that carry an anti-CSRF token, by the names frameworks give them. */
export function isCsrfField(name: string): boolean {
  return /csrf|xsrf|authenticity|(^|_)token$/i.test(name);
}

/** Records every same-origin form POST answered with a redirect (CONSENT-07). */
export function recordPostRedirects(page: Page, origin: string): Array<{ url: string; status: number }> {
  const out: Array<{ url: string; status: number }> = [];
  page.on("response", (res) => {
    const req = res.request();
    if (req.method() === "POST" && new URL(res.url()).origin === origin && res.status() >= 300 && res.status() < 400) out.push({ url: res.url(), status: res.status() });
  });
  return out;
}

/** Collects the HTML bodies the target serves to the page (for reflection checks). */
export function collectHtml(page: Page, origin: string): () => Promise<Array<{ url: string; body: string }>> {
  const pending: Array<Promise<{ url: string; body: string } | null>> = [];
  page.on("response", (res) => {
    if (new URL(res.url()).origin !== origin) return;
    if (!(res.headers()["content-type"] ?? "").includes("html") || res.status() >= 300 && res.status() < 400) return;
    pending.push(res.text().then((body) => ({ url: res.url(), body }), () => null));
  });
  return async () => (await Promise.all(pending)).filter((x): x is { url: string; body: string } => x !== null);
}

/** Requests for sub-resources from another origin than the target's (RFC 9700 §4.2.4). */
export function recordThirdParty(page: Page, origin: string): string[] {
  const out: string[] = [];
  page.on("request", (req) => {
    if (req.isNavigationRequest()) return;
    const frameUrl = req.frame().url();
    if (!frameUrl.startsWith(origin)) return;
    const u = new URL(req.url());
    if (u.origin !== origin && u.protocol !== "data:") out.push(`${u.origin}${u.pathname}`);
  });
  return out;
}
