// The OAuth client side of "OAuth in 5 minutes", in the browser.
// Each exported function is one step of the doc; nothing here touches the DOM.
// @ts-check

/**
 * @typedef {{ pactUrl: string, clientId: string, scope: string }} PactConfig
 * @typedef {{ accessToken: string, refreshToken: string | null, expiresAt: number, scope: string }} Tokens
 * @typedef {{ id?: string, name?: string, email?: string, company?: string }} Contact
 */

const PENDING_KEY = "pact.pending-authorization"; // { state, verifier } between Step 2 and Step 3
const TOKENS_KEY = "pact.tokens";
/** Refresh this many ms before the announced expiry, for clock skew and request latency. */
const EXPIRY_MARGIN_MS = 30_000;

/** An error response from Pact: RFC 6749 §4.1.2.1 / §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1. */
export class PactError extends Error {
  /**
   * @param {string} code  the RFC `error` code, e.g. access_denied, invalid_grant, invalid_token
   * @param {string} [description]
   * @param {number} [status]
   */
  constructor(code, description, status) {
    super(description ? `${code}: ${description}` : code);
    this.name = "PactError";
    this.code = code;
    this.description = description ?? "";
    this.status = status ?? 0;
  }
}

/** The redirect URI registered for demo-spa: this page's /callback (Step 1). */
export function redirectUri() {
  return new URL("/callback", window.location.origin).href;
}

/** @param {Uint8Array} bytes */
function base64url(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** @param {number} n */
function randomBase64url(n) {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

/**
 * Step 2 (PKCE, RFC 7636 §4.1–4.2): a verifier of 32 random bytes in base64url,
 * and its S256 challenge = BASE64URL(SHA-256(verifier)).
 */
export async function createPkce() {
  const verifier = randomBase64url(32);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

/**
 * Step 2 — send the user to authorize. Keeps `state` and the verifier in
 * sessionStorage (this tab only) and returns the /oauth/authorize URL to go to.
 * @param {PactConfig} config
 */
export async function beginAuthorization(config) {
  const { verifier, challenge } = await createPkce();
  const state = randomBase64url(16); // RFC 6749 §10.12: unguessable, bound to this tab
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier }));
  const url = new URL("/oauth/authorize", config.pactUrl);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  return url.href;
}

/**
 * Steps 2–3 — the callback. Verifies `state`, then exchanges the code with the
 * verifier. Throws PactError for an error response (e.g. access_denied).
 * @param {PactConfig} config
 * @param {URLSearchParams} params  the callback's query
 * @returns {Promise<Tokens>}
 */
export async function completeAuthorization(config, params) {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY); // one attempt per state (RFC 6749 §10.12)
  /** @type {{ state?: unknown, verifier?: unknown }} */
  const pending = raw ? JSON.parse(raw) : {};
  // Step 2: "Verify state matches what you sent." Checked before anything else, errors included.
  if (typeof pending.state !== "string" || params.get("state") !== pending.state) {
    throw new PactError("state_mismatch", "The callback's state does not match the one this tab sent; it was ignored. Connect again.");
  }
  const error = params.get("error");
  if (error) throw new PactError(error, params.get("error_description") ?? undefined);
  const code = params.get("code");
  if (!code || typeof pending.verifier !== "string") throw new PactError("invalid_request", "The callback carries no code.");

  // Step 3 — exchange the code for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5).
  return tokenRequest(config, {
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri(),
    client_id: config.clientId,
    code_verifier: pending.verifier,
  });
}

/**
 * Step 4 — "When it expires, refresh it" (RFC 6749 §6). Pact rotates refresh
 * tokens for public clients, so the caller must keep the new one.
 * @param {PactConfig} config
 * @param {string} refreshToken
 */
export function refreshTokens(config, refreshToken) {
  return tokenRequest(config, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: config.clientId });
}

/**
 * POST /oauth/token, form-encoded, no credentials: demo-spa is a public client (Step 1).
 * @param {PactConfig} config
 * @param {Record<string, string>} form
 * @returns {Promise<Tokens>}
 */
async function tokenRequest(config, form) {
  const res = await fetch(new URL("/oauth/token", config.pactUrl), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(form),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new PactError(body?.error ?? "server_error", body?.error_description ?? `HTTP ${res.status} from /oauth/token`, res.status);
  // RFC 6749 §5.1: access_token and token_type are required; Pact documents expires_in, refresh_token and scope.
  if (typeof body?.access_token !== "string" || String(body.token_type).toLowerCase() !== "bearer") {
    throw new PactError("invalid_response", "The token response has no Bearer access_token.");
  }
  const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 3600;
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : (form.refresh_token ?? null),
    expiresAt: Date.now() + expiresIn * 1000,
    // RFC 6749 §5.1: scope may be omitted when it equals the requested one.
    scope: typeof body.scope === "string" ? body.scope : config.scope,
  };
}

