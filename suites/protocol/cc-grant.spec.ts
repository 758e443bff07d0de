import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureNot5xx, ensureTokenError, sameSet } from "../checks/http.ts";
import { ensureNoTokens, ensureWellFormedTokenError } from "../checks/token.ts";
import { ensureApiAccepts, ensureInvalidClient, ensureNoStore, ensureTokenSuccess, errorCode, scopeTokens } from "../checks/lifecycle.ts";
import { clientCredentials, withClientAuth, type ClientAuth } from "../flows/tokens.ts";
import type { HttpResponse } from "../http/response.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { AppIdentity } from "../targets/schema.ts";
import { unregisteredMissing, unregisteredScopes } from "../targets/identities.ts";
import { describeEndpoint, readEndpointFor, type ApiSurface } from "../targets/api-surface.ts";

/** A scope no scope reference has (§0.3 scope probes: `nope:nothing`). */
const UNKNOWN_SCOPE = "nope:nothing";

/** A client_credentials request with explicit authentication pairs (for invented or missing secrets). */
function ccRaw(client: ProtocolClient, form: Array<[string, string]>, headers: Array<[string, string]>, label: string): Promise<HttpResponse> {
  return client.postForm("/oauth/token", [["grant_type", "client_credentials"], ...form], { headers, label });
}

/**
 * The scope of the client-credentials probe: read:deals as in DOC-S4/S2S, else a registered scope
 * the target's /v1 surface has a read for, else the first registered scope.
 */
function probeScope(app: AppIdentity, api: ApiSurface): string {
  const readable = app.scopes.filter((s) => readEndpointFor(api, s) !== undefined);
  return readable.includes("read:deals") ? "read:deals" : (readable[0] ?? (app.scopes[0] as string));
}

