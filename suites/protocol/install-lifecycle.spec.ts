import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus, ensureTokenError, sameSet } from "../checks/http.ts";
import {
  ensureBearerAccepted,
  ensureBearerRejected,
  ensureCodeRejected,
  ensureNoRedirectError,
  ensureRefreshAccepted,
  ensureRefreshRejected,
  withinPropagation,
} from "../checks/admin.ts";
import { ADMIN_NAMES, AdminSession, AdminUnsupported } from "../flows/admin.ts";
import { parseForms } from "../http/html-form.ts";
import { authorizationParams, clientCredentials, exchangeCode, refresh, tokens, type TokenSet } from "../flows/index.ts";
import { newPkcePair } from "../http/pkce.ts";
import type { HttpResponse } from "../http/response.ts";
import { appToUninstall, ownApp } from "../flows/consent.ts";

/** The access token of a 200 client-credentials response (RFC 6749 §4.4.3). */
function ccToken(res: HttpResponse): string {
  ensureStatus(res, 200);
  const body = res.json() as { access_token?: unknown };
  ensure(typeof body.access_token === "string", "client-credentials response has no access_token");
  return body.access_token;
}

function refreshOf(t: TokenSet): string {
  ensure(typeof t.refresh_token === "string", `the code exchange for ${t.issued.clientId} returned no refresh_token`);
  return t.refresh_token;
}

/** Server time of a response (RFC 9110 §6.6.1 Date), or null. */
function serverDate(res: HttpResponse): number | null {
  const d = res.header("date");
  const ms = d === undefined ? Number.NaN : Date.parse(d);
  return Number.isNaN(ms) ? null : ms;
}

