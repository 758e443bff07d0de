import { CheckError, CheckSkipped, test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureNot5xx } from "../checks/http.ts";
import {
  authorizeRequest,
  decide,
  duplicateParam,
  ensureErrorRedirect,
  ensureNoRedirectError,
  ensureNoRedirectErrorPage,
  ensureRefusedWithoutConsent,
  errorRedirectParams,
  isConsentPage,
  loginThrough,
  paramOf,
  scopesShown,
  sendAuthorize,
  setParam,
  type SpaceEncoding,
} from "../checks/authz.ts";
import { base64urlString, errorTriggers, otherChallenge, RESPONSE_TYPE_UNSUPPORTED, triggerRequest, unreservedString, vscharString, type ErrorTrigger } from "../checks/authz-triggers.ts";
import { isLoginPage } from "../flows/login.ts";
import { exchangeCode } from "../flows/tokens.ts";
import type { ProtocolClient } from "../http/client.ts";
import { sameSet } from "../checks/http.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import { unapprovedConfidential } from "../flows/consent.ts";

const SPACES: readonly SpaceEncoding[] = ["%20", "+"];

/** Sends one trigger with a session and records its error-class verdicts. */
async function checkTrigger(verdicts: Verdicts, session: ProtocolClient, target: Target, t: ErrorTrigger, state: string): Promise<void> {
  const req = triggerRequest(target, t, state);
  const res = await sendAuthorize(session, req.altered, { label: `authorize: ${t.name}` });
  const exp = { redirectUri: req.redirectUri, errors: t.errors, state: t.stateBack ? state : null, fragmentTolerated: verdicts.profile === "rfc" && t.tokenBearing === true };
  if (t.id === "AUTHZ-09") {
    await verdicts.check(t.id, `${t.name}: refused without consent or code (RFC 6749 §3.1)`, () => ensureRefusedWithoutConsent(res, target), { clause: "MUST" });
    await verdicts.check(t.id, `${t.name}: error redirect invalid_request${t.stateBack ? " with the single state" : " without state"} (AMB-19)`, () => ensureErrorRedirect(res, exp), { clause: t.clause });
    return;
  }
  await verdicts.check(t.id, `${t.name}: error redirect ${t.errors.join("|")} with state, no code or token (RFC 6749 §4.1.2.1)`, () => ensureErrorRedirect(res, exp), { clause: t.clause });
  if (t.pactErrors && t.pactClause) {
    const pact = t.pactErrors;
    await verdicts.check(t.id, `${t.name}: error is ${pact.join("|")}`, () => ensureErrorRedirect(res, { ...exp, errors: pact }), { clause: t.pactClause });
  }
}

