import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, Client, type Dispatcher } from "undici";
import { CookieJar } from "./cookies.ts";
import { Journal, type HeaderList } from "./exchange.ts";
import type { Redactor } from "./redact.ts";
import { HttpResponse } from "./response.ts";
import { sharedPacer, type Pacer } from "./pacing.ts";

/** An ordered list of name/value pairs: duplicates and order are kept exactly. */
export type Pairs = ReadonlyArray<readonly [string, string]>;
export type PairsInput = Pairs | Readonly<Record<string, string | undefined>>;

export interface RequestSpec {
  /** Any method token, sent as given. Default GET. */
  readonly method?: string;
  /** A path ("/oauth/token") resolved against the base URL, or an absolute URL. */
  readonly url: string;
  /** Appended to the URL's own query, in order. */
  readonly query?: PairsInput;
  /** Sent in order; repeat a name to send a header twice. */
  readonly headers?: PairsInput;
  /** application/x-www-form-urlencoded body (content-type added unless `headers` sets one or `contentType` is null). */
  readonly form?: PairsInput;
  readonly json?: unknown;
  /** Raw body bytes, sent as is. */
  readonly body?: string | Uint8Array;
  /** Overrides the content-type implied by form/json; null sends none. */
  readonly contentType?: string | null;
  /** The jar to read and update; null sends no cookies. Default: the client's jar. */
  readonly jar?: CookieJar | null;
  /** What the kit is doing, shown in evidence. */
  readonly label?: string;
}

export function toPairs(input: PairsInput | undefined): Array<[string, string]> {
  if (input === undefined) return [];
  if (Array.isArray(input)) return (input as Pairs).map(([n, v]) => [n, v]);
  return Object.entries(input as Record<string, string | undefined>).filter((e): e is [string, string] => e[1] !== undefined);
}

/** application/x-www-form-urlencoded serialisation (WHATWG URL §5.2), order and duplicates kept. */
export function encodeForm(pairs: Pairs): string {
  return new URLSearchParams(pairs.map(([n, v]) => [n, v])).toString();
}

export interface ClientOptions {
  readonly baseUrl: string;
  readonly redactor: Redactor;
  readonly journal?: Journal;
  readonly jar?: CookieJar;
  readonly dispatcher?: Dispatcher;
  readonly timeoutMs?: number;
  /** Request pacing (--max-concurrency, --rps); default the process-wide pacer. */
  readonly pacer?: Pacer;
  /** What the client does around each request for the target's throttle (SEC-05); default: retry a 429 once. */
  readonly guard?: RequestGuard;
}

/** A request as it is about to be sent, for a guard to inspect. */
export interface SentRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: HeaderList;
  readonly bodyText: string | null;
}

/**
 * Hooks around every request (the harness sets them per test): a budget of failed client
 * authentications (`beforeSend` may wait), and what a 429 means.
 */
export interface RequestGuard {
  /** Called before a request is paced and sent; may wait (e.g. for the failed-authentication budget). */
  beforeSend?(req: SentRequest): Promise<void>;
  /** Called with each response read (retries included). */
  afterResponse?(req: SentRequest, res: HttpResponse): Promise<void> | void;
  /**
   * "retry" (default): a 429 is never a verdict; wait its Retry-After (at most MAX_RETRY_AFTER_S) and
   * send once more, and when that is 429 too throw ThrottledError (the check could not be judged).
   * "observe": return the 429 as is (SEC-05's own tests, which judge it).
   */
  readonly on429?: "retry" | "observe";
  /** Told before the client waits on the target's behalf, so a test can extend its timeout. */
  onWait?(ms: number, why: string): void;
  /** Sleeps (tests pass a fake). */
  sleep?(ms: number): Promise<unknown>;
}

/** The longest Retry-After the kit honours before a retry (the catalogue's window plus a little). */
export const MAX_RETRY_AFTER_S = 65;
/** Waited when a 429 names no readable Retry-After: the catalogue's throttling window. */
export const DEFAULT_RETRY_AFTER_S = 60;

/** Seconds a 429 asks the client to wait (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date against Date. Null when absent or unreadable. */
export function retryAfterDelay(res: HttpResponse): number | null {
  const v = res.header("retry-after")?.trim();
  if (v === undefined || v === "") return null;
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  const date = Date.parse(res.header("date") ?? "");
  return Math.max(0, Math.ceil((at - (Number.isNaN(date) ? Date.now() : date)) / 1000));
}

const sharedAgent = new Agent({ keepAliveTimeout: 4_000, connections: 16 });

interface Prepared {
  readonly url: URL;
  readonly method: string;
  readonly headers: HeaderList;
  readonly body: string | Uint8Array | undefined;
  readonly bodyText: string | null;
  readonly jar: CookieJar | null;
  readonly label: string | null;
}

