import type { Exchange, RedactedExchange } from "../http/exchange.ts";
import { redactExchange, type Journal } from "../http/exchange.ts";
import type { Redactor } from "../http/redact.ts";
import { ThrottledError } from "../http/client.ts";
import { findClause, requirement } from "../registry/index.ts";
import type { Level } from "../registry/types.ts";
import type { Profile } from "./run-options.ts";
import { clauseApplies, failureStatus, type SeverityContext, type VerdictStatus } from "./severity.ts";

/** One recorded check result, as it travels to the reporter. */
export interface Verdict {
  readonly id: string;
  /** What was checked, as an imperative ("wrong verifier gives invalid_grant"). */
  readonly check: string;
  readonly status: VerdictStatus;
  /** The level of the clause the check exercises. */
  readonly clause: Level;
  readonly clauseScope: string | null;
  /** Why it failed or warned (redacted). */
  readonly message?: string;
  /** Why it was skipped. */
  readonly reason?: string;
  readonly evidence?: readonly RedactedExchange[];
  /** How to replay it alone (properties). */
  readonly replay?: string;
}

/** The JSON attached to each Playwright test (attachment name VERDICT_ATTACHMENT). */
export interface VerdictAttachment {
  readonly version: 1;
  readonly test: string;
  readonly file: string;
  readonly declared: readonly string[];
  readonly profile: Profile;
  readonly strict: boolean;
  readonly verdicts: readonly Verdict[];
}

export const VERDICT_ATTACHMENT = "pact-verdicts.json";
export const REQUIREMENT_ANNOTATION = "requirement";
export const NEEDS_ANNOTATION = "needs";

export interface CheckOptions {
  /** The clause exercised: a level, or words of the clause's scope ("error code"). Default: the headline clause. */
  readonly clause?: Level | string;
  /** Throw after recording a failure, ending the test (for checks later steps depend on). */
  readonly stopOnFailure?: boolean;
  /** Extra text for the report (e.g. a property's replay command). */
  readonly replay?: string;
}

/** Thrown inside a check to record it as skipped rather than passed or failed. */
export class CheckSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "CheckSkipped";
  }
}

/**
 * Thrown inside a check when the observation it needs cannot be reached (no code, no consent page,
 * a 429 that did not clear): the verdict is `error`, never a failure of the entry (§0.1).
 */
export class CheckError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "CheckError";
  }
}

/** Thrown by `Verdicts.precondition` after recording its `error` verdicts; ends the test. */
export class PreconditionFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreconditionFailed";
  }
}

/** How a test ended, for `Verdicts.finalize`. */
export interface TestEnd {
  /** The test was skipped, with this reason: unrecorded IDs are skipped with it. */
  readonly skipped?: string;
  /** The test stopped on an exception or a timeout: every declared ID not already failed is `error`. */
  readonly crashed?: string;
}

/** Thrown by `stopOnFailure` checks and at the end of a test with failed verdicts. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConformanceFailure";
  }
}

interface PendingVerdict extends Omit<Verdict, "evidence"> {
  readonly exchanges?: readonly Exchange[];
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.replace(/\u001b\[[0-9;]*m/g, "");
  return String(e);
}

/**
 * Records verdicts for the requirement IDs a test declares. Severity is decided here, from the
 * requirement's clause level and the run profile, never by the check itself.
 */
export class Verdicts {
  private readonly pending: PendingVerdict[] = [];
  private readonly declaredSet: ReadonlySet<string>;

  constructor(
    readonly declared: readonly string[],
    private readonly ctx: SeverityContext,
    private readonly journal: Journal,
    private readonly redactor: Redactor,
  ) {
    for (const id of declared) requirement(id);
    this.declaredSet = new Set(declared);
  }

  get profile(): Profile {
    return this.ctx.profile;
  }

  get strict(): boolean {
    return this.ctx.strict;
  }

  /**
   * The values a check accepts: `pact` always, plus `rfcAlso` under --profile rfc (the
   * catalogue's "tolerated" alternatives).
   */
  accepted<T>(pact: readonly T[], rfcAlso: readonly T[] = []): T[] {
    return this.ctx.profile === "rfc" ? [...pact, ...rfcAlso] : [...pact];
  }

  private assertDeclared(id: string): void {
    requirement(id);
    if (!this.declaredSet.has(id)) throw new Error(`${id} is checked but not declared: add it to the test's annotation with reqs("${id}")`);
  }

  /** True when the clause would be checked under this run (a PACT-PROFILE clause under rfc is not). */
  applies(id: string, clause?: Level | string): boolean {
    return clauseApplies(findClause(requirement(id), clause), this.ctx);
  }

