import { test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { bearer, challengeScopes, ensureBearerChallenge, listAll, snapshot, snapshotDiff, type ApiObject } from "../checks/api.ts";
import { clientCredentials, tokens } from "../flows/tokens.ts";
import type { CodeFactory } from "../flows/code-factory.ts";
import type { ProtocolClient, RequestSpec } from "../http/client.ts";
import type { Target } from "../targets/target.ts";

type Resource = "contacts" | "deals";
type Method = "GET" | "POST" | "PATCH" | "DELETE";
interface Endpoint {
  readonly resource: Resource;
  readonly method: Method;
}

/**
 * R(e) from the scope reference: reading needs read:<resource>, every write needs
 * write:<resource>. No scope implies another (AMB-20).
 */
function required(e: Endpoint): string[] {
  return [`${e.method === "GET" ? "read" : "write"}:${e.resource}`];
}

function describeEndpoint(e: Endpoint): string {
  return `${e.method} /v1/${e.resource}${e.method === "PATCH" || e.method === "DELETE" ? "/{id}" : ""}`;
}

let serial = 0;
function uniqueName(): string {
  serial += 1;
  return `Kit Scope ${process.pid}-${serial}`;
}

/** A client-credentials token of CONF for `scope` (RFC 6749 §4.4; DOC-S4/S2S). */
async function ccToken(client: ProtocolClient, target: Target, scope: readonly string[]): Promise<string> {
  const res = await clientCredentials(client, target.apps.conf, scope.join(" "), { label: `token: client credentials ${scope.join(" ")}` });
  ensureStatus(res, 200);
  const body = res.json() as { access_token?: unknown };
  ensure(typeof body.access_token === "string", "client credentials response has no access_token");
  return body.access_token;
}

/** The objects a call can act on, set up with a token holding every registered scope. */
class Fixture {
  constructor(
    private readonly client: ProtocolClient,
    readonly setupToken: string,
    readonly setupScopes: ReadonlySet<string>,
  ) {}

  canRead(r: Resource): boolean {
    return this.setupScopes.has(`read:${r}`);
  }

  async all(r: Resource): Promise<ApiObject[]> {
    return listAll(this.client, `/v1/${r}`, this.setupToken, `api: list ${r} (setup token)`);
  }

  /** An object id to PATCH or DELETE: a fresh contact when the setup token may create one (no deal references it). */
  async targetId(r: Resource): Promise<string | null> {
    if (r === "contacts" && this.setupScopes.has("write:contacts")) {
      const res = await this.client.send({ method: "POST", url: "/v1/contacts", json: { name: uniqueName(), email: `scope-${serial}@example.test` }, headers: bearer(this.setupToken), label: "api: create contact (setup)" });
      ensureStatus(res, [200, 201]);
      const id = (res.json() as { id?: unknown }).id;
      ensure(typeof id === "string", "created contact has no id");
      return id;
    }
    if (!this.canRead(r)) return null;
    const items = await this.all(r);
    return items[0]?.id ?? null;
  }

  async anyContactId(): Promise<string | null> {
    if (!this.canRead("contacts")) return null;
    return (await this.all("contacts"))[0]?.id ?? null;
  }
}

/**
 * Prepares the call of endpoint `e` (creating the object it acts on first, so that setup is not
 * mistaken for a change); write bodies follow the API's documented object fields.
 */
async function prepareCall(fx: Fixture, e: Endpoint): Promise<Omit<RequestSpec, "headers">> {
  const label = `api: ${describeEndpoint(e)}`;
  if (e.method === "GET") return { method: "GET", url: `/v1/${e.resource}`, query: [["limit", "5"]], label };
  if (e.method === "POST") {
    const json = e.resource === "contacts" ? { name: uniqueName(), email: `scope-post-${serial}@example.test` } : { title: uniqueName(), amount: 100, stage: "lead", contact_id: (await fx.anyContactId()) ?? "unknown" };
    return { method: "POST", url: `/v1/${e.resource}`, json, label };
  }
  const id = (await fx.targetId(e.resource)) ?? "obj_unknown";
  const url = `/v1/${e.resource}/${encodeURIComponent(id)}`;
  if (e.method === "PATCH") return { method: "PATCH", url, json: e.resource === "contacts" ? { name: uniqueName() } : { title: uniqueName() }, label };
  return { method: "DELETE", url, label };
}

interface Observation {
  readonly granted: readonly string[];
  readonly endpoint: Endpoint;
  readonly status: number;
  readonly error: string | undefined;
  readonly scope: string[] | undefined;
}

/**
 * The MUST part of API-04 for one call: allowed calls succeed; refused ones carry a Bearer
 * challenge (RFC 6750 §3) and change nothing. Returns the refusal's observable attributes.
 */
async function checkCall(client: ProtocolClient, fx: Fixture, e: Endpoint, token: string, granted: readonly string[]): Promise<Observation | null> {
  const need = required(e);
  const missing = need.filter((s) => !granted.includes(s));
  const spec = await prepareCall(fx, e);
  const before = fx.canRead(e.resource) ? snapshot(await fx.all(e.resource)) : null;
  const res = await client.send({ ...spec, headers: bearer(token) });
  if (missing.length === 0) {
    ensure(res.status >= 200 && res.status < 300, `${describeEndpoint(e)} with scope "${granted.join(" ")}" ⊇ R(e) answered ${res.status}, expected 2xx`);
    return null;
  }
  ensure(res.status >= 400 && res.status < 500, `${describeEndpoint(e)} with scope "${granted.join(" ")}" lacking ${missing.join(" ")} answered ${res.status}, expected a refusal`);
  const c = ensureBearerChallenge(res);
  if (before) {
    const after = snapshot(await fx.all(e.resource));
    const diff = snapshotDiff(before, after);
    ensure(diff === "", `${describeEndpoint(e)} was refused but modified ${e.resource}: ${diff}`);
  }
  return { granted, endpoint: e, status: res.status, error: c.params["error"], scope: challengeScopes(c) };
}

/** Records the SHOULD (403, error) and PACT-PROFILE (scope attribute ⊇ R(e) \ T) clauses over the refusals seen. */
async function judgeRefusals(verdicts: Verdicts, refusals: readonly Observation[], where: string): Promise<void> {
  if (refusals.length === 0) {
    verdicts.skip("API-04", `${where}: no call lacked a scope, so there was no refusal to judge`, "403 insufficient_scope");
    return;
  }
  const show = (o: Observation) => `${describeEndpoint(o.endpoint)} with "${o.granted.join(" ")}"`;
  await verdicts.check("API-04", `${where}: refusals are 403 with error="insufficient_scope" (RFC 6750 §3.1)`, () => {
    const bad = refusals.filter((o) => o.status !== 403 || o.error !== "insufficient_scope");
    ensure(bad.length === 0, `${bad.length}/${refusals.length} refusals differ, e.g. ${bad.slice(0, 3).map((o) => `${show(o)} → ${o.status} error=${o.error ?? "(none)"}`).join("; ")}`);
  }, { clause: "SHOULD" });
  await verdicts.check("API-04", `${where}: the challenge's scope attribute names every missing scope, R(e) \\ T (AMB-20)`, () => {
    const bad = refusals.filter((o) => {
      const missing = required(o.endpoint).filter((s) => !o.granted.includes(s));
      return o.scope === undefined || !missing.every((s) => (o.scope as string[]).includes(s));
    });
    ensure(bad.length === 0, `${bad.length}/${refusals.length} refusals lack it, e.g. ${bad.slice(0, 3).map((o) => `${show(o)} → scope=${o.scope === undefined ? "(absent)" : JSON.stringify(o.scope.join(" "))}`).join("; ")}`);
  }, { clause: "PACT-PROFILE" });
}

async function openFixture(client: ProtocolClient, target: Target, verdicts: Verdicts): Promise<Fixture> {
  const registered = target.apps.conf.scopes.filter((s) => target.scopes.includes(s));
  const fx = new Fixture(client, await ccToken(client, target, registered), new Set(registered));
  for (const r of ["contacts", "deals"] as const)
    if (!fx.canRead(r)) verdicts.skip("API-04", `CONF is not registered for read:${r}, so the kit cannot re-read ${r} to see that a refused call changed nothing`, `nothing modified (${r})`);
  return fx;
}

test.describe("API-04 Insufficient scope gets 403 with a scope attribute", () => {
  test("a read:contacts token cannot write contacts or read deals, and changes nothing", { tag: tags("API-04"), annotation: [...reqs("API-04"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const fx = await openFixture(client, target, verdicts);
    const t = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    const refusals: Observation[] = [];
    const cases: Endpoint[] = [
      { resource: "contacts", method: "POST" },
      { resource: "contacts", method: "PATCH" },
      { resource: "contacts", method: "DELETE" },
      { resource: "deals", method: "GET" },
    ];
    for (const e of cases) {
      await verdicts.check("API-04", `read:contacts token on ${describeEndpoint(e)}: refused with a Bearer challenge, nothing modified (RFC 6750 §3)`, async () => {
        const o = await checkCall(client, fx, e, t.access_token, ["read:contacts"]);
        ensure(o !== null, "the call was allowed");
        refusals.push(o);
      }, { clause: "MUST" });
    }
    await verdicts.check("API-04", "read:contacts token on GET /v1/contacts: 200", async () => {
      ensureStatus(await client.get("/v1/contacts", { headers: bearer(t.access_token), label: "api: allowed read" }), 200);
    }, { clause: "MUST" });
    await judgeRefusals(verdicts, refusals, "SPA token holding read:contacts");
  });

  test("property: R(e) ⊆ T gives 2xx, otherwise 403 naming R(e) \\ T and nothing changes", { tag: tags("API-04"), annotation: [...reqs("API-04"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const fx = await openFixture(client, target, verdicts);
    const registered = [...fx.setupScopes];
    const cache = new Map<string, Promise<string>>();
    const tokenFor = (source: "cc" | "code", granted: readonly string[]): Promise<string> => {
      const key = `${source}|${[...granted].sort().join(" ")}`;
      let p = cache.get(key);
      if (!p) {
        p = source === "cc" ? ccToken(client, target, granted) : tokens(client, codeFactory, { client: target.apps.conf, scope: granted.join(" ") }).then((s) => s.access_token);
        cache.set(key, p);
      }
      return p;
    };
    const endpoint = fc.record({ resource: fc.constantFrom<Resource>("contacts", "deals"), method: fc.constantFrom<Method>("GET", "POST", "PATCH", "DELETE") });
    // Codes cost a consent round-trip each (§0.5): most examples use client-credentials tokens; code tokens are cached per T.
    type Example = { source: "cc" | "code"; granted: string[]; endpoint: Endpoint };
    const arb: fc.Arbitrary<Example> = fc.record({ source: fc.constantFrom<"cc" | "code">("cc", "cc", "cc", "code"), granted: fc.subarray(registered, { minLength: 1 }), endpoint });
    const refusals: Observation[] = [];
    const rc = registered.includes("read:contacts") ? ["read:contacts"] : registered.slice(0, 1);
    await checkProperty(
      verdicts,
      "API-04",
      "for granted T ⊆ registered and e with R(e): R(e) ⊆ T → 2xx; else refused with a Bearer challenge and nothing modified",
      arb,
      async ({ source, granted, endpoint: e }) => {
        const o = await checkCall(client, fx, e, await tokenFor(source, granted), granted);
        if (o) refusals.push(o);
      },
      {
        numRuns: 60,
        clause: "MUST",
        examples: <Example[]>[
          { source: "code", granted: rc, endpoint: { resource: "contacts", method: "POST" } },
          { source: "cc", granted: rc, endpoint: { resource: "deals", method: "GET" } },
          { source: "cc", granted: registered, endpoint: { resource: "deals", method: "POST" } },
          { source: "cc", granted: registered, endpoint: { resource: "contacts", method: "DELETE" } },
        ],
      },
    );
    await judgeRefusals(verdicts, refusals, "property examples");
  });
});
