import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureNot5xx, ensureStatus, ensureTokenError, needed } from "../checks/http.ts";
import {
  AuthFailureBudget,
  basicHeader,
  codeRequestPairs,
  ensureNoEcho,
  ensureNoTokens,
  ensureTokenSuccess,
  ensureWellFormedTokenError,
  postToken,
  TOKEN_PATH,
  type TokenBody,
} from "../checks/token.ts";
import type { CodeFactory } from "../flows/code-factory.ts";
import { exchangeCode } from "../flows/tokens.ts";
import { basicAuthorization } from "../http/basic.ts";
import { encodeForm, type ProtocolClient } from "../http/client.ts";
import { newVerifier } from "../http/pkce.ts";
import type { HttpResponse } from "../http/response.ts";
import type { AppIdentity } from "../targets/schema.ts";

const FORM = "application/x-www-form-urlencoded";

function ccForm(app: AppIdentity, scope = "read:contacts"): Array<[string, string]> {
  return [["grant_type", "client_credentials"], ["scope", scope], ["client_id", app.clientId], ["client_secret", app.clientSecret ?? ""]];
}

function multipart(pairs: ReadonlyArray<readonly [string, string]>, boundary: string): string {
  return `${pairs.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join("")}--${boundary}--\r\n`;
}

/** A refresh token to start from: a precondition, so a failure to get one is `error` (§0.1). */
async function refreshTokenFor(client: ProtocolClient, codes: CodeFactory, app: AppIdentity): Promise<string> {
  return needed(`a refresh token for ${app.clientId}`, () => refreshTokenOnce(client, codes, app));
}

async function refreshTokenOnce(client: ProtocolClient, codes: CodeFactory, app: AppIdentity): Promise<string> {
  const res = await exchangeCode(client, app, await codes.issue({ client: app }), { label: "token: exchange for a refresh token" });
  const rt = (ensureTokenSuccess(res) as TokenBody).refresh_token;
  if (typeof rt !== "string") throw new Error("the exchange gave no refresh token");
  return rt;
}

