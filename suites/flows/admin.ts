import type { CookieJar } from "../http/cookies.ts";
import type { ProtocolClient } from "../http/client.ts";
import { decodeEntities, findFormByButton, parseAttributes, parseForms, submitForm, visibleText, type FormSubmission, type HtmlForm } from "../http/html-form.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { AppIdentity, UserIdentity } from "../targets/schema.ts";
import { loginOn } from "./code-factory.ts";
import { FlowError, followOnOrigin } from "./login.ts";

/**
 * ADMIN capability (catalogue §0.2) over plain HTTP: drives Admin → API & developers by the page
 * contract (design.md "Pages": tabs named Apps, Installed, API keys; a Revoke button per installed
 * app) and by visible labels and button names, never by element ids.
 */

/** Tab and button names. The tabs and Revoke come from the page contract; the rest are the console's visible labels. */
export const ADMIN_NAMES = {
  appsTab: "Apps",
  installedTab: "Installed",
  keysTab: "API keys",
  membersTab: "Members",
  registerButton: "Register app",
  rotateButton: "Regenerate secret",
  deleteButton: "Delete",
  revokeButton: "Revoke",
  createKeyButton: "Create API key",
  deactivateButton: "Deactivate",
} as const;

/** Thrown when the console lacks a feature the kit needs (a tab, a button): tests turn it into a skip. */
export class AdminUnsupported extends FlowError {
  constructor(message: string, response?: HttpResponse) {
    super(message, response);
    this.name = "AdminUnsupported";
  }
}

// ---- small HTML table and definition-list reader ------------------------------------------

export interface TableRow {
  /** Inner HTML of each cell, in order. */
  readonly cells: readonly string[];
  /** Visible text of each cell. */
  readonly texts: readonly string[];
  /** The row's HTML (forms inside it can be parsed from it). */
  readonly html: string;
}

export interface HtmlTable {
  /** Visible text of the header cells (lower-cased comparisons are up to the caller). */
  readonly headers: readonly string[];
  readonly rows: readonly TableRow[];
}

function stripComments(html: string): string {
  return html.replace(/<!--[\s\S]*?-->/g, " ");
}

/** Every table of a page: header cells from <th>, body rows from <tr> holding <td>. */
export function parseTables(html: string): HtmlTable[] {
  const out: HtmlTable[] = [];
  for (const t of stripComments(html).matchAll(/<table\b[^>]*>([\s\S]*?)<\/table\s*>/gi)) {
    const inner = t[1] ?? "";
    const headers: string[] = [];
    const rows: TableRow[] = [];
    for (const r of inner.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr\s*>/gi)) {
      const rowHtml = r[1] ?? "";
      const cells = [...rowHtml.matchAll(/<(t[hd])\b[^>]*>([\s\S]*?)(?=<t[hd]\b|$)/gi)];
      if (cells.length === 0) continue;
      if (cells.every((c) => (c[1] ?? "").toLowerCase() === "th")) {
        if (headers.length === 0) headers.push(...cells.map((c) => visibleText(c[2] ?? "")));
        continue;
      }
      const raw = cells.map((c) => (c[2] ?? "").replace(/<\/t[hd]\s*>\s*$/i, ""));
      rows.push({ cells: raw, texts: raw.map((c) => visibleText(c)), html: r[0] });
    }
    out.push({ headers, rows });
  }
  return out;
}

/** The index of the first header matching `re`, or -1. */
export function column(table: HtmlTable, re: RegExp): number {
  return table.headers.findIndex((h) => re.test(h));
}

/**
 * The items of a cell that lists several values (redirect URIs, scopes): the text of each <code>
 * or <li> element when there are any, else the cell split on <br> and newlines. Entities are
 * decoded and nothing else is normalised, so a value can be compared byte for byte.
 */
export function cellItems(cellHtml: string): string[] {
  const clean = stripComments(cellHtml);
  const elems = [...clean.matchAll(/<(code|li)\b[^>]*>([\s\S]*?)<\/\1\s*>/gi)].map((m) => decodeEntities((m[2] ?? "").replace(/<[^>]*>/g, "")));
  if (elems.length) return elems;
  return clean
    .split(/<br\s*\/?>|\r?\n/i)
    .map((s) => decodeEntities(s.replace(/<[^>]*>/g, "")).trim())
    .filter((s) => s !== "");
}