test.describe("INSTALL-01 admin revocation kills every token of the app in that workspace", () => {
  test("Revoke in the Installed tab kills access tokens, refresh tokens, pending codes and client-credentials tokens", {
    tag: tags("INSTALL-01", "REFRESH-08"), annotation: [...reqs("INSTALL-01", "REFRESH-08"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    const conf = await verdicts.precondition("an app this test may uninstall", () => appToUninstall(client, target, fresh));
    // Two grants of USR-A, so "every" token is more than one; one code left unredeemed.
    const first = await tokens(client, codeFactory, { client: conf });
    const second = await tokens(client, codeFactory, { client: conf, scope: "read:contacts" });
    // A grant of its own for REFRESH-08, so no earlier refresh has rotated its token.
    const third = await tokens(client, codeFactory, { client: conf, scope: "read:contacts" });
    const pending = await codeFactory.issue({ client: conf, scope: "read:contacts" });
    const cc = ccToken(await clientCredentials(client, conf, "read:contacts"));
    const admin = await AdminSession.open(client, target);

    await verdicts.check("INSTALL-01", "before the revocation every credential works (control)", async () => {
      await ensureBearerAccepted(client, first.access_token, "access token");
      await ensureBearerAccepted(client, second.access_token, "second access token");
      await ensureBearerAccepted(client, cc, "client-credentials token");
    }, { stopOnFailure: true });

    await admin.revokeInstallation(conf.clientId);

    await verdicts.check("INSTALL-01", "every access token of the app gets 401 invalid_token (DOC-S4/Revocation; RFC 6750 §3.1)", () =>
      withinPropagation(target, async () => {
        await ensureBearerRejected(client, first.access_token, "access token");
        await ensureBearerRejected(client, second.access_token, "second access token");
      }),
    );
    await verdicts.check("INSTALL-01", "every refresh token gets invalid_grant (RFC 6749 §5.2)", () =>
      withinPropagation(target, async () => {
        await ensureRefreshRejected(client, conf, refreshOf(first), "of the revoked installation");
        await ensureRefreshRejected(client, conf, refreshOf(second), "of the revoked installation");
      }),
    );
    await verdicts.check("REFRESH-08", "refresh after the app was uninstalled by an admin gives 400 invalid_grant", () =>
      withinPropagation(target, () => ensureRefreshRejected(client, conf, refreshOf(third), "after uninstall")),
    );
    await verdicts.check("INSTALL-01", "an unredeemed code gets invalid_grant (AMB-13)", () =>
      withinPropagation(target, () => ensureCodeRejected(client, conf, pending)),
      { clause: "PACT-PROFILE" },
    );
    await verdicts.check("INSTALL-01", "the app's client-credentials token for the workspace gets 401 (AMB-13, AMB-17)", () =>
      withinPropagation(target, () => ensureBearerRejected(client, cc, "client-credentials token")),
      { clause: "PACT-PROFILE" },
    );
  });
});

test.describe("INSTALL-02 revocation is scoped, and re-authorizing starts fresh", () => {
  test("other workspaces and other apps keep working; a new consent is a new grant and old tokens stay dead", {
    tag: tags("INSTALL-02"), annotation: [...reqs("INSTALL-02"), ...needs("http", "session", "code", "admin", "multi")],
  }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    const conf = await verdicts.precondition("an app this test may uninstall", () => appToUninstall(client, target, fresh));
    const userB = target.users.secondWorkspace;
    if (!userB) throw new Error("multi capability without a second-workspace user");
    const inA = await tokens(client, codeFactory, { client: conf, scope: "read:contacts" });
    const inB = await tokens(client, codeFactory, { client: conf, scope: "read:contacts", user: userB });
    const spa = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    // Unredeemed codes outside the revoked installation: the same app's in WS-B, another app's in WS-A.
    const pendingB = await codeFactory.issue({ client: conf, scope: "read:contacts", user: userB });
    const pendingSpa = await codeFactory.issue({ client: target.apps.spa, scope: "read:contacts" });
    const admin = await AdminSession.open(client, target);
    await admin.revokeInstallation(conf.clientId);

    await verdicts.check("INSTALL-02", "the revoked app's tokens in WS-A are dead (control)", () =>
      withinPropagation(target, () => ensureBearerRejected(client, inA.access_token, "WS-A access token")),
      { stopOnFailure: true },
    );
    await verdicts.check("INSTALL-02", "the same app's tokens in WS-B keep working (access and refresh)", async () => {
      await ensureBearerAccepted(client, inB.access_token, "WS-B access token");
      await ensureRefreshAccepted(client, conf, refreshOf(inB), "WS-B");
    });
    await verdicts.check("INSTALL-02", "another app's tokens in WS-A keep working (access and refresh)", async () => {
      await ensureBearerAccepted(client, spa.access_token, "SPA access token");
      await ensureRefreshAccepted(client, target.apps.spa, refreshOf(spa), "SPA");
    });
    await verdicts.check("INSTALL-02", "unredeemed codes outside the revoked installation (the app's in WS-B, another app's in WS-A) still redeem", async () => {
      ensureStatus(await exchangeCode(client, conf, pendingB, { label: "token: WS-B code of the revoked app" }), 200);
      ensureStatus(await exchangeCode(client, target.apps.spa, pendingSpa, { label: "token: SPA code in WS-A" }), 200);
    });

    const again = await tokens(client, codeFactory, { client: conf, scope: "read:contacts" });
    await verdicts.check("INSTALL-02", "a new consent after the revocation yields working tokens", async () => {
      await ensureBearerAccepted(client, again.access_token, "re-consented access token");
    });
    await verdicts.check("INSTALL-02", "the old tokens stay dead after the new consent (the old grant is not revived)", async () => {
      await ensureBearerRejected(client, inA.access_token, "old access token");
      await ensureRefreshRejected(client, conf, refreshOf(inA), "old grant");
      ensure(refreshOf(again) !== refreshOf(inA), "the new consent returned the old refresh token");
    });
    await verdicts.check("INSTALL-02", "the new grant's refresh token works", async () => {
      await ensureRefreshAccepted(client, conf, refreshOf(again), "new grant");
    });
  });
});

test.describe("INSTALL-02 an admin's actions stay in their own workspace", () => {
  // "Revocation is scoped" holds for the actor as well as for the tokens: a workspace admin manages their own
  // workspace's apps (DOC-S4: "Workspace admins can revoke your app"), never another workspace's registration
  // (RFC 9700 §2.3, as API-10 isolates the data). A throwaway app of WS-A is the target, never a fixture app, so a
  // server that fails the check loses nothing the rest of the run needs.
  test("an admin of another workspace cannot regenerate the secret of this workspace's app or delete it", {
    tag: tags("INSTALL-02"), annotation: [...reqs("INSTALL-02"), ...needs("http", "admin", "multi")],
  }, async ({ client, target, verdicts }) => {
    const adminB = target.users.secondWorkspaceAdmin;
    if (!adminB) return verdicts.skip("INSTALL-02", "the target file names no admin of a second workspace (users.secondWorkspaceAdmin)", "another workspace's admin cannot manage this workspace's apps");
    const adminA = await AdminSession.open(client, target);
    const scope = target.apps.conf.scopes[0] ?? "read:contacts";
    const app = await adminA.registerIdentity("confidential", [scope]);
    try {
      const rotate = (await adminA.rowAction(ADMIN_NAMES.appsTab, [app.clientId], ADMIN_NAMES.rotateButton)).submission;
      const del = (await adminA.rowAction(ADMIN_NAMES.appsTab, [app.clientId], ADMIN_NAMES.deleteButton)).submission;
      const secretWorks = async (when: string) => {
        const res = await clientCredentials(client, app, scope, { label: `client_credentials with the app's secret ${when}` });
        ensure(res.status === 200, `the app's secret got ${res.status} ${when}`);
      };
      const control = await verdicts.check("INSTALL-02", "control: WS-A's new confidential app authenticates with its secret", () => secretWorks("before WS-B's admin acts"), { stopOnFailure: true });
      if (control !== "passed") return;
      const asB = await AdminSession.open(client, target, adminB);
      // WS-B's admin sends WS-A's form as their own browser would: the same action and fields, their own hidden (anti-CSRF) values.
      const own = new Map(parseForms((await asB.tab(ADMIN_NAMES.appsTab)).text, target.baseUrl).flatMap((f) => f.fields).filter((f) => f.type === "hidden" && f.name !== null).map((f) => [f.name as string, f.value]));
      for (const [button, sub] of [[ADMIN_NAMES.rotateButton, rotate], [ADMIN_NAMES.deleteButton, del]] as const) {
        const res = await asB.send({ ...sub, pairs: sub.pairs.map(([n, v]) => [n, own.get(n) ?? v]) }, `admin of WS-B: "${button}" on WS-A's app`);
        await verdicts.check("INSTALL-02", `WS-B's admin sending "${button}" for WS-A's app (with WS-B's own form tokens) changes nothing: the app's secret still works`, () => secretWorks(`after WS-B's admin sent "${button}" (answered ${res.status})`));
      }
    } finally {
      await adminA.deleteApp(app.clientId).catch(() => undefined);
    }
  });
});

test.describe("INSTALL-03 only admins can revoke, and the Installed tab is accurate", () => {
  test("the Installed tab lists the app with its granted scopes, who authorized it and when", {
    tag: tags("INSTALL-03"), annotation: [...reqs("INSTALL-03"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    // The row shows this workspace's grants of the app: on a shared server CONF's row also holds other tests' grants.
    const conf = await verdicts.precondition("an app whose grants are this test's own", () => ownApp(client, target, fresh, target.apps.conf, "CONF's Installed row also shows the grants other tests hold"));
    const scope = conf.scopes.filter((s) => s !== conf.scopes[1]).join(" ");
    const granted = await tokens(client, codeFactory, { client: conf, scope });
    const issuedAt = serverDate(granted.response);
    const admin = await AdminSession.open(client, target);
    const { installed } = await admin.listInstalled();
    const row = installed.find((r) => r.clientId === conf.clientId || (conf.name !== undefined && r.name === conf.name));

    await verdicts.check("INSTALL-03", "the authorized app is listed with a Revoke button (page contract)", () => {
      ensure(row !== undefined, `no Installed row for ${conf.clientId}; rows: ${installed.map((r) => r.name).join(", ") || "(none)"}`);
      ensure(row.hasRevoke, `the row for ${conf.clientId} has no "Revoke" button`);
    }, { stopOnFailure: true });
    if (!row) return;

    await verdicts.check("INSTALL-03", "the row lists exactly the granted scopes", () => {
      ensure(sameSet(row.scopes, scope.split(" ")), `Installed row shows scopes ${JSON.stringify(row.scopes)}, granted ${JSON.stringify(scope.split(" "))}`);
    });
    await verdicts.check("INSTALL-03", "the row names who authorized the app", () => {
      ensure(row.authorizedBy.includes(target.users.member.email), `Installed row names ${JSON.stringify(row.authorizedBy)}, expected ${target.users.member.email} (row: ${row.text})`);
    });
    await verdicts.check("INSTALL-03", "the row says when the app was authorized (within SKEW_S of the consent)", () => {
      const times = [...row.authorizedAt, ...(row.text.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g) ?? [])].map((t) => Date.parse(t)).filter((t) => !Number.isNaN(t));
      ensure(times.length > 0, `Installed row shows no machine-readable time (row: ${row.text})`);
      if (issuedAt !== null) {
        const skew = target.params.SKEW_S * 1000;
        ensure(times.some((t) => Math.abs(t - issuedAt) <= skew), `Installed row times ${row.authorizedAt.join(", ")} are not within ${target.params.SKEW_S}s of the token response's Date`);
      }
    });
  });

  // "Accurate" cuts both ways: an app is listed while this workspace has a live authorization of it, and not
  // otherwise (not for another workspace's authorization, not after Revoke). A throwaway app keeps fixture apps'
  // installations out of it.
  test("the tab lists an app only while this workspace has a live authorization of it", {
    tag: tags("INSTALL-03"), annotation: [...reqs("INSTALL-03"), ...needs("http", "session", "code", "admin", "multi")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    const userB = target.users.secondWorkspace;
    if (!userB) return verdicts.skip("INSTALL-03", "the target file names no second-workspace user", "the Installed tab lists only this workspace's live authorizations");
    const admin = await AdminSession.open(client, target);
    const scope = target.apps.conf.scopes[0] ?? "read:contacts";
    const app = await admin.registerIdentity("confidential", [scope]);
    const listed = async (): Promise<boolean> => (await admin.listInstalled()).installed.some((row) => row.clientId === app.clientId || row.name === app.name);
    try {
      await tokens(client, codeFactory, { client: app, scope, user: userB });
      await verdicts.check("INSTALL-03", "an app authorized only in WS-B is not listed in WS-A's Installed tab", async () => ensure(!(await listed()), `${app.name} is listed although only WS-B authorized it`));
      await tokens(client, codeFactory, { client: app, scope });
      const shown = await verdicts.check("INSTALL-03", "control: once a WS-A member authorizes it, the app is listed", async () => ensure(await listed(), `${app.name} is not listed after a WS-A member's consent`), { stopOnFailure: true });
      if (shown !== "passed") return;
      // The authorization outlives its first access token: the refresh token lasts 30 days (REFRESH-02).
      if (target.clock) {
        await target.clock.advance(3600 + target.params.SKEW_S);
        const still = await verdicts.check("INSTALL-03", "an hour later, with only the refresh token still live, the app is still listed", async () => ensure(await listed(), `${app.name} left the tab when its first access token expired`));
        if (still !== "passed") return;
      } else verdicts.skip("INSTALL-03", "target has no clock control; waiting an hour for the access token to expire is not done", "the app stays listed while only its refresh token is live");
      await admin.revokeInstallation(app.clientId);
      await verdicts.check("INSTALL-03", "after the admin's Revoke the app is no longer listed", async () => ensure(!(await listed()), `${app.name} is still listed after Revoke`));
    } finally {
      await admin.deleteApp(app.clientId).catch(() => undefined);
    }
  });

  // A client-credentials token is the app acting in the workspace that registered it (CC-05), and it "dies
  // when CONF is uninstalled in WS-A"; INSTALL-01's Pact clause uninstalls through the Installed tab. So an app
  // that holds only client-credentials tokens here (no user ever consented) is an installation: it must be
  // listed, or the admin has no Revoke that reaches its tokens. A throwaway app keeps fixture apps out of it.
  test("an app holding only client-credentials tokens is listed, and its Revoke kills them", {
    tag: tags("INSTALL-03", "CC-05"), annotation: [...reqs("INSTALL-03", "CC-05"), ...needs("http", "session", "admin")],
  }, async ({ client, target, verdicts }) => {
    const admin = await AdminSession.open(client, target);
    const scope = target.apps.conf.scopes[0] ?? "read:contacts";
    const app = await admin.registerIdentity("confidential", [scope]);
    try {
      const cc = ccToken(await clientCredentials(client, app, scope));
      await verdicts.check("CC-05", "control: the throwaway app's client-credentials token works", () => ensureBearerAccepted(client, cc, "client-credentials token"), { stopOnFailure: true });
      const { installed } = await admin.listInstalled();
      const row = installed.find((r) => r.clientId === app.clientId || r.name === app.name);
      const listed = await verdicts.check("INSTALL-03", "an app that holds only client-credentials tokens in this workspace is listed with a Revoke button", () => {
        ensure(row !== undefined, `${app.name} is not listed although its client-credentials token for this workspace is live; rows: ${installed.map((r) => r.name).join(", ") || "(none)"}`);
        ensure(row.hasRevoke, `the row for ${app.name} has no "Revoke" button`);
      });
      if (listed !== "passed") return verdicts.error("CC-05", "could not judge: the app is not on the Installed tab, so it cannot be uninstalled there (see INSTALL-03)", "the client-credentials token dies when the app is uninstalled");
      await admin.revokeInstallation(app.clientId);
      await verdicts.check("CC-05", "after the admin's Revoke the client-credentials token gets 401 (INSTALL-01, AMB-17)", () =>
        withinPropagation(target, () => ensureBearerRejected(client, cc, "client-credentials token")),
      );
    } finally {
      await admin.deleteApp(app.clientId).catch(() => undefined);
    }
  });

  test("a member replaying the admin's Revoke request gets 403 and the tokens survive", {
    tag: tags("INSTALL-03"), annotation: [...reqs("INSTALL-03"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    const conf = target.apps.conf;
    const granted = await tokens(client, codeFactory, { client: conf, scope: "read:contacts" });
    const admin = await AdminSession.open(client, target);
    const revoke = await admin.revokeInstallationRequest(conf.clientId);
    const memberJar = await codeFactory.session(target.users.member);
    const asMember = client.withJar(memberJar);

    await verdicts.check("INSTALL-03", "a member opening the console is refused or offered no Revoke", async () => {
      const res = await asMember.get(target.recipe.adminPath, { label: "admin: console as member" });
      const page = await asMember.get(`${target.recipe.adminPath}?tab=installed`, { label: "admin: Installed as member" });
      for (const r of [res, page]) {
        ensure(r.status === 403 || (r.status === 200 && !/>\s*Revoke\s*</.test(r.text)) || (r.isRedirect && r.locationUrl?.origin === new URL(client.baseUrl).origin),
          `member got ${r.status} on ${new URL(r.exchange.url).pathname}${new URL(r.exchange.url).search}${r.status === 200 ? " with a Revoke button" : ""}`);
      }
    });
    await verdicts.check("INSTALL-03", "the admin's Revoke request replayed with a member's session gets 403", async () => {
      const res = await asMember.send({ method: revoke.method, url: revoke.url, form: revoke.pairs, label: "admin: Revoke replayed as member" });
      ensureStatus(res, 403);
    });
    await verdicts.check("INSTALL-03", "after the refused replay the app's tokens are unaffected", async () => {
      await ensureBearerAccepted(client, granted.access_token, "access token");
      await ensureRefreshAccepted(client, conf, refreshOf(granted), "after refused revoke");
    });
  });
});

test.describe("INSTALL-04 deleting an app, or rotating its secret", () => {
  test("deleting an app kills its tokens in every workspace and its authorization requests no longer redirect", {
    tag: tags("INSTALL-04", "REFRESH-08"), annotation: [...reqs("INSTALL-04", "REFRESH-08"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    const admin = await AdminSession.open(client, target);
    // A throwaway confidential app stands for CONF, so a live target keeps its fixture app.
    const app = await admin.registerIdentity("confidential", ["read:contacts"]);
    const inA = await tokens(client, codeFactory, { client: app });
    const userB = target.users.secondWorkspace;
    const inB = userB && target.capabilities.has("multi") ? await tokens(client, codeFactory, { client: app, user: userB }) : null;
    const cc = ccToken(await clientCredentials(client, app, "read:contacts"));
    await admin.deleteApp(app.clientId);

    await verdicts.check("INSTALL-04", "the deleted app's access tokens get 401 (WS-A user, client credentials)", () =>
      withinPropagation(target, async () => {
        await ensureBearerRejected(client, inA.access_token, "access token");
        await ensureBearerRejected(client, cc, "client-credentials token");
      }),
    );
    if (inB) {
      await verdicts.check("INSTALL-04", "the deleted app's tokens in WS-B get 401 too", () =>
        withinPropagation(target, () => ensureBearerRejected(client, inB.access_token, "WS-B access token")),
      );
    } else {
      verdicts.skip("INSTALL-04", target.missing("multi") ?? "no second-workspace user", "the deleted app's tokens in WS-B get 401 too");
    }
    await verdicts.check("REFRESH-08", "refresh after the app was deleted gives invalid_grant (or 401 invalid_client: the client no longer exists)", async () => {
      // RFC 6749 §5.2: a deleted client can no longer authenticate, so invalid_client is as
      // correct as invalid_grant; either way no token comes back (INSTALL-04: "401 or invalid_grant").
      const res = await refresh(client, app, refreshOf(inA), { label: "token: refresh of a deleted app" });
      ensureTokenError(res, res.status === 401 ? ["invalid_client"] : ["invalid_grant"], [400, 401]);
    });
    await verdicts.check("INSTALL-04", "an authorization request for the deleted app is a no-redirect error (AUTHZ-02)", async () => {
      const jar = await codeFactory.session(target.users.member);
      const { pairs } = authorizationParams({ client: app }, newPkcePair().verifier);
      const res = await client.withJar(jar).get("/oauth/authorize", { query: pairs, label: "authorize: deleted app" });
      ensureNoRedirectError(res, app.redirectUris[0] as string, verdicts.applies("INSTALL-04"));
    });
  });

  test("rotating the secret retires the old one at once; issued tokens survive; refresh needs the new secret", {
    tag: tags("INSTALL-04"), annotation: [...reqs("INSTALL-04"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    const admin = await AdminSession.open(client, target);
    const app = await admin.registerIdentity("confidential", ["read:contacts"]);
    const issued = await tokens(client, codeFactory, { client: app });
    const cc = ccToken(await clientCredentials(client, app, "read:contacts"));
    const { secret } = await admin.rotateSecret(app.clientId);
    const rotated = { ...app, clientSecret: secret };

    await verdicts.check("INSTALL-04", "the old secret gets 401 invalid_client immediately (Basic and body)", async () => {
      ensureTokenError(await clientCredentials(client, app, "read:contacts", { auth: "basic" }), ["invalid_client"], 401);
      ensureTokenError(await clientCredentials(client, app, "read:contacts", { auth: "body" }), ["invalid_client"], 401);
    });
    await verdicts.check("INSTALL-04", "tokens issued before the rotation keep working", async () => {
      await ensureBearerAccepted(client, issued.access_token, "access token");
      await ensureBearerAccepted(client, cc, "client-credentials token");
    });
    await verdicts.check("INSTALL-04", "refreshing with the old secret gets invalid_client; with the new one it works", async () => {
      ensureTokenError(await refresh(client, app, refreshOf(issued), { label: "token: refresh with the old secret" }), ["invalid_client"], 401);
      await ensureRefreshAccepted(client, rotated, refreshOf(issued), "with the new secret");
    });
  });
});

test.describe("INSTALL-05 offboarding a user revokes that user's grants", () => {
  test("deactivating a member kills their tokens; client-credentials tokens survive", {
    tag: tags("INSTALL-05", "REFRESH-08"), annotation: [...reqs("INSTALL-05", "REFRESH-08"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    // Deactivation cannot be undone over HTTP: only on a target that can be reset.
    if (!(await target.reset())) {
      const reason = "deactivating a user cannot be undone over HTTP and this target cannot be reset";
      verdicts.skip("INSTALL-05", reason);
      verdicts.skip("REFRESH-08", reason, "refresh after the user was removed");
      return;
    }
    const conf = target.apps.conf;
    const member = target.users.member;
    const granted = await tokens(client, codeFactory, { client: conf, scope: "read:contacts" });
    const spa = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    const cc = ccToken(await clientCredentials(client, conf, "read:contacts"));
    const admin = await AdminSession.open(client, target);
    try {
      await admin.deactivateUser(member.email);
    } catch (e) {
      if (!(e instanceof AdminUnsupported) && !/no row|no tab/.test(String(e))) throw e;
      const reason = `the console offers no way to deactivate a user over HTTP: ${(e as Error).message}`;
      verdicts.skip("INSTALL-05", reason);
      verdicts.skip("REFRESH-08", reason, "refresh after the user was removed");
      return;
    }

    await verdicts.check("INSTALL-05", "the removed user's access tokens get 401 (every app)", () =>
      withinPropagation(target, async () => {
        await ensureBearerRejected(client, granted.access_token, "CONF access token");
        await ensureBearerRejected(client, spa.access_token, "SPA access token");
      }),
    );
    await verdicts.check("INSTALL-05", "the removed user's refresh tokens get invalid_grant", () =>
      withinPropagation(target, async () => {
        await ensureRefreshRejected(client, target.apps.spa, refreshOf(spa), "of a removed user");
      }),
    );
    await verdicts.check("REFRESH-08", "refresh after the user was removed gives 400 invalid_grant", () =>
      withinPropagation(target, () => ensureRefreshRejected(client, conf, refreshOf(granted), "of a removed user")),
    );
    await verdicts.check("INSTALL-05", "client-credentials tokens are unaffected", async () => {
      await ensureBearerAccepted(client, cc, "client-credentials token");
    });
  });
});