test.describe("TOKEN-05 The token endpoint takes form-encoded POST only", () => {
  test("GET is refused and does not consume the code", { tag: tags("TOKEN-05"), annotation: [...reqs("TOKEN-05"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    const res = await client.get(TOKEN_PATH, { query: codeRequestPairs(issued, spa.clientId), label: "token: GET with the code in the query" });
    await verdicts.check("TOKEN-05", "GET /oauth/token?… gives no tokens (RFC 6749 §3.2: POST only)", () => ensureNoTokens(res), { clause: "no tokens via GET" });
    await verdicts.check("TOKEN-05", "a 405 carries Allow listing POST (RFC 9110 §15.5.6)", () => {
      if (res.status !== 405) return;
      const allow = res.headerAll("allow").join(",").split(",").map((m) => m.trim().toUpperCase());
      ensure(allow.includes("POST"), `405 with Allow ${JSON.stringify(res.headerAll("allow"))}`);
    }, { clause: "MUST" });
    await verdicts.check("TOKEN-05", "GET gives 405 with Allow: POST, or 400 invalid_request", () => {
      ensureNot5xx(res);
      if (res.status === 405) return;
      ensureTokenError(res, ["invalid_request"]);
    }, { clause: "status and error codes" });
    await verdicts.check("TOKEN-05", "after the GET the code still redeems with a proper POST (AMB-18)", async () => {
      ensureTokenSuccess(await exchangeCode(client, spa, issued, { label: "token: proper POST after GET" }));
    }, { clause: "the code is not consumed" });
  });

  test("JSON, multipart, text/plain and missing content types give invalid_request and do not consume the code", { tag: tags("TOKEN-05"), annotation: [...reqs("TOKEN-05"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    const pairs = codeRequestPairs(issued, spa.clientId);
    const boundary = "pact-kit-boundary-5b1f";
    const bodies: Array<[string, string, string | null]> = [
      ["application/json", JSON.stringify(Object.fromEntries(pairs)), "application/json"],
      ["multipart/form-data", multipart(pairs, boundary), `multipart/form-data; boundary=${boundary}`],
      ["text/plain (a form-encoded string)", encodeForm(pairs), "text/plain"],
      ["no Content-Type (a form-encoded string)", encodeForm(pairs), null],
    ];
    for (const [name, body, contentType] of bodies) {
      await verdicts.check("TOKEN-05", `${name} body gives 400 invalid_request (RFC 6749 §4.1.3: form-encoded)`, async () => {
        const res = await client.send({ method: "POST", url: TOKEN_PATH, body, contentType, label: `token: ${name}` });
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_request"]);
      }, { clause: "status and error codes" });
    }
    await verdicts.check("TOKEN-05", "after the four refused bodies the code still redeems (AMB-18)", async () => {
      ensureTokenSuccess(await exchangeCode(client, spa, issued, { label: "token: proper form POST" }));
    }, { clause: "the code is not consumed" });
  });

  test("code, client_secret or refresh_token in the URL query of a POST is refused and consumes nothing", { tag: tags("TOKEN-05"), annotation: [...reqs("TOKEN-05"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const { spa, conf } = target.apps;
    // RFC 6749 §2.3.1: credentials MUST NOT be included in the request URI (also §3.2, RFC 9700 §4.3.2).
    // The MUST is that no tokens are obtained *through* the URL: when the credential sits only in the
    // query, the request must give no tokens. A copy in the query beside valid body or Basic
    // credentials may be ignored (the tokens then come from the body): refusing such a request with 400
    // invalid_request is the PACT-PROFILE clause ("status and error codes"), skipped under --profile rfc.
    const refused = async (name: string, form: Array<[string, string]>, query: Array<[string, string]>, headers: Array<[string, string]> = [], onlyInQuery = true): Promise<void> => {
      const res = await client.postForm(TOKEN_PATH, form, { query, headers, label: `token: ${name}` });
      if (onlyInQuery) await verdicts.check("TOKEN-05", `${name}: no tokens (RFC 6749 §2.3.1)`, () => ensureNoTokens(res), { clause: "URL credentials" });
      else await verdicts.check("TOKEN-05", `${name}: not a server error (the copy may be ignored, RFC 6749 §2.3.1)`, () => ensureNot5xx(res), { clause: "URL credentials" });
      await verdicts.check("TOKEN-05", `${name}: 400 invalid_request and no tokens`, () => {
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_request"]);
      }, { clause: "status and error codes" });
    };

    const spaCode = await codeFactory.issue({ client: spa });
    const spaPairs = codeRequestPairs(spaCode, spa.clientId);
    await refused("code only in the query", spaPairs.filter(([n]) => n !== "code"), [["code", spaCode.code]]);
    await refused("code in the query and in the body", spaPairs, [["code", spaCode.code]], [], false);
    await verdicts.check("TOKEN-05", "the SPA code still redeems afterwards", async () => {
      ensureTokenSuccess(await exchangeCode(client, spa, spaCode, { label: "token: proper SPA exchange" }));
    }, { clause: "the code is not consumed" });

    const confCode = await codeFactory.issue({ client: conf });
    const confPairs = codeRequestPairs(confCode, conf.clientId);
    const secret: Array<[string, string]> = [["client_secret", conf.clientSecret ?? ""]];
    await refused("client_secret only in the query", confPairs, secret);
    await refused("client_secret in the query beside valid Basic", confPairs.filter(([n]) => n !== "client_id"), secret, basicHeader(conf), false);
    await verdicts.check("TOKEN-05", "the CONF code still redeems afterwards", async () => {
      ensureTokenSuccess(await exchangeCode(client, conf, confCode, { auth: "basic", label: "token: proper CONF exchange" }));
    }, { clause: "the code is not consumed" });

    const rt = await refreshTokenFor(client, codeFactory, spa);
    // Only-in-the-query first: a server that read it from the URL would otherwise meet a token already rotated.
    await refused("refresh_token only in the query", [["grant_type", "refresh_token"], ["client_id", spa.clientId]], [["refresh_token", rt]]);
    await refused("refresh_token in the query and in the body", [["grant_type", "refresh_token"], ["refresh_token", rt], ["client_id", spa.clientId]], [["refresh_token", rt]], [], false);
  });

  // RFC 6749 Appendix B decodes with the HTML form algorithm, which is lenient (WHATWG URL §5.1: a bad
  // escape stays literal, bad UTF-8 becomes U+FFFD) and §3.2 ignores unknown parameters, so the broken
  // bytes sit where they matter (grant_type, scope) or make up the whole body: each must end in 400.
  test("undecodable bodies give 400, never 5xx", { tag: tags("TOKEN-05"), annotation: [...reqs("TOKEN-05"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const cc = (scope: string | Buffer) => Buffer.concat([Buffer.from("grant_type=client_credentials&scope="), Buffer.isBuffer(scope) ? scope : Buffer.from(scope)]);
    const bodies: Array<[string, string | Uint8Array]> = [
      ["a bad percent escape in scope", cc("read%3Acontacts%ZZ")],
      ["a truncated percent escape in scope", cc("read%3Acontacts%E2%82")],
      ["percent-encoded invalid UTF-8 in scope", cc("read%3Acontacts%FF%FE%C0%AF")],
      ["raw invalid UTF-8 bytes in scope", cc(Buffer.concat([Buffer.from("read:contacts"), Buffer.from([0xff, 0xfe, 0xc0, 0xaf])]))],
      ["a raw NUL byte in scope", cc(Buffer.from([0x72, 0x00]))],
      ["raw invalid UTF-8 in grant_type", Buffer.concat([Buffer.from("grant_type=client_credentials"), Buffer.from([0xff]), Buffer.from("&scope=read%3Acontacts")])],
      ["a body of raw non-UTF-8 bytes only", Buffer.from([0xff, 0xfe, 0x00, 0xc0, 0xaf, 0x25, 0x5a])],
    ];
    for (const [name, body] of bodies) {
      await verdicts.check("TOKEN-05", `${name}: 400 with a JSON error, not 5xx`, async () => {
        const res = await client.send({ method: "POST", url: TOKEN_PATH, body, contentType: FORM, headers: basicHeader(conf), label: `token: ${name}` });
        ensureNot5xx(res);
        ensureNoTokens(res);
        ensureStatus(res, 400);
        ensureWellFormedTokenError(res);
      }, { clause: "status and error codes" });
    }
  });

  test("property: any content type other than the form type gives invalid_request", { tag: tags("TOKEN-05"), annotation: [...reqs("TOKEN-05"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const tokenChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-.+_");
    const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 });
    const param = fc.tuple(token, token).map(([n, v]) => `; ${n}=${v}`);
    const mediaType = fc.oneof(
      fc.tuple(token, token).map(([t, s]) => `${t}/${s}`),
      fc.constantFrom("application/json", "text/plain", "multipart/form-data", "application/xml", "application/x-www-form", "text/x-www-form-urlencoded", "application/x-www-form-urlencoded2", "application/octet-stream", "*/*"),
    );
    const contentType = fc.tuple(mediaType, fc.array(param, { maxLength: 2 })).map(([m, ps]) => m + ps.join("")).filter((ct) => ct.split(";")[0]?.trim().toLowerCase() !== FORM);
    await checkProperty(
      verdicts,
      "TOKEN-05",
      "a valid client_credentials body under any other Content-Type gives 400 invalid_request",
      contentType,
      async (ct) => {
        const res = await client.send({ method: "POST", url: TOKEN_PATH, body: encodeForm(ccForm(conf)), contentType: ct, label: `token: Content-Type ${ct}` });
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_request"]);
      },
      {
        numRuns: 100,
        clause: "status and error codes",
        examples: ["application/json", "multipart/form-data; boundary=x", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded2", "application/x-www-form-urlencoded-v2; charset=utf-8"],
      },
    );
  });
});

const AUTHZ_CODE_PARAMS = ["grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier"] as const;
const REFRESH_PARAMS = ["grant_type", "refresh_token", "client_id", "client_secret", "scope"] as const;
const CC_PARAMS = ["grant_type", "client_id", "client_secret", "scope"] as const;

/** A different value of the same parameter, still plausible (RFC 6749 §3.2: the value does not matter). */
function otherValue(name: string, value: string, app: AppIdentity): string {
  switch (name) {
    case "grant_type":
      return value === "refresh_token" ? "authorization_code" : "refresh_token";
    case "redirect_uri":
      return app.redirectUris.find((u) => u !== value) ?? `${value}/other`;
    case "scope":
      return value === "read:contacts" ? "write:contacts" : "read:contacts";
    case "code_verifier":
      return newVerifier();
    default:
      return `${value}-other`;
  }
}

function duplicate(form: ReadonlyArray<[string, string]>, name: string, value: string): Array<[string, string]> {
  return [...form, [name, value]];
}

test.describe("TOKEN-13 Duplicates are rejected, unknown parameters ignored, empty ones treated as omitted", () => {
  test("each parameter of each grant sent twice gives invalid_request", { tag: tags("TOKEN-13"), annotation: [...reqs("TOKEN-13"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const conf = target.apps.conf;
    const secret = conf.clientSecret ?? "";
    for (const p of AUTHZ_CODE_PARAMS) {
      for (const same of [true, false]) {
        // A fresh code per request, so a server that consumed it cannot turn the verdict into invalid_grant.
        const issued = await codeFactory.issue({ client: conf });
        const form: Array<[string, string]> = [...codeRequestPairs(issued, conf.clientId), ["client_secret", secret]];
        const value = form.find(([n]) => n === p)?.[1] ?? "";
        await verdicts.check("TOKEN-13", `authorization_code: ${p} twice (${same ? "same" : "different"} value) gives 400 invalid_request (RFC 6749 §3.2)`, async () => {
          const res = await postToken(client, duplicate(form, p, same ? value : otherValue(p, value, conf)), `token: ${p} twice`);
          ensureNoTokens(res);
          ensureTokenError(res, ["invalid_request"]);
        });
      }
    }
    for (const p of REFRESH_PARAMS) {
      for (const same of [true, false]) {
        const rt = await refreshTokenFor(client, codeFactory, conf);
        const form: Array<[string, string]> = [["grant_type", "refresh_token"], ["refresh_token", rt], ["client_id", conf.clientId], ["client_secret", secret], ["scope", conf.scopes[0] ?? "read:contacts"]];
        const value = form.find(([n]) => n === p)?.[1] ?? "";
        await verdicts.check("TOKEN-13", `refresh_token: ${p} twice (${same ? "same" : "different"} value) gives 400 invalid_request`, async () => {
          const res = await postToken(client, duplicate(form, p, same ? value : otherValue(p, value, conf)), `token: ${p} twice`);
          ensureNoTokens(res);
          ensureTokenError(res, ["invalid_request"]);
        });
      }
    }
    for (const p of CC_PARAMS) {
      for (const same of [true, false]) {
        const form = ccForm(conf);
        const value = form.find(([n]) => n === p)?.[1] ?? "";
        await verdicts.check("TOKEN-13", `client_credentials: ${p} twice (${same ? "same" : "different"} value) gives 400 invalid_request`, async () => {
          const res = await postToken(client, duplicate(form, p, same ? value : otherValue(p, value, conf)), `token: ${p} twice`);
          ensureNoTokens(res);
          ensureTokenError(res, ["invalid_request"]);
        });
      }
    }
  });

  test("unknown parameters are ignored and empty ones count as omitted", { tag: tags("TOKEN-13"), annotation: [...reqs("TOKEN-13"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const { spa, conf } = target.apps;
    const unknown: Array<[string, string]> = [["foo", "1"], ["audience", "x"], ["resource", "https://api.example.test/"], ["foo_empty", ""]];
    await verdicts.check("TOKEN-13", "authorization_code with foo, audience, resource and an empty unknown parameter gives 200 (RFC 6749 §3.2: ignored)", async () => {
      const issued = await needed("a SPA code", () => codeFactory.issue({ client: spa }));
      ensureTokenSuccess(await postToken(client, [...codeRequestPairs(issued, spa.clientId), ...unknown], "token: exchange with unknown parameters"));
    });
    await verdicts.check("TOKEN-13", "refresh_token with unknown parameters gives 200", async () => {
      const rt = await refreshTokenFor(client, codeFactory, spa);
      ensureTokenSuccess(await postToken(client, [["grant_type", "refresh_token"], ["refresh_token", rt], ["client_id", spa.clientId], ...unknown], "token: refresh with unknown parameters"));
    });
    await verdicts.check("TOKEN-13", "client_credentials with unknown parameters gives 200", async () => {
      ensureTokenSuccess(await postToken(client, [...ccForm(conf), ...unknown], "token: client credentials with unknown parameters"));
    });
    // RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were omitted from the request."
    await verdicts.check("TOKEN-13", "a public client's empty client_secret= counts as omitted: the exchange gives 200 (AMB-27)", async () => {
      const issued = await needed("a SPA code", () => codeFactory.issue({ client: spa }));
      ensureTokenSuccess(await postToken(client, [...codeRequestPairs(issued, spa.clientId), ["client_secret", ""]], "token: exchange with client_secret="));
    });
    await verdicts.check("TOKEN-13", "refresh with scope= gives the same outcome as without scope", async () => {
      const rt = await refreshTokenFor(client, codeFactory, spa);
      const res = await postToken(client, [["grant_type", "refresh_token"], ["refresh_token", rt], ["scope", ""], ["client_id", spa.clientId]], "token: refresh with scope=");
      const body = ensureTokenSuccess(res);
      const scope = typeof body.scope === "string" ? body.scope.split(" ").filter(Boolean).sort().join(" ") : null;
      ensure(scope === null || scope === [...spa.scopes].sort().join(" "), `scope= narrowed the grant to "${String(body.scope)}"`);
    });
    const compareOmitted = async (name: string, withEmpty: HttpResponse, without: HttpResponse): Promise<void> => {
      await verdicts.check("TOKEN-13", `${name}= and no ${name} give the same outcome`, () => {
        ensure(withEmpty.status === without.status, `status ${withEmpty.status} with ${name}=, ${without.status} without`);
        const a = (withEmpty.jsonOrUndefined() as { error?: unknown } | undefined)?.error;
        const b = (without.jsonOrUndefined() as { error?: unknown } | undefined)?.error;
        ensure(a === b, `error ${String(a)} with ${name}=, ${String(b)} without`);
        ensureNoTokens(withEmpty);
      });
    };
    const ccNoScope = ccForm(conf).filter(([n]) => n !== "scope");
    await compareOmitted("scope", await postToken(client, [...ccNoScope, ["scope", ""]], "token: client credentials with scope="), await postToken(client, ccNoScope, "token: client credentials without scope"));
    const a = await codeFactory.issue({ client: spa });
    const b = await codeFactory.issue({ client: spa });
    const noRedirect = (c: typeof a) => codeRequestPairs(c, spa.clientId).filter(([n]) => n !== "redirect_uri");
    await compareOmitted("redirect_uri", await postToken(client, [...noRedirect(a), ["redirect_uri", ""]], "token: exchange with redirect_uri="), await postToken(client, noRedirect(b), "token: exchange without redirect_uri"));
  });

  test("property: duplicating any parameter gives invalid_request; random unregistered parameters change nothing", { tag: tags("TOKEN-13"), annotation: [...reqs("TOKEN-13"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    // Names from the IANA OAuth Parameters registry and common extensions, which a server may legitimately act on.
    const registered = new Set(["client_id", "client_secret", "response_type", "redirect_uri", "scope", "state", "code", "error", "error_description", "error_uri", "grant_type", "access_token", "token_type", "expires_in", "username", "password", "refresh_token", "code_verifier", "code_challenge", "code_challenge_method", "resource", "audience", "assertion", "client_assertion", "client_assertion_type", "nonce", "request", "request_uri", "dpop_jkt", "authorization_details", "actor_token", "actor_token_type", "subject_token", "subject_token_type", "requested_token_type", "device_code"]);
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/).filter((n) => !registered.has(n));
    const extra = fc.array(fc.tuple(name, fc.string({ maxLength: 24 })), { maxLength: 4 });
    const dup = fc.record({ param: fc.constantFrom(...CC_PARAMS), same: fc.boolean(), at: fc.nat() });
    await checkProperty(
      verdicts,
      "TOKEN-13",
      "client_credentials + random unregistered parameters gives 200; with one parameter duplicated, 400 invalid_request",
      fc.tuple(extra, dup),
      async ([extras, d]) => {
        const base = [...ccForm(conf), ...extras];
        ensureTokenSuccess(await postToken(client, base, "token: client credentials + unknown parameters"));
        const value = base.find(([n]) => n === d.param)?.[1] ?? "";
        const dupped = [...base];
        dupped.splice(d.at % (dupped.length + 1), 0, [d.param, d.same ? value : otherValue(d.param, value, conf)]);
        const res = await postToken(client, dupped, `token: ${d.param} twice`);
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_request"]);
      },
      { numRuns: 40 },
    );
  });
});

// --- TOKEN-14 -------------------------------------------------------------------------------

const MB = 1024 * 1024;
const SECRET_PARAMS = new Set(["client_secret", "code", "code_verifier", "refresh_token", "access_token", "password", "token"]);

interface FuzzCase {
  readonly method: "POST" | "GET" | "PUT";
  readonly pairs: Array<[string, string]>;
  readonly basic: [string, string] | null;
  /** Raw bytes appended to the form body (invalid UTF-8, NUL). */
  readonly rawTail: number[];
  readonly huge: boolean;
}

test.describe("TOKEN-14 Error responses are well-formed and leak nothing", () => {
  test("property: fuzzed token requests get a well-formed RFC 6749 §5.2 error, never 5xx or an echo", { tag: tags("TOKEN-14"), annotation: [...reqs("TOKEN-14"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const { conf, spa } = target.apps;
    const budget = new AuthFailureBudget(target);
    const pactViolations: string[] = [];
    const knownIds = new Set(Object.values(target.apps).flatMap((a) => (a ? [a.clientId] : [])));
    const secretish = fc.oneof(fc.string({ minLength: 10, maxLength: 40 }), fc.string({ unit: "grapheme", minLength: 10, maxLength: 20 }), fc.string({ unit: "binary", minLength: 10, maxLength: 20 }));
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom("", "\u0000", '"', "\\", '"quoted" \\back\\', "read:contacts\u0000", "%00", "\uFFFD", "\uD800"),
    );
    const name = fc.oneof(fc.constantFrom("grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier", "refresh_token", "scope"), fc.string({ minLength: 1, maxLength: 12 }));
    const pair = fc.oneof(
      fc.tuple(name, value),
      fc.tuple(fc.constantFrom("client_secret", "code", "code_verifier", "refresh_token"), secretish),
      fc.tuple(fc.constant("grant_type"), fc.constantFrom("authorization_code", "refresh_token", "client_credentials", "password", "")),
      fc.tuple(fc.constant("client_id"), fc.constantFrom(conf.clientId, spa.clientId, "unknown-client", "")),
      // RFC 6749 §3.3 / AMB-07: quotes, backslashes and control characters in scope.
      fc.tuple(fc.constant("scope"), fc.constantFrom('read:contacts "x"', "read:contacts\\", "\u0000", 'a"b\\c', " read:contacts", "read:contacts\u0007")),
    );
    const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
      method: fc.constantFrom<FuzzCase["method"]>("POST", "POST", "POST", "POST", "GET", "PUT"),
      pairs: fc.array(pair, { maxLength: 8 }),
      basic: fc.option(fc.tuple(fc.constantFrom(conf.clientId, spa.clientId, "unknown-client"), secretish), { freq: 3 }),
      rawTail: fc.oneof(fc.constant<number[]>([]), fc.constant<number[]>([]), fc.array<number>(fc.constantFrom(0x00, 0xff, 0xfe, 0xc0, 0xaf, 0x80, 0xed, 0xa0), { minLength: 1, maxLength: 6 })),
      huge: fc.constant(false),
    });
    // A 1 MB value travels in a body only: in a URL it would test the HTTP server's header limit instead.
    const withHuge = fc.oneof({ arbitrary: fuzzCase, weight: 19 }, { arbitrary: fuzzCase.map((c): FuzzCase => ({ ...c, method: "POST", huge: true })), weight: 1 });

    const examples: FuzzCase[] = [
      { method: "POST", pairs: [["grant_type", "client_credentials"], ["scope", 'read:contacts "x" \\y']], basic: [conf.clientId, conf.clientSecret ?? ""], rawTail: [], huge: false },
      { method: "POST", pairs: [["grant_type", "client_credentials"], ["scope", "read:contacts"]], basic: [conf.clientId, conf.clientSecret ?? ""], rawTail: [], huge: true },
      { method: "POST", pairs: [["grant_type", "authorization_code"], ["code", "x"]], basic: null, rawTail: [0xff, 0xfe, 0x00], huge: false },
      { method: "POST", pairs: [["grant_type", "client_credentials"], ["client_id", conf.clientId], ["client_secret", 'wrong"secret\\with-quotes\u0000']], basic: null, rawTail: [], huge: false },
      { method: "POST", pairs: [["grant_type", "authorization_code"], ["code", "c0de-that-is-long-enough\"\\"], ["client_id", spa.clientId], ["code_verifier", "verifier-\u0000-with-nul-and-length"]], basic: null, rawTail: [], huge: false },
      { method: "GET", pairs: [["grant_type", "client_credentials"], ["client_secret", "query-secret-value-123"]], basic: null, rawTail: [], huge: false },
      // Requests whose client authentication succeeds, so the made-up code or refresh token reaches its grant
      // and is refused there: the refusal must not repeat it (random pairs almost never get this far).
      { method: "POST", pairs: [["grant_type", "authorization_code"], ["code", "kit-unknown-code-0123456789"], ["redirect_uri", spa.redirectUris[0] ?? ""], ["client_id", spa.clientId], ["code_verifier", "kit-verifier-".padEnd(43, "v")]], basic: null, rawTail: [], huge: false },
      { method: "POST", pairs: [["grant_type", "refresh_token"], ["refresh_token", "kit-unknown-refresh-0123456789"], ["client_id", spa.clientId]], basic: null, rawTail: [], huge: false },
      { method: "POST", pairs: [["grant_type", "authorization_code"], ["code", "kit-unknown-code-abcdefghij"], ["redirect_uri", conf.redirectUris[0] ?? ""], ["code_verifier", "kit-verifier-".padEnd(43, "w")]], basic: [conf.clientId, conf.clientSecret ?? ""], rawTail: [], huge: false },
      // A wrong secret of plain characters, which an error_description could carry unaltered.
      { method: "POST", pairs: [["grant_type", "client_credentials"], ["scope", "read:contacts"]], basic: [conf.clientId, "kit-wrong-secret-0123456789"], rawTail: [], huge: false },
      { method: "POST", pairs: [["grant_type", "client_credentials"], ["scope", "read:contacts"], ["client_id", conf.clientId], ["client_secret", "kit-wrong-secret-abcdefghij"]], basic: null, rawTail: [], huge: false },
    ];

    await checkProperty(
      verdicts,
      "TOKEN-14",
      "status ∈ {400, 401, 405, 413} and a JSON object with a §5.2 error code and description characters",
      withHuge,
      async (c) => {
        const pairs = c.huge ? [...c.pairs, ["scope", "a".repeat(MB)] as [string, string]] : c.pairs;
        const ids = [...pairs.filter(([n]) => n === "client_id").map(([, v]) => v), ...(c.basic ? [c.basic[0]] : [])];
        if (ids.some((id) => knownIds.has(id))) await budget.spend();
        const headers: Array<[string, string]> = c.basic ? [["authorization", basicAuthorization(c.basic[0], c.basic[1])]] : [];
        let res: HttpResponse;
        if (c.method === "GET") res = await client.send({ method: "GET", url: TOKEN_PATH, query: pairs, headers, label: "token: fuzz GET" });
        else {
          const body = Buffer.concat([Buffer.from(encodeForm(pairs)), Buffer.from(c.rawTail)]);
          res = await client.send({ method: c.method, url: TOKEN_PATH, body, contentType: FORM, headers, label: `token: fuzz ${c.method}${c.huge ? " (1 MB)" : ""}` });
        }
        if (res.status === 200) {
          // A fuzzed request can be a valid one; then it must be a proper token response.
          ensure(c.method === "POST", `${c.method} /oauth/token answered 200`);
          ensureTokenSuccess(res);
          return;
        }
        const submitted: Array<[string, string]> = pairs.filter(([n]) => SECRET_PARAMS.has(n)).map(([n, v]) => [n, v]);
        if (c.basic) submitted.push(["Basic password", c.basic[1]]);
        const shape = `${c.method} with ${pairs.map(([n]) => n).join(",") || "no parameters"}${c.basic ? " + Basic" : ""}${c.rawTail.length ? " + raw bytes" : ""}${c.huge ? " + 1 MB" : ""}`;
        try {
          ensureNoEcho(res, submitted);
        } catch (e) {
          pactViolations.push(`${shape}: ${e instanceof Error ? e.message : String(e)}`);
        }
        // PACT-PROFILE: never 5xx; the well-formedness rules below are the MUST part.
        if (res.status >= 500) return void pactViolations.push(`${shape}: status ${res.status}`);
        ensure([400, 401, 405, 413].includes(res.status), `status ${res.status} ∉ {400, 401, 405, 413} (RFC 6749 §5.2: 400 unless stated otherwise)`);
        ensureWellFormedTokenError(res);
      },
      { numRuns: 100, examples },
    );
    await verdicts.check("TOKEN-14", "the same fuzzed requests never got a 5xx and never echoed a submitted secret", () => {
      ensure(pactViolations.length === 0, `${pactViolations.length} violation(s), first: ${pactViolations.slice(0, 3).join("; ")}`);
    }, { clause: "no echo of secrets" });
  });
});
