import { test, reqs, needs, CheckSkipped, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure } from "../checks/http.ts";
import {
  callApi,
  ensureApiAccepts,
  ensureInvalidTokenChallenge,
  ensureNoStore,
  ensureRefreshRejected,
  ensureScope,
  ensureTokenSuccess,
  fingerprint,
  freshGrant,
  passRotationGrace,
  rotate,
  withinPropagation,
  type Grant,
} from "../checks/lifecycle.ts";
import { refresh } from "../flows/tokens.ts";
import type { HttpResponse } from "../http/response.ts";
import { TransportError } from "../http/client.ts";
import type { AppIdentity } from "../targets/schema.ts";

type AppKey = "spa" | "cli" | "conf";

function appOf(apps: { spa: AppIdentity; cli?: AppIdentity; conf: AppIdentity }, key: AppKey): AppIdentity | undefined {
  return apps[key];
}

test.describe("REFRESH-01 A successful refresh has the documented shape", () => {
  for (const key of ["spa", "conf"] as const) {
    test(`refresh by ${key === "spa" ? "a public client (client_id)" : "a confidential client (Basic)"} answers the RFC 6749 §5.1 shape`, { tag: tags("REFRESH-01"), annotation: [...reqs("REFRESH-01"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
      const app = target.apps[key];
      const grant = await freshGrant(client, codeFactory, app);
      const res = await refresh(client, app, grant.refresh, { label: "token: refresh" });

      const ok = await verdicts.check("REFRESH-01", "refresh answers 200 application/json with a token response (RFC 6749 §6, §5.1)", () => {
        ensureTokenSuccess(res);
      });
      if (ok !== "passed") return;
      const body = ensureTokenSuccess(res);

      await verdicts.check("REFRESH-01", "the new access_token differs from the previous one", () => {
        ensure(body.access_token !== grant.access, `the refresh returned the same access token ${fingerprint(grant.access)}`);
      });
      await verdicts.check("REFRESH-01", "token_type is Bearer, compared case-insensitively (RFC 6749 §5.1, §7.1)", () => {
        ensure(body.token_type.toLowerCase() === "bearer", `token_type is "${body.token_type}"`);
      });
      await verdicts.check("REFRESH-01", "expires_in, when present, is a positive JSON integer (RFC 6749 §5.1)", () => {
        ensure(body.expires_in === undefined || (Number.isInteger(body.expires_in) && body.expires_in > 0), `expires_in is ${JSON.stringify(body.expires_in)}`);
      });
      // The value 3600 for refresh responses is TOKEN-04's clause ("as TOKEN-04 says"; AMB-12): judged there only (§0.1).
      // RFC 6749 §5.1: scope is OPTIONAL when identical to the requested one; a refresh without scope requests the original (§6).
      await verdicts.check("REFRESH-01", "scope, when present, equals the granted scope (RFC 6749 §3.3, §6)", () => {
        if (body.scope !== undefined) ensureScope(body, grant.scope);
      });
      await verdicts.check("REFRESH-01", "scope is always present (TOKEN-01, Pact profile)", () => {
        ensureScope(body, grant.scope);
      }, { clause: "PACT-PROFILE" });
      await verdicts.check("REFRESH-01", "Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)", () => {
        ensureNoStore(res);
      });
      await verdicts.check("REFRESH-01", "the new access token is accepted on /v1", async () => {
        await ensureApiAccepts(client, body.access_token, "refreshed access token");
      });
    });
  }
});

test.describe("REFRESH-03 Public-client refresh tokens rotate", () => {
  const cases: Array<{ key: AppKey; clause: "public clients" | "confidential clients too"; label: string }> = [
    { key: "spa", clause: "public clients", label: "SPA" },
    { key: "cli", clause: "public clients", label: "CLI" },
    { key: "conf", clause: "confidential clients too", label: "CONF" },
  ];
  for (const c of cases) {
    test(`${c.label}: each refresh returns a new refresh token and the presented one stops working`, { tag: tags("REFRESH-03"), annotation: [...reqs("REFRESH-03"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory, run }) => {
      const app = appOf(target.apps, c.key);
      if (!app) {
        verdicts.skip("REFRESH-03", `the target file names no ${c.label} app`);
        return;
      }
      if (!verdicts.applies("REFRESH-03", c.clause)) {
        verdicts.skip("REFRESH-03", "rotation for confidential clients is a PACT-PROFILE clause, not checked under --profile rfc (AMB-11)");
        return;
      }
      const grant = await freshGrant(client, codeFactory, app);
      let next: Grant | undefined;
      await verdicts.check("REFRESH-03", `refresh returns a refresh_token different from the presented one (RFC 9700 §2.2.2)`, async () => {
        next = await rotate(client, grant, `${c.label} first refresh`);
        ensure(next.refresh !== grant.refresh, `the refresh returned the presented refresh token ${fingerprint(grant.refresh)} again`);
      }, { clause: c.clause });
      if (!next) return;
      await verdicts.check("REFRESH-03", "after ROTATION_GRACE_S the presented (rotated) token gets 400 invalid_grant", async () => {
        const why = await passRotationGrace(target, run.slow);
        if (why) throw new CheckSkipped(why);
        await ensureRefreshRejected(client, app, grant.refresh, `${c.label} rotated token`);
      }, { clause: c.clause });
    });
  }

  test("property: for chain lengths k ∈ [1..10] only the newest refresh token works", { tag: tags("REFRESH-03"), annotation: [...reqs("REFRESH-03"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory, run }) => {
    if (target.params.ROTATION_GRACE_S > 0 && !target.clock) {
      verdicts.skip("REFRESH-03", `ROTATION_GRACE_S is ${target.params.ROTATION_GRACE_S} s and the target has no clock to pass it`);
      return;
    }
    const app = target.apps.spa;
    await checkProperty(
      verdicts,
      "REFRESH-03",
      "after k rotations the newest refresh token works and every predecessor gets invalid_grant",
      fc.record({ k: fc.integer({ min: 1, max: 10 }), first: fc.nat() }),
      async ({ k, first }) => {
        const chain: Grant[] = [await freshGrant(client, codeFactory, app)];
        for (let i = 0; i < k; i++) chain.push(await rotate(client, chain[i] as Grant, `rotation ${i + 1} of ${k}`));
        const newest = chain[k] as Grant;
        // The newest works (this rotates it once more: it becomes a predecessor too).
        const after = await rotate(client, newest, "newest token of the chain");
        const why = await passRotationGrace(target, run.slow);
        if (why) throw new CheckSkipped(why);
        // The first predecessor presented is chosen at random, so a server that only rejects some positions is found;
        // the rest follow (each is either rotated or, by REFRESH-04, revoked with its family).
        const order = [...chain.keys()];
        const start = first % order.length;
        for (const i of [...order.slice(start), ...order.slice(0, start)]) {
          await ensureRefreshRejected(client, app, (chain[i] as Grant).refresh, `predecessor R${i} of a chain of ${k + 1}`);
        }
        ensure(after.refresh !== newest.refresh, "the last refresh returned the presented token again");
      },
      { numRuns: 6, examples: [{ k: 1, first: 0 }, { k: 10, first: 0 }, { k: 10, first: 10 }], clause: "public clients" },
    );
  });
});

test.describe("REFRESH-04 Reusing a rotated token revokes the whole family", () => {
  test("R1 → R2, A2; reusing R1 revokes R2 and the grant's access tokens", { tag: tags("REFRESH-04"), annotation: [...reqs("REFRESH-04"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory, run }) => {
    const app = target.apps.spa;
    const first = await freshGrant(client, codeFactory, app);
    const second = await rotate(client, first, "R1 → R2");
    const why = await passRotationGrace(target, run.slow);
    if (why) {
      verdicts.skip("REFRESH-04", why);
      return;
    }
    await verdicts.check("REFRESH-04", "reusing the rotated R1 gives 400 invalid_grant (RFC 9700 §4.14.2)", async () => {
      await ensureRefreshRejected(client, app, first.refresh, "reused R1");
    }, { clause: "the active refresh token is revoked" });
    await verdicts.check("REFRESH-04", "after the reuse, the active R2 gets invalid_grant (RFC 9700 §4.14.2)", async () => {
      await withinPropagation(target, () => ensureRefreshRejected(client, app, second.refresh, "active R2 after reuse of R1"));
    }, { clause: "the active refresh token is revoked" });
    await verdicts.check("REFRESH-04", "after the reuse, A2 and A1 get 401 invalid_token within REVOKE_PROPAGATION_S (AMB-11)", async () => {
      await withinPropagation(target, async () => {
        ensureInvalidTokenChallenge(await callApi(client, second.access, "api: A2 after reuse"), "A2 after reuse of R1");
        ensureInvalidTokenChallenge(await callApi(client, first.access, "api: A1 after reuse"), "A1 after reuse of R1");
      });
    }, { clause: "PACT-PROFILE" });
  });

  test("property: for every chain length k and i < k, presenting R_i invalidates R_k", { tag: tags("REFRESH-04"), annotation: [...reqs("REFRESH-04"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory, run }) => {
    if (target.params.ROTATION_GRACE_S > 0 && !target.clock && !run.slow) {
      verdicts.skip("REFRESH-04", `ROTATION_GRACE_S is ${target.params.ROTATION_GRACE_S} s, the target has no clock and --slow was not given`);
      return;
    }
    const app = target.apps.spa;
    const pact = verdicts.applies("REFRESH-04", "PACT-PROFILE");
    const chainAndIndex = fc.integer({ min: 1, max: 10 }).chain((k) => fc.record({ k: fc.constant(k), i: fc.integer({ min: 0, max: k - 1 }) }));
    await checkProperty(
      verdicts,
      "REFRESH-04",
      "reusing R_i (i < k) makes R_k give invalid_grant",
      chainAndIndex,
      async ({ k, i }) => {
        const chain: Grant[] = [await freshGrant(client, codeFactory, app)];
        for (let j = 0; j < k; j++) chain.push(await rotate(client, chain[j] as Grant, `rotation ${j + 1} of ${k}`));
        const why = await passRotationGrace(target, run.slow);
        if (why) throw new CheckSkipped(why);
        await ensureRefreshRejected(client, app, (chain[i] as Grant).refresh, `reused R${i}`);
        const newest = chain[k] as Grant;
        await withinPropagation(target, () => ensureRefreshRejected(client, app, newest.refresh, `active R${k} after reuse of R${i}`));
      },
      { numRuns: 6, examples: [{ k: 1, i: 0 }, { k: 10, i: 0 }, { k: 10, i: 9 }], clause: "the active refresh token is revoked" },
    );
    if (pact) {
      await checkProperty(
        verdicts,
        "REFRESH-04",
        "reusing R_i (i < k) makes every access token of the chain give 401 invalid_token",
        chainAndIndex,
        async ({ k, i }) => {
          const chain: Grant[] = [await freshGrant(client, codeFactory, app)];
          for (let j = 0; j < k; j++) chain.push(await rotate(client, chain[j] as Grant, `rotation ${j + 1} of ${k}`));
          const why = await passRotationGrace(target, run.slow);
          if (why) throw new CheckSkipped(why);
          await ensureRefreshRejected(client, app, (chain[i] as Grant).refresh, `reused R${i}`);
          await withinPropagation(target, async () => {
            for (const [j, g] of chain.entries()) ensureInvalidTokenChallenge(await callApi(client, g.access, `api: A${j} after reuse`), `A${j} after reuse of R${i}`);
          });
        },
        { numRuns: 8, examples: [{ k: 3, i: 1 }, { k: 10, i: 0 }], clause: "PACT-PROFILE" },
      );
    }
  });

  test("concurrent: n parallel refreshes of one token give at most one success", { tag: tags("REFRESH-04"), annotation: [...reqs("REFRESH-04"), ...needs("http", "code", "race")] }, async ({ client, target, verdicts, codeFactory }) => {
    if (target.params.ROTATION_GRACE_S > 0) {
      // The catalogue's concurrent variant is stated for ROTATION_GRACE_S = 0; inside a grace window several successes are allowed.
      verdicts.skip("REFRESH-04", `ROTATION_GRACE_S is ${target.params.ROTATION_GRACE_S} s; the concurrent variant applies only with a zero grace window`, "concurrent refreshes");
      return;
    }
    const app = target.apps.spa;
    const MAX_N = 16;
    const group = await client.openConnections(MAX_N);
    try {
      await checkProperty(
        verdicts,
        "REFRESH-04",
        "n ∈ [2..16] simultaneous refreshes with one refresh token produce at most one 200",
        fc.integer({ min: 2, max: MAX_N }),
        async (n) => {
          const grant = await freshGrant(client, codeFactory, app);
          const spec = { method: "POST", url: "/oauth/token", form: [["grant_type", "refresh_token"], ["refresh_token", grant.refresh], ["client_id", app.clientId]] as Array<[string, string]>, label: "token: racing refresh" };
          const results = await group.fire(Array.from({ length: n }, () => spec));
          const responses = results.filter((r): r is HttpResponse => !(r instanceof TransportError));
          const wins = responses.filter((r) => r.status === 200).length;
          const errors = responses.filter((r) => r.status >= 500).length;
          ensure(errors === 0, `${errors} of ${n} racing refreshes answered 5xx`);
          ensure(wins <= 1, `${wins} of ${n} simultaneous refreshes with one token succeeded (statuses ${responses.map((r) => r.status).join(",")})`);
        },
        { numRuns: 10, examples: [2, MAX_N], clause: "the active refresh token is revoked" },
      );
    } finally {
      await group.close();
    }
  });
});
