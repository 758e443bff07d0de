import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { callApi } from "../checks/admin.ts";
import { ensureTokenSuccess } from "../checks/lifecycle.ts";
import { clientCredentials } from "../flows/index.ts";

test.describe("CC-05 the token acts as the app, inside the registering workspace", () => {
  test("GET /v1/me never answers a client-credentials token as if it were a user", { tag: tags("CC-05"), annotation: [...reqs("CC-05"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const cc = ensureTokenSuccess(await clientCredentials(client, target.apps.conf, "read:contacts")).access_token;
    const res = await callApi(client, cc, "api: /v1/me as the app", "/v1/me");
    await verdicts.check("CC-05", "the app's token gets 403 from the user-only GET /v1/me, or 404 where there is none (RFC 9700 §4.15; AMB-17)", () => {
      ensure(res.status === 403 || res.status === 404, `GET /v1/me answered the app's token with ${res.status}`);
    });
  });
});
