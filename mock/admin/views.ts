import type { ApiKey, App, User, Workspace } from "../store.ts";
import { type SafeHtml, html } from "../views/html.ts";
import { type Installation, iso, maskedHint } from "./service.ts";

export const CONSOLE_PATH = "/admin/api-developers";

export const TABS = [
  { id: "apps", label: "Apps" },
  { id: "installed", label: "Installed" },
  { id: "api-keys", label: "API keys" },
  { id: "members", label: "Members" },
] as const;

export type TabId = (typeof TABS)[number]["id"];

export function tabPath(tab: TabId, notice?: string): string {
  return `${CONSOLE_PATH}?tab=${tab}${notice ? `&notice=${notice}` : ""}`;
}

/** Fixed confirmation messages; the query names one, never supplies text (RFC 6749 §10.14). */
export const NOTICES: Readonly<Record<string, string>> = {
  deleted: "The app was deleted. Its tokens no longer work in any workspace.",
  revoked: "The app was revoked in this workspace. All its tokens and pending codes here stopped working.",
  "key-revoked": "The API key was revoked.",
  deactivated: "The user was deactivated and their app authorizations were revoked.",
};

export interface ConsoleFrame {
  readonly admin: User;
  readonly workspace: Workspace;
  readonly csrfToken: string;
  readonly tab: TabId;
  readonly notice?: string | undefined;
  readonly error?: string | undefined;
}

function csrf(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf_token" value="${token}">`;
}

function frame(f: ConsoleFrame, body: SafeHtml): SafeHtml {
  // Page contract: tabs named Apps, Installed, API keys (role "tab"; each is also a plain link to its page).
  const tabs = TABS.map((t) => html`<a role="tab" href="${tabPath(t.id)}" aria-selected="${t.id === f.tab ? "true" : "false"}"${t.id === f.tab ? html` aria-current="page"` : ""}>${t.label}</a>`);
  // The console's tables lay out wide, and as stacked rows on a phone (views/html.ts, ".console").
  return html`<div class="console"><h1>API &amp; developers</h1>
<p>Workspace <strong>${f.workspace.name}</strong> · signed in as ${f.admin.email}</p>
<nav aria-label="API &amp; developers"><div role="tablist" aria-label="API &amp; developers">${tabs}</div></nav>
${f.notice ? html`<p role="status">${f.notice}</p>` : ""}
${f.error ? html`<p class="error" role="alert">${f.error}</p>` : ""}
${body}</div>`;
}

export interface RegisterFormValues {
  readonly name: string;
  readonly type: string;
  readonly redirectUris: string;
  readonly scopes: readonly string[];
}

const EMPTY_FORM: RegisterFormValues = { name: "", type: "confidential", redirectUris: "", scopes: [] };

export function appsTab(f: ConsoleFrame, apps: readonly App[], scopeReference: ReadonlyMap<string, string>, form: RegisterFormValues = EMPTY_FORM): SafeHtml {
  const rows = apps.map(
    (a) => html`<tr>
<td data-label="Name">${a.name}</td><td data-label="Client ID"><code>${a.clientId}</code></td><td data-label="Type">${a.type}</td>
<td data-label="Redirect URIs">${a.redirectUris.map((u) => html`<code class="uri">${u}</code><br>`)}</td>
<td data-label="Scopes">${a.scopes.join(" ")}</td>
<td data-label="Secret">${a.type === "confidential" ? html`<code>${maskedHint(a.secretHint) ?? ""}</code>` : "none (public)"}</td>
<td data-label="Actions">
${a.type === "confidential" ? html`<form method="post" action="${`${CONSOLE_PATH}/apps/${encodeURIComponent(a.clientId)}/secret`}">${csrf(f.csrfToken)}<button type="submit" class="secondary">Regenerate secret</button></form>` : ""}
<form method="post" action="${`${CONSOLE_PATH}/apps/${encodeURIComponent(a.clientId)}/delete`}">${csrf(f.csrfToken)}<button type="submit" class="secondary">Delete</button></form>
</td></tr>`,
  );
  const scopeBoxes = [...scopeReference].map(
    ([name, description]) =>
      html`<div><input type="checkbox" id="${`scope-${name}`}" name="scope" value="${name}"${form.scopes.includes(name) ? html` checked` : ""}> <label for="${`scope-${name}`}" style="display:inline">${name}</label> <small>${description}</small></div>`,
  );
  return frame(
    f,
    html`<h2>Apps</h2>
${apps.length ? html`<table><thead><tr><th>Name</th><th>Client ID</th><th>Type</th><th>Redirect URIs</th><th>Scopes</th><th>Secret</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No apps registered in this workspace yet.</p>`}
<h2>Register an app</h2>
<form method="post" action="${`${CONSOLE_PATH}/apps`}">
${csrf(f.csrfToken)}
<label for="app-name">Name</label>
<input type="text" id="app-name" name="name" value="${form.name}" required maxlength="100">
<label for="app-type">Type</label>
<select id="app-type" name="type">
<option value="confidential"${form.type === "confidential" ? html` selected` : ""}>confidential (server-side, gets a client secret)</option>
<option value="public"${form.type === "public" ? html` selected` : ""}>public (single-page, mobile or CLI; PKCE, no secret)</option>
</select>
<label for="app-redirects">Redirect URIs (one per line)</label>
<textarea id="app-redirects" name="redirect_uris" rows="4">${form.redirectUris}</textarea>
<fieldset><legend>Scopes</legend>${scopeBoxes}</fieldset>
<button type="submit">Register app</button>
</form>`,
  );
}

