import express, { type Router } from "express";
import { z } from "zod";
import type { MockContext } from "../context.ts";
import { HttpError } from "../errors.ts";
import { FAULTS, type FaultDefinition, type FaultName, UnknownFaultError, isFaultName } from "../faults.ts";
import { methodNotAllowed } from "../http/error-handler.ts";
import { type AutoApproveSetting, type AutoApproveState, UnknownAutoApproveUserError, autoApprovalOf } from "../oauth/auto-approve.ts";

/** Control operations, shared by the HTTP control API and the in-process handle. */
export interface ControlOperations {
  /** Current mock time, ISO-8601. */
  now(): string;
  advanceClock(seconds: number): string;
  setClock(iso: string): string;
  /** Back to the fixtures; the active faults are kept. */
  reset(): void;
  /** The active faults and the catalogue (`GET /__mock/faults`). */
  faults(): FaultsView;
  /** Replaces the active faults; unknown names throw UnknownFaultError and change nothing. */
  setFaults(names: readonly string[]): FaultName[];
  enableFaults(names: readonly string[]): FaultName[];
  disableFaults(names: readonly string[]): FaultName[];
  /** Headless approval (`GET /__mock/auto-approve`; mock/oauth/auto-approve.ts). */
  autoApprove(): AutoApproveState;
  /** An email, a setting, or null for off; an unknown email throws UnknownAutoApproveUserError and changes nothing. */
  setAutoApprove(setting: string | AutoApproveSetting | null): AutoApproveState;
}

export interface FaultsView {
  readonly active: FaultName[];
  readonly available: FaultDefinition[];
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
    faults: () => ({ active: ctx.faults.list(), available: FAULTS.map((f) => ({ name: f.name, requirementIds: [...f.requirementIds], description: f.description })) }),
    setFaults: (names) => ctx.faults.set(names),
    enableFaults: (names) => ctx.faults.enable(names),
    disableFaults: (names) => ctx.faults.disable(names),
    autoApprove: () => autoApprovalOf(ctx.store).get(),
    setAutoApprove: (setting) => autoApprovalOf(ctx.store).set(setting),
  };
}

const ClockChange = z.union([
  z.object({ advance: z.number().finite().min(-10 * 365 * 86400).max(10 * 365 * 86400) }).strict(),
  z.object({ set: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO-8601 date-time") }).strict(),
]);

const FaultNames = z.array(z.string().min(1).max(100)).max(100);
const FaultChange = z.union([
  z.object({ set: FaultNames }).strict(),
  z.object({ enable: FaultNames.optional(), disable: FaultNames.optional() })
    .strict()
    .refine((v) => v.enable !== undefined || v.disable !== undefined, "enable or disable"),
]);

const AutoApproveChange = z
  .object({ user: z.string().min(1).max(320).nullable(), decision: z.enum(["approve", "deny"]).optional() })
  .strict()
  .refine((v) => v.user !== null || v.decision === undefined, { message: "decision needs a user", path: ["decision"] });

function parseJson(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "The body is not valid JSON.");
  }
}

/** `/__mock/*`: clock, reset, the request journal and fault injection (design.md "Control API"). */
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
  router.get("/faults", (_req, res) => {
    res.json(ops.faults());
  });
  router.post("/faults", (req, res) => {
    const parsed = FaultChange.safeParse(parseJson(req.body));
    if (!parsed.success) throw new HttpError(400, 'Send {"set": [names]} or {"enable": [names], "disable": [names]}.');
    const change = parsed.data;
    try {
      if ("set" in change) ops.setFaults(change.set);
      else {
        // Validate both lists before changing anything.
        const unknown = [...(change.enable ?? []), ...(change.disable ?? [])].filter((n) => !isFaultName(n));
        if (unknown.length > 0) throw new UnknownFaultError([...new Set(unknown)]);
        ops.enableFaults(change.enable ?? []);
        ops.disableFaults(change.disable ?? []);
      }
    } catch (e) {
      if (e instanceof UnknownFaultError) throw new HttpError(400, e.message, {}, "unknown_fault");
      throw e;
    }
    res.json({ active: ops.faults().active });
  });
  router.all("/faults", methodNotAllowed("GET, POST"));
  router.get("/auto-approve", (_req, res) => {
    res.json(ops.autoApprove());
  });
  router.post("/auto-approve", (req, res) => {
    const parsed = AutoApproveChange.safeParse(parseJson(req.body));
    if (!parsed.success) throw new HttpError(400, 'Send {"user": "EMAIL"}, {"user": "EMAIL", "decision": "deny"} or {"user": null}.');
    try {
      res.json(ops.setAutoApprove(parsed.data));
    } catch (e) {
      if (e instanceof UnknownAutoApproveUserError) throw new HttpError(400, e.message, {}, "unknown_user");
      throw e;
    }
  });
  router.all("/auto-approve", methodNotAllowed("GET, POST"));
  return router;
}
