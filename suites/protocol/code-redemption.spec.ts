import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureTokenError, needed } from "../checks/http.ts";
import {
  basicHeader,
  callApi,
  codeRequestPairs,
  ensureInvalidToken,
  ensureNoTokens,
  ensureTokenSuccess,
  eventually,
  postToken,
  tokenSpec,
} from "../checks/token.ts";
import { exchangeCode, refresh } from "../flows/tokens.ts";
import type { IssuedCode } from "../flows/code-factory.ts";
import { TransportError } from "../http/client.ts";
import { crossClientMissing, crossClientPairs, describeApp } from "../targets/identities.ts";
import type { HttpResponse } from "../http/response.ts";

function tokenOf(res: HttpResponse, name: "access_token" | "refresh_token"): string {
  const v = (res.jsonOrUndefined() as Record<string, unknown> | undefined)?.[name];
  if (typeof v !== "string") throw new Error(`the ${name} is missing from a ${res.status} response`);
  return v;
}

test.describe("CODE-01 A code works once", () => {
  test("a second redemption of a redeemed code gives invalid_grant", { tag: tags("CODE-01"), annotation: [...reqs("CODE-01"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    await verdicts.check("CODE-01", "the first redemption gives 200 with tokens (RFC 6749 §4.1.3)", async () => {
      ensureTokenSuccess(await exchangeCode(client, spa, issued, { label: "token: first redemption" }));
    }, { stopOnFailure: true });
    await verdicts.check("CODE-01", "the second redemption gives 400 invalid_grant (RFC 6749 §4.1.2, §10.5)", async () => {
      ensureTokenError(await exchangeCode(client, spa, issued, { label: "token: second redemption" }), ["invalid_grant"]);
    });
  });

  test("property: of k ∈ [2..5] sequential redemptions only the first succeeds", { tag: tags("CODE-01"), annotation: [...reqs("CODE-01"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    await checkProperty(
      verdicts,
      "CODE-01",
      "k sequential redemptions: 200 then invalid_grant k−1 times",
      fc.integer({ min: 2, max: 5 }),
      async (k) => {
        const issued = await codeFactory.issue({ client: spa });
        for (let i = 0; i < k; i++) {
          const res = await exchangeCode(client, spa, issued, { label: `token: redemption ${i + 1}/${k}` });
          if (i === 0) ensureTokenSuccess(res);
          else ensureTokenError(res, ["invalid_grant"]);
        }
      },
      { numRuns: 12, examples: [2, 5] },
    );
  });
});

test.describe("CODE-02 Replaying a code revokes the tokens it produced", () => {
  test("replay revokes the first access and refresh tokens", { tag: tags("CODE-02"), annotation: [...reqs("CODE-02"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    const first = await exchangeCode(client, spa, issued, { label: "token: first redemption" });
    const ok = await verdicts.check("CODE-02", "the first redemption gives tokens that work on /v1/contacts", async () => {
      ensureTokenSuccess(first);
      const api = await callApi(client, tokenOf(first, "access_token"), "api: first access token before replay");
      ensure(api.status === 200, `the fresh access token gets ${api.status} on /v1/contacts`);
    }, { stopOnFailure: true });
    if (ok !== "passed") return;
    const access = tokenOf(first, "access_token");
    const refreshToken = tokenOf(first, "refresh_token");
    await verdicts.check("CODE-02", "the replay itself gives 400 invalid_grant", async () => {
      ensureTokenError(await exchangeCode(client, spa, issued, { label: "token: replay" }), ["invalid_grant"]);
    });
    // RFC 6749 §4.1.2: the AS SHOULD revoke (when possible) all tokens previously issued from the code.
    await verdicts.check("CODE-02", `the first access token gets 401 invalid_token within REVOKE_PROPAGATION_S (${target.params.REVOKE_PROPAGATION_S} s)`, async () => {
      await eventually(target.params.REVOKE_PROPAGATION_S, async () => ensureInvalidToken(await callApi(client, access, "api: first access token after replay")));
    });
    // Tried once only: a retried refresh would rotate a surviving token and fake the verdict.
    await verdicts.check("CODE-02", "the first refresh token gets invalid_grant", async () => {
      ensureTokenError(await refresh(client, spa, refreshToken, { label: "token: refresh with the first refresh token after replay" }), ["invalid_grant"]);
    });
  });

  test("replay revokes the rotated successor of the refresh token too", { tag: tags("CODE-02"), annotation: [...reqs("CODE-02"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    const first = await exchangeCode(client, spa, issued, { label: "token: first redemption" });
    let successor: HttpResponse | undefined;
    const ok = await verdicts.check("CODE-02", "redeem, then refresh once (RFC 6749 §6)", async () => {
      ensureTokenSuccess(first);
      successor = await refresh(client, spa, tokenOf(first, "refresh_token"), { label: "token: refresh before replay" });
      ensureTokenSuccess(successor);
    }, { stopOnFailure: true });
    if (ok !== "passed" || !successor) return;
    const access2 = tokenOf(successor, "access_token");
    const refresh2 = (successor.jsonOrUndefined() as Record<string, unknown>).refresh_token;
    await verdicts.check("CODE-02", "the replay gives 400 invalid_grant", async () => {
      ensureTokenError(await exchangeCode(client, spa, issued, { label: "token: replay" }), ["invalid_grant"]);
    });
    await verdicts.check("CODE-02", "the access token from the refresh gets 401 invalid_token", async () => {
      await eventually(target.params.REVOKE_PROPAGATION_S, async () => ensureInvalidToken(await callApi(client, access2, "api: refreshed access token after replay")));
    });
    await verdicts.check("CODE-02", "the rotated successor refresh token gets invalid_grant", async () => {
      ensure(typeof refresh2 === "string", "the refresh response carried no refresh token (no rotation), so the first one is the live one");
      ensureTokenError(await refresh(client, spa, refresh2, { label: "token: refresh with the successor after replay" }), ["invalid_grant"]);
    });
  });
});

test.describe("CODE-03 Concurrent redemption has at most one winner", () => {
  test("property: n ∈ [2..32] parallel identical redemptions give at most one 200", { tag: tags("CODE-03"), annotation: [...reqs("CODE-03"), ...needs("code", "race")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const MAX = 32;
    const group = await client.openConnections(MAX);
    try {
      await checkProperty(
        verdicts,
        "CODE-03",
        "n identical redemptions released together: count(200) ≤ 1 (RFC 6749 §4.1.2)",
        fc.integer({ min: 2, max: MAX }),
        async (n) => {
          const issued = await codeFactory.issue({ client: spa });
          const spec = tokenSpec(codeRequestPairs(issued, spa.clientId), `token: race ×${n}`);
          const results = await group.fire(Array.from({ length: n }, () => spec));
          const transport = results.filter((r): r is TransportError => r instanceof TransportError);
          ensure(transport.length === 0, `${transport.length} of ${n} requests failed in transport: ${transport[0]?.message ?? ""}`);
          const responses = results as HttpResponse[];
          const winners = responses.filter((r) => r.status === 200).length;
          ensure(winners <= 1, `${winners} of ${n} parallel redemptions of one code got 200`);
          // CODE-03 asserts only that there is at most one winner; the losers' status and error code
          // are CODE-01's clause (a reused code gets 400 invalid_grant), not judged here (§0.1).
        },
        // Catalogue CODE-03: repeated 20 times; the edges 2 and 32 always run.
        { numRuns: 20, examples: [2, MAX] },
      );
    } finally {
      await group.close();
    }
  });
});

test.describe("CODE-04 A code lives at most 10 minutes", () => {
  test("a code works at +20 s and is dead at CODE_TTL_MAX_S + SKEW_S", { tag: tags("CODE-04"), annotation: [...reqs("CODE-04"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts, run }) => {
    const spa = target.apps.spa;
    const { CODE_TTL_MAX_S, SKEW_S } = target.params;
    const late = CODE_TTL_MAX_S + SKEW_S;
    const clock = target.clock;
    if (clock) {
      await verdicts.check("CODE-04", "a code redeemed 20 s after issue gives 200", async () => {
        const issued = await needed("a SPA code", () => codeFactory.issue({ client: spa }));
        await clock.advance(20);
        ensureTokenSuccess(await exchangeCode(client, spa, issued, { label: "token: redeem at +20 s" }));
      }, { clause: "PACT-PROFILE" });
      await verdicts.check("CODE-04", `a code redeemed at issue + ${late} s gives 400 invalid_grant (RFC 6749 §4.1.2)`, async () => {
        const issued = await needed("a SPA code", () => codeFactory.issue({ client: spa }));
        await clock.advance(late);
        ensureTokenError(await exchangeCode(client, spa, issued, { label: `token: redeem at +${late} s` }), ["invalid_grant"]);
      }, { clause: "SHOULD" });
      // Binary search of the lifetime with fresh codes: `lo` is known alive, `hi` known dead.
      await verdicts.check("CODE-04", `binary-searched lifetime is ≤ CODE_TTL_MAX_S (${CODE_TTL_MAX_S} s)`, async () => {
        let lo = 20;
        let hi = late;
        const alive = async (t: number): Promise<boolean> => {
          const issued = await codeFactory.issue({ client: spa });
          await clock.advance(t);
          const res = await exchangeCode(client, spa, issued, { label: `token: redeem at +${t} s` });
          if (res.status === 200) return true;
          ensureTokenError(res, ["invalid_grant"]);
          return false;
        };
        ensure(await alive(lo), "a code redeemed at +20 s was refused");
        ensure(!(await alive(hi)), `a code redeemed at +${hi} s was accepted`);
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (await alive(mid)) lo = mid;
          else hi = mid;
        }
        ensure(lo <= CODE_TTL_MAX_S, `a code still works ${lo} s after issue (lifetime in (${lo}, ${hi}] s)`);
      }, { clause: "SHOULD" });
      return;
    }
    if (!run.slow) {
      verdicts.skip("CODE-04", `target has no clock control and --slow was not given (the real-time check waits ${late} s)`);
      return;
    }
    test.setTimeout((late + 120) * 1000);
    const early = await codeFactory.issue({ client: spa });
    const old = await codeFactory.issue({ client: spa });
    const issuedAt = Date.now();
    const sleepUntil = (s: number) => new Promise((ok) => setTimeout(ok, Math.max(0, issuedAt + s * 1000 - Date.now())));
    await sleepUntil(20);
    await verdicts.check("CODE-04", "a code redeemed 20 s after issue gives 200 (real time)", async () => {
      ensureTokenSuccess(await exchangeCode(client, spa, early, { label: "token: redeem at +20 s" }));
    }, { clause: "PACT-PROFILE" });
    await sleepUntil(late);
    await verdicts.check("CODE-04", `a code redeemed at issue + ${late} s gives 400 invalid_grant (real time)`, async () => {
      ensureTokenError(await exchangeCode(client, spa, old, { label: `token: redeem at +${late} s` }), ["invalid_grant"]);
    }, { clause: "SHOULD" });
    verdicts.skip("CODE-04", "the binary search of the lifetime needs clock control", "binary-searched lifetime is ≤ CODE_TTL_MAX_S");
  });
});

test.describe("CODE-05 A code is bound to its client", () => {
  /**
   * The catalogue's pairs (CONF's code by CONF2, SPA's by CLI) stand for any two clients: every
   * ordered pair of distinct apps the target file names, the presenter authenticated as itself
   * (Basic for a confidential app, client_id for a public one) with the owner's verifier and
   * redirect_uri, so that only the client differs.
   */
  test("a code of one app redeemed by another, authenticated as itself, gives invalid_grant (every ordered pair of named apps)", { tag: tags("CODE-05"), annotation: [...reqs("CODE-05"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const missing = crossClientMissing(target.apps);
    if (missing !== null) return verdicts.skip("CODE-05", missing, "a code redeemed by another client");
    for (const { owner, presenter } of crossClientPairs(target.apps)) {
      const issued = await verdicts.precondition(`a code of ${describeApp(owner)}`, () => codeFactory.issue({ client: owner.app }), ["CODE-05"]);
      await verdicts.check("CODE-05", `${describeApp(owner)}'s code redeemed by ${describeApp(presenter)} (${presenter.app.clientSecret ? "Basic, its own secret" : "its client_id"}; right verifier and redirect_uri) gets 400 invalid_grant (RFC 6749 §4.1.3)`, async () => {
        const form: Array<[string, string]> = [["grant_type", "authorization_code"], ["code", issued.code], ["redirect_uri", issued.redirectUri], ["code_verifier", issued.verifier]];
        const res = presenter.app.clientSecret
          ? await postToken(client, form, `token: ${owner.role} code by ${presenter.role}`, basicHeader(presenter.app))
          : await postToken(client, codeRequestPairs(issued, presenter.app.clientId), `token: ${owner.role} code by ${presenter.role}`);
        ensure(res.status !== 200, `${presenter.app.clientId} obtained tokens with a code issued to ${owner.app.clientId}`);
        ensureTokenError(res, ["invalid_grant"]);
      });
    }
  });

  test("a CONF code sent with client_id=CONF and no secret gives 401 invalid_client", { tag: tags("CODE-05"), annotation: [...reqs("CODE-05"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const conf = target.apps.conf;
    const issued = await codeFactory.issue({ client: conf });
    await verdicts.check("CODE-05", "CONF's code in the public-client shape gets 401 invalid_client (RFC 6749 §3.2.1, TOKEN-09)", async () => {
      ensureTokenError(await postToken(client, codeRequestPairs(issued, conf.clientId), "token: CONF code without secret"), ["invalid_client"], 401);
    });
  });
});

/** AUTHZ-03's mutation operators on a redirect URI string (RFC 3986 §6.2.1: no normalisation). */
const MUTATIONS: ReadonlyArray<readonly [name: string, apply: (u: string, other: string) => string]> = [
  ["trailing slash", (u) => u.replace(/([^/?#])([?#]|$)/, "$1/$2")],
  ["host case", (u) => u.replace(/^([a-zA-Z]+:\/\/)([^/?#]+)/, (_m, s: string, h: string) => s + h.toUpperCase())],
  ["path case", (u) => u.replace(/^([a-zA-Z]+:\/\/[^/?#]+)([^?#]*)/, (_m, a: string, p: string) => a + p.toUpperCase())],
  ["scheme case", (u) => u.replace(/^[a-zA-Z]+:/, (s) => s.toUpperCase())],
  ["added query", (u) => (u.includes("?") ? `${u}&x=1` : `${u}?x=1`)],
  ["fragment", (u) => `${u}#f`],
  ["explicit default port", (u) => u.replace(/^(https?):\/\/([^/?#:]+)(?=[/?#]|$)/i, (_m, s: string, h: string) => `${s}://${h}:${s.toLowerCase() === "https" ? 443 : 80}`)],
  ["percent-encoded unreserved", (u) => u.replace(/^([a-zA-Z]+:\/\/[^/?#]+[^?#]*\/)([A-Za-z0-9])/, (_m, a: string, c: string) => `${a}%${c.charCodeAt(0).toString(16)}`)],
  ["dot segment", (u) => u.replace(/^([a-zA-Z]+:\/\/[^/?#]+)\//, "$1/./")],
  ["double slash", (u) => u.replace(/^([a-zA-Z]+:\/\/[^/?#]+)\//, "$1//")],
  ["host suffix", (u) => u.replace(/^([a-zA-Z]+:\/\/[^/?#:]+)/, "$1.evil.test")],
  ["userinfo", (u) => u.replace(/^([a-zA-Z]+:\/\/[^/?#]+)/, "$1@evil.test")],
  ["embedded in another URL", (u) => `https://evil.test/${u}`],
  ["http scheme", (u) => u.replace(/^https:/i, "http:")],
  ["leading space", (u) => ` ${u}`],
  ["trailing %00", (u) => `${u}%00`],
  ["trailing NUL", (u) => `${u}\u0000`],
  ["another registered URI", (_u, other) => other],
];

test.describe("CODE-06 A code is bound to its redirect_uri", () => {
  test("a different redirect_uri at the token endpoint gives invalid_grant; an omitted one is refused", { tag: tags("CODE-06"), annotation: [...reqs("CODE-06"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const conf = target.apps.conf;
    const redeemWith = async (redirectUri: string | null, label: string): Promise<HttpResponse> => {
      const issued = await codeFactory.issue({ client: conf });
      const form: Array<[string, string]> = [["grant_type", "authorization_code"], ["code", issued.code], ["code_verifier", issued.verifier]];
      if (redirectUri !== null) form.splice(2, 0, ["redirect_uri", redirectUri]);
      return postToken(client, form, label, basicHeader(conf));
    };
    const other = conf.redirectUris[1];
    if (other === undefined) verdicts.skip("CODE-06", "CONF has only one registered redirect URI", "another registered URI of the same client gives invalid_grant");
    else {
      await verdicts.check("CODE-06", "another registered URI of the same client gives 400 invalid_grant (RFC 6749 §4.1.3)", async () => {
        ensureTokenError(await redeemWith(other, "token: other registered redirect_uri"), ["invalid_grant"]);
      });
    }

    const cli = target.apps.cli;
    const loopback = cli?.redirectUris.find((u) => /^http:\/\/(127\.0\.0\.1|\[::1\])\//.test(u));
    if (!cli || !loopback) verdicts.skip("CODE-06", "the target file names no CLI app with a port-less loopback redirect URI", "a loopback code redeemed with another port gives invalid_grant");
    else {
      await verdicts.check("CODE-06", "a code issued for loopback :53000 and redeemed with :53001 gives 400 invalid_grant (RFC 8252 §7.3 is for the authorization request only)", async () => {
        const at = (port: number) => loopback.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\]))/, `$1:${port}`);
        const issued = await needed("a CLI code for :53000", () => codeFactory.issue({ client: cli, redirectUri: at(53000) }));
        ensureTokenError(await postToken(client, codeRequestPairs({ ...issued, redirectUri: at(53001) }, cli.clientId), "token: loopback port changed"), ["invalid_grant"]);
      });
    }

    // AMB-05: redirect_uri is required at the token endpoint; RFC 6749 §4.1.3 makes it REQUIRED when sent at authorization.
    const omitted = await redeemWith(null, "token: redirect_uri omitted");
    await verdicts.check("CODE-06", "an omitted redirect_uri is refused with 400 invalid_request or invalid_grant", () => {
      ensureTokenError(omitted, ["invalid_request", "invalid_grant"]);
    });
    await verdicts.check("CODE-06", "an omitted redirect_uri gives invalid_request", () => {
      ensureTokenError(omitted, ["invalid_request"]);
    }, { clause: "error code when omitted" });
  });

  test("property: AUTHZ-03 mutations of redirect_uri at the token endpoint give invalid_grant", { tag: tags("CODE-06"), annotation: [...reqs("CODE-06"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const conf = target.apps.conf;
    const registered = conf.redirectUris[0] as string;
    const other = conf.redirectUris[1] ?? "https://other.example.test/callback";
    const compose = (ops: readonly number[]) => ops.reduce((u, i) => (MUTATIONS[i] as (typeof MUTATIONS)[number])[1](u, other), registered);
    const ops = fc.array(fc.integer({ min: 0, max: MUTATIONS.length - 1 }), { minLength: 1, maxLength: 3 }).filter((o) => compose(o) !== registered);
    await checkProperty(
      verdicts,
      "CODE-06",
      "any composition u′ ≠ R of the AUTHZ-03 operators gives 400 invalid_grant",
      ops,
      async (o) => {
        const mutated = compose(o);
        const issued: IssuedCode = await codeFactory.issue({ client: conf });
        const form: Array<[string, string]> = [["grant_type", "authorization_code"], ["code", issued.code], ["redirect_uri", mutated], ["code_verifier", issued.verifier]];
        const res = await postToken(client, form, `token: redirect_uri ${o.map((i) => MUTATIONS[i]?.[0]).join(" + ")}`, basicHeader(conf));
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_grant"]);
      },
      // Every single operator is an explicit edge example (catalogue AUTHZ-03's list).
      { numRuns: 10, examples: MUTATIONS.map((_m, i) => [i]).filter((o) => compose(o) !== registered) },
    );
  });
});
