import { test, reqs, needs, tags, type Verdicts } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { bearer, canonical, listAll } from "../checks/api.ts";
import { ccToken, createBody, openEveryScopeApp, singleObject, uniqueName, type Resource } from "../checks/api-objects.ts";
import { CheckSkipped } from "../harness/verdicts.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import { answersNotOnTarget, findEndpoint, notOnTargetReason, objectId, type ApiEndpoint, type ApiSurface } from "../targets/api-surface.ts";

/**
 * API-04's "nothing is modified" is observed by re-reading the objects a refused write aimed at.
 * That observation means something only if a permitted write shows up when re-read: on a server
 * that answers 2xx and stores nothing, "nothing modified" would hold for every refusal. So this is
 * the control of API-04: a write the token's scope permits takes effect exactly as sent. Reading
 * of the RFCs: a 2xx means the request was accepted and carried out (RFC 9110 §15.3); a PATCH
 * applies the set of changes its document describes, and nothing else (RFC 5789 §2); a DELETE
 * removes the object (RFC 9110 §9.3.5). Only the object fields the kit writes are compared
 * (a contact's name and email; a deal's title, amount, stage and contact), so fields a server
 * keeps for itself (timestamps, versions) may change freely.
 */

type Fields = Record<string, unknown>;

/** The endpoint as declared, or a CheckSkipped naming it as not on this target when it answered 404/405 with every scope it needs. */
function onTarget(res: HttpResponse, api: ApiSurface, method: ApiEndpoint["method"], path: string): void {
  if (!answersNotOnTarget(res.status)) return;
  const e = findEndpoint(api, method, path) ?? { method, path };
  throw new CheckSkipped(notOnTargetReason(e, res.status));
}

async function readObject(client: ProtocolClient, api: ApiSurface, token: string, r: Resource, id: string, label: string): Promise<Fields> {
  const res = await client.get(`/v1/${r}/${encodeURIComponent(id)}`, { headers: bearer(token), label });
  ensureStatus(res, 200);
  return singleObject(res, api, `GET /v1/${r}/{id}`);
}

async function create(client: ProtocolClient, api: ApiSurface, token: string, r: Resource, body: Fields, label: string): Promise<string> {
  const res = await client.send({ method: "POST", url: `/v1/${r}`, json: body, headers: bearer(token), label });
  onTarget(res, api, "POST", `/v1/${r}`);
  ensure(res.status === 200 || res.status === 201, `POST /v1/${r} with the scope it needs answered ${res.status}, expected 200 or 201`);
  const id = objectId(res.jsonOrUndefined(), api.objectPath);
  ensure(id !== undefined, `the created ${r.slice(0, -1)} has no id${api.objectPath === "" ? "" : ` at "${api.objectPath}"`} (objectPath of the target file)`);
  return id;
}

/** Re-reads the object and compares the fields the kit wrote with what they should now be. */
async function ensureFields(client: ProtocolClient, api: ApiSurface, token: string, r: Resource, id: string, expected: Fields, step: string): Promise<void> {
  const got = await readObject(client, api, token, r, id, `api: re-read ${r.slice(0, -1)} after ${step}`);
  const wrong = Object.entries(expected).filter(([k, v]) => canonical(got[k]) !== canonical(v));
  ensure(wrong.length === 0, `after ${step}, GET /v1/${r}/{id} shows ${wrong.map(([k, v]) => `${k}=${JSON.stringify(got[k])} (expected ${JSON.stringify(v)})`).join(", ")}`);
}

async function patch(client: ProtocolClient, api: ApiSurface, token: string, r: Resource, id: string, body: Fields, step: string): Promise<void> {
  const res = await client.send({ method: "PATCH", url: `/v1/${r}/${encodeURIComponent(id)}`, json: body, headers: bearer(token), label: `api: ${step}` });
  onTarget(res, api, "PATCH", `/v1/${r}/{id}`);
  ensure(res.status >= 200 && res.status < 300, `${step} with the scope it needs answered ${res.status}, expected 2xx`);
}

