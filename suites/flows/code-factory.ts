import { randomBytes } from "node:crypto";
import { CookieJar } from "../http/cookies.ts";
import { toPairs, type PairsInput, type ProtocolClient } from "../http/client.ts";
import { findFormByButton, parseForms, submitForm } from "../http/html-form.ts";
import { newPkcePair, s256 } from "../http/pkce.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { AppIdentity, UserIdentity } from "../targets/schema.ts";
import { FlowError, followOnOrigin, isLoginPage, login, openLoginPage, standaloneLoginPage, submitLogin, type AuthorizationStarter } from "./login.ts";

export interface IssueOptions {
  readonly client: AppIdentity;
  /** Who consents; default the target's member user (USR-A). */
  readonly user?: UserIdentity;
  /** Space-separated; default every scope registered for the client. */
  readonly scope?: string;
  /** Default the client's first registered redirect URI. */
  readonly redirectUri?: string;
  /** Default a random value; null sends none. */
  readonly state?: string | null;
  /** Default a fresh 43-character verifier. */
  readonly verifier?: string;
  /** Default S256(verifier); null sends no code_challenge. */
  readonly challenge?: string | null;
  /** Default "S256"; null sends no code_challenge_method. */
  readonly method?: string | null;
  /** Appended to the authorization request, in order. */
  readonly extraParams?: PairsInput;
  /** Click "Deny" instead of "Approve". */
  readonly deny?: boolean;
}

export interface IssuedCode {
  readonly code: string;
  /** The state as returned (null when absent). */
  readonly state: string | null;
  readonly location: URL;
  readonly verifier: string;
  readonly challenge: string | null;
  readonly redirectUri: string;
  readonly clientId: string;
  readonly scope: string;
  /** The final redirect to the client. */
  readonly response: HttpResponse;
}

export interface AuthorizationOutcome {
  /** The redirect to the client (or whatever the flow stopped at). */
  readonly response: HttpResponse;
  readonly location: URL | null;
  readonly verifier: string;
  readonly challenge: string | null;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string | null;
}

export function randomState(): string {
  return randomBytes(12).toString("base64url");
}

/** The authorization request's parameters, in the order the product doc shows them. */
export function authorizationParams(opts: IssueOptions, verifier: string): { pairs: Array<[string, string]>; challenge: string | null; scope: string; redirectUri: string; state: string | null } {
  const scope = opts.scope ?? opts.client.scopes.join(" ");
  const redirectUri = opts.redirectUri ?? (opts.client.redirectUris[0] as string);
  const state = opts.state === undefined ? randomState() : opts.state;
  const challenge = opts.challenge === undefined ? s256(verifier) : opts.challenge;
  const method = opts.method === undefined ? "S256" : opts.method;
  const pairs: Array<[string, string]> = [
    ["response_type", "code"],
    ["client_id", opts.client.clientId],
    ["redirect_uri", redirectUri],
    ["scope", scope],
  ];
  if (state !== null) pairs.push(["state", state]);
  if (challenge !== null) pairs.push(["code_challenge", challenge]);
  if (method !== null) pairs.push(["code_challenge_method", method]);
  pairs.push(...toPairs(opts.extraParams));
  return { pairs, challenge, scope, redirectUri, state };
}

/** A valid authorization request of `app` that, without a session, leads to the login page. */
export function authorizationStarter(app: AppIdentity): AuthorizationStarter {
  return { clientId: app.clientId, pairs: () => authorizationParams({ client: app }, newPkcePair().verifier).pairs };
}

/** Logs `user` in on `target` (standalone login page, or through an authorization request of SPA). */
export function loginOn(client: ProtocolClient, target: Target, user: UserIdentity): Promise<CookieJar> {
  return login(client, user, target.recipe, authorizationStarter(target.apps.spa));
}

/** The login page on `target`: the standalone one, or the one an authorization request of SPA leads to. */
export function openLoginPageOn(client: ProtocolClient, target: Target): Promise<HttpResponse> {
  return openLoginPage(client, target.recipe, authorizationStarter(target.apps.spa));
}

