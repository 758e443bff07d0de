import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { bearer, canonical, listAll, type ApiObject } from "../checks/api.ts";
import { ccToken, createObject, openEveryScopeApp } from "../checks/api-objects.ts";
import { tokens } from "../flows/tokens.ts";
import type { UserIdentity } from "../targets/schema.ts";
import { findEndpoint, objectAt } from "../targets/api-surface.ts";

interface Side {
  readonly name: string;
  readonly token: string;
  readonly contacts: ApiObject[];
  readonly deals: ApiObject[];
}

test.describe("API-10 Workspaces are isolated", () => {
  test("a token of one workspace can neither see nor change the other's objects, both ways", { tag: tags("API-10"), annotation: [...reqs("API-10"), ...needs("http", "code", "multi")] }, async ({ client, target, verdicts, codeFactory }) => {
    const conf = target.apps.conf;
    const dealsDeclared = findEndpoint(target.api, "GET", "/v1/deals") !== undefined;
    const readDeals = conf.scopes.includes("read:deals") && dealsDeclared;
    const scope = conf.scopes.filter((s) => ["read:contacts", "write:contacts", "read:deals"].includes(s)).join(" ");
    const open = async (name: string, user: UserIdentity): Promise<Side> => {
      const t = await tokens(client, codeFactory, { client: conf, user, scope });
      const contacts = await listAll(client, "/v1/contacts", t.access_token, `api: list contacts as ${name}`);
      const deals = readDeals ? await listAll(client, "/v1/deals", t.access_token, `api: list deals as ${name}`) : [];
      return { name, token: t.access_token, contacts, deals };
    };
    const secondWorkspace = target.users.secondWorkspace;
    if (!secondWorkspace) return verdicts.skip("API-10", "target file names no second-workspace user");
    const a = await open("WS-A member", target.users.member);
    const b = await open("WS-B member", secondWorkspace);
    if (!readDeals) verdicts.skip("API-10", dealsDeclared ? "CONF is not registered for read:deals" : "the target's /v1 surface declares no GET /v1/deals, so deals are not on this target", "deals are isolated");

    for (const [me, other] of [[a, b], [b, a]] as const) {
      for (const kind of ["contacts", "deals"] as const) {
        if (kind === "deals" && !readDeals) continue;
        const mine = new Map(me[kind].map((x) => [x.id, canonical(x)]));
        // Ids may coincide across workspaces; only objects that exist in the other workspace alone are probes.
        const probes = other[kind].filter((x) => !mine.has(x.id));
        if (probes.length === 0) {
          verdicts.skip("API-10", `${other.name} has no ${kind} whose id differs from ${me.name}'s`, `${me.name} → ${other.name} ${kind}`);
          continue;
        }
        await verdicts.check("API-10", `${me.name}'s ${kind} list includes none of ${other.name}'s ${kind}`, () => {
          const leaked = other[kind].filter((x) => mine.get(x.id) === canonical(x));
          ensure(leaked.length === 0, `${leaked.length} of ${other.name}'s ${kind} appear in ${me.name}'s list (e.g. ${leaked[0]?.id ?? ""})`);
        });
        const probe = probes[0] as ApiObject;
        const path = `/v1/${kind}/${encodeURIComponent(probe.id)}`;
        await verdicts.check("API-10", `${me.name} reading ${other.name}'s ${kind.slice(0, -1)} by id gets 404 or 403`, async () => {
          const res = await client.get(path, { headers: bearer(me.token), label: `api: ${me.name} reads ${other.name}'s object` });
          ensureStatus(res, [404, 403]);
        });
        if (kind !== "contacts" || !conf.scopes.includes("write:contacts")) continue;
        if (findEndpoint(target.api, "PATCH", "/v1/contacts/{id}") === undefined || findEndpoint(target.api, "DELETE", "/v1/contacts/{id}") === undefined) {
          verdicts.skip("API-10", "the target's /v1 surface does not declare PATCH and DELETE /v1/contacts/{id}, so they are not on this target", `${me.name} cannot PATCH or DELETE ${other.name}'s contact`);
          continue;
        }
        await verdicts.check("API-10", `${me.name} cannot PATCH or DELETE ${other.name}'s contact, and it stays unchanged`, async () => {
          const patch = await client.send({ method: "PATCH", url: path, json: { name: "Cross Workspace Write" }, headers: bearer(me.token), label: `api: ${me.name} patches ${other.name}'s contact` });
          ensureStatus(patch, [404, 403]);
          const del = await client.send({ method: "DELETE", url: path, headers: bearer(me.token), label: `api: ${me.name} deletes ${other.name}'s contact` });
          ensureStatus(del, [404, 403]);
          const reread = await client.get(path, { headers: bearer(other.token), label: `api: ${other.name} re-reads its contact` });
          ensureStatus(reread, 200);
          ensure(canonical(objectAt(reread.json(), target.api.objectPath)) === canonical(probe), `${other.name}'s contact ${probe.id} changed after the refused writes`);
        });
      }
    }
  });
  /**
   * No fixture app holds write:deals (§0.3), so the deal writes run with a client-credentials token
   * of an app ADM-A registers in WS-A for every scope (CC-05: it acts inside WS-A). A deal's
   * contact_id names another object by id: naming a WS-B contact is a write involving a WS-B
   * object, so wherever the target refuses a contact_id that names no contact at all, it must
   * refuse a WS-B contact's id too, and change nothing.
   */
  test("a WS-A token holding write:deals can neither change WS-B's deals nor attach WS-B's contacts to its own", { tag: tags("API-10"), annotation: [...reqs("API-10"), ...needs("http", "code", "multi")] }, async ({ client, target, verdicts, codeFactory }) => {
    const conf = target.apps.conf;
    const userB = target.users.secondWorkspace;
    if (!userB) return verdicts.skip("API-10", "target file names no second-workspace user");
    if (!conf.scopes.includes("read:deals") || !conf.scopes.includes("read:contacts")) return verdicts.skip("API-10", "CONF is not registered for read:contacts and read:deals, so the kit cannot read WS-B's objects");
    const undeclared = (["GET /v1/deals", "POST /v1/deals", "PATCH /v1/deals/{id}", "DELETE /v1/deals/{id}", "GET /v1/contacts"] as const).filter((d) => {
      const [m, p] = d.split(" ") as ["GET" | "POST" | "PATCH" | "DELETE", string];
      return findEndpoint(target.api, m, p) === undefined;
    });
    if (undeclared.length > 0) return verdicts.skip("API-10", `the target's /v1 surface does not declare ${undeclared.join(", ")}, so they are not on this target`, "writes involving WS-B deals and contacts");
    const need = ["read:contacts", "read:deals", "write:deals"];
    const every = await openEveryScopeApp(client, target);
    if (typeof every === "string") return verdicts.skip("API-10", every, "writes involving WS-B deals and contacts");
    try {
      if (!need.every((s) => every.scopes.includes(s))) return verdicts.skip("API-10", `the scope reference lacks one of ${need.join(" ")}`, "writes involving WS-B deals and contacts");
      const tokA = await ccToken(client, every.app, need);
      const b = await tokens(client, codeFactory, { client: conf, user: userB, scope: "read:contacts read:deals" });
      const ids = async (kind: "contacts" | "deals", token: string, who: string) => new Set((await listAll(client, `/v1/${kind}`, token, `api: list ${kind} as ${who}`)).map((x) => x.id));
      const [aContacts, aDeals] = [await ids("contacts", tokA, "the WS-A app"), await ids("deals", tokA, "the WS-A app")];
      const bDeals = (await listAll(client, "/v1/deals", b.access_token, "api: list deals as WS-B member")).filter((x) => !aDeals.has(x.id));
      const bContact = [...(await ids("contacts", b.access_token, "WS-B member"))].find((id) => !aContacts.has(id));
      const aContact = [...aContacts][0];

      const probe = bDeals[0];
      if (!probe) verdicts.skip("API-10", "WS-B has no deal whose id differs from WS-A's", "WS-A cannot PATCH or DELETE a WS-B deal");
      else {
        const path = `/v1/deals/${encodeURIComponent(probe.id)}`;
        await verdicts.check("API-10", "a WS-A token holding write:deals cannot PATCH or DELETE WS-B's deal (404 or 403), and it stays unchanged", async () => {
          const patch = await client.send({ method: "PATCH", url: path, json: { title: "Cross Workspace Write" }, headers: bearer(tokA), label: "api: WS-A app patches a WS-B deal" });
          ensureStatus(patch, [404, 403]);
          const del = await client.send({ method: "DELETE", url: path, headers: bearer(tokA), label: "api: WS-A app deletes a WS-B deal" });
          ensureStatus(del, [404, 403]);
          const reread = await client.get(path, { headers: bearer(b.access_token), label: "api: WS-B member re-reads its deal" });
          ensureStatus(reread, 200);
          ensure(canonical(objectAt(reread.json(), target.api.objectPath)) === canonical(probe), `WS-B's deal ${probe.id} changed after the refused writes`);
        });
      }

      if (bContact === undefined || aContact === undefined) return verdicts.skip("API-10", "WS-A or WS-B has no contact of its own to reference", "a WS-A deal cannot reference a WS-B contact");
      const own = await createObject(client, target.api, tokA, "deals", aContact, "api: WS-A app creates a deal (setup)");
      const ownPath = `/v1/deals/${encodeURIComponent(own)}`;
      const nowhere = `kit-no-such-contact-${process.pid}-${Date.now().toString(36)}`;
      const deal = (contactId: string) => ({ title: "Kit Cross Reference", amount: 100, stage: "lead", contact_id: contactId });
      const control = await client.send({ method: "POST", url: "/v1/deals", json: deal(nowhere), headers: bearer(tokA), label: "api: WS-A app creates a deal of a contact that does not exist (control)" });
      if (control.status >= 200 && control.status < 300) return verdicts.skip("API-10", `the target accepts a contact_id that names no contact (${control.status}), so contact ids are opaque to it`, "a WS-A deal cannot reference a WS-B contact");
      const mentions = async () => (await listAll(client, "/v1/deals", tokA, "api: list deals as the WS-A app")).filter((x) => canonical(x).includes(JSON.stringify(bContact))).map((x) => x.id);
      const before = await mentions();
      await verdicts.check("API-10", "POST /v1/deals with the contact_id of a WS-B contact is refused (4xx) as one naming no contact is, and no WS-A deal names it", async () => {
        const res = await client.send({ method: "POST", url: "/v1/deals", json: deal(bContact), headers: bearer(tokA), label: "api: WS-A app creates a deal of a WS-B contact" });
        ensure(res.status >= 400 && res.status < 500, `answered ${res.status}, expected a refusal like the control's ${control.status}`);
        const after = (await mentions()).filter((id) => !before.includes(id));
        ensure(after.length === 0, `WS-A deals now name WS-B's contact: ${after.slice(0, 3).join(", ")}`);
      });
      const original = await client.get(ownPath, { headers: bearer(tokA), label: "api: WS-A app reads its deal" });
      ensureStatus(original, 200);
      const patchControl = await client.send({ method: "PATCH", url: ownPath, json: { contact_id: nowhere }, headers: bearer(tokA), label: "api: WS-A app points its deal at a contact that does not exist (control)" });
      if (patchControl.status >= 200 && patchControl.status < 300) return verdicts.skip("API-10", `the target accepts a PATCH to a contact_id that names no contact (${patchControl.status})`, "a WS-A deal cannot be pointed at a WS-B contact");
      await verdicts.check("API-10", "PATCH of a WS-A deal to the contact_id of a WS-B contact is refused (4xx) as one naming no contact is, and the deal stays unchanged", async () => {
        const res = await client.send({ method: "PATCH", url: ownPath, json: { contact_id: bContact }, headers: bearer(tokA), label: "api: WS-A app points its deal at a WS-B contact" });
        ensure(res.status >= 400 && res.status < 500, `answered ${res.status}, expected a refusal like the control's ${patchControl.status}`);
        const reread = await client.get(ownPath, { headers: bearer(tokA), label: "api: WS-A app re-reads its deal" });
        ensureStatus(reread, 200);
        ensure(canonical(objectAt(reread.json(), target.api.objectPath)) === canonical(objectAt(original.json(), target.api.objectPath)), `deal ${own} changed after the refused PATCH`);
      });
    } finally {
      await every.close();
    }
  });
});
