import express, { type Router } from "express";
import { z } from "zod";
import type { MockContext } from "../context.ts";
import { HttpError } from "../errors.ts";
import { methodNotAllowed } from "../http/error-handler.ts";

/** Control operations, shared by the HTTP control API and the in-process handle. */
export interface ControlOperations {
  /** Current mock time, ISO-8601. */
  now(): string;
  advanceClock(seconds: number): string;
  setClock(iso: string): string;
  reset(): void;
}

export function controlOperations(ctx: MockContext): ControlOperations {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    now: () => iso(ctx.clock.now()),
    advanceClock(seconds) {
      const t = ctx.clock.advance(seconds);
      ctx.store.sweep();
      return iso(t);
    },
    setClock(value) {
      const t = ctx.clock.set(Date.parse(value));
      ctx.store.sweep();
      return iso(t);
    },
    reset() {
      ctx.store.reset();
      ctx.journal.clear();
    },
  };
}

const ClockChange = z.union([
  z.object({ advance: z.number().finite().min(-10 * 365 * 86400).max(10 * 365 * 86400) }).strict(),
  z.object({ set: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO-8601 date-time") }).strict(),
]);

function parseJson(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "The body is not valid JSON.");
  }
}

/** `/__mock/*`: clock, reset and the request journal (design.md "Control API"). */
export function controlRouter(ctx: MockContext, ops: ControlOperations): Router {
  const router = express.Router();
  router.get("/clock", (_req, res) => {
    res.json({ now: ops.now() });
  });
  router.post("/clock", (req, res) => {
    const parsed = ClockChange.safeParse(parseJson(req.body));
    if (!parsed.success) throw new HttpError(400, 'Send {"advance": seconds} or {"set": "ISO-8601"}.');
    const now = "advance" in parsed.data ? ops.advanceClock(parsed.data.advance) : ops.setClock(parsed.data.set);
    res.json({ now });
  });
  router.all("/clock", methodNotAllowed("GET, POST"));
  router.post("/reset", (_req, res) => {
    ops.reset();
    res.json({ reset: true, now: ops.now() });
  });
  router.all("/reset", methodNotAllowed("POST"));
  router.get("/requests", (_req, res) => {
    res.json({ requests: ctx.journal.list() });
  });
  router.all("/requests", methodNotAllowed("GET"));
  return router;
}