test.describe("CC-01 Confidential clients can use client credentials", () => {
  for (const auth of ["body", "basic"] as const satisfies readonly ClientAuth[]) {
    test(`CONF with ${auth === "body" ? "client_secret in the body (DOC-S4/S2S)" : "HTTP Basic"} gets a Bearer token for the requested scope`, { tag: tags("CC-01", "CC-02"), annotation: [...reqs("CC-01", "CC-02"), ...needs("http")] }, async ({ client, target, verdicts }) => {
      const app = target.apps.conf;
      const scope = probeScope(app, target.api);
      const res = await clientCredentials(client, app, scope, { auth, label: `token: client credentials (${auth})` });
      const ok = await verdicts.check("CC-01", "answers 200 application/json with an access token (RFC 6749 §4.4.3, §5.1)", () => {
        ensureTokenSuccess(res);
      });
      if (ok !== "passed") return;
      const body = ensureTokenSuccess(res);
      await verdicts.check("CC-01", "token_type is Bearer (RFC 6749 §5.1, case-insensitive)", () => {
        ensure(body.token_type.toLowerCase() === "bearer", `token_type is "${body.token_type}"`);
      });
      // RFC 6749 §5.1: scope may be omitted only when identical to the requested scope.
      await verdicts.check("CC-01", `scope, when present, equals the requested "${scope}" (RFC 6749 §3.3, §5.1)`, () => {
        ensure(body.scope === undefined || sameSet(scopeTokens(body.scope), [scope]), `scope is ${JSON.stringify(body.scope)}`);
      });
      await verdicts.check("CC-01", `scope is present and equals "${scope}" (TOKEN-01, Pact profile)`, () => {
        ensure(typeof body.scope === "string" && sameSet(scopeTokens(body.scope), [scope]), `scope is ${JSON.stringify(body.scope)}`);
      }, { clause: "PACT-PROFILE" });
      await verdicts.check("CC-01", "Cache-Control: no-store (RFC 6749 §5.1)", () => {
        ensureNoStore(res, false);
      });
      await verdicts.check("CC-01", "expires_in is the integer 3600 (Pact profile)", () => {
        ensure(body.expires_in === 3600, `expires_in is ${JSON.stringify(body.expires_in)}`);
      }, { clause: "expires_in 3600" });
      // A read the target's /v1 surface declares for exactly this scope (the mock: GET /v1/deals for read:deals).
      const read = readEndpointFor(target.api, scope);
      if (read === undefined) verdicts.skip("CC-01", `the target's /v1 surface declares no collection read needing exactly ${scope}`, `the token is accepted by the API for ${scope}`);
      else
        await verdicts.check("CC-01", `the token is accepted by the API for ${scope} (${describeEndpoint(read)})`, async () => {
          await ensureApiAccepts(client, body.access_token, `client-credentials token (${scope})`, `${read.path}?limit=1`);
        });
      await verdicts.check("CC-02", "the response has no refresh_token member (RFC 6749 §4.4.3)", () => {
        ensure(!("refresh_token" in body), "a client-credentials response carried a refresh_token");
      });
    });
  }

  test("a missing or wrong secret gives 401 invalid_client", { tag: tags("CC-01"), annotation: [...reqs("CC-01"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const app = target.apps.conf;
    const scope = probeScope(app, target.api);
    const wrong = `${app.clientSecret ?? ""}-not`;
    // TOKEN-07: 401 with a challenge; via the body a 400 without one is tolerated under --profile rfc (RFC 6749 §5.2).
    const bodyStatuses = verdicts.accepted([401], [400]);
    await verdicts.check("CC-01", "client_id without a secret gives invalid_client (RFC 6749 §4.4.2: the client MUST authenticate)", async () => {
      ensureInvalidClient(await ccRaw(client, [["scope", scope], ["client_id", app.clientId]], [], "token: client credentials without secret"), bodyStatuses);
    });
    await verdicts.check("CC-01", "a wrong client_secret in the body gives invalid_client", async () => {
      ensureInvalidClient(await ccRaw(client, [["scope", scope], ["client_id", app.clientId], ["client_secret", wrong]], [], "token: client credentials with a wrong secret"), bodyStatuses);
    });
    await verdicts.check("CC-01", "a wrong secret via Basic gives 401 invalid_client with a challenge (RFC 6749 §5.2)", async () => {
      const { headers } = withClientAuth({ ...app, clientSecret: wrong }, "basic", []);
      ensureInvalidClient(await ccRaw(client, [["scope", scope]], headers, "token: client credentials, Basic with a wrong secret"), [401]);
    });
  });
});

/**
 * CC-03's MUST: the request is refused with an OAuth error response (RFC 6749 §5.2) and no token.
 * "Under --profile rfc any OAuth error response without a token passes": any 4xx with a well-formed
 * §5.2 body (a 403 unauthorized_client included); 400 unauthorized_client is the PACT-PROFILE clause.
 */
function ensureOAuthRefusal(res: HttpResponse, who: string): void {
  ensure(res.status !== 200, `${who} obtained a client-credentials token`);
  ensureNot5xx(res);
  ensure(res.status >= 400 && res.status < 500, `${who}: answered ${res.status}, expected an OAuth error response (4xx)`);
  ensureNoTokens(res);
  ensureWellFormedTokenError(res);
}

test.describe("CC-03 Public clients cannot use client credentials", () => {
  test("SPA and CLI get an error and no token", { tag: tags("CC-03"), annotation: [...reqs("CC-03"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const publicApps = [target.apps.spa, target.apps.cli].filter((a): a is AppIdentity => a !== undefined);
    for (const app of publicApps) {
      const scope = app.scopes[0] as string;
      const idOnly = await ccRaw(client, [["scope", scope], ["client_id", app.clientId]], [], `token: client credentials by public ${app.clientId}`);
      await verdicts.check("CC-03", `${app.clientId} with client_id only is refused with an OAuth error response and no token (RFC 6749 §4.4, §5.2)`, () => {
        ensureOAuthRefusal(idOnly, `public client ${app.clientId}`);
      }, { clause: "reject" });
      await verdicts.check("CC-03", `${app.clientId} with client_id only gets 400 unauthorized_client (AMB-16)`, () => {
        ensureTokenError(idOnly, ["unauthorized_client"]);
      }, { clause: "PACT-PROFILE" });

      const invented = await ccRaw(client, [["scope", scope], ["client_id", app.clientId], ["client_secret", "invented-secret"]], [], `token: client credentials by public ${app.clientId} with an invented secret`);
      await verdicts.check("CC-03", `${app.clientId} with an invented secret is refused with an OAuth error response and no token (RFC 6749 §4.4, §5.2)`, () => {
        ensureOAuthRefusal(invented, `public client ${app.clientId} with an invented secret`);
      }, { clause: "reject" });
      // CC-03 names 400 unauthorized_client here, while REG-03 and AMB-27 name 401 invalid_client for any
      // non-empty secret from a public client. RFC 6749 §5.2 defines invalid_client as "client
      // authentication failed", which a secret the client was never issued is (§2.3, §3.2.1), and client
      // authentication comes before the grant-type decision; both codes are accepted, nothing else.
      await verdicts.check("CC-03", `${app.clientId} with an invented secret gets 401 invalid_client (RFC 6749 §5.2, REG-03) or 400 unauthorized_client (AMB-16)`, () => {
        const code = (invented.jsonOrUndefined() as { error?: string } | undefined)?.error;
        if (code === "invalid_client") ensureInvalidClient(invented, [401]);
        else ensureTokenError(invented, ["unauthorized_client"]);
      }, { clause: "PACT-PROFILE" });
    }
    if (publicApps.length < 2) verdicts.skip("CC-03", "the target file names no CLI app", "CLI requests");
  });
});

test.describe("CC-04 The scope must be explicit and within the registered set", () => {
  test("unregistered, unknown and omitted scopes give invalid_scope", { tag: tags("CC-04"), annotation: [...reqs("CC-04"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const app = target.apps.conf;
    // The catalogue's `write:deals` stands for a scope of the scope reference that CONF is not registered for.
    const unregistered = unregisteredScopes(target.scopes, app)[0];
    const why = unregisteredMissing(target.scopes, app);
    if (why !== null) verdicts.skip("CC-04", why, "a scope of the scope reference not registered for CONF gives invalid_scope");
    const probes = unregistered === undefined ? [UNKNOWN_SCOPE] : [unregistered, UNKNOWN_SCOPE, `${app.scopes[0] as string} ${unregistered}`];
    for (const scope of probes) {
      await verdicts.check("CC-04", `scope="${scope}" gives 400 invalid_scope (RFC 6749 §5.2)`, async () => {
        const res = await clientCredentials(client, app, scope, { label: `token: client credentials scope ${scope}` });
        ensure(res.status !== 200, `scope "${scope}" was granted`);
        ensureTokenError(res, ["invalid_scope"]);
      });
    }
    // AMB-06: no default scope. RFC 6749 §3.3 lets a server use a documented default instead, so this is Pact only.
    await verdicts.check("CC-04", "an omitted scope gives 400 invalid_scope (AMB-06)", async () => {
      const res = await clientCredentials(client, app, null, { label: "token: client credentials without scope" });
      ensure(res.status !== 200, `a request without scope was granted${errorCode(res)}`);
      ensureTokenError(res, ["invalid_scope"]);
    }, { clause: "PACT-PROFILE" });
  });

  test("property: S ⊆ registered gives scope S; S ⊄ registered gives invalid_scope", { tag: tags("CC-04"), annotation: [...reqs("CC-04"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const app = target.apps.conf;
    const registered = app.scopes;
    const unregistered = unregisteredScopes(target.scopes, app);
    const outside = [...new Set([...unregistered, UNKNOWN_SCOPE])];
    const scopeLike = fc.stringMatching(/^[a-z]{1,8}:[a-z]{1,8}$/).filter((s) => !registered.includes(s));
    await checkProperty(
      verdicts,
      "CC-04",
      "every non-empty S ⊆ registered gives 200 with scope S",
      fc.shuffledSubarray(registered, { minLength: 1 }),
      async (S) => {
        const res = await clientCredentials(client, app, S.join(" "), { label: "token: client credentials, registered subset" });
        const body = ensureTokenSuccess(res);
        ensure(body.scope === undefined || sameSet(scopeTokens(body.scope), S), `requested "${S.join(" ")}", got scope "${body.scope}"`);
      },
      { numRuns: 20, examples: [registered.slice(0, 1), [...registered]] },
    );
    await checkProperty(
      verdicts,
      "CC-04",
      "every S ⊄ registered gives 400 invalid_scope",
      fc.record({ inside: fc.subarray(registered), extra: fc.uniqueArray(fc.oneof(fc.constantFrom(...outside), scopeLike), { minLength: 1, maxLength: 3 }) }),
      async ({ inside, extra }) => {
        const scope = [...inside, ...extra].join(" ");
        const res = await clientCredentials(client, app, scope, { label: "token: client credentials, unregistered scope" });
        ensure(res.status !== 200, `scope "${scope}" was granted`);
        ensureTokenError(res, ["invalid_scope"]);
      },
      { numRuns: 40, examples: [{ inside: [], extra: [UNKNOWN_SCOPE] }, ...unregistered.slice(0, 1).flatMap((u) => [{ inside: [], extra: [u] }, { inside: [...registered], extra: [u] }])] },
    );
  });
});
