import { CheckError, test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureTokenError, needed } from "../checks/http.ts";
import {
  AuthFailureBudget,
  basicHeader,
  codeRequestPairs,
  ensureBasicChallenge,
  ensureChallengeOn401,
  ensureInvalidClientBasic,
  ensureNoTokens,
  ensureTokenSuccess,
  postToken,
  type TokenBody,
} from "../checks/token.ts";
import { exchangeCode, refresh, revoke, type ClientAuth } from "../flows/tokens.ts";
import { basicAuthorization } from "../http/basic.ts";
import type { HttpResponse } from "../http/response.ts";
import type { AppIdentity } from "../targets/schema.ts";

const UNKNOWN_CLIENT = "no-such-client-7f3a";
const HEADERS_COMPARED = ["content-type", "www-authenticate", "cache-control", "pragma"];

/** A client_credentials request from `clientId` with `secret`, sent by `method` (RFC 6749 §4.4.2). */
function ccRequest(client: Parameters<typeof postToken>[0], clientId: string, secret: string | null, method: "basic" | "body", label: string): Promise<HttpResponse> {
  const form: Array<[string, string]> = [["grant_type", "client_credentials"], ["scope", "read:contacts"]];
  if (method === "basic") return postToken(client, form, label, [["authorization", basicAuthorization(clientId, secret ?? "")]]);
  form.push(["client_id", clientId]);
  if (secret !== null) form.push(["client_secret", secret]);
  return postToken(client, form, label);
}

function refreshTokenOf(res: HttpResponse): string {
  const rt = (res.jsonOrUndefined() as TokenBody | undefined)?.refresh_token;
  if (typeof rt !== "string") throw new Error(`no refresh_token in the ${res.status} response`);
  return rt;
}

