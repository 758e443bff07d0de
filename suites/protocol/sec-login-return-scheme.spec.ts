import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { loginSubmission } from "../checks/authz.ts";
import { followOnOrigin, isLoginPage } from "../flows/login.ts";
import { noStandaloneLogin } from "../flows/code-factory.ts";
import type { HttpResponse } from "../http/response.ts";

// SEC-01 (RFC 9700 §2.1, §4.11.2; RFC 6749 §10.15): the catalogue's parameter names.
const NAMES = ["redirect_uri", "return_to", "returnTo", "next", "continue", "url", "target", "redirect", "callback"];
/**
 * Scheme-only references without an authority. RFC 3986 §4.3/§5.2.2 parse them as absolute URIs (a
 * Location that is not a relative reference is not resolved against the target, RFC 9110 §10.2.2).
 * A browser reads the one whose scheme differs from the page's as http(s)://evil.test, so the
 * catalogue's "https:evil.test" is paired here with its http twin: between them one is off-site on
 * any target, whichever scheme the target serves.
 */
const VALUES = ["http:evil.test", "https:evil.test"];

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Where a Location points, per RFC 9110 §10.2.2 and RFC 3986 §5.2.2 (strict): a reference with a
 * scheme is the URI itself; only a relative reference is resolved against the request URL.
 * Returns the origin, or a description when the URI has no http(s) origin.
 */
function locationOrigin(res: HttpResponse): string {
  const loc = res.location ?? "";
  if (SCHEME.test(loc)) {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\\]*)/.exec(loc);
    if (!m) return `${loc.slice(0, 40)} (a ${loc.split(":")[0]}: URI without an authority)`;
    try {
      return new URL(loc).origin;
    } catch {
      return `${loc.slice(0, 40)} (unparsable)`;
    }
  }
  return new URL(loc, res.exchange.url).origin;
}

test.describe("SEC-01 no open redirects anywhere on the authorization server", () => {
  test("login return targets of the form scheme:host are never followed", { tag: tags("SEC-01"), annotation: [...reqs("SEC-01"), ...needs("http", "session")] }, async ({ client, target, verdicts }) => {
    const origin = new URL(target.baseUrl).origin;
    const user = target.users.member;
    const absent = await noStandaloneLogin(client.withJar(), target);
    if (absent !== null) {
      verdicts.skip("SEC-01", absent, "login page return targets of the form scheme:host");
      return;
    }
    for (const value of VALUES) {
      await verdicts.check("SEC-01", `login page opened with every return parameter = ${value}: after signing in, the Location (read per RFC 3986 §5.2.2) stays on the target`, async () => {
        const c = client.withJar();
        const first = await c.get(target.recipe.loginPath ?? "/login", { query: NAMES.map((n) => [n, value]), label: `login page with ${value}` });
        if (first.isRedirect) ensure(locationOrigin(first) === origin, `the login page redirects to ${locationOrigin(first)}`);
        const page = await followOnOrigin(c, first, "login page");
        // Refusing the hostile return parameters outright (a 4xx page, no redirect) sends nobody off-site.
        if (!isLoginPage(page, target.recipe) && page.status >= 400 && page.status < 500) return;
        ensure(isLoginPage(page, target.recipe), `no login page (${page.status})`);
        const sub = loginSubmission(page, user, target);
        let res = await c.send({ method: sub.method, url: sub.url, form: sub.method === "POST" ? sub.pairs : undefined, query: sub.method === "GET" ? sub.pairs : undefined, label: "login: submit" });
        for (let hop = 0; hop < 8 && res.isRedirect; hop++) {
          const where = locationOrigin(res);
          ensure(where === origin, `${res.status} to ${where}`);
          res = await c.get(new URL(res.location ?? "", res.exchange.url).href, { label: "login: follow" });
        }
      });
    }
  });
});
