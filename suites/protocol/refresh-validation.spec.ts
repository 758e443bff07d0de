import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureTokenError } from "../checks/http.ts";
import { ensureInvalidClient, ensureRefreshRejected, ensureRefreshWorks, ensureRevoked200, freshGrant, rotate, withinPropagation } from "../checks/lifecycle.ts";
import { refresh, revoke, withClientAuth } from "../flows/tokens.ts";
import { crossClientMissing, crossClientPairs, describeApp } from "../targets/identities.ts";

const DAY_S = 86400;
const REFRESH_TTL_S = 30 * DAY_S;

test.describe("REFRESH-02 A refresh token lasts 30 days", () => {
  test("unused for 30 days − SKEW_S it works; for 30 days + SKEW_S it gives invalid_grant", { tag: tags("REFRESH-02"), annotation: [...reqs("REFRESH-02"), ...needs("http", "code", "clock")] }, async ({ client, target, verdicts, codeFactory }) => {
    const clock = target.clock;
    if (!clock) return verdicts.skip("REFRESH-02", "target has no clock control");
    const skew = target.params.SKEW_S;
    const app = target.apps.spa;
    const early = await freshGrant(client, codeFactory, app);
    const late = await freshGrant(client, codeFactory, app);
    await clock.advance(REFRESH_TTL_S - skew);
    await verdicts.check("REFRESH-02", "a refresh token unused for 30 days − SKEW_S still works (DOC-S3 \"valid 30 days\")", async () => {
      await ensureRefreshWorks(client, app, early.refresh, "30 days − SKEW_S after issue");
    }, { clause: "MUST" });
    await clock.advance(2 * skew);
    await verdicts.check("REFRESH-02", "a refresh token unused for 30 days + SKEW_S gives 400 invalid_grant", async () => {
      await ensureRefreshRejected(client, app, late.refresh, "30 days + SKEW_S after issue");
    }, { clause: "MUST" });
  });

  test("a token obtained by rotation on day 29 is valid until day 29 + 30", { tag: tags("REFRESH-02"), annotation: [...reqs("REFRESH-02"), ...needs("http", "code", "clock")] }, async ({ client, target, verdicts, codeFactory }) => {
    const clock = target.clock;
    if (!clock) return verdicts.skip("REFRESH-02", "target has no clock control");
    if (!verdicts.applies("REFRESH-02", "PACT-PROFILE")) return verdicts.skip("REFRESH-02", "the sliding lifetime is a PACT-PROFILE clause, not checked under --profile rfc (AMB-10)", "rotation on day 29");
    const skew = target.params.SKEW_S;
    const app = target.apps.spa;
    const grant = await freshGrant(client, codeFactory, app);
    await clock.advance(29 * DAY_S);
    const day29 = await rotate(client, grant, "rotation on day 29");
    const spare = await rotate(client, day29, "second rotation on day 29");
    // AMB-10: each refresh token counts 30 days from its own issuance.
    await clock.advance(REFRESH_TTL_S - skew);
    await verdicts.check("REFRESH-02", "the day-29 token works on day 29 + 30 − SKEW_S (counted per token, AMB-10)", async () => {
      await ensureRefreshWorks(client, app, spare.refresh, "token rotated on day 29, used 30 days − SKEW_S later");
    }, { clause: "PACT-PROFILE" });
    const fresh = await freshGrant(client, codeFactory, app);
    const last = await rotate(client, fresh, "rotation on day 59");
    await clock.advance(REFRESH_TTL_S + skew);
    await verdicts.check("REFRESH-02", "a rotated token unused for 30 days + SKEW_S gives invalid_grant (≤ 30 days per token)", async () => {
      await ensureRefreshRejected(client, app, last.refresh, "rotated token 30 days + SKEW_S after its issue");
    }, { clause: "MUST" });
  });
});

