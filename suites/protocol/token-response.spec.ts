import { test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureNot5xx, sameSet } from "../checks/http.ts";
import { basicHeader, codeRequestPairs, ensureNoEcho, ensureNoStore, ensureTokenSuccess, postToken, TOKEN_PATH, type TokenBody } from "../checks/token.ts";
import { clientCredentials, exchangeCode, refresh } from "../flows/tokens.ts";
import type { HttpResponse } from "../http/response.ts";

type Grant = "authorization_code" | "refresh_token" | "client_credentials";

const scopeSet = (s: string) => s.split(" ").filter((t) => t !== "");

/**
 * TOKEN-02/03/04 on one successful token response of `grant`. `echo` lists what the request
 * submitted (secret, code, verifier) and who the user is: none of it may come back (TOKEN-04).
 */
async function inspectSuccess(verdicts: Verdicts, grant: Grant, res: HttpResponse, echo: ReadonlyArray<readonly [string, string]>): Promise<void> {
  let body: TokenBody = {};
  const ok = await verdicts.check("TOKEN-04", `${grant}: 200 with a JSON token object (RFC 6749 §5.1)`, () => {
    body = ensureTokenSuccess(res);
  });
  if (ok !== "passed") return;
  await verdicts.check("TOKEN-02", `${grant}: Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)`, () => ensureNoStore(res));
  await verdicts.check("TOKEN-03", `${grant}: token_type equals "bearer" ignoring case (RFC 6749 §5.1, RFC 6750 §4)`, () => {
    ensure(typeof body.token_type === "string" && body.token_type.toLowerCase() === "bearer", `token_type is ${JSON.stringify(body.token_type)}`);
  }, { clause: "equals bearer ignoring case" });
  await verdicts.check("TOKEN-03", `${grant}: token_type is exactly "Bearer" (DOC-S3)`, () => {
    ensure(body.token_type === "Bearer", `token_type is ${JSON.stringify(body.token_type)}`);
  }, { clause: "exactly Bearer" });
  // RFC 6749 §5.1: expires_in is a number; DOC-S3: 3600 for the code exchange.
  await verdicts.check("TOKEN-04", `${grant}: expires_in is a JSON number${grant === "authorization_code" ? " equal to 3600" : ""}, not a string`, () => {
    ensure(typeof body.expires_in === "number", `expires_in is ${body.expires_in === undefined ? "absent" : `a JSON ${typeof body.expires_in}`}`);
    if (grant === "authorization_code") ensure(body.expires_in === 3600, `expires_in is ${body.expires_in}`);
  });
  await verdicts.check("TOKEN-04", `${grant}: expires_in is written as the integer 3600`, () => {
    ensure(/"expires_in"\s*:\s*3600\s*[,}]/.test(res.text), `expires_in is not the integer literal 3600 (parsed value ${JSON.stringify(body.expires_in)})`);
  }, { clause: "PACT-PROFILE" });
  await verdicts.check("TOKEN-04", `${grant}: every other member is a JSON string and none is null`, () => {
    const bad = Object.entries(body).filter(([k, v]) => k !== "expires_in" && typeof v !== "string");
    ensure(bad.length === 0, `members that are not strings: ${bad.map(([k, v]) => `${k}=${v === null ? "null" : typeof v}`).join(", ")}`);
  });
  await verdicts.check("TOKEN-04", `${grant}: no client_secret, code, verifier or user data is echoed`, () => {
    for (const k of ["client_secret", "code", "code_verifier", "password"]) ensure(!(k in body), `the response has a ${k} member`);
    ensureNoEcho(res, echo);
  });
}

