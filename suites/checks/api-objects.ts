import { AdminSession } from "../flows/admin.ts";
import { clientCredentials } from "../flows/tokens.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import { objectAt, objectId, type ApiSurface } from "../targets/api-surface.ts";
import type { AppIdentity } from "../targets/schema.ts";
import type { Target } from "../targets/target.ts";
import { bearer, listItems } from "./api.ts";
import { ensure, ensureStatus } from "./http.ts";

/**
 * Setting up /v1 calls for API-04 and API-10: tokens of an app holding every scope of the scope
 * reference, and objects to act on. Write bodies follow the API's object fields (a contact has a
 * name and an email; a deal a title, an amount, a stage and the contact it belongs to).
 */

export type Resource = "contacts" | "deals";

/** Resources whose object fields the kit knows (the doc's contacts and deals). */
export function knownResource(r: string): r is Resource {
  return r === "contacts" || r === "deals";
}

let serial = 0;

/** A name no other run uses: it doubles as the marker that finds the object again on a shared server. */
export function uniqueName(prefix = "Kit"): string {
  serial += 1;
  return `${prefix} ${process.pid}-${Date.now().toString(36)}-${serial}`;
}

function uniqueEmail(tag: string): string {
  serial += 1;
  return `${tag}-${process.pid}-${Date.now().toString(36)}-${serial}@example.test`;
}

/** The body of `POST /v1/<r>`; a deal needs the id of a contact of the same workspace. */
export function createBody(r: Resource, contactId: string): Record<string, unknown> {
  return r === "contacts" ? { name: uniqueName(), email: uniqueEmail("kit") } : { title: uniqueName(), amount: 100, stage: "lead", contact_id: contactId };
}

/** The body of `PATCH /v1/<r>/{id}` changing one field. */
export function patchBody(r: Resource): Record<string, unknown> {
  return r === "contacts" ? { name: uniqueName() } : { title: uniqueName() };
}

/** A client-credentials access token (RFC 6749 §4.4; DOC-S4/S2S). */
export async function ccToken(client: ProtocolClient, app: AppIdentity, scope: readonly string[]): Promise<string> {
  const res = await clientCredentials(client, app, scope.join(" "), { label: `token: client credentials ${scope.join(" ")}` });
  ensureStatus(res, 200);
  const body = res.json() as { access_token?: unknown };
  ensure(typeof body.access_token === "string", "client credentials response has no access_token");
  return body.access_token;
}

/** The single object of a response, found at the target file's `objectPath` ("" or e.g. "data"). */
export function singleObject(res: HttpResponse, api: Pick<ApiSurface, "objectPath">, what: string): Record<string, unknown> {
  const obj = objectAt(res.jsonOrUndefined(), api.objectPath);
  ensure(obj !== null && typeof obj === "object" && !Array.isArray(obj), `${what} holds no JSON object${api.objectPath === "" ? "" : ` at "${api.objectPath}"`} (objectPath of the target file)`);
  return obj as Record<string, unknown>;
}

/** Creates an object with `token` (which must hold write:<r>) from `body` and returns the id of the answer (at `objectPath`). */
export async function createObject(client: ProtocolClient, api: Pick<ApiSurface, "objectPath">, token: string, r: Resource, contactId: string, label: string, body: Record<string, unknown> = createBody(r, contactId)): Promise<string> {
  const res = await client.send({ method: "POST", url: `/v1/${r}`, json: body, headers: bearer(token), label });
  ensureStatus(res, [200, 201]);
  const id = objectId(res.jsonOrUndefined(), api.objectPath);
  ensure(id !== undefined, `the created ${r.slice(0, -1)} has no id${api.objectPath === "" ? "" : ` at "${api.objectPath}"`} (objectPath of the target file)`);
  return id;
}

/** The first object of a collection, or undefined when it is empty. */
export async function firstId(client: ProtocolClient, token: string, r: string, label: string): Promise<string | undefined> {
  const res = await client.get(`/v1/${r}`, { query: [["limit", "1"]], headers: bearer(token), label });
  ensureStatus(res, 200);
  return listItems(res)[0]?.id;
}

/** A confidential app registered by ADM-A in WS-A for every scope of the scope reference. */
export interface EveryScopeApp {
  readonly app: AppIdentity;
  readonly scopes: readonly string[];
  /** Deletes the app again (its tokens die with it, INSTALL-04). */
  close(): Promise<void>;
}

/**
 * Registers the app through the admin console, or returns why it cannot: the target has no admin
 * capability, or the console refused the registration.
 */
export async function openEveryScopeApp(client: ProtocolClient, target: Target): Promise<EveryScopeApp | string> {
  const missing = target.missing("admin");
  if (missing !== null) return `no admin access (${missing}), so the kit cannot register an app holding every scope`;
  const scopes = [...target.scopes];
  try {
    const admin = await AdminSession.open(client, target);
    const app = await admin.registerIdentity("confidential", scopes, `kit-every-scope-${Date.now().toString(36)}-${process.pid}`);
    return {
      app,
      scopes,
      close: async () => {
        await admin.deleteApp(app.clientId);
      },
    };
  } catch (e) {
    return `the admin console did not register an app for ${scopes.join(" ")}: ${e instanceof Error ? e.message : String(e)}`;
  }
}