test.describe("TOKEN-06 Confidential clients can authenticate with HTTP Basic or in the body", () => {
  test("every grant and revocation × {Basic, body} succeeds for CONF", { tag: tags("TOKEN-06"), annotation: [...reqs("TOKEN-06"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const conf = target.apps.conf;
    const methods: ClientAuth[] = ["basic", "body"];
    let latestRefresh: string | undefined;
    for (const auth of methods) {
      await verdicts.check("TOKEN-06", `authorization_code with ${auth} authentication gives 200 (RFC 6749 §2.3.1)`, async () => {
        const issued = await needed("a CONF code", () => codeFactory.issue({ client: conf }));
        const res = await exchangeCode(client, conf, issued, { auth, label: `token: exchange, ${auth}` });
        ensureTokenSuccess(res);
        latestRefresh = refreshTokenOf(res);
      });
    }
    for (const auth of methods) {
      await verdicts.check("TOKEN-06", `refresh_token with ${auth} authentication gives 200 (RFC 6749 §6)`, async () => {
        if (latestRefresh === undefined) throw new CheckError("no refresh token to use (the exchange failed)");
        const res = await refresh(client, conf, latestRefresh, { auth, label: `token: refresh, ${auth}` });
        ensureTokenSuccess(res);
        const next = (res.jsonOrUndefined() as TokenBody).refresh_token;
        if (typeof next === "string") latestRefresh = next;
      });
    }
    for (const auth of methods) {
      await verdicts.check("TOKEN-06", `client_credentials with ${auth} authentication gives 200 (RFC 6749 §4.4.2)`, async () => {
        ensureTokenSuccess(await ccRequest(client, conf.clientId, conf.clientSecret ?? "", auth === "basic" ? "basic" : "body", `token: client credentials, ${auth}`));
      });
    }
    for (const auth of methods) {
      await verdicts.check("TOKEN-06", `/oauth/revoke with ${auth} authentication gives 200 (RFC 7009 §2.1)`, async () => {
        const cc = await ccRequest(client, conf.clientId, conf.clientSecret ?? "", auth === "basic" ? "basic" : "body", "token: a token to revoke");
        const at = (ensureTokenSuccess(cc) as TokenBody).access_token as string;
        const res = await revoke(client, conf, at, { auth, label: `revoke: ${auth}` });
        ensure(res.status === 200, `revocation answered ${res.status}`);
      });
    }
    // RFC 9110 §11.1: the auth-scheme name is case-insensitive.
    for (const scheme of ["basic", "BASIC"]) {
      await verdicts.check("TOKEN-06", `the scheme name "${scheme}" is accepted like "Basic"`, async () => {
        const form: Array<[string, string]> = [["grant_type", "client_credentials"], ["scope", "read:contacts"]];
        ensureTokenSuccess(await postToken(client, form, `token: scheme ${scheme}`, [["authorization", basicAuthorization(conf.clientId, conf.clientSecret ?? "", scheme)]]));
      });
    }
  });
});

test.describe("TOKEN-07 invalid_client returns 401 with a challenge and does not reveal which clients exist", () => {
  test("wrong secret, unknown client and missing credentials via Basic and via the body", { tag: tags("TOKEN-07"), annotation: [...reqs("TOKEN-07"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const wrong = `${conf.clientSecret ?? ""}-wrong`;
    const basicCases: Array<[string, string, string]> = [
      ["wrong secret", conf.clientId, wrong],
      ["unknown client", UNKNOWN_CLIENT, wrong],
      ["empty secret", conf.clientId, ""],
    ];
    const basic = new Map<string, HttpResponse>();
    for (const [name, id, secret] of basicCases) {
      const res = await ccRequest(client, id, secret, "basic", `token: Basic, ${name}`);
      basic.set(name, res);
      await verdicts.check("TOKEN-07", `Basic, ${name}: 401, WWW-Authenticate Basic realm, error invalid_client (RFC 6749 §5.2)`, () => ensureInvalidClientBasic(res), { clause: "the Basic case" });
    }
    const bodyCases: Array<[string, string, string | null]> = [
      ["wrong secret", conf.clientId, wrong],
      ["unknown client", UNKNOWN_CLIENT, wrong],
      ["no secret for a confidential client", conf.clientId, null],
    ];
    const body = new Map<string, HttpResponse>();
    for (const [name, id, secret] of bodyCases) {
      const res = await ccRequest(client, id, secret, "body", `token: body, ${name}`);
      body.set(name, res);
      // RFC 6749 §5.2 lets a body-authenticated failure be 400; RFC 9110 §15.5.2 requires a challenge on any 401.
      await verdicts.check("TOKEN-07", `body, ${name}: invalid_client, and a WWW-Authenticate challenge if the status is 401`, () => {
        ensureTokenError(res, ["invalid_client"], [400, 401]);
        ensureChallengeOn401(res);
      }, { clause: "a challenge on any 401" });
      await verdicts.check("TOKEN-07", `body, ${name}: 401 with a Basic challenge (AMB-15)`, () => {
        ensureTokenError(res, ["invalid_client"], 401);
        ensureBasicChallenge(res);
      }, { clause: "401 in all cases" });
    }
    const same = (a: HttpResponse | undefined, b: HttpResponse | undefined): void => {
      ensure(a && b, "a response is missing");
      ensure(a.status === b.status, `statuses differ: ${a.status} vs ${b.status}`);
      ensure(a.bodyBytes.equals(b.bodyBytes), `bodies differ: ${JSON.stringify(a.text.slice(0, 120))} vs ${JSON.stringify(b.text.slice(0, 120))}`);
      for (const h of HEADERS_COMPARED) ensure(a.headerAll(h).join("\n") === b.headerAll(h).join("\n"), `${h} differs: ${JSON.stringify(a.headerAll(h))} vs ${JSON.stringify(b.headerAll(h))}`);
    };
    await verdicts.check("TOKEN-07", "Basic: unknown client and wrong secret get identical responses (status, body bytes, headers but volatile ones)", () => same(basic.get("unknown client"), basic.get("wrong secret")), { clause: "identical bodies" });
    await verdicts.check("TOKEN-07", "body: unknown client and wrong secret get identical responses (status, body bytes, headers but volatile ones)", () => same(body.get("unknown client"), body.get("wrong secret")), { clause: "identical bodies" });
  });

  test("property: every secret other than the real one gives invalid_client, via Basic and via the body", { tag: tags("TOKEN-07"), annotation: [...reqs("TOKEN-07"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const real = conf.clientSecret ?? "";
    const budget = new AuthFailureBudget(target);
    const mutated = fc.oneof(
      fc.string({ minLength: 1, maxLength: 64 }),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 32 }),
      fc.nat().map((i) => {
        const at = i % Math.max(1, real.length);
        return real.slice(0, at) + (real[at] === "x" ? "y" : "x") + real.slice(at + 1);
      }),
      fc.integer({ min: 0, max: Math.max(0, real.length - 1) }).map((n) => real.slice(0, n)),
      fc.string({ minLength: 1, maxLength: 8 }).map((s) => real + s),
    );
    const examples: Array<[string, "basic" | "body"]> = [
      [`${real.slice(0, -1)}${real.endsWith("x") ? "y" : "x"}`, "basic"],
      [real.slice(0, -1), "body"],
      [`${real}a`, "basic"],
      ["", "basic"],
      ["", "body"],
    ];
    // Without clock control every failure spends the target's THROTTLE_N: few random examples, but
    // never none (the run's failure budget makes them wait their turn rather than trip the throttle).
    const numRuns = target.clock ? 30 : Math.max(1, Math.floor(budget.remaining / 2) - examples.length);
    for (const method of ["basic", "body"] as const) {
      await checkProperty(
        verdicts,
        "TOKEN-07",
        method === "basic"
          ? "via Basic, any secret s ≠ the real one gives 401 invalid_client with a Basic challenge (RFC 6749 §5.2)"
          : "via the body, any secret s ≠ the real one gives invalid_client, with a challenge when 401 (RFC 9110 §15.5.2)",
        mutated.filter((s) => s !== real),
        async (secret) => {
          await budget.spend();
          const res = await ccRequest(client, conf.clientId, secret, method, `token: ${method}, wrong secret`);
          if (method === "basic") return ensureInvalidClientBasic(res);
          ensureTokenError(res, ["invalid_client"], [400, 401]);
          ensureChallengeOn401(res);
        },
        { numRuns, examples: examples.filter(([, m]) => m === method).map(([s]) => s), clause: method === "basic" ? "the Basic case" : "a challenge on any 401" },
      );
    }
  });
});

test.describe("TOKEN-08 One client-authentication method per request", () => {
  test("Basic plus body secret, Basic with another body client_id, Basic with the same body client_id", { tag: tags("TOKEN-08"), annotation: [...reqs("TOKEN-08"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const base: Array<[string, string]> = [["grant_type", "client_credentials"], ["scope", "read:contacts"]];
    await verdicts.check("TOKEN-08", "Basic plus client_secret in the body gives 400 invalid_request (RFC 6749 §2.3, §5.2)", async () => {
      const res = await postToken(client, [...base, ["client_id", conf.clientId], ["client_secret", conf.clientSecret ?? ""]], "token: Basic + body secret", basicHeader(conf));
      ensureNoTokens(res);
      ensureTokenError(res, ["invalid_request"]);
    });
    await verdicts.check("TOKEN-08", "Basic plus client_secret in the body without client_id gives 400 invalid_request", async () => {
      const res = await postToken(client, [...base, ["client_secret", conf.clientSecret ?? ""]], "token: Basic + body secret, no body client_id", basicHeader(conf));
      ensureNoTokens(res);
      ensureTokenError(res, ["invalid_request"]);
    });
    const otherId = target.apps.conf2?.clientId ?? target.apps.spa.clientId;
    const mismatch = await postToken(client, [...base, ["client_id", otherId]], "token: Basic user ≠ body client_id", basicHeader(conf));
    // The catalogue tolerates 401 invalid_client for the id mismatch; it is a refusal either way (RFC 6749 §2.3).
    await verdicts.check("TOKEN-08", "Basic username ≠ body client_id is refused: 400 invalid_request or 401 invalid_client, no tokens", () => {
      ensureNoTokens(mismatch);
      if (mismatch.status === 401) ensureInvalidClientBasic(mismatch);
      else ensureTokenError(mismatch, ["invalid_request"]);
    });
    await verdicts.check("TOKEN-08", "Basic username ≠ body client_id gives 400 invalid_request", () => ensureTokenError(mismatch, ["invalid_request"]), { clause: "the id-mismatch case" });
    await verdicts.check("TOKEN-08", "Basic plus a body client_id equal to the Basic username, no body secret, is accepted", async () => {
      ensureTokenSuccess(await postToken(client, [...base, ["client_id", conf.clientId]], "token: Basic + same body client_id", basicHeader(conf)));
    });
  });
});

// TOKEN-09 and TOKEN-10 observe invalid_client answers; the WWW-Authenticate challenge of a 401 is
// TOKEN-07's clause (RFC 6749 §5.2, RFC 9110 §15.5.2) and is judged there only (catalogue §0.1).
test.describe("TOKEN-09 Confidential clients must authenticate on every grant", () => {
  test("CONF in the public-client shape gets invalid_client, and the code survives the failed attempts", { tag: tags("TOKEN-09"), annotation: [...reqs("TOKEN-09"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const conf = target.apps.conf;
    const issued = await codeFactory.issue({ client: conf });
    const status = verdicts.accepted([401], [400]);
    await verdicts.check("TOKEN-09", "authorization_code with client_id only (DOC-S3 shape) gives 401 invalid_client (RFC 6749 §4.1.3, AMB-03)", async () => {
      const res = await postToken(client, codeRequestPairs(issued, conf.clientId), "token: CONF exchange without secret");
      ensureTokenError(res, ["invalid_client"], status);
    });
    await verdicts.check("TOKEN-09", "authorization_code with a wrong body secret gives 401 invalid_client", async () => {
      const form: Array<[string, string]> = [...codeRequestPairs(issued, conf.clientId), ["client_secret", `${conf.clientSecret ?? ""}-wrong`]];
      const res = await postToken(client, form, "token: CONF exchange, wrong secret");
      ensureTokenError(res, ["invalid_client"], status);
    });
    await verdicts.check("TOKEN-09", "authorization_code with a wrong Basic secret gives 401 invalid_client", async () => {
      const form = codeRequestPairs(issued, conf.clientId).filter(([n]) => n !== "client_id");
      // The Basic challenge of this 401 is TOKEN-07's clause (RFC 6749 §5.2), not judged here (§0.1).
      ensureTokenError(await postToken(client, form, "token: CONF exchange, wrong Basic secret", basicHeader(conf, "wrong-secret")), ["invalid_client"], 401);
    });
    let rt: string | undefined;
    await verdicts.check("TOKEN-09", "after three failed client authentications the code still redeems with proper authentication (AMB-18)", async () => {
      const res = await exchangeCode(client, conf, issued, { auth: "basic", label: "token: CONF exchange, Basic" });
      ensureTokenSuccess(res);
      rt = refreshTokenOf(res);
    }, { clause: "the code is not consumed" });
    if (rt === undefined) {
      const again = await codeFactory.issue({ client: conf });
      const res = await exchangeCode(client, conf, again, { auth: "basic", label: "token: CONF exchange for a refresh token" });
      if (res.status === 200) rt = refreshTokenOf(res);
    }
    if (rt === undefined) return verdicts.error("TOKEN-09", "could not judge: no refresh token could be obtained for CONF", "refresh_token with client_id only gives invalid_client");
    const refreshToken = rt;
    await verdicts.check("TOKEN-09", "refresh_token with client_id only (DOC-S4/Refresh shape) gives 401 invalid_client (RFC 6749 §6)", async () => {
      const res = await refresh(client, conf, refreshToken, { auth: "none", label: "token: CONF refresh without secret" });
      ensureTokenError(res, ["invalid_client"], status);
    });
  });
});

test.describe("TOKEN-10 Public clients identify themselves with client_id", () => {
  test("a SPA exchange without client_id, or with an unknown one, is refused", { tag: tags("TOKEN-10"), annotation: [...reqs("TOKEN-10"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa: AppIdentity = target.apps.spa;
    const noId = await codeFactory.issue({ client: spa });
    const missing = await postToken(client, codeRequestPairs(noId, spa.clientId).filter(([n]) => n !== "client_id"), "token: SPA exchange without client_id");
    await verdicts.check("TOKEN-10", "no client_id: refused with invalid_request or invalid_client, no tokens (RFC 6749 §3.2.1)", () => {
      ensureNoTokens(missing);
      ensureTokenError(missing, ["invalid_request", "invalid_client"], [400, 401]);
    });
    await verdicts.check("TOKEN-10", "no client_id: 400 invalid_request", () => ensureTokenError(missing, ["invalid_request"]), { clause: "error codes" });
    const unknownId = await codeFactory.issue({ client: spa });
    const unknown = await postToken(client, codeRequestPairs(unknownId, UNKNOWN_CLIENT), "token: SPA code with an unknown client_id");
    await verdicts.check("TOKEN-10", "unknown client_id: refused with invalid_client, no tokens (RFC 6749 §5.2)", () => {
      ensureNoTokens(unknown);
      ensureTokenError(unknown, ["invalid_client"], [400, 401]);
    });
    await verdicts.check("TOKEN-10", "unknown client_id: 401 invalid_client", () => ensureTokenError(unknown, ["invalid_client"], 401), { clause: "error codes" });
  });
});
