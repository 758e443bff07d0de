import { type SafeHtml, html } from "./html.ts";

export interface LoginPageInput {
  /** Double-submit login-CSRF token, also set as a cookie. */
  readonly loginCsrf: string;
  /** Same-origin path to continue to after signing in (the standalone form's return_to). */
  readonly returnTo?: string;
  /** Where the form posts (default /login); routed shapes post to the interaction. */
  readonly action?: string;
  /** Further hidden fields (routed shapes: the interaction id). */
  readonly hidden?: ReadonlyArray<readonly [string, string]>;
  readonly error?: string;
  readonly email?: string;
  /** Shown above the form when the login interrupts an authorization request. */
  readonly appName?: string;
}

/** The login page of the page contract: fields labelled `Email` and `Password`, a button `Sign in`. */
export function loginPage(input: LoginPageInput): SafeHtml {
  return html`<h1>Sign in to Pact</h1>
${input.appName ? html`<p>Sign in to continue to <strong>${input.appName}</strong>.</p>` : ""}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ""}
<form method="post" action="${input.action ?? "/login"}">
<input type="hidden" name="login_csrf" value="${input.loginCsrf}">
${input.returnTo !== undefined ? html`<input type="hidden" name="return_to" value="${input.returnTo}">
` : ""}${(input.hidden ?? []).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">
`)}<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" value="${input.email ?? ""}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`;
}

/** Shown at GET /login to a user who is already signed in. */
export function signedInPage(input: { readonly email: string; readonly csrfToken: string }): SafeHtml {
  return html`<h1>Signed in</h1>
<p>You are signed in to Pact as <strong>${input.email}</strong>.</p>
<form method="post" action="/logout">
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
<button type="submit">Sign out</button>
</form>`;
}
