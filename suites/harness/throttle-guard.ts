import { createHash } from "node:crypto";
import path from "node:path";
import { AuthFailureLedger, budgetLimit, failingClientOf, isCredentialEndpoint, presentedCredentials, type KnownClient } from "../http/auth-budget.ts";
import type { RequestGuard, SentRequest } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";

/** The requirement whose tests trip the throttle on purpose and judge its 429s. */
export const THROTTLE_REQUIREMENT = "SEC-05";

const ledgers = new Map<string, AuthFailureLedger>();

/** Where the run keeps its ledger: the reports directory every worker of the run shares. */
function reportsDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.PACT_REPORTS_DIR || "reports");
}

/**
 * The run's ledger of failed client authentications against `target` (one per process, one file per
 * target in the reports directory, shared by every worker). Null where nothing carries over between
 * tests: the in-process mock (one per worker, reset before every test) and a resettable URL target.
 */
export function ledgerFor(target: Target, env: NodeJS.ProcessEnv = process.env): AuthFailureLedger | null {
  if (target.kind !== "url") return null;
  // A target with a control API is reset before every test, which clears its throttle, and runs on
  // one worker (planPacing): each test starts from zero, and a test that needs more failures than
  // THROTTLE_N moves the target's clock past the window (AuthFailureBudget in checks/token.ts).
  if (target.clock) return null;
  const share = Number(env.PACT_AUTH_BUDGET_SHARE) >= 1 ? Math.floor(Number(env.PACT_AUTH_BUDGET_SHARE)) : 1;
  const file = path.join(reportsDir(env), `auth-ledger-${createHash("sha256").update(target.baseUrl).digest("hex").slice(0, 12)}.json`);
  const key = `${file}\u0000${target.params.THROTTLE_N}\u0000${share}`;
  let ledger = ledgers.get(key);
  if (!ledger) {
    ledger = new AuthFailureLedger({ file, limit: budgetLimit(target.params.THROTTLE_N, share) });
    ledgers.set(key, ledger);
  }
  return ledger;
}

/**
 * Waits until `n` failed authentications of `clientId` fit in the run's budget (URL targets only):
 * call it before getting a code that those failures will be sent with, so that no wait for the
 * budget lets the code expire in between (TOKEN-09: the code survives the failed attempts).
 */
export async function roomForFailures(target: Target, clientId: string, n: number, onWait?: (ms: number) => void): Promise<void> {
  await ledgerFor(target)?.waitForRoom(clientId, n, onWait);
}

/** Whether a response says client authentication failed (RFC 6749 §5.2: 401, or an invalid_client body). */
function authFailed(res: HttpResponse): boolean {
  if (res.status === 401) return true;
  if (res.status !== 400) return false;
  const body = res.jsonOrUndefined() as { error?: unknown } | undefined;
  return body?.error === "invalid_client";
}

export interface GuardContext {
  readonly target: Target;
  /** The requirement IDs the test declares. */
  readonly declared: readonly string[];
  /** Told before every wait on the target's behalf (the harness extends the test's timeout). */
  readonly onWait: (ms: number, why: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * What the protocol client of one test does about the target's throttle (SEC-05):
 * - requests meant to fail client authentication take a slot of the run's budget first, and wait
 *   while it is spent; failures the kit did not foresee are recorded when their answer shows them;
 * - a 429 is retried once after its Retry-After (ProtocolClient), except in SEC-05's own tests,
 *   which judge the 429: there the failures are recorded without waiting (they are outside the budget).
 */
export function throttleGuard(ctx: GuardContext): RequestGuard {
  const ownTest = ctx.declared.includes(THROTTLE_REQUIREMENT);
  const ledger = ledgerFor(ctx.target, ctx.env);
  const known: KnownClient[] = Object.values(ctx.target.apps).filter((a): a is NonNullable<typeof a> => a !== undefined);
  const predicted = new WeakSet<SentRequest>();
  if (!ledger) return ownTest ? { on429: "observe" } : { onWait: ctx.onWait };
  // SEC-05 counts from zero: on a target the kit cannot reset, its first request to a credential
  // endpoint waits for a quiet window. Lazily, so a SEC-05 test that skips without sending anything
  // costs no wait.
  let quiet = !ownTest;
  return {
    on429: ownTest ? "observe" : "retry",
    onWait: ctx.onWait,
    async beforeSend(req) {
      if (!quiet && isCredentialEndpoint(req)) {
        await ledger.waitQuiet((ms) => ctx.onWait(ms, "SEC-05 starts after a quiet window"));
        quiet = true;
      }
      const clientId = failingClientOf(req, known);
      if (clientId === null) return;
      predicted.add(req);
      if (ownTest) await ledger.record(clientId);
      else await ledger.spend(clientId, (ms) => ctx.onWait(ms, `the failed-authentication budget of ${clientId} is spent for this window`));
    },
    async afterResponse(req, res) {
      if (predicted.has(req) || !isCredentialEndpoint(req) || !authFailed(res)) return;
      const cred = presentedCredentials(req);
      if (cred) await ledger.record(cred.clientId);
    },
  };
}
