import type { Request } from "express";
import type { z } from "zod";
import { HttpError } from "../errors.ts";

/** True when the media type is JSON (`application/json` or `+json`), parameters allowed. */
function isJson(req: Request): boolean {
  const type = req.headers["content-type"];
  if (typeof type !== "string") return false;
  const media = type.split(";")[0]?.trim().toLowerCase() ?? "";
  return media === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}

/** Reads the raw body (see app.ts) as JSON and validates it; 415 for other media types, 400 for bad JSON or fields. */
export function jsonBody<T>(req: Request, schema: z.ZodType<T>): T {
  if (!isJson(req)) throw new HttpError(415, "Send a JSON body with Content-Type: application/json.", {}, "invalid_request");
  const body: unknown = req.body;
  const text = Buffer.isBuffer(body) ? new TextDecoder("utf-8", { fatal: false }).decode(body) : "";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "The request body is not valid JSON.", {}, "invalid_request");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
    throw new HttpError(400, `Invalid request body. ${issues.join("; ")}`, {}, "invalid_request");
  }
  return parsed.data;
}
