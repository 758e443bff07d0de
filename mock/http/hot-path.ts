/**
 * The hot routes, served below express.
 *
 * Why: app builders' suites hit the token endpoint and /v1 in tight loops, and
 * a CPU profile of those requests through express showed no single cost but
 * many small ones that the routes do not need: the router walking every layer
 * with a closure per step, the raw-body middleware (type checks, stream
 * plumbing), the journal and Date middleware, and the response helpers
 * setting headers one by one. Here the same endpoint logic (tokenResponse,
 * contactsPage) runs on the bare node:http request and its JSON is written
 * in one go, with the same faults, throttle, journal and Date; only the
 * framework around it is gone. Revocation runs its own express handler,
 * minus the router and middleware. Running the token and /v1 handlers that way
 * too measured over twice the server CPU per request: express's response
 * helpers and the prototype swap are most of what is left to save.
 *
 * What stays with express: everything else, and any hot-route request out of
 * the ordinary (a query string on a POST, an Origin header for CORS, a content
 * encoding, chunked or over-limit bodies, HEAD, a trailing slash), so those
 * edge cases keep their one implementation. Errors are handed to the one
 * error handler (http/error-handler.ts) after the request and response are
 * given express's prototypes, exactly as express would have.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Express, Request, Response } from "express";
import { contactsPage } from "../api/router.ts";
import type { Clock } from "../clock.ts";
import type { MockContext } from "../context.ts";
import type { JournalSource } from "../journal.ts";
import type { AuthThrottle } from "../oauth/throttle.ts";
import { revokeEndpoint } from "../oauth/revoke.ts";
import { tokenResponse, tokenSuccessHeaders } from "../oauth/token-endpoint.ts";
import { errorHandler } from "./error-handler.ts";
import type { RequestView } from "./params.ts";

let dateSecond = Number.NaN;
let dateText = "";

/** The Date header for a mock time (RFC 9110 §6.6.1), formatted once per second. */
export function httpDate(clock: Clock): string {
  const now = clock.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

const Route = { Token: 0, Revoke: 1, Contacts: 2 } as const;
type Route = (typeof Route)[keyof typeof Route];

/** The request as the endpoint logic and the journal read it. */
class HotRequest implements RequestView, JournalSource {
  readonly chunks: Buffer[] = [];
  body: Buffer | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly route: Route,
    readonly originalUrl: string,
    readonly path: string,
  ) {}

  get method(): string {
    return this.req.method ?? "GET";
  }
  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }
  get headersDistinct(): Record<string, string[] | undefined> {
    return this.req.headersDistinct;
  }
  get socket(): { readonly remoteAddress?: string | undefined } {
    return this.req.socket;
  }
}

const HOT = Symbol("pact.hotRequest");
type Carrying = IncomingMessage & { [HOT]?: HotRequest };

/** Which hot route a request is, or null when express should serve it. Headers only: nothing is read yet. */
function routeOf(req: IncomingMessage, bodyLimit: number): HotRequest | null {
  const { method, url, headers } = req;
  if (url === undefined || headers.origin !== undefined) return null;
  if (method === "POST") {
    const route = url === "/oauth/token" ? Route.Token : url === "/oauth/revoke" ? Route.Revoke : null;
    if (route === null || headers["content-encoding"] !== undefined || headers["transfer-encoding"] !== undefined) return null;
    const length = headers["content-length"];
    if (length === undefined || !/^\d{1,9}$/.test(length) || Number(length) > bodyLimit) return null;
    return new HotRequest(req, route, url, url);
  }
  if (method === "GET" && (url === "/v1/contacts" || url.startsWith("/v1/contacts?"))) {
    if (headers["content-length"] !== undefined || headers["transfer-encoding"] !== undefined) return null;
    return new HotRequest(req, Route.Contacts, url, "/v1/contacts");
  }
  return null;
}

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Takes over `app.handle`, the entry express itself is called through
 * (`app.listen`, `http.createServer(app)`), so every way the mock is served
 * gets the hot path. Call after the express routes are mounted.
 */
