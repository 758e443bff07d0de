import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { HeaderList } from "./exchange.ts";

/**
 * The kit's budget of failed client authentications on a URL target (SEC-05, §0.3 THROTTLE_N).
 *
 * A server that throttles after THROTTLE_N failures per client within a minute would answer 429
 * to the kit's *correct* requests once the kit's own negative tests (wrong secret, unknown client)
 * used that allowance up. So every request the kit sends that is meant to fail client
 * authentication first takes a slot here, and waits while THROTTLE_N minus a margin slots of that
 * client are taken within the window.
 *
 * Why a file and not a share per worker: Playwright runs the tests in several worker processes
 * (and the run may use any number of them), all against one server that counts per client. Dividing
 * THROTTLE_N by the worker count would leave each worker 4 of 10 with a margin, and make a worker wait
 * although the others spent nothing. One small JSON ledger in the run's reports directory, read
 * and written under an exclusive lock file (O_EXCL create), holds the run's actual spending, so the
 * whole allowance is usable and never exceeded. Shards of one run on different machines cannot share
 * a file: the CLI divides the budget by the shard count for them (PACT_AUTH_BUDGET_SHARE).
 */

/** The catalogue's throttling window (SEC-05: "within 60 s"). */
export const THROTTLE_WINDOW_MS = 60_000;
/**
 * Kept on top of the window: the kit stamps a failure before sending it, the server when it arrives,
 * and the two clocks are not the same.
 */
export const WINDOW_SLACK_MS = 2_000;

/** Failures kept in reserve below THROTTLE_N: for requests the kit did not foresee failing, and retries. */
export function budgetMargin(throttleN: number): number {
  return Math.max(2, Math.ceil(throttleN / 5));
}

/** Failed authentications per client and window the kit allows itself (at least 1). */
export function budgetLimit(throttleN: number, share = 1): number {
  return Math.max(1, Math.floor((throttleN - budgetMargin(throttleN)) / Math.max(1, share)));
}

export interface LedgerClock {
  /** Wall-clock milliseconds: every process of the run must read the same clock. */
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const realClock: LedgerClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

type Entries = Record<string, number[]>;

export interface LedgerOptions {
  readonly file: string;
  /** Failures per client within `windowMs`. */
  readonly limit: number;
  readonly windowMs?: number;
  readonly clock?: LedgerClock;
}

/** A lock older than this belongs to a process that died holding it (a read-modify-write takes ms). */
const STALE_LOCK_MS = 10_000;

export class AuthFailureLedger {
  readonly file: string;
  readonly limit: number;
  readonly windowMs: number;
  private readonly clock: LedgerClock;
  private readonly lockFile: string;

  constructor(options: LedgerOptions) {
    if (!(options.limit >= 1)) throw new Error("ledger limit must be ≥ 1");
    this.file = options.file;
    this.limit = Math.floor(options.limit);
    this.windowMs = options.windowMs ?? THROTTLE_WINDOW_MS + WINDOW_SLACK_MS;
    this.clock = options.clock ?? realClock;
    this.lockFile = `${this.file}.lock`;
    mkdirSync(path.dirname(this.file), { recursive: true });
  }

  /**
   * Takes one slot for `clientId`, first waiting while `limit` slots lie within the window.
   * `onWait` is told each wait before it starts (a test extends its timeout by it). Returns the ms waited.
   */
  async spend(clientId: string, onWait?: (ms: number) => void): Promise<number> {
    let waited = 0;
    for (;;) {
      const wait = await this.update((e, now) => {
        const recent = this.recent(e, clientId, now);
        if (recent.length < this.limit) {
          e[clientId] = [...recent, now];
          return 0;
        }
        // The slot frees when the oldest of the last `limit` failures leaves the window.
        return (recent[recent.length - this.limit] as number) + this.windowMs - now + 1;
      });
      if (wait <= 0) return waited;
      onWait?.(wait);
      await this.clock.sleep(wait);
      waited += wait;
    }
  }

  /**
   * Waits until `n` failures of `clientId` fit in the budget now, without taking them: for a test
   * that must send several failures soon after it got something short-lived (a code lives minutes).
   * Returns the ms waited.
   */
  async waitForRoom(clientId: string, n: number, onWait?: (ms: number) => void): Promise<number> {
    const need = Math.min(Math.max(1, Math.floor(n)), this.limit);
    let waited = 0;
    for (;;) {
      const wait = await this.update((e, now) => {
        const recent = this.recent(e, clientId, now);
        if (recent.length + need <= this.limit) return 0;
        return (recent[recent.length + need - this.limit - 1] as number) + this.windowMs - now + 1;
      });
      if (wait <= 0) return waited;
      onWait?.(wait);
      await this.clock.sleep(wait);
      waited += wait;
    }
  }

  /** Records a failure without waiting: SEC-05's own attempts, or a failure the kit did not foresee. */
  async record(clientId: string): Promise<void> {
    await this.update((e, now) => {
      e[clientId] = [...this.recent(e, clientId, now), now];
      return 0;
    });
  }

