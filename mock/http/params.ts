import type { IncomingHttpHeaders } from "node:http";
import { HttpError } from "../errors.ts";

/**
 * What the OAuth and /v1 handlers read of a request. An express Request is
 * one; so is the hot path's view of a bare node:http request (http/hot-path.ts).
 */
export interface RequestView {
  readonly method: string;
  /** The request target as received, query included. */
  readonly originalUrl: string;
  readonly headers: IncomingHttpHeaders;
  /** Every header's values, repeats kept (node:http `headersDistinct`). */
  readonly headersDistinct: Record<string, string[] | undefined>;
  /** The raw body as a Buffer when one was read. */
  readonly body?: unknown;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/**
 * An ordered, duplicate-preserving view of form or query parameters. RFC 6749
 * §3.1 and §3.2: a parameter sent twice is an error, and a parameter sent with
 * no value counts as omitted, so `get` returns undefined for "".
 */
export class Params {
  private constructor(readonly pairs: ReadonlyArray<readonly [string, string]>) {}

  /**
   * application/x-www-form-urlencoded parsing (WHATWG URL §5.1), as
   * URLSearchParams does it. Plain pairs are split here in one pass; any
   * percent-escape that decodeURIComponent refuses (bad hex, invalid UTF-8)
   * sends the whole string to URLSearchParams, whose lenient decoding is the reference.
   */
  static parse(encoded: string): Params {
    const pairs: Array<readonly [string, string]> = [];
    try {
      // Like URLSearchParams given a string, one leading "?" is not part of the first name.
      let start = encoded.startsWith("?") ? 1 : 0;
      while (start <= encoded.length) {
        let end = encoded.indexOf("&", start);
        if (end === -1) end = encoded.length;
        if (end > start) {
          const eq = encoded.indexOf("=", start);
          const split = eq !== -1 && eq < end;
          pairs.push([decodeComponent(encoded.slice(start, split ? eq : end)), split ? decodeComponent(encoded.slice(eq + 1, end)) : ""]);
        }
        start = end + 1;
      }
    } catch {
      return new Params([...new URLSearchParams(encoded)]);
    }
    return new Params(pairs);
  }

  static empty(): Params {
    return new Params([]);
  }

  /** The single non-empty value, or undefined when absent or empty. Callers check `duplicated` first. */
  get(name: string): string | undefined {
    const v = this.pairs.find(([k]) => k === name)?.[1];
    return v === undefined || v === "" ? undefined : v;
  }

  /** Every value sent under the name, empty ones included. */
  all(name: string): string[] {
    return this.pairs.filter(([k]) => k === name).map(([, v]) => v);
  }

  has(name: string): boolean {
    return this.pairs.some(([k]) => k === name);
  }

  /** Names from `names` that were sent more than once (with any values), in the order of `names`. */
  duplicated(names: readonly string[]): string[] {
    if (this.pairs.length < 2) return [];
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const [k] of this.pairs) (seen.has(k) ? repeated : seen).add(k);
    return repeated.size === 0 ? [] : names.filter((n) => repeated.has(n));
  }

  names(): string[] {
    return [...new Set(this.pairs.map(([k]) => k))];
  }
}

/** `+` is a space, then percent-decoding; throws URIError where URLSearchParams would be lenient. */
function decodeComponent(text: string): string {
  const spaced = text.includes("+") ? text.replace(/\+/g, " ") : text;
  return spaced.includes("%") ? decodeURIComponent(spaced) : spaced;
}

/** The query of the request URL, parsed without express's array coercion. */
export function queryParams(req: Pick<RequestView, "originalUrl">): Params {
  const at = req.originalUrl.indexOf("?");
  return at === -1 ? Params.empty() : Params.parse(req.originalUrl.slice(at + 1));
}

/** True when the request's media type is `application/x-www-form-urlencoded` (parameters such as charset allowed). */
export function isFormEncoded(req: Pick<RequestView, "headers">): boolean {
  const type = req.headers["content-type"];
  if (typeof type !== "string") return false;
  return type.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

const UTF8 = new TextDecoder("utf-8", { fatal: false });

/**
 * The form body of a POST, read by `express.raw` (see app.ts) and decoded here.
 * A non-form media type raises `onWrongType` (the caller's RFC error).
 */
export function formParams(req: Pick<RequestView, "headers" | "body">, onWrongType: () => Error): Params {
  if (!isFormEncoded(req)) throw onWrongType();
  const body: unknown = req.body;
  if (body === undefined || body === null) return Params.empty();
  if (!Buffer.isBuffer(body)) throw new HttpError(400, "The request body could not be read.");
  return Params.parse(UTF8.decode(body));
}