  /**
   * Runs one check. `fn` passes by returning and fails by throwing (any assertion error); its
   * message and the HTTP exchanges made while it ran become the evidence.
   */
  async check(id: string, name: string, fn: () => unknown, opts: CheckOptions = {}): Promise<VerdictStatus> {
    this.assertDeclared(id);
    const req = requirement(id);
    const clause = findClause(req, opts.clause);
    const base = { id, check: name, clause: clause.level, clauseScope: clause.scope };
    if (!clauseApplies(clause, this.ctx)) {
      this.pending.push({ ...base, status: "skipped", reason: `PACT-PROFILE clause${clause.scope ? ` (${clause.scope})` : ""} is not checked under --profile rfc` });
      return "skipped";
    }
    const mark = this.journal.mark();
    try {
      await fn();
      this.pending.push({ ...base, status: "passed" });
      return "passed";
    } catch (e) {
      if (e instanceof CheckSkipped) {
        this.pending.push({ ...base, status: "skipped", reason: e.reason });
        return "skipped";
      }
      // A 429 that did not clear is the target's throttle, never a verdict on the entry (§0.1).
      if (e instanceof CheckError || e instanceof ThrottledError) {
        const made = this.journal.since(mark);
        const reason = e instanceof CheckError ? e.reason : e.message;
        this.pending.push({ ...base, status: "error", message: `could not judge: ${reason}`, exchanges: made.length ? made : this.journal.all().slice(-1) });
        return "error";
      }
      const status = failureStatus(req, clause, this.ctx);
      // A check that judges a response fetched before it made no exchange: the last one is its evidence.
      const made = this.journal.since(mark);
      const exchanges = made.length ? made : this.journal.all().slice(-1);
      this.pending.push({ ...base, status, message: errorMessage(e), exchanges, ...(opts.replay ? { replay: opts.replay } : {}) });
      if (status === "failed" && opts.stopOnFailure) throw new ConformanceFailure(`${id}: ${name}: ${this.redactor.redactText(errorMessage(e))}`);
      return status;
    }
  }

  /**
   * Runs what a test needs before it can judge anything (a code, a token, a consent page). When it
   * throws, each of `ids` (default every declared ID) is recorded as `error` with `what` and the
   * reason, and the test ends: a missing precondition is never a pass, a skip or a failure.
   */
  async precondition<T>(what: string, fn: () => Promise<T> | T, ids: readonly string[] = this.declared): Promise<T> {
    const mark = this.journal.mark();
    try {
      return await fn();
    } catch (e) {
      if (e instanceof PreconditionFailed || e instanceof ConformanceFailure) throw e;
      const made = this.journal.since(mark);
      const message = `could not judge: precondition "${what}" not met: ${errorMessage(e)}`;
      for (const id of ids) this.recordError(id, message, made, `precondition: ${what}`);
      throw new PreconditionFailed(this.redactor.redactText(message));
    }
  }

  /** Records an `error` verdict: the test could not reach what `id` needs. */
  error(id: string, message: string, check = "(whole requirement)"): void {
    this.recordError(id, message, this.journal.all().slice(-1), check);
  }

  private recordError(id: string, message: string, exchanges: readonly Exchange[], check: string): void {
    this.assertDeclared(id);
    const req = requirement(id);
    this.pending.push({ id, check, status: "error", clause: req.level, clauseScope: null, message, exchanges });
  }

  /** Records a skipped verdict for `id` with its reason ("target has no clock and --slow was not given"). */
  skip(id: string, reason: string, check = "(whole requirement)"): void {
    this.assertDeclared(id);
    this.pending.push({ id, check, status: "skipped", clause: requirement(id).level, clauseScope: null, reason });
  }

  /** Records every declared ID as skipped (a missing capability). */
  skipAll(reason: string): void {
    for (const id of this.declared) this.skip(id, reason);
  }

  /** Failed verdicts so far (the test fails when there are any). */
  failures(): Array<{ id: string; check: string; message: string }> {
    return this.pending.filter((v) => v.status === "failed").map((v) => ({ id: v.id, check: v.check, message: this.redactor.redactText(v.message ?? "") }));
  }

  /** Could-not-judge verdicts so far (they fail the test like failures, and gate the run). */
  errors(): Array<{ id: string; check: string; message: string }> {
    return this.pending.filter((v) => v.status === "error").map((v) => ({ id: v.id, check: v.check, message: this.redactor.redactText(v.message ?? "") }));
  }

  warnings(): Array<{ id: string; check: string; message: string }> {
    return this.pending.filter((v) => v.status === "warned").map((v) => ({ id: v.id, check: v.check, message: this.redactor.redactText(v.message ?? "") }));
  }

  /**
   * The verdicts with evidence redacted (at the end, so every secret the test saw is known). A
   * declared ID that recorded nothing is `skipped` only when the test itself was skipped with a
   * reason; otherwise it is `error` (§0.1: could not judge). A test that crashed or timed out
   * leaves every declared ID it did not fail as `error` too: it was not judged to the end.
   */
  finalize(end: TestEnd = {}): Verdict[] {
    if (end.crashed !== undefined) {
      const failed = new Set(this.pending.filter((v) => v.status === "failed" || v.status === "error").map((v) => v.id));
      const last = this.journal.all().slice(-1);
      for (const id of this.declared) if (!failed.has(id)) this.recordError(id, `could not judge: the test stopped before finishing: ${errorMessage(end.crashed)}`, last, "(test stopped)");
    }
    const out: Verdict[] = this.pending.map(({ exchanges, ...v }) => ({
      ...v,
      ...(v.message !== undefined ? { message: this.redactor.redactText(v.message) } : {}),
      ...(exchanges && exchanges.length ? { evidence: exchanges.map((x) => redactExchange(x, this.redactor)) } : {}),
    }));
    const seen = new Set(out.map((v) => v.id));
    for (const id of this.declared) {
      if (seen.has(id)) continue;
      const base = { id, check: "(whole requirement)", clause: requirement(id).level, clauseScope: null };
      out.push(
        end.skipped !== undefined
          ? { ...base, status: "skipped", reason: end.skipped }
          : { ...base, status: "error", message: "could not judge: the test ended without recording a check for it" },
      );
    }
    return out;
  }
}
