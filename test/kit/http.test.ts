import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  s256, isValidVerifier, newPkcePair, basicAuthorization, basicCredentials, parseWwwAuthenticate, findChallenge,
  parseForms, findFormByButton, submitForm, Redactor, ProtocolClient, CookieJar, redactExchange, fingerprint,
} from "../../suites/http/index.ts";
import { HttpResponse } from "../../suites/http/response.ts";
import { retryAfterSeconds, validRetryAfter } from "../../suites/checks/throttle.ts";

test("S256 matches RFC 7636 Appendix B", () => {
  assert.equal(s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  const pair = newPkcePair();
  assert.equal(pair.verifier.length, 43);
  assert.ok(isValidVerifier(pair.verifier));
  assert.ok(!isValidVerifier("a".repeat(42)) && !isValidVerifier("a".repeat(129)) && !isValidVerifier(`${"a".repeat(42)}+`));
});

test("Basic credentials form-urlencode id and secret before base64 (RFC 6749 §2.3.1)", () => {
  assert.equal(basicCredentials("demo-server", "demo-server-secret"), Buffer.from("demo-server:demo-server-secret").toString("base64"));
  assert.equal(Buffer.from(basicCredentials("a b", "p:w/&=é"), "base64").toString(), "a+b:p%3Aw%2F%26%3D%C3%A9");
  assert.match(basicAuthorization("x", "y", "bAsIc"), /^bAsIc /);
});

test("WWW-Authenticate: params, quoted strings, token68 and several challenges (RFC 9110 §11.6.1)", () => {
  const [bare] = parseWwwAuthenticate("Bearer");
  assert.deepEqual(bare, { scheme: "Bearer", params: {}, duplicates: [] });
  const [err] = parseWwwAuthenticate('Bearer realm="pact", error="invalid_token", error_description="the \\"token\\" expired"');
  assert.equal(err?.params.error, "invalid_token");
  assert.equal(err?.params.error_description, 'the "token" expired');
  const multi = parseWwwAuthenticate(['Newauth realm="apps", type=1, title="Login to \\"apps\\""', 'Basic realm="simple"']);
  assert.equal(multi.length, 2);
  assert.equal(multi[0]?.params.type, "1");
  assert.equal(findChallenge(multi, "basic")?.params.realm, "simple");
  assert.equal(parseWwwAuthenticate("Basic abc123==")[0]?.token68, "abc123==");
  assert.equal(parseWwwAuthenticate('bearer  ERROR = "x", error="y"')[0]?.duplicates[0], "error");
  assert.equal(parseWwwAuthenticate('Bearer scope="write:contacts read:deals"')[0]?.params.scope, "write:contacts read:deals");
  assert.throws(() => parseWwwAuthenticate('Bearer realm="open'));
});

const LOGIN = `<!doctype html><main><form method="post" action="/login?return_to=%2Foauth%2Fauthorize">
<input type="hidden" name="csrf" value="c&amp;1">
<label for="e">Email</label><input id="e" name="email" type="email">
<label>Password <input name="password" type="password"></label>
<input type="checkbox" name="remember">
<button type="submit">Sign in</button></form>
<form method="post" action="consent"><input type="hidden" name="tx" value="t1">
<button name="decision" value="approve">Approve</button><button name="decision" value="deny" aria-label="Deny">No</button></form></main>`;

test("forms are read by labels and button names", () => {
  const forms = parseForms(LOGIN, "http://h.test/oauth/authorize?x=1");
  const login = findFormByButton(forms, "Sign in");
  assert.ok(login);
  const sub = submitForm(login, "Sign in", { Email: "a@b.test", Password: "pw" });
  assert.equal(sub.method, "POST");
  assert.equal(sub.url, "http://h.test/login?return_to=%2Foauth%2Fauthorize");
  assert.deepEqual(sub.pairs, [["csrf", "c&1"], ["email", "a@b.test"], ["password", "pw"]]);
  const consent = findFormByButton(forms, "deny");
  assert.ok(consent);
  assert.equal(consent.action, "http://h.test/oauth/consent");
  assert.deepEqual(submitForm(consent, "Deny").pairs, [["tx", "t1"], ["decision", "deny"]]);
  assert.throws(() => submitForm(login, "Sign in", { Username: "x" }), /no field labelled "Username"/);
});

test("the redactor replaces learned secrets and secret parameters everywhere", () => {
  const r = new Redactor();
  r.learn("pact_at_SECRETSECRETSECRET", "access_token");
  const text = r.redactText(`token pact_at_SECRETSECRETSECRET and ${encodeURIComponent("pact_at_SECRETSECRETSECRET")}`);
  assert.ok(!text.includes("SECRETSECRET"));
  assert.ok(text.includes(`[access_token#${fingerprint("pact_at_SECRETSECRETSECRET")}]`));
  assert.ok(!r.redactUrlencoded("grant_type=x&client_secret=abc&code_verifier=xyz").match(/abc|xyz/));
  assert.match(r.redactHeader("Authorization", "Basic Zm9vOmJhcg=="), /^Basic \[secret#[0-9a-f]{8}\]$/);
  assert.match(r.redactHeader("Set-Cookie", "sid=s3cr3t; HttpOnly; SameSite=Lax"), /^sid=\[cookie#[0-9a-f]{8}\]; HttpOnly; SameSite=Lax$/);
  assert.ok(!r.redactBody('{"refresh_token":"rt"}', "application/json").includes('"rt"'));
});

async function withServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void, fn: (base: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => handler(req, res, body));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}

test("the client sends duplicates and raw bodies, never follows redirects, keeps cookies and records evidence", async () => {
  await withServer(
    (req, res, body) => {
      if (req.url === "/go") {
        res.writeHead(303, { location: "https://client.test/cb?code=pact_ac_THECODEVALUE&state=s", "set-cookie": "sid=pact_sess_SESSIONVALUE; HttpOnly; Path=/" });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ raw: req.rawHeaders, body, url: req.url, method: req.method, access_token: "pact_at_RESPONSETOKEN" }));
    },
    async (base) => {
      const redactor = new Redactor();
      const client = new ProtocolClient({ baseUrl: base, redactor, jar: new CookieJar() });
      const r1 = await client.get("/go");
      assert.equal(r1.status, 303);
      assert.equal(r1.locationUrl?.searchParams.get("code"), "pact_ac_THECODEVALUE");
      assert.ok(redactor.knows("pact_ac_THECODEVALUE"));
      const r2 = await client.send({
        method: "PATCH",
        url: "/echo",
        query: [["a", "1"], ["a", "2"]],
        headers: [["x-dup", "one"], ["x-dup", "two"], ["authorization", "Bearer abcdefgh"]],
        body: "grant_type=x&grant_type=y",
        contentType: null,
      });
      const echoed = r2.json() as { raw: string[]; body: string; url: string; method: string };
      assert.equal(echoed.method, "PATCH");
      assert.equal(echoed.url, "/echo?a=1&a=2");
      assert.equal(echoed.body, "grant_type=x&grant_type=y");
      assert.equal(echoed.raw.filter((h) => h.toLowerCase() === "x-dup").length, 2);
      assert.ok(echoed.raw.some((h) => h.includes("sid=pact_sess_SESSIONVALUE")));
      assert.ok(redactor.knows("pact_at_RESPONSETOKEN"));
      const evidence = JSON.stringify(client.journal.all().map((e) => redactExchange(e, redactor)));
      for (const secret of ["pact_ac_THECODEVALUE", "pact_sess_SESSIONVALUE", "pact_at_RESPONSETOKEN", "abcdefgh"]) assert.ok(!evidence.includes(secret), secret);

      const race = await client.openConnections(4, "/warm");
      const results = await race.fire(Array.from({ length: 4 }, () => ({ method: "POST", url: "/r", form: { n: "1" } })));
      await race.close();
      assert.equal(results.filter((r) => !(r instanceof Error) && r.status === 200).length, 4);
    },
  );
});

test("Retry-After is read as delay-seconds or as an HTTP-date against the response's Date (RFC 9110 §10.2.3)", () => {
  const respond = (headers: Array<[string, string]>): HttpResponse =>
    new HttpResponse(429, headers, Buffer.alloc(0), { seq: 1, label: null, method: "POST", url: "http://mock.test/oauth/token", requestHeaders: [], requestBody: null, status: 429, responseHeaders: headers, responseBody: "", durationMs: 0 });
  assert.equal(retryAfterSeconds(respond([["retry-after", "60"]])), 60);
  assert.equal(retryAfterSeconds(respond([["retry-after", " 0 "]])), 0);
  assert.equal(retryAfterSeconds(respond([["retry-after", "Sun, 29 Nov 2026 10:01:30 GMT"], ["date", "Sun, 29 Nov 2026 10:00:00 GMT"]])), 90);
  assert.equal(retryAfterSeconds(respond([["retry-after", "Sun, 29 Nov 2026 09:59:00 GMT"], ["date", "Sun, 29 Nov 2026 10:00:00 GMT"]])), 0);
  assert.equal(retryAfterSeconds(respond([["retry-after", "Sun, 29 Nov 2026 10:01:30 GMT"]])), null, "an HTTP-date needs the Date header to become a delay");
  assert.equal(retryAfterSeconds(respond([["retry-after", "-5"]])), null);
  assert.equal(retryAfterSeconds(respond([["retry-after", "soon"]])), null);
  assert.equal(retryAfterSeconds(respond([])), null);
});

test("Retry-After syntax: delay-seconds or one of RFC 9110 §5.6.7's three HTTP-date forms, nothing Date.parse merely guesses", () => {
  for (const ok of ["0", "120", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"]) assert.ok(validRetryAfter(ok), ok);
  for (const bad of [undefined, "", "-5", "1.5", "soon", "2026-11-29", "Sun, 06 Nov 1994 08:49:37 UTC", "06 Nov 1994 08:49:37 GMT"]) assert.ok(!validRetryAfter(bad), String(bad));
});
