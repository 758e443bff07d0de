import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensureTokenError } from "../checks/http.ts";
import { withClientAuth } from "../flows/tokens.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { AppIdentity } from "../targets/schema.ts";

const SUPPORTED = new Set(["authorization_code", "refresh_token", "client_credentials"]);

// The catalogue's explicit unsupported values (TOKEN-11): always tried first.
const NAMED_UNSUPPORTED = [
  "password",
  "implicit",
  "token",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "Authorization_Code",
];

/** A token request from CONF, authenticated with Basic, so only grant_type can be wrong. */
function tokenRequest(client: ProtocolClient, app: AppIdentity, grantType: string | null, label: string) {
  const form: Array<[string, string]> = grantType === null ? [] : [["grant_type", grantType]];
  form.push(["scope", "read:contacts"]);
  const { form: body, headers } = withClientAuth(app, "basic", form);
  return client.postForm("/oauth/token", body, { headers, label });
}

test.describe("TOKEN-11 grant_type is validated", () => {
  test("missing or empty grant_type gives invalid_request", { tag: tags("TOKEN-11"), annotation: [...reqs("TOKEN-11"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    await verdicts.check("TOKEN-11", "missing grant_type gives 400 invalid_request (RFC 6749 §5.2)", async () => {
      ensureTokenError(await tokenRequest(client, target.apps.conf, null, "token: no grant_type"), ["invalid_request"]);
    });
    await verdicts.check("TOKEN-11", "empty grant_type= counts as omitted and gives 400 invalid_request (RFC 6749 §3.2)", async () => {
      ensureTokenError(await tokenRequest(client, target.apps.conf, "", "token: empty grant_type"), ["invalid_request"]);
    });
  });

  test("named unsupported grant types give unsupported_grant_type", { tag: tags("TOKEN-11"), annotation: [...reqs("TOKEN-11"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    for (const g of NAMED_UNSUPPORTED) {
      await verdicts.check("TOKEN-11", `grant_type=${g} gives 400 unsupported_grant_type`, async () => {
        ensureTokenError(await tokenRequest(client, target.apps.conf, g, `token: grant_type ${g}`), ["unsupported_grant_type"]);
      });
    }
  });

  test("property: any other grant_type gives unsupported_grant_type, never 5xx", { tag: tags("TOKEN-11"), annotation: [...reqs("TOKEN-11"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const grantType = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
        fc.constantFrom(...NAMED_UNSUPPORTED, "AUTHORIZATION_CODE", "refresh_token ", " client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"),
      )
      .filter((g) => !SUPPORTED.has(g));
    await checkProperty(
      verdicts,
      "TOKEN-11",
      "grant_type ∉ {authorization_code, refresh_token, client_credentials} gives unsupported_grant_type",
      grantType,
      async (g) => {
        ensureTokenError(await tokenRequest(client, target.apps.conf, g, "token: random grant_type"), ["unsupported_grant_type"]);
      },
      { numRuns: 100, examples: NAMED_UNSUPPORTED },
    );
  });
});
