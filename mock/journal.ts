import type { Request, RequestHandler } from "express";
import type { Clock } from "./clock.ts";
import { fingerprint } from "./secrets.ts";

/** One request as the control API shows it: secrets replaced by fingerprints. */
export interface JournalEntry {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly form?: Record<string, string>;
}

/** Parameter and header names whose values are secrets (tokens, codes, verifiers, secrets, passwords, cookies). */
const SECRET_NAMES = new Set([
  "code",
  "code_verifier",
  "access_token",
  "refresh_token",
  "token",
  "client_secret",
  "password",
  "csrf_token",
  "transaction",
  "authorization",
  "cookie",
  "set-cookie",
  "id_token",
  "key",
  "api_key",
]);

const MAX_ENTRIES = 1000;
const MAX_VALUE = 200;

/** Redacts by name, and also any value that looks like one of our prefixed secrets wherever it appears. */
export function redactValue(name: string, value: string): string {
  if (SECRET_NAMES.has(name.toLowerCase())) return value === "" ? "" : `[redacted ${fingerprint(value.replace(/^(Bearer|Basic)\s+/i, ""))}]`;
  const scrubbed = value.replace(/pact_(?:at|rt|ac|cs|key|sess|csrf|tx)_[A-Za-z0-9_-]+/g, (m) => `[redacted ${fingerprint(m)}]`);
  return scrubbed.length > MAX_VALUE ? `${scrubbed.slice(0, MAX_VALUE)}…` : scrubbed;
}

function redactPairs(pairs: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[redactValue(k, k)] = redactValue(k, v);
  return out;
}

/** A bounded ring of recent requests (GET /__mock/requests). */
export class Journal {
  private entries: JournalEntry[] = [];

  constructor(private readonly clock: Clock) {}

  record(req: Request, status: number): void {
    const at = req.originalUrl.indexOf("?");
    const query = at === -1 ? {} : redactPairs(new URLSearchParams(req.originalUrl.slice(at + 1)));
    const headers = redactPairs(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")] as [string, string]));
    let form: Record<string, string> | undefined;
    if (Buffer.isBuffer(req.body) && /x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "")) form = redactPairs(new URLSearchParams(req.body.toString("utf8")));
    this.entries.push({ at: new Date(this.clock.now()).toISOString(), method: req.method, path: req.path, query, status, headers, ...(form ? { form } : {}) });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): readonly JournalEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }

  /** Middleware recording each request once its response is finished. Control-API calls are not journaled. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      if (!req.path.startsWith("/__mock/")) res.on("finish", () => this.record(req, res.statusCode));
      next();
    };
  }
}
