/**
 * Hand-written deviations of the mock for `npm run deviations`: plausible
 * server bugs that Stryker's operators do not produce (numbers are never
 * mutated, and a bug often spans two modules), each an exact source edit.
 * They complement the named faults of mock/faults.ts, which the self-check
 * runs on every change; a deviation that once went unnoticed became a fault
 * (throttle-window-short, state-truncated, redirect-localhost-alias, consent-grant-shared,
 * admin-cross-workspace, token-error-echoes-code) and is
 * not repeated here.
 */

export interface Deviation {
  readonly name: string;
  /**
   * Catalogue IDs the deviation breaks; the first is its target. The kit runs the specs of these IDs
   * (and of `mustNotFail` and `mustError`). Empty for a conformant behaviour the kit must accept.
   */
  readonly requirementIds: readonly string[];
  /**
   * IDs that observe the same behaviour but do not own the clause it breaks (§0.1 "one owner per
   * clause"): they must come out passed, not failed, warned or error.
   */
  readonly mustNotFail?: readonly string[];
  /** IDs whose test cannot reach what it needs on this server: they must come out `error`, never failed (§0.1). */
  readonly mustError?: readonly string[];
  /** The profile the kit runs under (default pact). */
  readonly profile?: "pact" | "rfc";
  readonly description: string;
  readonly file: string;
  /** Each `find` must occur exactly once in the file as it stands; edits apply in order. */
  readonly edits: ReadonlyArray<readonly [find: string, replace: string]>;
}

const STORE = "mock/store.ts";
const PKCE = "mock/oauth/pkce.ts";

