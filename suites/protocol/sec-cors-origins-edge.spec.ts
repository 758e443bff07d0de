import { randomBytes } from "node:crypto";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, withinPropagation } from "../checks/http.ts";
import { AdminSession } from "../flows/admin.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";

/**
 * SEC-08 (PACT-PROFILE) with AMB-25: CORS on /oauth/token and /oauth/revoke is served "for the origins of
 * registered public-client redirect URIs", and for no other origin. A confidential client's redirect URI
 * is a server-side callback, not a browser app's origin; a deleted app has no registered URIs left.
 */

const PATHS = ["/oauth/token", "/oauth/revoke"] as const;

/** The web origin of an http(s) URI, or null (private-use schemes have none). */
function webOrigin(uri: string): string | null {
  if (!/^https?:\/\//i.test(uri)) return null;
  try {
    return new URL(uri).origin;
  } catch {
    return null;
  }
}

function preflight(client: ProtocolClient, path: string, origin: string, label: string): Promise<HttpResponse> {
  return client.send({ method: "OPTIONS", url: path, headers: [["origin", origin], ["access-control-request-method", "POST"]], label });
}

function notAllowed(res: HttpResponse, origin: string): void {
  const acao = res.header("access-control-allow-origin");
  ensure(acao === undefined || (acao !== origin && acao !== "*"), `Access-Control-Allow-Origin: ${acao}`);
}

test.describe("SEC-08 CORS on the token and revocation endpoints answers only registered public clients' origins", () => {
  test("the origin of a confidential client's redirect URI is not answered", { tag: tags("SEC-08"), annotation: [...reqs("SEC-08"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const publicOrigins = new Set([target.apps.spa, target.apps.cli].flatMap((a) => (a ? a.redirectUris : [])).map(webOrigin).filter((o): o is string => o !== null));
    const confidential = [...new Set([target.apps.conf, target.apps.conf2].flatMap((a) => (a ? a.redirectUris : [])).map(webOrigin).filter((o): o is string => o !== null && !publicOrigins.has(o)))];
    if (confidential.length === 0) return verdicts.skip("SEC-08", "every web origin of the confidential fixture apps' redirect URIs is also a public app's origin", "a confidential client's origin is not answered");
    for (const origin of confidential) {
      for (const path of PATHS) {
        const pre = await preflight(client, path, origin, `${path}: preflight from the confidential client's origin ${origin}`);
        const post = await client.postForm(path, path === "/oauth/token" ? [["grant_type", "client_credentials"]] : [["token", "kit-not-a-token"]], { headers: [["origin", origin]], label: `${path}: POST from ${origin}` });
        await verdicts.check("SEC-08", `${path} preflight and POST from ${origin}, a confidential client's redirect origin (no public client registered it): no Access-Control-Allow-Origin for it (AMB-25)`, () => {
          notAllowed(pre, origin);
          notAllowed(post, origin);
        }, { clause: "token and revoke endpoints" });
      }
    }
  });

  test("a deleted public app's origin is no longer answered", { tag: tags("SEC-08"), annotation: [...reqs("SEC-08"), ...needs("http", "admin")] }, async ({ client, target, verdicts }) => {
    const admin = await AdminSession.open(client, target);
    const tag = randomBytes(4).toString("hex");
    const origin = `https://kit-spa-gone-${tag}.example.test`;
    const app = await admin.registerApp({ name: `kit-sec08-gone-${tag}`, type: "public", redirectUris: [`${origin}/callback`], scopes: ["read:contacts"] });
    let deleted = false;
    try {
      const before = await preflight(client, "/oauth/token", origin, `/oauth/token: preflight from ${origin} (registered)`);
      if (before.header("access-control-allow-origin") !== origin)
        return verdicts.skip("SEC-08", `the newly registered public app's origin was not answered to begin with (Access-Control-Allow-Origin: ${before.header("access-control-allow-origin") ?? "(absent)"}); the registration check reports that`, "a deleted public app's origin is not answered");
      await admin.deleteApp(app.clientId);
      deleted = true;
      for (const path of PATHS) {
        await verdicts.check("SEC-08", `${path} preflight from ${origin} after its only app was deleted: no Access-Control-Allow-Origin for it (AMB-25: registered URIs only)`, async () => {
          await withinPropagation(target, async () => notAllowed(await preflight(client, path, origin, `${path}: preflight from ${origin} (app deleted)`), origin));
        }, { clause: "token and revoke endpoints" });
      }
    } finally {
      if (!deleted) await admin.deleteApp(app.clientId);
    }
  });
});
