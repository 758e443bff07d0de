/** A stored cookie with the attributes the checks inspect (CONSENT-05). */
export interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: string | null;
  /** Epoch ms, or null for a session cookie. */
  readonly expiresAt: number | null;
  /** The Set-Cookie line as received. */
  readonly raw: string;
}

/** Parses one Set-Cookie field value (RFC 6265 §5.2, the parts the kit needs). */
export function parseSetCookie(line: string, nowMs: number): Cookie | null {
  const [pair = "", ...attrs] = line.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  let path = "/";
  let httpOnly = false;
  let secure = false;
  let sameSite: string | null = null;
  let expiresAt: number | null = null;
  let maxAgeSeen = false;
  for (const attr of attrs) {
    const i = attr.indexOf("=");
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? "" : attr.slice(i + 1).trim();
    if (key === "path" && val.startsWith("/")) path = val;
    else if (key === "httponly") httpOnly = true;
    else if (key === "secure") secure = true;
    else if (key === "samesite") sameSite = val;
    else if (key === "max-age" && /^-?\d+$/.test(val)) {
      maxAgeSeen = true;
      expiresAt = nowMs + Number(val) * 1000;
    } else if (key === "expires" && !maxAgeSeen) {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) expiresAt = t;
    }
  }
  return { name, value, path, httpOnly, secure, sameSite, expiresAt, raw: line };
}

/**
 * A cookie jar for one target origin. The kit talks to one authorization server, so cookies
 * are keyed by name and path; domain scoping is not needed.
 */
export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  store(setCookieLines: readonly string[]): void {
    const now = this.now();
    for (const line of setCookieLines) {
      const c = parseSetCookie(line, now);
      if (!c) continue;
      const key = `${c.name}\u0000${c.path}`;
      if (c.expiresAt !== null && c.expiresAt <= now) this.cookies.delete(key);
      else this.cookies.set(key, c);
    }
  }

  /** The Cookie header for a request path, or undefined when nothing applies. */
  headerFor(pathname: string): string | undefined {
    const now = this.now();
    const parts: string[] = [];
    for (const c of this.cookies.values()) {
      if (c.expiresAt !== null && c.expiresAt <= now) continue;
      if (pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)) parts.push(`${c.name}=${c.value}`);
    }
    return parts.length ? parts.join("; ") : undefined;
  }

  get(name: string): Cookie | undefined {
    for (const c of this.cookies.values()) if (c.name === name) return c;
    return undefined;
  }

  all(): Cookie[] {
    return [...this.cookies.values()];
  }

  set(name: string, value: string, path = "/"): void {
    this.cookies.set(`${name}\u0000${path}`, { name, value, path, httpOnly: false, secure: false, sameSite: null, expiresAt: null, raw: `${name}=${value}` });
  }

  clear(): void {
    this.cookies.clear();
  }

  clone(): CookieJar {
    const copy = new CookieJar(this.now);
    for (const [k, v] of this.cookies) copy.cookies.set(k, v);
    return copy;
  }
}