/**
 * "Revocation": POST /oauth/revoke with the refresh token (RFC 7009 §2.1),
 * which also ends the access tokens of the same grant.
 * @param {PactConfig} config
 * @param {string} refreshToken
 */
export async function revokeRefreshToken(config, refreshToken) {
  const res = await fetch(new URL("/oauth/revoke", config.pactUrl), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token", client_id: config.clientId }),
  });
  // RFC 7009 §2.2: 200 whether or not the token was still valid.
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new PactError(body?.error ?? "server_error", body?.error_description ?? `HTTP ${res.status} from /oauth/revoke`, res.status);
  }
}

/**
 * The error code of a 401 (RFC 6750 §3): from WWW-Authenticate when the
 * browser exposes it, else from a JSON body, else invalid_token.
 * @param {Response} res
 */
async function bearerError(res) {
  const header = res.headers.get("WWW-Authenticate") ?? "";
  const match = /error="([^"]*)"/.exec(header);
  if (match?.[1]) return match[1];
  const body = await res.json().catch(() => null);
  return typeof body?.error === "string" ? body.error : "invalid_token";
}

/**
 * Holds this tab's tokens and makes API calls with them (Step 4), refreshing
 * once when the access token has expired or Pact answers 401 invalid_token.
 */
export class PactSession {
  /** @param {PactConfig} config */
  constructor(config) {
    this.config = config;
    /** @type {Tokens | null} */
    this.tokens = null;
    /** @type {Promise<Tokens> | null} one refresh at a time: a rotated token is single-use */
    this.refreshing = null;
    /** Called after every successful refresh. @type {() => void} */
    this.onRefresh = () => {};
    const saved = sessionStorage.getItem(TOKENS_KEY);
    if (saved) this.tokens = JSON.parse(saved);
  }

  get connected() {
    return this.tokens !== null;
  }

  /** @param {Tokens | null} tokens */
  store(tokens) {
    this.tokens = tokens;
    if (tokens) sessionStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
    else sessionStorage.removeItem(TOKENS_KEY);
  }

  /** Forces a refresh now; concurrent callers share it. */
  refresh() {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return Promise.reject(new PactError("invalid_grant", "No refresh token; connect again."));
    this.refreshing ??= refreshTokens(this.config, refreshToken)
      .then((tokens) => {
        this.store(tokens); // keep the rotated refresh token: the old one is now spent
        this.onRefresh();
        return tokens;
      })
      .catch((e) => {
        if (e instanceof PactError && e.code === "invalid_grant") this.store(null); // the grant is gone
        throw e;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /**
   * Step 4 — GET a /v1 path with "Authorization: Bearer ACCESS_TOKEN" (RFC 6750 §2.1).
   * @param {string} path e.g. /v1/contacts?limit=10
   */
  async get(path) {
    if (!this.tokens) throw new PactError("not_connected", "Connect to Pact first.");
    if (Date.now() >= this.tokens.expiresAt - EXPIRY_MARGIN_MS) await this.refresh();
    let res = await this.call(path);
    if (res.status === 401 && (await bearerError(res.clone())) === "invalid_token") {
      await this.refresh();
      res = await this.call(path); // retry once, then report whatever Pact says
    }
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      const code = res.status === 401 ? await bearerError(res) : (body?.error ?? "server_error");
      throw new PactError(code, body?.error_description ?? body?.message ?? `HTTP ${res.status} from ${path}`, res.status);
    }
    return body;
  }

  /** @param {string} path */
  async call(path) {
    const token = this.tokens?.accessToken ?? "";
    try {
      return await fetch(new URL(path, this.config.pactUrl), { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
    } catch {
      // fetch rejects without detail on network errors and on CORS refusals alike.
      throw new PactError("network_error", `Could not call ${new URL(path, this.config.pactUrl).origin}${path.split("?")[0]} from this page: Pact is unreachable, or it does not allow this origin (${window.location.origin}) through CORS.`);
    }
  }

  /** "Revocation": revoke the refresh token, then forget every token whatever happened. */
  async disconnect() {
    const refreshToken = this.tokens?.refreshToken;
    try {
      if (refreshToken) await revokeRefreshToken(this.config, refreshToken);
    } finally {
      this.store(null);
    }
  }
}

/**
 * The contacts of a /v1/contacts response, whichever list field it uses.
 * @param {unknown} body
 * @returns {Contact[]}
 */
export function contactsOf(body) {
  if (Array.isArray(body)) return body;
  if (body && typeof body === "object") {
    for (const key of ["data", "contacts", "items", "results"]) {
      const list = /** @type {Record<string, unknown>} */ (body)[key];
      if (Array.isArray(list)) return list;
    }
  }
  return [];
}
