import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { ensureBearerChallenge } from "../checks/api.ts";
import { tokens } from "../flows/tokens.ts";

const CONTACTS = "/v1/contacts";

test.describe("API-01 The Bearer header is accepted", () => {
  test("several spaces between Bearer and the token are accepted", { tag: tags("API-01"), annotation: [...reqs("API-01"), ...needs("http", "code")] }, async ({ client, target, codeFactory, verdicts }) => {
    const t = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    for (const gap of ["  ", "   "]) {
      await verdicts.check("API-01", `"Bearer${gap}<token>" (${gap.length} spaces) gives 200 (RFC 6750 §2.1: "Bearer" 1*SP b64token)`, async () => {
        ensureStatus(await client.get(CONTACTS, { headers: [["authorization", `Bearer${gap}${t.access_token}`]], label: `api: Bearer and ${gap.length} spaces` }), 200);
      });
    }
  });
});

test.describe("API-06 A malformed Authorization header gets 400 invalid_request", () => {
  test("a live token is not honoured behind characters that cannot start a scheme", { tag: tags("API-06"), annotation: [...reqs("API-06"), ...needs("http", "code")] }, async ({ client, target, codeFactory, verdicts }) => {
    const t = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    for (const prefix of [",", "@", "(", "/"]) {
      const res = await client.get(CONTACTS, { headers: [["authorization", `${prefix}Bearer ${t.access_token}`]], label: `api: "${prefix}Bearer" scheme` });
      await verdicts.check("API-06", `"${prefix}Bearer <token>" is refused with 400 or 401 and a Bearer challenge (RFC 9110 §11.4: auth-scheme is a token)`, () => {
        ensure(res.status === 400 || res.status === 401, `status ${res.status}: the malformed header was honoured`);
        ensureBearerChallenge(res);
      });
    }
  });
});
