import { type SafeHtml, html } from "./html.ts";

export interface ConsentPageInput {
  readonly appName: string;
  readonly workspaceName: string;
  readonly userEmail: string;
  /** Host of the redirect URI (or its scheme for private-use URIs). */
  readonly redirectHost: string;
  readonly scopes: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly csrfToken: string;
  readonly transaction: string;
  /** Where the form posts (default /oauth/consent); routed shapes post to the interaction. */
  readonly action?: string;
  /** Name of the hidden field carrying `transaction` (default "transaction"). */
  readonly transactionField?: string;
}

/**
 * The consent page of the page contract: names the app and the workspace,
 * lists each requested scope by name with its description, buttons
 * `Approve` and `Deny` (RFC 6749 §10.2; catalogue CONSENT-02).
 */
export function consentPage(input: ConsentPageInput): SafeHtml {
  const items = input.scopes.map((s) => html`<li><code>${s.name}</code> — ${s.description}</li>`);
  return html`<h1>Connect ${input.appName} to ${input.workspaceName}</h1>
<p><strong>${input.appName}</strong> is asking to access the <strong>${input.workspaceName}</strong> workspace on your behalf (signed in as ${input.userEmail}).</p>
<h2>It will be able to</h2>
<ul id="scopes">${items}</ul>
<p>After you decide, you will be sent back to <strong>${input.redirectHost}</strong>.</p>
<form method="post" action="${input.action ?? "/oauth/consent"}">
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
<input type="hidden" name="${input.transactionField ?? "transaction"}" value="${input.transaction}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`;
}
