import { test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { bearer, challengeScopes, ensureBearerChallenge, listAll, snapshot, snapshotDiff, type ApiObject } from "../checks/api.ts";
import { ccToken, createBody, createObject, firstId, openEveryScopeApp, patchBody, type Resource } from "../checks/api-objects.ts";
import { tokens } from "../flows/tokens.ts";
import type { ProtocolClient, RequestSpec } from "../http/client.ts";
import type { AppIdentity } from "../targets/schema.ts";
import type { Target } from "../targets/target.ts";

type Method = "GET" | "POST" | "PATCH" | "DELETE";
interface Endpoint {
  readonly resource: Resource;
  readonly method: Method;
  /** Whether the endpoint acts on one object, `/v1/<resource>/{id}`. */
  readonly item: boolean;
}

/** Every endpoint of the scope reference: list, create, read, update and delete of each resource. */
const ENDPOINTS: readonly Endpoint[] = (["contacts", "deals"] as const).flatMap((resource) => [
  { resource, method: "GET" as const, item: false },
  { resource, method: "POST" as const, item: false },
  { resource, method: "GET" as const, item: true },
  { resource, method: "PATCH" as const, item: true },
  { resource, method: "DELETE" as const, item: true },
]);

function endpoint(resource: Resource, method: Method, item = method === "PATCH" || method === "DELETE"): Endpoint {
  return { resource, method, item };
}

/**
 * R(e) from the scope reference: reading (a list or one object) needs read:<resource>, every
 * write needs write:<resource>. No scope implies another (AMB-20).
 */
function required(e: Endpoint): string[] {
  return [`${e.method === "GET" ? "read" : "write"}:${e.resource}`];
}

function describeEndpoint(e: Endpoint): string {
  return `${e.method} /v1/${e.resource}${e.item ? "/{id}" : ""}`;
}

/** The objects a call can act on, set up with a token holding every scope of the setup app. */
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

  /**
   * An object id to PATCH or DELETE: a fresh object when the setup token may create one (a fresh
   * contact, which no deal references; a fresh deal of an existing contact).
   */
  async targetId(r: Resource): Promise<string | null> {
    const contactId = r === "deals" ? await this.anyContactId() : "";
    if (this.setupScopes.has(`write:${r}`) && contactId !== null) return createObject(this.client, this.setupToken, r, contactId, `api: create ${r.slice(0, -1)} (setup)`);
    return this.existingId(r);
  }

  /** An existing object's id, for GET /v1/<r>/{id}. */
  async existingId(r: Resource): Promise<string | null> {
    if (!this.canRead(r)) return null;
    return (await firstId(this.client, this.setupToken, r, `api: first of ${r} (setup token)`)) ?? null;
  }

  async anyContactId(): Promise<string | null> {
    return this.existingId("contacts");
  }
}

/**
 * Prepares the call of endpoint `e` (creating the object it acts on first, so that setup is not
 * mistaken for a change); write bodies follow the API's documented object fields.
 */
