import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { callApi, ensureBearerAccepted, ensureBearerRejected, listIds, withinPropagation } from "../checks/admin.ts";
import { AdminSession } from "../flows/admin.ts";
import { clientCredentials, tokens } from "../flows/index.ts";
import type { HttpResponse } from "../http/response.ts";
import { appToUninstall } from "../flows/consent.ts";

function accessToken(res: HttpResponse): string {
  ensureStatus(res, 200);
  const body = res.json() as { access_token?: unknown };
  ensure(typeof body.access_token === "string", "no access_token in the client-credentials response");
  return body.access_token;
}

test.describe("CC-05 the token acts as the app, inside the registering workspace", () => {
  test("a client-credentials token reads only WS-A data and is never treated as a user", {
    tag: tags("CC-05"), annotation: [...reqs("CC-05"), ...needs("http", "session", "code", "multi")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    const conf = target.apps.conf;
    const userB = target.users.secondWorkspace;
    if (!userB) throw new Error("multi capability without a second-workspace user");
    const cc = accessToken(await clientCredentials(client, conf, "read:contacts"));
    const a = await tokens(client, codeFactory, { client: conf, scope: "read:contacts" });
    const b = await tokens(client, codeFactory, { client: conf, scope: "read:contacts", user: userB });
    const list = async (token: string, who: string) => {
      const res = await callApi(client, token, `api: contacts as ${who}`, "/v1/contacts?limit=100");
      ensureStatus(res, 200);
      return listIds(res);
    };

    await verdicts.check("CC-05", "the token's contact list is WS-A's and holds nothing of WS-B (DOC-S4/S2S; AMB-17)", async () => {
      const [ccIds, aIds, bIds] = [await list(cc, "the app"), new Set(await list(a.access_token, "USR-A")), new Set(await list(b.access_token, "USR-B"))];
      ensure(ccIds.length > 0, "the client-credentials token listed no contacts at all (nothing to compare)");
      const outside = ccIds.filter((id) => !aIds.has(id));
      ensure(outside.length === 0, `listed ${outside.length} contact(s) USR-A of WS-A does not see: ${outside.slice(0, 3).join(", ")}`);
      const leaked = ccIds.filter((id) => bIds.has(id));
      ensure(leaked.length === 0, `listed WS-B contacts: ${leaked.slice(0, 3).join(", ")}`);
    });
    await verdicts.check("CC-05", "a WS-B contact by id is 404 (or 403) for the token (API-10)", async () => {
      const bId = (await list(b.access_token, "USR-B"))[0];
      ensure(bId !== undefined, "USR-B sees no contact to probe with");
      const res = await callApi(client, cc, "api: WS-B contact as the app", `/v1/contacts/${encodeURIComponent(bId)}`);
      ensure(res.status === 404 || res.status === 403, `GET /v1/contacts/<WS-B id> answered ${res.status}`);
    });

    const me = await callApi(client, a.access_token, "api: /v1/me as USR-A (control)", "/v1/me");
    if (me.status !== 200) {
      verdicts.skip("CC-05", `GET /v1/me answers ${me.status} to a user's token, so it is not a user-only endpoint the kit can probe`, "a user-only endpoint gives the app's token 403");
      return;
    }
    await verdicts.check("CC-05", "the user-only endpoint GET /v1/me gives the app's token 403 (RFC 9700 §4.15)", async () => {
      const res = await callApi(client, cc, "api: /v1/me as the app", "/v1/me");
      ensureStatus(res, 403);
    });
  });

  test("the token dies when the app is uninstalled in WS-A, or deleted", {
    tag: tags("CC-05"), annotation: [...reqs("CC-05"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    const conf = await verdicts.precondition("an app this test may uninstall", () => appToUninstall(client, target, fresh));
    const admin = await AdminSession.open(client, target);
    // A user grant too, so the app is listed in the Installed tab whatever the target lists for app-only grants.
    await tokens(client, codeFactory, { client: conf, scope: "read:contacts" });
    const cc = accessToken(await clientCredentials(client, conf, "read:contacts"));
    await verdicts.check("CC-05", "the token works before the uninstall (control)", () => ensureBearerAccepted(client, cc, "client-credentials token"), { stopOnFailure: true });
    await admin.revokeInstallation(conf.clientId);
    await verdicts.check("CC-05", "after Revoke in WS-A's Installed tab the token gets 401 within REVOKE_PROPAGATION_S", () =>
      withinPropagation(target, () => ensureBearerRejected(client, cc, "client-credentials token after uninstall")),
    );

    const app = await admin.registerIdentity("confidential", ["read:contacts"]);
    const cc2 = accessToken(await clientCredentials(client, app, "read:contacts"));
    await verdicts.check("CC-05", "a new app's token works before deletion (control)", () => ensureBearerAccepted(client, cc2, "client-credentials token"), { stopOnFailure: true });
    await admin.deleteApp(app.clientId);
    await verdicts.check("CC-05", "after the app is deleted its token gets 401 within REVOKE_PROPAGATION_S", () =>
      withinPropagation(target, () => ensureBearerRejected(client, cc2, "client-credentials token after delete")),
    );
  });
});
