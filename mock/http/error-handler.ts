import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { BearerError, ErrorRedirect, HttpError, NoRedirectError, TokenEndpointError } from "../errors.ts";
import { PAGE_SECURITY_HEADERS, html, page } from "../views/html.ts";
import { appendQuery } from "./redirect.ts";

/** Route families decide the shape of an error body. */
export type Family = "oauth-json" | "api" | "admin-json" | "page" | "control";

export function familyOf(path: string): Family {
  if (path === "/oauth/token" || path === "/oauth/revoke" || path.startsWith("/.well-known/")) return "oauth-json";
  if (path === "/v1" || path.startsWith("/v1/")) return "api";
  if (path.startsWith("/__mock/")) return "control";
  if (path === "/admin/api" || path.startsWith("/admin/api/")) return "admin-json";
  return "page";
}

/** RFC 6749 §5.2 responses are never cached (TOKEN-02, also on errors under the Pact profile). */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = { "Cache-Control": "no-store", Pragma: "no-cache" };

const BASIC_CHALLENGE = 'Basic realm="pact"';

/** `error_description` must stay within %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2). */
export function safeDescription(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "?");
}

function quoted(value: string): string {
  return `"${safeDescription(value)}"`;
}

export function sendTokenError(res: Response, err: TokenEndpointError): void {
  res.status(err.status).set(NO_STORE_HEADERS).set(err.headers);
  if (err.status === 401) res.set("WWW-Authenticate", BASIC_CHALLENGE);
  res.json({ error: err.error, error_description: safeDescription(err.description) });
}

export function sendBearerError(res: Response, err: BearerError): void {
  const params: string[] = ['realm="pact"'];
  if (err.error) params.push(`error="${err.error}"`, `error_description=${quoted(err.description)}`);
  if (err.scope) params.push(`scope=${quoted(err.scope)}`);
  res.status(err.status).set("WWW-Authenticate", `Bearer ${params.join(", ")}`).set("Cache-Control", "no-store");
  res.json(err.error ? { error: err.error, error_description: safeDescription(err.description) } : { error: "unauthorized", error_description: safeDescription(err.description) });
}

/**
 * An HTML page, written as express's send would (Content-Type, Content-Length,
 * no body for HEAD) but as one string: the authorize flow's profile showed
 * send's type lookup and its copy of every page over 1000 characters into a Buffer.
 */
export function sendPage(res: Response, status: number, title: string, body: ReturnType<typeof html>): void {
  const text = page(title, body);
  res.status(status).set(PAGE_SECURITY_HEADERS);
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(text, "utf8"));
  if (res.req.method === "HEAD") res.end();
  else res.end(text, "utf8");
}

function sendNoRedirect(res: Response, err: NoRedirectError): void {
  sendPage(
    res,
    400,
    err.title,
    html`<h1>${err.title}</h1><p class="error" role="alert">${err.detail}</p><p>The application that sent you here is misconfigured. You can close this page.</p>`,
  );
}

function sendErrorRedirect(res: Response, err: ErrorRedirect): void {
  const params: Array<[string, string]> = [["error", err.error], ["error_description", safeDescription(err.description)]];
  if (err.state !== undefined) params.push(["state", err.state]);
  res.set(PAGE_SECURITY_HEADERS).redirect(err.status, appendQuery(err.redirectUri, params));
}

function sendHttpError(req: Request, res: Response, err: HttpError): void {
  res.set(err.headers);
  const family = familyOf(req.path);
  if (family === "page") {
    sendPage(res, err.status, `Error ${err.status}`, html`<h1>${statusTitle(err.status)}</h1><p class="error" role="alert">${err.detail}</p>`);
    return;
  }
  if (family === "oauth-json") res.set(NO_STORE_HEADERS);
  res.status(err.status).json({ error: err.code ?? defaultCode(err.status, family), error_description: safeDescription(err.detail) });
}

function statusTitle(status: number): string {
  return ({ 400: "Bad request", 403: "Forbidden", 404: "Page not found", 405: "Method not allowed", 413: "Request too large", 415: "Unsupported media type", 429: "Too many requests" } as Record<number, string>)[status] ?? "Error";
}

function defaultCode(status: number, family: Family): string {
  if (family === "oauth-json" && status >= 400 && status < 500 && status !== 404) return "invalid_request";
  return ({ 400: "invalid_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "request_too_large", 415: "unsupported_media_type", 429: "too_many_requests" } as Record<number, string>)[status] ?? "error";
}

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
}

/** Turns express/body-parser failures (too large, undecodable) into the route family's 4xx. */
function fromParserError(err: BodyParserError): HttpError | null {
  const status = err.status ?? err.statusCode;
  if (typeof status !== "number" || status < 400 || status >= 500) return null;
  if (err.type === "entity.too.large") return new HttpError(413, "The request body is too large.");
  if (err.type === "charset.unsupported" || err.type === "encoding.unsupported") return new HttpError(415, "Unsupported body encoding.", {}, "invalid_request");
  return new HttpError(400, "The request body could not be decoded.", {}, "invalid_request");
}

/**
 * The one place that turns errors into responses. A handler throws (or
 * passes to next) and returns; nothing after it writes to the response.
 */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof TokenEndpointError) return sendTokenError(res, err);
  if (err instanceof BearerError) return sendBearerError(res, err);
  if (err instanceof ErrorRedirect) return sendErrorRedirect(res, err);
  if (err instanceof NoRedirectError) return sendNoRedirect(res, err);
  if (err instanceof HttpError) return sendHttpError(req, res, err);
  const parserError = typeof err === "object" && err !== null ? fromParserError(err as BodyParserError) : null;
  if (parserError) {
    if (familyOf(req.path) === "oauth-json" && parserError.status !== 413) return sendTokenError(res, new TokenEndpointError("invalid_request", parserError.detail));
    return sendHttpError(req, res, parserError);
  }
  // A bug, not an input problem: say so without leaking the request.
  console.error(`[pact-mock] internal error on ${req.method} ${req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  res.status(500).json({ error: "server_error", error_description: "internal error in the mock; please report it" });
};

/** 404 in the family's format for anything no route matched. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `No such ${familyOf(req.path) === "page" ? "page" : "endpoint"}: ${req.method} ${req.path}`));
};

/** 405 with Allow for a known path used with the wrong method (RFC 9110 §15.5.6). */
export function methodNotAllowed(allow: string): RequestHandler {
  return (_req, _res, next) => next(new HttpError(405, `Use ${allow}.`, { Allow: allow }));
}