/** Shown exactly once, as the response to the registration or rotation POST (REG-01, REG-02, AMB-27). */
export function secretPage(f: ConsoleFrame, app: App, secret: string | null, heading: string): SafeHtml {
  return frame(
    f,
    html`<h2>${heading}</h2>
<dl>
<dt>App</dt><dd>${app.name}</dd>
<dt>Client ID</dt><dd><code id="client-id">${app.clientId}</code></dd>
<dt>Type</dt><dd>${app.type}</dd>
${secret !== null ? html`<dt>Client secret</dt><dd><p class="secret" id="client-secret">${secret}</p></dd>` : ""}
</dl>
${secret !== null ? html`<p role="alert"><strong>Copy the client secret now.</strong> It is shown only this once; Pact keeps only a hash of it.</p>` : html`<p>Public clients have no client secret; they use PKCE.</p>`}
<p><a href="${tabPath("apps")}">Back to Apps</a></p>`,
  );
}

export function installedTab(f: ConsoleFrame, list: readonly Installation[]): SafeHtml {
  const rows = list.map(
    (i) => html`<tr>
<td data-label="App">${i.name}</td><td data-label="Client ID"><code>${i.clientId}</code></td><td data-label="Granted scopes">${i.scopes.join(" ")}</td>
<td data-label="Authorized by"><ul>${i.authorizations.map((a) => html`<li>${a.user ?? "the app itself (client credentials)"} on <time datetime="${a.authorizedAt}">${a.authorizedAt}</time>: ${a.scopes.join(" ")}</li>`)}</ul></td>
<td data-label="Actions"><form method="post" action="${`${CONSOLE_PATH}/installed/${encodeURIComponent(i.clientId)}/revoke`}">${csrf(f.csrfToken)}<button type="submit">Revoke</button></form></td>
</tr>`,
  );
  return frame(
    f,
    html`<h2>Installed</h2>
<p>Apps that people in this workspace have authorized. Revoke ends every token, refresh token and pending code of the app in this workspace.</p>
${list.length ? html`<table><thead><tr><th>App</th><th>Client ID</th><th>Granted scopes</th><th>Authorized by</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No apps are installed in this workspace.</p>`}`,
  );
}

export function keysTab(f: ConsoleFrame, keys: readonly ApiKey[]): SafeHtml {
  const rows = keys.map(
    (k) => html`<tr>
<td data-label="Name">${k.name}</td><td data-label="Key"><code>${maskedHint(k.hint) ?? ""}</code></td><td data-label="Created"><time datetime="${iso(k.createdAt)}">${iso(k.createdAt)}</time></td>
<td data-label="Status">${k.revokedAt === null ? "active" : html`revoked <time datetime="${iso(k.revokedAt)}">${iso(k.revokedAt)}</time>`}</td>
<td data-label="Actions">${k.revokedAt === null ? html`<form method="post" action="${`${CONSOLE_PATH}/api-keys/${encodeURIComponent(k.id)}/revoke`}">${csrf(f.csrfToken)}<button type="submit">Revoke</button></form>` : ""}</td>
</tr>`,
  );
  return frame(
    f,
    html`<h2>API keys</h2>
<p>Static keys for your own back-office scripts. Apps that other people connect should use OAuth.</p>
${keys.length ? html`<table><thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Status</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No API keys yet.</p>`}
<h2>Create an API key</h2>
<form method="post" action="${`${CONSOLE_PATH}/api-keys`}">
${csrf(f.csrfToken)}
<label for="key-name">Key name</label>
<input type="text" id="key-name" name="name" required maxlength="100">
<button type="submit">Create API key</button>
</form>`,
  );
}

/** Shown exactly once, as the response to the creation POST (KEY-03). */
export function keyCreatedPage(f: ConsoleFrame, key: ApiKey, raw: string): SafeHtml {
  return frame(
    f,
    html`<h2>API key created</h2>
<dl><dt>Name</dt><dd>${key.name}</dd><dt>API key</dt><dd><p class="secret" id="api-key">${raw}</p></dd></dl>
<p role="alert"><strong>Copy the key now.</strong> It is shown only this once; Pact keeps only a hash of it.</p>
<p><a href="${tabPath("api-keys")}">Back to API keys</a></p>`,
  );
}

export function membersTab(f: ConsoleFrame, users: readonly User[]): SafeHtml {
  const rows = users.map(
    (u) => html`<tr>
<td data-label="Email">${u.email}</td><td data-label="Name">${u.name}</td><td data-label="Role">${u.role}</td><td data-label="Access">${[...u.permissions].sort().join(", ")}</td><td data-label="Status">${u.active ? "active" : "deactivated"}</td>
<td data-label="Actions">${u.active && u.id !== f.admin.id ? html`<form method="post" action="${`${CONSOLE_PATH}/members/${encodeURIComponent(u.id)}/deactivate`}">${csrf(f.csrfToken)}<button type="submit" class="secondary">Deactivate</button></form>` : ""}</td>
</tr>`,
  );
  return frame(
    f,
    html`<h2>Members</h2>
<p>Deactivating a member signs them out and revokes every app authorization they gave.</p>
<table><thead><tr><th>Email</th><th>Name</th><th>Role</th><th>Access</th><th>Status</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}
