import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureTokenError, sameSet } from "../checks/http.ts";
import { bearerHeaders, ensureRefreshWorks, fingerprint, freshGrant, scopeTokens } from "../checks/lifecycle.ts";
import { findChallenge } from "../http/www-authenticate.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import { refresh } from "../flows/tokens.ts";
import { unregisteredMissing, unregisteredScopes } from "../targets/identities.ts";
import { createEndpointFor, describeEndpoint, readEndpointFor, resourceName, type ApiSurface } from "../targets/api-surface.ts";
import { createBody, knownResource } from "../checks/api-objects.ts";

type Probe = { allowed: (c: ProtocolClient, at: string) => Promise<HttpResponse>; denied: (c: ProtocolClient, at: string) => Promise<HttpResponse> };

/**
 * One probe per scope, from the target's /v1 surface: a collection read needing exactly that
 * scope, else a create of a resource whose fields the doc names. `allowed` must not be refused for
 * lack of authorization; `denied` must be 403 insufficient_scope (RFC 6750 §3.1). The write probe
 * sends a valid body when the call must be refused (so only the scope can refuse it) and an empty
 * object when it must be allowed (so nothing is created: any answer but 401/403 shows the scope
 * was accepted). A scope no declared endpoint shows is not probed.
 */
function probeFor(api: ApiSurface, scope: string): Probe | undefined {
  const read = readEndpointFor(api, scope);
  if (read) {
    const get = (c: ProtocolClient, at: string) => c.get(read.path, { query: [["limit", "1"]], headers: bearerHeaders(at), label: `api: ${describeEndpoint(read)}` });
    return { allowed: get, denied: get };
  }
  const create = createEndpointFor(api, scope);
  const r = create ? resourceName(create.path) : "";
  if (!create || !knownResource(r)) return undefined;
  return {
    allowed: (c, at) => c.post(create.path, { headers: bearerHeaders(at), json: {}, label: `api: ${describeEndpoint(create)} (empty body)` }),
    denied: (c, at) => c.post(create.path, { headers: bearerHeaders(at), json: createBody(r, "unknown"), label: `api: ${describeEndpoint(create)}` }),
  };
}

/** The API lets `accessToken` do exactly what `granted` allows, among the probed scopes of `universe`. */
async function ensureApiEnforces(client: ProtocolClient, api: ApiSurface, accessToken: string, granted: readonly string[], universe: readonly string[]): Promise<void> {
  for (const scope of universe) {
    const probe = probeFor(api, scope);
    if (!probe) continue;
    if (granted.includes(scope)) {
      const res = await probe.allowed(client, accessToken);
      ensure(res.status < 500 && res.status !== 401 && res.status !== 403, `a token with scope "${granted.join(" ")}" was refused for ${scope}: ${res.status}`);
    } else {
      const res = await probe.denied(client, accessToken);
      ensure(res.status === 403, `a token with scope "${granted.join(" ")}" got ${res.status} for ${scope}, expected 403 insufficient_scope`);
      const challenge = findChallenge(res.challenges(), "Bearer");
      ensure(challenge?.params.error === "insufficient_scope", `403 for ${scope} without a Bearer error="insufficient_scope" challenge`);
    }
  }
}

