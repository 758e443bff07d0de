import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { AdminSession } from "../flows/admin.ts";
import { authorizationParams, followOnOrigin, randomState } from "../flows/index.ts";
import { findFormByButton, parseForms, submitForm } from "../http/html-form.ts";
import { newPkcePair } from "../http/pkce.ts";
import type { HttpResponse } from "../http/response.ts";
import { unapprovedConfidential } from "../flows/consent.ts";

/**
 * §0.4 "Error redirect" (RFC 6749 §4.1.2.1): a 302 or 303 to the exact registered redirect URI
 * with its own query kept, error=<code>, the exact state, and no code.
 */
function ensureErrorRedirect(res: HttpResponse, registered: string, error: string, state: string): void {
  ensure(res.status === 302 || res.status === 303, `expected a 302 or 303 error redirect, got ${res.status}`);
  const loc = res.locationUrl;
  ensure(loc !== undefined, "the redirect has no usable Location");
  const reg = new URL(registered);
  ensure(loc.origin === reg.origin && loc.pathname === reg.pathname, `redirected to ${loc.origin}${loc.pathname}, registered ${reg.origin}${reg.pathname}`);
  for (const [k, v] of reg.searchParams) ensure(loc.searchParams.getAll(k).includes(v), `the registered URI's query ${k}=${v} was not kept (RFC 6749 §3.1.2)`);
  ensure(loc.searchParams.get("error") === error, `error is ${loc.searchParams.get("error") ?? "(absent)"}, expected ${error}`);
  ensure(loc.searchParams.get("state") === state, "state was not echoed byte-exact");
  ensure(!loc.searchParams.has("code") && !loc.hash.includes("code="), "the error redirect carries a code");
}

test.describe("CONSENT-04 Deny gives access_denied", () => {
  test("Deny redirects with access_denied and state, leaves no installation, and the transaction cannot be approved afterwards", {
    tag: tags("CONSENT-04"), annotation: [...reqs("CONSENT-04"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    // An app with no grant yet, so that consent is asked (CONSENT-08 lets a covering grant skip it).
    const conf = await verdicts.precondition("a confidential app no user has approved yet", () => unapprovedConfidential(client, target, fresh));
    const member = target.users.member;
    // The registered URI with a query of its own, so the check also sees it kept.
    const redirectUri = conf.redirectUris.find((u) => u.includes("?")) ?? (conf.redirectUris[0] as string);
    const admin = await AdminSession.open(client, target);
    const byMember = async (): Promise<number> => {
      const { installed } = await admin.listInstalled();
      return installed.filter((r) => r.clientId === conf.clientId || r.name === conf.name).reduce((n, r) => n + r.text.split(member.email).length - 1, 0);
    };
    const before = await byMember();

    const c = client.withJar(await codeFactory.session(member));
    const state = `deny-${randomState()}`;
    const { pairs } = authorizationParams({ client: conf, redirectUri, state, scope: "read:contacts" }, newPkcePair().verifier);
    const page = await followOnOrigin(c, await c.get("/oauth/authorize", { query: pairs, label: "authorize: for Deny" }), "authorize");
    const form = page.mediaType?.includes("html") ? findFormByButton(parseForms(page.text, page.exchange.url), target.recipe.denyButton) : undefined;
    if (!form) {
      verdicts.error("CONSENT-04", `could not judge: no consent page with a "${target.recipe.denyButton}" button was shown for an app no user had approved (status ${page.status})`);
      return;
    }
    const deny = submitForm(form, target.recipe.denyButton, {}, page.exchange.url);
    const denied = await c.send({ method: deny.method, url: deny.url, form: deny.method === "POST" ? deny.pairs : undefined, query: deny.method === "GET" ? deny.pairs : undefined, label: "consent: Deny" });
    const final = await followOnOrigin(c, denied, "consent");

    await verdicts.check("CONSENT-04", "Deny gives an error redirect with error=access_denied, the exact state and no code (RFC 6749 §4.1.2.1)", () => {
      ensureErrorRedirect(final, redirectUri, "access_denied", state);
    });
    await verdicts.check("CONSENT-04", "the denied transaction cannot be approved afterwards: no code comes back", async () => {
      const approve = submitForm(form, target.recipe.approveButton, {}, page.exchange.url);
      const res = await followOnOrigin(c, await c.send({ method: approve.method, url: approve.url, form: approve.method === "POST" ? approve.pairs : undefined, query: approve.method === "GET" ? approve.pairs : undefined, label: "consent: Approve after Deny" }), "consent");
      const loc = res.locationUrl;
      ensure(!(loc?.searchParams.has("code") ?? false) && !(loc?.hash.includes("code=") ?? false), `approving the denied transaction redirected with a code (${res.status})`);
      ensure(res.status >= 300, `approving the denied transaction answered ${res.status}, as if it were still open`);
    });
    await verdicts.check("CONSENT-04", "the app does not appear in the Installed tab for this user after Deny", async () => {
      const after = await byMember();
      ensure(after <= before, `the Installed tab names ${member.email} for ${conf.clientId} ${after} time(s) after Deny, ${before} before`);
    });
  });
});