test.describe("TOKEN-01 A successful code exchange has the documented shape", () => {
  test("the DOC-S3 exchange gives 200 JSON with access, refresh, type, lifetime and scope", { tag: tags("TOKEN-01"), annotation: [...reqs("TOKEN-01"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    const res = await postToken(client, codeRequestPairs(issued, spa.clientId), "token: DOC-S3 exchange");
    let body: TokenBody = {};
    await verdicts.check("TOKEN-01", "200, Content-Type application/json, a JSON object (RFC 6749 §5.1)", () => {
      body = ensureTokenSuccess(res);
    }, { stopOnFailure: true });
    await verdicts.check("TOKEN-01", "access_token and refresh_token are non-empty strings that differ", () => {
      ensure(typeof body.access_token === "string" && body.access_token.length > 0, "access_token is not a non-empty string");
      ensure(typeof body.refresh_token === "string" && body.refresh_token.length > 0, "refresh_token is not a non-empty string (DOC-S3 promises one)");
      ensure(body.refresh_token !== body.access_token, "refresh_token equals access_token");
    });
    await verdicts.check("TOKEN-01", "token_type and expires_in are present (RFC 6749 §5.1)", () => {
      ensure(typeof body.token_type === "string", "token_type is absent");
      ensure(body.expires_in !== undefined, "expires_in is absent (DOC-S3 documents 3600)");
    });
    // RFC 6749 §5.1: scope is OPTIONAL when identical to the request, so only its value is a MUST.
    await verdicts.check("TOKEN-01", "a scope member, when present, is a string within the requested scope (RFC 6749 §3.3)", () => {
      if (body.scope === undefined) return;
      ensure(typeof body.scope === "string", `scope is a JSON ${typeof body.scope}`);
      const extra = scopeSet(body.scope).filter((s) => !scopeSet(issued.scope).includes(s));
      ensure(extra.length === 0, `scope grants ${extra.join(" ")} beyond the request`);
    });
    await verdicts.check("TOKEN-01", "scope is present and set-equal to the granted scope (DOC-S3 example, AMB-08)", () => {
      ensure(typeof body.scope === "string", "scope is absent");
      ensure(sameSet(scopeSet(body.scope), scopeSet(issued.scope)), `scope is "${body.scope}", granted "${issued.scope}"`);
    }, { clause: "scope always present" });
  });

  test("property: parameter order and charset variants of the form content type do not change the outcome", { tag: tags("TOKEN-01"), annotation: [...reqs("TOKEN-01"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    // RFC 9110 §8.3.1: type, subtype and parameter names are case-insensitive; a value may be quoted.
    // §5.6.6: parameters = *( OWS ";" OWS [ parameter ] ), so white space may come before the ";".
    const contentTypes = [
      "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=UTF-8",
      "application/x-www-form-urlencoded ; charset=UTF-8",
      "application/x-www-form-urlencoded;charset=utf-8",
      'application/x-www-form-urlencoded; charset="UTF-8"',
      "Application/X-WWW-Form-URLEncoded; Charset=UTF-8",
    ];
    const order = fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 });
    await checkProperty(
      verdicts,
      "TOKEN-01",
      "any permutation of the five DOC-S3 parameters × any form content type gives 200 with the documented members",
      fc.tuple(order, fc.constantFrom(...contentTypes)),
      async ([perm, contentType]) => {
        const issued = await codeFactory.issue({ client: spa });
        const pairs = codeRequestPairs(issued, spa.clientId);
        const form = perm.map((i) => pairs[i] as [string, string]);
        const res = await client.postForm(TOKEN_PATH, form, { contentType, label: `token: exchange, order ${perm.join("")}, ${contentType}` });
        const body = ensureTokenSuccess(res);
        for (const k of ["access_token", "token_type", "expires_in", "refresh_token"]) ensure(k in body, `${k} is missing`);
      },
      { numRuns: 15, examples: contentTypes.map((ct, i) => [[4, 3, 2, 1, 0].map((x) => (x + i) % 5), ct] as [number[], string]) },
    );
  });
});

test.describe("TOKEN-02 TOKEN-03 TOKEN-04 Token responses: caching, token_type, member types", () => {
  test("authorization_code and refresh_token responses", { tag: tags("TOKEN-02", "TOKEN-03", "TOKEN-04"), annotation: [...reqs("TOKEN-02", "TOKEN-03", "TOKEN-04"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const conf = target.apps.conf;
    const user = target.users.member;
    const issued = await codeFactory.issue({ client: conf, user });
    const secret = conf.clientSecret ?? "";
    const res = await exchangeCode(client, conf, issued, { auth: "body", label: "token: CONF exchange, secret in the body" });
    const common: Array<[string, string]> = [["client_secret", secret], ["user email", user.email], ["user password", user.password]];
    await inspectSuccess(verdicts, "authorization_code", res, [...common, ["code", issued.code], ["code_verifier", issued.verifier]]);
    const rt = (res.jsonOrUndefined() as TokenBody | undefined)?.refresh_token;
    if (typeof rt !== "string") {
      // A missing precondition: the refresh response could not be judged (§0.1), it did not fail.
      for (const id of ["TOKEN-02", "TOKEN-03", "TOKEN-04"]) verdicts.error(id, "could not judge: the code exchange gave no refresh token to obtain a refresh_token response with", "refresh_token response");
      return;
    }
    const refreshed = await refresh(client, conf, rt, { auth: "body", label: "token: CONF refresh, secret in the body" });
    // RFC 6749 §6: the server MAY issue a new refresh token, so handing back the presented one is not an
    // echo of a secret; whether it must rotate is REFRESH-03's clause (catalogue §0.1).
    await inspectSuccess(verdicts, "refresh_token", refreshed, common);
    await verdicts.check("TOKEN-04", "refresh_token: expires_in is 3600 (AMB-12)", () => {
      ensure((refreshed.jsonOrUndefined() as TokenBody | undefined)?.expires_in === 3600, "expires_in is not 3600");
    }, { clause: "PACT-PROFILE" });
  });

  test("client_credentials responses", { tag: tags("TOKEN-02", "TOKEN-03", "TOKEN-04"), annotation: [...reqs("TOKEN-02", "TOKEN-03", "TOKEN-04"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const res = await clientCredentials(client, conf, conf.scopes[0] ?? "read:contacts", { auth: "body", label: "token: CONF client credentials" });
    await inspectSuccess(verdicts, "client_credentials", res, [["client_secret", conf.clientSecret ?? ""]]);
    await verdicts.check("TOKEN-04", "client_credentials: expires_in is 3600 (AMB-12)", () => {
      ensure((res.jsonOrUndefined() as TokenBody | undefined)?.expires_in === 3600, "expires_in is not 3600");
    }, { clause: "PACT-PROFILE" });
  });

  test("token-endpoint error responses are not cached either", { tag: tags("TOKEN-02"), annotation: [...reqs("TOKEN-02"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const cases: Array<[string, Array<[string, string]>, Array<[string, string]>]> = [
      ["invalid_request (no grant_type)", [["scope", "read:contacts"]], basicHeader(conf)],
      ["unsupported_grant_type", [["grant_type", "password"]], basicHeader(conf)],
      ["invalid_client (wrong secret)", [["grant_type", "client_credentials"], ["scope", "read:contacts"]], basicHeader(conf, "not-the-secret")],
      ["invalid_grant (unknown code)", [["grant_type", "authorization_code"], ["code", "no-such-code-0000000000"], ["redirect_uri", conf.redirectUris[0] ?? ""], ["code_verifier", "v".repeat(43)]], basicHeader(conf)],
    ];
    for (const [name, form, headers] of cases) {
      await verdicts.check("TOKEN-02", `${name}: the error carries Cache-Control: no-store and Pragma: no-cache`, async () => {
        const res = await postToken(client, form, `token: ${name}`, headers);
        ensureNot5xx(res);
        ensure(res.status >= 400, `expected an error, got ${res.status}`);
        ensureNoStore(res);
      }, { clause: "also on error responses" });
    }
    // Refusals before any grant is looked at are token-endpoint error responses too: the wrong method
    // (TOKEN-05) and a body over the size limit (TOKEN-14 lists 405 and 413 among its statuses).
    const refusals: Array<[string, () => Promise<HttpResponse>]> = [
      ["GET /oauth/token", () => client.get(TOKEN_PATH, { query: [["grant_type", "client_credentials"]], label: "token: GET" })],
      ["a 1 MB body", () => postToken(client, [["grant_type", "client_credentials"], ["scope", "a".repeat(1024 * 1024)]], "token: 1 MB body", basicHeader(conf))],
    ];
    for (const [name, send] of refusals) {
      await verdicts.check("TOKEN-02", `${name}: the refusal carries Cache-Control: no-store and Pragma: no-cache`, async () => {
        const res = await send();
        ensureNot5xx(res);
        ensure(res.status >= 400, `expected an error, got ${res.status}`);
        ensureNoStore(res);
      }, { clause: "also on error responses" });
    }
  });
});