async function prepareCall(fx: Fixture, e: Endpoint): Promise<Omit<RequestSpec, "headers">> {
  const label = `api: ${describeEndpoint(e)}`;
  if (e.method === "GET" && !e.item) return { method: "GET", url: `/v1/${e.resource}`, query: [["limit", "5"]], label };
  if (e.method === "POST") return { method: "POST", url: `/v1/${e.resource}`, json: createBody(e.resource, (await fx.anyContactId()) ?? "unknown"), label };
  const id = (e.method === "GET" ? await fx.existingId(e.resource) : await fx.targetId(e.resource)) ?? "obj_unknown";
  const url = `/v1/${e.resource}/${encodeURIComponent(id)}`;
  if (e.method === "GET") return { method: "GET", url, label };
  if (e.method === "PATCH") return { method: "PATCH", url, json: patchBody(e.resource), label };
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

/**
 * The setup app: `app` (a kit-registered app holding every scope, when there is one) or CONF. Its
 * client-credentials token creates and re-reads the objects calls act on.
 */
async function openFixture(client: ProtocolClient, target: Target, verdicts: Verdicts, app: AppIdentity = target.apps.conf): Promise<Fixture> {
  const registered = app.scopes.filter((s) => target.scopes.includes(s));
  const fx = new Fixture(client, await ccToken(client, app, registered), new Set(registered));
  for (const r of ["contacts", "deals"] as const)
    if (!fx.canRead(r)) verdicts.skip("API-04", `${app.clientId} is not registered for read:${r}, so the kit cannot re-read ${r} to see that a refused call changed nothing`, `nothing modified (${r})`);
  return fx;
}

test.describe("API-04 Insufficient scope gets 403 with a scope attribute", () => {
  test("a read:contacts token cannot write contacts or read deals, and changes nothing", { tag: tags("API-04"), annotation: [...reqs("API-04"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const fx = await openFixture(client, target, verdicts);
    const t = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    const refusals: Observation[] = [];
    const cases: Endpoint[] = [endpoint("contacts", "POST"), endpoint("contacts", "PATCH"), endpoint("contacts", "DELETE"), endpoint("deals", "GET"), endpoint("deals", "GET", true)];
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

  /**
   * The fixture apps hold no write:deals (§0.3 scope probes), so the property runs with a
   * confidential app that ADM-A registers for every scope of the scope reference, using its
   * client-credentials tokens (API-04 Needs: "or a client-credentials token"); without admin
   * access it falls back to CONF and reports the scopes it cannot grant as skipped.
   */
  test("property: R(e) ⊆ T gives 2xx, otherwise 403 naming R(e) \\ T and nothing changes", { tag: tags("API-04"), annotation: [...reqs("API-04"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const every = await openEveryScopeApp(client, target);
    const app = typeof every === "string" ? target.apps.conf : every.app;
    try {
      const fx = await openFixture(client, target, verdicts, app);
      const registered = [...fx.setupScopes];
      for (const s of target.scopes.filter((x) => !fx.setupScopes.has(x)))
        verdicts.skip("API-04", typeof every === "string" ? every : `the kit app was not registered for ${s}`, `calls granted ${s} (R(e) ⊆ T → 2xx)`);
      const conf = target.apps.conf;
      const cache = new Map<string, Promise<string>>();
      const tokenFor = (source: "cc" | "code", granted: readonly string[]): Promise<string> => {
        // Code tokens come from CONF (a code costs a consent round-trip), so only for T within CONF's registration.
        const viaCode = source === "code" && granted.every((s) => conf.scopes.includes(s));
        const key = `${viaCode ? "code" : "cc"}|${[...granted].sort().join(" ")}`;
        let p = cache.get(key);
        if (!p) {
          p = viaCode ? tokens(client, codeFactory, { client: conf, scope: granted.join(" ") }).then((s) => s.access_token) : ccToken(client, app, granted);
          cache.set(key, p);
        }
        return p;
      };
      // Codes cost a consent round-trip each (§0.5): most examples use client-credentials tokens; code tokens are cached per T.
      type Example = { source: "cc" | "code"; granted: string[]; endpoint: Endpoint };
      const arb: fc.Arbitrary<Example> = fc.record({ source: fc.constantFrom<"cc" | "code">("cc", "cc", "cc", "code"), granted: fc.subarray(registered, { minLength: 1 }), endpoint: fc.constantFrom(...ENDPOINTS) });
      const refusals: Observation[] = [];
      const rc = registered.includes("read:contacts") ? ["read:contacts"] : registered.slice(0, 1);
      const write = (r: Resource) => registered.filter((s) => s === `write:${r}` || s === "read:contacts");
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
            { source: "code", granted: rc, endpoint: endpoint("contacts", "POST") },
            { source: "cc", granted: rc, endpoint: endpoint("deals", "GET") },
            { source: "cc", granted: registered, endpoint: endpoint("deals", "POST") },
            { source: "cc", granted: registered, endpoint: endpoint("contacts", "DELETE") },
            // Every deal endpoint with exactly what it needs (write:deals is held by no fixture app).
            { source: "cc", granted: write("deals"), endpoint: endpoint("deals", "POST") },
            { source: "cc", granted: write("deals"), endpoint: endpoint("deals", "PATCH") },
            { source: "cc", granted: write("deals"), endpoint: endpoint("deals", "DELETE") },
            { source: "cc", granted: registered.filter((s) => s === "read:deals"), endpoint: endpoint("deals", "GET", true) },
            { source: "cc", granted: rc, endpoint: endpoint("contacts", "GET", true) },
            { source: "cc", granted: write("contacts"), endpoint: endpoint("deals", "GET", true) },
          ].filter((x) => x.granted.length > 0),
        },
      );
      await judgeRefusals(verdicts, refusals, "property examples");
    } finally {
      if (typeof every !== "string") await every.close();
    }
  });
});
