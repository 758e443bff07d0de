import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

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

/** 256 bits from the OS CSPRNG, base64url, behind a type prefix (RFC 6749 §10.10). */
export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString("base64url");
}

/** Non-secret random identifier (client ids, object ids). */
export function newId(prefix: string, bytes = 9): string {
  return prefix + randomBytes(bytes).toString("base64url");
}

/** Secrets are stored and indexed by this digest only, never in the clear. */
export function digest(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("base64url");
}

/** Constant-time comparison of a presented secret with a stored digest. */
export function matchesDigest(presented: string, storedDigest: string): boolean {
  const a = Buffer.from(digest(presented), "base64url");
  const b = Buffer.from(storedDigest, "base64url");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time string equality (both sides are hashed first so lengths never leak). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash("sha256").update(a, "utf8").digest(),
    createHash("sha256").update(b, "utf8").digest(),
  );
}

/** A short, stable, non-reversible form of a secret for logs: `pact_at_…3f9a1c`. */
export function fingerprint(secret: string): string {
  const prefix = Object.values(PREFIX).find((p) => secret.startsWith(p)) ?? "";
  return `${prefix}…${digest(secret).slice(0, 6)}`;
}
