import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensureTokenError } from "../checks/http.ts";
import { codeRequestPairs, ensureNoTokens, postToken } from "../checks/token.ts";
import { AdminSession, AdminUnsupported } from "../flows/admin.ts";
import { exchangeCode } from "../flows/tokens.ts";

test.describe("TOKEN-13 Duplicates are rejected, unknown parameters ignored, empty ones treated as omitted", () => {
  test("an authorization_code request without code, or with code=, gives invalid_request", { tag: tags("TOKEN-13"), annotation: [...reqs("TOKEN-13"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    const noCode = codeRequestPairs(issued, spa.clientId).filter(([n]) => n !== "code");
    for (const [name, form] of [["no code", noCode], ["code=", [...noCode, ["code", ""]]]] as const) {
      const res = await postToken(client, [...form], `token: exchange with ${name}`);
      await verdicts.check("TOKEN-13", `${name}: 400 invalid_request, no tokens (RFC 6749 §4.1.3 code REQUIRED, §3.2, §5.2)`, () => {
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_request"]);
      });
    }
  });
});

test.describe("INSTALL-05 offboarding a user revokes that user's grants", () => {
  test("a code the user approved before being deactivated gives invalid_grant", {
    tag: tags("INSTALL-05"), annotation: [...reqs("INSTALL-05"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, codeFactory, verdicts }) => {
    if (!(await target.reset())) return verdicts.skip("INSTALL-05", "deactivating a user cannot be undone over HTTP and this target cannot be reset");
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa, user: target.users.member });
    const admin = await AdminSession.open(client, target);
    try {
      await admin.deactivateUser(target.users.member.email);
    } catch (e) {
      if (!(e instanceof AdminUnsupported) && !/no row|no tab/.test(String(e))) throw e;
      return verdicts.skip("INSTALL-05", `the console offers no way to deactivate a user over HTTP: ${(e as Error).message}`);
    }
    const res = await exchangeCode(client, spa, issued, { label: "token: code of a deactivated user" });
    await verdicts.check("INSTALL-05", "the code is refused with 400 invalid_grant and no tokens (RFC 6749 §1.3.1: a code is an authorization grant)", () => {
      ensureNoTokens(res);
      ensureTokenError(res, ["invalid_grant"]);
    });
  });
});
