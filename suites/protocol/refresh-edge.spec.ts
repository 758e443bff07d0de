import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensureTokenError } from "../checks/http.ts";
import { ensureRefreshWorks, freshGrant } from "../checks/lifecycle.ts";
import { ensureNoTokens } from "../checks/token.ts";
import { refresh } from "../flows/tokens.ts";

/** Values outside RFC 6749 §3.3 `scope = scope-token *( SP scope-token )`, each built on a granted scope. */
const MALFORMED = ["read:contacts ", " read:contacts", "read:contacts  read:contacts", "read:contacts\tread:contacts", 'read:"contacts"', "read:contacts\\"];

test.describe("REFRESH-06 Widening the scope is rejected", () => {
  test("a malformed scope gets invalid_scope and the token survives", { tag: tags("REFRESH-06"), annotation: [...reqs("REFRESH-06"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.conf;
    const grant = await freshGrant(client, codeFactory, app, { scope: "read:contacts" });
    for (const scope of MALFORMED) {
      await verdicts.check("REFRESH-06", `scope=${JSON.stringify(scope)} gives 400 invalid_scope and no tokens (RFC 6749 §3.3, §5.2: malformed)`, async () => {
        const res = await refresh(client, app, grant.refresh, { scope, label: "token: refresh with a malformed scope" });
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_scope"]);
      });
    }
    await verdicts.check("REFRESH-06", "after the rejected requests the presented refresh token still works", async () => {
      await ensureRefreshWorks(client, app, grant.refresh, "refresh token after malformed scopes");
    }, { clause: "PACT-PROFILE" });
  });
});
