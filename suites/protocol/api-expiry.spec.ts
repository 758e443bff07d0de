import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { bearer, ensureBearerError, ensureBearerRejection } from "../checks/api.ts";
import { clientCredentials, refresh, tokens } from "../flows/tokens.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";

/** DOC-S3: "access token (valid 1 hour)"; AMB-12 extends it to every grant. */
const LIFETIME_S = 3600;

async function accessTokenOf(res: HttpResponse, what: string): Promise<string> {
  ensureStatus(res, 200);
  const at = (res.json() as { access_token?: unknown }).access_token;
  ensure(typeof at === "string", `${what}: no access_token`);
  return at;
}

function ccToken(client: ProtocolClient, target: Target): Promise<string> {
  return clientCredentials(client, target.apps.conf, "read:contacts").then((r) => accessTokenOf(r, "client credentials"));
}

function callApi(client: ProtocolClient, token: string, label: string): Promise<HttpResponse> {
  return client.get("/v1/contacts", { query: [["limit", "1"]], headers: bearer(token), label });
}

test.describe("API-05 An access token expires after 1 hour", () => {
  test("tokens of all three grants work at 3600 − SKEW and fail at 3600 + SKEW", { tag: tags("API-05"), annotation: [...reqs("API-05"), ...needs("http", "code", "clock")] }, async ({ client, target, verdicts, codeFactory }) => {
    const clock = target.clock;
    if (!clock) return verdicts.skip("API-05", "target has no clock control");
    const skew = target.params.SKEW_S;
    const code = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    ensure(code.refresh_token !== undefined, "the code exchange issued no refresh token, so the refresh grant's token cannot be tested");
    const grants: Array<[string, string]> = [
      ["authorization_code", code.access_token],
      ["refresh_token", await accessTokenOf(await refresh(client, target.apps.spa, code.refresh_token), "refresh")],
      ["client_credentials", await ccToken(client, target)],
    ];
    await clock.advance(LIFETIME_S - skew);
    for (const [grant, at] of grants) {
      await verdicts.check("API-05", `${grant} token at issue + 3600 − SKEW_S (${LIFETIME_S - skew} s): 200 (DOC-S3)`, async () => {
        ensureStatus(await callApi(client, at, `api: ${grant} token before expiry`), 200);
      });
    }
    await clock.advance(2 * skew);
    for (const [grant, at] of grants) {
      await verdicts.check("API-05", `${grant} token at issue + 3600 + SKEW_S (${LIFETIME_S + skew} s): 401 invalid_token (RFC 6749 §7, RFC 6750 §3.1)`, async () => {
        const res = await callApi(client, at, `api: ${grant} token after expiry`);
        ensureBearerRejection(res, 401);
        ensureBearerError(res, ["invalid_token"]);
      });
    }
  });

  test("property: t ∈ [0, 3600 − SKEW] is valid, t ≥ 3600 + SKEW is invalid", { tag: tags("API-05"), annotation: [...reqs("API-05"), ...needs("http", "clock")] }, async ({ client, target, verdicts }) => {
    const clock = target.clock;
    if (!clock) return verdicts.skip("API-05", "target has no clock control");
    const skew = target.params.SKEW_S;
    const valid = fc.integer({ min: 0, max: LIFETIME_S - skew });
    const invalid = fc.integer({ min: LIFETIME_S + skew, max: LIFETIME_S + skew + 7 * 86_400 });
    // The clock only moves forward: each example gets a fresh client-credentials token at the current time.
    await checkProperty(
      verdicts,
      "API-05",
      "a token used t seconds after issue works iff t ≤ 3600 − SKEW (t ≥ 3600 + SKEW fails)",
      fc.oneof(valid, invalid),
      async (t) => {
        const at = await ccToken(client, target);
        await clock.advance(t);
        const res = await callApi(client, at, `api: token at issue + ${t} s`);
        if (t <= LIFETIME_S - skew) ensureStatus(res, 200);
        else {
          ensureBearerRejection(res, 401);
          ensureBearerError(res, ["invalid_token"]);
        }
      },
      { numRuns: 25, examples: [0, 1, LIFETIME_S - skew, LIFETIME_S + skew, 30 * 86_400] },
    );
  });
});
