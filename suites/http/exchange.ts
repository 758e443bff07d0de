import type { Redactor } from "./redact.ts";

export type HeaderList = Array<[string, string]>;

/** One HTTP request and its response, exactly as sent and received. Held raw in memory only. */
export interface Exchange {
  readonly seq: number;
  /** What the kit was doing ("token: exchange code", "login: submit Sign in"). */
  readonly label: string | null;
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: HeaderList;
  readonly requestBody: string | null;
  readonly status: number;
  readonly responseHeaders: HeaderList;
  readonly responseBody: string;
  readonly durationMs: number;
  /** Transport failure (connection refused, timeout) instead of a response. */
  readonly error?: string;
}

/** The form an exchange takes in evidence: every secret replaced by its fingerprint. */
export interface RedactedExchange {
  readonly seq: number;
  readonly label: string | null;
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: HeaderList;
  readonly requestBody: string | null;
  readonly status: number;
  readonly responseHeaders: HeaderList;
  /** Truncated to keep reports small; `responseBodyBytes` gives the full length. */
  readonly responseBody: string;
  readonly responseBodyBytes: number;
  readonly durationMs: number;
  readonly error?: string;
  /** A curl command that replays the request (secrets stay fingerprints: fill them in to run it). */
  readonly curl: string;
}

const MAX_EVIDENCE_BODY = 4096;

function headerValue(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function redactExchange(ex: Exchange, redactor: Redactor): RedactedExchange {
  const requestHeaders = redactor.redactHeaders(ex.requestHeaders);
  const requestBody = ex.requestBody === null ? null : redactor.redactBody(ex.requestBody, headerValue(ex.requestHeaders, "content-type"));
  const fullBody = redactor.redactBody(ex.responseBody, headerValue(ex.responseHeaders, "content-type"));
  const url = redactor.redactUrl(ex.url);
  const curl = [
    "curl -sS -i",
    ex.method === "GET" && requestBody === null ? "" : `-X ${ex.method}`,
    ...requestHeaders.map(([n, v]) => `-H ${shellQuote(`${n}: ${v}`)}`),
    requestBody === null ? "" : `--data-raw ${shellQuote(requestBody)}`,
    shellQuote(url),
  ]
    .filter(Boolean)
    .join(" ");
  return {
    seq: ex.seq,
    label: ex.label,
    method: ex.method,
    url,
    requestHeaders,
    requestBody,
    status: ex.status,
    responseHeaders: redactor.redactHeaders(ex.responseHeaders),
    responseBody: fullBody.length > MAX_EVIDENCE_BODY ? `${fullBody.slice(0, MAX_EVIDENCE_BODY)}…[truncated]` : fullBody,
    responseBodyBytes: Buffer.byteLength(ex.responseBody),
    durationMs: ex.durationMs,
    ...(ex.error !== undefined ? { error: redactor.redactText(ex.error) } : {}),
    curl,
  };
}

/** Every exchange of one test, in order. Checks take slices of it as evidence. */
export class Journal {
  private readonly entries: Exchange[] = [];
  private nextSeq = 1;

  add(ex: Omit<Exchange, "seq">): Exchange {
    const full: Exchange = { ...ex, seq: this.nextSeq++ };
    this.entries.push(full);
    return full;
  }

  /** A position to slice from later: `journal.since(mark)`. */
  mark(): number {
    return this.nextSeq;
  }

  since(mark: number): Exchange[] {
    return this.entries.filter((e) => e.seq >= mark);
  }

  all(): readonly Exchange[] {
    return this.entries;
  }
}
