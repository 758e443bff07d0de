import type { Request } from "express";
import type { Clock } from "./clock.ts";
import type { FaultSet } from "./faults.ts";
import type { Journal } from "./journal.ts";
import type { Shape } from "./shape.ts";
import type { Store } from "./store.ts";

/** What every router of the mock is built from. */
export interface MockContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly journal: Journal;
  /** Active fault injections (mock/faults.ts); the same set as `store.faults`. */
  readonly faults: FaultSet;
  /** How pages, consent and /v1 are laid out (mock/shape.ts); the default is the mock as it always was. */
  readonly shape: Shape;
  /** The issuer / base URL as clients see it (RFC 8414 §3.3): configured, else derived from the request. */
  baseUrl(req: Request): string;
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export function makeBaseUrl(configured: () => string | null): (req: Request) => string {
  return (req) => {
    const fixed = configured();
    if (fixed) return fixed;
    const host = req.headers.host;
    return `http://${host && HOST.test(host) ? host : "127.0.0.1"}`;
  };
}