/** Label → value pairs shown as <dt>/<dd> or as a two-cell <th>/<td> row. Values keep their exact text. */
export function labelledValues(html: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const clean = stripComments(html);
  for (const m of clean.matchAll(/<dt\b[^>]*>([\s\S]*?)<\/dt\s*>\s*<dd\b[^>]*>([\s\S]*?)<\/dd\s*>/gi)) {
    out.push([visibleText(m[1] ?? ""), decodeEntities((m[2] ?? "").replace(/<[^>]*>/g, "")).trim()]);
  }
  for (const m of clean.matchAll(/<tr\b[^>]*>\s*<th\b[^>]*>([\s\S]*?)<\/th\s*>\s*<td\b[^>]*>([\s\S]*?)<\/td\s*>\s*<\/tr\s*>/gi)) {
    out.push([visibleText(m[1] ?? ""), decodeEntities((m[2] ?? "").replace(/<[^>]*>/g, "")).trim()]);
  }
  return out;
}

function valueLabelled(html: string, re: RegExp): string | null {
  return labelledValues(html).find(([label]) => re.test(label))?.[1] ?? null;
}

/** Links of a page: accessible name (aria-label or text) and absolute href. */
export function parseLinks(html: string, pageUrl: string): Array<{ name: string; href: string }> {
  const out: Array<{ name: string; href: string }> = [];
  for (const m of stripComments(html).matchAll(/<a\b((?:"[^"]*"|'[^']*'|[^'">])*)>([\s\S]*?)<\/a\s*>/gi)) {
    const attrs = parseAttributes(m[1] ?? "");
    if (attrs.href === undefined) continue;
    try {
      out.push({ name: attrs["aria-label"] ?? visibleText(m[2] ?? ""), href: new URL(attrs.href, pageUrl).href });
    } catch {
      // an unparsable href is not a link the kit can follow
    }
  }
  return out;
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

// ---- results ---------------------------------------------------------------------------

export type AppType = "public" | "confidential";

export interface RegisterAppInput {
  readonly name: string;
  readonly type: AppType;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
}

export interface RegistrationOutcome {
  /** True when the console answered with the new app's client_id. */
  readonly accepted: boolean;
  readonly clientId: string | null;
  /** The secret exactly as shown on the creation page; null when none is shown. */
  readonly clientSecret: string | null;
  /** The response to the registration POST (after same-origin redirects). */
  readonly page: HttpResponse;
  /** The visible error text when refused. */
  readonly error: string | null;
}

export interface RegisteredApp {
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly page: HttpResponse;
}

/** One app as the Apps tab lists it. */
export interface ListedApp {
  readonly name: string;
  readonly clientId: string | null;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly row: TableRow;
}

/** One row of the Installed tab. */
export interface InstalledApp {
  /** Visible text of the app column. */
  readonly name: string;
  readonly clientId: string | null;
  /** Granted scopes as listed (scope names found in the row's scope column). */
  readonly scopes: readonly string[];
  /** Who authorized it: every email address in the row. */
  readonly authorizedBy: readonly string[];
  /** When: every machine-readable <time datetime> in the row. */
  readonly authorizedAt: readonly string[];
  /** The whole row as text (for evidence). */
  readonly text: string;
  readonly row: TableRow;
  readonly hasRevoke: boolean;
}

export interface CreatedKey {
  readonly key: string;
  readonly page: HttpResponse;
}

// ---- the session ---------------------------------------------------------------------

/** The admin console, signed in as one user, over HTTP forms. */
export class AdminSession {
  /** Tab link targets, learnt once from the console's navigation. */
  private readonly tabHrefs = new Map<string, string>();
  private registerForm: { tab: HttpResponse; form: HtmlForm } | null = null;

  private constructor(
    readonly client: ProtocolClient,
    readonly target: Target,
    readonly user: UserIdentity,
    readonly jar: CookieJar,
  ) {}

