import { randomBytes } from "node:crypto";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, sameSet } from "../checks/http.ts";
import {
  authorizeRequest,
  decide,
  ensureCodeRedirect,
  ensureErrorRedirect,
  ensureNoRedirectError,
  isConsentPage,
  scopesShown,
  sendAuthorize,
  setParam,
  type SpaceEncoding,
} from "../checks/authz.ts";
import { vscharString } from "../checks/authz-triggers.ts";
import { AdminSession } from "../flows/admin.ts";
import { isLoginPage } from "../flows/login.ts";
import { exchangeCode } from "../flows/tokens.ts";
import type { Pairs, ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { AppIdentity } from "../targets/schema.ts";

/**
 * Authorize with a session and Approve; returns the consent page (if one was shown) and the
 * redirect to the client. A confidential client may skip consent under AMB-23.
 */
async function approve(session: ProtocolClient, target: Target, pairs: Pairs, space: SpaceEncoding = "%20"): Promise<{ page: HttpResponse; post: HttpResponse }> {
  const page = await sendAuthorize(session, pairs, { space, label: "authorize" });
  if (!isConsentPage(page, target)) return { page, post: page };
  const { final: post } = await decide(session, page, target, "approve");
  return { page, post };
}

function fixtureApps(target: Target): AppIdentity[] {
  return Object.values(target.apps).filter((a): a is AppIdentity => a !== undefined);
}

test.describe("AUTHZ-01 the happy path works, and the redirect URI's query is kept", () => {
  test("property: every registered redirect URI of every client gets exactly that URI plus code, state[, iss]", { tag: tags("AUTHZ-01"), annotation: [...reqs("AUTHZ-01"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const pairs = fixtureApps(target).flatMap((app) => app.redirectUris.map((uri) => ({ clientId: app.clientId, uri })));
    const byId = new Map(fixtureApps(target).map((a) => [a.clientId, a]));
    let redeemed = false;
    await checkProperty(
      verdicts,
      "AUTHZ-01",
      "the Location parses to exactly the registered URI (own query kept) plus {code, state[, iss]} in the query (RFC 6749 §3.1.2, §4.1.2)",
      fc.constantFrom(...pairs),
      async ({ clientId, uri }) => {
        const app = byId.get(clientId) as AppIdentity;
        const req = authorizeRequest({ client: app, redirectUri: uri });
        const { post } = await approve(session, target, req.pairs);
        const params = ensureCodeRedirect(post, uri, req.state, target.issuer);
        if (!redeemed) {
          redeemed = true;
          const tok = await exchangeCode(client, app, { code: params.get("code") as string, redirectUri: uri, verifier: req.verifier });
          ensure(tok.status === 200, `the code of the happy path did not redeem (${tok.status})`);
        }
      },
      { numRuns: pairs.length, examples: pairs },
    );
  });

  // RFC 6749 §3.1.2: the redirect URI's query "MUST be retained when adding additional query parameters".
  // An empty query ("…?") and one ending in "&" are queries too (RFC 3986 §3.4), and the added parameters
  // must still parse as code and state instead of running into what the URI ends with. No fixture app
  // registers either form, so a throwaway app does.
  test("a registered URI ending in ? or & keeps its query, and code and state still parse", { tag: tags("AUTHZ-01"), annotation: [...reqs("AUTHZ-01"), ...needs("http", "session", "admin")] }, async ({ client, target, verdicts, codeFactory }) => {
    const admin = await AdminSession.open(client, target);
    const session = client.withJar(await codeFactory.session());
    const tag = randomBytes(4).toString("hex");
    const uris = [`https://kit.example.test/cb-${tag}?`, `https://kit.example.test/cb-${tag}?tenant=a&`];
    const name = `kit-authz01-${tag}`;
    const out = await admin.tryRegisterApp({ name, type: "confidential", redirectUris: uris, scopes: ["read:contacts"] });
    if (!out.accepted || !out.clientId) return verdicts.skip("AUTHZ-01", `the target does not register redirect URIs ending in ? or & (${out.error ?? out.page.status})`, "a registered URI ending in ? or & keeps its query");
    try {
      const app: AppIdentity = { clientId: out.clientId, ...(out.clientSecret ? { clientSecret: out.clientSecret } : {}), name, redirectUris: uris, scopes: ["read:contacts"] };
      for (const uri of uris) {
        const req = authorizeRequest({ client: app, redirectUri: uri });
        const { post } = await approve(session, target, req.pairs);
        await verdicts.check("AUTHZ-01", `registered ${uri}: the Location keeps the URI's query and adds exactly code, state[, iss] (RFC 6749 §3.1.2)`, () => {
          ensureCodeRedirect(post, uri, req.state, target.issuer);
        });
      }
    } finally {
      await admin.deleteApp(out.clientId).catch(() => undefined);
    }
  });
});

/** The catalogue's explicit AUTHZ-07 edge values. */
const STATE_EDGES = ["&", "=", "+", "%", "#", " ", '"', "'", "<script>alert(1)</script>", "a b", "a+b", "%20", "%2B", "x&state=y", "#frag", "\\", "`~!@$^*()[]{}|;:,./?"];

test.describe("AUTHZ-07 state is echoed byte-exact on success", () => {
  test("no state, an empty state, and a hostile state never reflected unescaped", { tag: tags("AUTHZ-07"), annotation: [...reqs("AUTHZ-07"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const app = target.apps.spa;
    const none = authorizeRequest({ client: app, state: null });
    const r1 = await approve(session, target, none.pairs);
    await verdicts.check("AUTHZ-07", "no state sent, no state returned (RFC 6749 §4.1.2)", () => {
      const p = ensureCodeRedirect(r1.post, none.redirectUri, null, target.issuer);
      ensure(!p.has("state"), "a state came back although none was sent");
    });
    const empty = authorizeRequest({ client: app, state: "" });
    const r2 = await approve(session, target, empty.pairs);
    await verdicts.check("AUTHZ-07", "state= counts as omitted: it comes back absent or empty (RFC 6749 §3.1)", () => ensureCodeRedirect(r2.post, empty.redirectUri, null, target.issuer));

    const hostile = "\"'><script>alert(1)</script>";
    const withSession = await sendAuthorize(session, authorizeRequest({ client: app, state: hostile }).pairs, { label: "authorize: hostile state" });
    const anon = await sendAuthorize(client.withJar(), authorizeRequest({ client: app, state: hostile }).pairs, { label: "authorize: hostile state, no session" });
    const errorPage = await sendAuthorize(session, setParam(authorizeRequest({ client: app, state: hostile }).pairs, "client_id", "no-such-client"), { label: "authorize: hostile state on an error page" });
    for (const [what, res] of [["consent page", withSession], ["login page", anon], ["error page", errorPage]] as Array<[string, HttpResponse]>) {
      await verdicts.check("AUTHZ-07", `the ${what} does not reflect the state unescaped (RFC 6749 §10.14)`, () => {
        ensure(res.status < 500, `${what}: ${res.status}`);
        ensure(!res.text.includes("<script>alert(1)</script>"), `the ${what} contains the state's <script> unescaped`);
      });
    }
    await verdicts.check("AUTHZ-07", "the hostile state reaches consent and the login page (it is a valid VSCHAR state)", () => {
      ensure(isConsentPage(withSession, target), `with a session: ${withSession.status}`);
      ensure(isLoginPage(anon, target.recipe) || anon.isRedirect, `without a session: ${anon.status}`);
      ensureNoRedirectError(errorPage, target);
    });
  });

  test("property: every state ∈ VSCHAR{1..100} round-trips exactly, spaces sent as %20 and as +", { tag: tags("AUTHZ-07"), annotation: [...reqs("AUTHZ-07"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const app = target.apps.spa;
    // Only values with a space differ on the wire between the two encodings.
    const examples = STATE_EDGES.flatMap((state) => (state.includes(" ") ? (["%20", "+"] as SpaceEncoding[]) : (["%20"] as SpaceEncoding[])).map((space) => ({ state, space })));
    await checkProperty(
      verdicts,
      "AUTHZ-07",
      "the state in the success redirect form-decodes to exactly the value sent",
      fc.record({ state: vscharString(1, 100), space: fc.constantFrom<SpaceEncoding>("%20", "+") }),
      async ({ state, space }) => {
        const req = authorizeRequest({ client: app, state });
        const { page, post } = await approve(session, target, req.pairs, space);
        if (state.includes("<") && state.length >= 4) ensure(!page.text.includes(state), "the consent page reflects the state unescaped");
        ensureCodeRedirect(post, req.redirectUri, state, target.issuer);
      },
      { numRuns: 12, examples },
    );
  });

  // RFC 6749 Appendix A.5 sets no length limit; the catalogue fixes ≥ 512 as a PACT-PROFILE clause, so
  // lengths 1–100 are checked as MUST above and 101–512 under the Pact profile here.
  test("property: states of up to 512 characters are supported", { tag: tags("AUTHZ-07"), annotation: [...reqs("AUTHZ-07"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const app = target.apps.spa;
    const every = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join("");
    const long = every.repeat(6).slice(0, 512);
    const examples = [long, "x".repeat(512), " ".repeat(512)];
    await checkProperty(
      verdicts,
      "AUTHZ-07",
      "every state ∈ VSCHAR{101..512} round-trips exactly",
      vscharString(101, 512),
      async (state) => {
        const req = authorizeRequest({ client: app, state });
        ensureCodeRedirect((await approve(session, target, req.pairs, "+")).post, req.redirectUri, state, target.issuer);
      },
      { numRuns: 10, examples, clause: "≥ 512 characters supported" },
    );
  });

  // Above 512 characters a server may refuse a state (the Pact profile's floor is 512), but RFC 6749
  // §4.1.2 leaves no room to shorten one it accepts: "the exact value received from the client".
  test("a state longer than 512 characters is echoed exactly or refused, never shortened", { tag: tags("AUTHZ-07"), annotation: [...reqs("AUTHZ-07"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const app = target.apps.spa;
    const every = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).join("");
    for (const length of [1024, 2048]) {
      const state = every.repeat(Math.ceil(length / every.length)).slice(0, length);
      const req = authorizeRequest({ client: app, state });
      const { post } = await approve(session, target, req.pairs);
      const loc = post.location;
      const withCode = (post.status === 302 || post.status === 303) && loc !== undefined && loc.startsWith(req.redirectUri) && new URL(loc).searchParams.has("code");
      await verdicts.check("AUTHZ-07", `a ${length}-character state: a success redirect carries it exactly (RFC 6749 §4.1.2); a refusal is allowed`, () => {
        if (withCode) ensureCodeRedirect(post, req.redirectUri, state, target.issuer);
      });
    }
  });
});

/** OAuth Parameters registry names (IANA), which AUTHZ-10's random extras avoid. */
const OAUTH_PARAMETER_REGISTRY = new Set([
  "client_id", "client_secret", "response_type", "redirect_uri", "scope", "state", "code", "error", "error_description", "error_uri",
  "grant_type", "access_token", "token_type", "expires_in", "username", "password", "refresh_token", "nonce", "display", "prompt",
  "max_age", "ui_locales", "claims_locales", "id_token_hint", "login_hint", "acr_values", "claims", "registration", "request",
  "request_uri", "id_token", "session_state", "assertion", "client_assertion", "client_assertion_type", "code_verifier",
  "code_challenge", "code_challenge_method", "claim_token", "pct", "rpt", "ticket", "upgraded", "vtr", "device_code", "resource",
  "audience", "requested_token_type", "subject_token", "subject_token_type", "actor_token", "actor_token_type", "issued_token_type",
  "response_mode", "nfv_token", "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "ace_profile", "nonce1", "nonce2",
  "ace_client_recipientid", "ace_server_recipientid", "req_cnf", "rs_cnf", "cnf", "authorization_details", "dpop_jkt",
  "sign_info", "kdcchallenge", "trust_chain", "token", "token_type_hint", "user_code", "verification_uri", "interval",
]);

interface Outcome {
  readonly consentScopes: string[] | null;
  readonly names: string[];
  readonly state: string | null;
}

async function outcomeOf(session: ProtocolClient, target: Target, pairs: Pairs, state: string, redirectUri: string): Promise<Outcome> {
  const { page, post } = await approve(session, target, pairs);
  const consentScopes = isConsentPage(page, target) ? scopesShown(page, target.scopes).sort() : null;
  const params = ensureCodeRedirect(post, redirectUri, state, target.issuer);
  return { consentScopes, names: [...new Set(params.keys())].sort(), state: params.get("state") };
}

function sameOutcome(a: Outcome, b: Outcome): string | null {
  if (JSON.stringify(a.consentScopes) !== JSON.stringify(b.consentScopes)) return `consent listed ${JSON.stringify(b.consentScopes)} instead of ${JSON.stringify(a.consentScopes)}`;
  if (!sameSet(a.names, b.names)) return `the redirect carries ${b.names.join(", ")} instead of ${a.names.join(", ")}`;
  if (a.state !== b.state) return "the state differs";
  return null;
}

test.describe("AUTHZ-10 unknown parameters are ignored; empty parameters count as omitted", () => {
  test("foo, x-trace and Pact-unimplemented extensions leave the flow unchanged; code_challenge= is PKCE-01", { tag: tags("AUTHZ-10"), annotation: [...reqs("AUTHZ-10"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const app = target.apps.spa;
    const base = authorizeRequest({ client: app, state: "s-10" });
    const baseline = await outcomeOf(session, target, base.pairs, "s-10", base.redirectUri);
    const extras: Array<[string, Array<[string, string]>, string]> = [
      ["foo=bar and x-trace=1", [["foo", "bar"], ["x-trace", "1"]], "unregistered names"],
      ["response_mode=fragment", [["response_mode", "fragment"]], "registered parameters that Pact does not implement"],
      ["prompt=none", [["prompt", "none"]], "registered parameters that Pact does not implement"],
      ["nonce=x", [["nonce", "x"]], "registered parameters that Pact does not implement"],
      ["resource=<issuer>/v1", [["resource", `${target.issuer}/v1`]], "registered parameters that Pact does not implement"],
    ];
    for (const [what, extra, clause] of extras) {
      await verdicts.check("AUTHZ-10", `${what} is ignored: same consent, same response parameters in the query (RFC 6749 §3.1)`, async () => {
        const req = authorizeRequest({ client: app, state: "s-10", extraParams: extra });
        const diff = sameOutcome(baseline, await outcomeOf(session, target, req.pairs, "s-10", req.redirectUri));
        ensure(diff === null, diff ?? "");
      }, { clause });
    }
    await verdicts.check("AUTHZ-10", "code_challenge= (no value) behaves as missing: invalid_request like PKCE-01 (RFC 6749 §3.1)", async () => {
      const req = authorizeRequest({ client: app, state: "s-10", challenge: "" });
      ensureErrorRedirect(await sendAuthorize(session, req.pairs, { label: "authorize: code_challenge=" }), { redirectUri: req.redirectUri, errors: ["invalid_request"], state: "s-10" });
    }, { clause: "unregistered names" });
  });

  test("property: random extra parameters outside the OAuth registry give the baseline outcome", { tag: tags("AUTHZ-10"), annotation: [...reqs("AUTHZ-10"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const app = target.apps.spa;
    const base = authorizeRequest({ client: app, state: "s-10" });
    const baseline = await outcomeOf(session, target, base.pairs, "s-10", base.redirectUri);
    const name = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,15}$/), vscharString(1, 16)).filter((n) => !OAUTH_PARAMETER_REGISTRY.has(n) && !OAUTH_PARAMETER_REGISTRY.has(n.toLowerCase()));
    const examples: Array<Array<[string, string]>> = [[["foo", "bar"]], [["x-trace", "1"]], [["utm_source", "mail"], ["lang", "de"]]];
    await checkProperty(
      verdicts,
      "AUTHZ-10",
      "adding unregistered parameters changes neither consent nor the response location's parameters",
      fc.array(fc.tuple(name, vscharString(0, 24)), { minLength: 1, maxLength: 3 }),
      async (extra) => {
        const req = authorizeRequest({ client: app, state: "s-10", extraParams: extra });
        const diff = sameOutcome(baseline, await outcomeOf(session, target, req.pairs, "s-10", req.redirectUri));
        ensure(diff === null, diff ?? "");
      },
      { numRuns: 15, examples, clause: "unregistered names" },
    );
  });
});
