import { Agent, request } from "undici";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { correctAuth, failedAuth, throttleSkipReason } from "../checks/throttle.ts";
import { basicAuthorization } from "../http/basic.ts";

/**
 * SEC-05: after THROTTLE_N failures for one client_id from one source within 60 s, further attempts
 * from that source get 429. Nothing in the requirement lets an attacker lift that by failing for
 * other, made-up client_ids in between, which is what a throttle that forgets its oldest entries
 * when a table fills up would allow (RFC 6749 §10.10: brute force against the client secret).
 */
const FLOOD = 12_000;
const PARALLEL = 16;

/** Sends FLOOD failed authentications with distinct made-up client_ids, unrecorded (they are not evidence, only load). */
async function flood(baseUrl: string, tag: string): Promise<{ statuses: Map<number, number> }> {
  const dispatcher = new Agent({ connections: PARALLEL });
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < FLOOD) {
      const i = next++;
      const res = await request(`${baseUrl}/oauth/token`, {
        method: "POST",
        dispatcher,
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: basicAuthorization(`kit-flood-${tag}-${i}`, "nothing") },
        body: "grant_type=client_credentials&scope=read%3Acontacts",
      });
      await res.body.dump();
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } finally {
    await dispatcher.close();
  }
  return { statuses };
}

test.describe("SEC-05 a lockout survives a flood of other client_ids", () => {
  test(`${FLOOD} failures for made-up client_ids from the same source neither lift a lockout nor reset a count`, { tag: tags("SEC-05"), annotation: [...reqs("SEC-05"), ...needs("http")] }, async ({ client, target, verdicts, run }) => {
    const what = "a flood of other client_ids does not lift a lockout";
    const reason = throttleSkipReason(target, run);
    if (reason) return verdicts.skip("SEC-05", reason, what);
    if (target.kind !== "mock" && !run.slow) return verdicts.skip("SEC-05", `the flood sends ${FLOOD} requests; against a URL target it runs only with --slow`, what);
    const n = target.params.THROTTLE_N;
    const locked = target.apps.conf;
    const counted = target.apps.conf2;
    if (!counted) return verdicts.skip("SEC-05", "the target file names no second confidential app (CONF2)", what);
    for (let i = 0; i < n; i++) await failedAuth(client, locked, "/oauth/token", i);
    for (let i = 0; i < n - 1; i++) await failedAuth(client, counted, "/oauth/token", i);
    const before = await correctAuth(client, locked, "/oauth/token", "/oauth/token: CONF's correct secret, locked");
    if (before.status !== 429) return verdicts.skip("SEC-05", `CONF was not locked out after THROTTLE_N failures (${before.status}); the throttling tests report that`, what);
    const { statuses } = await flood(target.baseUrl, Date.now().toString(36));
    const seen = [...statuses].map(([s, c]) => `${c}× ${s}`).join(", ");
    await verdicts.check("SEC-05", `after ${FLOOD} failures for made-up client_ids from the same source (${seen}), CONF's lockout still holds: its correct secret gets 429`, async () => {
      const res = await correctAuth(client, locked, "/oauth/token", "/oauth/token: CONF's correct secret after the flood");
      ensureStatus(res, 429);
      ensure(![...statuses.keys()].some((s) => s >= 500), `the flood got ${seen}`);
    }, { clause: "protection exists" });
    await verdicts.check("SEC-05", `CONF2, one failure short of THROTTLE_N before the flood, is throttled after one more failure (all ${n} within 60 s)`, async () => {
      await failedAuth(client, counted, "/oauth/token", n - 1);
      ensureStatus(await correctAuth(client, counted, "/oauth/token", "/oauth/token: CONF2's correct secret after its THROTTLE_N-th failure"), 429);
    }, { clause: "protection exists" });
  });
});
