import { createHash } from "node:crypto";

/** What a secret is, shown next to its fingerprint so evidence stays readable. */
export type SecretKind =
  | "access_token"
  | "refresh_token"
  | "code"
  | "code_verifier"
  | "client_secret"
  | "api_key"
  | "password"
  | "cookie"
  | "token"
  | "secret";

/** A short, stable, non-reversible stand-in for a secret: 8 hex digits of its SHA-256. */
export function fingerprint(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex").slice(0, 8);
}

export function placeholder(kind: SecretKind, value: string): string {
  return `[${kind}#${fingerprint(value)}]`;
}

/** Request and response parameters whose values are always secrets, whatever their length. */
export const SECRET_PARAMS: Readonly<Record<string, SecretKind>> = {
  access_token: "access_token",
  refresh_token: "refresh_token",
  code: "code",
  code_verifier: "code_verifier",
  client_secret: "client_secret",
  password: "password",
  token: "token",
  id_token: "token",
  csrf: "secret",
  csrf_token: "secret",
  _csrf: "secret",
};

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]);

/** Values shorter than this are redacted only where a parameter or header says they are secret. */
const MIN_LEARNED_LENGTH = 6;

/**
 * Learns every secret a run sees (fixture secrets, tokens from responses, codes from Location
 * headers, verifiers it sends) and replaces each by a fingerprint wherever it appears: raw,
 * percent-encoded, form-encoded or base64-encoded.
 */
export class Redactor {
  private readonly secrets = new Map<string, SecretKind>();
  private ordered: Array<[string, string]> | null = null;

  learn(value: string | undefined | null, kind: SecretKind = "secret"): void {
    if (typeof value !== "string" || value.length < MIN_LEARNED_LENGTH || this.secrets.has(value)) return;
    this.secrets.set(value, kind);
    this.ordered = null;
  }

  /** Learns the values of secret parameters in a list of pairs (query, form body). */
  learnParams(pairs: Iterable<readonly [string, string]>): void {
    for (const [name, value] of pairs) {
      const kind = SECRET_PARAMS[name.toLowerCase()];
      if (kind) this.learn(value, kind);
    }
  }

