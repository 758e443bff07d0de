import type { Exchange, HeaderList } from "./exchange.ts";
import { parseWwwAuthenticate, type Challenge } from "./www-authenticate.ts";

export class ResponseBodyError extends Error {
  constructor(message: string, readonly exchange: Exchange) {
    super(message);
    this.name = "ResponseBodyError";
  }
}

/** A received response; the raw exchange travels with it for evidence. */
export class HttpResponse {
  constructor(
    readonly status: number,
    readonly headers: HeaderList,
    readonly bodyBytes: Buffer,
    readonly exchange: Exchange,
  ) {}

  get text(): string {
    return this.bodyBytes.toString("utf8");
  }

  /** First value of a header (names are case-insensitive). */
  header(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
  }

  /** Every value of a header, in the order received. */
  headerAll(name: string): string[] {
    const lower = name.toLowerCase();
    return this.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  }

  /** The media type without parameters, lower-cased ("application/json"). */
  get mediaType(): string | undefined {
    return this.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  }

  get location(): string | undefined {
    return this.header("location");
  }

  /** Location resolved against the request URL. */
  get locationUrl(): URL | undefined {
    const loc = this.location;
    if (loc === undefined) return undefined;
    try {
      return new URL(loc, this.exchange.url);
    } catch {
      return undefined;
    }
  }

  get isRedirect(): boolean {
    return this.status >= 300 && this.status < 400;
  }

  /** The parsed JSON body; throws ResponseBodyError when it is not JSON. */
  json(): unknown {
    try {
      return JSON.parse(this.text) as unknown;
    } catch {
      throw new ResponseBodyError(`response body of ${this.exchange.method} ${this.exchange.url} (${this.status}) is not JSON`, this.exchange);
    }
  }

  /** The parsed JSON body, or undefined when it is not JSON. */
  jsonOrUndefined(): unknown {
    try {
      return JSON.parse(this.text) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Every WWW-Authenticate challenge (RFC 9110 §11.6.1). */
  challenges(): Challenge[] {
    const values = this.headerAll("www-authenticate");
    return values.length ? parseWwwAuthenticate(values) : [];
  }
}
