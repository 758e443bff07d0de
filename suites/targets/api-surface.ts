/**
 * The /v1 surface a target serves: which endpoints exist, the scopes each needs, and where a single
 * object sits in a response body. A target file may declare it (`api`); the default is the mock's
 * (mock/api/router.ts). The doc's own call, `GET /v1/contacts?limit=10` with `read:contacts`
 * (DOC-S4), is part of every surface.
 */

export const API_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"] as const;
export type ApiMethod = (typeof API_METHODS)[number];

export interface ApiEndpoint {
  readonly method: ApiMethod;
  /** A path template: `/v1/contacts/{id}`. */
  readonly path: string;
  /** Every scope the endpoint needs (R(e) of API-04); empty for one any valid token may call. */
  readonly scopes: readonly string[];
}

export interface ApiSurface {
  readonly endpoints: readonly ApiEndpoint[];
  /** Where a single object sits in a response body: "" (top level) or a dotted path ("data"). */
  readonly objectPath: string;
}

/** The doc's call (DOC-S4: `GET /v1/contacts?limit=10`), on every target. */
export const DOC_LIST_ENDPOINT: ApiEndpoint = { method: "GET", path: "/v1/contacts", scopes: ["read:contacts"] };

/** The mock's /v1 surface (mock/api/router.ts). */
export const MOCK_API_SURFACE: readonly ApiEndpoint[] = [
  { method: "GET", path: "/v1/me", scopes: [] },
  DOC_LIST_ENDPOINT,
  { method: "POST", path: "/v1/contacts", scopes: ["write:contacts"] },
  { method: "GET", path: "/v1/contacts/{id}", scopes: ["read:contacts"] },
  { method: "PATCH", path: "/v1/contacts/{id}", scopes: ["write:contacts"] },
  { method: "DELETE", path: "/v1/contacts/{id}", scopes: ["write:contacts"] },
  { method: "GET", path: "/v1/deals", scopes: ["read:deals"] },
  { method: "POST", path: "/v1/deals", scopes: ["write:deals"] },
  { method: "GET", path: "/v1/deals/{id}", scopes: ["read:deals"] },
  { method: "PATCH", path: "/v1/deals/{id}", scopes: ["write:deals"] },
  { method: "DELETE", path: "/v1/deals/{id}", scopes: ["write:deals"] },
];

/** The surface of a target file's `api` (absent: the mock's), always holding the doc's call. */
export function apiSurface(api?: { endpoints?: readonly ApiEndpoint[] | undefined; objectPath?: string | undefined }): ApiSurface {
  const declared = api?.endpoints ?? MOCK_API_SURFACE;
  const endpoints = declared.some((e) => sameEndpoint(e, DOC_LIST_ENDPOINT)) ? [...declared] : [DOC_LIST_ENDPOINT, ...declared];
  return { endpoints, objectPath: api?.objectPath ?? "" };
}

function normalPath(path: string): string {
  return path.replace(/\{[^}]*\}/g, "{}").replace(/\/+$/, "");
}

/** Same method and path template (parameter names do not matter). */
export function sameEndpoint(a: Pick<ApiEndpoint, "method" | "path">, b: Pick<ApiEndpoint, "method" | "path">): boolean {
  return a.method === b.method && normalPath(a.path) === normalPath(b.path);
}

/** The declared endpoint with this method and path template, if the surface has it. */
export function findEndpoint(surface: ApiSurface, method: ApiMethod, path: string): ApiEndpoint | undefined {
  return surface.endpoints.find((e) => sameEndpoint(e, { method, path }));
}

export function describeEndpoint(e: Pick<ApiEndpoint, "method" | "path">): string {
  return `${e.method} ${e.path}`;
}

/** Whether the path acts on one object (it has a `{…}` parameter). */
export function isItemEndpoint(e: Pick<ApiEndpoint, "path">): boolean {
  return /\{[^}]*\}/.test(e.path);
}

/** The collection a path belongs to: `/v1/contacts/{id}` → `/v1/contacts`. */
export function collectionPath(path: string): string {
  const at = path.search(/\/\{[^}]*\}/);
  return (at < 0 ? path : path.slice(0, at)).replace(/\/+$/, "");
}

/** The last segment of the collection: `/v1/contacts/{id}` → `contacts`. */
export function resourceName(path: string): string {
  const c = collectionPath(path);
  return c.slice(c.lastIndexOf("/") + 1);
}

/** The path with its parameter(s) replaced by `id` (percent-encoded). */
export function fillPath(path: string, id: string): string {
  return path.replace(/\{[^}]*\}/g, encodeURIComponent(id));
}

/** The value at a dotted `objectPath` of a parsed JSON body ("" is the body itself). */
export function objectAt(body: unknown, objectPath: string): unknown {
  let at = body;
  for (const key of objectPath.split(".").filter((k) => k !== "")) {
    if (at === null || typeof at !== "object" || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The `id` of the single object a body holds at `objectPath`, when it is a non-empty string (or a number). */
export function objectId(body: unknown, objectPath: string): string | undefined {
  const obj = objectAt(body, objectPath);
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return undefined;
  const id = (obj as { id?: unknown }).id;
  if (typeof id === "string" && id !== "") return id;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  return undefined;
}

/**
 * An endpoint that answers 404 or 405 to a token holding every scope it needs (and, for an item
 * endpoint, an id the collection just listed or created) is not on this target.
 */
export function answersNotOnTarget(status: number): boolean {
  return status === 404 || status === 405;
}

export const NOT_ON_TARGET = "not on this target";

/** The reason recorded for an endpoint the target does not serve. */
export function notOnTargetReason(e: Pick<ApiEndpoint, "method" | "path">, status: number): string {
  return `${describeEndpoint(e)} is ${NOT_ON_TARGET}: it answered ${status} to a token holding every scope it needs`;
}

/** Whether `granted` holds every scope `e` needs. */
export function grants(e: Pick<ApiEndpoint, "scopes">, granted: Iterable<string>): boolean {
  const have = new Set(granted);
  return e.scopes.every((s) => have.has(s));
}

/** The endpoints of the surface the kit can call with a token holding `granted`. */
export function endpointsWithin(surface: ApiSurface, granted: Iterable<string>): ApiEndpoint[] {
  const have = [...granted];
  return surface.endpoints.filter((e) => grants(e, have));
}

/**
 * A collection read (GET without a parameter) that needs exactly `scope`: the endpoint that shows
 * whether a token holds it (REFRESH-05, CC-01). Prefers the doc's call for read:contacts.
 */
export function readEndpointFor(surface: ApiSurface, scope: string): ApiEndpoint | undefined {
  const reads = surface.endpoints.filter((e) => e.method === "GET" && !isItemEndpoint(e) && e.scopes.length === 1 && e.scopes[0] === scope);
  return reads.find((e) => sameEndpoint(e, DOC_LIST_ENDPOINT)) ?? reads[0];
}

/** A create (POST without a parameter) that needs exactly `scope`. */
export function createEndpointFor(surface: ApiSurface, scope: string): ApiEndpoint | undefined {
  return surface.endpoints.find((e) => e.method === "POST" && !isItemEndpoint(e) && e.scopes.length === 1 && e.scopes[0] === scope);
}
