import { appendFileSync } from "node:fs";
import { test as base, expect, type TestInfo } from "@playwright/test";
import { CodeFactory } from "../flows/code-factory.ts";
import { ProtocolClient } from "../http/client.ts";
import { CookieJar } from "../http/cookies.ts";
import { Journal } from "../http/exchange.ts";
import { Redactor } from "../http/redact.ts";
import { requirement } from "../registry/index.ts";
import { CAPABILITIES, type Capability } from "../registry/types.ts";
import { openTarget, type Target } from "../targets/index.ts";
import { readRunOptions, type RunOptions } from "./run-options.ts";
import { throttleGuard, type GuardContext, roomForFailures } from "./throttle-guard.ts";
import { ConformanceFailure, NEEDS_ANNOTATION, REQUIREMENT_ANNOTATION, VERDICT_ATTACHMENT, Verdicts, type TestEnd, type VerdictAttachment } from "./verdicts.ts";

export { expect };
export { CheckError, CheckSkipped, ConformanceFailure, PreconditionFailed, Verdicts, type Verdict, type CheckOptions } from "./verdicts.ts";
export type { RunOptions, Profile } from "./run-options.ts";
export type { Target } from "../targets/index.ts";

export interface Annotation {
  readonly type: string;
  readonly description: string;
}

/** Declares the requirement IDs a test checks: `test("…", { annotation: reqs("PKCE-06") }, …)`. */
export function reqs(...ids: string[]): Annotation[] {
  return ids.map((id) => {
    requirement(id);
    return { type: REQUIREMENT_ANNOTATION, description: id };
  });
}

/**
 * Tags a test with its requirement IDs (`@PKCE-06`), so `--grep PKCE-06` selects every test that checks
 * PKCE-06 whatever its title says: `test("…", { tag: tags("PKCE-06"), annotation: [...reqs("PKCE-06")] }, …)`.
 */
export function tags(...ids: string[]): string[] {
  return ids.map((id) => {
    requirement(id);
    return `@${id}`;
  });
}

/** Declares capabilities the test cannot run without; a target lacking one skips the test with the reason. */
export function needs(...caps: Capability[]): Annotation[] {
  for (const c of caps) if (!(CAPABILITIES as readonly string[]).includes(c)) throw new Error(`unknown capability "${c}"`);
  return caps.map((c) => ({ type: NEEDS_ANNOTATION, description: c }));
}

function declaredIds(info: TestInfo): string[] {
  return [...new Set(info.annotations.filter((a) => a.type === REQUIREMENT_ANNOTATION && a.description).map((a) => a.description as string))];
}

/** Teaches a redactor every secret the target file names. */
function seedRedactor(redactor: Redactor, target: Target): void {
  for (const app of Object.values(target.apps)) if (app?.clientSecret) redactor.learn(app.clientSecret, "client_secret");
  for (const user of Object.values(target.users)) if (user) redactor.learn(user.password, "password");
  redactor.learn(target.apiKey, "api_key");
}

/** Failed authentications a test may send with one code (the most any test sends is three, TOKEN-09). */
const FAILURES_PER_CODE = 3;

export interface KitTestFixtures {
  /** The target, reset to its initial state before this test when it can be. */
  target: Target;
  /**
   * True when the target was reset before this test: no state of other tests is there. False on a
   * shared server whose state persists (grants, remembered consent, objects of other tests).
   */
  fresh: boolean;
  redactor: Redactor;
  journal: Journal;
  /** A protocol client with its own cookie jar, recording into `journal`. */
  client: ProtocolClient;
  verdicts: Verdicts;
  codeFactory: CodeFactory;
  /** Skips the test (and records its IDs as skipped with the reason) unless the target has every capability. */
  requires: (...caps: Capability[]) => void;
}

export interface KitWorkerFixtures {
  run: RunOptions;
  workerTarget: Target;
}

