import express, { type Request, type Response, type Router } from "express";
import { z } from "zod";
import type { MockContext } from "../context.ts";
import { HttpError } from "../errors.ts";
import { methodNotAllowed } from "../http/error-handler.ts";
import { type RequestView, queryParams } from "../http/params.ts";
import type { Contact, Deal } from "../store.ts";
import { type Caller, authenticate, requireScope, requireUser } from "./auth.ts";
import { jsonBody } from "./body.ts";
import { corsForPublicClients } from "../oauth/cors.ts";

/**
 * The resource API (DOC-S4; catalogue API-01..10, KEY-01..03).
 *
 *   GET    /v1/me                 the token's user (user-only; CC-05)
 *   GET    /v1/contacts           read:contacts   ?limit=1..100 (default 25) &cursor=<next_cursor>
 *   POST   /v1/contacts           write:contacts  {name, email, company?}
 *   GET    /v1/contacts/:id       read:contacts
 *   PATCH  /v1/contacts/:id       write:contacts  {name?, email?, company?}
 *   DELETE /v1/contacts/:id       write:contacts  (409 while deals reference it)
 *   GET    /v1/deals              read:deals      ?limit &cursor
 *   POST   /v1/deals              write:deals     {title, amount, stage, contact_id}
 *   GET    /v1/deals/:id          read:deals
 *   PATCH  /v1/deals/:id          write:deals     {title?, amount?, stage?, contact_id?}
 *   DELETE /v1/deals/:id          write:deals
 *
 * Objects of another workspace are 404 and never listed (API-10).
 */

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
export const DEAL_STAGES = ["lead", "qualified", "proposal", "won", "lost"] as const;

const NOT_FOUND = (kind: string) => new HttpError(404, `No such ${kind}.`, {}, "not_found");

type Kind = "ct" | "dl";

function encodeCursor(kind: Kind, workspaceId: string, lastId: string): string {
  return Buffer.from(JSON.stringify({ k: kind, w: workspaceId, a: lastId }), "utf8").toString("base64url");
}

const CursorSchema = z.object({ k: z.enum(["ct", "dl"]), w: z.string(), a: z.string() });

function decodeCursor(cursor: string, kind: Kind, workspaceId: string): string {
  const invalid = new HttpError(400, "The cursor is not valid for this list; pass next_cursor from a previous page unchanged.", {}, "invalid_request");
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  const parsed = CursorSchema.safeParse(value);
  if (!parsed.success || parsed.data.k !== kind || parsed.data.w !== workspaceId) throw invalid;
  return parsed.data.a;
}

interface Page<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** `limit` and `cursor` of a list request; duplicates and out-of-range values are invalid_request. */
function listWindow(req: Pick<RequestView, "originalUrl">, kind: Kind, workspaceId: string): { limit: number; after: string | null } {
  const q = queryParams(req);
  const dup = q.duplicated(["limit", "cursor"]);
  if (dup.length) throw new HttpError(400, `Parameter sent more than once: ${dup.join(", ")}.`, {}, "invalid_request");
  const rawLimit = q.get("limit");
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    if (!/^[0-9]{1,3}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT)
      throw new HttpError(400, `limit must be an integer from 1 to ${MAX_LIMIT}.`, {}, "invalid_request");
    limit = Number(rawLimit);
  }
  const cursor = q.get("cursor");
  return { limit, after: cursor === undefined ? null : decodeCursor(cursor, kind, workspaceId) };
}