  /** Logs `user` (default ADM-A) in through the login page and returns a session on the console. */
  static async open(client: ProtocolClient, target: Target, user: UserIdentity = target.users.admin): Promise<AdminSession> {
    const jar = await loginOn(client, target, user);
    return new AdminSession(client.withJar(jar), target, user, jar);
  }

  get consolePath(): string {
    return this.target.recipe.adminPath;
  }

  /** GET a console URL (same-origin redirects followed). */
  async get(url: string, label: string): Promise<HttpResponse> {
    return followOnOrigin(this.client, await this.client.get(url, { label }), label);
  }

  /** The console's landing page. */
  async home(): Promise<HttpResponse> {
    const res = await this.get(this.consolePath, "admin: open console");
    if (res.status !== 200 || !res.mediaType?.includes("html")) throw new FlowError(`GET ${this.consolePath} answered ${res.status}`, res);
    return res;
  }

  /** Opens a tab by the accessible name of its link (page contract: Apps, Installed, API keys). */
  async tab(name: string): Promise<HttpResponse> {
    let href = this.tabHrefs.get(name.toLowerCase());
    if (href === undefined) {
      const home = await this.home();
      const link = parseLinks(home.text, home.exchange.url).find((l) => sameName(l.name, name));
      if (!link) throw new AdminUnsupported(`the console has no tab named "${name}"`, home);
      href = link.href;
      this.tabHrefs.set(name.toLowerCase(), href);
    }
    const res = await this.get(href, `admin: tab ${name}`);
    if (res.status !== 200) throw new FlowError(`tab "${name}" answered ${res.status}`, res);
    return res;
  }

  /** Submits a form found on `page` by its button, following same-origin redirects. */
  async submit(page: HttpResponse, form: HtmlForm, button: string, pairs: Array<[string, string]> | null, label: string): Promise<HttpResponse> {
    const sub = pairs === null ? submitForm(form, button, {}, page.exchange.url) : { ...submitForm(form, button, {}, page.exchange.url), pairs };
    return this.send(sub, label);
  }

  async send(sub: FormSubmission, label: string): Promise<HttpResponse> {
    const res = await this.client.send({ method: sub.method, url: sub.url, form: sub.method === "POST" ? sub.pairs : undefined, query: sub.method === "GET" ? sub.pairs : undefined, label });
    return followOnOrigin(this.client, res, label);
  }

  /** The form in a table row holding `button`, on the tab `tab`, where some cell equals one of `keys`. */
  async rowAction(tab: string, keys: readonly string[], button: string, onPage?: HttpResponse): Promise<{ page: HttpResponse; form: HtmlForm; submission: FormSubmission }> {
    const page = onPage ?? (await this.tab(tab));
    for (const table of parseTables(page.text)) {
      for (const row of table.rows) {
        const matches = row.cells.some((cell, i) => keys.some((k) => row.texts[i] === k || cellItems(cell).includes(k)));
        if (!matches) continue;
        const form = findFormByButton(parseForms(row.html, page.exchange.url), button);
        if (form) return { page, form, submission: submitForm(form, button, {}, page.exchange.url) };
      }
    }
    throw new FlowError(`no row for ${keys.map((k) => `"${k}"`).join(" / ")} with a "${button}" button on the ${tab} tab`, page);
  }

  // ---- apps ----

