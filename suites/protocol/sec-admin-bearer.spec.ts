import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { bearer, ensureBearerAccepted, fp } from "../checks/admin.ts";
import { AdminSession } from "../flows/admin.ts";
import { authorizationParams, clientCredentials, followOnOrigin, tokens } from "../flows/index.ts";
import type { RequestSpec } from "../http/client.ts";
import { findFormByButton, parseForms, submitForm } from "../http/html-form.ts";
import { newPkcePair } from "../http/pkce.ts";

interface AdminCall {
  readonly what: string;
  readonly spec: RequestSpec;
}

/**
 * SEC-07 / AMB-22: admin functions are listed from the console itself (ADMIN): every same-origin
 * page under the console and every form on those pages, as the admin's browser would send them.
 */
async function adminCalls(admin: AdminSession): Promise<AdminCall[]> {
  const home = await admin.home();
  const pages = [home, ...(await admin.crawl(home))];
  const calls = new Map<string, AdminCall>();
  const origin = new URL(admin.client.baseUrl).origin;
  for (const page of pages) {
    const path = new URL(page.exchange.url);
    calls.set(`GET ${path.href}`, { what: `GET ${path.pathname}${path.search}`, spec: { method: "GET", url: path.href } });
    for (const form of parseForms(page.text, page.exchange.url)) {
      for (const b of form.buttons) {
        const sub = submitForm(form, b.accessibleName, {}, page.exchange.url);
        const u = new URL(sub.url);
        if (u.origin !== origin) continue;
        // One call per function: the same button on another row (another app, key or member) hits the same handler.
        const key = `${sub.method} ${u.pathname.split("/").slice(0, 4).join("/")} ${b.accessibleName}`;
        if (!calls.has(key)) calls.set(key, { what: `${sub.method} ${u.pathname} ("${b.accessibleName}")`, spec: { method: sub.method, url: sub.url, ...(sub.method === "POST" ? { form: sub.pairs } : { query: sub.pairs }) } });
      }
    }
  }
  return [...calls.values()];
}

test.describe("SEC-07 OAuth tokens cannot reach administration", () => {
  test("OAuth tokens of every grant and API keys, as Bearer, get 401 or 403 on every admin page and form", {
    tag: tags("SEC-07"), annotation: [...reqs("SEC-07"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    const conf = target.apps.conf;
    // The admin's own token with every scope CONF has is the strongest OAuth credential there is.
    const adminToken = await tokens(client, codeFactory, { client: conf, user: target.users.admin });
    const memberToken = await tokens(client, codeFactory, { client: target.apps.spa });
    const ccRes = await clientCredentials(client, conf, conf.scopes.join(" "));
    const cc = (ccRes.json() as { access_token?: string }).access_token;
    const admin = await AdminSession.open(client, target);
    const key = target.apiKey ?? (await admin.createApiKey(`kit-sec07-${Date.now().toString(36)}`)).key;
    const creds: Array<[string, string]> = [
      ["ADM-A's access token (authorization code)", adminToken.access_token],
      ["API key", key],
    ];
    if (typeof cc === "string") creds.push(["client-credentials token", cc]);
    const { apps: appsBefore } = await admin.listApps();
    const calls = await adminCalls(admin);

    await verdicts.check("SEC-07", "the console exposes admin functions to probe (control)", () => {
      ensure(calls.some((c) => c.spec.method === "POST"), `found no admin form to probe among ${calls.length} call(s)`);
    }, { stopOnFailure: true });

    // Bearer only, no session cookie: the credential is the only thing that could authorize.
    const bare = client.withJar();
    for (const [what, token] of creds) {
      await verdicts.check("SEC-07", `${what} as Bearer gets 401 or 403 on every admin page and form (${calls.length} calls; AMB-22)`, async () => {
        const wrong: string[] = [];
        for (const call of calls) {
          const res = await bare.send({ ...call.spec, jar: null, headers: bearer(token), label: `admin with Bearer: ${call.what}` });
          if (res.status !== 401 && res.status !== 403) wrong.push(`${call.what} → ${res.status}`);
        }
        ensure(wrong.length === 0, `${what} ${fp(token)} was not refused: ${wrong.slice(0, 6).join("; ")}${wrong.length > 6 ? ` (+${wrong.length - 6})` : ""}`);
      });
    }

    await verdicts.check("SEC-07", "approving consent with a Bearer token and no session gets 401 or 403 and no code", async () => {
      const c = client.withJar(await codeFactory.session(target.users.member));
      const { pairs } = authorizationParams({ client: target.apps.spa }, newPkcePair().verifier);
      const page = await followOnOrigin(c, await c.get("/oauth/authorize", { query: pairs, label: "authorize: capture consent form" }), "authorize");
      const form = findFormByButton(parseForms(page.text, page.exchange.url), target.recipe.approveButton);
      ensure(form !== undefined, `no consent form with "${target.recipe.approveButton}" (status ${page.status})`);
      const sub = submitForm(form, target.recipe.approveButton, {}, page.exchange.url);
      const res = await bare.send({ method: sub.method, url: sub.url, form: sub.pairs, jar: null, headers: bearer(memberToken.access_token), label: "consent: Approve with Bearer only" });
      ensure(!(res.locationUrl?.searchParams.has("code") ?? false), `approval with a Bearer token redirected with a code (${res.status})`);
      ensure(res.status === 401 || res.status === 403, `approval with a Bearer token answered ${res.status}`);
    });

    await verdicts.check("SEC-07", "nothing changed: the same apps are registered and every credential still works", async () => {
      const { apps: appsAfter } = await admin.listApps();
      const key = (a: (typeof appsBefore)[number]) => `${a.clientId}:${a.redirectUris.join(",")}`;
      if (fresh) {
        const ids = (l: typeof appsBefore) => l.map(key).sort().join(" ");
        ensure(ids(appsAfter) === ids(appsBefore), `the Apps tab changed: before ${appsBefore.length} app(s), after ${appsAfter.length}`);
      } else {
        // A shared server: other tests of this run register their own kit-… apps meanwhile. Judge this
        // test's own effect: no app that was there is gone or changed, and no app appeared that is not a kit app.
        const after = new Set(appsAfter.map(key));
        const gone = appsBefore.filter((a) => !after.has(key(a)));
        ensure(gone.length === 0, `apps changed or removed: ${gone.map((a) => a.clientId).join(", ")}`);
        const before = new Set(appsBefore.map(key));
        const strangers = appsAfter.filter((a) => !before.has(key(a)) && !/^kit-/.test(a.name));
        ensure(strangers.length === 0, `apps appeared that no kit test registered: ${strangers.map((a) => a.name || a.clientId || "(unnamed)").join(", ")}`);
      }
      for (const [what, token] of creds) await ensureBearerAccepted(client, token, what);
      await ensureBearerAccepted(client, memberToken.access_token, "USR-A's SPA access token");
    });
  });
});
