import { authorizationParams, type IssueOptions } from "../flows/code-factory.ts";
import { isLoginPage, submitLogin, followOnOrigin } from "../flows/login.ts";
import type { Pairs, ProtocolClient } from "../http/client.ts";
import { findFormByButton, parseForms, submitForm, visibleText, type HtmlForm } from "../http/html-form.ts";
import { newVerifier } from "../http/pkce.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { UserIdentity } from "../targets/schema.ts";
import { ensure, ensureNot5xx } from "./http.ts";

/**
 * Authorization-endpoint checks (catalogue §0.4 "No-redirect error" and "Error redirect",
 * AUTHZ, PKCE-01..04, CONSENT, SEC-01/02). Each `ensure…` throws with what was expected and
 * what came back; callers pick the requirement ID and clause.
 */

// ---------------------------------------------------------------------------------------------
// Building requests

/** How a space travels in a query component: both are form-decoded to a space (AMB-07). */
export type SpaceEncoding = "+" | "%20";

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * Percent-encodes every octet outside RFC 3986 unreserved (UTF-8; lone surrogates become U+FFFD),
 * spaces as `space`. The kit controls the wire bytes exactly.
 */
export function encodeComponent(value: string, space: SpaceEncoding = "%20"): string {
  let out = "";
  for (const ch of value) {
    if (UNRESERVED.test(ch)) out += ch;
    else if (ch === " ") out += space;
    else for (const b of Buffer.from(ch, "utf8")) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function rawQuery(pairs: Pairs, space: SpaceEncoding = "%20"): string {
  return pairs.map(([n, v]) => `${encodeComponent(n, space)}=${encodeComponent(v, space)}`).join("&");
}

export interface AuthorizeSendOptions {
  readonly space?: SpaceEncoding;
  readonly label?: string;
  readonly headers?: Pairs;
  /** Return the first response as is, without following same-origin hops (default false). */
  readonly firstHop?: boolean;
}

/**
 * GET /oauth/authorize with exactly these pairs: order, duplicates and encoding kept (RFC 6749
 * §4.1.1). Same-origin redirects (an interaction or login page, a resume URL) are followed, so
 * the answer is where a browser lands: a page of the target, or the redirect that leaves it.
 */
export async function sendAuthorize(client: ProtocolClient, pairs: Pairs, opts: AuthorizeSendOptions = {}): Promise<HttpResponse> {
  const q = rawQuery(pairs, opts.space ?? "%20");
  const label = opts.label ?? "authorize";
  const first = await client.get(`/oauth/authorize${q ? `?${q}` : ""}`, { label, ...(opts.headers ? { headers: opts.headers } : {}) });
  return opts.firstHop ? first : followOnOrigin(client, first, label);
}

export interface AuthorizeRequestParts {
  readonly pairs: Array<[string, string]>;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string | null;
}

/** A valid authorization request (the doc's Step 2 parameters) for `opts`, as ordered pairs. */
export function authorizeRequest(opts: IssueOptions): AuthorizeRequestParts {
  const verifier = opts.verifier ?? newVerifier();
  const p = authorizationParams(opts, verifier);
  return { pairs: p.pairs, verifier, redirectUri: p.redirectUri, scope: p.scope, state: p.state };
}

/** `pairs` with every `name` replaced by one `value` in place of the first; null removes it. */
export function setParam(pairs: Pairs, name: string, value: string | null): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let done = false;
  for (const [n, v] of pairs) {
    if (n !== name) out.push([n, v]);
    else if (!done) {
      done = true;
      if (value !== null) out.push([n, value]);
    }
  }
  if (!done && value !== null) out.push([name, value]);
  return out;
}

/** `pairs` with a second `name=value` right after the first occurrence (RFC 6749 §3.1 duplicates). */
export function duplicateParam(pairs: Pairs, name: string, value: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let done = false;
  for (const [n, v] of pairs) {
    out.push([n, v]);
    if (n === name && !done) {
      out.push([n, value]);
      done = true;
    }
  }
  if (!done) out.push([name, value], [name, value]);
  return out;
}

/** The first value of `name` in `pairs`. */
export function paramOf(pairs: Pairs, name: string): string | undefined {
  return pairs.find(([n]) => n === name)?.[1];
}

// ---------------------------------------------------------------------------------------------
// Reading responses

/** The consent form: the form holding the page contract's Approve button. */
export function consentForm(res: HttpResponse, target: Target): HtmlForm | undefined {
  if (!res.mediaType?.includes("html")) return undefined;
  return findFormByButton(parseForms(res.text, res.exchange.url), target.recipe.approveButton);
}

export function isConsentPage(res: HttpResponse, target: Target): boolean {
  return consentForm(res, target) !== undefined;
}

/** True when `res` redirects to a URL whose origin is not the target's. */
export function redirectsOffSite(res: HttpResponse, target: Target): boolean {
  if (!res.isRedirect) return false;
  const loc = res.locationUrl;
  return loc === undefined || loc.origin !== new URL(target.baseUrl).origin;
}

function describeRes(res: HttpResponse): string {
  const loc = res.location;
  return `${res.status}${loc !== undefined ? ` Location ${fingerprintUrl(loc)}` : ""}${res.mediaType ? ` (${res.mediaType})` : ""}`;
}

/** A URL for messages: query values longer than 24 characters are shortened (no raw codes). */
export function fingerprintUrl(url: string): string {
  const q = url.search(/[?#]/);
  if (q < 0) return url;
  return url.slice(0, q + 1) + url.slice(q + 1).replace(/=([^&#]{24})[^&#]+/g, (_m, head: string) => `=${head.slice(0, 6)}…`);
}

export interface ClientRedirect {
  /** Parameters the server added to the redirect URI's own query, in order. */
  readonly added: Array<[string, string]>;
  /** Parameters in the fragment, if any. */
  readonly fragment: Array<[string, string]>;
}

/**
 * Splits a client redirect `location` against the redirect URI the request used: the
 * scheme, authority and path must be byte-identical, the URI's own query kept first
 * (RFC 6749 §3.1.2, §4.1.2). Throws when `location` is not that URI.
 */
export function splitClientRedirect(location: string, redirectUri: string): ClientRedirect {
  const qAt = redirectUri.search(/[?#]/);
  const head = qAt < 0 ? redirectUri : redirectUri.slice(0, qAt);
  ensure(location.startsWith(head), `Location ${fingerprintUrl(location)} is not the redirect URI ${redirectUri}`);
  const next = location.charAt(head.length);
  ensure(next === "" || next === "?" || next === "#", `Location ${fingerprintUrl(location)} extends the path of ${redirectUri}`);
  const hashAt = location.indexOf("#", head.length);
  const query = location.slice(head.length, hashAt < 0 ? undefined : hashAt).replace(/^\?/, "");
  const fragment = hashAt < 0 ? "" : location.slice(hashAt + 1);
  const own = [...new URLSearchParams(redirectUri.slice(head.length).split("#")[0]?.replace(/^\?/, "") ?? "")];
  const got = [...new URLSearchParams(query)];
  for (let i = 0; i < own.length; i++) {
    const [n, v] = own[i] as [string, string];
    const g = got[i];
    ensure(g !== undefined && g[0] === n && g[1] === v, `the redirect URI's own query parameter ${n}=${v} was not kept first (RFC 6749 §3.1.2)`);
  }
  return { added: got.slice(own.length), fragment: [...new URLSearchParams(fragment)] };
}

const TOKEN_PARAMS = ["access_token", "refresh_token", "id_token", "token_type", "expires_in"];

export interface ErrorRedirectExpectation {
  /** The redirect URI the request named (registered, or a loopback port variant). */
  readonly redirectUri: string;
  /** Acceptable `error` values. */
  readonly errors: readonly string[];
  /** The state the request sent (must come back byte-exact), or null when none may come back. */
  readonly state: string | null;
  /** `--profile rfc` tolerates the error in the fragment for token-bearing response types (§0.4). */
  readonly fragmentTolerated?: boolean;
}

/** §0.4 "Error redirect": a 302/303 to the exact redirect URI with error (and state) in the query, never a code. */
export function ensureErrorRedirect(res: HttpResponse, exp: ErrorRedirectExpectation): URLSearchParams {
  ensureNot5xx(res);
  ensure(res.status === 302 || res.status === 303, `expected a 302/303 error redirect to ${exp.redirectUri}, got ${describeRes(res)}`);
  const loc = res.location;
  ensure(loc !== undefined, "the redirect has no Location");
  const { added, fragment } = splitClientRedirect(loc, exp.redirectUri);
  const inQuery = new URLSearchParams(added);
  const inFragment = new URLSearchParams(fragment);
  const all = [...added, ...fragment].map(([n]) => n);
  ensure(!all.includes("code"), "an error redirect carries a code");
  const tokens = all.filter((n) => TOKEN_PARAMS.includes(n));
  ensure(tokens.length === 0, `an error redirect carries ${tokens.join(", ")}`);
  let params = inQuery;
  if (!inQuery.has("error") && exp.fragmentTolerated && inFragment.has("error")) params = inFragment;
  ensure(params.has("error"), `the redirect carries no error in the query${fragment.length ? " (it is in the fragment)" : ""}: ${fingerprintUrl(loc)}`);
  const error = params.get("error") ?? "";
  ensure(exp.errors.includes(error), `expected error=${exp.errors.join(" or ")}, got error=${error}`);
  if (exp.state === null) {
    ensure(!params.has("state"), `expected no state, got state of ${params.get("state")?.length ?? 0} characters`);
  } else {
    ensure(params.has("state"), "the error redirect lacks the request's state (RFC 6749 §4.1.2.1)");
    ensure(params.get("state") === exp.state, `state came back altered: sent ${JSON.stringify(exp.state)}, got ${JSON.stringify(params.get("state"))}`);
  }
  return params;
}

/**
 * The response parameters of an error redirect to `redirectUri`, wherever they are (query, else
 * fragment), or null when `res` is not one: not a 302/303 to that URI, or no `error` parameter.
 * For entries that observe an error redirect without owning its shape (AUTHZ-08 owns the state,
 * AUTHZ-11 the order of login and redirect): where the error sits and which code it names are
 * AUTHZ-05's, -06's, -09's and PKCE-01..04's clauses (catalogue §0.1).
 */
export function errorRedirectParams(res: HttpResponse, redirectUri: string): { params: URLSearchParams; where: "query" | "fragment"; hasCode: boolean } | null {
  if (res.status !== 302 && res.status !== 303) return null;
  const loc = res.location;
  if (loc === undefined) return null;
  let split: ClientRedirect;
  try {
    split = splitClientRedirect(loc, redirectUri);
  } catch {
    return null;
  }
  const inQuery = new URLSearchParams(split.added);
  const inFragment = new URLSearchParams(split.fragment);
  const hasCode = inQuery.has("code") || inFragment.has("code");
  if (inQuery.has("error")) return { params: inQuery, where: "query", hasCode };
  if (inFragment.has("error")) return { params: inFragment, where: "fragment", hasCode };
  return null;
}

/** Both values when short; lengths and the first differing character when long. */
function describeStateChange(sent: string, got: string | null): string {
  if (got === null || sent.length + got.length <= 160) return `sent ${JSON.stringify(sent)}, got ${JSON.stringify(got)}`;
  let i = 0;
  while (i < sent.length && sent[i] === got[i]) i++;
  return `sent ${sent.length} characters, got ${got.length}; they differ from character ${i + 1} on`;
}

/** RFC 6749 §4.1.2, RFC 9207: a success redirect to exactly `redirectUri` + {code, state[, iss]} in the query. */
export function ensureCodeRedirect(res: HttpResponse, redirectUri: string, state: string | null, issuer: string): URLSearchParams {
  ensureNot5xx(res);
  ensure(res.status === 302 || res.status === 303, `expected a 302/303 redirect with a code, got ${describeRes(res)}`);
  const loc = res.location;
  ensure(loc !== undefined, "the redirect has no Location");
  const { added, fragment } = splitClientRedirect(loc, redirectUri);
  ensure(fragment.length === 0, `response parameters in the fragment: ${fragment.map(([n]) => n).join(", ")} (must be the query, RFC 6749 §4.1.2)`);
  const names = added.map(([n]) => n);
  const extra = names.filter((n) => !["code", "state", "iss"].includes(n));
  ensure(extra.length === 0, `the redirect adds ${extra.join(", ")} besides code, state and iss`);
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  ensure(dup.length === 0, `the redirect repeats ${dup.join(", ")}`);
  const params = new URLSearchParams(added);
  ensure((params.get("code") ?? "") !== "", "the redirect has no code");
  if (state === null) ensure(!params.has("state") || params.get("state") === "", "a state came back although none was sent");
  else ensure(params.get("state") === state, `state came back altered: ${describeStateChange(state, params.get("state"))}`);
  if (params.has("iss")) ensure(params.get("iss") === issuer, `iss is ${params.get("iss")}, expected the issuer ${issuer} (RFC 9207 §2)`);
  return params;
}

/** Every `<meta http-equiv=refresh>` target of a page, resolved against its URL. */
export function metaRefreshTargets(res: HttpResponse): URL[] {
  const out: URL[] = [];
  for (const m of res.text.matchAll(/<meta\b[^>]*http-equiv\s*=\s*["']?refresh["']?[^>]*>/gi)) {
    const content = /content\s*=\s*("([^"]*)"|'([^']*)')/i.exec(m[0]);
    const value = content?.[2] ?? content?.[3] ?? "";
    const url = /url\s*=\s*['"]?([^'"]*)/i.exec(value)?.[1];
    if (url === undefined) continue;
    try {
      out.push(new URL(url.trim(), res.exchange.url));
    } catch {
      /* an unparsable refresh target navigates nowhere */
    }
  }
  const header = res.header("refresh");
  const hu = header ? /url\s*=\s*(.*)$/i.exec(header)?.[1] : undefined;
  if (hu) {
    try {
      out.push(new URL(hu.trim(), res.exchange.url));
    } catch {
      /* ignored as above */
    }
  }
  return out;
}

/** Inline script text of a page. */
export function scriptText(res: HttpResponse): string {
  return [...res.text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi)].map((m) => m[1] ?? "").join("\n");
}

export interface NoRedirectOptions {
  /** The redirect_uri the request supplied, if any: no navigation to it may appear. */
  readonly supplied?: string | undefined;
}

/**
 * §0.4 "No-redirect error", the MUST part: no 3xx leaving the target, no code anywhere, no
 * meta-refresh or script navigation to the supplied redirect_uri, reflected input escaped
 * (RFC 6749 §3.1.2.4, §4.1.2.1, §10.14).
 */
export function ensureNoRedirectError(res: HttpResponse, target: Target, opts: NoRedirectOptions = {}): void {
  ensureNot5xx(res);
  const origin = new URL(target.baseUrl).origin;
  if (res.isRedirect) {
    const loc = res.locationUrl;
    ensure(loc !== undefined, `a ${res.status} with an unusable Location`);
    ensure(loc.origin === origin, `redirects off the target: ${describeRes(res)}`);
    ensure(!loc.searchParams.has("code") && !new URLSearchParams(loc.hash.slice(1)).has("code"), "the redirect carries a code");
  }
  ensure(!isConsentPage(res, target), "the request reached the consent page");
  ensure(!/[?&#]code=/.test(res.text), "the page contains a URL with a code parameter");
  for (const u of metaRefreshTargets(res)) ensure(u.origin === origin, `the page refreshes to ${u.origin}`);
  const supplied = opts.supplied;
  if (supplied !== undefined && supplied.length > 0) {
    const scripts = scriptText(res);
    const variants = [supplied, JSON.stringify(supplied).slice(1, -1), encodeURI(supplied.replace(/[\uD800-\uDFFF]/g, ""))];
    ensure(!variants.some((v) => v.length > 8 && scripts.includes(v)), "a script on the error page names the supplied redirect_uri");
    if (/[<>"']/.test(supplied)) ensure(!res.text.includes(supplied), "the supplied redirect_uri is reflected without HTML escaping (RFC 6749 §10.14)");
  }
}

/** §0.4 "No-redirect error", the PACT-PROFILE part: HTTP 400, text/html, a human-readable message. */
export function ensureNoRedirectErrorPage(res: HttpResponse): void {
  ensure(res.status === 400, `expected 400, got ${describeRes(res)}`);
  ensure(res.mediaType === "text/html", `expected text/html, got ${res.header("content-type") ?? "no Content-Type"}`);
  ensure(visibleText(res.text).length > 0, "the error page has no readable message");
}

// ---------------------------------------------------------------------------------------------
// Consent pages

/** The scope-reference names shown on a consent page (token-bounded in the visible text, CONSENT-02). */
export function scopesShown(res: HttpResponse, reference: readonly string[]): string[] {
  const text = visibleText(res.text);
  return reference.filter((name) => new RegExp(`(^|[^\\w:])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w:])`).test(text));
}

export type ConsentDecision = "approve" | "deny";

export interface ConsentSubmission {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly pairs: Array<[string, string]>;
}

/** What a browser sends when the decision button of the consent form is clicked. */
export function consentSubmission(page: HttpResponse, target: Target, decision: ConsentDecision): ConsentSubmission {
  const button = decision === "approve" ? target.recipe.approveButton : target.recipe.denyButton;
  const form = findFormByButton(parseForms(page.text, page.exchange.url), button);
  ensure(form !== undefined, `no "${button}" button on the consent page`);
  return submitForm(form, button, {}, page.exchange.url);
}

/** Submits a (possibly altered) consent submission; returns the response to the POST itself. */
export function sendConsent(client: ProtocolClient, sub: ConsentSubmission, opts: { headers?: Pairs; label?: string } = {}): Promise<HttpResponse> {
  return client.send({
    method: sub.method,
    url: sub.url,
    form: sub.method === "POST" ? sub.pairs : undefined,
    query: sub.method === "GET" ? sub.pairs : undefined,
    label: opts.label ?? "consent: submit",
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
}

/** The headers a browser adds to a form POST from `page` (Fetch "append a request Origin header"). */
export function browserPostHeaders(page: HttpResponse): Array<[string, string]> {
  const url = new URL(page.exchange.url);
  const policy = (page.header("referrer-policy") ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean).pop() ?? "strict-origin-when-cross-origin";
  // Under no-referrer the serialized Origin of a POST is "null" and no Referer is sent.
  if (policy === "no-referrer") return [["origin", "null"]];
  const referer = policy === "origin" || policy === "strict-origin" ? `${url.origin}/` : url.href.replace(/#.*$/, "");
  return [["origin", url.origin], ["referer", referer]];
}

/** Clicks Approve or Deny on `page`, then follows same-origin hops; the first response is kept too. */
export async function decide(client: ProtocolClient, page: HttpResponse, target: Target, decision: ConsentDecision): Promise<{ post: HttpResponse; final: HttpResponse }> {
  const post = await sendConsent(client, consentSubmission(page, target, decision), { label: `consent: ${decision}` });
  const final = await followOnOrigin(client, post, "consent");
  return { post, final };
}

/**
 * Without a session: expects the target's login page (directly or through same-origin
 * redirects), signs `user` in through it and returns the first response of the login POST
 * and where same-origin hops end.
 */
export async function loginThrough(client: ProtocolClient, first: HttpResponse, user: UserIdentity, target: Target): Promise<{ page: HttpResponse; final: HttpResponse }> {
  const page = await followOnOrigin(client, first, "login detour");
  ensure(isLoginPage(page, target.recipe), `expected the login page, got ${describeRes(page)}`);
  const final = await submitLogin(client, page, user, target.recipe);
  return { page, final };
}

/** The login form's POST for `user`, with extra or replaced fields, unsent (SEC-01, CONSENT-07). */
export function loginSubmission(page: HttpResponse, user: UserIdentity, target: Target): ConsentSubmission {
  const form = findFormByButton(parseForms(page.text, page.exchange.url), target.recipe.signInButton);
  ensure(form !== undefined, `no "${target.recipe.signInButton}" form on ${page.exchange.url}`);
  return submitForm(form, target.recipe.signInButton, { [target.recipe.emailLabel]: user.email, [target.recipe.passwordLabel]: user.password }, page.exchange.url);
}

/** Origins of an app's registered redirect URIs. */
export function redirectOrigins(uris: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const u of uris) {
    try {
      out.add(new URL(u).origin);
    } catch {
      /* private-use URIs have no origin */
    }
  }
  return out;
}


/**
 * A refused authorization request (AUTHZ-09 MUST part): no consent page, no code anywhere, and
 * a redirect to the client, if any, carries error=invalid_request (RFC 6749 §3.1, §4.1.2.1).
 */
export function ensureRefusedWithoutConsent(res: HttpResponse, target: Target): void {
  ensureNot5xx(res);
  ensure(!isConsentPage(res, target), "the request reached the consent page");
  const loc = res.isRedirect ? res.locationUrl : undefined;
  if (!loc) return;
  const all = new URLSearchParams([...loc.searchParams, ...new URLSearchParams(loc.hash.slice(1))]);
  ensure(!all.has("code"), "the redirect carries a code");
  if (redirectsOffSite(res, target)) ensure(all.get("error") === "invalid_request", `a redirect to the client without error=invalid_request (error=${all.get("error") ?? "none"})`);
}