export const DEVIATIONS: readonly Deviation[] = [
  // ---- lifetimes (numbers) ---------------------------------------------------
  { name: "access-token-lives-7200", requirementIds: ["API-05"], description: "Access tokens work for 2 h while expires_in still says 3600.", file: STORE, edits: [["accessToken: 3600,", "accessToken: 7200,"]] },
  { name: "access-token-lives-3700", requirementIds: ["API-05"], description: "Access tokens work 100 s past the hour (beyond SKEW_S).", file: STORE, edits: [["accessToken: 3600,", "accessToken: 3700,"]] },
  { name: "access-token-lives-3000", requirementIds: ["API-05"], description: "Access tokens die 10 minutes early.", file: STORE, edits: [["accessToken: 3600,", "accessToken: 3000,"]] },
  { name: "refresh-token-lives-31d", requirementIds: ["REFRESH-02"], description: "Refresh tokens live 31 days.", file: STORE, edits: [["refreshToken: 30 * 24 * 3600,", "refreshToken: 31 * 24 * 3600,"]] },
  { name: "refresh-token-lives-29d", requirementIds: ["REFRESH-02"], description: "Refresh tokens live 29 days.", file: STORE, edits: [["refreshToken: 30 * 24 * 3600,", "refreshToken: 29 * 24 * 3600,"]] },
  {
    name: "refresh-expiry-absolute",
    requirementIds: ["REFRESH-02"],
    description: "A refresh token expires 30 days after its grant began, not after its own issue (rotation does not slide it).",
    file: STORE,
    edits: [["now + LIFETIME_S.refreshToken * 1000;", "grant.createdAt + LIFETIME_S.refreshToken * 1000;"]],
  },
  { name: "code-lives-11-min", requirementIds: ["CODE-04"], description: "Codes live 11 minutes.", file: STORE, edits: [["  code: 60,", "  code: 660,"]] },
  { name: "code-lives-10-s", requirementIds: ["CODE-04"], description: "Codes live 10 s, under the 20 s the Pact profile asks for.", file: STORE, edits: [["  code: 60,", "  code: 10,"]] },
  {
    name: "refreshed-access-token-lives-2h",
    requirementIds: ["API-05"],
    description: "Access tokens from a refresh work for 2 h.",
    file: "mock/oauth/grants/refresh-token.ts",
    edits: [["const access = store.issueAccessToken(grant, scope);", "const access = store.issueAccessToken(grant, scope); (access.token as { expiresAt: number }).expiresAt += 3_600_000;"]],
  },

  // ---- PKCE grammar (numbers and character sets) -----------------------------
  { name: "verifier-42-accepted", requirementIds: ["PKCE-09"], description: "A 42-character verifier redeems.", file: PKCE, edits: [["{43,128}$/", "{42,128}$/"]] },
  { name: "verifier-129-accepted", requirementIds: ["PKCE-09"], description: "A 129-character verifier redeems.", file: PKCE, edits: [["{43,128}$/", "{43,129}$/"]] },
  { name: "verifier-plus-slash-accepted", requirementIds: ["PKCE-09"], description: "Verifiers may hold + and / (standard base64).", file: PKCE, edits: [["const VERIFIER = /^[A-Za-z0-9._~-]", "const VERIFIER = /^[A-Za-z0-9._~+/-]"]] },
  { name: "challenge-44-accepted", requirementIds: ["PKCE-04"], description: "A 44-character S256 challenge is accepted.", file: PKCE, edits: [["{43}$/", "{43,44}$/"]] },
  // AUTHZ-08 and AUTHZ-11 run over PKCE-04's triggers but own only the state and the order of login and redirect.
  { name: "challenge-42-accepted", requirementIds: ["PKCE-04"], mustNotFail: ["AUTHZ-08", "AUTHZ-11"], description: "A 42-character S256 challenge is accepted.", file: PKCE, edits: [["{43}$/", "{42,43}$/"]] },
  {
    name: "challenge-method-case-insensitive",
    requirementIds: ["PKCE-03"],
    description: "code_challenge_method=s256 is taken for S256.",
    file: "mock/oauth/authorize-request.ts",
    edits: [['if (params.get("code_challenge_method") !== PKCE_METHOD)', 'if (params.get("code_challenge_method")?.toUpperCase() !== PKCE_METHOD)']],
  },
  {
    name: "challenge-method-defaults-to-s256",
    requirementIds: ["PKCE-03"],
    description: "A missing code_challenge_method is taken for S256 (RFC 7636 §4.3: it means plain).",
    file: "mock/oauth/authorize-request.ts",
    edits: [['if (params.get("code_challenge_method") !== PKCE_METHOD)', 'if ((params.get("code_challenge_method") ?? PKCE_METHOD) !== PKCE_METHOD)']],
  },
  {
    name: "code-burnt-only-after-pkce",
    requirementIds: ["PKCE-06"],
    description: "A wrong verifier leaves the code redeemable: it is consumed only once the verifier matched.",
    file: "mock/oauth/grants/authorization-code.ts",
    edits: [
      ["  code.consumedAt = now;\n", ""],
      ["  const user = store.users.get(code.userId);", "  code.consumedAt = now;\n  const user = store.users.get(code.userId);"],
    ],
  },

  // ---- throttling and entropy ------------------------------------------------
  { name: "throttle-after-500", requirementIds: ["SEC-05"], description: "Throttling starts after 500 failures, not THROTTLE_N.", file: "mock/oauth/throttle.ts", edits: [["THROTTLE_LIMIT = 50;", "THROTTLE_LIMIT = 500;"]] },
  { name: "throttle-after-51", requirementIds: ["SEC-05"], description: "Throttling starts one failure late.", file: "mock/oauth/throttle.ts", edits: [["THROTTLE_LIMIT = 50;", "THROTTLE_LIMIT = 51;"]] },
  { name: "access-tokens-96-bits", requirementIds: ["SEC-03"], description: "Access tokens carry 96 random bits.", file: STORE, edits: [["newSecret(PREFIX.accessToken)", "newId(PREFIX.accessToken, 12)"]] },
  { name: "refresh-tokens-120-bits", requirementIds: ["SEC-03"], description: "Refresh tokens carry 120 random bits.", file: STORE, edits: [["newSecret(PREFIX.refreshToken)", "newId(PREFIX.refreshToken, 15)"]] },
  { name: "codes-96-bits", requirementIds: ["SEC-03"], description: "Codes carry 96 random bits.", file: STORE, edits: [["newSecret(PREFIX.code)", "newId(PREFIX.code, 12)"]] },
  { name: "api-keys-96-bits", requirementIds: ["SEC-03"], description: "API keys carry 96 random bits.", file: STORE, edits: [["newSecret(PREFIX.apiKey)", "newId(PREFIX.apiKey, 12)"]] },
  {
    name: "client-secrets-96-bits",
    requirementIds: ["SEC-03"],
    description: "Client secrets, at registration and rotation, carry 96 random bits.",
    file: STORE,
    edits: [
      ['input.type === "confidential" ? newSecret(PREFIX.clientSecret) : null', 'input.type === "confidential" ? newId(PREFIX.clientSecret, 12) : null'],
      ["const secret = newSecret(PREFIX.clientSecret);", "const secret = newId(PREFIX.clientSecret, 12);"],
    ],
  },

  // ---- codes, refresh tokens, revocation (state across modules) --------------
  { name: "code-replay-keeps-tokens", requirementIds: ["CODE-02"], description: "Replaying a code is refused but its tokens live on.", file: "mock/oauth/grants/authorization-code.ts", edits: [["    if (code.grantId !== null) store.revokeGrant(code.grantId);\n", ""]] },
  {
    name: "code-redirect-uri-unchecked",
    requirementIds: ["CODE-06"],
    description: "The token request's redirect_uri is not compared with the authorization request's.",
    file: "mock/oauth/grants/authorization-code.ts",
    edits: [["if (redirectUri !== code.redirectUri)", "if (redirectUri === '\\u0000')"]],
  },
  {
    name: "refresh-reuse-kills-only-itself",
    requirementIds: ["REFRESH-04"],
    description: "A reused rotated refresh token is refused, and only it is revoked, not its family.",
    file: "mock/oauth/grants/refresh-token.ts",
    edits: [['if (!store.faults.has("refresh-reuse-undetected")) store.revokeGrant(grant.id);', "token.revokedAt = store.now();"]],
  },
  { name: "refresh-narrowing-ignored", requirementIds: ["REFRESH-05"], description: "A narrower scope on refresh is ignored: the whole grant comes back.", file: "mock/oauth/grants/refresh-token.ts", edits: [["    scope = requested.scopes;\n", ""]] },
  {
    name: "refresh-rotates-public-only",
    requirementIds: ["REFRESH-03"],
    // RFC 6749 §6: the server MAY issue a new refresh token; handing back the presented one is not "echoing" a secret (TOKEN-04).
    mustNotFail: ["TOKEN-04"],
    description: "Only public clients' refresh tokens rotate (the Pact profile rotates confidential ones too).",
    file: "mock/oauth/grants/refresh-token.ts",
    edits: [['const rotate = !store.faults.has("refresh-not-rotated");', 'const rotate = client.type === "public";']],
  },
  {
    name: "revoke-any-clients-token",
    requirementIds: ["REVOKE-07"],
    description: "A client can revoke another client's tokens.",
    file: "mock/oauth/revoke.ts",
    edits: [
      ["else if (grant && grant.clientId === client.clientId) store.revokeGrant(grant.id);", "else if (grant) store.revokeGrant(grant.id);"],
      ["if (grant && grant.clientId === client.clientId) store.revokeAccessToken(access);", "if (grant) store.revokeAccessToken(access);"],
    ],
  },
  {
    name: "revoke-access-kills-grant",
    requirementIds: ["REVOKE-04"],
    description: "Revoking an access token also kills its refresh token and siblings.",
    file: "mock/oauth/revoke.ts",
    edits: [["if (grant && grant.clientId === client.clientId) store.revokeAccessToken(access);", "if (grant && grant.clientId === client.clientId) store.revokeGrant(grant.id);"]],
  },
  {
    name: "revoke-trusts-hint",
    requirementIds: ["REVOKE-05"],
    description: "A refresh token sent with token_type_hint=access_token is not revoked (the server searches only the hinted type).",
    file: "mock/oauth/revoke.ts",
    edits: [['if (!ctx.faults.has("revoke-noop")) revokeToken(ctx.store, client, token);', 'if (!ctx.faults.has("revoke-noop") && !(form.get("token_type_hint") === "access_token" && ctx.store.findRefreshToken(token))) revokeToken(ctx.store, client, token);']],
  },
  { name: "revoke-answers-204", requirementIds: ["REVOKE-01", "REVOKE-02"], description: "Revocation answers 204 instead of 200.", file: "mock/oauth/revoke.ts", edits: [["res.status(200).set(NO_STORE_HEADERS).end();", "res.status(204).end();"]] },
  {
    name: "revoke-without-token-200",
    requirementIds: ["REVOKE-06"],
    description: "A revocation request without a token gets 200.",
    file: "mock/oauth/revoke.ts",
    edits: [['if (token === undefined) throw new TokenEndpointError("invalid_request", "token is required.");', "if (token === undefined) { res.status(200).set(NO_STORE_HEADERS).end(); return; }"]],
  },

  {
    name: "client-credentials-default-scope",
    requirementIds: ["CC-04"],
    description: "client_credentials without a scope gets every registered scope.",
    file: "mock/oauth/grants/client-credentials.ts",
    edits: [["const requested = parseScope(form.get(\"scope\"));", "const requested = parseScope(form.get(\"scope\") ?? client.scopes.join(\" \"));"]],
  },

  // ---- token endpoint shape ----------------------------------------------------
  { name: "token-pragma-missing", requirementIds: ["TOKEN-02"], description: "Token responses send Cache-Control: no-store without Pragma: no-cache.", file: "mock/oauth/token-endpoint.ts", edits: [['? {} : NO_STORE_HEADERS;', '? {} : { "Cache-Control": "no-store" };']] },
  { name: "token-no-cache", requirementIds: ["TOKEN-02"], description: "Token responses say Cache-Control: no-cache instead of no-store.", file: "mock/oauth/token-endpoint.ts", edits: [['? {} : NO_STORE_HEADERS;', '? {} : { "Cache-Control": "no-cache", Pragma: "no-cache" };']] },
  { name: "expires-in-string", requirementIds: ["TOKEN-04"], description: 'expires_in is the string "3600".', file: "mock/oauth/token-endpoint.ts", edits: [["    ...body,\n", "    ...body,\n    expires_in: String(body.expires_in),\n"]] },
  { name: "token-scope-omitted", requirementIds: ["TOKEN-01"], description: "Token responses leave out scope.", file: "mock/oauth/token-endpoint.ts", edits: [["    ...body,\n", "    ...body,\n    scope: undefined,\n"]] },
  { name: "unknown-grant-invalid-request", requirementIds: ["TOKEN-11"], description: "An unknown grant_type gets invalid_request, not unsupported_grant_type.", file: "mock/oauth/token-endpoint.ts", edits: [['TokenEndpointError("unsupported_grant_type"', 'TokenEndpointError("invalid_request"']] },
  { name: "token-duplicates-accepted", requirementIds: ["TOKEN-13"], description: "Repeated parameters at the token endpoint are accepted (the first wins).", file: "mock/oauth/oauth-form.ts", edits: [["if (repeated.length > 0) throw", "if (repeated.length > 99) throw"]] },
  { name: "credentials-in-query-accepted", requirementIds: ["TOKEN-05"], description: "A code or client_secret in the token request's query is not refused: the server reads the body only and ignores the query copy.", file: "mock/oauth/oauth-form.ts", edits: [["if (inQuery.length > 0) throw", "if (inQuery.length > 99) throw"]] },
  {
    name: "bad-secret-echoed",
    requirementIds: ["TOKEN-14", "TOKEN-07"],
    description: "invalid_client repeats the presented client_secret in error_description.",
    file: "mock/oauth/client-auth.ts",
    edits: [["    throw authFailed();\n  }\n  return app;", "    throw new TokenEndpointError(\"invalid_client\", `Client authentication failed for secret ${identity.secret ?? \"\"}.`);\n  }\n  return app;"]],
  },
  {
    name: "basic-and-body-secret-accepted",
    requirementIds: ["TOKEN-08"],
    description: "HTTP Basic and client_secret in the body in one request are accepted.",
    file: "mock/oauth/client-auth.ts",
    edits: [['if (bodySecret !== undefined) throw new TokenEndpointError("invalid_request", "Use one', 'if (bodySecret === "\\u0000") throw new TokenEndpointError("invalid_request", "Use one']],
  },
  { name: "public-client-secret-ignored", requirementIds: ["REG-03"], description: "A public client that sends a client_secret is authenticated anyway.", file: "mock/oauth/client-auth.ts", edits: [['else if (app.type === "public") ok = identity.secret === undefined;', 'else if (app.type === "public") ok = true;']] },
  {
    name: "invalid-client-400",
    requirementIds: ["TOKEN-07"],
    description: "invalid_client comes with 400 and no challenge, even after HTTP Basic.",
    file: "mock/oauth/client-auth.ts",
    edits: [['new TokenEndpointError("invalid_client", "Client authentication failed.")', 'new TokenEndpointError("invalid_client", "Client authentication failed.", 400)']],
  },
  {
    name: "unknown-client-told-apart",
    requirementIds: ["TOKEN-07"],
    description: "An unknown client_id gets its own error description, so client ids can be probed.",
    file: "mock/oauth/client-auth.ts",
    edits: [['matchesDigest(identity.secret ?? "", UNKNOWN_CLIENT_DIGEST);', 'throw new TokenEndpointError("invalid_client", "No such client.");']],
  },
  { name: "throttle-ignores-source", requirementIds: ["SEC-05"], description: "Throttling counts failures per client_id only, so an attacker locks the real client out.", file: "mock/oauth/client-auth.ts", edits: [["const source = sourceOf(req);", 'const source = "any";']] },

  // ---- authorization endpoint --------------------------------------------------
  { name: "redirect-uri-case-insensitive", requirementIds: ["AUTHZ-03"], description: "redirect_uri is compared without case.", file: "mock/oauth/redirect-uri.ts", edits: [["if (registered.includes(presented)) return true;", "if (registered.some((r) => r.toLowerCase() === presented.toLowerCase())) return true;"]] },
  {
    name: "redirect-uri-query-ignored",
    requirementIds: ["AUTHZ-03"],
    description: "redirect_uri is compared without its query.",
    file: "mock/oauth/redirect-uri.ts",
    edits: [["if (registered.includes(presented)) return true;", 'if (registered.some((r) => r.split("?")[0] === presented.split("?")[0])) return true;']],
  },
  {
    name: "redirect-uri-trailing-slash",
    requirementIds: ["AUTHZ-03"],
    description: "A trailing slash more or less on redirect_uri still matches.",
    file: "mock/oauth/redirect-uri.ts",
    edits: [["if (registered.includes(presented)) return true;", 'if ([presented, `${presented}/`, presented.replace(/\\/$/, "")].some((p) => registered.includes(p))) return true;']],
  },
  {
    name: "error-redirect-before-login",
    requirementIds: ["AUTHZ-11"],
    description: "A bad scope or response_type is redirected back to the client before the user signs in.",
    file: "mock/oauth/authorize.ts",
    edits: [
      ["    const current = currentSession(ctx, req);\n    if (!current) {", "    const current = currentSession(ctx, req);\n    if (!current) validateAuthorizeRequest(params, target, ctx.faults);\n    if (!current) {"],
    ],
  },
  { name: "authorize-duplicates-accepted", requirementIds: ["AUTHZ-09"], mustNotFail: ["AUTHZ-08", "AUTHZ-11"], description: "Repeated scope, state or PKCE parameters at the authorization endpoint are accepted.", file: "mock/oauth/authorize-request.ts", edits: [["if (repeated.length > 0) throw", "if (repeated.length > 99) throw"]] },
  { name: "state-trimmed", requirementIds: ["AUTHZ-07"], description: "state loses leading and trailing spaces.", file: "mock/oauth/authorize-request.ts", edits: [['params.get("state");', 'params.get("state")?.trim();']] },
  { name: "scope-case-insensitive", requirementIds: ["AUTHZ-06"], description: "Scope tokens are compared without case.", file: "mock/oauth/scope.ts", edits: [["const set = new Set(allowed);", "const set = new Set(allowed.map((s) => s.toLowerCase()));\n  requested = requested.map((s) => s.toLowerCase());"]] },
  { name: "response-type-token-accepted", requirementIds: ["AUTHZ-05"], description: "response_type=token proceeds like code.", file: "mock/oauth/authorize-request.ts", edits: [['if (responseType !== "code")', 'if (responseType !== "code" && responseType !== "token")']] },

  // ---- pages -------------------------------------------------------------------
  { name: "pages-without-x-frame-options", requirementIds: ["CONSENT-06"], description: "Login and consent pages send no X-Frame-Options.", file: "mock/views/html.ts", edits: [['  "X-Frame-Options": "DENY",\n', ""]] },
  { name: "pages-frameable-by-csp", requirementIds: ["CONSENT-06"], description: "The page CSP has no frame-ancestors.", file: "mock/views/html.ts", edits: [[" frame-ancestors 'none';", ""]] },
  { name: "session-cookie-not-httponly", requirementIds: ["CONSENT-05"], description: "The session cookie is readable by scripts.", file: "mock/http/session.ts", edits: [["=${raw}; Path=/; HttpOnly; SameSite=Lax", "=${raw}; Path=/; SameSite=Lax"]] },
  { name: "session-cookie-samesite-none", requirementIds: ["CONSENT-05"], description: "The session cookie is SameSite=None.", file: "mock/http/session.ts", edits: [["=${raw}; Path=/; HttpOnly; SameSite=Lax", "=${raw}; Path=/; HttpOnly; SameSite=None"]] },
  { name: "login-answers-307", requirementIds: ["CONSENT-07"], description: "The login POST continues with a 307.", file: "mock/oauth/login.ts", edits: [['    res.status(303).set("Cache-Control", "no-store").set("Location", returnTo).end();', '    res.status(307).set("Cache-Control", "no-store").set("Location", returnTo).end();']] },
  { name: "deny-without-state", requirementIds: ["CONSENT-04", "AUTHZ-08"], description: "Deny redirects with access_denied but without state.", file: "mock/oauth/authorize.ts", edits: [['"The user denied the request.", request.state, 303)', '"The user denied the request.", undefined, 303)']] },
  { name: "deny-approves", requirementIds: ["CONSENT-04"], description: "Deny issues a code like Approve.", file: "mock/oauth/authorize.ts", edits: [['if (decision === "deny") throw new ErrorRedirect', 'if (decision === "\\u0000") throw new ErrorRedirect']] },
  {
    name: "consent-skipped-for-wider-scope",
    requirementIds: ["CONSENT-08"],
    description: "A confidential client skips consent under any live grant, even one that does not cover the requested scopes.",
    file: "mock/oauth/authorize.ts",
    edits: [["holding.has(g.id) && isSubset(request.scope, g.scope)) return true;", "holding.has(g.id)) return true;"]],
  },
  { name: "consent-skipped-for-public", requirementIds: ["CONSENT-08"], description: "Public clients skip consent under a covering grant too.", file: "mock/oauth/authorize.ts", edits: [['  if (request.app.type !== "confidential") return false;\n', ""]] },

  // ---- /v1 ---------------------------------------------------------------------
  { name: "bearer-scheme-case-sensitive", requirementIds: ["API-07"], description: "Only the exact scheme name Bearer is accepted.", file: "mock/api/auth.ts", edits: [['m[1]?.toLowerCase() !== "bearer"', 'm[1] !== "Bearer"']] },
  { name: "insufficient-scope-without-scope", requirementIds: ["API-04"], description: "The 403 challenge has no scope attribute.", file: "mock/api/auth.ts", edits: [["`This call needs the ${required} scope.`, required);", "`This call needs the ${required} scope.`);"]] },
  { name: "insufficient-scope-401", requirementIds: ["API-04"], description: "insufficient_scope comes with 401 instead of 403.", file: "mock/api/auth.ts", edits: [['throw new BearerError(403, "insufficient_scope", `This call needs', 'throw new BearerError(401, "insufficient_scope", `This call needs']] },
  {
    name: "invalid-token-without-error",
    requirementIds: ["API-03"],
    description: "An invalid token gets a bare challenge, without error=invalid_token.",
    file: "mock/api/auth.ts",
    edits: [['throw new BearerError(401, "invalid_token", "The access token is invalid, expired or revoked.");', 'throw new BearerError(401, undefined, "The access token is invalid, expired or revoked.");']],
  },
  { name: "bare-challenge-with-error", requirementIds: ["API-02"], description: "A request without credentials gets error=invalid_token.", file: "mock/api/auth.ts", edits: [["new BearerError(401, undefined, description)", 'new BearerError(401, "invalid_token", description)']] },
  { name: "two-authorization-headers-accepted", requirementIds: ["API-06"], description: "Two Authorization headers are accepted (the first wins).", file: "mock/api/auth.ts", edits: [["if (headers.length > 1) throw", "if (headers.length > 99) throw"]] },
  { name: "user-permissions-ignored", requirementIds: ["CONSENT-09"], description: "A token reaches data its user cannot see.", file: "mock/api/auth.ts", edits: [["if (caller.user && permission && !caller.user.permissions.has(permission))", "if (caller.user && permission && caller.user.permissions.size < 0)"]] },
  {
    name: "refresh-token-as-bearer",
    requirementIds: ["API-09"],
    description: "A refresh token works as a bearer credential on /v1 (with the grant's scope).",
    file: STORE,
    edits: [["const token = this.findAccessToken(raw);", "const found = this.findRefreshToken(raw);\n    const token = this.findAccessToken(raw) ?? (found && { ...found, scope: this.grants.get(found.grantId)?.scope ?? [] });"]],
  },
  { name: "revoked-api-key-works", requirementIds: ["KEY-03", "KEY-01"], description: "A revoked API key still works.", file: STORE, edits: [["if (key && key.revokedAt === null) return", "if (key) return"]] },

  // ---- installations and offboarding --------------------------------------------
  {
    name: "uninstall-everywhere",
    requirementIds: ["INSTALL-02"],
    description: "Revoking an installation in one workspace revokes the app's grants in every workspace.",
    file: STORE,
    edits: [["if (g.clientId === clientId && g.workspaceId === workspaceId) this.revokeGrant(g.id);", "if (g.clientId === clientId) this.revokeGrant(g.id);"]],
  },
  {
    name: "uninstall-keeps-codes",
    requirementIds: ["INSTALL-01"],
    description: "Revoking an installation leaves unredeemed codes redeemable.",
    file: STORE,
    edits: [["if (c.clientId === clientId && c.workspaceId === workspaceId && c.revokedAt === null) c.revokedAt = now;", "if (c.clientId === '\\u0000') c.revokedAt = now;"]],
  },
  {
    name: "uninstall-keeps-client-credentials",
    requirementIds: ["INSTALL-01"],
    description: "Revoking an installation leaves the app's client-credentials tokens alive.",
    file: STORE,
    edits: [["if (g.clientId === clientId && g.workspaceId === workspaceId) this.revokeGrant(g.id);", 'if (g.clientId === clientId && g.workspaceId === workspaceId && g.kind === "authorization_code") this.revokeGrant(g.id);']],
  },
  { name: "rotation-keeps-old-secret", requirementIds: ["INSTALL-04"], description: "Rotating a secret leaves the old one working.", file: STORE, edits: [["    app.secretDigest = digest(secret);\n", ""]] },
  {
    name: "rotation-kills-tokens",
    requirementIds: ["INSTALL-04"],
    description: "Rotating a secret revokes the app's issued tokens.",
    file: STORE,
    edits: [["    app.secretHint = this.secretHint(secret);\n", "    app.secretHint = this.secretHint(secret);\n    for (const g of this.grants.values()) if (g.clientId === app.clientId) this.revokeGrant(g.id);\n"]],
  },
  {
    name: "offboarding-kills-client-credentials",
    requirementIds: ["INSTALL-05"],
    description: "Deactivating a user also revokes every grant of their workspace, client-credentials ones included.",
    file: STORE,
    edits: [["    user.active = false;\n", "    user.active = false;\n    for (const g of this.grants.values()) if (g.workspaceId === user.workspaceId) this.revokeGrant(g.id);\n"]],
  },
  {
    name: "offboarding-keeps-refresh-tokens",
    requirementIds: ["INSTALL-05"],
    description: "Deactivating a user revokes their access tokens only; their refresh tokens still work.",
    file: STORE,
    edits: [
      ["if (!user || !user.active) return false;", "if (!user) return false;"],
      [
        "    user.active = false;\n",
        "    user.active = false;\n    for (const t of this.accessTokens.values()) { const g = this.grants.get(t.grantId); if (g?.principal.kind === \"user\" && g.principal.userId === user.id) t.revokedAt = this.now(); }\n",
      ],
    ],
  },
  { name: "members-administer", requirementIds: ["INSTALL-03"], description: "Any member, not only admins, can use the admin console (and revoke installations).", file: "mock/admin/router.ts", edits: [['if (found.user.role !== "admin") throw', 'if (found.user.role === "\u0000") throw']] },

  // ---- CORS --------------------------------------------------------------------
  { name: "cors-with-credentials", requirementIds: ["SEC-08"], description: "CORS answers allow credentials.", file: "mock/oauth/cors.ts", edits: [['res.set("Access-Control-Allow-Origin", origin);', 'res.set("Access-Control-Allow-Origin", origin);\n      res.set("Access-Control-Allow-Credentials", "true");']] },
  { name: "cors-any-origin", requirementIds: ["SEC-08"], description: "CORS allows any origin.", file: "mock/oauth/cors.ts", edits: [['const allowed = typeof origin === "string" && allowedCorsOrigins(store).has(origin);', 'const allowed = typeof origin === "string";']] },
  { name: "cors-wildcard", requirementIds: ["SEC-08"], description: "CORS answers Access-Control-Allow-Origin: * to registered origins.", file: "mock/oauth/cors.ts", edits: [['res.set("Access-Control-Allow-Origin", origin);', 'res.set("Access-Control-Allow-Origin", "*");']] },

  // ---- one owner per clause (§0.1): the deviation fails its owner and no bystander ----
  {
    name: "error-redirect-in-fragment",
    requirementIds: ["AUTHZ-05"],
    mustNotFail: ["AUTHZ-08", "AUTHZ-11"],
    description: "unsupported_response_type is sent back in the fragment, with the exact state (§0.4: the query under the Pact profile).",
    file: "mock/http/error-handler.ts",
    edits: [["res.set(PAGE_SECURITY_HEADERS).redirect(err.status, appendQuery(err.redirectUri, params));", 'res.set(PAGE_SECURITY_HEADERS).redirect(err.status, err.error === "unsupported_response_type" ? `${err.redirectUri.split("#")[0]}#${new URLSearchParams(params).toString()}` : appendQuery(err.redirectUri, params));']],
  },
  {
    name: "unsupported-response-type-as-invalid-request",
    requirementIds: ["AUTHZ-05"],
    mustNotFail: ["AUTHZ-08", "AUTHZ-11"],
    description: "An unsupported response_type gets error=invalid_request (with the state, after login) instead of unsupported_response_type.",
    file: "mock/oauth/authorize-request.ts",
    edits: [['throw fail("unsupported_response_type", "Only response_type=code is supported.");', 'throw fail("invalid_request", "Only response_type=code is supported.");']],
  },
  {
    name: "expires-in-3599",
    requirementIds: ["TOKEN-04"],
    mustNotFail: ["REFRESH-01"],
    description: "Every successful token response says expires_in 3599.",
    file: "mock/oauth/token-endpoint.ts",
    edits: [["    ...body,\n", '    ...body,\n    ...(typeof body.expires_in === "number" ? { expires_in: 3599 } : {}),\n']],
  },
  {
    name: "code-replay-invalid-request",
    requirementIds: ["CODE-01"],
    // CODE-03: "the kit asserts only that there is at most one success".
    mustNotFail: ["CODE-03"],
    description: "A code that already produced tokens gets 400 invalid_request, not invalid_grant, so the losers of a race do too.",
    file: "mock/oauth/grants/authorization-code.ts",
    edits: [['throw invalidGrant("The authorization code was already used.");', 'throw new TokenEndpointError("invalid_request", "The authorization code was already used.");']],
  },
  {
    name: "invalid-client-401-without-challenge",
    requirementIds: ["TOKEN-07"],
    mustNotFail: ["TOKEN-09", "TOKEN-10", "REFRESH-07", "CC-01", "REVOKE-06"],
    description: "invalid_client comes with 401 but no WWW-Authenticate challenge, at the token and revocation endpoints.",
    file: "mock/http/error-handler.ts",
    edits: [['  if (err.status === 401) res.set("WWW-Authenticate", BASIC_CHALLENGE);\n', ""]],
  },
  {
    name: "revoked-refresh-token-401",
    requirementIds: ["REVOKE-03"],
    mustNotFail: ["REVOKE-05"],
    description: "A refresh with a revoked refresh token is refused with 401 invalid_grant instead of 400.",
    file: "mock/oauth/grants/refresh-token.ts",
    edits: [["  if (token.expiresAt <= store.now() || !store.grantIsLive(grant))", '  if (grant.revokedAt !== null) throw new TokenEndpointError("invalid_grant", "The refresh token was revoked.", 401);\n  if (token.expiresAt <= store.now() || !store.grantIsLive(grant))']],
  },
  {
    name: "code-exchange-unavailable",
    requirementIds: ["TOKEN-01"],
    // SEC-02 needs an access token to look for in URLs: without one it could not judge (§0.1), it did not fail.
    mustError: ["SEC-02"],
    description: "Every authorization_code exchange is refused with invalid_grant, so no access token is ever issued by that grant.",
    file: "mock/oauth/grants/authorization-code.ts",
    edits: [['throw invalidGrant("The authorization code was already used.");\n  }\n', 'throw invalidGrant("The authorization code was already used.");\n  }\n  throw invalidGrant("Code redemption is unavailable.");\n']],
  },
  { name: "cc-public-client-403", requirementIds: ["CC-03"], description: "A public client asking for client_credentials gets 403 unauthorized_client (the Pact profile says 400).", file: "mock/oauth/token-endpoint.ts", edits: [['throw new TokenEndpointError("unauthorized_client", "client_credentials is only for confidential clients.");', 'throw new TokenEndpointError("unauthorized_client", "client_credentials is only for confidential clients.", 403 as 400);']] },

  // ---- conformant behaviours the kit must accept (no target ID) ------------------------------
  {
    name: "cc-public-client-403-rfc",
    requirementIds: [],
    mustNotFail: ["CC-03"],
    profile: "rfc",
    description: "Under --profile rfc: a public client asking for client_credentials gets 403 unauthorized_client, an OAuth error without a token (CC-03 accepts it).",
    file: "mock/oauth/token-endpoint.ts",
    edits: [['throw new TokenEndpointError("unauthorized_client", "client_credentials is only for confidential clients.");', 'throw new TokenEndpointError("unauthorized_client", "client_credentials is only for confidential clients.", 403 as 400);']],
  },
  {
    name: "credentials-in-query-ignored-rfc",
    requirementIds: [],
    mustNotFail: ["TOKEN-05"],
    profile: "rfc",
    description: "Under --profile rfc: a code, client_secret or refresh_token copied into the query beside valid body or Basic credentials is ignored; the server answers from the body (RFC 6749 §2.3.1 forbids tokens obtained through the URL).",
    file: "mock/oauth/oauth-form.ts",
    edits: [["if (inQuery.length > 0) throw", "if (inQuery.length > 99) throw"]],
  },
  {
    name: "refresh-rotates-public-only-rfc",
    requirementIds: [],
    mustNotFail: ["REFRESH-03", "TOKEN-04"],
    profile: "rfc",
    description: "Under --profile rfc: a confidential client's refresh hands back the presented refresh token (RFC 6749 §6 allows it; rotation for confidential clients is PACT-PROFILE).",
    file: "mock/oauth/grants/refresh-token.ts",
    edits: [['const rotate = !store.faults.has("refresh-not-rotated");', 'const rotate = client.type === "public";']],
  },
  {
    name: "public-basic-empty-password-refused",
    requirementIds: [],
    mustNotFail: ["REG-03"],
    description: "HTTP Basic with the public client's id and an empty password is taken as a presented (wrong) secret and refused with 401 invalid_client; the catalogue states only the empty client_secret= in the body.",
    file: "mock/oauth/client-auth.ts",
    edits: [['secret: basic.secret === "" ? undefined : basic.secret, method: "basic"', 'secret: basic.secret, method: "basic"']],
  },
  {
    name: "refresh-scope-whitespace-lenient",
    requirementIds: [],
    mustNotFail: ["REFRESH-06"],
    description: "A refresh scope with stray white space (leading, trailing, doubled, tab) is read as its tokens and granted when within the grant; REFRESH-06 states only widening.",
    file: "mock/oauth/scope.ts",
    edits: [["  if (!SCOPE_PARAM.test(value)) return { ok: false, reason: \"malformed\" };\n  return { ok: true, scopes: [...new Set(value.split(\" \"))] };", "  const lenient = value.trim().split(/\\s+/).join(\" \");\n  if (!SCOPE_PARAM.test(lenient)) return { ok: false, reason: \"malformed\" };\n  return { ok: true, scopes: [...new Set(lenient.split(\" \"))] };"]],
  },
];

/** The file's text with the deviation's edits applied; throws unless each `find` occurs exactly once when its turn comes. */
export function applyEdits(source: string, deviation: Deviation): string {
  let text = source;
  for (const [find, replace] of deviation.edits) {
    const at = text.indexOf(find);
    if (at === -1) throw new Error(`${deviation.name}: ${deviation.file} no longer contains ${JSON.stringify(find)}`);
    if (text.indexOf(find, at + 1) !== -1) throw new Error(`${deviation.name}: ${JSON.stringify(find)} occurs more than once in ${deviation.file}`);
    text = text.slice(0, at) + replace + text.slice(at + find.length);
  }
  return text;
}