async function remove(client: ProtocolClient, token: string, r: Resource, id: string, step: string): Promise<number> {
  const res = await client.send({ method: "DELETE", url: `/v1/${r}/${encodeURIComponent(id)}`, headers: bearer(token), label: `api: ${step}` });
  return res.status;
}

/** DELETE answered 2xx, and the object is gone: the item answers 404 (or 410) and the list no longer holds it. */
async function ensureDeleted(client: ProtocolClient, api: ApiSurface, token: string, r: Resource, id: string): Promise<void> {
  const status = await remove(client, token, r, id, `delete the ${r.slice(0, -1)}`);
  if (answersNotOnTarget(status)) throw new CheckSkipped(notOnTargetReason(findEndpoint(api, "DELETE", `/v1/${r}/{id}`) ?? { method: "DELETE", path: `/v1/${r}/{id}` }, status));
  ensure(status >= 200 && status < 300, `DELETE /v1/${r}/{id} with the scope it needs answered ${status}, expected 2xx`);
  const res = await client.get(`/v1/${r}/${encodeURIComponent(id)}`, { headers: bearer(token), label: `api: re-read deleted ${r.slice(0, -1)}` });
  ensure(res.status === 404 || res.status === 410, `after a 2xx DELETE, GET /v1/${r}/{id} answered ${res.status}, expected 404 or 410`);
  if (findEndpoint(api, "GET", `/v1/${r}`) === undefined) return;
  const list = await listAll(client, `/v1/${r}`, token, `api: list ${r} after delete`);
  ensure(!list.some((x) => x.id === id), `after a 2xx DELETE, GET /v1/${r} still lists the object`);
}

async function contactsTakeEffect(client: ProtocolClient, api: ApiSurface, token: string): Promise<void> {
  const created = createBody("contacts", "");
  const id = await create(client, api, token, "contacts", created, "api: create contact");
  await ensureFields(client, api, token, "contacts", id, created, "POST /v1/contacts");
  const name = uniqueName("Renamed");
  await patch(client, api, token, "contacts", id, { name }, "PATCH name only");
  await ensureFields(client, api, token, "contacts", id, { ...created, name }, "PATCH {name}");
  const email = `changed-${process.pid}-${Date.now().toString(36)}@example.test`;
  await patch(client, api, token, "contacts", id, { email }, "PATCH email only");
  await ensureFields(client, api, token, "contacts", id, { ...created, name, email }, "PATCH {email}");
  await ensureDeleted(client, api, token, "contacts", id);
}

/** Another stage than `current`, taken from the deals the workspace already has (the kit does not assume the stage list). */
async function otherStage(client: ProtocolClient, api: ApiSurface, token: string, current: unknown): Promise<string | null> {
  if (findEndpoint(api, "GET", "/v1/deals") === undefined) return null;
  const deals = await listAll(client, "/v1/deals", token, "api: list deals (stages in use)");
  const stages = [...new Set(deals.map((d) => (d as Fields)["stage"]).filter((s): s is string => typeof s === "string" && s !== current))];
  return stages.sort()[0] ?? null;
}