  /** The registration form, filled: text fields by label, scopes by checkbox label; unknown scopes are sent raw. */
  private registrationPairs(form: HtmlForm, page: HttpResponse, input: RegisterAppInput): Array<[string, string]> {
    const byLabel = (re: RegExp) => form.fields.find((f) => f.label !== null && re.test(f.label) && f.type !== "checkbox" && f.type !== "hidden");
    const nameField = byLabel(/^(app )?name$/i);
    const typeField = byLabel(/type/i);
    const uriField = byLabel(/redirect/i);
    if (!nameField?.name || !typeField?.name || !uriField?.name) throw new AdminUnsupported("the registration form lacks a field labelled Name, Type or Redirect URIs", page);
    const boxes = form.fields.filter((f) => f.type === "checkbox" && f.name);
    const scopeName = boxes[0]?.name ?? "scope";
    const pairs: Array<[string, string]> = [];
    for (const f of form.fields) {
      if (!f.name || f.type === "checkbox") continue;
      if (f === nameField) pairs.push([f.name, input.name]);
      else if (f === typeField) pairs.push([f.name, input.type]);
      else if (f === uriField) pairs.push([f.name, input.redirectUris.join(f.tag === "textarea" ? "\n" : " ")]);
      else if (f.checked) pairs.push([f.name, f.value]);
    }
    for (const s of input.scopes) {
      const box = boxes.find((b) => b.label !== null && b.label.trim() === s);
      pairs.push(box?.name ? [box.name, box.value] : [scopeName, s]);
    }
    return pairs;
  }

  /** Submits the registration form and reports what the console said, accepted or refused. */
  async tryRegisterApp(input: RegisterAppInput): Promise<RegistrationOutcome> {
    let page: HttpResponse | null = null;
    // The form of the last Apps page is reused while the console accepts it (its anti-CSRF
    // token is per session); a refusal of the form itself (403) fetches a fresh one once.
    for (const fresh of this.registerForm ? [false, true] : [true]) {
      if (fresh) {
        const tab = await this.tab(ADMIN_NAMES.appsTab);
        const form = findFormByButton(parseForms(tab.text, tab.exchange.url), ADMIN_NAMES.registerButton);
        if (!form) throw new AdminUnsupported(`no "${ADMIN_NAMES.registerButton}" form on the Apps tab`, tab);
        this.registerForm = { tab, form };
      }
      const { tab, form } = this.registerForm as { tab: HttpResponse; form: HtmlForm };
      page = await this.submit(tab, form, ADMIN_NAMES.registerButton, this.registrationPairs(form, tab, input), `admin: register ${input.type} app`);
      if (page.status !== 403) break;
    }
    if (!page) throw new FlowError("registration was not sent");
    if (page.status === 403) this.registerForm = null;
    else {
      const again = findFormByButton(parseForms(page.text, page.exchange.url), ADMIN_NAMES.registerButton);
      if (again) this.registerForm = { tab: page, form: again };
    }
    const clientId = page.status < 300 ? valueLabelled(page.text, /client[ _-]?id/i) : null;
    const secret = page.status < 300 ? valueLabelled(page.text, /client[ _-]?secret/i) : null;
    if (secret) this.client.redactor.learn(secret, "client_secret");
    const alert = /<[^>]*role="alert"[^>]*>([\s\S]*?)<\/[a-z]+\s*>/i.exec(page.text);
    return {
      accepted: clientId !== null && clientId !== "",
      clientId: clientId || null,
      clientSecret: secret || null,
      page,
      error: clientId ? null : alert ? visibleText(alert[1] ?? "") : page.status >= 400 ? `status ${page.status}` : null,
    };
  }

  /** Registers an app; throws FlowError when the console refuses it. */
  async registerApp(input: RegisterAppInput): Promise<RegisteredApp> {
    const out = await this.tryRegisterApp(input);
    if (!out.accepted || !out.clientId) throw new FlowError(`registration of "${input.name}" was refused: ${out.error ?? out.page.status}`, out.page);
    return { clientId: out.clientId, clientSecret: out.clientSecret, page: out.page };
  }

  /**
   * Registers a throwaway app for a test and returns it as a target identity, so the code factory
   * and token flows can use it like a fixture app (redirect URI under https://kit.example.test).
   */
  async registerIdentity(type: AppType, scopes: readonly string[], name = `kit-${type}-${Date.now().toString(36)}`): Promise<AppIdentity & { readonly page: HttpResponse }> {
    const redirectUris = ["https://kit.example.test/callback"];
    const app = await this.registerApp({ name, type, redirectUris, scopes });
    if (type === "confidential" && !app.clientSecret) throw new FlowError(`registering confidential app "${name}" showed no client secret`, app.page);
    return { clientId: app.clientId, ...(app.clientSecret ? { clientSecret: app.clientSecret } : {}), name, redirectUris, scopes: [...scopes], page: app.page };
  }

