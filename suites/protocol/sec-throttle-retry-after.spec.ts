import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { correctAuth, failedAuth, retryAfterSeconds, throttleSkipReason, type CredentialEndpoint } from "../checks/throttle.ts";

/**
 * SEC-05 asks for a 429 with Retry-After once a client is throttled. RFC 9110 §10.2.3 gives
 * Retry-After its meaning: how long the user agent ought to wait before a follow-up request
 * (RFC 6585 §4 for 429). So a client that waits exactly that long and then authenticates
 * correctly ought to get through; a Retry-After shorter than the lockout sends well-behaved
 * clients into another 429. A longer lockout than needed is not judged: how long a lockout
 * lasts is not pinned.
 */

const ENDPOINTS: readonly CredentialEndpoint[] = ["/oauth/token", "/oauth/revoke"];

test.describe("SEC-05 Retry-After is honest", () => {
  for (const endpoint of ENDPOINTS) {
    test(`${endpoint}: after waiting the 429's Retry-After, the correct secret is accepted`, { tag: tags("SEC-05"), annotation: [...reqs("SEC-05"), ...needs("http")] }, async ({ client, target, verdicts, run }) => {
      const what = "waiting Retry-After ends the lockout";
      const reason = throttleSkipReason(target, run);
      if (reason) return verdicts.skip("SEC-05", reason, what);
      const clock = target.clock;
      if (!clock) return verdicts.skip("SEC-05", "target has no clock control; waiting out a Retry-After in real time is not done", what);
      const conf = target.apps.conf;
      const n = target.params.THROTTLE_N;
      for (let i = 0; i < n; i++) await failedAuth(client, conf, endpoint, i);
      const locked = await failedAuth(client, conf, endpoint, n);
      const wait = retryAfterSeconds(locked);
      if (locked.status !== 429 || wait === null)
        return verdicts.skip("SEC-05", `attempt ${n + 1} answered ${locked.status} with Retry-After ${JSON.stringify(locked.header("retry-after") ?? null)}; sec-throttle.spec.ts judges that`, what);
      await clock.advance(wait);
      const correct = await correctAuth(client, conf, endpoint, `${endpoint}: correct secret ${wait} s after the 429`);
      await verdicts.check("SEC-05", `${endpoint}: locked out with Retry-After ${wait}; ${wait} s later the correct secret is not throttled (RFC 9110 §10.2.3, RFC 6585 §4)`, () => {
        ensure(correct.status !== 429, `still 429 after waiting the ${wait} s the server asked for (new Retry-After ${correct.header("retry-after") ?? "none"})`);
        ensure(correct.status === 200, `the correct secret answered ${correct.status}`);
      }, { clause: "SHOULD" });
    });
  }
});
