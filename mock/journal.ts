import type { IncomingHttpHeaders } from "node:http";
import type { RequestHandler, Response } from "express";
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

/** What the journal needs of a request: references only, read again when the journal is rendered. */
export interface JournalSource {
  readonly method: string;
  /** The path without the query (express's `req.path`). */
  readonly path: string;
  /** The request target as received, query included. */
  readonly originalUrl: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body when one was read (a Buffer), else anything. */
  readonly body: unknown;
}

/** A request as recorded: nothing redacted or copied yet. */
interface Recorded {
  readonly atMs: number;
  readonly method: string;
  readonly path: string;
  readonly originalUrl: string;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** A form body kept raw (small ones), or already redacted (large ones, so the ring never holds big buffers). */
  readonly form: Buffer | Record<string, string> | undefined;
}

/** Form bodies up to this size are kept raw until rendered; larger ones are redacted at once. */
const LAZY_FORM_BYTES = 8 * 1024;

function isFormBody(headers: IncomingHttpHeaders, body: unknown): body is Buffer {
  return Buffer.isBuffer(body) && /x-www-form-urlencoded/i.test(headers["content-type"] ?? "");
}

function render(r: Recorded): JournalEntry {
  const at = r.originalUrl.indexOf("?");
  const query = at === -1 ? {} : redactPairs(new URLSearchParams(r.originalUrl.slice(at + 1)));
  const headers = redactPairs(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")] as [string, string]));
  const form = Buffer.isBuffer(r.form) ? redactPairs(new URLSearchParams(r.form.toString("utf8"))) : r.form;
  return { at: new Date(r.atMs).toISOString(), method: r.method, path: r.path, query, status: r.status, headers, ...(form ? { form } : {}) };
}

/**
 * A bounded ring of recent requests (GET /__mock/requests). Recording keeps
 * references in a fixed ring and costs no parsing; redaction happens when the
 * journal is read, once per entry, so what leaves the mock is always redacted.
 */
export class Journal {
  private ring: Array<Recorded | JournalEntry | undefined> = new Array(MAX_ENTRIES);
  /** Index of the next slot to write; `size` entries end just before it. */
  private next = 0;
  private size = 0;

  constructor(private readonly clock: Clock) {}

  record(req: JournalSource, status: number): void {
    const form = isFormBody(req.headers, req.body) ? (req.body.length <= LAZY_FORM_BYTES ? req.body : redactPairs(new URLSearchParams(req.body.toString("utf8")))) : undefined;
    this.ring[this.next] = { atMs: this.clock.now(), method: req.method, path: req.path, originalUrl: req.originalUrl, status, headers: req.headers, form };
    this.next = (this.next + 1) % MAX_ENTRIES;
    if (this.size < MAX_ENTRIES) this.size++;
  }

  /** The recorded requests, oldest first, redacted. */
  list(): readonly JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const slot = (this.next - this.size + i + MAX_ENTRIES) % MAX_ENTRIES;
      const item = this.ring[slot];
      if (item === undefined) continue;
      const entry = "atMs" in item ? render(item) : item;
      this.ring[slot] = entry;
      out.push(entry);
    }
    return out;
  }

  clear(): void {
    this.ring = new Array(MAX_ENTRIES);
    this.next = 0;
    this.size = 0;
  }

  /** Middleware recording each request once its response is finished. Control-API calls are not journaled. */
  middleware(): RequestHandler {
    const journal = this;
    // One listener function for every response (no closure per request); `this` is the response.
    function onFinish(this: Response): void {
      journal.record(this.req, this.statusCode);
    }
    return (req, res, next) => {
      if (!req.path.startsWith("/__mock/")) res.on("finish", onFinish);
      next();
    };
  }
}
