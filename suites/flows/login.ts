import { CookieJar } from "../http/cookies.ts";
import type { ProtocolClient } from "../http/client.ts";
import { findFormByButton, parseForms, submitForm, type HtmlForm } from "../http/html-form.ts";
import type { HttpResponse } from "../http/response.ts";
import type { AppIdentity, Recipe, UserIdentity } from "../targets/schema.ts";

export class FlowError extends Error {
  constructor(message: string, readonly response?: HttpResponse) {
    super(message);
    this.name = "FlowError";
  }
}

/** How many same-origin redirects a flow follows before it gives up (login, interaction, resume). */
export const MAX_HOPS = 10;

/**
 * Follows redirects that stay on the target's origin: a login return-to, an interaction page
 * (`/interaction/{id}`, `/consent?request=…`), a resume URL after Sign in or Approve. Stops at
 * the first response that is not a redirect, or that leaves the origin (the client redirect).
 */
export async function followOnOrigin(client: ProtocolClient, res: HttpResponse, label: string): Promise<HttpResponse> {
  let current = res;
  const origin = new URL(client.baseUrl).origin;
  for (let hop = 0; hop < MAX_HOPS && current.isRedirect; hop++) {
    const next = current.locationUrl;
    if (!next || next.origin !== origin) return current;
    current = await client.get(next.href, { label: `${label}: follow ${current.status}` });
  }
  return current;
}

function htmlForms(res: HttpResponse): HtmlForm[] {
  if (!res.mediaType?.includes("html")) return [];
  return parseForms(res.text, res.exchange.url);
}

/**
 * The recipe's login form on `res`, whatever the status: a server may show the form again with
 * 401 or 422 after a wrong password. Found by its button's accessible name.
 */
export function loginForm(res: HttpResponse, recipe: Recipe): HtmlForm | undefined {
  return findFormByButton(htmlForms(res), recipe.signInButton);
}

/** True when the page carries the login form of the recipe (any status). */
export function isLoginPage(res: HttpResponse, recipe: Recipe): boolean {
  return loginForm(res, recipe) !== undefined;
}

/**
 * Fills and submits the login form found on `page` (page contract: fields labelled Email and
 * Password, button "Sign in"), then follows same-origin redirects.
 */
export async function submitLogin(client: ProtocolClient, page: HttpResponse, user: UserIdentity, recipe: Recipe): Promise<HttpResponse> {
  const form = loginForm(page, recipe);
  if (!form) throw new FlowError(`no form with a "${recipe.signInButton}" button on ${page.exchange.url}`, page);
  const sub = submitForm(form, recipe.signInButton, { [recipe.emailLabel]: user.email, [recipe.passwordLabel]: user.password }, page.exchange.url);
  const res = await client.send({ method: sub.method, url: sub.url, form: sub.method === "POST" ? sub.pairs : undefined, query: sub.method === "GET" ? sub.pairs : undefined, label: `login: ${recipe.signInButton} as ${user.email}` });
  return followOnOrigin(client, res, "login");
}

/** The standalone login page at `recipe.loginPath`, or undefined when the target shows none there. */
export async function standaloneLoginPage(client: ProtocolClient, recipe: Recipe): Promise<HttpResponse | undefined> {
  if (recipe.loginPath === null) return undefined;
  const page = await followOnOrigin(client, await client.get(recipe.loginPath, { label: "login: open page" }), "login");
  return isLoginPage(page, recipe) ? page : undefined;
}

/**
 * The login page as a user meets it: the standalone page where the target has one, else the page
 * an authorization request of `via` (the SPA app) leads to without a session. Many servers show
 * their login only inside an authorization (an interaction page); the catalogue does not ask for
 * a standalone one.
 */
export async function openLoginPage(client: ProtocolClient, recipe: Recipe, via: AuthorizationStarter): Promise<HttpResponse> {
  const standalone = await standaloneLoginPage(client, recipe);
  if (standalone) return standalone;
  const first = await client.get("/oauth/authorize", { query: via.pairs(), label: "login: through an authorization request" });
  const page = await followOnOrigin(client, first, "login");
  if (!isLoginPage(page, recipe)) {
    const where = recipe.loginPath === null ? "" : `GET ${recipe.loginPath} shows no login form, and `;
    throw new FlowError(`${where}an authorization request of ${via.clientId} without a session did not lead to a "${recipe.signInButton}" form (status ${page.status})`, page);
  }
  return page;
}

/** A valid authorization request that leads to the login page when there is no session. */
export interface AuthorizationStarter {
  readonly clientId: string;
  pairs(): Array<[string, string]>;
}

/**
 * Logs `user` in and returns the session's cookie jar: through the standalone login page, or
 * through an authorization request of `via` when the target has none. The client passed in is
 * used for the requests (and evidence); the session lands in a fresh jar.
 */
export async function login(client: ProtocolClient, user: UserIdentity, recipe: Recipe, via: AuthorizationStarter): Promise<CookieJar> {
  const jar = new CookieJar();
  const c = client.withJar(jar);
  const page = await openLoginPage(c, recipe, via);
  const after = await submitLogin(c, page, user, recipe);
  if (isLoginPage(after, recipe)) throw new FlowError(`login as ${user.email} was refused (the login form came back, status ${after.status})`, after);
  if (after.status >= 400) throw new FlowError(`login as ${user.email} answered ${after.status}`, after);
  if (jar.all().length === 0) throw new FlowError(`login as ${user.email} set no session cookie`, after);
  return jar;
}

export type { AppIdentity };
