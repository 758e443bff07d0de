import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus, sameSet } from "../checks/http.ts";
import { authorizeRequest, decide, ensureCodeRedirect, isConsentPage, sendAuthorize, type AuthorizeRequestParts } from "../checks/authz.ts";
import { exchangeCode } from "../flows/tokens.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";

/**
 * CONSENT-03 (DOC-S2; RFC 6749 §4.1.2): Approve on a consent page that is shown redirects with a
 * code for exactly the requested scope. A consent page stays answerable while the same user opens
 * another one (a second tab) and while other users start their own authorizations.
 */
test.describe("CONSENT-03 Approve issues a code for exactly the requested scope", () => {
  test("Approve on a consent page still issues its code after other consent pages were opened meanwhile (another tab, another user)", { tag: tags("CONSENT-03"), annotation: [...reqs("CONSENT-03"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    // A public client: it never gets silent re-approval (CONSENT-08), so each request shows consent.
    const app = target.apps.spa;
    const member = client.withJar(await codeFactory.session(target.users.member));
    const other = client.withJar(await codeFactory.session(target.users.admin));
    const open = async (c: ProtocolClient, scope: string, label: string): Promise<{ req: AuthorizeRequestParts; page: HttpResponse }> => {
      const req = authorizeRequest({ client: app, scope, state: `c03-${label}` });
      return { req, page: await sendAuthorize(c, req.pairs, { label: `authorize: ${label}` }) };
    };
    const first = app.scopes.join(" ");
    const second = app.scopes[0] as string;
    const tabA = await open(member, first, "tab-a");
    const tabB = await open(member, second, "tab-b");
    const third = await open(other, second, "other-user");
    const noPrompt = [tabA, tabB, third].find((t) => !isConsentPage(t.page, target));
    if (noPrompt) {
      verdicts.error("CONSENT-03", `could not judge: the public client's request showed no consent page (${noPrompt.page.status}), so there were not several open consent pages to answer (see CONSENT-08)`);
      return;
    }
    await verdicts.check("CONSENT-03", "Approve on the first of two open consent pages (same user) redirects with a code for its scope", async () => {
      const { final: post } = await decide(member, tabA.page, target, "approve");
      const params = ensureCodeRedirect(post, tabA.req.redirectUri, tabA.req.state, target.issuer);
      const tok = await exchangeCode(client, app, { code: params.get("code") as string, redirectUri: tabA.req.redirectUri, verifier: tabA.req.verifier });
      ensureStatus(tok, 200);
      const body = tok.json() as { scope?: unknown };
      const granted = typeof body.scope === "string" ? body.scope.split(" ").filter(Boolean) : first.split(" ");
      ensure(sameSet(granted, first.split(" ")), `granted ${JSON.stringify(granted)} for requested ${JSON.stringify(first)}`);
    });
    await verdicts.check("CONSENT-03", "Approve on the second open consent page redirects with a code too", async () => {
      const { final: post } = await decide(member, tabB.page, target, "approve");
      ensureCodeRedirect(post, tabB.req.redirectUri, tabB.req.state, target.issuer);
    });
  });
});
