import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureNot5xx } from "../checks/http.ts";
import { ensureRefreshWorks, freshGrant } from "../checks/lifecycle.ts";
import { ensureNoTokens, ensureTokenSuccess, ensureWellFormedTokenError } from "../checks/token.ts";
import { refresh } from "../flows/tokens.ts";

/** Values outside RFC 6749 §3.3 `scope = scope-token *( SP scope-token )`, each built on a granted scope. */
const MALFORMED = ["read:contacts ", " read:contacts", "read:contacts  read:contacts", "read:contacts\tread:contacts", 'read:"contacts"', "read:contacts\\"];

/**
 * REFRESH-06 states only that a scope outside the grant is refused. A malformed value is not named
 * by the entry: a server may refuse it (invalid_scope or invalid_request, RFC 6749 §5.2) or read it
 * leniently. What REFRESH-06 owns is that it never widens the grant: a 200 grants only scopes of the
 * original grant (RFC 6749 §6). Refusing with a particular code is not judged here (§0.1).
 */
test.describe("REFRESH-06 Widening the scope is rejected", () => {
  test("a malformed scope never widens the grant, and a rejected one leaves the token alive", { tag: tags("REFRESH-06"), annotation: [...reqs("REFRESH-06"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.conf;
    const grant = await verdicts.precondition("a CONF grant for read:contacts", () => freshGrant(client, codeFactory, app, { scope: "read:contacts" }));
    // The refresh token to present next: a lenient server that answered 200 may have rotated it (REFRESH-03).
    let current = grant.refresh;
    for (const scope of MALFORMED) {
      await verdicts.check("REFRESH-06", `scope=${JSON.stringify(scope)} grants nothing beyond the grant's read:contacts (RFC 6749 §6)`, async () => {
        const res = await refresh(client, app, current, { scope, label: "token: refresh with a malformed scope" });
        ensureNot5xx(res);
        if (res.status !== 200) {
          ensureNoTokens(res);
          ensureWellFormedTokenError(res);
          return;
        }
        const body = ensureTokenSuccess(res);
        const granted = typeof body.scope === "string" ? body.scope.split(" ").filter((t) => t !== "") : ["read:contacts"];
        const wider = granted.filter((t) => t !== "read:contacts");
        ensure(wider.length === 0, `scope=${JSON.stringify(scope)} was granted as "${body.scope}", beyond the grant`);
        if (typeof body.refresh_token === "string") current = body.refresh_token;
      });
    }
    await verdicts.check("REFRESH-06", "after the rejected requests the presented refresh token still works", async () => {
      await ensureRefreshWorks(client, app, current, "refresh token after malformed scopes");
    }, { clause: "PACT-PROFILE" });
  });
});
