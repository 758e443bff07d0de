import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureNot5xx, ensureTokenError } from "../checks/http.ts";
import {
  callApi,
  ensureApiAccepts,
  ensureInvalidClient,
  ensureInvalidTokenChallenge,
  ensureRefreshWorks,
  ensureRevoked200,
  errorCode,
  freshGrant,
  withinPropagation,
} from "../checks/lifecycle.ts";
import { refresh, revoke, withClientAuth } from "../flows/tokens.ts";
import { ensureNoTokens, ensureWellFormedTokenError } from "../checks/token.ts";
import type { HttpResponse } from "../http/response.ts";
import type { ProtocolClient } from "../http/client.ts";
import { ensureLiveBefore } from "../checks/liveness.ts";

/** POST /oauth/revoke with exactly these pairs and headers (RFC 7009 §2.1). */
function revokeRaw(client: ProtocolClient, form: Array<[string, string]>, headers: Array<[string, string]>, label: string): Promise<HttpResponse> {
  return client.postForm("/oauth/revoke", form, { headers, label });
}

test.describe("REVOKE-01 The revocation request shape works", () => {
  test("POST /oauth/revoke with token, optional hint and client authentication answers 200", { tag: tags("REVOKE-01"), annotation: [...reqs("REVOKE-01"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const { spa, conf } = target.apps;
    const s = await freshGrant(client, codeFactory, spa);
    await verdicts.check("REVOKE-01", "public client: token + client_id, no hint → 200 (RFC 7009 §2.1, §2.2)", async () => {
      ensureRevoked200(await revoke(client, spa, s.access, { label: "revoke: SPA access token" }), "SPA access token");
    });
    await verdicts.check("REVOKE-01", "public client: token + token_type_hint=refresh_token + client_id → 200", async () => {
      ensureRevoked200(await revoke(client, spa, s.refresh, { hint: "refresh_token", label: "revoke: SPA refresh token" }), "SPA refresh token");
    });
    const c = await freshGrant(client, codeFactory, conf);
    await verdicts.check("REVOKE-01", "confidential client via HTTP Basic: token + token_type_hint=access_token → 200 (RFC 7009 §2.1, RFC 6749 §2.3.1)", async () => {
      ensureRevoked200(await revoke(client, conf, c.access, { auth: "basic", hint: "access_token", label: "revoke: CONF access token (Basic)" }), "CONF access token via Basic");
    });
    await verdicts.check("REVOKE-01", "confidential client with client_id + client_secret in the body → 200", async () => {
      ensureRevoked200(await revoke(client, conf, c.refresh, { auth: "body", label: "revoke: CONF refresh token (body)" }), "CONF refresh token via the body");
    });
  });
});

test.describe("REVOKE-02 Invalid tokens get 200, and revocation is idempotent", () => {
  test("random, already revoked and twice-revoked tokens get 200", { tag: tags("REVOKE-02"), annotation: [...reqs("REVOKE-02"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const { spa, conf } = target.apps;
    await verdicts.check("REVOKE-02", "a random token string gets 200 (RFC 7009 §2.2)", async () => {
      ensureRevoked200(await revoke(client, spa, "not-a-token-8f3a0c", { label: "revoke: random token (SPA)" }), "random token, SPA");
      ensureRevoked200(await revoke(client, conf, "not-a-token-8f3a0c", { label: "revoke: random token (CONF)" }), "random token, CONF");
    });
    const g = await freshGrant(client, codeFactory, spa);
    await verdicts.check("REVOKE-02", "revoking the same access token twice gets 200 both times", async () => {
      ensureRevoked200(await revoke(client, spa, g.access, { label: "revoke: access token, first" }), "first revocation");
      ensureRevoked200(await revoke(client, spa, g.access, { label: "revoke: access token, again" }), "second revocation");
    });
    await verdicts.check("REVOKE-02", "revoking a refresh token, then again, gets 200 both times", async () => {
      ensureRevoked200(await revoke(client, spa, g.refresh, { label: "revoke: refresh token, first" }), "first revocation");
      ensureRevoked200(await revoke(client, spa, g.refresh, { label: "revoke: refresh token, again" }), "second revocation");
    });
  });

  test("expired access and refresh tokens get 200", { tag: tags("REVOKE-02"), annotation: [...reqs("REVOKE-02"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const clock = target.clock;
    if (!clock) {
      verdicts.skip("REVOKE-02", "expiring a token needs the target's clock (a 30-day wait is not an option)", "expired tokens");
      return;
    }
    const app = target.apps.spa;
    const g = await freshGrant(client, codeFactory, app);
    await clock.advance(30 * 86400 + target.params.SKEW_S + 1);
    await verdicts.check("REVOKE-02", "an expired access token and an expired refresh token get 200 (RFC 7009 §2.2)", async () => {
      ensureRevoked200(await revoke(client, app, g.access, { label: "revoke: expired access token" }), "expired access token");
      ensureRevoked200(await revoke(client, app, g.refresh, { label: "revoke: expired refresh token" }), "expired refresh token");
    });
  });

  test("property: every random token string (1..4096 characters) gets 200", { tag: tags("REVOKE-02"), annotation: [...reqs("REVOKE-02"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const apps = [target.apps.spa, target.apps.conf];
    const token = fc.oneof(
      fc.string({ minLength: 1, maxLength: 64 }),
      fc.string({ minLength: 1, maxLength: 4096, unit: "grapheme-ascii" }),
      fc.string({ minLength: 1, maxLength: 256, unit: "binary" }),
    );
    await checkProperty(
      verdicts,
      "REVOKE-02",
      "a random token with valid client authentication gets 200, never 4xx or 5xx",
      fc.record({ token, which: fc.nat({ max: apps.length - 1 }) }),
      async ({ token: t, which }) => {
        ensureRevoked200(await revoke(client, apps[which] ?? target.apps.spa, t, { label: "revoke: random token" }), `random token of length ${t.length}`);
      },
      { numRuns: 40, examples: [{ token: "a", which: 0 }, { token: "x".repeat(4096), which: 1 }, { token: "%00+= &\u00e9", which: 0 }, { token: " ", which: 1 }] },
    );
  });
});

test.describe("REVOKE-05 token_type_hint is only a hint", () => {
  test("property: every hint × token kind revokes the token", { tag: tags("REVOKE-05"), annotation: [...reqs("REVOKE-05"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.spa;
    const hint = fc.oneof(fc.constant<string | null>(null), fc.constantFrom("access_token", "refresh_token"), fc.stringMatching(/^[a-z_]{1,16}$/));
    const kind = fc.constantFrom<"access" | "refresh">("access", "refresh");
    const examples: Array<{ hint: string | null; kind: "access" | "refresh" }> = [];
    for (const h of [null, "access_token", "refresh_token", "foo"]) for (const k of ["access", "refresh"] as const) examples.push({ hint: h, kind: k });
    await checkProperty(
      verdicts,
      "REVOKE-05",
      "hint ∈ {absent, access_token, refresh_token, random} × kind ∈ {access, refresh}: 200 and the token is revoked (RFC 7009 §2.1, §2.2)",
      fc.record({ hint, kind }),
      async ({ hint: h, kind: k }) => {
        const g = await freshGrant(client, codeFactory, app);
        const token = k === "access" ? g.access : g.refresh;
        // A revoked access token seen dead shows the revocation only if it was live before.
        if (k === "access") await ensureLiveBefore(client, g.access, "the fresh access token", "its revocation");
        ensureRevoked200(await revoke(client, app, token, { ...(h === null ? {} : { hint: h }), label: `revoke: ${k} token, hint ${h ?? "(absent)"}` }), `${k} token with hint ${h ?? "(absent)"}`);
        await withinPropagation(target, async () => {
          if (k === "access") ensureInvalidTokenChallenge(await callApi(client, g.access, "api: revoked access token"), `access token revoked with hint ${h ?? "(absent)"}`);
          else {
            // REVOKE-05 owns that the token is revoked: the refresh is refused without tokens. The
            // status and error code of that refusal are REVOKE-03's clause (400 invalid_grant), judged there (§0.1).
            const res = await refresh(client, app, g.refresh, { label: `token: refresh (refresh token revoked with hint ${h ?? "(absent)"})` });
            ensureNot5xx(res);
            ensure(res.status >= 400 && res.status < 500, `refresh token revoked with hint ${h ?? "(absent)"}: the refresh answered ${res.status}, expected a refusal`);
            ensureNoTokens(res);
          }
        });
      },
      { numRuns: 6, examples },
    );
  });
});

test.describe("REVOKE-06 Client authentication and request validation apply", () => {
  test("failed client authentication gives invalid_client and revokes nothing", { tag: tags("REVOKE-06"), annotation: [...reqs("REVOKE-06"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const { conf, spa } = target.apps;
    const g = await freshGrant(client, codeFactory, conf);
    const wrong = `${conf.clientSecret ?? ""}-not`;
    // TOKEN-07 shape: 401 with a challenge; via the body, 400 without one is tolerated under --profile rfc (RFC 6749 §5.2).
    const bodyStatuses = verdicts.accepted([401], [400]);
    await verdicts.check("REVOKE-06", "CONF with client_id but no secret gets invalid_client (RFC 7009 §2.1)", async () => {
      ensureInvalidClient(await revokeRaw(client, [["token", g.refresh], ["client_id", conf.clientId]], [], "revoke: CONF without secret"), bodyStatuses);
    });
    await verdicts.check("REVOKE-06", "CONF with a wrong secret in the body gets invalid_client", async () => {
      ensureInvalidClient(await revokeRaw(client, [["token", g.refresh], ["client_id", conf.clientId], ["client_secret", wrong]], [], "revoke: CONF wrong secret (body)"), bodyStatuses);
    });
    // "Exactly as TOKEN-07": the challenge a 401 carries is TOKEN-07's clause (RFC 6749 §5.2), judged there (§0.1).
    await verdicts.check("REVOKE-06", "CONF with a wrong secret via Basic gets 401 invalid_client (RFC 6749 §5.2; the challenge: see TOKEN-07)", async () => {
      const { headers } = withClientAuth({ ...conf, clientSecret: wrong }, "basic", []);
      const res = await revokeRaw(client, [["token", g.refresh]], headers, "revoke: CONF wrong secret (Basic)");
      ensureInvalidClient(res, [401]);
    });
    await verdicts.check("REVOKE-06", "after the failed requests CONF's tokens still work", async () => {
      await ensureApiAccepts(client, g.access, "CONF access token after failed revocations");
      await ensureRefreshWorks(client, conf, g.refresh, "CONF refresh token after failed revocations");
    });

    const s = await freshGrant(client, codeFactory, spa);
    const anonymous = await revokeRaw(client, [["token", s.access]], [], "revoke: no client named");
    await verdicts.check("REVOKE-06", "a request naming no client is refused with a token error, and the token survives", async () => {
      ensure(anonymous.status === 400 || anonymous.status === 401, `a revocation naming no client answered ${anonymous.status}${errorCode(anonymous)}`);
      ensureSchemaError(anonymous);
      await ensureApiAccepts(client, s.access, "SPA access token after an anonymous revocation");
    });
    // PACT: 401 invalid_client; --profile rfc also accepts 400 invalid_request.
    await verdicts.check("REVOKE-06", "a request naming no client gets 401 invalid_client", () => {
      if (verdicts.profile === "rfc" && anonymous.status === 400) ensureTokenError(anonymous, ["invalid_request"]);
      else ensureInvalidClient(anonymous, [401]);
    }, { clause: "public-client" });
  });

  test("missing, empty or duplicated token, and GET, are refused", { tag: tags("REVOKE-06"), annotation: [...reqs("REVOKE-06"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const spa = target.apps.spa;
    const s = await freshGrant(client, codeFactory, spa);
    await verdicts.check("REVOKE-06", "token missing gives 400 invalid_request (RFC 7009 §2.1, §2.2.1)", async () => {
      ensureTokenError(await revokeRaw(client, [["client_id", spa.clientId]], [], "revoke: no token"), ["invalid_request"]);
    });
    await verdicts.check("REVOKE-06", "token= empty counts as omitted and gives 400 invalid_request (RFC 6749 §3.2)", async () => {
      ensureTokenError(await revokeRaw(client, [["token", ""], ["client_id", spa.clientId]], [], "revoke: empty token"), ["invalid_request"]);
    });
    const twice = await revokeRaw(client, [["token", s.access], ["token", s.access], ["client_id", spa.clientId]], [], "revoke: token twice");
    await verdicts.check("REVOKE-06", "token sent twice is refused (RFC 6749 §3.2: parameters MUST NOT repeat)", () => {
      ensure(twice.status >= 400 && twice.status < 500, `a request with token twice answered ${twice.status}`);
    });
    await verdicts.check("REVOKE-06", "token sent twice gives 400 invalid_request", () => {
      ensureTokenError(twice, ["invalid_request"]);
    }, { clause: "duplicate" });
    const get = await client.get("/oauth/revoke", { query: [["token", s.access], ["client_id", spa.clientId]], label: "revoke: GET" });
    await verdicts.check("REVOKE-06", "GET /oauth/revoke revokes nothing (RFC 7009 §2.1: POST)", async () => {
      ensure(get.status < 500, `GET /oauth/revoke answered ${get.status}`);
      await ensureApiAccepts(client, s.access, "SPA access token after GET /oauth/revoke");
    });
    await verdicts.check("REVOKE-06", "GET /oauth/revoke answers 405 or 400", () => {
      ensure(get.status === 405 || get.status === 400, `GET /oauth/revoke answered ${get.status}`);
    }, { clause: "GET" });
    const huge = await revokeRaw(client, [["token", "a".repeat(1024 * 1024)], ["client_id", spa.clientId]], [], "revoke: 1 MB body");
    await verdicts.check("REVOKE-06", "a 1 MB revocation request is refused (400 or 413) with an RFC 6749 §5.2 JSON error (RFC 7009 §2.2.1), never 5xx", () => {
      ensure(huge.status === 400 || huge.status === 413 || huge.status === 200, `a 1 MB revocation request answered ${huge.status}`);
      if (huge.status === 200) return;
      ensureWellFormedTokenError(huge);
    });
    await verdicts.check("REVOKE-06", "a 405 to GET /oauth/revoke carries Allow listing POST (RFC 9110 §15.5.6)", () => {
      if (get.status !== 405) return;
      const allow = get.headerAll("allow").join(",").split(",").map((m) => m.trim().toUpperCase());
      ensure(allow.includes("POST"), `405 with Allow ${JSON.stringify(get.headerAll("allow"))}`);
    });
  });
});

/** The body of an error answer parses as an RFC 7009 §2.2.1 error. */
function ensureSchemaError(res: HttpResponse): void {
  const body = res.jsonOrUndefined() as { error?: unknown } | undefined;
  ensure(body !== undefined && typeof body.error === "string", `the error answer has no JSON error member (${res.mediaType ?? "no content type"})`);
}
