import type { Request } from "express";
import { HttpError } from "../errors.ts";

/**
 * An ordered, duplicate-preserving view of form or query parameters. RFC 6749
 * §3.1 and §3.2: a parameter sent twice is an error, and a parameter sent with
 * no value counts as omitted, so `get` returns undefined for "".
 */
export class Params {
  private constructor(readonly pairs: ReadonlyArray<readonly [string, string]>) {}

  static parse(encoded: string): Params {
    return new Params([...new URLSearchParams(encoded)]);
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

  /** Names from `names` that were sent more than once (with any values). */
  duplicated(names: readonly string[]): string[] {
    return names.filter((n) => this.all(n).length > 1);
  }

  names(): string[] {
    return [...new Set(this.pairs.map(([k]) => k))];
  }
}

/** The query of the request URL, parsed without express's array coercion. */
export function queryParams(req: Request): Params {
  const at = req.originalUrl.indexOf("?");
  return at === -1 ? Params.empty() : Params.parse(req.originalUrl.slice(at + 1));
}

/** True when the request's media type is `application/x-www-form-urlencoded` (parameters such as charset allowed). */
export function isFormEncoded(req: Request): boolean {
  const type = req.headers["content-type"];
  if (typeof type !== "string") return false;
  return type.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/**
 * The form body of a POST, read by `express.raw` (see app.ts) and decoded here.
 * A non-form media type raises `onWrongType` (the caller's RFC error).
 */
export function formParams(req: Request, onWrongType: () => Error): Params {
  if (!isFormEncoded(req)) throw onWrongType();
  const body: unknown = req.body;
  if (body === undefined || body === null) return Params.empty();
  if (!Buffer.isBuffer(body)) throw new HttpError(400, "The request body could not be read.");
  const text = new TextDecoder("utf-8", { fatal: false }).decode(body);
  return Params.parse(text);
}