  /** Apps as the Apps tab lists them. */
  async listApps(): Promise<{ page: HttpResponse; apps: ListedApp[] }> {
    const page = await this.tab(ADMIN_NAMES.appsTab);
    const apps: ListedApp[] = [];
    for (const table of parseTables(page.text)) {
      const cName = column(table, /^(app|name)/i);
      const cId = column(table, /client[ _-]?id/i);
      const cUri = column(table, /redirect/i);
      const cScope = column(table, /scope/i);
      if (cUri < 0) continue;
      for (const row of table.rows) {
        apps.push({
          name: row.texts[cName] ?? "",
          clientId: cId >= 0 ? (row.texts[cId] ?? null) : null,
          redirectUris: cellItems(row.cells[cUri] ?? ""),
          scopes: cScope >= 0 ? (row.texts[cScope] ?? "").split(/\s+/).filter(Boolean) : [],
          row,
        });
      }
    }
    return { page, apps };
  }

  /** "Regenerate secret" for the app; returns the new secret as shown once. */
  async rotateSecret(clientId: string): Promise<{ secret: string; page: HttpResponse }> {
    const { page: tab, form } = await this.rowAction(ADMIN_NAMES.appsTab, [clientId], ADMIN_NAMES.rotateButton);
    const page = await this.submit(tab, form, ADMIN_NAMES.rotateButton, null, "admin: regenerate secret");
    const secret = page.status === 200 ? valueLabelled(page.text, /client[ _-]?secret/i) : null;
    if (!secret) throw new FlowError(`"${ADMIN_NAMES.rotateButton}" showed no new secret (status ${page.status})`, page);
    this.client.redactor.learn(secret, "client_secret");
    return { secret, page };
  }

  /** "Delete" for the app, found on `onPage` (an Apps page already fetched) or a fresh Apps tab. */
  async deleteApp(clientId: string, onPage?: HttpResponse): Promise<HttpResponse> {
    const { submission } = await this.rowAction(ADMIN_NAMES.appsTab, [clientId], ADMIN_NAMES.deleteButton, onPage);
    const res = await this.client.send({ method: submission.method, url: submission.url, form: submission.method === "POST" ? submission.pairs : undefined, query: submission.method === "GET" ? submission.pairs : undefined, label: "admin: delete app" });
    if (res.status >= 400) throw new FlowError(`"${ADMIN_NAMES.deleteButton}" answered ${res.status}`, res);
    return res;
  }

  // ---- installed ----

  /** The Installed tab's rows. */
  async listInstalled(): Promise<{ page: HttpResponse; installed: InstalledApp[] }> {
    const page = await this.tab(ADMIN_NAMES.installedTab);
    const scopeNames = new Set(this.target.scopes);
    const installed: InstalledApp[] = [];
    for (const table of parseTables(page.text)) {
      const cApp = Math.max(column(table, /^(app|name)/i), 0);
      const cId = column(table, /client[ _-]?id/i);
      const cScope = column(table, /scope/i);
      for (const row of table.rows) {
        const text = row.texts.join(" | ");
        const scopeText = cScope >= 0 ? (row.texts[cScope] ?? "") : text;
        installed.push({
          name: row.texts[cApp] ?? "",
          clientId: cId >= 0 ? (row.texts[cId] ?? null) : null,
          scopes: [...new Set(scopeText.split(/[\s,]+/).filter((s) => scopeNames.has(s)))],
          authorizedBy: [...new Set(text.match(/[^\s|,:;<>()]+@[^\s|,:;<>()]+\.[a-z]{2,}/gi) ?? [])],
          authorizedAt: [...row.html.matchAll(/<time\b[^>]*\bdatetime="([^"]+)"/gi)].map((m) => m[1] ?? ""),
          text,
          row,
          hasRevoke: findFormByButton(parseForms(row.html, page.exchange.url), ADMIN_NAMES.revokeButton) !== undefined,
        });
      }
    }
    return { page, installed };
  }

