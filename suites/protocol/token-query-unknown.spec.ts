import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { withClientAuth } from "../flows/tokens.ts";

const TOKEN_PATH = "/oauth/token";

/**
 * TOKEN-13: "The authorization server MUST ignore unrecognized request parameters" (RFC 6749 §3.2). The
 * URL query of a token request is part of the request (TOKEN-05 refuses credentials there), so an
 * unrecognized parameter in it is ignored like one in the body.
 */
test.describe("TOKEN-13 unknown parameters in the token request's URL query are ignored", () => {
  test("client_credentials with foo=1 and audience=x in the URL query gives the same 200", { tag: tags("TOKEN-13"), annotation: [...reqs("TOKEN-13"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf;
    const scope = conf.scopes[0] as string;
    const { form, headers } = withClientAuth(conf, "basic", [["grant_type", "client_credentials"], ["scope", scope]]);
    const control = await client.postForm(TOKEN_PATH, form, { headers, label: "token: client credentials (control)" });
    if (control.status !== 200) return verdicts.error("TOKEN-13", `could not judge: CONF's client_credentials request did not succeed without a query (${control.status}); CC-01 reports that`, "unknown parameters in the URL query are ignored");
    const res = await client.postForm(TOKEN_PATH, form, { headers, query: [["foo", "1"], ["audience", "x"]], label: "token: client credentials, unknown parameters in the URL query" });
    await verdicts.check("TOKEN-13", "client_credentials with foo=1&audience=x in the URL query gives 200 with an access token, like without them (RFC 6749 §3.2: ignored)", () => {
      ensureStatus(res, 200);
      const body = res.jsonOrUndefined() as Record<string, unknown> | undefined;
      ensure(typeof body?.["access_token"] === "string", "no access_token in the response");
    });
  });
});
