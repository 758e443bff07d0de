import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensureTokenError, needed } from "../checks/http.ts";
import { basicHeader, codeRequestPairs, describeSecret, ensureNoTokens, ensureTokenSuccess, postToken, type TokenBody } from "../checks/token.ts";
import { AdminSession } from "../flows/admin.ts";
import { exchangeCode } from "../flows/tokens.ts";
import { newVerifier } from "../http/pkce.ts";
import { appToUninstall } from "../flows/consent.ts";

const BAD_CODE = "RFC 6749 §5.2: invalid_grant";

test.describe("TOKEN-12 A bad code gives invalid_grant", () => {
  test("property: any random string of 1..4096 characters as code gives invalid_grant", { tag: tags("TOKEN-12"), annotation: [...reqs("TOKEN-12"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const redirectUri = conf.redirectUris[0] as string;
    const verifier = newVerifier();
    const code = fc.oneof(
      fc.string({ minLength: 1, maxLength: 64 }),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 256 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 4096 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{20,64}$/),
    );
    await checkProperty(
      verdicts,
      "TOKEN-12",
      "CONF (Basic) redeeming a random code gets 400 invalid_grant, never 401, 404 or 5xx",
      code,
      async (c) => {
        const form: Array<[string, string]> = [["grant_type", "authorization_code"], ["code", c], ["redirect_uri", redirectUri], ["code_verifier", verifier]];
        const res = await postToken(client, form, `token: random code (${describeSecret(c)})`, basicHeader(conf));
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_grant"]);
      },
      { numRuns: 100, examples: ["a", "x".repeat(4096), "0", " ", "%00", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"] },
    );
  });

  test("used, foreign and token-shaped codes give invalid_grant", { tag: tags("TOKEN-12"), annotation: [...reqs("TOKEN-12"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const { spa, cli } = target.apps;
    const issued = await codeFactory.issue({ client: spa });
    const first = await exchangeCode(client, spa, issued, { label: "token: first redemption" });
    await verdicts.check("TOKEN-12", `an already used code gives 400 invalid_grant (${BAD_CODE})`, async () => {
      ensureTokenSuccess(first);
      ensureTokenError(await exchangeCode(client, spa, issued, { label: "token: used code" }), ["invalid_grant"]);
    });
    const body = first.jsonOrUndefined() as TokenBody | undefined;
    const fresh = await codeFactory.issue({ client: spa });
    for (const kind of ["access_token", "refresh_token"] as const) {
      const token = body?.[kind];
      if (typeof token !== "string") {
        verdicts.error("TOKEN-12", `could not judge: the exchange gave no ${kind}`, `an ${kind} sent as code gives invalid_grant`);
        continue;
      }
      await verdicts.check("TOKEN-12", `an ${kind} sent as code gives 400 invalid_grant`, async () => {
        const res = await postToken(client, codeRequestPairs({ ...fresh, code: token }, spa.clientId), `token: ${kind} as code`);
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_grant"]);
      });
    }
    if (!cli) verdicts.skip("TOKEN-12", "the target file names no CLI app", "a code issued to another client gives invalid_grant");
    else {
      await verdicts.check("TOKEN-12", "a code issued to another client gives 400 invalid_grant (CODE-05)", async () => {
        const other = await needed("a SPA code", () => codeFactory.issue({ client: spa }));
        ensureTokenError(await postToken(client, codeRequestPairs(other, cli.clientId), "token: SPA code by CLI"), ["invalid_grant"]);
      });
    }
  });

  test("an expired code gives invalid_grant", { tag: tags("TOKEN-12"), annotation: [...reqs("TOKEN-12"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const clock = target.clock;
    const late = target.params.CODE_TTL_MAX_S + target.params.SKEW_S;
    if (!clock) return verdicts.skip("TOKEN-12", `target has no clock control; the real-time expiry check is CODE-04's (--slow, ${late} s)`, "an expired code gives invalid_grant");
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    await clock.advance(late);
    await verdicts.check("TOKEN-12", `a code redeemed ${late} s after issue gives 400 invalid_grant`, async () => {
      ensureTokenError(await exchangeCode(client, spa, issued, { label: "token: expired code" }), ["invalid_grant"]);
    });
  });

  test("a code of an installation the admin revoked gives invalid_grant", { tag: tags("TOKEN-12"), annotation: [...reqs("TOKEN-12"), ...needs("code", "http", "admin")] }, async ({ client, target, codeFactory, verdicts, fresh }) => {
    const conf = await verdicts.precondition("an app this test may uninstall", () => appToUninstall(client, target, fresh));
    // One redeemed grant makes sure the app is in the Installed tab; the second code stays unredeemed.
    ensureTokenSuccess(await exchangeCode(client, conf, await codeFactory.issue({ client: conf }), { label: "token: install CONF" }));
    const pending = await codeFactory.issue({ client: conf });
    const admin = await AdminSession.open(client, target);
    await admin.revokeInstallation(conf.clientId);
    // AMB-13: an admin uninstall revokes unredeemed codes too, within REVOKE_PROPAGATION_S. A redemption
    // cannot be retried (a surviving code would be consumed), so the one attempt waits out the window.
    await new Promise((ok) => setTimeout(ok, target.params.REVOKE_PROPAGATION_S * 1000));
    await verdicts.check("TOKEN-12", "an unredeemed code of a revoked installation gives 400 invalid_grant", async () => {
      const res = await exchangeCode(client, conf, pending, { label: "token: code of a revoked installation" });
      ensureNoTokens(res);
      ensureTokenError(res, ["invalid_grant"]);
    });
  });
});