/**
 * The kit's HTTP client: never follows redirects, sends exactly what it is told, keeps a cookie
 * jar, records every exchange in a journal and teaches the redactor every secret it sees.
 */
export class ProtocolClient {
  readonly baseUrl: string;
  readonly redactor: Redactor;
  readonly journal: Journal;
  readonly jar: CookieJar;
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly pacer: Pacer;
  private readonly guard: RequestGuard;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.redactor = options.redactor;
    this.journal = options.journal ?? new Journal();
    this.jar = options.jar ?? new CookieJar();
    this.dispatcher = options.dispatcher ?? sharedAgent;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.pacer = options.pacer ?? sharedPacer();
    this.guard = options.guard ?? {};
  }

  /** The same journal and redactor with another cookie jar (a second user, a fresh session). */
  withJar(jar: CookieJar = new CookieJar()): ProtocolClient {
    return new ProtocolClient({ baseUrl: this.baseUrl, redactor: this.redactor, journal: this.journal, jar, dispatcher: this.dispatcher, timeoutMs: this.timeoutMs, pacer: this.pacer, guard: this.guard });
  }

  resolve(url: string): URL {
    return new URL(url, `${this.baseUrl}/`);
  }

  get(url: string, spec: Omit<RequestSpec, "url" | "method"> = {}): Promise<HttpResponse> {
    return this.send({ ...spec, url, method: "GET" });
  }

  post(url: string, spec: Omit<RequestSpec, "url" | "method"> = {}): Promise<HttpResponse> {
    return this.send({ ...spec, url, method: "POST" });
  }

  postForm(url: string, form: PairsInput, spec: Omit<RequestSpec, "url" | "method" | "form"> = {}): Promise<HttpResponse> {
    return this.send({ ...spec, url, method: "POST", form });
  }

  private prepare(spec: RequestSpec): Prepared {
    const url = this.resolve(spec.url);
    const query = toPairs(spec.query);
    if (query.length) {
      const extra = encodeForm(query);
      url.search = url.search ? `${url.search}&${extra}` : `?${extra}`;
    }
    const method = spec.method ?? "GET";
    const headers: HeaderList = toPairs(spec.headers);
    const hasHeader = (name: string): boolean => headers.some(([n]) => n.toLowerCase() === name);
    let body: string | Uint8Array | undefined;
    let implied: string | undefined;
    if (spec.form !== undefined) {
      const pairs = toPairs(spec.form);
      this.redactor.learnParams(pairs);
      body = encodeForm(pairs);
      implied = "application/x-www-form-urlencoded";
    } else if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      implied = "application/json";
    } else if (spec.body !== undefined) {
      body = spec.body;
    }
    const contentType = spec.contentType === undefined ? implied : spec.contentType;
    if (contentType && !hasHeader("content-type")) headers.push(["content-type", contentType]);
    const jar = spec.jar === undefined ? this.jar : spec.jar;
    const cookie = jar?.headerFor(url.pathname);
    if (cookie && !hasHeader("cookie")) headers.push(["cookie", cookie]);
    this.redactor.learnParams(new URLSearchParams(url.search));
    for (const [n, v] of headers) if (n.toLowerCase() === "authorization") this.redactor.learnAuthorization(v);
    const bodyText = body === undefined ? null : typeof body === "string" ? body : Buffer.from(body).toString("utf8");
    return { url, method, headers, body, bodyText, jar, label: spec.label ?? null };
  }

  private async dispatch(dispatcher: Dispatcher, p: Prepared): Promise<HttpResponse> {
    const started = performance.now();
    const flat: string[] = p.headers.flatMap(([n, v]) => [n, v]);
    try {
      const res = await dispatcher.request({
        origin: p.url.origin,
        path: p.url.pathname + p.url.search,
        method: p.method as Dispatcher.HttpMethod,
        headers: flat,
        body: p.body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      const headers: HeaderList = [];
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.push([name, v]);
      }
      const exchange = this.journal.add({
        label: p.label,
        method: p.method,
        url: p.url.href,
        requestHeaders: p.headers,
        requestBody: p.bodyText,
        status: res.statusCode,
        responseHeaders: headers,
        responseBody: bytes.toString("utf8"),
        durationMs: performance.now() - started,
      });
      const response = new HttpResponse(res.statusCode, headers, bytes, exchange);
      this.learnFromResponse(response);
      if (p.jar) p.jar.store(response.headerAll("set-cookie"));
      return response;
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.journal.add({
        label: p.label,
        method: p.method,
        url: p.url.href,
        requestHeaders: p.headers,
        requestBody: p.bodyText,
        status: 0,
        responseHeaders: [],
        responseBody: "",
        durationMs: performance.now() - started,
        error: message,
      });
      throw new TransportError(`${p.method} ${this.redactor.redactUrl(p.url.href)}: ${this.redactor.redactText(message)}`);
    }
  }

  private learnFromResponse(res: HttpResponse): void {
    const loc = res.locationUrl;
    if (loc) {
      this.redactor.learnParams(new URLSearchParams(loc.search));
      if (loc.hash) this.redactor.learnParams(new URLSearchParams(loc.hash.slice(1)));
    }
    for (const line of res.headerAll("set-cookie")) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq > 0) this.redactor.learn(pair.slice(eq + 1).trim(), "cookie");
    }
    if (res.mediaType?.includes("json")) this.redactor.learnJson(res.jsonOrUndefined());
  }

  /**
   * Sends one request, paced. Redirects are returned, never followed. A 429 is waited out and
   * retried once unless the guard observes 429s (see RequestGuard.on429).
   */
  async send(spec: RequestSpec): Promise<HttpResponse> {
    const prepared = this.prepare(spec);
    const first = await this.sendOnce(prepared);
    if (first.status !== 429 || this.guard.on429 === "observe") return first;
    const where = `${prepared.method} ${this.redactor.redactUrl(prepared.url.href)}`;
    const asked = retryAfterDelay(first);
    const wait = asked ?? DEFAULT_RETRY_AFTER_S;
    if (wait > MAX_RETRY_AFTER_S) throw new ThrottledError(`${where} answered 429 with Retry-After ${asked} s, longer than the ${MAX_RETRY_AFTER_S} s the kit waits: the target throttled the kit, so this could not be judged`);
    this.guard.onWait?.(wait * 1000, `429 from ${where}`);
    await (this.guard.sleep ?? sleep)(wait * 1000);
    const second = await this.sendOnce(prepared);
    if (second.status === 429)
      throw new ThrottledError(`${where} answered 429 again after the kit waited ${wait} s (${asked === null ? "no readable Retry-After" : `Retry-After ${asked}`}): the target throttled the kit, so this could not be judged`);
    return second;
  }

  private async sendOnce(prepared: Prepared): Promise<HttpResponse> {
    await this.guard.beforeSend?.(prepared);
    const release = await this.pacer.acquire();
    let res: HttpResponse;
    try {
      res = await this.dispatch(this.dispatcher, prepared);
    } finally {
      release();
    }
    await this.guard.afterResponse?.(prepared, res);
    return res;
  }

  /**
   * Opens `n` connections up front (each warmed by one request to `warmPath`) for race tests:
   * `fire` then dispatches one request per connection in the same tick.
   */
  async openConnections(n: number, warmPath = "/.well-known/oauth-authorization-server"): Promise<RaceGroup> {
    const origin = new URL(this.baseUrl).origin;
    const clients = Array.from({ length: n }, () => new Client(origin, { pipelining: 1, keepAliveTimeout: 30_000 }));
    await Promise.all(
      clients.map(async (c) => {
        const r = await c.request({ path: warmPath, method: "GET" });
        await r.body.arrayBuffer();
      }),
    );
    return new RaceGroup(this, clients);
  }

  /** @internal used by RaceGroup */
  prepareForRace(spec: RequestSpec): Prepared {
    return this.prepare(spec);
  }

  /** @internal used by RaceGroup */
  dispatchOn(dispatcher: Dispatcher, p: Prepared): Promise<HttpResponse> {
    return this.dispatch(dispatcher, p);
  }
}