test.describe("REFRESH-07 A refresh token is bound to its client", () => {
  test("another client, or the right client without its secret, cannot use the refresh token", { tag: tags("REFRESH-07"), annotation: [...reqs("REFRESH-07"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const { conf } = target.apps;
    const confGrant = await freshGrant(client, codeFactory, conf);

    // The catalogue's pairs (CONF's token by CONF2, SPA's by CLI) stand for any two clients the file names.
    const missing = crossClientMissing(target.apps);
    if (missing !== null) verdicts.skip("REFRESH-07", missing, "a refresh token presented by another client");
    for (const { owner, presenter } of crossClientPairs(target.apps)) {
      // A fresh grant per pair: an earlier refused attempt may have ended the owner's grant, and a check of a dead token proves nothing.
      const grant = await verdicts.precondition(`a refresh token of ${describeApp(owner)}`, () => freshGrant(client, codeFactory, owner.app), ["REFRESH-07"]);
      await verdicts.check("REFRESH-07", `${describeApp(owner)}'s refresh token presented by ${describeApp(presenter)} (${presenter.app.clientSecret ? "valid credentials" : "its client_id"}) gives 400 invalid_grant (RFC 6749 §6)`, async () => {
        await ensureRefreshRejected(client, presenter.app, grant.refresh, `${owner.role} token presented by ${presenter.role}`);
      });
    }

    await verdicts.check("REFRESH-07", "CONF's refresh token sent with client_id but no secret gives 401 invalid_client (RFC 6749 §6, §3.2.1)", async () => {
      const res = await refresh(client, conf, confGrant.refresh, { auth: "none", label: "token: CONF refresh without secret" });
      ensure(res.status !== 200, "a confidential client refreshed without authenticating");
      // TOKEN-07: 401 with a challenge (PACT); RFC 6749 §5.2 allows 400 when no Authorization header was used.
      ensureInvalidClient(res, verdicts.accepted([401], [400]));
    });
  });
});

test.describe("REFRESH-08 A revoked grant cannot be refreshed (/oauth/revoke)", () => {
  test("after /oauth/revoke of the refresh token, refreshing gives invalid_grant", { tag: tags("REFRESH-08"), annotation: [...reqs("REFRESH-08"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    for (const app of [target.apps.spa, target.apps.conf]) {
      const grant = await freshGrant(client, codeFactory, app);
      const rotated = await rotate(client, grant, "rotate once before revoking");
      ensureRevoked200(await revoke(client, app, rotated.refresh, { label: "revoke: refresh token" }), "revoking the refresh token");
      await verdicts.check("REFRESH-08", `${app.clientId}: a refresh token revoked via /oauth/revoke gives 400 invalid_grant (RFC 7009 §2.1, RFC 6749 §5.2)`, async () => {
        await withinPropagation(target, () => ensureRefreshRejected(client, app, rotated.refresh, "revoked refresh token"));
      });
    }
  });
});

test.describe("REFRESH-09 Wrong token types and missing parameters are rejected", () => {
  test("access tokens, codes, random strings and missing refresh_token are refused", { tag: tags("REFRESH-09"), annotation: [...reqs("REFRESH-09"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.spa;
    const grant = await freshGrant(client, codeFactory, app);
    const unredeemed = await codeFactory.issue({ client: app });
    const post = (form: Array<[string, string]>, label: string) => {
      const { form: body, headers } = withClientAuth(app, "none", form);
      return client.postForm("/oauth/token", body, { headers, label });
    };
    await verdicts.check("REFRESH-09", "an access token sent as refresh_token gives 400 invalid_grant (RFC 6749 §5.2)", async () => {
      await ensureRefreshRejected(client, app, grant.access, "access token as refresh_token");
    });
    await verdicts.check("REFRESH-09", "an authorization code sent as refresh_token gives 400 invalid_grant", async () => {
      await ensureRefreshRejected(client, app, unredeemed.code, "authorization code as refresh_token");
    });
    await verdicts.check("REFRESH-09", "a missing refresh_token gives 400 invalid_request (RFC 6749 §6)", async () => {
      ensureTokenError(await post([["grant_type", "refresh_token"]], "token: refresh without refresh_token"), ["invalid_request"]);
    });
    await verdicts.check("REFRESH-09", "an empty refresh_token= counts as omitted and gives 400 invalid_request (RFC 6749 §3.2)", async () => {
      ensureTokenError(await post([["grant_type", "refresh_token"], ["refresh_token", ""]], "token: refresh with empty refresh_token"), ["invalid_request"]);
    });
  });

  test("property: a random refresh_token gives invalid_grant", { tag: tags("REFRESH-09"), annotation: [...reqs("REFRESH-09"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const apps = [target.apps.spa, target.apps.conf];
    await checkProperty(
      verdicts,
      "REFRESH-09",
      "every random refresh_token (1..512 characters) with valid client authentication gives 400 invalid_grant",
      fc.record({ token: fc.string({ minLength: 1, maxLength: 512, unit: "grapheme-ascii" }).filter((s) => s.trim().length > 0), which: fc.nat({ max: apps.length - 1 }) }),
      async ({ token, which }) => {
        const app = apps[which] ?? target.apps.spa;
        ensureTokenError(await refresh(client, app, token, { label: "token: random refresh_token" }), ["invalid_grant"]);
      },
      { numRuns: 60, examples: [{ token: "x", which: 0 }, { token: "a".repeat(512), which: 1 }] },
    );
  });
});
