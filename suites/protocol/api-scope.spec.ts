import { test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { bearer, canonical, challengeScopes, ensureBearerChallenge, listAll } from "../checks/api.ts";
import { ccToken, createBody, createObject, firstId, knownResource, openEveryScopeApp, patchBody, singleObject } from "../checks/api-objects.ts";
import { CheckError, CheckSkipped } from "../harness/verdicts.ts";
import {
  answersNotOnTarget,
  collectionPath,
  describeEndpoint,
  DOC_LIST_ENDPOINT,
  fillPath,
  findEndpoint,
  grants,
  isItemEndpoint,
  notOnTargetReason,
  resourceName,
  type ApiEndpoint,
  type ApiSurface,
} from "../targets/api-surface.ts";
import { tokens } from "../flows/tokens.ts";
import type { ProtocolClient, RequestSpec } from "../http/client.ts";
import type { AppIdentity } from "../targets/schema.ts";
import type { Target } from "../targets/target.ts";

/**
 * The endpoints come from the target file's /v1 surface (`api.endpoints`, default the mock's),
 * each with R(e), the scopes it needs. The kit calls those it can build a request for: reads,
 * DELETE, and writes of the resources whose fields the doc names (contacts, deals). An endpoint
 * that answers 404 or 405 to a token holding every scope it needs is not on this target: its
 * checks are skipped with that reason, never judged as a missing challenge.
 */

function required(e: ApiEndpoint): readonly string[] {
  return e.scopes;
}

function resourceOf(e: ApiEndpoint): string {
  return resourceName(e.path);
}

/** Whether the kit can build a request for `e`: a body is needed for POST/PUT/PATCH, and only known resources have one. */
function callable(e: ApiEndpoint): boolean {
  if (e.scopes.length === 0) return false; // no scope to lack: API-04 cannot refuse it (CC-05 owns /v1/me)
  if (e.method === "GET") return true;
  if (e.method === "DELETE") return isItemEndpoint(e);
  return knownResource(resourceOf(e)) && (e.method === "POST" ? !isItemEndpoint(e) : isItemEndpoint(e));
}

/** The objects a call can act on, set up with a token holding every scope of the setup app. */
class Fixture {
  /** Endpoints seen answering 404/405 to a token holding R(e): status by endpoint. */
  private readonly absent = new Map<string, number>();
  /** Endpoints seen answering 2xx to a token holding R(e). */
  private readonly present = new Set<string>();

  constructor(
    private readonly client: ProtocolClient,
    readonly api: ApiSurface,
    readonly setupToken: string,
    readonly setupScopes: ReadonlySet<string>,
  ) {}

  holds(e: ApiEndpoint): boolean {
    return grants(e, this.setupScopes);
  }

  private declared(method: ApiEndpoint["method"], path: string): ApiEndpoint | undefined {
    const e = findEndpoint(this.api, method, path);
    return e && this.holds(e) && !this.absent.has(describeEndpoint(e)) ? e : undefined;
  }

  /** The list endpoint of the resource, when declared and the setup token may call it. */
  listOf(r: string): ApiEndpoint | undefined {
    return this.declared("GET", `/v1/${r}`);
  }

  /** The item read of the resource, when declared and the setup token may call it. */
  readOf(r: string): ApiEndpoint | undefined {
    return this.declared("GET", `/v1/${r}/{id}`);
  }

  canRead(r: string): boolean {
    return this.listOf(r) !== undefined || this.readOf(r) !== undefined;
  }

  /** The object as the setup token reads it now (item read, else found in the list), or null when gone. */
  async read(r: string, id: string, label: string): Promise<string | null> {
    if (this.readOf(r)) {
      const res = await this.client.get(fillPath(`/v1/${r}/{id}`, id), { headers: bearer(this.setupToken), label });
      if (res.status === 404 || res.status === 410) return null;
      ensureStatus(res, 200);
      return canonical(singleObject(res, this.api, `GET /v1/${r}/{id}`));
    }
    const found = (await listAll(this.client, `/v1/${r}`, this.setupToken, label)).find((x) => x.id === id);
    return found ? canonical(found) : null;
  }

  /** Ids of the resource's objects whose JSON contains `marker` (a unique name the kit sent). */
  async withMarker(r: string, marker: string, label: string): Promise<string[]> {
    return (await listAll(this.client, `/v1/${r}`, this.setupToken, label)).filter((x) => canonical(x).includes(marker)).map((x) => x.id);
  }

  /**
   * An object id to PATCH, PUT or DELETE: a fresh object of the test's own when the setup token
   * may create one (a fresh contact, which no deal references; a fresh deal of an existing
   * contact); else an existing one.
   */
  async targetId(r: string): Promise<string | null> {
    const create = this.declared("POST", `/v1/${r}`);
    if (create && knownResource(r)) {
      const contactId = r === "deals" ? await this.anyContactId() : "";
      if (contactId !== null) return createObject(this.client, this.api, this.setupToken, r, contactId, `api: create ${r.slice(0, -1)} (setup)`);
    }
    return this.existingId(r);
  }

  /** An existing object's id, for GET /v1/<r>/{id}. */
  async existingId(r: string): Promise<string | null> {
    if (!this.listOf(r)) return null;
    return (await firstId(this.client, this.setupToken, r, `api: first of ${r} (setup token)`)) ?? null;
  }

  async anyContactId(): Promise<string | null> {
    return this.existingId("contacts");
  }

  /** Why `e` is not on this target, or null when it is or the kit could not tell. */
  notOnTarget(e: ApiEndpoint): string | null {
    const status = this.absent.get(describeEndpoint(e));
    return status === undefined ? null : notOnTargetReason(e, status);
  }

  /** Whether `e` answered 2xx to a token holding R(e). */
  known(e: ApiEndpoint): boolean {
    return this.present.has(describeEndpoint(e));
  }

  /**
   * Calls `e` once with the setup token when it holds R(e): 404 or 405 means the endpoint is not on
   * this target (for an item endpoint, with the id of an object the collection just gave).
   */
  async probe(e: ApiEndpoint): Promise<void> {
    if (!this.holds(e) || this.known(e) || this.notOnTarget(e) !== null) return;
    let spec: Omit<RequestSpec, "headers">;
    try {
      spec = await prepareCall(this, e);
    } catch (err) {
      if (err instanceof CheckError) return; // no object to act on: the kit cannot tell
      throw err;
    }
    const res = await this.client.send({ ...spec, label: `api: is ${describeEndpoint(e)} on this target`, headers: bearer(this.setupToken) });
    if (answersNotOnTarget(res.status)) this.absent.set(describeEndpoint(e), res.status);
    else if (res.status >= 200 && res.status < 300) this.present.add(describeEndpoint(e));
  }
}

interface PreparedCall {
  readonly spec: Omit<RequestSpec, "headers">;
  /** The object a PATCH, PUT or DELETE acts on. */
  readonly objectId?: string;
  /** The unique name a POST or PUT sends, to find what it may have created or changed. */
  readonly marker?: string;
}

function markerOf(body: Record<string, unknown>): string {
  const v = body["name"] ?? body["title"];
  return typeof v === "string" ? v : "";
}

/**
 * Prepares the call of endpoint `e` (creating the object it acts on first, so that setup is not
 * mistaken for a change); write bodies follow the API's documented object fields.
 */
async function prepare(fx: Fixture, e: ApiEndpoint): Promise<PreparedCall> {
  const label = `api: ${describeEndpoint(e)}`;
  const r = resourceOf(e);
  if (e.method === "GET" && !isItemEndpoint(e)) return { spec: { method: "GET", url: e.path, query: [["limit", "5"]], label } };
  if (e.method === "POST") {
    if (!knownResource(r)) throw new CheckError(`the kit knows no body for ${describeEndpoint(e)}`);
    const body = createBody(r, (await fx.anyContactId()) ?? "unknown");
    return { spec: { method: "POST", url: e.path, json: body, label }, marker: markerOf(body) };
  }
  const id = e.method === "GET" ? await fx.existingId(r) : await fx.targetId(r);
  if (id === null) throw new CheckError(`no object of ${collectionPath(e.path)} to call ${describeEndpoint(e)} on (the setup token can neither list nor create one)`);
  const url = fillPath(e.path, id);
  if (e.method === "GET") return { spec: { method: "GET", url, label } };
  if (e.method === "DELETE") return { spec: { method: "DELETE", url, label }, objectId: id };
  if (!knownResource(r)) throw new CheckError(`the kit knows no body for ${describeEndpoint(e)}`);
  const body = e.method === "PUT" ? createBody(r, (await fx.anyContactId()) ?? "unknown") : patchBody(r);
  return { spec: { method: e.method, url, json: body, label }, objectId: id, marker: markerOf(body) };
}

async function prepareCall(fx: Fixture, e: ApiEndpoint): Promise<Omit<RequestSpec, "headers">> {
  return (await prepare(fx, e)).spec;
}

interface Observation {
  readonly granted: readonly string[];
  readonly endpoint: ApiEndpoint;
  readonly status: number;
  readonly error: string | undefined;
  readonly scope: string[] | undefined;
}

/**
 * The MUST part of API-04 for one call: allowed calls succeed; refused ones carry a Bearer
 * challenge (RFC 6750 §3) and change nothing. "Nothing" is judged on the call's own object: the
 * object a PATCH, PUT or DELETE aimed at is re-read, and a refused POST's unique name is searched
 * for; never a diff of a whole list, which other tests of the run change on a shared server.
 */
async function checkCall(client: ProtocolClient, fx: Fixture, e: ApiEndpoint, token: string, granted: readonly string[]): Promise<Observation | null> {
  const gone = fx.notOnTarget(e);
  if (gone !== null) throw new CheckSkipped(gone);
  const need = required(e);
  const missing = need.filter((s) => !granted.includes(s));
  const call = await prepare(fx, e);
  const r = resourceOf(e);
  const before = call.objectId !== undefined && fx.canRead(r) ? await fx.read(r, call.objectId, `api: read ${r.slice(0, -1)} before the call`) : null;
  const res = await client.send({ ...call.spec, headers: bearer(token) });
  if (missing.length === 0) {
    if (answersNotOnTarget(res.status) && !fx.known(e)) throw new CheckError(`${notOnTargetReason(e, res.status)}, but the kit could not probe it beforehand`);
    ensure(res.status >= 200 && res.status < 300, `${describeEndpoint(e)} with scope "${granted.join(" ")}" ⊇ R(e) answered ${res.status}, expected 2xx`);
    return null;
  }
  if (answersNotOnTarget(res.status) && res.headerAll("www-authenticate").length === 0 && !fx.known(e))
    throw new CheckError(`${describeEndpoint(e)} answered ${res.status} without a challenge, and the kit holds no token with every scope it needs (${need.join(" ")}) to tell whether it is on this target`);
  ensure(res.status >= 400 && res.status < 500, `${describeEndpoint(e)} with scope "${granted.join(" ")}" lacking ${missing.join(" ")} answered ${res.status}, expected a refusal`);
  const c = ensureBearerChallenge(res);
  if (call.objectId !== undefined && before !== null) {
    const after = await fx.read(r, call.objectId, `api: re-read ${r.slice(0, -1)} after the refused call`);
    ensure(after === before, `${describeEndpoint(e)} was refused but ${after === null ? "deleted" : "changed"} its object ${call.objectId}`);
  }
  if (e.method === "POST" && call.marker && fx.listOf(r)) {
    const made = await fx.withMarker(r, call.marker, `api: search ${r} for the refused POST's name`);
    ensure(made.length === 0, `${describeEndpoint(e)} was refused but created ${made.slice(0, 3).join(", ")} (found by its unique name)`);
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
 * client-credentials token creates and re-reads the objects calls act on, and finds out which
 * declared endpoints are not on this target.
 */
async function openFixture(client: ProtocolClient, target: Target, verdicts: Verdicts, endpoints: readonly ApiEndpoint[], app: AppIdentity = target.apps.conf): Promise<Fixture> {
  const registered = app.scopes.filter((s) => target.scopes.includes(s));
  const fx = new Fixture(client, target.api, await verdicts.precondition(`a client-credentials token of ${app.clientId}`, () => ccToken(client, app, registered), ["API-04"]), new Set(registered));
  // Reads first, so that item endpoints are probed with an id the collection gave.
  const order = [...endpoints].sort((a, b) => Number(a.method !== "GET") - Number(b.method !== "GET") || Number(isItemEndpoint(a)) - Number(isItemEndpoint(b)));
  for (const e of order) await fx.probe(e);
  for (const e of endpoints) {
    const gone = fx.notOnTarget(e);
    if (gone !== null) verdicts.skip("API-04", gone, `calls of ${describeEndpoint(e)}`);
  }
  for (const r of new Set(endpoints.filter((e) => e.method !== "GET" && fx.notOnTarget(e) === null).map(resourceOf)))
    if (!fx.canRead(r)) verdicts.skip("API-04", `${app.clientId} cannot read ${r} back (no declared read it holds the scopes of), so the kit cannot see that a refused call changed nothing`, `nothing modified (${r})`);
  return fx;
}

test.describe("API-04 Insufficient scope gets 403 with a scope attribute", () => {
  test("a read:contacts token cannot write contacts or read deals, and changes nothing", { tag: tags("API-04"), annotation: [...reqs("API-04"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    // Every declared endpoint the read:contacts token lacks a scope for (the catalogue's POST /v1/contacts and /v1/deals).
    const cases = target.api.endpoints.filter((e) => callable(e) && !grants(e, ["read:contacts"]));
    const fx = await openFixture(client, target, verdicts, [...cases, DOC_LIST_ENDPOINT]);
    const t = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    const refusals: Observation[] = [];
    for (const e of cases) {
      if (fx.notOnTarget(e) !== null) continue;
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
      const declared = target.api.endpoints.filter(callable);
      const fx = await openFixture(client, target, verdicts, declared, app);
      const endpoints = declared.filter((e) => fx.notOnTarget(e) === null);
      if (endpoints.length === 0) return verdicts.skip("API-04", "no declared endpoint that needs a scope is on this target", "property over R(e)");
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
      type Example = { source: "cc" | "code"; granted: string[]; endpoint: ApiEndpoint };
      const arb: fc.Arbitrary<Example> = fc.record({ source: fc.constantFrom<"cc" | "code">("cc", "cc", "cc", "code"), granted: fc.subarray(registered, { minLength: 1 }), endpoint: fc.constantFrom(...endpoints) });
      const refusals: Observation[] = [];
      const rc = registered.includes("read:contacts") ? ["read:contacts"] : registered.slice(0, 1);
      // Edge examples: every endpoint with exactly R(e) (2xx), with everything registered, and with rc alone (a refusal where R(e) ⊄ rc).
      const examples: Example[] = [
        ...endpoints.filter((e) => !grants(e, rc)).slice(0, 1).map((endpoint) => ({ source: "code" as const, granted: rc, endpoint })),
        ...endpoints.filter((e) => grants(e, registered)).map((endpoint) => ({ source: "cc" as const, granted: [...endpoint.scopes], endpoint })),
        ...endpoints.map((endpoint) => ({ source: "cc" as const, granted: registered, endpoint })),
        ...endpoints.filter((e) => !grants(e, rc)).map((endpoint) => ({ source: "cc" as const, granted: rc, endpoint })),
      ].filter((x) => x.granted.length > 0);
      await checkProperty(
        verdicts,
        "API-04",
        "for granted T ⊆ registered and e with R(e): R(e) ⊆ T → 2xx; else refused with a Bearer challenge and nothing modified",
        arb,
        async ({ source, granted, endpoint: e }) => {
          const o = await checkCall(client, fx, e, await tokenFor(source, granted), granted);
          if (o) refusals.push(o);
        },
        { numRuns: 60, clause: "MUST", examples },
      );
      await judgeRefusals(verdicts, refusals, "property examples");
    } finally {
      if (typeof every !== "string") await every.close();
    }
  });
});
