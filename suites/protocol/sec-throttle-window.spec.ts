import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { correctAuth, failedAuth, throttleSkipReason, throttleStudy } from "../checks/throttle.ts";

/**
 * SEC-05 and §0.3: THROTTLE_N is the number of failed client authentications *per minute* before
 * throttling; the 429 comes after THROTTLE_N failures "within 60 s". Both edges of that window are
 * checked: failures older than 60 s do not count toward it (a window that never forgets locks real
 * clients out), and failures spread over most of the 60 s still do (a window of a few seconds lets a
 * patient attacker guess THROTTLE_N times a minute for ever, RFC 6749 §2.3.1). How long a lockout lasts
 * once it happened is not pinned, so the first test never reaches THROTTLE_N failures within one window.
 */

const WINDOW_S = 60;
/** The pause inside one window: well inside 60 s, so the real seconds the requests take and SKEW-like slack do not matter. */
const SPREAD_S = 45;

test.describe("SEC-05 the throttling window is 60 s", () => {
  test("failures older than 60 s do not count toward THROTTLE_N", { tag: tags("SEC-05"), annotation: [...reqs("SEC-05"), ...needs("http")] }, async ({ client, target, verdicts, run }) => {
    const reason = throttleSkipReason(target, run);
    if (reason) return verdicts.skip("SEC-05", reason, "failures older than 60 s do not count");
    const clock = target.clock;
    if (!clock) return verdicts.skip("SEC-05", `target has no clock control; waiting out the ${WINDOW_S} s window in real time is not done`, "failures older than 60 s do not count");
    const conf = target.apps.conf;
    const n = target.params.THROTTLE_N;
    const early: number[] = [];
    for (let i = 0; i < n - 1; i++) if ((await failedAuth(client, conf, "/oauth/token", i)).status === 429) early.push(i + 1);
    if (early.length) return verdicts.skip("SEC-05", `429 came before THROTTLE_N failures (attempt ${early[0]}); sec-throttle.spec.ts reports that`, "failures older than 60 s do not count");
    await clock.advance(WINDOW_S + 1);
    // One more failure: THROTTLE_N in all, but only one within the last 60 s.
    const last = await failedAuth(client, conf, "/oauth/token", n - 1);
    const correct = await correctAuth(client, conf, "/oauth/token", "/oauth/token: correct secret");
    await verdicts.check("SEC-05", `${n - 1} failures, ${WINDOW_S + 1} s later one more and then the correct secret: neither is throttled (only 1 failure within 60 s)`, () => {
      ensure(last.status !== 429, `the failure after the window answered 429 (Retry-After ${last.header("retry-after") ?? "none"}): failures older than 60 s were counted`);
      ensure(correct.status !== 429, `the correct secret answered 429 (Retry-After ${correct.header("retry-after") ?? "none"}): failures older than 60 s were counted`);
      ensure(correct.status === 200, `the correct secret answered ${correct.status}`);
    }, { clause: "observable form" });
  });

  test("failures spread over 45 s of the window still count toward THROTTLE_N", { tag: tags("SEC-05"), annotation: [...reqs("SEC-05"), ...needs("http")] }, async ({ client, target, verdicts, run }) => {
    const reason = throttleSkipReason(target, run);
    if (reason) return verdicts.skip("SEC-05", reason, "failures spread over the window count");
    const clock = target.clock;
    if (!clock) return verdicts.skip("SEC-05", `target has no clock control; spreading THROTTLE_N failures over ${SPREAD_S} s in real time is not done`, "failures spread over the window count");
    const half = Math.floor(target.params.THROTTLE_N / 2);
    await throttleStudy(verdicts, client, target, target.apps.conf, "/oauth/token", {
      after: half,
      run: async () => void (await clock.advance(SPREAD_S)),
      describe: `spread over ${SPREAD_S} s (the clock moved ${SPREAD_S} s after failure ${half})`,
    });
  });
});
