/**
 * Every error the mock can answer, as data. `mock/http/error-handler.ts` is the
 * one place that turns them into RFC-shaped responses; handlers only throw.
 */

/** RFC 6749 §5.2 error codes. */
export type TokenErrorCode = "invalid_request" | "invalid_client" | "invalid_grant" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope";

/** RFC 6749 §4.1.2.1 error codes. */
export type AuthorizeErrorCode = "invalid_request" | "unauthorized_client" | "access_denied" | "unsupported_response_type" | "invalid_scope" | "server_error" | "temporarily_unavailable";

/** RFC 6750 §3.1 error codes. */
export type BearerErrorCode = "invalid_request" | "invalid_token" | "insufficient_scope";

/** Token and revocation endpoint errors: JSON body (RFC 6749 §5.2, RFC 7009 §2.2.1). */
export class TokenEndpointError extends Error {
  constructor(
    readonly error: TokenErrorCode,
    readonly description: string,
    /** 401 for invalid_client (TOKEN-07, AMB-15), 429 when throttled. */
    readonly status: 400 | 401 | 405 | 413 | 429 = error === "invalid_client" ? 401 : 400,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${error}: ${description}`);
  }
}

/** An authorization request that must not redirect (catalogue §0.4 "No-redirect error"): an HTML 400 page. */
export class NoRedirectError extends Error {
  constructor(
    readonly title: string,
    readonly detail: string,
  ) {
    super(title);
  }
}

/** An error sent back to a verified redirect URI (catalogue §0.4 "Error redirect"). */
export class ErrorRedirect extends Error {
  constructor(
    readonly redirectUri: string,
    readonly error: AuthorizeErrorCode,
    readonly description: string,
    /** The request's state, exact, when one was sent (AUTHZ-08). */
    readonly state: string | undefined,
    /** 303 after a form POST (CONSENT-07), 302 after a GET. */
    readonly status: 302 | 303 = 302,
  ) {
    super(`${error}: ${description}`);
  }
}

/** Resource API errors with a Bearer challenge (RFC 6750 §3). `error` absent means a bare challenge (API-02). */
export class BearerError extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    readonly error: BearerErrorCode | undefined,
    readonly description: string,
    /** For insufficient_scope: the minimal sufficient scope (AMB-20). */
    readonly scope?: string,
  ) {
    super(`${error ?? "unauthenticated"}: ${description}`);
  }
}

/** Plain HTTP errors (404, 405, 403 on pages, 413, 415); rendered as JSON or HTML by route family. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** For JSON families: the `error` member (defaults by status). */
    readonly code?: string,
  ) {
    super(detail);
  }
}
