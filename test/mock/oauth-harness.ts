import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { type PactMock, type PactMockOptions, createPactMock } from "../../mock/app.ts";
import { type Clock, createManualClock } from "../../mock/clock.ts";

export const PASSWORD = "pact-demo-password";

export interface Harness {
  readonly mock: PactMock;
  readonly clock: Clock;
  readonly base: string;
  close(): Promise<void>;
}

/** The mock on an ephemeral loopback port with a manual clock (other options, e.g. `shape`, as given). */
export async function startMock(options: Omit<PactMockOptions, "clock"> = {}): Promise<Harness> {
  const clock = createManualClock();
  const mock = createPactMock({ ...options, clock });
  const server = mock.app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.setBaseUrl(base);
  return {
    mock,
    clock,
    base,
    async close() {
      mock.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function hidden(htmlText: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(htmlText);
  assert.ok(m?.[1] !== undefined, `hidden field ${name} not found`);
  return m[1].replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#96;/g, "`");
}

/** A cookie-keeping HTTP client that never follows redirects. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {};
  }

  private keep(res: Response): Response {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(await fetch(this.base + path, { redirect: "manual", headers: { ...this.cookieHeader(), ...headers } }));
  }

  async post(path: string, form: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Response> {
    const body = typeof form === "string" ? form : new URLSearchParams(form).toString();
    return this.keep(
      await fetch(this.base + path, {
        method: "POST",
        redirect: "manual",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded", origin: this.base, ...this.cookieHeader(), ...headers },
      }),
    );
  }

  async login(email: string, password = PASSWORD, returnTo = "/login"): Promise<Response> {
    const pageRes = await this.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
    const text = await pageRes.text();
    return this.post("/login", { login_csrf: hidden(text, "login_csrf"), return_to: hidden(text, "return_to"), email, password });
  }
}

export interface CodeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state?: string;
  challenge: string;
}

export function authorizeQuery(r: CodeRequest, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ response_type: "code", client_id: r.clientId, redirect_uri: r.redirectUri, scope: r.scope, code_challenge: r.challenge, code_challenge_method: "S256", ...extra });
  if (r.state !== undefined) q.set("state", r.state);
  return `/oauth/authorize?${q.toString()}`;
}

/** Signed-in browser: authorize, approve, return the redirect Location. */
export async function approve(browser: Browser, r: CodeRequest): Promise<URL> {
  const consent = await browser.get(authorizeQuery(r));
  assert.equal(consent.status, 200);
  const text = await consent.text();
  const res = await browser.post("/oauth/consent", { csrf_token: hidden(text, "csrf_token"), transaction: hidden(text, "transaction"), decision: "approve" });
  assert.equal(res.status, 303);
  return new URL(res.headers.get("location") ?? "");
}

export async function obtainCode(browser: Browser, r: CodeRequest): Promise<string> {
  const loc = await approve(browser, r);
  const code = loc.searchParams.get("code");
  assert.ok(code);
  return code;
}

export interface TokenResult {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

export async function postForm(base: string, path: string, form: Record<string, string> | string, headers: Record<string, string> = {}): Promise<TokenResult> {
  const body = typeof form === "string" ? form : new URLSearchParams(form).toString();
  const res = await fetch(base + path, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export function basic(id: string, secret: string): Record<string, string> {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return { authorization: `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString("base64")}` };
}