/** Keyset pagination over ids, stable under inserts and deletes. */
function paginate<T extends { id: string; workspaceId: string }, J>(items: Iterable<T>, kind: Kind, workspaceId: string, window: { limit: number; after: string | null }, view: (x: T) => J): Page<J> {
  const sorted = [...items].filter((x) => x.workspaceId === workspaceId && (window.after === null || x.id > window.after)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = sorted.slice(0, window.limit);
  const hasMore = sorted.length > window.limit;
  const last = page[page.length - 1];
  return { object: "list", data: page.map(view), has_more: hasMore, next_cursor: hasMore && last ? encodeCursor(kind, workspaceId, last.id) : null };
}

function contactView(c: Contact) {
  return { id: c.id, object: "contact" as const, name: c.name, email: c.email, company: c.company };
}

function dealView(d: Deal) {
  return { id: d.id, object: "deal" as const, title: d.title, amount: d.amount, currency: "USD", stage: d.stage, contact_id: d.contactId };
}

const name = z.string().trim().min(1).max(200);
const ContactCreate = z.strictObject({ name, email: z.email().max(254), company: z.string().trim().max(200).optional() });
const ContactUpdate = z.strictObject({ name: name.optional(), email: z.email().max(254).optional(), company: z.string().trim().max(200).optional() }).refine((v) => Object.keys(v).length > 0, "Send at least one field to change.");
const amount = z.number().int().min(0).max(1_000_000_000);
const DealCreate = z.strictObject({ title: name, amount, stage: z.enum(DEAL_STAGES), contact_id: z.string().min(1) });
const DealUpdate = z.strictObject({ title: name.optional(), amount: amount.optional(), stage: z.enum(DEAL_STAGES).optional(), contact_id: z.string().min(1).optional() }).refine((v) => Object.keys(v).length > 0, "Send at least one field to change.");

function idParam(req: Request): string {
  const id = req.params["id"];
  return typeof id === "string" ? id : "";
}

function send(res: Response, status: number, body: unknown): void {
  res.status(status).set("Cache-Control", "no-store").json(body);
}

/**
 * GET /v1/contacts (API-01, API-04): authenticate, check the scope before
 * anything is read, then one page. Served by express (apiRouter) and by the
 * hot path (http/hot-path.ts); send the result with Cache-Control: no-store.
 */
export function contactsPage(ctx: MockContext, req: Pick<RequestView, "headersDistinct" | "originalUrl">): Page<ReturnType<typeof contactView>> {
  const caller = authenticate(ctx, req);
  requireScope(caller, "read:contacts", ctx.faults);
  return paginate(ctx.store.contacts.values(), "ct", caller.workspaceId, listWindow(req, "ct", caller.workspaceId), contactView);
}

/** The routes of the small /v1 surface (mock/shape.ts `api.surface: "small"`); HEAD rides on GET. */
const SMALL_SURFACE: ReadonlyArray<{ methods: readonly string[]; path: RegExp }> = [
  { methods: ["GET", "HEAD", "POST"], path: /^\/v1\/contacts\/?$/ },
  { methods: ["GET", "HEAD"], path: /^\/v1\/contacts\/[^/]+\/?$/ },
  { methods: ["GET", "HEAD"], path: /^\/v1\/deals\/?$/ },
];

/** Whether a /v1 request is part of the small surface; CORS preflights always are (the CORS layer answers them). */
export function inSmallSurface(method: string, path: string): boolean {
  if (method === "OPTIONS") return true;
  return SMALL_SURFACE.some((r) => r.path.test(path) && r.methods.includes(method));
}

export function apiRouter(ctx: MockContext): Router {
  const router = express.Router({ caseSensitive: true, strict: false });
  const { store } = ctx;
  // Browser apps call /v1 directly (DOC-S4 from an SPA): same origins as the token endpoint, no credentials.
  router.use("/v1", corsForPublicClients(store, { methods: ["GET", "POST", "PATCH", "DELETE"], exposeHeaders: ["WWW-Authenticate"] }));
  // Shape api.surface "small": everything else of /v1 is an unknown route (the app's 404).
  if (ctx.shape.api.surface === "small")
    router.use("/v1", (req, _res, next) => {
      if (inSmallSurface(req.method, req.originalUrl.split("?")[0] ?? "")) next();
      else next("router");
    });
  /** A single object: as is, or {"data": object} under shape api.envelope. Lists are never wrapped. */
  const sendOne = (res: Response, status: number, object: unknown): void => send(res, status, ctx.shape.api.envelope ? { data: object } : object);

  /** Authenticates, then checks the scope before anything is read or changed (API-04). */
  const as =
    (scope: string | null, handler: (req: Request, res: Response, caller: Caller) => void) =>
    (req: Request, res: Response): void => {
      const caller = authenticate(ctx, req);
      if (scope !== null) requireScope(caller, scope, ctx.faults);
      handler(req, res, caller);
    };

  /** Whether the caller's workspace owns an object (API-10). */
  const owns = (caller: Caller, object: { workspaceId: string }): boolean =>
    // Fault api-cross-workspace (API-10): any workspace's object is reachable by id.
    object.workspaceId === caller.workspaceId || ctx.faults.has("api-cross-workspace");
  const contactIn = (caller: Caller, id: string): Contact => {
    const c = store.contacts.get(id);
    if (!c || !owns(caller, c)) throw NOT_FOUND("contact");
    return c;
  };
  const dealIn = (caller: Caller, id: string): Deal => {
    const d = store.deals.get(id);
    if (!d || !owns(caller, d)) throw NOT_FOUND("deal");
    return d;
  };
  const contactRefIn = (caller: Caller, id: string): string => {
    const c = store.contacts.get(id);
    if (!c || c.workspaceId !== caller.workspaceId) throw new HttpError(400, "contact_id does not name a contact in this workspace.", {}, "invalid_request");
    return c.id;
  };

  router
    .route("/v1/me")
    .get(
      as(null, (_req, res, caller) => {
        const user = requireUser(caller);
        const ws = store.workspaces.get(user.workspaceId);
        sendOne(res, 200, { id: user.id, object: "user", email: user.email, name: user.name, role: user.role, workspace: { id: user.workspaceId, name: ws?.name ?? user.workspaceId }, permissions: [...user.permissions].sort() });
      }),
    )
    .all(methodNotAllowed("GET, HEAD"));

  router
    .route("/v1/contacts")
    .get((req, res) => send(res, 200, contactsPage(ctx, req)))
    .post(
      as("write:contacts", (req, res, caller) => {
        const input = jsonBody(req, ContactCreate);
        const contact: Contact = { id: store.nextObjectId(caller.workspaceId, "ct"), workspaceId: caller.workspaceId, name: input.name, email: input.email, company: input.company ?? "" };
        store.contacts.set(contact.id, contact);
        res.location(`/v1/contacts/${contact.id}`);
        sendOne(res, 201, contactView(contact));
      }),
    )
    .all(methodNotAllowed("GET, HEAD, POST"));

  router
    .route("/v1/contacts/:id")
    .get(as("read:contacts", (req, res, caller) => sendOne(res, 200, contactView(contactIn(caller, idParam(req))))))
    .patch(
      as("write:contacts", (req, res, caller) => {
        const contact = contactIn(caller, idParam(req));
        const input = jsonBody(req, ContactUpdate);
        if (input.name !== undefined) contact.name = input.name;
        if (input.email !== undefined) contact.email = input.email;
        if (input.company !== undefined) contact.company = input.company;
        sendOne(res, 200, contactView(contact));
      }),
    )
    .delete(
      as("write:contacts", (req, res, caller) => {
        const contact = contactIn(caller, idParam(req));
        for (const d of store.deals.values())
          if (d.contactId === contact.id) throw new HttpError(409, "Deals still reference this contact; delete or reassign them first.", {}, "conflict");
        store.contacts.delete(contact.id);
        res.status(204).set("Cache-Control", "no-store").end();
      }),
    )
    .all(methodNotAllowed("GET, HEAD, PATCH, DELETE"));

  router
    .route("/v1/deals")
    .get(
      as("read:deals", (req, res, caller) => {
        send(res, 200, paginate(store.deals.values(), "dl", caller.workspaceId, listWindow(req, "dl", caller.workspaceId), dealView));
      }),
    )
    .post(
      as("write:deals", (req, res, caller) => {
        const input = jsonBody(req, DealCreate);
        const deal: Deal = { id: store.nextObjectId(caller.workspaceId, "dl"), workspaceId: caller.workspaceId, title: input.title, amount: input.amount, stage: input.stage, contactId: contactRefIn(caller, input.contact_id) };
        store.deals.set(deal.id, deal);
        res.location(`/v1/deals/${deal.id}`);
        sendOne(res, 201, dealView(deal));
      }),
    )
    .all(methodNotAllowed("GET, HEAD, POST"));

  router
    .route("/v1/deals/:id")
    .get(as("read:deals", (req, res, caller) => sendOne(res, 200, dealView(dealIn(caller, idParam(req))))))
    .patch(
      as("write:deals", (req, res, caller) => {
        const deal = dealIn(caller, idParam(req));
        const input = jsonBody(req, DealUpdate);
        const contactId = input.contact_id === undefined ? undefined : contactRefIn(caller, input.contact_id);
        if (input.title !== undefined) deal.title = input.title;
        if (input.amount !== undefined) deal.amount = input.amount;
        if (input.stage !== undefined) deal.stage = input.stage;
        if (contactId !== undefined) deal.contactId = contactId;
        sendOne(res, 200, dealView(deal));
      }),
    )
    .delete(
      as("write:deals", (req, res, caller) => {
        const deal = dealIn(caller, idParam(req));
        store.deals.delete(deal.id);
        res.status(204).set("Cache-Control", "no-store").end();
      }),
    )
    .all(methodNotAllowed("GET, HEAD, PATCH, DELETE"));

  return router;
}
