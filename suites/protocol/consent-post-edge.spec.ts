import { followOnOrigin } from "../flows/login.ts";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { authorizeRequest, consentSubmission, ensureNoRedirectError, ensureNoRedirectErrorPage, isConsentPage, redirectsOffSite, sendAuthorize, sendConsent } from "../checks/authz.ts";
import { AdminSession } from "../flows/admin.ts";

test.describe("CONSENT-05 approval POST without the session it belongs to", () => {
  test("the consent form replayed without the session cookie gives a 4xx and no code", { tag: tags("CONSENT-05"), annotation: [...reqs("CONSENT-05"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const page = await sendAuthorize(session, authorizeRequest({ client: target.apps.spa }).pairs, { label: "authorize: consent page" });
    ensure(isConsentPage(page, target), `no consent page (${page.status})`);
    const sub = consentSubmission(page, target, "approve");
    const res = await followOnOrigin(client.withJar(), await sendConsent(client.withJar(), sub, { label: "consent: approve replayed without the session cookie" }), "consent");
    await verdicts.check("CONSENT-05", "approval POST carrying the form's anti-CSRF token but no session (a token of another session) gives a 4xx and no code (RFC 6749 §10.12)", () => {
      ensure(res.status >= 400 && res.status < 500, `expected a 4xx, got ${res.status}`);
      ensure(!redirectsOffSite(res, target), "the refused approval redirects to the client");
      ensure(!/[?&#]code=/.test(res.location ?? "") && !/[?&#]code=/.test(res.text), "the refused approval carries a code");
    });
  });
});

test.describe("CONSENT-05 approval POST in a body a cross-site form can send", () => {
  test("the consent form sent as text/plain with the session cookie gives a 4xx and no code", { tag: tags("CONSENT-05"), annotation: [...reqs("CONSENT-05"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const page = await sendAuthorize(session, authorizeRequest({ client: target.apps.spa }).pairs, { label: "authorize: consent page" });
    ensure(isConsentPage(page, target), `no consent page (${page.status})`);
    const sub = consentSubmission(page, target, "approve");
    // HTML's text/plain form encoding: "name=value" lines ending in CRLF, nothing escaped. Any site can
    // make a browser send it without a preflight, so it is a replay without a decodable anti-CSRF token.
    const body = sub.pairs.map(([n, v]) => `${n}=${v}\r\n`).join("");
    const res = await session.send({ method: "POST", url: sub.url, body, contentType: "text/plain", label: "consent: approve sent as text/plain" });
    await verdicts.check("CONSENT-05", "approval POST with the session cookie but a text/plain body (an enctype=text/plain form) gives a 4xx and no code (RFC 6749 §10.12)", () => {
      ensure(res.status >= 400 && res.status < 500, `expected a 4xx, got ${res.status}`);
      ensure(!redirectsOffSite(res, target), "the refused approval redirects to the client");
      ensure(!/[?&#]code=/.test(res.location ?? "") && !/[?&#]code=/.test(res.text), "the refused approval carries a code");
    });
  });
});

test.describe("AUTHZ-02 an app deleted while the user decides never gets a redirect", () => {
  test("consent opened for a kit app, the app deleted, then Deny and Approve: no-redirect errors", { tag: tags("AUTHZ-02"), annotation: [...reqs("AUTHZ-02"), ...needs("http", "session", "admin")] }, async ({ client, target, verdicts, codeFactory }) => {
    const admin = await AdminSession.open(client, target);
    const app = await admin.registerIdentity("confidential", ["read:contacts"]);
    const session = client.withJar(await codeFactory.session());
    const pages = [];
    for (const decision of ["deny", "approve"] as const) {
      const page = await sendAuthorize(session, authorizeRequest({ client: app, scope: "read:contacts" }).pairs, { label: `authorize: kit app consent (${decision})` });
      ensure(isConsentPage(page, target), `no consent page for the kit app (${page.status})`);
      pages.push({ decision, sub: consentSubmission(page, target, decision) });
    }
    await admin.deleteApp(app.clientId);
    for (const { decision, sub } of pages) {
      const res = await followOnOrigin(session, await sendConsent(session, sub, { label: `consent: ${decision} after the app was deleted` }), "consent");
      await verdicts.check("AUTHZ-02", `${decision} after the app was deleted: a no-redirect error, never a redirect to the client (RFC 6749 §4.1.2.1; INSTALL-04)`, () => ensureNoRedirectError(res, target, { supplied: app.redirectUris[0] }));
      await verdicts.check("AUTHZ-02", `${decision} after the app was deleted: the no-redirect error is a 400 text/html page (§0.4)`, () => ensureNoRedirectErrorPage(res), { clause: "PACT-PROFILE" });
    }
  });
});
