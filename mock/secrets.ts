import * as crypto from "node:crypto";
import { createHash, randomFillSync, timingSafeEqual } from "node:crypto";

/** Readable type prefixes: a leaked string says what it is, never what it grants. */
export const PREFIX = {
  accessToken: "pact_at_",
  refreshToken: "pact_rt_",
  code: "pact_ac_",
  clientSecret: "pact_cs_",
  apiKey: "pact_key_",
  session: "pact_sess_",
  csrf: "pact_csrf_",
  transaction: "pact_tx_",
} as const;

/**
 * Random bytes from the OS CSPRNG (`crypto.randomFillSync`), filled 4 KiB at a
 * time instead of one call per token: the token endpoint's profile showed the
 * per-call cost. Every byte is handed out once and the pool is refilled before
 * reuse, so each secret still carries its full entropy (RFC 6749 §10.10).
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

/** `bytes` fresh random bytes, base64url (bytes ≤ POOL_BYTES). */
function randomBase64url(bytes: number): string {
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const text = pool.toString("base64url", poolOffset, poolOffset + bytes);
  // Spent bytes are wiped, so nothing read later from the pool can repeat a secret.
  pool.fill(0, poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return text;
}

/** 256 bits from the OS CSPRNG, base64url, behind a type prefix (RFC 6749 §10.10). */
export function newSecret(prefix: string): string {
  return prefix + randomBase64url(32);
}

/** Non-secret random identifier (client ids, object ids). */
export function newId(prefix: string, bytes = 9): string {
  return prefix + randomBase64url(bytes);
}

/** One-shot hashing where Node has it (20.12+): no Hash object per call. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "base64url" | "buffer") => string | Buffer }).hash;

/** Secrets are stored and indexed by this digest only, never in the clear. */
export function digest(secret: string): string {
  if (oneShotHash) return oneShotHash("sha256", secret, "base64url") as string;
  return createHash("sha256").update(secret, "utf8").digest("base64url");
}

function digestBytes(secret: string): Buffer {
  if (oneShotHash) return oneShotHash("sha256", secret, "buffer") as Buffer;
  return createHash("sha256").update(secret, "utf8").digest();
}

/** Constant-time comparison of a presented secret with a stored digest. */
export function matchesDigest(presented: string, storedDigest: string): boolean {
  const a = digestBytes(presented);
  const b = Buffer.from(storedDigest, "base64url");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time string equality (both sides are hashed first so lengths never leak). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digestBytes(a), digestBytes(b));
}

/** A short, stable, non-reversible form of a secret for logs: `pact_at_…3f9a1c`. */
export function fingerprint(secret: string): string {
  const prefix = Object.values(PREFIX).find((p) => secret.startsWith(p)) ?? "";
  return `${prefix}…${digest(secret).slice(0, 6)}`;
}
