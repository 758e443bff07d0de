/**
 * The /v1 surface a target serves (target file `api`): which endpoints exist,
 * the scopes each needs, and where a single object sits in a response body.
 */

export const API_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"] as const;
export type ApiMethod = (typeof API_METHODS)[number];

export interface ApiEndpoint {
  readonly method: ApiMethod;
  /** Path with `{id}` placeholders, e.g. "/v1/contacts/{id}". */
  readonly path: string;
  /** Every scope the endpoint needs; empty when any valid user token will do. */
  readonly scopes: readonly string[];
}

/** The mock's full /v1 surface (mock/api/router.ts), the default when a target file has no `api`. */
export const MOCK_API_ENDPOINTS: readonly ApiEndpoint[] = [
  { method: "GET", path: "/v1/me", scopes: [] },
  { method: "GET", path: "/v1/contacts", scopes: ["read:contacts"] },
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

/** The mock's API description: its full surface, single objects at the top level. */
export const MOCK_API = { endpoints: MOCK_API_ENDPOINTS, objectPath: "" } as const;