export const test = base.extend<KitTestFixtures, KitWorkerFixtures>({
  run: [async ({}, use) => use(readRunOptions()), { scope: "worker" }],

  workerTarget: [
    async ({ run }, use) => {
      const target = await openTarget({ target: run.target, config: run.config });
      try {
        await use(target);
      } finally {
        await target.close();
      }
    },
    { scope: "worker", timeout: 60_000 },
  ],

  fresh: async ({ workerTarget }, use) => {
    await use(await workerTarget.reset());
  },

  target: async ({ workerTarget, fresh }, use) => {
    void fresh;
    await use(workerTarget);
  },

  redactor: async ({ target }, use) => {
    const r = new Redactor();
    seedRedactor(r, target);
    await use(r);
    // For the kit's leak test: digests, never values, of every secret this test saw.
    const seen = process.env.PACT_SEEN_SECRETS_FILE;
    if (seen) appendFileSync(seen, r.digests().map((d) => `${d}\n`).join(""));
  },

  journal: async ({}, use) => use(new Journal()),

  client: async ({ target, redactor, journal }, use, info) => {
    const ctx: GuardContext = {
      target,
      declared: declaredIds(info),
      // Waiting for the target's throttle is not the test's time: the timeout grows by each wait.
      onWait: (ms) => {
        if (info.timeout > 0) info.setTimeout(info.timeout + ms + 5_000);
      },
    };
    await use(new ProtocolClient({ baseUrl: target.baseUrl, redactor, journal, jar: new CookieJar(), guard: throttleGuard(ctx) }));
  },

  // A code lives minutes (CODE_TTL_MAX_S); a test that sends failed authentications with it (TOKEN-05,
  // TOKEN-09) must not wait for the failure budget in between, or the code dies first. So before a
  // code is issued, the budget holds room for a few failures of its client (a no-op where none is kept).
  codeFactory: async ({ client, target }, use, info) =>
    use(new CodeFactory(client, target, (clientId) => roomForFailures(target, clientId, FAILURES_PER_CODE, (ms) => info.timeout > 0 && info.setTimeout(info.timeout + ms + 5_000)))),

  verdicts: [
    async ({ run, journal, redactor, target }, use, info) => {
      const untagged = declaredIds(info).filter((id) => !info.tags.includes(`@${id}`));
      if (untagged.length) throw new Error(`tag the test with tags(${untagged.map((id) => JSON.stringify(id)).join(", ")}) so --grep finds it by requirement ID`);
      const verdicts = new Verdicts(declaredIds(info), { profile: run.profile, strict: run.strict }, journal, redactor);
      const needed = info.annotations.filter((a) => a.type === NEEDS_ANNOTATION).map((a) => a.description as Capability);
      const lacking = needed.map((c) => target.missing(c)).find((r) => r !== null);
      const attach = async (): Promise<void> => {
        const attachment: VerdictAttachment = {
          version: 1,
          test: info.titlePath.slice(1).join(" › "),
          file: info.file,
          declared: verdicts.declared,
          profile: run.profile,
          strict: run.strict,
          verdicts: verdicts.finalize(testEnd(info)),
        };
        await info.attach(VERDICT_ATTACHMENT, { body: JSON.stringify(attachment), contentType: "application/json" });
      };
      if (lacking) {
        verdicts.skipAll(lacking);
        await attach();
        info.skip(true, lacking);
        return;
      }
      try {
        await use(verdicts);
      } finally {
        await attach();
        for (const w of verdicts.warnings()) info.annotations.push({ type: "warning", description: `${w.id} ${w.check}: ${w.message}` });
      }
      const failures = verdicts.failures();
      const errors = verdicts.errors();
      if ((failures.length || errors.length) && info.status !== "failed" && info.status !== "timedOut") {
        const lines = [...failures.map((f) => `  ${f.id} ${f.check}: ${f.message}`), ...errors.map((f) => `  ${f.id} ${f.check}: ${f.message}`)];
        throw new ConformanceFailure(`${failures.length} check(s) failed, ${errors.length} could not be judged:\n${lines.join("\n")}`);
      }
    },
    { auto: true },
  ],

  requires: async ({ target, verdicts }, use, info) => {
    await use((...caps: Capability[]) => {
      const reason = caps.map((c) => target.missing(c)).find((r) => r !== null);
      if (reason) {
        verdicts.skipAll(reason);
        info.skip(true, reason);
      }
    });
  },
});

/** How the test body ended, as the verdicts need it: skipped with a reason, crashed, or neither. */
function testEnd(info: TestInfo): TestEnd {
  if (info.status === "skipped") return { skipped: `test skipped: ${skipInfo(info)}` };
  if (info.status === "timedOut") return { crashed: `timed out after ${info.timeout} ms` };
  if (info.status === "failed" || info.status === "interrupted") {
    const first = info.errors[0];
    const text = (first?.message ?? first?.value ?? "no error message").replace(/\u001b\[[0-9;]*m/g, "").split("\n")[0] ?? "";
    return { crashed: text };
  }
  return {};
}

function skipInfo(info: TestInfo): string {
  return info.annotations.find((a) => a.type === "skip")?.description ?? "no reason given";
}

export const describe = test.describe;
