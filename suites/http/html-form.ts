/**
 * A small HTML reader, enough to drive pages that follow the page contract over plain HTTP:
 * forms, their controls, labels and the accessible names of their buttons. It does not build a
 * DOM; it scans tags in document order.
 */
export interface FormField {
  readonly tag: "input" | "textarea" | "select";
  readonly type: string;
  readonly name: string | null;
  readonly value: string;
  readonly id: string | null;
  /** The accessible name: aria-label, else the text of its <label>. */
  readonly label: string | null;
  /** False for an unchecked checkbox or radio button, which a browser does not submit. */
  readonly checked: boolean;
}

export interface FormButton {
  readonly name: string | null;
  readonly value: string;
  readonly type: string;
  readonly accessibleName: string;
  /** formaction / formmethod overrides. */
  readonly formAction: string | null;
  readonly formMethod: string | null;
}

export interface HtmlForm {
  /** Absolute URL, resolved against the page URL. */
  readonly action: string;
  readonly method: "GET" | "POST";
  readonly fields: readonly FormField[];
  readonly buttons: readonly FormButton[];
}

export interface FormSubmission {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly pairs: Array<[string, string]>;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", "#39": "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+|#39);/g, (m, e: string) => {
    if (e.startsWith("#x") || e.startsWith("#X")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

export function parseAttributes(src: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  for (const m of src.matchAll(re)) {
    const name = (m[1] as string).toLowerCase();
    if (name in out) continue;
    out[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

/** Visible text with tags, scripts and styles removed, whitespace collapsed. */
export function visibleText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, " ")
      // The document's head (its <title> included) is not shown in the page itself.
      .replace(/<(head|title|script|style|template)\b[\s\S]*?<\/\1\s*>/gi, " ")
      .replace(/<[^>]*>/g, " "),
  )
    .replace(/\s+/g, " ")
    .trim();
}

interface Tag {
  readonly name: string;
  readonly closing: boolean;
  readonly attrs: Record<string, string>;
  readonly start: number;
  readonly end: number;
}

function scanTags(html: string): Tag[] {
  const tags: Tag[] = [];
  const clean = html.replace(/<!--[\s\S]*?-->/g, (m) => " ".repeat(m.length));
  const re = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g;
  for (const m of clean.matchAll(re)) {
    tags.push({
      name: (m[2] as string).toLowerCase(),
      closing: m[1] === "/",
      attrs: m[1] === "/" ? {} : parseAttributes(m[3] ?? ""),
      start: m.index ?? 0,
      end: (m.index ?? 0) + m[0].length,
    });
  }
  return tags;
}

function innerUntil(html: string, tags: readonly Tag[], openIndex: number, name: string): { text: string; closeIndex: number } {
  const open = tags[openIndex] as Tag;
  for (let k = openIndex + 1; k < tags.length; k++) {
    const t = tags[k] as Tag;
    if (t.name === name && t.closing) return { text: html.slice(open.end, t.start), closeIndex: k };
  }
  return { text: html.slice(open.end), closeIndex: tags.length };
}

/** Every form of a page, with labels resolved and the action made absolute. */
export function parseForms(html: string, pageUrl: string): HtmlForm[] {
  const tags = scanTags(html);
  // Labels: by `for`, and by wrapping.
  const labelFor = new Map<string, string>();
  const wrappedLabel = new Map<number, string>();
  for (let k = 0; k < tags.length; k++) {
    const t = tags[k] as Tag;
    if (t.name !== "label" || t.closing) continue;
    const { text, closeIndex } = innerUntil(html, tags, k, "label");
    const name = visibleText(text);
    if (t.attrs.for) labelFor.set(t.attrs.for, name);
    for (let j = k + 1; j < closeIndex; j++) {
      const inner = tags[j] as Tag;
      if (!inner.closing && (inner.name === "input" || inner.name === "select" || inner.name === "textarea")) wrappedLabel.set(j, name);
    }
  }

  const forms: HtmlForm[] = [];
  for (let k = 0; k < tags.length; k++) {
    const t = tags[k] as Tag;
    if (t.name !== "form" || t.closing) continue;
    const { closeIndex } = innerUntil(html, tags, k, "form");
    const fields: FormField[] = [];
    const buttons: FormButton[] = [];
    for (let j = k + 1; j < closeIndex; j++) {
      const c = tags[j] as Tag;
      if (c.closing) continue;
      const id = c.attrs.id ?? null;
      const label = c.attrs["aria-label"] ?? (id !== null ? labelFor.get(id) : undefined) ?? wrappedLabel.get(j) ?? null;
      if (c.name === "input") {
        const type = (c.attrs.type ?? "text").toLowerCase();
        if (type === "submit" || type === "image") {
          buttons.push({ name: c.attrs.name ?? null, value: c.attrs.value ?? "", type, accessibleName: c.attrs["aria-label"] ?? c.attrs.value ?? "Submit", formAction: c.attrs.formaction ?? null, formMethod: c.attrs.formmethod ?? null });
        } else {
          const toggle = type === "checkbox" || type === "radio";
          fields.push({ tag: "input", type, name: c.attrs.name ?? null, value: c.attrs.value ?? (toggle ? "on" : ""), id, label: label ?? null, checked: !toggle || "checked" in c.attrs });
        }
      } else if (c.name === "textarea") {
        const { text } = innerUntil(html, tags, j, "textarea");
        fields.push({ tag: "textarea", type: "textarea", name: c.attrs.name ?? null, value: decodeEntities(text), id, label: label ?? null, checked: true });
      } else if (c.name === "select") {
        const { text } = innerUntil(html, tags, j, "select");
        const options = [...text.matchAll(/<option\b([^>]*)>([\s\S]*?)(?=<option\b|<\/select|$)/gi)];
        const chosen = options.find((o) => /\bselected\b/i.test(o[1] ?? "")) ?? options[0];
        const optAttrs = chosen ? parseAttributes(chosen[1] ?? "") : {};
        fields.push({ tag: "select", type: "select", name: c.attrs.name ?? null, value: optAttrs.value ?? (chosen ? visibleText(chosen[2] ?? "") : ""), id, label: label ?? null, checked: true });
      } else if (c.name === "button") {
        const { text } = innerUntil(html, tags, j, "button");
        const type = (c.attrs.type ?? "submit").toLowerCase();
        if (type === "submit") {
          buttons.push({ name: c.attrs.name ?? null, value: c.attrs.value ?? "", type, accessibleName: c.attrs["aria-label"] ?? visibleText(text), formAction: c.attrs.formaction ?? null, formMethod: c.attrs.formmethod ?? null });
        }
      }
    }
    const method = (t.attrs.method ?? "get").toUpperCase() === "POST" ? "POST" : "GET";
    forms.push({ action: new URL(t.attrs.action ?? "", pageUrl).href, method, fields, buttons });
  }
  return forms;
}

export class FormNotFoundError extends Error {
  constructor(what: string, readonly pageUrl: string) {
    super(`${what} on ${pageUrl}`);
    this.name = "FormNotFoundError";
  }
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The form holding a submit button with this accessible name (e.g. "Sign in", "Approve"). */
export function findFormByButton(forms: readonly HtmlForm[], buttonName: string): HtmlForm | undefined {
  return forms.find((f) => f.buttons.some((b) => sameName(b.accessibleName, buttonName)));
}

/**
 * What the browser would send when `buttonName` is clicked after filling fields by their
 * label (`{ Email: "…", Password: "…" }`). Throws if a label or the button is missing.
 */
export function submitForm(form: HtmlForm, buttonName: string, byLabel: Readonly<Record<string, string>> = {}, pageUrl = form.action): FormSubmission {
  const button = form.buttons.find((b) => sameName(b.accessibleName, buttonName));
  if (!button) throw new FormNotFoundError(`no button named "${buttonName}"`, pageUrl);
  const pending = new Map(Object.entries(byLabel));
  const pairs: Array<[string, string]> = [];
  for (const f of form.fields) {
    if (f.name === null || f.name === "") continue;
    const labelKey = f.label === null ? undefined : [...pending.keys()].find((k) => sameName(k, f.label as string));
    if (labelKey !== undefined) {
      pairs.push([f.name, pending.get(labelKey) as string]);
      pending.delete(labelKey);
    } else if (f.checked) {
      pairs.push([f.name, f.value]);
    }
  }
  if (pending.size > 0) throw new FormNotFoundError(`no field labelled ${[...pending.keys()].map((k) => `"${k}"`).join(", ")}`, pageUrl);
  if (button.name) pairs.push([button.name, button.value]);
  const method = button.formMethod ? (button.formMethod.toUpperCase() === "POST" ? "POST" : "GET") : form.method;
  const url = button.formAction ? new URL(button.formAction, form.action).href : form.action;
  return { method, url, pairs };
}