  /** Failures of `clientId` within the window now. */
  async count(clientId: string): Promise<number> {
    return this.update((e, now) => this.recent(e, clientId, now).length);
  }

  /** Ms until no failure of any client lies within the window (0: quiet now). */
  async untilQuiet(): Promise<number> {
    return this.update((e, now) => {
      const last = Math.max(0, ...Object.values(e).flat());
      return last === 0 ? 0 : Math.max(0, last + this.windowMs - now + 1);
    });
  }

  /** Waits for a quiet window: no failed authentication of any client in the last window. Returns the ms waited. */
  async waitQuiet(onWait?: (ms: number) => void): Promise<number> {
    let waited = 0;
    for (let wait = await this.untilQuiet(); wait > 0; wait = await this.untilQuiet()) {
      onWait?.(wait);
      await this.clock.sleep(wait);
      waited += wait;
    }
    return waited;
  }

  private recent(e: Entries, clientId: string, now: number): number[] {
    return (e[clientId] ?? []).filter((t) => t > now - this.windowMs).sort((a, b) => a - b);
  }

  /** Read, change and write the ledger under the lock; old entries are dropped on the way. */
  private async update<T>(fn: (entries: Entries, now: number) => T): Promise<T> {
    await this.lock();
    try {
      const now = this.clock.now();
      const entries = this.read();
      for (const [id, times] of Object.entries(entries)) {
        const kept = times.filter((t) => t > now - this.windowMs);
        if (kept.length) entries[id] = kept;
        else delete entries[id];
      }
      const result = fn(entries, now);
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(entries));
      renameSync(tmp, this.file);
      return result;
    } finally {
      this.unlock();
    }
  }

  private read(): Entries {
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8")) as unknown;
      if (data && typeof data === "object" && !Array.isArray(data)) {
        const out: Entries = {};
        for (const [id, times] of Object.entries(data as Record<string, unknown>)) if (Array.isArray(times)) out[id] = times.filter((t): t is number => typeof t === "number");
        return out;
      }
    } catch {
      // No ledger yet (or a torn one, which the rename makes impossible): start empty.
    }
    return {};
  }

  private async lock(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        closeSync(openSync(this.lockFile, "wx"));
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      try {
        if (Date.now() - statSync(this.lockFile).mtimeMs > STALE_LOCK_MS) unlinkSync(this.lockFile);
      } catch {
        // Released meanwhile.
      }
      // Real time, not the ledger clock: another process holds the lock for a moment.
      await sleep(Math.min(50, 2 + attempt));
    }
  }

  private unlock(): void {
    try {
      unlinkSync(this.lockFile);
    } catch {
      // Already gone (removed as stale by another process): nothing to release.
    }
  }
}

/** A client the target file names, for telling which requests will fail authentication. */
export interface KnownClient {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
}

export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: HeaderList;
  readonly bodyText: string | null;
}

const CREDENTIAL_PATHS = ["/oauth/token", "/oauth/revoke"];

/** Whether a request goes to an endpoint that authenticates clients by secret (SEC-05). */
export function isCredentialEndpoint(req: OutgoingRequest): boolean {
  return req.method.toUpperCase() === "POST" && CREDENTIAL_PATHS.some((p) => req.url.pathname.endsWith(p));
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** The client a request names and the secret it presents (Basic, else the body), as RFC 6749 §2.3.1 reads them. */
export function presentedCredentials(req: OutgoingRequest): { clientId: string; secret: string | undefined } | null {
  const auth = req.headers.find(([n]) => n.toLowerCase() === "authorization")?.[1];
  if (auth !== undefined) {
    const m = /^basic\s+(\S+)\s*$/i.exec(auth);
    if (!m) return null;
    const decoded = Buffer.from(m[1] as string, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    const secret = formDecode(decoded.slice(colon + 1));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: secret === "" ? undefined : secret };
  }
  if (req.bodyText === null) return null;
  const form = new URLSearchParams(req.bodyText);
  const clientId = form.get("client_id");
  if (clientId === null) return null;
  return { clientId, secret: form.get("client_secret") ?? undefined };
}

/**
 * The client_id whose authentication this request will fail, or null: an unknown client, a
 * confidential client without its secret, a public client with any secret. Errs on the side of
 * counting (an app registered during the run is unknown to the target file, so its requests count).
 */
export function failingClientOf(req: OutgoingRequest, known: readonly KnownClient[]): string | null {
  if (!isCredentialEndpoint(req)) return null;
  const cred = presentedCredentials(req);
  if (!cred) return null;
  const app = known.find((k) => k.clientId === cred.clientId);
  if (!app) return cred.clientId;
  if (app.clientSecret) return cred.secret === app.clientSecret ? null : cred.clientId;
  return cred.secret === undefined ? null : cred.clientId;
}
