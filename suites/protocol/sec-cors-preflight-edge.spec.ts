import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { withClientAuth } from "../flows/tokens.ts";
import type { HttpResponse } from "../http/response.ts";

/**
 * SEC-08 (PACT-PROFILE, AMB-25): /oauth/token and /oauth/revoke answer CORS for the SPA's registered
 * origin "so browser-based public clients work". A browser gives the page a cross-origin response only
 * when the CORS protocol succeeds (WHATWG Fetch, "CORS check" and "CORS-preflight fetch"): a preflight
 * must come back with an ok status (200–299) and the allowed origin, and the request itself must get
 * the endpoint's real answer. The SPA's requests (form-encoded POST, client_id in the body, DOC-S3)
 * carry only CORS-safelisted headers, so the preflight here asks for POST and nothing else.
 */

function errorOf(res: HttpResponse): string | undefined {
  const body = res.jsonOrUndefined();
  if (typeof body !== "object" || body === null) return undefined;
  const e = (body as Record<string, unknown>)["error"];
  return typeof e === "string" ? e : undefined;
}

test.describe("SEC-08 CORS on the token and revocation endpoints works for the SPA's origin", () => {
  test("the SPA's preflight gets an ok status, and its POST gets the same answer as without Origin", { tag: tags("SEC-08"), annotation: [...reqs("SEC-08"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const spa = target.apps.spa;
    const mine = new URL(spa.redirectUris[0] as string).origin;
    for (const path of ["/oauth/token", "/oauth/revoke"]) {
      const preflight = await client.send({ method: "OPTIONS", url: path, headers: [["origin", mine], ["access-control-request-method", "POST"]], label: `${path}: preflight for POST from ${mine}` });
      await verdicts.check("SEC-08", `${path} preflight for POST from the SPA's origin ${mine}: an ok status (2xx) with Access-Control-Allow-Origin ${mine} (Fetch: a preflight without an ok status fails)`, () => {
        ensure(preflight.status >= 200 && preflight.status < 300, `the preflight answered ${preflight.status}, which a browser treats as a CORS failure`);
        ensure(preflight.header("access-control-allow-origin") === mine, `Access-Control-Allow-Origin: ${preflight.header("access-control-allow-origin") ?? "(absent)"}`);
      }, { clause: "token and revoke endpoints" });

      // A request the endpoint answers with a plain error: a made-up code (TOKEN-12) or an unknown token (REVOKE-02).
      const form = path === "/oauth/token"
        ? withClientAuth(spa, "none", [["grant_type", "authorization_code"], ["code", "kit-not-a-code"], ["redirect_uri", spa.redirectUris[0] as string], ["code_verifier", "v".repeat(43)]]).form
        : withClientAuth(spa, "none", [["token", "kit-not-a-token"]]).form;
      const plain = await client.postForm(path, form, { label: `${path}: POST without Origin` });
      const cross = await client.postForm(path, form, { headers: [["origin", mine]], label: `${path}: POST from ${mine}` });
      await verdicts.check("SEC-08", `${path} POST from the SPA's origin gets the same answer as without Origin (${plain.status}${errorOf(plain) ? ` ${errorOf(plain)}` : ""}), readable by the SPA`, () => {
        ensure(cross.status < 500, `with Origin ${mine} the endpoint answered ${cross.status}`);
        ensure(cross.status === plain.status && errorOf(cross) === errorOf(plain), `with Origin: ${cross.status} ${errorOf(cross) ?? ""}; without: ${plain.status} ${errorOf(plain) ?? ""}`);
        ensure(cross.header("access-control-allow-origin") === mine, `Access-Control-Allow-Origin: ${cross.header("access-control-allow-origin") ?? "(absent)"}`);
      }, { clause: "token and revoke endpoints" });
    }
  });
});
