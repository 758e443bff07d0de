import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";

export interface PacingLimits {
  /** Requests in flight at once; undefined: unlimited. */
  readonly maxConcurrency?: number | undefined;
  /** Requests started per second; undefined: unlimited. */
  readonly rps?: number | undefined;
}

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const realClock: PacerClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/**
 * Paces the requests of one process (one Playwright worker): a semaphore bounds requests in
 * flight and a token bucket of capacity 1 spaces request starts 1/rps seconds apart, so a run
 * against a shared environment never bursts. Waiters are served in arrival order.
 */
export class Pacer {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private nextStart = 0;

  constructor(
    readonly limits: PacingLimits,
    private readonly clock: PacerClock = realClock,
  ) {
    if (limits.maxConcurrency !== undefined && !(limits.maxConcurrency >= 1)) throw new Error("maxConcurrency must be ≥ 1");
    if (limits.rps !== undefined && !(limits.rps > 0)) throw new Error("rps must be > 0");
  }

  get unlimited(): boolean {
    return this.limits.maxConcurrency === undefined && this.limits.rps === undefined;
  }

  /** Waits for a slot and a start time; call the returned function when the response is read. */
  async acquire(): Promise<() => void> {
    const max = this.limits.maxConcurrency;
    if (max !== undefined) {
      if (this.inFlight >= max || this.waiting.length > 0) await new Promise<void>((ok) => this.waiting.push(ok));
      this.inFlight++;
    }
    const rps = this.limits.rps;
    if (rps !== undefined) {
      const now = this.clock.now();
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + 1000 / rps;
      if (start > now) await this.clock.sleep(start - now);
    }
    let released = false;
    return () => {
      if (released || max === undefined) return;
      released = true;
      this.inFlight--;
      const next = this.waiting.shift();
      if (next) next();
    };
  }
}

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "" || raw === "0") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/** Limits from PACT_MAX_CONCURRENCY and PACT_RPS (per worker; the CLI divides the run's limits). */
export function pacingFromEnv(env: NodeJS.ProcessEnv = process.env): PacingLimits {
  const c = positive("PACT_MAX_CONCURRENCY", env.PACT_MAX_CONCURRENCY);
  return { maxConcurrency: c === undefined ? undefined : Math.max(1, Math.floor(c)), rps: positive("PACT_RPS", env.PACT_RPS) };
}

let shared: Pacer | null = null;

/** The process-wide pacer every ProtocolClient shares unless given its own. */
export function sharedPacer(): Pacer {
  shared ??= new Pacer(pacingFromEnv());
  return shared;
}
