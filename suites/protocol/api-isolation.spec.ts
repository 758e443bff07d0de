import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { bearer, canonical, listAll, type ApiObject } from "../checks/api.ts";
import { tokens } from "../flows/tokens.ts";
import type { UserIdentity } from "../targets/schema.ts";

interface Side {
  readonly name: string;
  readonly token: string;
  readonly contacts: ApiObject[];
  readonly deals: ApiObject[];
}

test.describe("API-10 Workspaces are isolated", () => {
  test("a token of one workspace can neither see nor change the other's objects, both ways", { tag: tags("API-10"), annotation: [...reqs("API-10"), ...needs("http", "code", "multi")] }, async ({ client, target, verdicts, codeFactory }) => {
    const conf = target.apps.conf;
    const readDeals = conf.scopes.includes("read:deals");
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
    if (!readDeals) verdicts.skip("API-10", "CONF is not registered for read:deals", "deals are isolated");

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
        await verdicts.check("API-10", `${me.name} cannot PATCH or DELETE ${other.name}'s contact, and it stays unchanged`, async () => {
          const patch = await client.send({ method: "PATCH", url: path, json: { name: "Cross Workspace Write" }, headers: bearer(me.token), label: `api: ${me.name} patches ${other.name}'s contact` });
          ensureStatus(patch, [404, 403]);
          const del = await client.send({ method: "DELETE", url: path, headers: bearer(me.token), label: `api: ${me.name} deletes ${other.name}'s contact` });
          ensureStatus(del, [404, 403]);
          const reread = await client.get(path, { headers: bearer(other.token), label: `api: ${other.name} re-reads its contact` });
          ensureStatus(reread, 200);
          ensure(canonical(reread.json()) === canonical(probe), `${other.name}'s contact ${probe.id} changed after the refused writes`);
        });
      }
    }
  });
});
