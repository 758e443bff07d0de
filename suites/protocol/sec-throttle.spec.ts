import { Agent } from "undici";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensureStatus } from "../checks/http.ts";
import { correctAuth, throttleSkipReason, throttleStudy } from "../checks/throttle.ts";
import { ProtocolClient } from "../http/client.ts";
import type { Target } from "../targets/target.ts";

/** A client whose connections leave from `localAddress` (a second source on loopback); it sees 429s as they are. */
function clientFrom(client: ProtocolClient, target: Target, localAddress: string): ProtocolClient {
  return new ProtocolClient({ baseUrl: target.baseUrl, redactor: client.redactor, journal: client.journal, dispatcher: new Agent({ localAddress }), guard: { on429: "observe" } });
}

test.describe("SEC-05 Credential endpoints are protected against brute force", () => {
  test("the token endpoint throttles failed client authentications with 429 and Retry-After; another source is not blocked", { tag: tags("SEC-05"), annotation: [...reqs("SEC-05"), ...needs("http")] }, async ({ client, target, verdicts, run }) => {
    const reason = throttleSkipReason(target, run);
    if (reason) return verdicts.skip("SEC-05", reason);
    const next = await throttleStudy(verdicts, client, target, target.apps.conf, "/oauth/token");
    // Only the in-process mock is known to see the kit's own socket address: a URL target, even on loopback,
    // may sit behind a proxy through which every request shares the proxy's address.
    if (target.kind !== "mock" || new URL(target.baseUrl).hostname !== "127.0.0.1")
      return verdicts.skip("SEC-05", "a second source address is observable only on the in-process mock (the kit binds 127.0.0.2; behind a proxy every request shares one source)", "a different source is not blocked");
    if (next?.status !== 429) return verdicts.skip("SEC-05", "the first source was not throttled, so there is nothing to compare with", "a different source is not blocked");
    const other = clientFrom(client, target, "127.0.0.2");
    await verdicts.check("SEC-05", "a correct client authentication from 127.0.0.2 still gets 200 while 127.0.0.1 is throttled", async () => {
      const res = await correctAuth(other, target.apps.conf, "/oauth/token", "/oauth/token: correct secret from 127.0.0.2");
      ensureStatus(res, 200);
    }, { clause: "observable form" });
  });

  test("the revocation endpoint throttles failed client authentications with 429 and Retry-After", { tag: tags("SEC-05"), annotation: [...reqs("SEC-05"), ...needs("http")] }, async ({ client, target, verdicts, run }) => {
    const reason = throttleSkipReason(target, run);
    if (reason) return verdicts.skip("SEC-05", reason);
    await throttleStudy(verdicts, client, target, target.apps.conf, "/oauth/revoke");
  });
});
