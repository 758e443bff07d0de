import { randomBytes } from "node:crypto";
import { CheckError, test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { authorizeRequest, decide, isConsentPage, sendAuthorize, setParam } from "../checks/authz.ts";
import { AdminSession } from "../flows/admin.ts";
import { exchangeCode, refresh, withClientAuth } from "../flows/tokens.ts";
import type { Exchange } from "../http/exchange.ts";
import { parseAttributes } from "../http/html-form.ts";
import { fingerprint } from "../http/redact.ts";
import type { HttpResponse } from "../http/response.ts";

const AUTHZ_RESPONSE_PARAMS = new Set(["code", "state", "iss", "error", "error_description", "error_uri"]);
const TOKEN_NAMES = ["access_token", "refresh_token", "id_token"];

/** Every URL a response points a user agent at: Location, Refresh, and links and form actions in HTML. */
function urlsOf(ex: Exchange): string[] {
  const out: string[] = [];
  for (const [n, v] of ex.responseHeaders) if (["location", "content-location", "refresh"].includes(n.toLowerCase())) out.push(v);
  const type = ex.responseHeaders.find(([n]) => n.toLowerCase() === "content-type")?.[1] ?? "";
  if (type.includes("html")) {
    for (const m of ex.responseBody.matchAll(/<[a-zA-Z][^>]*\s(?:href|src|action|formaction|content)\s*=[^>]*>/g)) {
      const a = parseAttributes(m[0].replace(/^<[a-zA-Z0-9-]+/, "").replace(/>$/, ""));
      for (const k of ["href", "src", "action", "formaction", "content"]) if (a[k]) out.push(a[k]);
    }
  }
  return out;
}

function containsSecret(url: string, secret: string): boolean {
  let decoded = url;
  try {
    decoded = decodeURIComponent(url.replace(/\+/g, " "));
  } catch {
    /* keep the raw form */
  }
  return url.includes(secret) || decoded.includes(secret) || url.includes(encodeURIComponent(secret));
}

test.describe("SEC-02 tokens and secrets never travel in URLs", () => {
  test("authorization responses carry only code, state and iss; no Location or Pact link carries a token, secret or key", { tag: tags("SEC-02"), annotation: [...reqs("SEC-02"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory, journal }) => {
    const session = client.withJar(await codeFactory.session());
    const secrets: Array<[string, string]> = [];
    for (const app of Object.values(target.apps)) if (app?.clientSecret) secrets.push(["client secret", app.clientSecret]);
    if (target.apiKey) secrets.push(["API key", target.apiKey]);

    // Success and error authorization responses of both client types, then tokens and a refresh.
    const redirects: HttpResponse[] = [];
    for (const app of [target.apps.spa, target.apps.conf]) {
      const req = authorizeRequest({ client: app });
      const page = await sendAuthorize(session, req.pairs, { label: `authorize: ${app.clientId}` });
      const post = isConsentPage(page, target) ? (await decide(session, page, target, "approve")).final : page;
      redirects.push(post);
      const code = post.locationUrl?.searchParams.get("code");
      if (!code) continue;
      const tok = await exchangeCode(client, app, { code, redirectUri: req.redirectUri, verifier: req.verifier });
      const body = tok.jsonOrUndefined() as Record<string, unknown> | undefined;
      for (const n of TOKEN_NAMES) if (typeof body?.[n] === "string") secrets.push([n, body[n] as string]);
      if (typeof body?.refresh_token === "string") {
        const r = (await refresh(client, app, body.refresh_token)).jsonOrUndefined() as Record<string, unknown> | undefined;
        for (const n of TOKEN_NAMES) if (typeof r?.[n] === "string") secrets.push([n, r[n] as string]);
      }
      // A logged-in user coming back: the pages of a second round must not carry the tokens either.
      await sendAuthorize(session, authorizeRequest({ client: app }).pairs, { label: `authorize again: ${app.clientId}` });
    }
    const deny = await sendAuthorize(session, authorizeRequest({ client: target.apps.spa }).pairs, { label: "authorize: for Deny" });
    if (isConsentPage(deny, target)) redirects.push((await decide(session, deny, target, "deny")).final);
    for (const rt of ["token", "code token", "id_token token", "code id_token token"]) {
      redirects.push(await sendAuthorize(session, setParam(authorizeRequest({ client: target.apps.spa }).pairs, "response_type", rt), { label: `authorize: response_type=${rt}` }));
    }

    for (const res of redirects) {
      await verdicts.check("SEC-02", `authorization response ${res.status}: only code, state, iss (or error fields), never a token in query or fragment (RFC 9700 §2.1.2)`, () => {
        const loc = res.isRedirect ? res.locationUrl : undefined;
        if (!loc) return;
        const names = [...loc.searchParams.keys(), ...new URLSearchParams(loc.hash.slice(1)).keys()];
        const tokens = names.filter((n) => TOKEN_NAMES.includes(n));
        ensure(tokens.length === 0, `the authorization response carries ${tokens.join(", ")}`);
        const own = new Set(target.apps.conf.redirectUris.flatMap((u) => [...new URL(u).searchParams.keys()]));
        const extra = names.filter((n) => !AUTHZ_RESPONSE_PARAMS.has(n) && !own.has(n));
        ensure(extra.length === 0, `the authorization response adds ${extra.join(", ")}`);
      });
    }
    await verdicts.check("SEC-02", "no Location, Refresh, link or form action the target sent carries an access token, refresh token, client secret or API key (RFC 6750 §5.3)", () => {
      // Whatever secrets were obtained are looked for first: a leak of one is a failure either way.
      for (const ex of journal.all()) {
        for (const url of urlsOf(ex)) {
          const hit = secrets.find(([, s]) => s.length >= 8 && containsSecret(url, s));
          ensure(!hit, `${ex.method} ${new URL(ex.url).pathname} → ${ex.status} sends a URL containing a ${hit?.[0]} (#${fingerprint(hit?.[1] ?? "")})`);
        }
      }
      // Without an access token the check could not look for one: a missing precondition, not a failure (§0.1).
      if (!secrets.some(([k]) => k === "access_token")) throw new CheckError("no access token was obtained (no code, or the exchange failed), so none could be looked for in URLs");
    });
  });

  test("credentials in the query are refused by the token and revocation endpoints and ignored by the API", { tag: tags("SEC-02"), annotation: [...reqs("SEC-02"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const conf = target.apps.conf;
    await verdicts.check("SEC-02", "client credentials in the token endpoint's query give no token (RFC 6749 §2.3.1)", async () => {
      const q = new URLSearchParams([["client_id", conf.clientId], ["client_secret", conf.clientSecret ?? ""]]).toString();
      const res = await client.postForm(`/oauth/token?${q}`, [["grant_type", "client_credentials"], ["scope", conf.scopes[0] as string]], { label: "token: credentials in the query" });
      ensure(res.status >= 400 && res.status < 500, `expected a 4xx, got ${res.status}`);
      ensure(!("access_token" in ((res.jsonOrUndefined() as object | undefined) ?? {})), "a token was issued");
    });
    const issued = await codeFactory.issue({ client: conf });
    const tok = (await exchangeCode(client, conf, issued)).jsonOrUndefined() as { access_token?: string } | undefined;
    if (!tok?.access_token) {
      // A missing precondition (§0.1): the remaining checks could not be judged.
      verdicts.error("SEC-02", "could not judge: no access token could be obtained for CONF", "the revocation endpoint and the API refuse credentials in the query");
      return;
    }
    const at = tok.access_token;
    await verdicts.check("SEC-02", "the revocation endpoint refuses the client secret in the query (RFC 6749 §2.3.1)", async () => {
      const q = new URLSearchParams([["client_id", conf.clientId], ["client_secret", conf.clientSecret ?? ""]]).toString();
      const res = await client.postForm(`/oauth/revoke?${q}`, [["token", at]], { label: "revoke: credentials in the query" });
      ensure(res.status >= 400 && res.status < 500, `expected a 4xx, got ${res.status}`);
    });
    await verdicts.check("SEC-02", "an access token in the API query string is not accepted (RFC 6750 §5.3, AMB-21)", async () => {
      const res = await client.get("/v1/contacts", { query: [["access_token", at]], label: "API: token in the query" });
      ensure(res.status === 400 || res.status === 401, `expected 401 (or 400), got ${res.status}`);
    });
    await verdicts.check("SEC-02", "control: the same token works in the Authorization header", async () => {
      ensureStatus(await client.get("/v1/contacts", { headers: [["authorization", `Bearer ${at}`]], label: "API: token in the header" }), 200);
    });
  });
});

/** RFC 9700 §2.6, AMB-25: the SPA's registered origin. */
function spaOrigin(uris: readonly string[]): string {
  return new URL(uris[0] as string).origin;
}

const EVIL = "https://evil.test";

test.describe("SEC-08 CORS is off on authorize and narrow elsewhere", () => {
  test("/oauth/authorize never answers CORS, to GET or OPTIONS, for any origin", { tag: tags("SEC-08"), annotation: [...reqs("SEC-08"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const spa = target.apps.spa;
    const valid = authorizeRequest({ client: spa }).pairs;
    for (const origin of [EVIL, spaOrigin(spa.redirectUris)]) {
      const h: Array<[string, string]> = [["origin", origin]];
      const cases: Array<[string, Promise<HttpResponse>]> = [
        ["GET, no session (login page)", sendAuthorize(client.withJar(), valid, { headers: h, label: "authorize: CORS, no session" })],
        ["GET, session (consent page)", sendAuthorize(session, valid, { headers: h, label: "authorize: CORS, consent" })],
        ["GET, error redirect", sendAuthorize(session, setParam(valid, "scope", "nope:nothing"), { headers: h, label: "authorize: CORS, error redirect" })],
        ["GET, no-redirect error", sendAuthorize(session, setParam(valid, "client_id", "no-such-client"), { headers: h, label: "authorize: CORS, error page" })],
        ["OPTIONS preflight", client.send({ method: "OPTIONS", url: "/oauth/authorize", headers: [...h, ["access-control-request-method", "GET"], ["access-control-request-headers", "authorization"]], label: "authorize: preflight" })],
      ];
      for (const [what, p] of cases) {
        const res = await p;
        await verdicts.check("SEC-08", `/oauth/authorize ${what} with Origin ${origin}: no Access-Control-Allow-Origin (RFC 9700 §2.6)`, () => {
          ensure(res.header("access-control-allow-origin") === undefined, `Access-Control-Allow-Origin: ${res.header("access-control-allow-origin")}`);
          ensure(res.header("access-control-allow-credentials") === undefined, "Access-Control-Allow-Credentials is set");
        }, { clause: "authorize" });
      }
    }
  });

  test("/oauth/token and /oauth/revoke answer the SPA's registered origin without credentials, never an unregistered one", { tag: tags("SEC-08"), annotation: [...reqs("SEC-08"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const spa = target.apps.spa;
    const mine = spaOrigin(spa.redirectUris);
    for (const path of ["/oauth/token", "/oauth/revoke"]) {
      const body = path === "/oauth/token" ? withClientAuth(spa, "none", [["grant_type", "authorization_code"], ["code", "not-a-code"], ["redirect_uri", spa.redirectUris[0] as string], ["code_verifier", "v".repeat(43)]]).form : withClientAuth(spa, "none", [["token", "not-a-token"]]).form;
      const preflight = (origin: string) => client.send({ method: "OPTIONS", url: path, headers: [["origin", origin], ["access-control-request-method", "POST"], ["access-control-request-headers", "content-type"]], label: `${path}: preflight from ${origin}` });
      const post = (origin: string) => client.postForm(path, body, { headers: [["origin", origin]], label: `${path}: POST from ${origin}` });
      for (const [what, res] of [["preflight", await preflight(mine)], ["POST", await post(mine)]] as Array<[string, HttpResponse]>) {
        await verdicts.check("SEC-08", `${path} ${what} from the SPA's origin ${mine}: Access-Control-Allow-Origin is that origin, without credentials (AMB-25)`, () => {
          ensure(res.header("access-control-allow-origin") === mine, `Access-Control-Allow-Origin: ${res.header("access-control-allow-origin") ?? "(absent)"}`);
          ensure(res.header("access-control-allow-credentials")?.trim().toLowerCase() !== "true", "Access-Control-Allow-Credentials: true");
          if (what === "preflight") {
            const methods = res.header("access-control-allow-methods");
            ensure(methods === undefined || /\bPOST\b/i.test(methods), `Access-Control-Allow-Methods ${methods} lacks POST`);
          }
        }, { clause: "token and revoke endpoints" });
      }
      // "null" is the origin of sandboxed frames, file: pages and redirects; no registered URI has it.
      for (const origin of [EVIL, "null"]) {
        for (const [what, res] of [["preflight", await preflight(origin)], ["POST", await post(origin)]] as Array<[string, HttpResponse]>) {
          await verdicts.check("SEC-08", `${path} ${what} from the unregistered origin ${origin}: not allowed, never with credentials`, () => {
            const acao = res.header("access-control-allow-origin");
            ensure(acao === undefined || (acao !== origin && acao !== "*"), `Access-Control-Allow-Origin: ${acao}`);
            ensure(res.header("access-control-allow-credentials")?.trim().toLowerCase() !== "true", "Access-Control-Allow-Credentials: true");
          }, { clause: "token and revoke endpoints" });
        }
      }
    }
  });

  test("a newly registered public app's https origin is answered; a private-use-scheme app adds no origin, not even \"null\"", { tag: tags("SEC-08"), annotation: [...reqs("SEC-08"), ...needs("http", "admin")] }, async ({ client, target, verdicts }) => {
    const admin = await AdminSession.open(client, target);
    const tag = randomBytes(4).toString("hex");
    const webOrigin = `https://kit-spa-${tag}.example.test`;
    const web = await admin.registerApp({ name: `kit-sec08-web-${tag}`, type: "public", redirectUris: [`${webOrigin}/callback`], scopes: ["read:contacts"] });
    const native = await admin.registerApp({ name: `kit-sec08-native-${tag}`, type: "public", redirectUris: [`com.example.kit${tag}:/callback`], scopes: ["read:contacts"] });
    try {
      for (const path of ["/oauth/token", "/oauth/revoke"]) {
        const preflight = (origin: string) => client.send({ method: "OPTIONS", url: path, headers: [["origin", origin], ["access-control-request-method", "POST"], ["access-control-request-headers", "content-type"]], label: `${path}: preflight from ${origin}` });
        const fromWeb = await preflight(webOrigin);
        // AMB-25: the origins of registered public-client redirect URIs, whichever app registered them.
        await verdicts.check("SEC-08", `${path} preflight from the origin of a public app registered just now (${webOrigin}) is answered with that origin, without credentials`, () => {
          ensure(fromWeb.header("access-control-allow-origin") === webOrigin, `Access-Control-Allow-Origin: ${fromWeb.header("access-control-allow-origin") ?? "(absent)"}`);
          ensure(fromWeb.header("access-control-allow-credentials")?.trim().toLowerCase() !== "true", "Access-Control-Allow-Credentials: true");
        }, { clause: "token and revoke endpoints" });
        // A private-use-scheme URI has no web origin (its URL origin is opaque, serialised "null"),
        // so registering one must not make "Origin: null" an allowed origin.
        const fromNull = await preflight("null");
        await verdicts.check("SEC-08", `${path} preflight with Origin: null, after a public app registered com.example.kit${tag}:/callback, is not allowed`, () => {
          const acao = fromNull.header("access-control-allow-origin");
          ensure(acao === undefined || (acao !== "null" && acao !== "*"), `Access-Control-Allow-Origin: ${acao}`);
        }, { clause: "token and revoke endpoints" });
      }
    } finally {
      await admin.deleteApp(web.clientId);
      await admin.deleteApp(native.clientId);
    }
  });
});
