import { test } from "node:test";
import assert from "node:assert/strict";
import {
  answersNotOnTarget,
  apiSurface,
  collectionPath,
  DOC_LIST_ENDPOINT,
  endpointsWithin,
  fillPath,
  findEndpoint,
  isItemEndpoint,
  MOCK_API_SURFACE,
  objectAt,
  objectId,
  readEndpointFor,
  resourceName,
} from "../../suites/targets/api-surface.ts";
import { crossClientMissing, crossClientPairs, namedApps, unregisteredMissing, unregisteredScopes } from "../../suites/targets/identities.ts";
import { fixtureTargetFile } from "../../suites/targets/fixture-identities.ts";
import { parseTargetFile } from "../../suites/targets/load.ts";
import { applyMutations, CATALOGUE_MUTATIONS, effectiveMutations, identityMutations, isMutationOf, MUTATIONS } from "../../suites/checks/redirect-mutations.ts";

// ---- the /v1 surface (issue 15, case 7) ----

test("without an api section the surface is the mock's full /v1 router, objects at the top level", () => {
  const s = apiSurface(undefined);
  assert.equal(s.objectPath, "");
  assert.deepEqual(s.endpoints, MOCK_API_SURFACE);
  assert.deepEqual(findEndpoint(s, "POST", "/v1/deals")?.scopes, ["write:deals"]);
  assert.deepEqual(findEndpoint(s, "PATCH", "/v1/contacts/{contact_id}")?.scopes, ["write:contacts"], "parameter names do not matter");
});

test("a declared surface replaces the mock's, and always keeps the doc's GET /v1/contacts", () => {
  const s = apiSurface({ endpoints: [{ method: "GET", path: "/v1/contacts/{id}", scopes: ["read:contacts"] }], objectPath: "data" });
  assert.equal(s.objectPath, "data");
  assert.equal(s.endpoints.length, 2);
  assert.ok(findEndpoint(s, "GET", "/v1/contacts"), "the doc's call is added");
  assert.equal(findEndpoint(s, "PATCH", "/v1/contacts/{id}"), undefined, "an undeclared endpoint is not assumed");
  assert.equal(findEndpoint(s, "POST", "/v1/deals"), undefined);
  const withDoc = apiSurface({ endpoints: [DOC_LIST_ENDPOINT] });
  assert.equal(withDoc.endpoints.length, 1, "not added twice");
});

test("the target file accepts api.endpoints and objectPath, and rejects unknown methods", () => {
  const base = fixtureTargetFile("https://staging.pact.test");
  const file = parseTargetFile({ ...base, api: { endpoints: [{ method: "DELETE", path: "/v1/contacts/{id}", scopes: ["write:contacts"] }], objectPath: "data" } }, "t.json");
  assert.equal(file.api?.objectPath, "data");
  assert.throws(() => parseTargetFile({ ...base, api: { endpoints: [{ method: "TRACE", path: "/v1/contacts", scopes: [] }] } }, "t.json"));
});

test("endpoint selection: item paths, collections, scopes within a grant, the read that shows a scope", () => {
  const s = apiSurface(undefined);
  assert.equal(isItemEndpoint({ path: "/v1/deals/{id}" }), true);
  assert.equal(isItemEndpoint({ path: "/v1/deals" }), false);
  assert.equal(collectionPath("/v1/deals/{id}"), "/v1/deals");
  assert.equal(resourceName("/v1/deals/{id}"), "deals");
  assert.equal(fillPath("/v1/contacts/{id}", "a/b c"), "/v1/contacts/a%2Fb%20c");
  const within = endpointsWithin(s, ["read:contacts"]).map((e) => `${e.method} ${e.path}`);
  assert.deepEqual(within, ["GET /v1/me", "GET /v1/contacts", "GET /v1/contacts/{id}"]);
  assert.equal(readEndpointFor(s, "read:deals")?.path, "/v1/deals");
  assert.equal(readEndpointFor(apiSurface({ endpoints: [DOC_LIST_ENDPOINT] }), "read:deals"), undefined);
  assert.equal(answersNotOnTarget(404), true);
  assert.equal(answersNotOnTarget(405), true);
  assert.equal(answersNotOnTarget(403), false);
  assert.equal(answersNotOnTarget(401), false);
});

test("objectPath: a created object's id at the top level or inside an envelope", () => {
  assert.equal(objectId({ id: "c_1", name: "x" }, ""), "c_1");
  assert.equal(objectId({ data: { id: "c_2" } }, "data"), "c_2");
  assert.equal(objectId({ data: { id: "c_2" } }, ""), undefined, "the envelope itself has no id");
  assert.equal(objectId({ id: "top", data: { id: "inner" } }, "data"), "inner");
  assert.equal(objectId({ result: { item: { id: 7 } } }, "result.item"), "7");
  assert.equal(objectId({ data: [{ id: "x" }] }, "data"), undefined, "a list is not a single object");
  assert.equal(objectId("text", "data"), undefined);
  assert.deepEqual(objectAt({ data: { id: "a" } }, "data"), { id: "a" });
});

