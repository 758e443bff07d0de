import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Params } from "../../mock/http/params.ts";
import { ErrorRedirect, NoRedirectError } from "../../mock/errors.ts";
import { resolveAuthorizeTarget, validateAuthorizeRequest } from "../../mock/oauth/authorize-request.ts";
import { decodeBasicAuth } from "../../mock/oauth/client-auth.ts";
import { safeReturnPath } from "../../mock/oauth/login.ts";
import { isValidChallenge, isValidVerifier, s256, verifierMatches } from "../../mock/oauth/pkce.ts";
import { redirectUriMatches, validateRedirectUriForRegistration } from "../../mock/oauth/redirect-uri.ts";
import { parseScope } from "../../mock/oauth/scope.ts";
import type { App } from "../../mock/store.ts";

describe("PKCE", () => {
  it("matches the RFC 7636 Appendix B vector", () => {
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert.equal(s256(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assert.equal(verifierMatches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), true);
    assert.equal(verifierMatches(`${verifier}a`, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), false);
  });

  it("enforces verifier and S256 challenge syntax (RFC 7636 §4.1, §4.2)", () => {
    assert.equal(isValidVerifier("a".repeat(43)), true);
    assert.equal(isValidVerifier("a.b~c-d_".padEnd(128, "x")), true);
    assert.equal(isValidVerifier("a".repeat(42)), false);
    assert.equal(isValidVerifier("a".repeat(129)), false);
    assert.equal(isValidVerifier(`${"a".repeat(42)}+`), false);
    const tooShort = `${"a".repeat(41)}/`;
    assert.equal(verifierMatches(tooShort, s256(tooShort)), false, "hash matches but the verifier is outside the grammar (PKCE-09)");
    assert.equal(isValidChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), true);
    assert.equal(isValidChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM="), false);
    assert.equal(isValidChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"), false);
    assert.equal(isValidChallenge("a".repeat(44)), false);
  });
});

describe("redirect URI matching", () => {
  const conf = ["https://server.example.test/callback", "https://server.example.test/callback2?tenant=a"];
  const cli = ["http://127.0.0.1/callback", "http://[::1]/callback"];
  const spa = ["http://127.0.0.1:5173/callback"];

  it("is byte-exact (AUTHZ-03)", () => {
    assert.equal(redirectUriMatches("https://server.example.test/callback", conf, "confidential"), true);
    assert.equal(redirectUriMatches("https://server.example.test/callback2?tenant=a", conf, "confidential"), true);
    for (const bad of [
      "https://server.example.test/callback/",
      "https://SERVER.example.test/callback",
      "https://server.example.test/CALLBACK",
      "HTTPS://server.example.test/callback",
      "https://server.example.test/callback?x=1",
      "https://server.example.test/callback#f",
      "https://server.example.test:443/callback",
      "https://server.example.test/%63allback",
      "https://server.example.test/./callback",
      "https://server.example.test//callback",
      "https://server.example.test.evil.test/callback",
      "https://server.example.test@evil.test/callback",
      "http://server.example.test/callback",
      " https://server.example.test/callback",
      "https://server.example.test/callback%00",
      "https://server.example.test:8443/callback",
    ])
      assert.equal(redirectUriMatches(bad, conf, "confidential"), false, bad);
  });

  it("accepts any port on loopback literals registered without one, for public clients (RFC 8252 §7.3)", () => {
    for (const port of ["1", "80", "53000", "65535"]) {
      assert.equal(redirectUriMatches(`http://127.0.0.1:${port}/callback`, cli, "public"), true, port);
      assert.equal(redirectUriMatches(`http://[::1]:${port}/callback`, cli, "public"), true, port);
    }
    assert.equal(redirectUriMatches("http://127.0.0.1/callback", cli, "public"), true);
    for (const bad of [
      "http://127.0.0.1:0/callback",
      "http://127.0.0.1:65536/callback",
      "http://127.0.0.1:080/callback",
      "http://127.0.0.1:/callback",
      "http://127.0.0.1:8080/other",
      "http://127.0.0.1:8080/callback?x=1",
      "http://localhost:8080/callback",
      "https://127.0.0.1:8080/callback",
      "http://127.0.0.2:8080/callback",
      "http://127.0.0.1:80/callback/callback",
    ])
      assert.equal(redirectUriMatches(bad, cli, "public"), false, bad);
    assert.equal(redirectUriMatches("http://127.0.0.1:8080/callback", cli, "confidential"), false);
  });

  it("matches a loopback URI registered with a port exactly", () => {
    assert.equal(redirectUriMatches("http://127.0.0.1:5173/callback", spa, "public"), true);
    assert.equal(redirectUriMatches("http://127.0.0.1:5174/callback", spa, "public"), false);
    assert.equal(redirectUriMatches("http://127.0.0.1/callback", spa, "public"), false);
  });
});

describe("redirect URI registration (REG-04)", () => {
  const ok = (uri: string, type: "public" | "confidential") => validateRedirectUriForRegistration(uri, type).ok;
  it("accepts https, loopback literals for public clients and reverse-DNS schemes", () => {
    assert.equal(ok("https://client.test/cb", "confidential"), true);
    assert.equal(ok("https://client.test/cb2?tenant=a", "confidential"), true);
    assert.equal(ok("http://127.0.0.1/callback", "public"), true);
    assert.equal(ok("http://127.0.0.1:5173/callback", "public"), true);
    assert.equal(ok("http://[::1]/callback", "public"), true);
    assert.equal(ok("com.example.app:/cb", "public"), true);
  });
  it("rejects everything REG-04 lists", () => {
    for (const [uri, type] of [
      ["/cb", "confidential"],
      ["client.test/cb", "confidential"],
      ["https://client.test/cb#frag", "confidential"],
      ["http://client.test/cb", "confidential"],
      ["http://127.0.0.1/cb", "confidential"],
      ["https://*.client.test/cb", "confidential"],
      ["https://a@client.test/", "confidential"],
      ["http://localhost/cb", "public"],
      ["http://localhost:8080/cb", "public"],
      ["myapp:/cb", "public"],
      ["javascript:alert(1)", "public"],
      ["com.example.app:/cb", "confidential"],
      ["https://client.test/c b", "confidential"],
      ["", "public"],
      ["http://127.0.0.1:99999/cb", "public"],
    ] as const)
      assert.equal(ok(uri, type), false, uri);
  });
});

describe("scope parsing (AMB-07)", () => {
  it("splits, collapses duplicates and rejects malformed values", () => {
    assert.deepEqual(parseScope("read:contacts write:contacts"), { ok: true, scopes: ["read:contacts", "write:contacts"] });
    assert.deepEqual(parseScope("read:contacts read:contacts"), { ok: true, scopes: ["read:contacts"] });
    assert.deepEqual(parseScope(undefined), { ok: false, reason: "missing" });
    assert.deepEqual(parseScope(""), { ok: false, reason: "missing" });
    for (const bad of [" read:contacts", "read:contacts ", "read:contacts  write:contacts", 'read:"contacts', "read\\x", "read\tx", "read\u0000x", "lecture:é"])
      assert.deepEqual(parseScope(bad), { ok: false, reason: "malformed" }, JSON.stringify(bad));
  });
  it("keeps `+` and %20 equivalent through form decoding", () => {
    assert.deepEqual(parseScope(Params.parse("scope=read:contacts+write:contacts").get("scope")), parseScope(Params.parse("scope=read:contacts%20write:contacts").get("scope")));
  });
});

describe("HTTP Basic client credentials (RFC 6749 §2.3.1)", () => {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  it("base64-decodes, then form-urldecodes id and secret", () => {
    assert.deepEqual(decodeBasicAuth(`Basic ${b64("demo-server:demo-server-secret")}`), { clientId: "demo-server", secret: "demo-server-secret" });
    assert.deepEqual(decodeBasicAuth(`basic ${b64("my%20client:p%3Ass+w%25rd")}`), { clientId: "my client", secret: "p:ss w%rd" });
    assert.deepEqual(decodeBasicAuth(`BASIC ${b64("demo-spa:")}`), { clientId: "demo-spa", secret: "" });
  });
  it("separates other schemes from malformed Basic values", () => {
    assert.equal(decodeBasicAuth("Bearer abc"), null);
    assert.equal(decodeBasicAuth("Basic"), "malformed");
    assert.equal(decodeBasicAuth("Basic !!!"), "malformed");
    assert.equal(decodeBasicAuth(`Basic ${b64("no-colon")}`), "malformed");
    assert.equal(decodeBasicAuth(`Basic ${b64("id:%zz")}`), "malformed");
  });
});

describe("authorization request validation", () => {
  const app: App = {
    clientId: "demo-server",
    name: "Demo Server",
    workspaceId: "acme",
    type: "confidential",
    secretDigest: null,
    secretHint: null,
    redirectUris: ["https://server.example.test/callback"],
    scopes: ["read:contacts", "write:contacts", "read:deals"],
    createdAt: 0,
    deletedAt: null,
  };
  const lookup = (id: string) => (id === app.clientId ? app : undefined);
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  const base = `client_id=demo-server&redirect_uri=${encodeURIComponent(app.redirectUris[0] ?? "")}`;
  const valid = `${base}&response_type=code&scope=read:contacts&state=S&code_challenge=${challenge}&code_challenge_method=S256`;
  const outcome = (query: string): string => {
    try {
      const p = Params.parse(query);
      validateAuthorizeRequest(p, resolveAuthorizeTarget(p, lookup));
      return "ok";
    } catch (e) {
      if (e instanceof NoRedirectError) return "no-redirect";
      if (e instanceof ErrorRedirect) return `${e.error}:${e.state ?? "-"}`;
      throw e;
    }
  };

  it("never redirects for client or redirect URI problems (AUTHZ-02, AUTHZ-09)", () => {
    assert.equal(outcome(valid), "ok");
    assert.equal(outcome(valid.replace("client_id=demo-server", "client_id=Demo-Server")), "no-redirect");
    assert.equal(outcome(valid.replace("client_id=demo-server", "client_id=")), "no-redirect");
    assert.equal(outcome(`${valid}&client_id=demo-server`), "no-redirect");
    assert.equal(outcome(`${valid}&redirect_uri=x`), "no-redirect");
    assert.equal(outcome(valid.replace(/redirect_uri=[^&]*&/, "")), "no-redirect");
  });

  it("redirects every other error with the exact state (AUTHZ-05..09, PKCE-01..04)", () => {
    assert.equal(outcome(valid.replace("response_type=code", "response_type=token")), "unsupported_response_type:S");
    assert.equal(outcome(valid.replace("response_type=code", "response_type=CODE")), "unsupported_response_type:S");
    assert.equal(outcome(valid.replace("response_type=code&", "")), "invalid_request:S");
    assert.equal(outcome(valid.replace("scope=read:contacts", "scope=write:deals")), "invalid_scope:S");
    assert.equal(outcome(valid.replace("scope=read:contacts", "scope=READ:contacts")), "invalid_scope:S");
    assert.equal(outcome(valid.replace("scope=read:contacts", "scope=")), "invalid_scope:S");
    assert.equal(outcome(valid.replace("code_challenge_method=S256", "code_challenge_method=plain")), "invalid_request:S");
    assert.equal(outcome(valid.replace("&code_challenge_method=S256", "")), "invalid_request:S");
    assert.equal(outcome(valid.replace(`code_challenge=${challenge}`, "code_challenge=")), "invalid_request:S");
    assert.equal(outcome(valid.replace(`code_challenge=${challenge}`, `code_challenge=${challenge}=`)), "invalid_request:S");
    assert.equal(outcome(`${valid}&scope=read:contacts`), "invalid_request:S");
    assert.equal(outcome(`${valid}&state=S`), "invalid_request:-");
    assert.equal(outcome(`${valid}&prompt=none&foo=bar&nonce=x`), "ok");
  });
});

describe("login return path (SEC-01)", () => {
  it("keeps same-origin paths and refuses everything else", () => {
    assert.equal(safeReturnPath("/oauth/authorize?client_id=x&state=a%20b"), "/oauth/authorize?client_id=x&state=a%20b");
    for (const bad of ["//evil.test", "/\\evil.test", "https://evil.test", "https:evil.test", "javascript:alert(1)", "%2F%2Fevil.test", "/\tevil", undefined])
      assert.equal(safeReturnPath(bad), "/login", String(bad));
  });
});
