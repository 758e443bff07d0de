import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { request } from "undici";
import type { Capability } from "../registry/types.ts";
import { CAPABILITIES } from "../registry/types.ts";
import { apiSurface, type ApiSurface } from "./api-surface.ts";
import type { AppIdentity, KitParams, Recipe, TargetFile, UserIdentity } from "./schema.ts";

/** Server time control over the control API (`/__mock/clock`). */
export interface TargetClock {
  now(): Promise<Date>;
  advance(seconds: number): Promise<Date>;
  set(at: Date): Promise<Date>;
}

/** A target as tests see it: identities, parameters, capabilities and state control. */
export interface Target {
  readonly kind: "mock" | "url";
  /** "mock" or the base URL, as reports name it. */
  readonly name: string;
  readonly baseUrl: string;
  readonly issuer: string;
  readonly apps: TargetFile["apps"];
  readonly users: TargetFile["users"];
  readonly apiKey: string | undefined;
  readonly scopes: readonly string[];
  readonly params: KitParams;
  readonly recipe: Recipe;
  /** The /v1 surface: the target file's `api`, or the mock's (api-surface.ts). */
  readonly api: ApiSurface;
  readonly capabilities: ReadonlySet<Capability>;
  /** Why a capability is missing, or null when present. */
  missing(capability: Capability): string | null;
  readonly clock: TargetClock | null;
  /** Back to the target's initial state; false when the target cannot be reset. */
  reset(): Promise<boolean>;
  close(): Promise<void>;
}

/** The part of the mock's app factory the kit uses (mock/app.ts). */
export interface PactMockHandle {
  readonly app: { listen(port: number, host: string, cb: () => void): Server };
  readonly control: { reset(): void };
  setBaseUrl?(url: string): void;
  close?(): void;
}
export type PactMockFactory = (options?: Record<string, unknown>) => PactMockHandle;

/** The mock's app factory beside the kit: app.ts in the sources, app.js once built. */
export const DEFAULT_MOCK_MODULE = fileURLToPath(new URL(`../../mock/app.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url));

async function loadMockFactory(modulePath: string): Promise<PactMockFactory> {
  const mod = (await import(pathToFileURL(modulePath).href)) as { createPactMock?: PactMockFactory };
  if (typeof mod.createPactMock !== "function") throw new Error(`${modulePath} does not export createPactMock`);
  return mod.createPactMock;
}

function httpClock(baseUrl: string): TargetClock {
  const call = async (body?: Record<string, unknown>): Promise<Date> => {
    const res = await request(`${baseUrl}/__mock/clock`, {
      method: body ? "POST" : "GET",
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.body.json()) as { now?: string };
    if (res.statusCode !== 200 || typeof json.now !== "string") throw new Error(`/__mock/clock answered ${res.statusCode}`);
    return new Date(json.now);
  };
  return {
    now: () => call(),
    advance: (seconds) => call({ advance: seconds }),
    set: (at) => call({ set: at.toISOString() }),
  };
}

/** True when GET /__mock/clock answers JSON {now}. */
export async function detectControlApi(baseUrl: string): Promise<boolean> {
  try {
    const res = await request(`${baseUrl}/__mock/clock`, { method: "GET", headersTimeout: 5_000, bodyTimeout: 5_000 });
    const text = await res.body.text();
    if (res.statusCode !== 200) return false;
    const json = JSON.parse(text) as { now?: unknown };
    return typeof json.now === "string" && !Number.isNaN(Date.parse(json.now));
  } catch {
    return false;
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "[::1]" || host === "localhost";
}

/** Decides each capability from what the target file names and what was detected. */
export function capabilityReasons(file: TargetFile, controlApi: boolean, kind: "mock" | "url"): Map<Capability, string | null> {
  const reasons = new Map<Capability, string | null>();
  const disabled = new Set(file.capabilities?.disable ?? []);
  for (const cap of CAPABILITIES) {
    let reason: string | null = null;
    switch (cap) {
      case "clock":
        reason = controlApi ? null : "target has no clock control (GET /__mock/clock does not answer {now})";
        break;
      case "multi":
        reason =
          file.apps.conf2 && file.users.restricted && file.users.secondWorkspace
            ? null
            : "target file names no second confidential app, restricted user and second-workspace user";
        break;
      case "timing":
        reason = kind === "mock" || isLoopback(file.baseUrl) ? null : "timing tests need a loopback target (network jitter hides timing leaks)";
        break;
      default:
        reason = null;
    }
    if (disabled.has(cap)) reason = `capability "${cap}" is disabled by the target file`;
    reasons.set(cap, reason);
  }
  return reasons;
}

function buildTarget(
  kind: "mock" | "url",
  name: string,
  file: TargetFile,
  controlApi: boolean,
  reset: () => Promise<boolean>,
  close: () => Promise<void>,
): Target {
  const reasons = capabilityReasons(file, controlApi, kind);
  const capabilities = new Set([...reasons].filter(([, r]) => r === null).map(([c]) => c));
  const baseUrl = file.baseUrl.replace(/\/+$/, "");
  return {
    kind,
    name,
    baseUrl,
    issuer: (file.issuer ?? baseUrl).replace(/\/+$/, ""),
    apps: file.apps,
    users: file.users,
    apiKey: file.apiKey,
    scopes: file.scopes,
    params: file.params,
    recipe: file.recipe,
    api: apiSurface(file.api),
    capabilities,
    missing: (c) => reasons.get(c) ?? null,
    clock: capabilities.has("clock") ? httpClock(baseUrl) : null,
    reset,
    close,
  };
}

/** The mock, in this process, on an ephemeral loopback port. */
export async function startMockTarget(
  makeFile: (baseUrl: string) => TargetFile,
  modulePath: string = DEFAULT_MOCK_MODULE,
): Promise<Target> {
  const createPactMock = await loadMockFactory(modulePath);
  // PACT_MOCK_FAULTS="a,b": faults the in-process mock starts with (mock/faults.ts; `npm run selfcheck`).
  const faults = (process.env.PACT_MOCK_FAULTS ?? "").split(/[\s,]+/).filter((f) => f !== "");
  const mock = createPactMock(faults.length > 0 ? { faults } : undefined);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = mock.app.listen(0, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  mock.setBaseUrl?.(baseUrl);
  return buildTarget(
    "mock",
    "mock",
    makeFile(baseUrl),
    true,
    async () => {
      mock.control.reset();
      return true;
    },
    async () => {
      mock.close?.();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  );
}

/** A running server (a mock elsewhere, or a live deployment). */
export async function connectUrlTarget(file: TargetFile): Promise<Target> {
  const baseUrl = file.baseUrl.replace(/\/+$/, "");
  const controlApi = await detectControlApi(baseUrl);
  return buildTarget(
    "url",
    baseUrl,
    file,
    controlApi,
    async () => {
      if (!controlApi) return false;
      const res = await request(`${baseUrl}/__mock/reset`, { method: "POST" });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300;
    },
    async () => undefined,
  );
}

export type { AppIdentity, UserIdentity, KitParams, Recipe, TargetFile };