// ---- identities from the target file (case 9) ----

const app = (clientId: string, scopes: string[], secret?: string) => ({ clientId, redirectUris: [`https://${clientId}.test/cb`], scopes, ...(secret ? { clientSecret: secret } : {}) });

test("cross-client pairs: SPA and CONF alone are two clients to cross-test, both ways", () => {
  const pairs = crossClientPairs({ conf: app("conf", ["read:contacts"], "s"), spa: app("spa", ["read:contacts"]) });
  assert.deepEqual(pairs.map((p) => `${p.owner.role}→${p.presenter.role}`), ["conf→spa", "spa→conf"]);
  assert.equal(crossClientMissing({ conf: app("conf", ["read:contacts"], "s"), spa: app("spa", ["read:contacts"]) }), null);
});

test("cross-client pairs: every ordered pair of the four named apps; one app named twice counts once", () => {
  assert.equal(crossClientPairs({ conf: app("a", ["x"], "s"), conf2: app("b", ["x"], "s"), spa: app("c", ["x"]), cli: app("d", ["x"]) }).length, 12);
  const same = { conf: app("same", ["x"], "s"), spa: app("same", ["x"]) };
  assert.equal(namedApps(same).length, 1);
  assert.deepEqual(crossClientPairs(same), []);
  assert.match(crossClientMissing(same) ?? "", /needs two/);
});

test("unregistered scope: from the scope reference, never the mock's write:deals by name", () => {
  const reference = ["read:contacts", "write:contacts", "read:deals", "write:deals"];
  assert.deepEqual(unregisteredScopes(reference, { scopes: ["read:contacts", "write:contacts", "read:deals"] }), ["write:deals"]);
  // The file registers write:deals for CONF: the probe becomes what it lacks.
  assert.deepEqual(unregisteredScopes(reference, { scopes: ["read:contacts", "write:contacts", "write:deals"] }), ["read:deals"]);
  assert.equal(unregisteredMissing(reference, { clientId: "c", scopes: reference }) !== null, true, "none left: a reason to skip");
  assert.equal(unregisteredMissing(reference, { clientId: "c", scopes: ["read:contacts"] }), null);
});

// ---- AUTHZ-03 mutations (case 9) ----

test("host case changes nothing on 127.0.0.1 or [::1], so it is no mutation there", () => {
  assert.equal(MUTATIONS.hostCase("http://127.0.0.1:5173/callback", 0), "http://127.0.0.1:5173/callback");
  assert.ok(identityMutations("http://127.0.0.1:5173/callback").includes("hostCase"));
  assert.ok(!effectiveMutations("http://127.0.0.1:5173/callback").includes("hostCase"));
  assert.ok(!effectiveMutations("http://[::1]/callback").includes("hostCase"));
  assert.equal(MUTATIONS.hostCase("https://client.test/cb", 0), "https://CLIENT.TEST/cb");
  assert.equal(MUTATIONS.hostCase("https://user@client.test:8443/cb", 0), "https://user@CLIENT.TEST:8443/cb", "userinfo and port keep their case");
});

test("every effective catalogue mutation changes the string; the others are exactly the identities", () => {
  for (const r of ["http://127.0.0.1:5173/callback", "https://server.example.test/callback", "http://127.0.0.1/callback", "https://c.test:443/cb", "https://c.test/1/2"]) {
    const eff = effectiveMutations(r);
    for (const op of eff) assert.notEqual(applyMutations(r, { ops: [op], k: 0 }), r, `${op} on ${r}`);
    for (const op of identityMutations(r)) assert.equal(applyMutations(r, { ops: [op], k: 0 }), r);
    assert.equal(eff.length + identityMutations(r).length, CATALOGUE_MUTATIONS.length);
  }
  assert.ok(identityMutations("https://c.test/1/2").includes("pathCase"), "a path without letters has no case");
  assert.ok(identityMutations("https://c.test:443/cb").includes("defaultPort"));
});

test("a composition counts only when it differs from every accepted URI", () => {
  const r = "http://127.0.0.1/callback";
  assert.equal(isMutationOf(r, { ops: ["hostCase"], k: 0 }), false);
  assert.equal(isMutationOf(r, { ops: ["hostCase", "trailingSlash"], k: 0 }), true);
  assert.equal(isMutationOf(r, { ops: ["pathSuffix"], k: 0 }, new Set([r, "http://127.0.0.1/callback2"])), false);
});
