/**
 * RFC 6749 §2.3.1 and Appendix B: the client id and secret are each encoded with the
 * application/x-www-form-urlencoded algorithm, then joined by ":" and base64-encoded as the
 * RFC 7617 user-pass.
 */
export function formUrlEncode(value: string): string {
  return new URLSearchParams([["v", value]]).toString().slice(2);
}

export function basicCredentials(clientId: string, clientSecret: string): string {
  return Buffer.from(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`, "utf8").toString("base64");
}

/** The full `Authorization` header value; `scheme` lets a test vary the scheme's case (RFC 9110 §11.1). */
export function basicAuthorization(clientId: string, clientSecret: string, scheme = "Basic"): string {
  return `${scheme} ${basicCredentials(clientId, clientSecret)}`;
}
