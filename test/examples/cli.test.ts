/**
 * End to end: the demo-cli example against an in-process mock. The browser
 * step (login + consent) is done over plain HTTP with a cookie jar.
 */
import assert from "node:assert/strict";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { PactLoginError, runCliLogin } from "../../examples/cli/pact-login.ts";
import { type PactMock, createPactMock } from "../../mock/app.ts";

const EMAIL = "member@acme.test";
const PASSWORD = "pact-demo-password";

let mock: PactMock;
let server: Server;
let pactUrl: string;

before(async () => {
  mock = createPactMock();
  server = createServer(mock.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  pactUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.setBaseUrl(pactUrl);
});

after(async () => {
  mock.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The hidden inputs and action of the page's first POST form. */
function readForm(page: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page);
  assert.ok(form, `no form in:\n${page}`);
  const fields: Record<string, string> = {};
  for (const m of (form[2] ?? "").matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1] ?? ""] = (m[2] ?? "").replace(/&amp;/g, "&");
  return { action: (form[1] ?? "").replace(/&amp;/g, "&"), fields };
}

/**
 * Plays the user's browser: follows Pact's redirects, signs in, then presses
 * `decision` on the consent page, and finally follows the redirect back to the
 * CLI's loopback callback.
 */
async function actAsBrowser(authorizeUrl: string, decision: "approve" | "deny"): Promise<void> {
  const origin = new URL(authorizeUrl).origin;
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  let form: URLSearchParams | null = null;
  for (let hop = 0; hop < 12; hop++) {
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") };
    if (form) Object.assign(headers, { "content-type": "application/x-www-form-urlencoded", origin });
    const res: Response = await fetch(url, { method: form ? "POST" : "GET", headers, body: form, redirect: "manual" });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      jar.set(pair.slice(0, pair.indexOf("=")).trim(), pair.slice(pair.indexOf("=") + 1).trim());
    }
    form = null;
    const location = res.headers.get("location");
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== origin) {
        // Back to the app: the CLI's loopback listener answers this request.
        const back = await fetch(next);
        assert.equal(back.status, 200);
        return;
      }
      url = next.href;
      continue;
    }
    const page = await res.text();
    assert.equal(res.status, 200, page);
    const { action, fields } = readForm(page);
    if (/name="password"/.test(page)) Object.assign(fields, { email: EMAIL, password: PASSWORD });
    else fields.decision = decision;
    url = new URL(action, url).href;
    form = new URLSearchParams(fields);
  }
  assert.fail("too many steps before Pact redirected back to the CLI");
}

test("the CLI example signs in on a loopback port, gets tokens and lists contacts", async () => {
  let seen = "";
  const result = await runCliLogin({
    pactUrl,
    timeoutMs: 15_000,
    onAuthorizeUrl: async (url) => {
      seen = url;
      await actAsBrowser(url, "approve");
    },
  });
  const authorize = new URL(seen);
  assert.equal(authorize.searchParams.get("client_id"), "demo-cli");
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.match(result.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  assert.equal(authorize.searchParams.get("redirect_uri"), result.redirectUri);
  assert.notEqual(new URL(result.redirectUri).port, "0");

  assert.equal(result.scope, "read:contacts");
  assert.equal(result.tokens.token_type.toLowerCase(), "bearer");
  assert.ok(result.tokens.access_token.length > 0);
  assert.equal(typeof result.tokens.refresh_token, "string");
  assert.equal(result.contacts.length, 10);
  assert.ok(result.contacts.every((c) => typeof c.name === "string"));
});

test("the CLI example reports access_denied when the user denies", async () => {
  await assert.rejects(
    runCliLogin({ pactUrl, timeoutMs: 15_000, onAuthorizeUrl: (url) => actAsBrowser(url, "deny") }),
    (e: unknown) => e instanceof PactLoginError && e.code === "access_denied",
  );
});

test("the CLI example gives up after its timeout", async () => {
  await assert.rejects(
    runCliLogin({ pactUrl, timeoutMs: 200, onAuthorizeUrl: () => {} }),
    (e: unknown) => e instanceof PactLoginError && e.code === "timeout",
  );
});