  /** The Revoke submission of an installed app (client_id or app name), without sending it. */
  async revokeInstallationRequest(clientIdOrName: string): Promise<FormSubmission> {
    return (await this.rowAction(ADMIN_NAMES.installedTab, [clientIdOrName], ADMIN_NAMES.revokeButton)).submission;
  }

  /** Clicks Revoke for the installed app (client_id or app name). */
  async revokeInstallation(clientIdOrName: string): Promise<HttpResponse> {
    const sub = await this.revokeInstallationRequest(clientIdOrName);
    const res = await this.send(sub, "admin: revoke installation");
    if (res.status >= 400) throw new FlowError(`"${ADMIN_NAMES.revokeButton}" answered ${res.status}`, res);
    return res;
  }

  // ---- API keys ----

  async createApiKey(name: string): Promise<CreatedKey> {
    const tab = await this.tab(ADMIN_NAMES.keysTab);
    const form = findFormByButton(parseForms(tab.text, tab.exchange.url), ADMIN_NAMES.createKeyButton);
    if (!form) throw new AdminUnsupported(`no "${ADMIN_NAMES.createKeyButton}" form on the API keys tab`, tab);
    const nameField = form.fields.find((f) => f.label !== null && /name/i.test(f.label) && f.type !== "hidden");
    if (!nameField?.name) throw new AdminUnsupported("the API key form has no field labelled with a name", tab);
    const pairs = submitForm(form, ADMIN_NAMES.createKeyButton, { [nameField.label as string]: name }, tab.exchange.url).pairs;
    const page = await this.submit(tab, form, ADMIN_NAMES.createKeyButton, pairs, "admin: create API key");
    const key = page.status === 200 ? valueLabelled(page.text, /^(api )?key$/i) : null;
    if (!key) throw new FlowError(`"${ADMIN_NAMES.createKeyButton}" showed no key (status ${page.status})`, page);
    this.client.redactor.learn(key, "api_key");
    return { key, page };
  }

  /** Revokes the API key listed under `name`. */
  async revokeApiKey(name: string): Promise<HttpResponse> {
    const { page: tab, form } = await this.rowAction(ADMIN_NAMES.keysTab, [name], ADMIN_NAMES.revokeButton);
    const res = await this.submit(tab, form, ADMIN_NAMES.revokeButton, null, "admin: revoke API key");
    if (res.status >= 400) throw new FlowError(`revoking API key "${name}" answered ${res.status}`, res);
    return res;
  }

  // ---- members ----

  /** Offboards a user from the Members tab (not part of the page contract: AdminUnsupported when absent). */
  async deactivateUser(email: string): Promise<HttpResponse> {
    const { page: tab, form } = await this.rowAction(ADMIN_NAMES.membersTab, [email], ADMIN_NAMES.deactivateButton);
    const res = await this.submit(tab, form, ADMIN_NAMES.deactivateButton, null, "admin: deactivate user");
    if (res.status >= 400) throw new FlowError(`deactivating ${email} answered ${res.status}`, res);
    return res;
  }

  // ---- crawl ----

  /**
   * Every same-origin GET page under the console reachable from `start` by links (and GET forms
   * without inputs), breadth first, at most `limit` pages. Nothing is submitted.
   */
  async crawl(start: HttpResponse, limit = 40): Promise<HttpResponse[]> {
    const origin = new URL(this.client.baseUrl).origin;
    const seen = new Set<string>();
    const queue: string[] = [];
    const enqueue = (page: HttpResponse): void => {
      for (const l of parseLinks(page.text, page.exchange.url)) {
        const u = new URL(l.href);
        u.hash = "";
        if (u.origin === origin && u.pathname.startsWith("/admin") && !seen.has(u.href)) {
          seen.add(u.href);
          queue.push(u.href);
        }
      }
    };
    enqueue(start);
    const pages: HttpResponse[] = [];
    while (queue.length && pages.length < limit) {
      const next = queue.shift() as string;
      const res = await this.get(next, "admin: crawl");
      pages.push(res);
      if (res.status === 200 && res.mediaType?.includes("html")) enqueue(res);
    }
    return pages;
  }
}