export function serveHotRoutesBelowExpress(app: Express, ctx: MockContext, throttle: AuthThrottle, bodyLimit: number): void {
  type Handle = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;
  const viaExpress = (app as unknown as { handle: Handle }).handle.bind(app);
  const { clock, journal } = ctx;

  function onData(this: Carrying, chunk: Buffer): void {
    this[HOT]?.chunks.push(chunk);
  }
  function onEnd(this: Carrying): void {
    const hot = this[HOT];
    if (!hot) return;
    hot.body = hot.chunks.length === 1 ? Buffer.from(hot.chunks[0] as Buffer) : Buffer.concat(hot.chunks);
    hot.chunks.length = 0;
    answer(hot, (this as IncomingMessage & { res?: ServerResponse }).res as ServerResponse);
  }

  const expressApp = app as unknown as { request: object; response: object };
  const revoke = revokeEndpoint(ctx, throttle);

  /**
   * Gives the bare request and response express's prototypes and links, as
   * express's own app.handle does, with what the skipped middleware would have
   * set (Date, and the Vary of the CORS layer, which adds nothing else without
   * an Origin).
   */
  function asExpress(hot: HotRequest, res: ServerResponse): { req: Request; res: Response } {
    const req = hot.req as IncomingMessage & Record<string, unknown>;
    req["originalUrl"] = hot.originalUrl;
    req["body"] = hot.body;
    Object.setPrototypeOf(req, expressApp.request);
    Object.setPrototypeOf(res, expressApp.response);
    // node:http already links res.req; express also reads req.res.
    req["res"] = res;
    (res as ServerResponse & Record<string, unknown>)["locals"] ??= Object.create(null);
    if (!res.headersSent) {
      res.setHeader("Date", httpDate(clock));
      res.setHeader("Vary", "Origin");
    }
    return { req: req as unknown as Request, res: res as unknown as Response };
  }

  /** An error from the endpoint logic, answered by the one error handler as express would have. */
  function answerError(hot: HotRequest, res: ServerResponse, err: unknown): void {
    const wrapped = asExpress(hot, res);
    errorHandler(err, wrapped.req, wrapped.res, () => {});
  }

  function sendJson(res: ServerResponse, headers: Readonly<Record<string, string>>, json: string): void {
    res.writeHead(200, { Date: httpDate(clock), Vary: "Origin", ...headers, "Content-Type": JSON_TYPE, "Content-Length": String(Buffer.byteLength(json)) });
    res.end(json);
  }

  function answer(hot: HotRequest, res: ServerResponse): void {
    try {
      switch (hot.route) {
        case Route.Token:
          sendJson(res, tokenSuccessHeaders(ctx.faults), JSON.stringify(tokenResponse(ctx, throttle, hot)));
          break;
        case Route.Revoke: {
          // Revocation keeps its express handler whole (its response is part of what the
          // deviation cases bend); it still skips the router, body parser and middleware.
          const wrapped = asExpress(hot, res);
          revoke(wrapped.req, wrapped.res, (err?: unknown) => {
            if (err !== undefined) errorHandler(err, wrapped.req, wrapped.res, () => {});
          });
          break;
        }
        case Route.Contacts:
          sendJson(res, NO_STORE, JSON.stringify(contactsPage(ctx, hot)));
          break;
      }
    } catch (err) {
      answerError(hot, res, err);
    }
    journal.record(hot, res.statusCode);
  }

  (app as unknown as { handle: Handle }).handle = (req, res, next) => {
    const hot = routeOf(req, bodyLimit);
    if (hot === null) {
      viaExpress(req, res, next);
      return;
    }
    if (hot.route === Route.Contacts) {
      // No body to wait for; drain whatever the socket may still deliver.
      req.resume();
      answer(hot, res);
      return;
    }
    const carrying = req as Carrying & { res?: ServerResponse };
    carrying[HOT] = hot;
    carrying.res = res;
    req.on("data", onData);
    req.on("end", onEnd);
  };
}

const NO_STORE: Readonly<Record<string, string>> = { "Cache-Control": "no-store" };