/** Why a check of the standalone login page does not apply to `target`, or null when it has one. */
export async function noStandaloneLogin(client: ProtocolClient, target: Target): Promise<string | null> {
  if (await standaloneLoginPage(client, target.recipe)) return null;
  return target.recipe.loginPath === null
    ? "not applicable: the target file says the target has no standalone login page (recipe.loginPath null)"
    : `not applicable: GET ${target.recipe.loginPath} shows no login form; the target shows its login only inside an authorization`;
}

/**
 * The CODE capability: authorize → login when asked → consent → Approve, over HTTP forms by
 * the page contract's accessible names. Sessions are kept per user for the factory's lifetime.
 */
export class CodeFactory {
  private readonly sessions = new Map<string, CookieJar>();

  constructor(
    private readonly client: ProtocolClient,
    private readonly target: Target,
    /** Awaited before each code is issued for a client (the harness makes room in the failure budget). */
    private readonly beforeIssue: (clientId: string) => Promise<void> = async () => undefined,
  ) {}

  /** A logged-in cookie jar for `user` (cached). */
  async session(user: UserIdentity = this.target.users.member): Promise<CookieJar> {
    const cached = this.sessions.get(user.email);
    if (cached) return cached;
    const jar = await loginOn(this.client, this.target, user);
    this.sessions.set(user.email, jar);
    return jar;
  }

  /** Runs the whole front channel and returns where it ended, success or not. */
  async authorize(opts: IssueOptions): Promise<AuthorizationOutcome> {
    const user = opts.user ?? this.target.users.member;
    const pkce = newPkcePair(opts.verifier);
    const { pairs, challenge, scope, redirectUri, state } = authorizationParams(opts, pkce.verifier);
    const jar = this.sessions.get(user.email) ?? new CookieJar();
    const c = this.client.withJar(jar);
    const recipe = this.target.recipe;
    let res = await followOnOrigin(c, await c.get("/oauth/authorize", { query: pairs, label: "authorize: request" }), "authorize");
    if (isLoginPage(res, recipe)) {
      res = await submitLogin(c, res, user, recipe);
      this.sessions.set(user.email, jar);
    }
    const button = opts.deny ? recipe.denyButton : recipe.approveButton;
    // The consent page is recognised by its button, whatever its status; a remembered consent
    // (CONSENT-08 allows it for confidential clients) goes straight back to the client instead.
    const consent = res.mediaType?.includes("html") ? findFormByButton(parseForms(res.text, res.exchange.url), button) : undefined;
    if (consent) {
      const sub = submitForm(consent, button, {}, res.exchange.url);
      res = await c.send({ method: sub.method, url: sub.url, form: sub.method === "POST" ? sub.pairs : undefined, query: sub.method === "GET" ? sub.pairs : undefined, label: `consent: ${button}` });
      res = await followOnOrigin(c, res, "consent");
    }
    return { response: res, location: res.isRedirect ? (res.locationUrl ?? null) : null, verifier: pkce.verifier, challenge, redirectUri, scope, state };
  }

  /** A fresh authorization code; throws FlowError (with the last response) when none comes back. */
  async issue(opts: IssueOptions): Promise<IssuedCode> {
    await this.beforeIssue(opts.client.clientId);
    const out = await this.authorize(opts);
    const code = out.location?.searchParams.get("code");
    if (!out.location || !code) {
      const err = out.location?.searchParams.get("error");
      throw new FlowError(
        `no authorization code for ${opts.client.clientId}: ${out.response.status}${err ? ` error=${err}` : ""}${out.location ? "" : " (no redirect to the client)"}`,
        out.response,
      );
    }
    return {
      code,
      state: out.location.searchParams.get("state"),
      location: out.location,
      verifier: out.verifier,
      challenge: out.challenge,
      redirectUri: out.redirectUri,
      clientId: opts.client.clientId,
      scope: out.scope,
      response: out.response,
    };
  }
}

export { FlowError };
