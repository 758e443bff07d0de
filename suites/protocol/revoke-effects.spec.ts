import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import {
  callApi,
  ensureApiAccepts,
  ensureInvalidTokenChallenge,
  ensureRefreshRejected,
  ensureRefreshWorks,
  ensureRevoked200,
  errorCode,
  fingerprint,
  freshGrant,
  rotate,
  withinPropagation,
} from "../checks/lifecycle.ts";
import { revoke } from "../flows/tokens.ts";
import { CheckError } from "../harness/verdicts.ts";
import { accessTokenLive } from "../checks/liveness.ts";

test.describe("REVOKE-03 Revoking a refresh token kills the grant's access tokens", () => {
  for (const key of ["spa", "conf"] as const) {
    test(`${key === "spa" ? "SPA" : "CONF"}: after revoking the current refresh token, it and every access token of the grant are dead`, { tag: tags("REVOKE-03"), annotation: [...reqs("REVOKE-03"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
      const app = target.apps[key];
      const first = await freshGrant(client, codeFactory, app);
      const second = await rotate(client, first, "rotation before revocation");
      const a1Live = await accessTokenLive(client, first.access, "A1 after rotation");
      const a2Live = await accessTokenLive(client, second.access, "A2");
      ensureRevoked200(await revoke(client, app, second.refresh, { label: "revoke: current refresh token" }), "revoking the refresh token");
      await verdicts.check("REVOKE-03", "the revoked refresh token gets 400 invalid_grant (RFC 7009 §2)", async () => {
        await withinPropagation(target, () => ensureRefreshRejected(client, app, second.refresh, "revoked refresh token"));
      }, { clause: "the refresh token" });
      await verdicts.check("REVOKE-03", "the grant's access tokens, including the one issued before rotation, get 401 invalid_token (RFC 7009 §2.1, AMB-13)", async () => {
        // Only a token live before the revocation shows its effect (rotation may already have ended A1).
        if (!a2Live) throw new CheckError(`A2 (${fingerprint(second.access)}) was not accepted by the API before the revocation, so its death shows nothing`);
        await withinPropagation(target, async () => {
          ensureInvalidTokenChallenge(await callApi(client, second.access, "api: A2 after refresh revocation"), "A2 (current) after revoking the refresh token");
          if (a1Live) ensureInvalidTokenChallenge(await callApi(client, first.access, "api: A1 after refresh revocation"), "A1 (before rotation) after revoking the refresh token");
        });
      }, { clause: "the access tokens" });
    });
  }
});

test.describe("REVOKE-04 Revoking an access token kills only that token", () => {
  /**
   * Each check acts on a token known to be live when A is revoked: a server may end A1 when it
   * rotates (RFC 6749 §6 allows it), and revoking an already dead A1 would show nothing about
   * what revoking a live access token does to the grant's refresh token. So the kit revokes A1
   * only if the API still accepts it after the rotation, else A2, the current one.
   */
  test("after revoking a live access token, it is dead while the grant's other live access token and its refresh token keep working", { tag: tags("REVOKE-04"), annotation: [...reqs("REVOKE-04"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.spa;
    const first = await verdicts.precondition("a fresh grant", () => freshGrant(client, codeFactory, app), ["REVOKE-04"]);
    const second = await verdicts.precondition("a second access token of the grant, by rotation", () => rotate(client, first, "second access token of the grant"), ["REVOKE-04"]);
    const a1Live = await accessTokenLive(client, first.access, "A1 after rotation");
    const a2Live = await accessTokenLive(client, second.access, "A2");
    const [revoked, name, sibling] = a1Live ? [first.access, "A1", second.access] : [second.access, "A2", null];
    const revokedLive = a1Live || a2Live;
    ensureRevoked200(await revoke(client, app, revoked, { label: `revoke: access token ${name}` }), `revoking ${name}`);
    const notLive = () => new CheckError(`neither access token of the grant was accepted by the API before the revocation (A1 ${fingerprint(first.access)}, A2 ${fingerprint(second.access)}), so revoking one would show nothing`);
    await verdicts.check("REVOKE-04", `the revoked, previously live access token (${name}) gets 401 with Bearer error="invalid_token" (RFC 7009 §2, RFC 6750 §3.1)`, async () => {
      if (!revokedLive) throw notLive();
      await withinPropagation(target, async () => ensureInvalidTokenChallenge(await callApi(client, revoked, `api: revoked ${name}`), `revoked ${name}`));
    });
    // RFC 7009 §2.1 lets the server also revoke the refresh token (and so the grant); the Pact profile does not.
    if (sibling === null) verdicts.skip("REVOKE-04", "rotation ended A1 on this target (allowed, RFC 6749 §6), so the grant has no second live access token to watch", "the grant's other access token still works");
    else
      await verdicts.check("REVOKE-04", "A2 of the same grant, live before, still works", async () => {
        if (!a2Live) throw new CheckError(`A2 (${fingerprint(second.access)}) was not accepted by the API before the revocation`);
        await ensureApiAccepts(client, sibling, "A2 after revoking A1");
      }, { clause: "PACT-PROFILE" });
    await verdicts.check("REVOKE-04", `the grant's refresh token, unused since it was issued, still works after revoking live ${name}`, async () => {
      if (!revokedLive) throw notLive();
      await ensureRefreshWorks(client, app, second.refresh, `refresh token after revoking ${name}`);
    }, { clause: "the refresh token is unaffected" });
  });
});

test.describe("REVOKE-07 A client cannot revoke another client's token", () => {
  test("CONF2 revoking CONF's tokens, and SPA revoking CLI's tokens or an API key, changes nothing", { tag: tags("REVOKE-07"), annotation: [...reqs("REVOKE-07"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const { conf, conf2, spa, cli } = target.apps;
    const pairs = [
      { owner: conf, other: conf2, label: "CONF2 → CONF", missing: "the target file names no second confidential app (conf2)" },
      { owner: cli, other: spa, label: "SPA → CLI", missing: "the target file names no CLI app" },
    ];
    for (const p of pairs) {
      const owner = p.owner;
      const other = p.other;
      if (!owner || !other) {
        verdicts.skip("REVOKE-07", p.missing, p.label);
        continue;
      }
      const g = await freshGrant(client, codeFactory, owner);
      for (const [kind, token] of [["access", g.access], ["refresh", g.refresh]] as const) {
        const res = await revoke(client, other, token, { label: `revoke: ${p.label} ${kind} token` });
        await verdicts.check("REVOKE-07", `${p.label}: revoking the other client's ${kind} token answers 200 (AMB-14)`, () => {
          ensure(res.status === 200, `answered ${res.status}${errorCode(res)}`);
        }, { clause: "the answer is 200" });
      }
      // RFC 7009 §2.1: the server checks the token was issued to the requesting client; here it was not.
      await verdicts.check("REVOKE-07", `${p.label}: the owner's access and refresh tokens keep working`, async () => {
        await ensureApiAccepts(client, g.access, `${owner.clientId} access token after a foreign revocation`);
        await ensureRefreshWorks(client, owner, g.refresh, `${owner.clientId} refresh token after a foreign revocation`);
      }, { clause: "the token is unaffected" });
    }

    const key = target.apiKey;
    if (!key) {
      verdicts.skip("REVOKE-07", "the target file names no API key", "API key submitted for revocation");
      return;
    }
    const res = await revoke(client, spa, key, { label: "revoke: API key by SPA" });
    await verdicts.check("REVOKE-07", "SPA submitting the workspace API key answers 200 (AMB-14, AMB-22)", () => {
      ensure(res.status === 200, `answered ${res.status}${errorCode(res)}`);
    }, { clause: "the answer is 200" });
    await verdicts.check("REVOKE-07", "the API key keeps working after a client submitted it to /oauth/revoke (AMB-22)", async () => {
      await ensureApiAccepts(client, key, "API key after /oauth/revoke");
    }, { clause: "the token is unaffected" });
  });
});
