import type { Store } from "../store.ts";

/** Catalogue SEC-05 / §0.3 THROTTLE_N: failed client authentications per window before 429. */
export const THROTTLE_LIMIT = 50;
export const THROTTLE_WINDOW_S = 60;
const MAX_TRACKED = 10_000;
const PRUNE_TO = 9_000;

/**
 * Counts failed client authentications per (client_id, source address) on the
 * mock clock (RFC 6749 §2.3.1, §10.10). A different source is never affected,
 * so an attacker cannot lock a real client out.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();

  /** `limit` is the shape's throttleN (mock/shape.ts); THROTTLE_LIMIT by default. */
  constructor(
    private readonly store: Store,
    private readonly limit: number = THROTTLE_LIMIT,
  ) {
    store.onReset(() => this.failures.clear());
  }

  private key(clientId: string, source: string): string {
    return `${source}\u0000${clientId}`;
  }

  /** The counting window; fault throttle-window-short (SEC-05) shrinks it to 10 s. */
  private windowMs(): number {
    return (this.store.faults.has("throttle-window-short") ? 10 : THROTTLE_WINDOW_S) * 1000;
  }

  private recent(key: string): number[] {
    const since = this.store.now() - this.windowMs();
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Seconds to wait when this source is throttled for this client, else null. */
  retryAfter(clientId: string, source: string): number | null {
    const list = this.recent(this.key(clientId, source));
    if (list.length < this.limit) return null;
    const oldest = list[list.length - this.limit] ?? this.store.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs() - this.store.now()) / 1000));
  }

  recordFailure(clientId: string, source: string): void {
    const key = this.key(clientId, source);
    const list = this.recent(key);
    list.push(this.store.now());
    this.failures.set(key, list.slice(-this.limit));
    if (this.failures.size > MAX_TRACKED) this.prune();
  }

  /**
   * Bounds memory: drops expired pairs, then, while still over the bound, the
   * pairs with the fewest recent failures (oldest first among equals), down to
   * 90%. A flood of one-off client_ids therefore evicts itself and cannot free
   * a pair that is at or near its limit (SEC-05).
   */
  private prune(): void {
    for (const key of [...this.failures.keys()]) this.recent(key);
    if (this.failures.size <= MAX_TRACKED) return;
    const lightestFirst = [...this.failures.entries()].sort(([, a], [, b]) => a.length - b.length || (a.at(-1) ?? 0) - (b.at(-1) ?? 0));
    for (const [key] of lightestFirst.slice(0, this.failures.size - PRUNE_TO)) this.failures.delete(key);
  }
}
