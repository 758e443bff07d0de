import express, { type Express } from "express";
import { type Clock, createClock } from "./clock.ts";
import { type MockContext, makeBaseUrl } from "./context.ts";
import { adminRouter } from "./admin/router.ts";
import { apiRouter } from "./api/router.ts";
import { type ControlOperations, controlOperations, controlRouter } from "./control/router.ts";
import { type Fixtures, loadFixtures } from "./fixtures.ts";
import { FaultSet } from "./faults.ts";
import { errorHandler, notFoundHandler } from "./http/error-handler.ts";
import { httpDate, serveHotRoutesBelowExpress } from "./http/hot-path.ts";
import { Journal } from "./journal.ts";
import { type AutoApproveSetting, autoApprovalOf } from "./oauth/auto-approve.ts";
import { oauthRouter } from "./oauth/router.ts";
import { AuthThrottle } from "./oauth/throttle.ts";
import { type Shape, type ShapeInput, resolveShape } from "./shape.ts";
import { Store } from "./store.ts";

export interface PactMockOptions {
  /** Seed data; defaults to fixtures/pact.json. */
  fixtures?: Fixtures;
  /** Time source; defaults to the wall clock with a controllable offset. */
  clock?: Clock;
  /** Issuer and base URL as clients see it; defaults to `http://<Host header>`. */
  baseUrl?: string;
  /** Serve the control API under /__mock (default true). */
  control?: boolean;
  /** Largest request body accepted, in bytes (default 64 KiB); larger gets 413. */
  bodyLimit?: number;
  /** Faults active from the start (mock/faults.ts); unknown names throw UnknownFaultError. Kept across reset. */
  faults?: readonly string[];
  /**
   * The server's shape (mock/shape.ts): a preset name ("routed", "remembering") or options.
   * Defaults to the mock as it always was. Invalid options throw (ZodError, UnknownShapeError).
   */
  shape?: ShapeInput | string;
  /**
   * Headless approval (mock/oauth/auto-approve.ts): a fixture user's email, or `{ user, decision: "deny" }`.
   * A valid authorization then answers at once, with no login or consent page. Off by default; kept across
   * reset. An unknown email throws UnknownAutoApproveUserError; refused with `control: false`.
   */
  autoApprove?: string | AutoApproveSetting | null;
}

export interface PactMock {
  readonly app: Express;
  readonly clock: Clock;
  readonly store: Store;
  readonly control: ControlOperations;
  /** The active faults (read with `has`/`list`; change them through `control`). */
  readonly faults: FaultSet;
  /** The resolved shape (mock/shape.ts). */
  readonly shape: Shape;
  /** Fixes the issuer once the listening address is known. */
  setBaseUrl(url: string): void;
  /** Stops the background sweep timer. */
  close(): void;
}

const SWEEP_INTERVAL_MS = 30_000;

/** Builds a fresh, independent in-memory Pact. */
export function createPactMock(options: PactMockOptions = {}): PactMock {
  const shape = resolveShape(options.shape);
  const clock = options.clock ?? createClock();
  const faults = new FaultSet(options.faults);
  const store = new Store(options.fixtures ?? loadFixtures(), clock, faults);
  const journal = new Journal(clock);
  let baseUrl: string | null = options.baseUrl?.replace(/\/+$/, "") ?? null;
  const ctx: MockContext = { store, clock, journal, faults, shape, baseUrl: makeBaseUrl(() => baseUrl) };
  const control = controlOperations(ctx);
  if (options.autoApprove != null) {
    if (options.control === false) throw new Error("autoApprove needs the control API (control: false turns both off)");
    autoApprovalOf(store).set(options.autoApprove);
  }

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", false);
  app.use(journal.middleware());
  // The Date header tells clients the server's time (RFC 9110 §6.6.1): it follows the mock's clock like every lifetime does.
  app.use((_req, res, next) => {
    res.setHeader("Date", httpDate(clock));
    next();
  });
  // One body reader for every route: raw bytes, decoded by each family (form, JSON) with its own errors.
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  app.use(express.raw({ type: () => true, limit: bodyLimit }));
  if (options.control !== false) app.use("/__mock", controlRouter(ctx, control));
  const throttle = new AuthThrottle(store, shape.throttleN);
  app.use(oauthRouter(ctx, throttle));
  app.use(apiRouter(ctx));
  app.use(adminRouter(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler);
  // POST /oauth/token, POST /oauth/revoke and GET /v1/contacts, served below express (why: http/hot-path.ts).
  serveHotRoutesBelowExpress(app, ctx, throttle, bodyLimit);

  const sweeper = setInterval(() => store.sweep(), SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    app,
    clock,
    store,
    control,
    faults,
    shape,
    setBaseUrl(url) {
      baseUrl = url.replace(/\/+$/, "");
    },
    close() {
      clearInterval(sweeper);
    },
  };
}
