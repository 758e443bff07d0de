import type { RunOptions, Verdicts } from "../harness/index.ts";
import { ensure, ensureStatus } from "./http.ts";
import { basicAuthorization } from "../http/basic.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { AppIdentity } from "../targets/schema.ts";

/** The endpoints that authenticate clients with a password-like secret (SEC-05). */
export type CredentialEndpoint = "/oauth/token" | "/oauth/revoke";

/** Brute-force tests trip lockouts: against a URL target they run only with --throttle-tests. */
export function throttleSkipReason(target: Target, run: RunOptions): string | null {
  return target.kind === "mock" || run.throttleTests ? null : "throttling tests against a live target need an explicit flag (--throttle-tests)";
}

/** The form of a request that authenticates `app` at `endpoint` and, with the right secret, succeeds. */
export function credentialForm(app: AppIdentity, endpoint: CredentialEndpoint, token = "kit-unknown-token"): Array<[string, string]> {
  return endpoint === "/oauth/token" ? [["grant_type", "client_credentials"], ["scope", app.scopes[0] ?? "read:contacts"]] : [["token", token]];
}

/** A failed client authentication: the app's client_id with a wrong secret, over Basic (RFC 6749 §2.3.1). */
export function failedAuth(client: ProtocolClient, app: AppIdentity, endpoint: CredentialEndpoint, i: number): Promise<HttpResponse> {
  return client.postForm(endpoint, credentialForm(app, endpoint, `kit-unknown-token-${i}`), { headers: [["authorization", basicAuthorization(app.clientId, `wrong-secret-${i}`)]], label: `${endpoint}: wrong secret #${i}` });
}

/** A correct client authentication of `app` at `endpoint`. */
export function correctAuth(client: ProtocolClient, app: AppIdentity, endpoint: CredentialEndpoint, label: string): Promise<HttpResponse> {
  return client.postForm(endpoint, credentialForm(app, endpoint), { headers: [["authorization", basicAuthorization(app.clientId, app.clientSecret ?? "")]], label });
}

const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
/** RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must also accept. */
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d{2} ${MONTH} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT` +
    `|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} \\d{2}:\\d{2}:\\d{2} GMT` +
    `|${DAY} ${MONTH} (?: \\d|\\d{2}) \\d{2}:\\d{2}:\\d{2} \\d{4})$`,
);

/** RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds. */
export function validRetryAfter(v: string | undefined): boolean {
  if (v === undefined) return false;
  const value = v.trim();
  return /^\d+$/.test(value) || (HTTP_DATE.test(value) && !Number.isNaN(Date.parse(value)));
}

/**
 * How many seconds a response's Retry-After asks the client to wait (RFC 9110 §10.2.3):
 * delay-seconds as given, an HTTP-date measured from the response's own Date header. Null when
 * absent or unreadable.
 */
export function retryAfterSeconds(res: HttpResponse): number | null {
  const v = res.header("retry-after")?.trim();
  if (v === undefined || !validRetryAfter(v)) return null;
  if (/^\d+$/.test(v)) return Number(v);
  const date = Date.parse(res.header("date") ?? "");
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((Date.parse(v) - date) / 1000));
}

/** Where in a throttle study the kit pauses, and what it does there (e.g. move the target's clock). */
export interface MidwayPause {
  /** Failures sent before the pause. */
  readonly after: number;
  readonly run: () => Promise<void>;
  /** Said in the checks' titles, e.g. "spread over 45 s (the clock moved 45 s after failure 25)". */
  readonly describe: string;
}

/**
 * Sends THROTTLE_N failures, then one more; records the MUST and PACT-PROFILE clauses of SEC-05.
 * With `midway`, the failures are split around a pause that keeps all of them within one 60 s window,
 * and only the observable (Pact) form is judged.
 */
export async function throttleStudy(verdicts: Verdicts, client: ProtocolClient, target: Target, app: AppIdentity, endpoint: CredentialEndpoint, midway?: MidwayPause): Promise<HttpResponse | null> {
  const n = target.params.THROTTLE_N;
  const early: number[] = [];
  for (let i = 0; i < n; i++) {
    if (midway && i === midway.after) await midway.run();
    const res = await failedAuth(client, app, endpoint, i);
    if (res.status === 429) early.push(i + 1);
  }
  const next = await failedAuth(client, app, endpoint, n);
  const afterCorrect = await correctAuth(client, app, endpoint, `${endpoint}: correct secret after ${n + 1} failures`);
  const spread = midway ? ` ${midway.describe}` : "";
  // The RFC asks for protection, not for a window: only the Pact form (THROTTLE_N within 60 s) is judged on a spread run.
  if (!midway)
    await verdicts.check("SEC-05", `${endpoint}: after THROTTLE_N (${n}) failed authentications of one client_id, further attempts are refused (RFC 6749 §2.3.1)`, () => {
      ensure(next.status === 429 || (next.status >= 400 && afterCorrect.status === 429), `attempt ${n + 1} answered ${next.status} and the correct secret then answered ${afterCorrect.status}: no throttling seen`);
    }, { clause: "protection exists" });
  await verdicts.check("SEC-05", `${endpoint}: attempt ${n + 1}${spread} gets 429 with a valid Retry-After (RFC 6585 §4, RFC 9110 §10.2.3)`, () => {
    ensure(early.length === 0, `429 came early, at attempt(s) ${early.slice(0, 5).join(", ")} of ${n}`);
    ensureStatus(next, 429);
    ensure(validRetryAfter(next.header("retry-after")), `Retry-After is ${JSON.stringify(next.header("retry-after") ?? null)}`);
  }, { clause: "observable form" });
  return next;
}
