import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureSchema, ensureStatus } from "../checks/http.ts";
import { bearer, ensureBareChallenge, ensureBearerChallenge, ensureBearerError, ensureBearerRejection, ensureChallengeCharset, ensureNoEcho, listItems } from "../checks/api.ts";
import { revoke, tokens, type TokenSet } from "../flows/tokens.ts";
import type { CodeFactory } from "../flows/code-factory.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";

const CONTACTS = "/v1/contacts";

/** DOC-S3: the SPA's code flow for read:contacts, the token DOC-S4 then uses. */
function spaTokens(client: ProtocolClient, codeFactory: CodeFactory, target: Target): Promise<TokenSet> {
  return tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
}

function callWith(client: ProtocolClient, headers: Array<[string, string]>, label: string, path = CONTACTS): Promise<HttpResponse> {
  return client.get(path, { headers, label });
}

/** One character's case changed: the last ASCII letter of the token. */
function flipCase(token: string): string | null {
  for (let i = token.length - 1; i >= 0; i--) {
    const ch = token[i] as string;
    const flipped = ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
    if (flipped !== ch) return token.slice(0, i) + flipped + token.slice(i + 1);
  }
  return null;
}

test.describe("API-01 The Bearer header is accepted", () => {
  test("GET /v1/contacts?limit=10 with Authorization: Bearer gives at most 10 contacts", { tag: tags("API-01"), annotation: [...reqs("API-01"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const t = await spaTokens(client, codeFactory, target);
    const res = await client.get(CONTACTS, { query: [["limit", "10"]], headers: bearer(t.access_token), label: "api: list contacts (DOC-S4)" });
    await verdicts.check("API-01", "Bearer header gives 200 and a JSON list of contacts (DOC-S4, RFC 6750 §2.1)", () => {
      ensureStatus(res, 200);
      ensureSchema(res, "contactList");
    }, { stopOnFailure: true });
    const items = listItems(res);
    await verdicts.check("API-01", "limit=10 returns at most 10 contacts (DOC-S4)", () => {
      ensure(items.length <= 10, `limit=10 returned ${items.length} contacts`);
    });
    if (items.length === 0) verdicts.skip("API-01", "the workspace has no contacts, so the kit cannot see that the list holds the workspace's contacts", "non-empty list");
  });
});

test.describe("API-02 Missing credentials get a bare challenge", () => {
  const cases: Array<[string, Array<[string, string]>]> = [
    ["no Authorization header", []],
    ["Basic credentials", [["authorization", "Basic dXNlcjpwYXNz"]]],
    ["Token scheme", [["authorization", "Token abcdef0123456789"]]],
    ["Digest scheme", [["authorization", 'Digest username="kit", realm="pact", nonce="abc", uri="/v1/contacts", response="0123456789abcdef"']]],
  ];
  test("no Bearer credentials give 401 with a Bearer challenge and no error code", { tag: tags("API-02"), annotation: [...reqs("API-02"), ...needs("http")] }, async ({ client, verdicts }) => {
    for (const [what, headers] of cases) {
      const res = await callWith(client, headers, `api: ${what}`);
      await verdicts.check("API-02", `${what}: 401 with WWW-Authenticate: Bearer (RFC 6750 §3)`, () => void ensureBearerRejection(res, 401), { clause: "MUST" });
      await verdicts.check("API-02", `${what}: the challenge has no error attribute (RFC 6750 §3.1)`, () => ensureBareChallenge(res), { clause: "SHOULD" });
    }
  });
});

test.describe("API-03 An invalid token gets 401 invalid_token", () => {
  test("unknown and revoked tokens give 401 invalid_token without echoing the token", { tag: tags("API-03"), annotation: [...reqs("API-03"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const unknown = "unknownTokenA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7";
    const res = await callWith(client, bearer(unknown), "api: unknown token");
    await verdicts.check("API-03", "unknown token: 401 with a Bearer challenge (RFC 6750 §3)", () => void ensureBearerRejection(res, 401), { clause: "MUST" });
    await verdicts.check("API-03", "unknown token: error=\"invalid_token\" (RFC 6750 §3.1)", () => void ensureBearerError(res, ["invalid_token"]), { clause: "SHOULD" });
    await verdicts.check("API-03", "error attributes keep to the RFC 6749 §5.2 character set; the token is not echoed", () => {
      ensureChallengeCharset(res);
      ensureNoEcho(res, unknown);
    }, { clause: "MUST" });

    // RFC 7009 §2: after revocation the token is no longer accepted (REVOKE-04), within REVOKE_PROPAGATION_S.
    const t = await spaTokens(client, codeFactory, target);
    const before = await callWith(client, bearer(t.access_token), "api: before revocation");
    ensureStatus(before, 200);
    const rv = await revoke(client, target.apps.spa, t.access_token, { hint: "access_token" });
    ensureStatus(rv, 200);
    const deadline = Date.now() + target.params.REVOKE_PROPAGATION_S * 1000;
    let after = await callWith(client, bearer(t.access_token), "api: revoked token");
    while (after.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      after = await callWith(client, bearer(t.access_token), "api: revoked token (propagation)");
    }
    await verdicts.check("API-03", "revoked token: 401 with a Bearer challenge (RFC 6750 §3)", () => void ensureBearerRejection(after, 401), { clause: "MUST" });
    await verdicts.check("API-03", "revoked token: error=\"invalid_token\" (RFC 6750 §3.1)", () => void ensureBearerError(after, ["invalid_token"]), { clause: "SHOULD" });
    await verdicts.check("API-03", "revoked token is not echoed", () => ensureNoEcho(after, t.access_token), { clause: "MUST" });
  });

  test("property: every random b64token string gets 401 invalid_token, never 200 or 5xx", { tag: tags("API-03"), annotation: [...reqs("API-03"), ...needs("http")] }, async ({ client, verdicts }) => {
    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    const b64char = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
    const b64token = fc
      .tuple(fc.string({ unit: b64char, minLength: 1, maxLength: 120 }), fc.nat({ max: 3 }))
      .map(([body, pad]) => body + "=".repeat(pad));
    await checkProperty(
      verdicts,
      "API-03",
      "random b64token → 401 with a Bearer challenge; error=invalid_token",
      b64token,
      async (tok) => {
        const res = await callWith(client, bearer(tok), "api: random b64token");
        ensureBearerRejection(res, 401);
        ensureBearerError(res, ["invalid_token"]);
        if (tok.length >= 8) ensureNoEcho(res, tok);
      },
      { numRuns: 150, examples: ["a", "A=", "-._~+/", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "x".repeat(43), "Zm9vYmFy==="] },
    );
  });
});

test.describe("API-06 A malformed Authorization header gets 400 invalid_request", () => {
  test("malformed Bearer credentials give 400 invalid_request", { tag: tags("API-06"), annotation: [...reqs("API-06"), ...needs("http")] }, async ({ client, verdicts }) => {
    const cases: Array<[string, Array<[string, string]>]> = [
      ["Bearer with no token", [["authorization", "Bearer"]]],
      ["Bearer a b", [["authorization", "Bearer a b"]]],
      ["Bearer followed only by spaces", [["authorization", "Bearer    "]]],
      ["two Authorization headers", [["authorization", "Bearer abcdefghijklmnop"], ["authorization", "Bearer qrstuvwxyz012345"]]],
    ];
    for (const [what, headers] of cases) {
      const res = await callWith(client, headers, `api: ${what}`);
      await verdicts.check("API-06", `${what}: 400 with Bearer error="invalid_request" (RFC 6750 §3.1)`, () => {
        ensureBearerRejection(res, 400);
        ensureBearerError(res, ["invalid_request"]);
      });
    }
    // API-06: a value outside b64token gets 400 invalid_request or 401 invalid_token; both pass.
    for (const tok of ["abc$def", "abc,def", "tok\u00e9n", "=abc"]) {
      const res = await callWith(client, [["authorization", `Bearer ${tok}`]], "api: token outside b64token");
      await verdicts.check("API-06", `token ${JSON.stringify(tok)} outside b64token: 400 invalid_request or 401 invalid_token (RFC 6750 §2.1)`, () => {
        ensureBearerRejection(res, [400, 401]);
        ensureBearerError(res, res.status === 400 ? ["invalid_request"] : ["invalid_token"]);
      });
    }
  });
});

test.describe("API-07 The scheme name is case-insensitive; the token is not", () => {
  test("bearer and BEARER work; a token with one character's case changed does not", { tag: tags("API-07"), annotation: [...reqs("API-07"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const t = await spaTokens(client, codeFactory, target);
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      await verdicts.check("API-07", `scheme "${scheme}" gives 200 (RFC 9110 §11.1)`, async () => {
        ensureStatus(await callWith(client, bearer(t.access_token, scheme), `api: scheme ${scheme}`), 200);
      });
    }
    const flipped = flipCase(t.access_token);
    if (flipped === null) {
      verdicts.skip("API-07", "the access token has no letter whose case could be changed", "token is case-sensitive");
      return;
    }
    await verdicts.check("API-07", "the token with one character's case changed gives 401 invalid_token (RFC 6750 §2.1)", async () => {
      const res = await callWith(client, bearer(flipped), "api: case-changed token");
      ensureBearerRejection(res, 401);
      ensureBearerError(res, ["invalid_token"]);
    });
  });
});

test.describe("API-08 Tokens in the URL or body are not honoured", () => {
  test("query and form-body tokens are not honoured; header plus query is invalid_request", { tag: tags("API-08"), annotation: [...reqs("API-08"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const t = await spaTokens(client, codeFactory, target);
    // AMB-21; RFC 6750 §2.3 (servers MAY support the query; the Pact profile does not).
    await verdicts.check("API-08", "access_token in the query alone: 401 with a bare Bearer challenge (RFC 6750 §2.3, §3.1)", async () => {
      const res = await client.get(CONTACTS, { query: [["access_token", t.access_token]], label: "api: query token only" });
      ensureBearerRejection(res, 401);
      ensureBareChallenge(res);
    });
    // RFC 6750 §2: a client MUST NOT use more than one method per request.
    await verdicts.check("API-08", "header plus access_token in the query: 400 invalid_request (RFC 6750 §2)", async () => {
      const res = await client.get(CONTACTS, { query: [["access_token", t.access_token]], headers: bearer(t.access_token), label: "api: header and query token" });
      ensureBearerRejection(res, 400);
      ensureBearerError(res, ["invalid_request"]);
    });
    // The same beside DOC-S4's own query: the token is a second method wherever it sits in the query.
    await verdicts.check("API-08", "header plus access_token after DOC-S4's limit=10: 400 invalid_request (RFC 6750 §2)", async () => {
      const res = await client.get(CONTACTS, { query: [["limit", "10"], ["access_token", t.access_token]], headers: bearer(t.access_token), label: "api: header, limit and query token" });
      ensureBearerRejection(res, 400);
      ensureBearerError(res, ["invalid_request"]);
    });
    // RFC 6750 §2.2 (form-encoded body parameter) is optional for servers; the Pact profile does not support it.
    await verdicts.check("API-08", "access_token in a form body: 401 with a bare Bearer challenge (RFC 6750 §2.2)", async () => {
      const res = await client.postForm(CONTACTS, [["access_token", t.access_token], ["name", "Body Token"], ["email", "body-token@example.test"]], { label: "api: form-body token" });
      ensureBearerRejection(res, 401);
      ensureBareChallenge(res);
    });
  });
});

test.describe("API-09 Only access tokens work as bearer credentials", () => {
  test("refresh token, code, client_secret and client_id are not bearer credentials", { tag: tags("API-09"), annotation: [...reqs("API-09"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const t = await spaTokens(client, codeFactory, target);
    const code = await codeFactory.issue({ client: target.apps.spa, scope: "read:contacts" });
    const conf = target.apps.conf;
    const candidates: Array<[string, string | undefined]> = [
      ["refresh token (RFC 6749 §1.5)", t.refresh_token],
      ["unredeemed authorization code (RFC 6749 §10.5)", code.code],
      ["client_secret (RFC 6749 §2.3.1)", conf.clientSecret],
      ["client_id", conf.clientId],
    ];
    for (const [what, value] of candidates) {
      if (value === undefined) {
        verdicts.skip("API-09", `no ${what} was issued or configured`, `${what} as Bearer`);
        continue;
      }
      await verdicts.check("API-09", `${what} as Bearer gives 401 invalid_token`, async () => {
        const res = await callWith(client, bearer(value), `api: ${what} as bearer`);
        ensureBearerRejection(res, 401);
        ensureBearerError(res, ["invalid_token"]);
        ensureBearerChallenge(res);
      });
    }
  });
});
