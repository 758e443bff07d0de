import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { type Running, start } from "./helpers.ts";

let t: Running;
before(async () => {
  t = await start();
});
after(async () => {
  await t.close();
});

/** A tiny cookie jar: enough for the login and consent pages. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(t.base + path, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }

  post(path: string, fields: Array<[string, string]>): Promise<Response> {
    return this.fetch(path, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  }
}

const hidden = (page: string, name: string): string => {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];
  assert.ok(value !== undefined, `no hidden field ${name}`);
  return value.replace(/&amp;/g, "&");
};

test("doc flow end to end: admin signs in via the return path, a member authorizes, the Installed tab shows and revokes it (INSTALL-01, INSTALL-03)", async () => {
  // Admin: console → login → back to the console.
  const admin = new Browser();
  const first = await admin.fetch("/admin/api-developers?tab=installed");
  assert.equal(first.status, 303);
  const loginPath = first.headers.get("location") ?? "";
  const loginPage = await (await admin.fetch(loginPath)).text();
  const signedIn = await admin.post("/login", [["login_csrf", hidden(loginPage, "login_csrf")], ["return_to", hidden(loginPage, "return_to")], ["email", "admin@acme.test"], ["password", "pact-demo-password"]]);
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get("location"), "/admin/api-developers?tab=installed");
  assert.equal((await admin.fetch("/admin/api-developers?tab=installed")).status, 200);

  // Member: authorize demo-server with PKCE, approve, exchange the code (DOC Steps 2–3).
  const member = new Browser();
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const authorize = `/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: "demo-server", redirect_uri: "https://server.example.test/callback", scope: "read:contacts read:deals", state: "s1", code_challenge: challenge, code_challenge_method: "S256" })}`;
  const toLogin = await member.fetch(authorize);
  const memberLogin = await toLogin.text();
  const afterLogin = await member.post("/login", [["login_csrf", hidden(memberLogin, "login_csrf")], ["return_to", hidden(memberLogin, "return_to")], ["email", "member@acme.test"], ["password", "pact-demo-password"]]);
  const consent = await (await member.fetch(afterLogin.headers.get("location") ?? "")).text();
  const approved = await member.post("/oauth/consent", [["csrf_token", hidden(consent, "csrf_token")], ["transaction", hidden(consent, "transaction")], ["decision", "approve"]]);
  assert.equal(approved.status, 303);
  const code = new URL(approved.headers.get("location") ?? "").searchParams.get("code");
  assert.ok(code);
  const tokenRes = await fetch(`${t.base}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: "https://server.example.test/callback", client_id: "demo-server", client_secret: "demo-server-secret", code_verifier: verifier }).toString(),
  });
  assert.equal(tokenRes.status, 200);
  const tokens = (await tokenRes.json()) as { access_token: string; refresh_token: string };
  assert.equal((await fetch(`${t.base}/v1/deals?limit=10`, { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status, 200);

  // Admin: the Installed tab names the app, its scopes, who and when; Revoke kills everything.
  const tab = await (await admin.fetch("/admin/api-developers?tab=installed")).text();
  assert.match(tab, /Demo Server[\s\S]*read:contacts read:deals[\s\S]*member@acme\.test on <time datetime="\d{4}-\d\d-\d\dT/);
  const revoke = await admin.post("/admin/api-developers/installed/demo-server/revoke", [["csrf_token", hidden(tab, "csrf_token")]]);
  assert.equal(revoke.status, 303);
  const api = await fetch(`${t.base}/v1/contacts`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(api.status, 401);
  assert.match(api.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
  const refresh = await fetch(`${t.base}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: "demo-server", client_secret: "demo-server-secret" }).toString(),
  });
  assert.equal(refresh.status, 400);
  assert.equal(((await refresh.json()) as { error: string }).error, "invalid_grant");
});