test.describe("REFRESH-05 The client may narrow the scope", () => {
  test("grant {read:contacts write:contacts}: narrowing to read:contacts, then back to the grant", { tag: tags("REFRESH-05", "REFRESH-03"), annotation: [...reqs("REFRESH-05", "REFRESH-03"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.spa;
    const S = ["read:contacts", "write:contacts"].filter((s) => app.scopes.includes(s));
    if (S.length < 2) {
      verdicts.skip("REFRESH-05", `the SPA app is not registered for both read:contacts and write:contacts (has ${app.scopes.join(" ")})`);
      verdicts.skip("REFRESH-03", "see REFRESH-05");
      return;
    }
    const grant = await freshGrant(client, codeFactory, app, { scope: S.join(" ") });
    const res = await refresh(client, app, grant.refresh, { scope: "read:contacts", label: "token: refresh narrowing to read:contacts" });
    let narrowedAccess: string | undefined;
    let narrowedRefresh: string | undefined;
    await verdicts.check("REFRESH-05", "refresh with scope=read:contacts gives 200 and a scope of read:contacts (RFC 6749 §6, §5.1)", async () => {
      ensure(res.status === 200, `narrowing refresh answered ${res.status}`);
      const body = res.json() as { access_token?: string; refresh_token?: string; scope?: string };
      narrowedAccess = body.access_token;
      narrowedRefresh = body.refresh_token;
      // RFC 6749 §5.1: scope may be omitted only when identical to the requested scope.
      ensure(body.scope === undefined || sameSet(scopeTokens(body.scope), ["read:contacts"]), `response scope is "${body.scope}"`);
    });
    await verdicts.check("REFRESH-05", "the response names the narrowed scope (TOKEN-01, Pact profile)", () => {
      const body = res.jsonOrUndefined() as { scope?: string } | undefined;
      ensure(typeof body?.scope === "string" && sameSet(scopeTokens(body.scope), ["read:contacts"]), `response scope is ${JSON.stringify(body?.scope)}`);
    }, { clause: "PACT-PROFILE" });
    if (!narrowedAccess || !narrowedRefresh) return;
    const at = narrowedAccess;
    await verdicts.check("REFRESH-05", "the narrowed token reads contacts and gets 403 insufficient_scope on POST /v1/contacts", async () => {
      await ensureApiEnforces(client, target.api, at, ["read:contacts"], S);
    });
    const rt = narrowedRefresh;
    const again = await refresh(client, app, rt, { label: "token: refresh without scope after narrowing" });
    await verdicts.check("REFRESH-05", "the next refresh without scope gives the whole grant again (RFC 6749 §6)", async () => {
      ensure(again.status === 200, `refresh after narrowing answered ${again.status}`);
      const body = again.json() as { access_token: string; scope?: string };
      ensure(body.scope === undefined || sameSet(scopeTokens(body.scope), S), `response scope is "${body.scope}", expected "${S.join(" ")}"`);
      await ensureApiEnforces(client, target.api, body.access_token, S, S);
    });
    await verdicts.check("REFRESH-03", "the refresh token issued on a narrowed refresh keeps the original grant's scope (RFC 6749 §6)", () => {
      ensure(again.status === 200, `refresh with the token from the narrowed refresh answered ${again.status}`);
      const body = again.json() as { scope?: string };
      ensure(body.scope === undefined || sameSet(scopeTokens(body.scope), S), `scope is "${body.scope}"`);
    }, { clause: "public clients" });
  });

  test("property: for every non-empty S′ ⊆ S the response scope is S′ and the API enforces S′", { tag: tags("REFRESH-05"), annotation: [...reqs("REFRESH-05"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.conf;
    const registered = app.scopes.filter((s) => probeFor(target.api, s) !== undefined);
    const grantAndNarrow = fc
      .subarray(registered, { minLength: 1 })
      .chain((S) => fc.record({ S: fc.constant(S), narrowed: fc.shuffledSubarray(S, { minLength: 1 }) }));
    await checkProperty(
      verdicts,
      "REFRESH-05",
      "refresh with scope S′ ⊆ S answers scope S′, and the access token can do exactly S′",
      grantAndNarrow,
      async ({ S, narrowed }) => {
        const grant = await freshGrant(client, codeFactory, app, { scope: S.join(" ") });
        const body = await ensureRefreshWorks(client, app, grant.refresh, `narrow to "${narrowed.join(" ")}"`, { scope: narrowed.join(" ") });
        ensure(body.scope === undefined || sameSet(scopeTokens(body.scope), narrowed), `response scope is "${body.scope}", expected "${narrowed.join(" ")}"`);
        await ensureApiEnforces(client, target.api, body.access_token, narrowed, registered);
      },
      { numRuns: 8, examples: [{ S: ["read:contacts", "write:contacts"], narrowed: ["read:contacts"] }, { S: registered, narrowed: registered }] },
    );
  });
});

test.describe("REFRESH-06 Widening the scope is rejected", () => {
  test("a refresh adding read:deals to a read:contacts grant gets invalid_scope and the token survives", { tag: tags("REFRESH-06"), annotation: [...reqs("REFRESH-06"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.conf;
    const grant = await freshGrant(client, codeFactory, app, { scope: "read:contacts" });
    const widened = app.scopes.includes("read:deals") ? "read:contacts read:deals" : "read:contacts write:deals";
    await verdicts.check("REFRESH-06", `scope="${widened}" on a read:contacts grant gives 400 invalid_scope and no tokens (RFC 6749 §6, §5.2)`, async () => {
      ensureTokenError(await refresh(client, app, grant.refresh, { scope: widened, label: "token: widening refresh" }), ["invalid_scope"]);
    });
    // The catalogue's write:deals stands for a scope of the scope reference that the app is not registered for.
    const unregistered = unregisteredScopes(target.scopes, app)[0];
    if (unregistered === undefined) verdicts.skip("REFRESH-06", unregisteredMissing(target.scopes, app) as string, "a scope the app is not registered for gives invalid_scope");
    else
      await verdicts.check("REFRESH-06", `scope=${unregistered} (in the scope reference, not registered for ${app.clientId}) gives 400 invalid_scope`, async () => {
        ensureTokenError(await refresh(client, app, grant.refresh, { scope: unregistered, label: `token: widening refresh to ${unregistered}` }), ["invalid_scope"]);
      });
    await verdicts.check("REFRESH-06", "after the rejected requests the presented refresh token still works (not rotated, not revoked)", async () => {
      await ensureRefreshWorks(client, app, grant.refresh, "refresh token after rejected widening");
    }, { clause: "PACT-PROFILE" });
  });

  test("property: every S′ ⊄ S gives invalid_scope", { tag: tags("REFRESH-06"), annotation: [...reqs("REFRESH-06"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const app = target.apps.conf;
    const registered = app.scopes;
    const scopeLike = fc.stringMatching(/^[a-z]{1,8}:[a-z]{1,8}$/);
    const arb = fc
      .subarray(registered, { minLength: 1, maxLength: Math.max(1, registered.length - 1) })
      .chain((S) => {
        const outside = [...new Set([...registered.filter((s) => !S.includes(s)), ...target.scopes.filter((s) => !S.includes(s)), "nope:nothing"])];
        return fc.record({
          S: fc.constant(S),
          inside: fc.subarray(S),
          extra: fc.uniqueArray(fc.oneof(fc.constantFrom(...outside), scopeLike.filter((s) => !S.includes(s))), { minLength: 1, maxLength: 3 }),
        });
      });
    await checkProperty(
      verdicts,
      "REFRESH-06",
      "a refresh whose scope has a token outside the grant gives 400 invalid_scope",
      arb,
      async ({ S, inside, extra }) => {
        const grant = await freshGrant(client, codeFactory, app, { scope: S.join(" ") });
        const requested = [...inside, ...extra].join(" ");
        const res = await refresh(client, app, grant.refresh, { scope: requested, label: "token: widening refresh" });
        ensure(res.status !== 200, `refresh of a "${S.join(" ")}" grant with scope "${requested}" succeeded (token ${fingerprint(grant.refresh)})`);
        ensureTokenError(res, ["invalid_scope"]);
      },
      {
        numRuns: 12,
        examples: [
          { S: ["read:contacts"], inside: ["read:contacts"], extra: ["read:deals"] },
          { S: ["read:contacts"], inside: [], extra: ["write:deals"] },
          { S: ["read:contacts"], inside: ["read:contacts"], extra: ["nope:nothing"] },
        ],
      },
    );
  });
});
