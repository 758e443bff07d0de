import { randomBytes } from "node:crypto";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { authorizeRequest, ensureNoRedirectError, isConsentPage, sendAuthorize } from "../checks/authz.ts";
import { AdminSession } from "../flows/admin.ts";

/** Port texts that are not a decimal port 1–65535 without leading zeros. */
const NOT_PORTS = ["0", "080", "65536", "99999", "1e3", "+80"];

test.describe("AUTHZ-04 loopback redirects accept any port and nothing else varies", () => {
  test("port texts outside 1–65535, and a second port before a registered one, are rejected", { tag: tags("AUTHZ-04"), annotation: [...reqs("AUTHZ-04"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const loopbacks = (target.apps.cli?.redirectUris ?? []).filter((u) => /^http:\/\/(127\.0\.0\.1|\[::1\])(?=[/?]|$)/.test(u));
    const cli = target.apps.cli;
    if (!cli || loopbacks.length === 0) verdicts.skip("AUTHZ-04", "the target file names no CLI app with a loopback redirect URI registered without a port", "non-ports are rejected");
    else {
      for (const uri of loopbacks) {
        for (const port of NOT_PORTS) {
          const u = uri.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\]))/, `$1:${port}`);
          const res = await sendAuthorize(session, authorizeRequest({ client: cli, redirectUri: u }).pairs, { label: `authorize: loopback port ${port}` });
          await verdicts.check("AUTHZ-04", `${JSON.stringify(u)} (port "${port}") gives a no-redirect error (RFC 8252 §7.3: a port; RFC 6749 §3.1.2.3)`, () => ensureNoRedirectError(res, target, { supplied: u }));
        }
      }
    }
    const spa = target.apps.spa;
    const withRegisteredPort = spa.redirectUris.find((u) => /^http:\/\/(127\.0\.0\.1|\[::1\]):\d+/.test(u));
    if (!withRegisteredPort) return verdicts.skip("AUTHZ-04", "the SPA app registers no loopback URI with a port", "a loopback URI registered with a port is matched exactly");
    const doubled = withRegisteredPort.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\])):/, "$1:1234:");
    const res = await sendAuthorize(session, authorizeRequest({ client: spa, redirectUri: doubled }).pairs, { label: "authorize: SPA loopback with a second port" });
    await verdicts.check("AUTHZ-04", `SPA's port-registered loopback URI is exact: ${doubled} gives a no-redirect error`, () => ensureNoRedirectError(res, target, { supplied: doubled }), { clause: "PACT-PROFILE" });
  });

  test("a loopback URI admits any port only on its own literal: 127.0.0.1 and [::1] do not stand in for each other", { tag: tags("AUTHZ-04"), annotation: [...reqs("AUTHZ-04"), ...needs("http", "session", "admin")] }, async ({ client, target, verdicts, codeFactory }) => {
    // The fixture CLI app registers both literals, so only apps registered with one of them show
    // whether the other is let through. RFC 8252 §7.3: the port may vary, "nothing else" (AUTHZ-04).
    const admin = await AdminSession.open(client, target);
    const session = client.withJar(await codeFactory.session());
    const tag = randomBytes(4).toString("hex");
    const cases = [
      // registered URIs (no port), a URI that must proceed, a URI that must not
      { uris: [`http://127.0.0.1/kit-${tag}`, `http://127.0.0.1?kit=${tag}`], ok: [`http://127.0.0.1:5555/kit-${tag}`, `http://127.0.0.1:5555?kit=${tag}`], refused: [`http://[::1]:5555/kit-${tag}`, `http://[::1]/kit-${tag}`, `http://[::1]:5555?kit=${tag}`] },
      { uris: ["http://[::1]"], ok: ["http://[::1]:5555"], refused: ["http://127.0.0.1:5555", "http://127.0.0.1"] },
    ];
    for (const c of cases) {
      const app = await admin.registerApp({ name: `kit-authz04-${tag}`, type: "public", redirectUris: c.uris, scopes: ["read:contacts"] });
      try {
        const identity = { clientId: app.clientId, name: `kit-authz04-${tag}`, redirectUris: c.uris, scopes: ["read:contacts"] };
        for (const u of c.ok) {
          const res = await sendAuthorize(session, authorizeRequest({ client: identity, redirectUri: u }).pairs, { label: "authorize: registered loopback literal, another port" });
          await verdicts.check("AUTHZ-04", `app registered with ${c.uris.join(", ")}: ${u} (a port added) proceeds to consent`, () => ensure(isConsentPage(res, target), `got ${res.status}, not the consent page`));
        }
        for (const u of c.refused) {
          const res = await sendAuthorize(session, authorizeRequest({ client: identity, redirectUri: u }).pairs, { label: "authorize: the other loopback literal" });
          await verdicts.check("AUTHZ-04", `app registered with ${c.uris.join(", ")} only: ${u} (the other loopback literal) gives a no-redirect error`, () => ensureNoRedirectError(res, target, { supplied: u }));
        }
      } finally {
        await admin.deleteApp(app.clientId);
      }
    }
  });
});
