import { createHash, randomBytes } from "node:crypto";

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
export const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The only shape S256 over SHA-256 can produce: 43 characters of unpadded base64url. */
export const S256_CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 §4.1 (recommended construction): 32 octets from a CSPRNG, base64url → 43 characters. */
export function newVerifier(octets = 32): string {
  return randomBytes(octets).toString("base64url");
}

/** RFC 7636 §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "utf8").digest("base64url");
}

export function isValidVerifier(v: string): boolean {
  return VERIFIER_PATTERN.test(v);
}

export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: "S256";
}

export function newPkcePair(verifier: string = newVerifier()): PkcePair {
  return { verifier, challenge: s256(verifier), method: "S256" };
}
