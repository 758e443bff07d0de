import { CookieJar } from "../http/cookies.ts";
import type { ProtocolClient } from "../http/client.ts";
import { findFormByButton, parseForms, submitForm } from "../http/html-form.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Recipe, UserIdentity } from "../targets/schema.ts";

export class FlowError extends Error {
  constructor(message: string, readonly response?: HttpResponse) {
    super(message);
    this.name = "FlowError";
  }
}

const MAX_HOPS = 10;

/** Follows redirects that stay on the target's origin (login return-to, consent). */
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

/** True when the page carries the login form of the recipe. */
export function isLoginPage(res: HttpResponse, recipe: Recipe): boolean {
  if (res.status !== 200 || !res.mediaType?.includes("html")) return false;
  return findFormByButton(parseForms(res.text, res.exchange.url), recipe.signInButton) !== undefined;
}

/**
 * Fills and submits the login form found on `page` (page contract: fields labelled Email and
 * Password, button "Sign in"), then follows same-origin redirects.
 */
export async function submitLogin(client: ProtocolClient, page: HttpResponse, user: UserIdentity, recipe: Recipe): Promise<HttpResponse> {
  const form = findFormByButton(parseForms(page.text, page.exchange.url), recipe.signInButton);
  if (!form) throw new FlowError(`no form with a "${recipe.signInButton}" button on ${page.exchange.url}`, page);
  const sub = submitForm(form, recipe.signInButton, { [recipe.emailLabel]: user.email, [recipe.passwordLabel]: user.password }, page.exchange.url);
  const res = await client.send({ method: sub.method, url: sub.url, form: sub.method === "POST" ? sub.pairs : undefined, query: sub.method === "GET" ? sub.pairs : undefined, label: `login: ${recipe.signInButton} as ${user.email}` });
  return followOnOrigin(client, res, "login");
}

/**
 * Logs `user` in from the login page and returns the session's cookie jar. The client passed in
 * is used for the requests (and evidence); the session lands in a fresh jar.
 */
export async function login(client: ProtocolClient, user: UserIdentity, recipe: Recipe): Promise<CookieJar> {
  const jar = new CookieJar();
  const c = client.withJar(jar);
  const page = await followOnOrigin(c, await c.get(recipe.loginPath, { label: "login: open page" }), "login");
  if (!isLoginPage(page, recipe)) throw new FlowError(`GET ${recipe.loginPath} did not show a login form (status ${page.status})`, page);
  const after = await submitLogin(c, page, user, recipe);
  if (isLoginPage(after, recipe)) throw new FlowError(`login as ${user.email} was refused (the login form came back)`, after);
  if (after.status >= 400) throw new FlowError(`login as ${user.email} answered ${after.status}`, after);
  if (jar.all().length === 0) throw new FlowError(`login as ${user.email} set no session cookie`, after);
  return jar;
}
