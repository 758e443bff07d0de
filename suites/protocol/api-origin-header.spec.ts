import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensureSchema, ensureStatus } from "../checks/http.ts";
import { bearer } from "../checks/api.ts";
import { tokens } from "../flows/tokens.ts";

const CONTACTS = "/v1/contacts";

/**
 * API-01: the DOC-S4 call with a valid Bearer token gives 200 and the contact list. A single-page app
 * (a public client, DOC-S1) makes that call from its own page, so the request also carries the page's
 * `Origin` header (RFC 6454 §7; every browser adds it to a cross-origin fetch). The header does not
 * change what the API answers. Whether /v1 serves CORS is not pinned by the catalogue, so this test
 * looks at the status and body only.
 */
test.describe("API-01 The Bearer header is accepted, also with the SPA's Origin header", () => {
  test("GET /v1/contacts?limit=10 with a valid Bearer token and Origin: the SPA's origin gives 200 and the list", { tag: tags("API-01"), annotation: [...reqs("API-01"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const spa = target.apps.spa;
    const origin = new URL(spa.redirectUris[0] as string).origin;
    const t = await tokens(client, codeFactory, { client: spa, scope: "read:contacts" });
    const res = await client.get(CONTACTS, { query: [["limit", "10"]], headers: [...bearer(t.access_token), ["origin", origin]], label: `api: list contacts from ${origin}` });
    await verdicts.check("API-01", `Bearer header plus Origin: ${origin} gives 200 and a JSON list of contacts, as without Origin (DOC-S4, RFC 6750 §2.1)`, () => {
      ensureStatus(res, 200);
      ensureSchema(res, "contactList");
    });
  });
});