/**
 * The target kept answering 429 (its throttle) after the kit waited once: whatever the test was
 * checking could not be judged. Verdicts record it as `error`, never as a failure (§0.1).
 */
export class ThrottledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThrottledError";
  }
}

export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransportError";
  }
}

/** Pre-opened connections released together: the RACE capability of §0.2. */
export class RaceGroup {
  constructor(
    private readonly client: ProtocolClient,
    private readonly connections: Client[],
  ) {}

  get size(): number {
    return this.connections.length;
  }

  /**
   * Prepares every request first, then dispatches all of them synchronously (the barrier), one
   * per connection. Results come back in the order of `specs`; transport errors are returned.
   * Not paced: a race needs its n requests in flight together (§0.2 RACE).
   */
  async fire(specs: readonly RequestSpec[]): Promise<Array<HttpResponse | TransportError>> {
    if (specs.length > this.connections.length) throw new Error(`fire: ${specs.length} requests for ${this.connections.length} connections`);
    const prepared = specs.map((s) => this.client.prepareForRace(s));
    const inFlight = prepared.map((p, i) => this.client.dispatchOn(this.connections[i] as Client, p).catch((e: unknown) => (e instanceof TransportError ? e : new TransportError(String(e)))));
    return Promise.all(inFlight);
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close().catch(() => undefined)));
  }
}
