import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { bearer, listItems } from "../checks/api.ts";
import { tokens } from "../flows/tokens.ts";
import type { HttpResponse } from "../http/response.ts";

/**
 * API-01 from a single-page app. DOC-S1 lists browser apps among the public clients and DOC-S4 has
 * every app call /v1 with `Authorization: Bearer`. From a page on the SPA's own origin that call is
 * cross-origin, and `Authorization` is not a CORS-safelisted header, so the browser first sends a
 * CORS preflight and makes the call only if the answer allows the origin, the method and the
 * `authorization` header by name (WHATWG Fetch, "CORS-preflight fetch": `*` in
 * Access-Control-Allow-Headers never covers `authorization`). The catalogue does not name CORS on
 * /v1, so these checks are SHOULD: a target without it is reported, not failed, unless --strict.
 * A refused call is readable only if WWW-Authenticate is exposed (RFC 6750 §3 puts the error there).
 */

/** A comma-separated header as lower-case items. */
function listHeader(res: HttpResponse, name: string): string[] {
  return (res.header(name) ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
}

function ensurePreflightAllows(res: HttpResponse, origin: string, method: string, headers: readonly string[]): void {
  ensure(res.status >= 200 && res.status < 300, `the preflight answered ${res.status}; a browser treats that as a CORS failure`);
  ensure(res.header("access-control-allow-origin") === origin, `Access-Control-Allow-Origin: ${res.header("access-control-allow-origin") ?? "(absent)"}`);
  ensure(res.header("access-control-allow-credentials") !== "true", "Access-Control-Allow-Credentials: true (SEC-08: never with credentials)");
  const methods = listHeader(res, "access-control-allow-methods");
  const safelisted = ["get", "head", "post"].includes(method.toLowerCase());
  ensure(safelisted || methods.includes(method.toLowerCase()) || methods.includes("*"), `Access-Control-Allow-Methods "${res.header("access-control-allow-methods") ?? ""}" does not allow ${method}`);
  const allowed = listHeader(res, "access-control-allow-headers");
  for (const h of headers) ensure(allowed.includes(h) || (h !== "authorization" && allowed.includes("*")), `Access-Control-Allow-Headers "${res.header("access-control-allow-headers") ?? ""}" does not name ${h}`);
}

test.describe("API-01 an SPA can make the Step 4 call from its own origin", () => {
  test("CORS preflights for GET, PATCH and DELETE with Authorization are allowed for the SPA's origin, and a 401 exposes WWW-Authenticate", { tag: tags("API-01"), annotation: [...reqs("API-01"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const spa = target.apps.spa;
    const origin = new URL(spa.redirectUris[0] as string).origin;
    const t = await tokens(client, codeFactory, { client: spa, scope: spa.scopes.includes("read:contacts") ? "read:contacts" : (spa.scopes[0] ?? "read:contacts") });

    const listPreflight = await client.send({ method: "OPTIONS", url: "/v1/contacts", query: [["limit", "10"]], headers: [["origin", origin], ["access-control-request-method", "GET"], ["access-control-request-headers", "authorization"]], label: `api: preflight GET /v1/contacts from ${origin}` });
    await verdicts.check("API-01", `preflight of GET /v1/contacts with Authorization from the SPA's origin ${origin} is allowed (DOC-S1, DOC-S4; Fetch CORS-preflight)`, () => ensurePreflightAllows(listPreflight, origin, "GET", ["authorization"]), { clause: "SHOULD" });

    const list = await client.get("/v1/contacts", { query: [["limit", "10"]], headers: [...bearer(t.access_token), ["origin", origin]], label: `api: list contacts from ${origin}` });
    ensureStatus(list, 200);
    const id = listItems(list)[0]?.id;
    if (!spa.scopes.includes("write:contacts")) verdicts.skip("API-01", "the SPA is not registered for write:contacts, so it has no reason to PATCH or DELETE a contact", "preflights of PATCH and DELETE");
    else if (id === undefined) verdicts.skip("API-01", "the workspace has no contacts, so there is no object URL to preflight a PATCH or DELETE for", "preflights of PATCH and DELETE");
    else {
      const url = `/v1/contacts/${encodeURIComponent(id)}`;
      for (const [method, headers] of [["PATCH", ["authorization", "content-type"]], ["DELETE", ["authorization"]]] as const) {
        const preflight = await client.send({ method: "OPTIONS", url, headers: [["origin", origin], ["access-control-request-method", method], ["access-control-request-headers", headers.join(",")]], label: `api: preflight ${method} ${url} from ${origin}` });
        await verdicts.check("API-01", `preflight of ${method} /v1/contacts/{id} with ${headers.join(" and ")} from the SPA's origin is allowed (the SPA holds write:contacts, DOC-S2)`, () => ensurePreflightAllows(preflight, origin, method, headers), { clause: "SHOULD" });
      }
    }

    const refused = await client.get("/v1/contacts", { query: [["limit", "10"]], headers: [...bearer("kit-not-a-token"), ["origin", origin]], label: `api: unknown token from ${origin}` });
    await verdicts.check("API-01", "a 401 to the SPA's origin carries Access-Control-Allow-Origin and exposes WWW-Authenticate, so the app can read error=invalid_token (RFC 6750 §3)", () => {
      ensureStatus(refused, 401);
      ensure(refused.header("access-control-allow-origin") === origin, `Access-Control-Allow-Origin: ${refused.header("access-control-allow-origin") ?? "(absent)"}`);
      const exposed = listHeader(refused, "access-control-expose-headers");
      ensure(exposed.includes("www-authenticate") || exposed.includes("*"), `Access-Control-Expose-Headers "${refused.header("access-control-expose-headers") ?? ""}" does not expose WWW-Authenticate`);
    }, { clause: "SHOULD" });
  });
});
