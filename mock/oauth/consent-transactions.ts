import { PREFIX, digest, newSecret } from "../secrets.ts";
import { LIFETIME_S, type Store } from "../store.ts";
import type { AuthorizeRequest } from "./authorize-request.ts";

/** A validated authorization request waiting for the user's Approve or Deny, bound to one session. */
export interface ConsentTransaction {
  readonly request: AuthorizeRequest;
  readonly sessionDigest: string;
  readonly userId: string;
  readonly expiresAt: number;
}

/**
 * Server-side consent transactions, keyed by the digest of an unguessable id
 * that the consent form carries. Single use; swept on expiry and on reset.
 */
export class ConsentTransactions {
  private readonly pending = new Map<string, ConsentTransaction>();

  constructor(private readonly store: Store) {
    store.onReset(() => this.pending.clear());
  }

  open(request: AuthorizeRequest, sessionDigest: string, userId: string): string {
    this.sweep();
    const raw = newSecret(PREFIX.transaction);
    this.pending.set(digest(raw), { request, sessionDigest, userId, expiresAt: this.store.now() + LIFETIME_S.transaction * 1000 });
    return raw;
  }

  /** Removes and returns the live transaction for this session; null when unknown, expired or another session's. */
  take(raw: string | undefined, sessionDigest: string): ConsentTransaction | null {
    if (raw === undefined) return null;
    const key = digest(raw);
    const tx = this.pending.get(key);
    if (!tx || tx.sessionDigest !== sessionDigest) return null;
    this.pending.delete(key);
    return tx.expiresAt > this.store.now() ? tx : null;
  }

  private sweep(): void {
    const now = this.store.now();
    for (const [k, tx] of this.pending) if (tx.expiresAt <= now) this.pending.delete(k);
  }
}