async function dealsTakeEffect(client: ProtocolClient, api: ApiSurface, token: string, verdicts: Verdicts): Promise<void> {
  const first = await create(client, api, token, "contacts", createBody("contacts", ""), "api: create contact (deal's)");
  const second = await create(client, api, token, "contacts", createBody("contacts", ""), "api: create contact (deal's next)");
  let dealId: string | null = null;
  try {
    const created = createBody("deals", first);
    dealId = await create(client, api, token, "deals", created, "api: create deal");
    await ensureFields(client, api, token, "deals", dealId, created, "POST /v1/deals");
    const title = uniqueName("Retitled");
    await patch(client, api, token, "deals", dealId, { title }, "PATCH title only");
    let now: Fields = { ...created, title };
    await ensureFields(client, api, token, "deals", dealId, now, "PATCH {title}");
    const amount = (typeof created["amount"] === "number" ? created["amount"] : 0) + 150;
    const stage = await otherStage(client, api, token, created["stage"]);
    if (stage === null) verdicts.skip("API-04", "no deal of the workspace has a stage other than the one the kit creates, so the kit knows no other valid stage to set", "PATCH {stage} takes effect");
    const change: Fields = stage === null ? { amount } : { amount, stage };
    await patch(client, api, token, "deals", dealId, change, `PATCH ${Object.keys(change).join(" and ")}`);
    now = { ...now, ...change };
    await ensureFields(client, api, token, "deals", dealId, now, `PATCH {${Object.keys(change).join(", ")}}`);
    await patch(client, api, token, "deals", dealId, { contact_id: second }, "PATCH contact_id to another contact of the workspace");
    now = { ...now, contact_id: second };
    await ensureFields(client, api, token, "deals", dealId, now, "PATCH {contact_id}");
    await ensureDeleted(client, api, token, "deals", dealId);
    dealId = null;
  } finally {
    if (dealId !== null) await remove(client, token, "deals", dealId, "clean up the deal");
    await remove(client, token, "contacts", first, "clean up a contact");
    await remove(client, token, "contacts", second, "clean up a contact");
  }
}

test.describe("API-04 Insufficient scope gets 403 with a scope attribute", () => {
  test("control: a permitted write takes effect exactly as sent, so a refused one that changes nothing is observable", { tag: tags("API-04"), annotation: [...reqs("API-04"), ...needs("http", "code")] }, async ({ client, target, verdicts }) => {
    const every = await openEveryScopeApp(client, target);
    const app = typeof every === "string" ? target.apps.conf : every.app;
    try {
      const held = app.scopes.filter((s) => target.scopes.includes(s));
      const token = await ccToken(client, app, held);
      for (const r of ["contacts", "deals"] as const) {
        // POST, item GET, PATCH and DELETE of the resource (and of contacts, for a deal's contact), as the target file declares them.
        const uses = (x: Resource): Array<[ApiEndpoint["method"], string]> => [["POST", `/v1/${x}`], ["GET", `/v1/${x}/{id}`], ["PATCH", `/v1/${x}/{id}`], ["DELETE", `/v1/${x}/{id}`]];
        const wanted = r === "contacts" ? uses("contacts") : [...uses("contacts"), ...uses("deals")];
        const undeclared = wanted.filter(([m, p]) => findEndpoint(target.api, m, p) === undefined).map(([m, p]) => `${m} ${p}`);
        const title0 = `${r}: POST, PATCH one field at a time, DELETE, each re-read`;
        if (undeclared.length > 0) {
          verdicts.skip("API-04", `the target file's /v1 surface does not declare ${undeclared.join(", ")}, so they are not on this target`, title0);
          continue;
        }
        const need = [...new Set(wanted.flatMap(([m, p]) => findEndpoint(target.api, m, p)?.scopes ?? []))];
        const lacking = need.filter((s) => !held.includes(s));
        const title = `${r}: POST, PATCH one field at a time, DELETE, each re-read; changed fields take the sent values, the others keep theirs (RFC 9110 §15.3, RFC 5789 §2, RFC 9110 §9.3.5)`;
        if (lacking.length > 0) {
          verdicts.skip("API-04", `${typeof every === "string" ? `${every}; ` : ""}${app.clientId} lacks ${lacking.join(" ")}`, title);
          continue;
        }
        await verdicts.check("API-04", title, () => (r === "contacts" ? contactsTakeEffect(client, target.api, token) : dealsTakeEffect(client, target.api, token, verdicts)), { clause: "MUST" });
      }
    } finally {
      if (typeof every !== "string") await every.close();
    }
  });
});
