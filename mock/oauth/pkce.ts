import { createHash } from "node:crypto";
import { safeEqual } from "../secrets.ts";

/** Under the Pact profile only S256 is supported (AMB-02, RFC 7636 §4.2–§4.3). */
export const PKCE_METHOD = "S256";

/** S256 output: unpadded base64url of 32 bytes, always 43 characters (catalogue PKCE-04, Pact profile). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** code-verifier = 43*128unreserved (RFC 7636 §4.1). */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function isValidChallenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge);
}

export function isValidVerifier(verifier: string): boolean {
  return VERIFIER.test(verifier);
}

/** BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** RFC 7636 §4.6, with verifier syntax enforced first (catalogue PKCE-09) and a constant-time comparison. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  return isValidVerifier(verifier) && safeEqual(s256(verifier), challenge);
}