function triggerTest(ids: string[], title: string): void {
  test(title, { tag: tags(...ids), annotation: [...reqs(...ids), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    for (const t of errorTriggers(target).filter((x) => ids.includes(x.id))) await checkTrigger(verdicts, session, target, t, `st-${t.name.length}-&=+%# "'<x>`);
  });
}

test.describe("AUTHZ-05 response_type is validated", () => {
  triggerTest(["AUTHZ-05"], "missing and unsupported response types give their error redirects, never a token");

  test("property: any response_type other than code gives an error redirect with state and no code or token", { tag: tags("AUTHZ-05"), annotation: [...reqs("AUTHZ-05"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const examples = [...RESPONSE_TYPE_UNSUPPORTED, "", "code ", " code", "code code", "none", "code%20token", "c\u006fde\u0000"];
    await checkProperty(
      verdicts,
      "AUTHZ-05",
      "response_type ≠ code gives error ∈ {unsupported_response_type, invalid_request} with the state echoed",
      fc.oneof(fc.string({ maxLength: 24 }), fc.constantFrom(...examples)).filter((s) => s !== "code"),
      async (rt) => {
        const req = authorizeRequest({ client: target.apps.conf, state: "s-05" });
        const res = await sendAuthorize(session, setParam(req.pairs, "response_type", rt), { label: "authorize: random response_type" });
        ensureErrorRedirect(res, { redirectUri: req.redirectUri, errors: ["unsupported_response_type", "invalid_request"], state: "s-05", fragmentTolerated: verdicts.profile === "rfc" });
      },
      { numRuns: 40, examples, clause: "error redirect" },
    );
  });
});

test.describe("AUTHZ-06 a scope the client has not registered gives invalid_scope", () => {
  triggerTest(["AUTHZ-06"], "unregistered, unknown, case-variant, malformed and omitted scopes give invalid_scope");

  test("a repeated scope token is accepted as one (AMB-07)", { tag: tags("AUTHZ-06"), annotation: [...reqs("AUTHZ-06"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    const session = client.withJar(await codeFactory.session());
    const conf = await verdicts.precondition("a confidential app no user has approved yet", () => unapprovedConfidential(client, target, fresh));
    const s = conf.scopes[0] as string;
    const res = await sendAuthorize(session, authorizeRequest({ client: conf, scope: `${s} ${s}` }).pairs, { label: "authorize: repeated scope token" });
    await verdicts.check("AUTHZ-06", `scope "${s} ${s}" proceeds to a consent page listing ${s} once`, () => {
      ensure(isConsentPage(res, target), `expected the consent page, got ${res.status}`);
      ensure(sameSet(scopesShown(res, target.scopes), [s]), `the page lists ${JSON.stringify(scopesShown(res, target.scopes))}`);
    }, { clause: "duplicate tokens collapse" });
  });

  test("property: S ⊆ registered proceeds listing S, S ⊄ registered gives invalid_scope, %20 and + alike, grant ⊆ requested ∩ registered", { tag: tags("AUTHZ-06"), annotation: [...reqs("AUTHZ-06"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory, fresh }) => {
    const app = await verdicts.precondition("a confidential app no user has approved yet", () => unapprovedConfidential(client, target, fresh));
    const session = client.withJar(await codeFactory.session());
    const adminSession = client.withJar(await codeFactory.session(target.users.admin));
    const universe = [...target.scopes, "nope:nothing"];
    const registered = new Set(app.scopes);
    const examples: string[][] = [[...app.scopes], [app.scopes[0] as string], [...target.scopes], ["nope:nothing"], [app.scopes[0] as string, "nope:nothing"]];
    let exchanged = 0;
    await checkProperty(
      verdicts,
      "AUTHZ-06",
      "the outcome depends only on S ⊆ registered, whatever the space encoding",
      fc.shuffledSubarray(universe, { minLength: 1 }),
      async (scopes) => {
        const inside = scopes.every((s) => registered.has(s));
        const outcomes: string[] = [];
        for (const space of SPACES) {
          const req = authorizeRequest({ client: app, scope: scopes.join(" "), state: "s-06" });
          const res = await sendAuthorize(session, req.pairs, { space, label: `authorize: scope (${space})` });
          if (inside) {
            ensure(isConsentPage(res, target), `S ⊆ registered (${scopes.join(" ")}, spaces as ${space}) did not reach consent (got ${res.status})`);
            const shown = scopesShown(res, target.scopes);
            ensure(sameSet(shown, scopes), `consent lists ${JSON.stringify(shown)} for S = ${JSON.stringify(scopes)}`);
            if (space === "+" && exchanged < 6) {
              // The grant is taken by another user, so that no covering grant lets the member skip consent later (AMB-23).
              exchanged++;
              const r = await sendAuthorize(adminSession, req.pairs, { label: "authorize: as admin, for the grant" });
              const post = isConsentPage(r, target) ? (await decide(adminSession, r, target, "approve")).final : r;
              const code = post.locationUrl?.searchParams.get("code");
              ensure(code, `approve gave no code (${post.status})`);
              const tok = await exchangeCode(client, app, { code, redirectUri: req.redirectUri, verifier: req.verifier });
              const body = tok.jsonOrUndefined() as { scope?: unknown } | undefined;
              ensure(tok.status === 200 && body, `code exchange answered ${tok.status}`);
              const granted = typeof body.scope === "string" ? body.scope.split(" ") : scopes;
              const extra = granted.filter((g) => !(scopes.includes(g) && registered.has(g)));
              ensure(extra.length === 0, `granted scope has ${extra.join(", ")} beyond requested ∩ registered`);
            }
            outcomes.push("consent");
          } else {
            ensureErrorRedirect(res, { redirectUri: req.redirectUri, errors: ["invalid_scope"], state: "s-06" });
            outcomes.push("invalid_scope");
          }
        }
        ensure(outcomes[0] === outcomes[1], `%20 gave ${outcomes[0]}, + gave ${outcomes[1]}`);
      },
      { numRuns: 25, examples },
    );
  });
});

test.describe("AUTHZ-09 duplicate parameters are rejected", () => {
  triggerTest(["AUTHZ-09"], "repeated response_type, scope, code_challenge(_method) and state give invalid_request");

  test("repeated client_id or redirect_uri never redirects", { tag: tags("AUTHZ-09"), annotation: [...reqs("AUTHZ-09"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const conf = target.apps.conf;
    const otherId = target.apps.spa.clientId;
    const otherUri = conf.redirectUris[1] ?? (target.apps.spa.redirectUris[0] as string);
    const cases: Array<[string, string, string]> = [
      ["client_id", conf.clientId, "the same value"],
      ["client_id", otherId, "another client's id"],
      ["redirect_uri", conf.redirectUris[0] as string, "the same value"],
      ["redirect_uri", otherUri, "another registered URI"],
    ];
    for (const [p, v2, what] of cases) {
      const req = authorizeRequest({ client: conf });
      const res = await sendAuthorize(session, duplicateParam(req.pairs, p, v2), { label: `authorize: ${p} repeated` });
      await verdicts.check("AUTHZ-09", `${p} repeated with ${what}: refused without consent or code`, () => ensureRefusedWithoutConsent(res, target), { clause: "MUST" });
      await verdicts.check("AUTHZ-09", `${p} repeated with ${what}: a no-redirect error, since the redirect target cannot be trusted (AMB-19)`, () => {
        ensureNoRedirectError(res, target);
        ensureNoRedirectErrorPage(res);
      }, { clause: "which case redirects" });
    }
  });

  test("property: any parameter repeated with any pair of values is refused", { tag: tags("AUTHZ-09"), annotation: [...reqs("AUTHZ-09"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const names = ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"];
    await checkProperty(
      verdicts,
      "AUTHZ-09",
      "for every parameter p and values (v1, v2), v1 = v2 included, the request is refused without consent",
      fc.record({ p: fc.constantFrom(...names), same: fc.boolean(), v2: vscharString(1, 40), adjacent: fc.boolean() }),
      async ({ p, same, v2, adjacent }) => {
        const req = authorizeRequest({ client: target.apps.conf, state: "s-09" });
        const v = same ? (paramOf(req.pairs, p) ?? "") : v2;
        const pairs = adjacent ? duplicateParam(req.pairs, p, v) : [...req.pairs, [p, v] as [string, string]];
        ensureRefusedWithoutConsent(await sendAuthorize(session, pairs, { label: `authorize: ${p} repeated` }), target);
      },
      { numRuns: 50, clause: "MUST" },
    );
  });
});

test.describe("PKCE-01..04 the code challenge is required, S256 only, and well-formed", () => {
  triggerTest(["PKCE-01", "PKCE-02"], "PKCE-01/02 a missing or empty code_challenge gives invalid_request");
  triggerTest(["PKCE-03", "PKCE-04"], "PKCE-03/04 methods other than S256 and malformed challenges give invalid_request");

  test("PKCE-03 only the exact string S256 proceeds; property: any other method gives invalid_request", { tag: tags("PKCE-03"), annotation: [...reqs("PKCE-03"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const ok = await sendAuthorize(session, authorizeRequest({ client: target.apps.spa }).pairs, { label: "authorize: S256" });
    await verdicts.check("PKCE-03", "code_challenge_method=S256 proceeds to consent", () => ensure(isConsentPage(ok, target), `got ${ok.status}`), { clause: "error code" });
    const examples = ["s256", "SHA256", "S512", "S256 ", " S256", "S-256", "sha-256", "S384", "none", "PLAIN", "S256,plain"];
    await checkProperty(
      verdicts,
      "PKCE-03",
      "code_challenge_method ∉ {S256, plain, absent} gives invalid_request (RFC 7636 §4.4.1)",
      fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom(...examples)).filter((m) => m !== "S256" && m !== "plain"),
      async (m) => {
        const req = authorizeRequest({ client: target.apps.spa, state: "s-p3" });
        ensureErrorRedirect(await sendAuthorize(session, setParam(req.pairs, "code_challenge_method", m), { label: "authorize: random method" }), { redirectUri: req.redirectUri, errors: ["invalid_request"], state: "s-p3" });
      },
      { numRuns: 30, examples, clause: "error code" },
    );
  });

  test("PKCE-04 properties: lengths outside 43–128 and characters outside unreserved are rejected; 43 base64url characters are accepted", { tag: tags("PKCE-04"), annotation: [...reqs("PKCE-04"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const app = target.apps.spa;
    const send = async (challenge: string, label: string) => {
      const req = authorizeRequest({ client: app, state: "s-p4", challenge });
      return { req, res: await sendAuthorize(session, req.pairs, { label }) };
    };
    const rejected = async (challenge: string): Promise<void> => {
      const { req, res } = await send(challenge, "authorize: challenge");
      ensureErrorRedirect(res, { redirectUri: req.redirectUri, errors: ["invalid_request"], state: "s-p4" });
    };
    const lengthExamples = [0, 1, 42, 129, 130, 512].map((n) => "A".repeat(n));
    await checkProperty(
      verdicts,
      "PKCE-04",
      "every length L ∈ [0, 42] ∪ [129, 512] of unreserved characters is rejected",
      fc.oneof(unreservedString(0, 42), unreservedString(129, 512)),
      rejected,
      { numRuns: 25, examples: lengthExamples, clause: "ABNF" },
    );
    const accepted = [otherChallenge(), "A".repeat(43), "-".repeat(43), "_".repeat(43)];
    await checkProperty(
      verdicts,
      "PKCE-04",
      "every 43-character string over the base64url alphabet is accepted",
      base64urlString(43),
      async (c) => {
        const { res } = await send(c, "authorize: 43 base64url characters");
        ensure(isConsentPage(res, target), `a valid challenge did not reach consent (got ${res.status}${res.locationUrl ? ` error=${res.locationUrl.searchParams.get("error")}` : ""})`);
      },
      { numRuns: 25, examples: accepted, clause: "ABNF" },
    );
    const outside = ["+", "/", "=", " ", "%", "!", "*", "'", "(", "é", "\u0000", "\u007f", "😀"];
    const charExamples = outside.map((ch) => ({ base: "B".repeat(43), at: 42, ch }));
    await checkProperty(
      verdicts,
      "PKCE-04",
      "every string with at least one character outside the unreserved set is rejected",
      fc.record({ base: base64urlString(43), at: fc.nat({ max: 42 }), ch: fc.oneof(fc.constantFrom(...outside), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => !/^[A-Za-z0-9\-._~]$/.test(c))) }),
      async ({ base, at, ch }) => rejected(base.slice(0, at) + ch + base.slice(at + 1)),
      { numRuns: 25, examples: charExamples, clause: "ABNF" },
    );
    const shapeExamples = [`${"A".repeat(43)}A`, "A".repeat(128), `${"A".repeat(42)}.`, `${"A".repeat(42)}~`];
    await checkProperty(
      verdicts,
      "PKCE-04",
      "with S256, anything but 43 base64url characters is rejected (44–128 unreserved, or . and ~)",
      fc.oneof(unreservedString(44, 128), fc.record({ base: base64urlString(43), at: fc.nat({ max: 42 }), ch: fc.constantFrom(".", "~") }).map(({ base, at, ch }) => base.slice(0, at) + ch + base.slice(at + 1))),
      rejected,
      { numRuns: 20, examples: shapeExamples, clause: "exact S256 shape" },
    );
  });
});

test.describe("AUTHZ-08 every error redirect carries state", () => {
  test("property: every error trigger × a random VSCHAR state returns the exact state", { tag: tags("AUTHZ-08"), annotation: [...reqs("AUTHZ-08"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await verdicts.precondition("a signed-in session", () => codeFactory.session()));
    // Only triggers that are errors under this run's profile, and that keep the state.
    const triggers = errorTriggers(target).filter((t) => t.stateBack && verdicts.applies(t.id, t.clause));
    const DENY = "access_denied (Deny on the consent page)";
    const names = [...triggers.map((t) => t.name), DENY];
    const byName = new Map(triggers.map((t) => [t.name, t]));
    const edge = "&=+%# \"'<script>x</script>";
    const examples = names.map((n) => ({ name: n, state: edge, space: "%20" as SpaceEncoding }));
    let observed = 0;
    /**
     * AUTHZ-08 owns the state of an error redirect and that it carries no code (RFC 6749 §4.1.2.1).
     * Whether a trigger is redirected at all, with which error code, in the query or the fragment,
     * belongs to the trigger's own entry (AUTHZ-05/06/09, PKCE-01..04, CONSENT-04; catalogue §0.1):
     * a response that is not an error redirect has no state for AUTHZ-08 to judge.
     */
    const judge = (res: HttpResponse, redirectUri: string, state: string): void => {
      const found = errorRedirectParams(res, redirectUri);
      if (!found) return;
      observed++;
      ensure(!found.hasCode, "an error redirect carries a code (RFC 6749 §4.1.2.1)");
      ensure(found.params.has("state"), `the error redirect (error=${found.params.get("error")}, in the ${found.where}) lacks the request's state (RFC 6749 §4.1.2.1)`);
      ensure(found.params.get("state") === state, `state came back altered: sent ${JSON.stringify(state)}, got ${JSON.stringify(found.params.get("state"))}`);
    };
    await checkProperty(
      verdicts,
      "AUTHZ-08",
      "state comes back byte-equal on every error redirect, which carries no code (RFC 6749 §4.1.2.1)",
      fc.record({ name: fc.constantFrom(...names), state: vscharString(1, 128), space: fc.constantFrom(...SPACES) }),
      async ({ name, state, space }) => {
        if (name === DENY) {
          const req = authorizeRequest({ client: target.apps.spa, state });
          const page = await sendAuthorize(session, req.pairs, { space, label: "authorize: for Deny" });
          // No consent page to deny (a remembered consent, CONSENT-08): no access_denied redirect to look at.
          if (!isConsentPage(page, target)) return;
          const { final: post } = await decide(session, page, target, "deny");
          judge(post, req.redirectUri, state);
          return;
        }
        const t = byName.get(name) as ErrorTrigger;
        const req = triggerRequest(target, t, state);
        judge(await sendAuthorize(session, req.altered, { space, label: `authorize: ${t.name}` }), req.redirectUri, state);
      },
      { numRuns: 40, examples },
    );
    if (observed === 0) {
      await verdicts.check("AUTHZ-08", "at least one trigger was answered with an error redirect whose state could be read", () => {
        throw new CheckError("no trigger of AUTHZ-05/06/09, PKCE-01..04 or Deny was answered with an error redirect to the client; those entries report why");
      });
    }
  });
});

test.describe("AUTHZ-11 error redirects happen only after the user is authenticated", () => {
  test("property: every error trigger sent without a session stays on the target; after login it is redirected", { tag: tags("AUTHZ-11"), annotation: [...reqs("AUTHZ-11"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const origin = new URL(target.baseUrl).origin;
    const triggers = errorTriggers(target);
    const examples = triggers.map((t) => ({ name: t.name, state: "s-11" }));
    await checkProperty(
      verdicts,
      "AUTHZ-11",
      "without a session, any Location stays on the target (RFC 9700 §4.11.2)",
      fc.record({ name: fc.constantFrom(...triggers.map((t) => t.name)), state: vscharString(1, 64) }),
      async ({ name, state }) => {
        const t = triggers.find((x) => x.name === name) as ErrorTrigger;
        const anon = client.withJar();
        const res = await sendAuthorize(anon, triggerRequest(target, t, state).altered, { label: `authorize without session: ${t.name}` });
        ensureNot5xx(res);
        if (res.isRedirect) ensure(res.locationUrl?.origin === origin, `${t.name}: a ${res.status} to ${res.locationUrl?.origin ?? "an unusable Location"} before login`);
        else ensure(res.status === 200 && isLoginPage(res, target.recipe), `${t.name}: expected the login page (200), got ${res.status}`);
      },
      { numRuns: 10, examples },
    );
    // After login the same request continues to its error redirect (only now, RFC 9700 §4.11.2): one trigger per requirement.
    const firstPerId = triggers.filter((x, i) => verdicts.applies(x.id, x.clause) && triggers.findIndex((y) => y.id === x.id && verdicts.applies(y.id, y.clause)) === i);
    for (const t of firstPerId) {
      const anon = client.withJar();
      const req = triggerRequest(target, t, "s-11");
      const first = await sendAuthorize(anon, req.altered, { label: `authorize without session: ${t.name}` });
      // AUTHZ-11 owns the order (RFC 9700 §4.11.2): login first, the error redirect only after it. Which
      // error code, where it sits and whether the trigger is an error at all on this server are the
      // trigger's own entry (see t.id; catalogue §0.1): after login any error redirect to the client
      // passes, and a request the server does not treat as an error has nothing for AUTHZ-11 to order.
      await verdicts.check("AUTHZ-11", `${t.name}: the login page comes first, the error redirect after login`, async () => {
        let final: HttpResponse;
        try {
          ({ final } = await loginThrough(anon, first, target.users.member, target));
        } catch (e) {
          throw new CheckError(`could not sign in from the page the request was answered with: ${e instanceof Error ? e.message : String(e)}`);
        }
        ensureNot5xx(final);
        if (errorRedirectParams(final, req.redirectUri)) return;
        throw new CheckSkipped(`after login the server did not answer this trigger with an error redirect (${final.status}${isConsentPage(final, target) ? ", the consent page" : ""}); ${t.id} judges that`);
      });
    }
  });
});