  /** Learns secret members of a JSON body (token responses). */
  learnJson(body: unknown): void {
    if (typeof body !== "object" || body === null) return;
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      const kind = SECRET_PARAMS[name.toLowerCase()];
      if (kind && typeof value === "string") this.learn(value, kind);
    }
  }

  /** Learns the credential of an Authorization header value, and for Basic the decoded secret. */
  learnAuthorization(value: string): void {
    const sp = value.indexOf(" ");
    if (sp < 0) return;
    const scheme = value.slice(0, sp).toLowerCase();
    const credential = value.slice(sp + 1).trim();
    this.learn(credential, scheme === "basic" ? "secret" : "token");
    if (scheme === "basic") {
      const decoded = Buffer.from(credential, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon >= 0) {
        const raw = decoded.slice(colon + 1);
        this.learn(raw, "client_secret");
        try {
          this.learn(decodeURIComponent(raw.replace(/\+/g, " ")), "client_secret");
        } catch {
          /* not form-encoded */
        }
      }
    }
  }

  /** Full SHA-256 hex digests of every learned secret (for leak scans that must not hold the values). */
  digests(): string[] {
    return [...this.secrets.keys()].map((v) => createHash("sha256").update(v, "utf8").digest("hex"));
  }

  knows(value: string): boolean {
    return this.secrets.has(value);
  }

  get size(): number {
    return this.secrets.size;
  }

  private replacements(): Array<[string, string]> {
    if (this.ordered) return this.ordered;
    const out: Array<[string, string]> = [];
    for (const [secret, kind] of this.secrets) {
      const mark = placeholder(kind, secret);
      const forms = new Set([
        secret,
        encodeURIComponent(secret),
        new URLSearchParams([["x", secret]]).toString().slice(2),
        Buffer.from(secret, "utf8").toString("base64"),
        Buffer.from(secret, "utf8").toString("base64url"),
        JSON.stringify(secret).slice(1, -1),
      ]);
      for (const form of forms) if (form.length >= MIN_LEARNED_LENGTH) out.push([form, mark]);
    }
    out.sort((a, b) => b[0].length - a[0].length);
    this.ordered = out;
    return out;
  }

  /** Replaces every known secret in free text. */
  redactText(text: string): string {
    let out = text;
    for (const [secret, mark] of this.replacements()) {
      if (out.includes(secret)) out = out.split(secret).join(mark);
    }
    return out;
  }

  /** Replaces secret parameter values in an urlencoded string, then any known secret. */
  redactUrlencoded(encoded: string): string {
    const parts = encoded.split("&").map((part) => {
      const eq = part.indexOf("=");
      if (eq < 0) return part;
      const rawName = part.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, " "));
      } catch {
        /* keep the raw name */
      }
      const kind = SECRET_PARAMS[name.toLowerCase()];
      const value = part.slice(eq + 1);
      if (!kind || value.length === 0) return part;
      let decoded = value;
      try {
        decoded = decodeURIComponent(value.replace(/\+/g, " "));
      } catch {
        /* fingerprint the raw value */
      }
      return `${rawName}=${placeholder(kind, decoded)}`;
    });
    return this.redactText(parts.join("&"));
  }

  redactUrl(url: string): string {
    const q = url.indexOf("?");
    const h = url.indexOf("#");
    if (q < 0 && h < 0) return this.redactText(url);
    const end = h >= 0 ? h : url.length;
    const base = q >= 0 ? url.slice(0, q) : url.slice(0, end);
    const query = q >= 0 && q < end ? url.slice(q + 1, end) : null;
    const fragment = h >= 0 ? url.slice(h + 1) : null;
    return (
      this.redactText(base) +
      (query !== null ? `?${this.redactUrlencoded(query)}` : "") +
      (fragment !== null ? `#${this.redactUrlencoded(fragment)}` : "")
    );
  }

  redactHeader(name: string, value: string): string {
    const lower = name.toLowerCase();
    if (!SECRET_HEADERS.has(lower)) {
      return lower === "location" || lower === "content-location" || lower === "refresh" ? this.redactUrl(value) : this.redactText(value);
    }
    if (lower === "authorization" || lower === "proxy-authorization") {
      const sp = value.indexOf(" ");
      if (sp < 0) return placeholder("secret", value);
      return `${value.slice(0, sp)} ${placeholder("secret", value.slice(sp + 1))}`;
    }
    if (lower === "cookie") {
      return value
        .split(";")
        .map((c) => {
          const eq = c.indexOf("=");
          return eq < 0 ? c : `${c.slice(0, eq)}=${placeholder("cookie", c.slice(eq + 1).trim())}`;
        })
        .join(";");
    }
    if (lower === "set-cookie") {
      const semi = value.indexOf(";");
      const pair = semi < 0 ? value : value.slice(0, semi);
      const rest = semi < 0 ? "" : value.slice(semi);
      const eq = pair.indexOf("=");
      const cookieName = eq < 0 ? pair : pair.slice(0, eq);
      const cookieValue = eq < 0 ? "" : pair.slice(eq + 1);
      return `${cookieName}=${cookieValue ? placeholder("cookie", cookieValue) : ""}${rest}`;
    }
    return placeholder("secret", value);
  }

  redactHeaders(headers: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
    return headers.map(([n, v]) => [n, this.redactHeader(n, v)]);
  }

  /** Redacts a body according to its media type. */
  redactBody(body: string, contentType: string | undefined): string {
    if (contentType && /application\/x-www-form-urlencoded/i.test(contentType)) return this.redactUrlencoded(body);
    if (contentType && /json/i.test(contentType)) {
      try {
        const parsed: unknown = JSON.parse(body);
        return this.redactText(JSON.stringify(redactJsonValue(parsed)));
      } catch {
        return this.redactText(body);
      }
    }
    // Raw bodies sent with another or no content type are still redacted when they look form-encoded.
    if (/^[^=&\s]+=[^&\s]*(?:&[^=&\s]*=?[^&\s]*)*$/.test(body)) return this.redactUrlencoded(body);
    return this.redactText(body);
  }
}

function redactJsonValue(value: unknown, key?: string): unknown {
  if (typeof value === "string" && key !== undefined) {
    const kind = SECRET_PARAMS[key.toLowerCase()];
    return kind && value.length > 0 ? placeholder(kind, value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => redactJsonValue(v));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactJsonValue(v, k)]));
  }
  return value;
}
