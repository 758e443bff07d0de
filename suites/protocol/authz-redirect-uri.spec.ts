import { randomBytes } from "node:crypto";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure } from "../checks/http.ts";
import {
  authorizeRequest,
  decide,
  ensureCodeRedirect,
  ensureNoRedirectError,
  ensureNoRedirectErrorPage,
  isConsentPage,
  sendAuthorize,
  setParam,
} from "../checks/authz.ts";
import { applyMutations, effectiveMutations, identityMutations, isMutationOf, mutatedArb, type Mutated } from "../checks/redirect-mutations.ts";
import { AdminSession } from "../flows/admin.ts";
import { isLoginPage } from "../flows/login.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import type { Target } from "../targets/target.ts";
import type { AppIdentity } from "../targets/schema.ts";

/** Swaps the case of the first letter (a client_id differing only in letter case, AUTHZ-02). */
function swapFirstLetterCase(s: string): string {
  const i = s.search(/[A-Za-z]/);
  if (i < 0) return s;
  const c = s.charAt(i);
  return s.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + s.slice(i + 1);
}

function allClientIds(target: Target): Set<string> {
  return new Set(Object.values(target.apps).flatMap((a) => (a ? [a.clientId] : [])));
}

/** The request proceeds: the consent page with a session, the login page without one. */
/**
 * The request was accepted: with a session, the consent page, or (a remembered consent, which
 * CONSENT-08 allows a confidential client) the redirect to `redirectUri` with a code.
 */
function ensureProceeds(res: HttpResponse, target: Target, withSession: boolean, redirectUri: string): void {
  const remembered = res.isRedirect && (res.location ?? "").startsWith(redirectUri.replace(/[?#].*$/, "")) && res.locationUrl?.searchParams.has("code") === true;
  if (withSession) ensure(isConsentPage(res, target) || remembered, `expected the consent page (or a code for ${redirectUri}), got ${res.status}${res.location ? ` to ${res.locationUrl?.origin ?? "?"}` : ""}`);
  else ensure(isLoginPage(res, target.recipe) || (res.isRedirect && res.locationUrl?.origin === new URL(target.baseUrl).origin), `expected the login page, got ${res.status}`);
}

test.describe("AUTHZ-02 an unknown, missing or malformed client_id never redirects", () => {
  test("absent, empty, unknown and case-variant client_id, with and without a session", { tag: tags("AUTHZ-02"), annotation: [...reqs("AUTHZ-02"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const spa = target.apps.spa;
    const conf = target.apps.conf;
    const session = client.withJar(await codeFactory.session());
    const unknown = `no-such-client-${randomBytes(6).toString("hex")}`;
    const cases: Array<[string, string | null]> = [
      ["absent", null],
      ["empty (counts as omitted, RFC 6749 §3.1)", ""],
      ["unknown", unknown],
      ["upper-cased", spa.clientId.toUpperCase()],
      ["first letter case swapped", swapFirstLetterCase(spa.clientId)],
    ];
    const ids = allClientIds(target);
    // RFC 6749 §4.1.2.1: the redirect URI of another (real) client must not make the error redirect.
    const redirects = [conf.redirectUris[0] as string, spa.redirectUris[0] as string];
    for (const [who, c] of [["no session", client], ["session", session]] as Array<[string, ProtocolClient]>) {
      for (const [what, id] of cases) {
        if (id !== null && ids.has(id)) continue;
        for (const redirectUri of redirects) {
          const { pairs } = authorizeRequest({ client: spa, redirectUri });
          const res = await sendAuthorize(c, setParam(pairs, "client_id", id), { label: `authorize: client_id ${what}, ${who}` });
          await verdicts.check("AUTHZ-02", `client_id ${what} (${who}, redirect_uri ${redirectUri}) gives a no-redirect error (RFC 6749 §4.1.2.1)`, () => ensureNoRedirectError(res, target, { supplied: redirectUri }));
          await verdicts.check("AUTHZ-02", `client_id ${what} (${who}) answers 400 text/html (§0.4 no-redirect error)`, () => ensureNoRedirectErrorPage(res), { clause: "PACT-PROFILE" });
        }
      }
    }
  });

  test("the client_id of a deleted app never redirects", { tag: tags("AUTHZ-02"), annotation: [...reqs("AUTHZ-02"), ...needs("http", "session", "admin")] }, async ({ client, target, verdicts, codeFactory }) => {
    const admin = await AdminSession.open(client, target);
    // A throwaway public app, registered and deleted here, so a live target keeps its fixture apps.
    const app = await admin.registerIdentity("public", [target.apps.spa.scopes[0] as string]);
    const session = client.withJar(await codeFactory.session());
    const before = await sendAuthorize(session, authorizeRequest({ client: app }).pairs, { label: "authorize: registered app" });
    const control = await verdicts.check("AUTHZ-02", "control: the freshly registered app reaches consent", () => ensure(isConsentPage(before, target), `got ${before.status}`));
    if (control !== "passed") return;
    await admin.deleteApp(app.clientId);
    for (const [who, c] of [["no session", client.withJar()], ["session", session]] as Array<[string, ProtocolClient]>) {
      const res = await sendAuthorize(c, authorizeRequest({ client: app }).pairs, { label: `authorize: deleted app, ${who}` });
      await verdicts.check("AUTHZ-02", `client_id of a deleted app (${who}) gives a no-redirect error`, () => ensureNoRedirectError(res, target, { supplied: app.redirectUris[0] }));
      await verdicts.check("AUTHZ-02", `client_id of a deleted app (${who}) answers 400 text/html (§0.4)`, () => ensureNoRedirectErrorPage(res), { clause: "PACT-PROFILE" });
    }
  });

  test("property: random client_id values never redirect and never 5xx", { tag: tags("AUTHZ-02"), annotation: [...reqs("AUTHZ-02"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const session = client.withJar(await codeFactory.session());
    const ids = allClientIds(target);
    const spa = target.apps.spa;
    const examples = ["", "%00", "\u0000", `${spa.clientId}\u0000`, `${spa.clientId}%00`, "' OR '1'='1", "\"><script>alert(1)</script>", "../../etc/passwd", "..%2F..%2F", "*", "é", "😀", "a".repeat(4096)];
    const arb = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 4096 }),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 256 }),
        fc.string({ unit: "binary", minLength: 1, maxLength: 128 }),
        fc.constantFrom(...examples),
      )
      .filter((s) => !ids.has(s));
    await checkProperty(
      verdicts,
      "AUTHZ-02",
      "any client_id that names no client gives a no-redirect error, never 5xx",
      arb,
      async (id) => {
        const redirectUri = target.apps.conf.redirectUris[0] as string;
        const { pairs } = authorizeRequest({ client: spa, redirectUri });
        ensureNoRedirectError(await sendAuthorize(session, setParam(pairs, "client_id", id), { label: "authorize: random client_id" }), target, { supplied: redirectUri });
      },
      { numRuns: 50, examples },
    );
  });
});

/** The catalogue's R: CONF's first registered URI (https://client.test/cb in the entry's words). */
function registeredR(target: Target): { app: AppIdentity; r: string } {
  return { app: target.apps.conf, r: target.apps.conf.redirectUris[0] as string };
}

test.describe("AUTHZ-03 redirect_uri must match a registered URI exactly", () => {
  test("the catalogue's mutations of R give a no-redirect error; R proceeds", { tag: tags("AUTHZ-03"), annotation: [...reqs("AUTHZ-03"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const { app, r } = registeredR(target);
    const session = client.withJar(await codeFactory.session());
    const registered = new Set(app.redirectUris);
    for (const [who, c] of [["no session", client], ["session", session]] as Array<[string, ProtocolClient]>) {
      for (const op of identityMutations(r))
        verdicts.skip("AUTHZ-03", `the ${op} mutation leaves ${JSON.stringify(r)} unchanged, so it is no mutation of this URI (not applicable)`, `redirect_uri ${op} (${who})`);
      for (const op of effectiveMutations(r)) {
        const u = applyMutations(r, { ops: [op], k: 0 });
        if (registered.has(u)) continue;
        const { pairs } = authorizeRequest({ client: app, redirectUri: u });
        const res = await sendAuthorize(c, pairs, { label: `authorize: redirect_uri ${op}, ${who}` });
        await verdicts.check("AUTHZ-03", `redirect_uri ${JSON.stringify(u)} (${op}, ${who}) gives a no-redirect error (RFC 6749 §3.1.2.3, §3.1.2.4)`, () => ensureNoRedirectError(res, target, { supplied: u }));
        await verdicts.check("AUTHZ-03", `redirect_uri ${op} (${who}) answers 400 text/html (§0.4)`, () => ensureNoRedirectErrorPage(res), { clause: "PACT-PROFILE" });
      }
      const other = target.apps.conf2?.redirectUris[0] ?? (target.apps.spa.redirectUris[0] as string);
      const res = await sendAuthorize(c, authorizeRequest({ client: app, redirectUri: other }).pairs, { label: `authorize: another client's redirect_uri, ${who}` });
      await verdicts.check("AUTHZ-03", `another client's registered URI (${who}) gives a no-redirect error`, () => ensureNoRedirectError(res, target, { supplied: other }));

      // RFC 6749 §3.1.2.3: with several URIs registered, redirect_uri is REQUIRED (MUST); Pact requires it always (AMB-05).
      if (app.redirectUris.length > 1) {
        const omitted = await sendAuthorize(c, setParam(authorizeRequest({ client: app }).pairs, "redirect_uri", null), { label: `authorize: redirect_uri omitted, ${who}` });
        await verdicts.check("AUTHZ-03", `redirect_uri omitted for a client with ${app.redirectUris.length} registered URIs (${who}) gives a no-redirect error (RFC 6749 §3.1.2.3)`, () => ensureNoRedirectError(omitted, target));
      }
      const single = [target.apps.conf2, target.apps.spa].find((a) => a !== undefined && a.redirectUris.length === 1);
      if (single) {
        const res1 = await sendAuthorize(c, setParam(authorizeRequest({ client: single }).pairs, "redirect_uri", null), { label: `authorize: redirect_uri omitted (single URI), ${who}` });
        await verdicts.check("AUTHZ-03", `redirect_uri omitted for ${single.clientId}, which registers one URI (${who}), gives a no-redirect error (AMB-05)`, () => {
          ensureNoRedirectError(res1, target);
          ensureNoRedirectErrorPage(res1);
        }, { clause: "PACT-PROFILE" });
      } else {
        verdicts.skip("AUTHZ-03", "the target file names no app with exactly one redirect URI", "redirect_uri omitted with a single registered URI");
      }

      const ok = await sendAuthorize(c, authorizeRequest({ client: app, redirectUri: r }).pairs, { label: `authorize: R itself, ${who}` });
      await verdicts.check("AUTHZ-03", `R itself proceeds (${who})`, () => ensureProceeds(ok, target, who === "session", r));
    }

    // RFC 6749 §10.14: a reflected redirect_uri is HTML-escaped.
    const hostile = `${r}"><script>alert(1)</script>`;
    const res = await sendAuthorize(session, authorizeRequest({ client: app, redirectUri: hostile }).pairs, { label: "authorize: hostile redirect_uri" });
    await verdicts.check("AUTHZ-03", "a rejected redirect_uri shown on the error page is HTML-escaped (RFC 6749 §10.14)", () => ensureNoRedirectError(res, target, { supplied: hostile }));
  });

  test("property: any composition of the mutations gives a no-redirect error", { tag: tags("AUTHZ-03"), annotation: [...reqs("AUTHZ-03"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory }) => {
    const { app, r } = registeredR(target);
    const session = client.withJar(await codeFactory.session());
    const registered = new Set(app.redirectUris);
    const examples: Mutated[] = (<Mutated[]>[
      ...effectiveMutations(r).map((op) => ({ ops: [op], k: 0 })),
      { ops: ["hostCase", "pathCase", "schemeCase"], k: 0 },
      { ops: ["defaultPort", "trailingSlash"], k: 0 },
      { ops: ["pctUnreserved"], k: 3 },
    ]).filter((m) => isMutationOf(r, m, registered));
    await checkProperty(
      verdicts,
      "AUTHZ-03",
      "u′ ≠ every registered URI (byte-wise) gives a no-redirect error; only byte-equal strings are accepted",
      mutatedArb().filter((m) => isMutationOf(r, m, registered)),
      async (m) => {
        const u = applyMutations(r, m);
        ensureNoRedirectError(await sendAuthorize(session, authorizeRequest({ client: app, redirectUri: u }).pairs, { label: `authorize: ${m.ops.join("+")}` }), target, { supplied: u });
      },
      { numRuns: 100, examples },
    );
  });
});

/** Loopback IP redirect URIs registered without a port (RFC 8252 §7.3). */
function portlessLoopback(app: AppIdentity | undefined): string[] {
  return (app?.redirectUris ?? []).filter((u) => /^http:\/\/(127\.0\.0\.1|\[::1\])(?=[/?]|$)/.test(u));
}

function withPort(uri: string, port: number | null): string {
  if (port === null) return uri;
  return uri.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\]))/, `$1:${port}`);
}

test.describe("AUTHZ-04 loopback redirects accept any port and nothing else varies", () => {
  test("property: every port 1–65535 and no port proceeds and the final redirect echoes it", { tag: tags("AUTHZ-04"), annotation: [...reqs("AUTHZ-04"), ...needs("http", "session", "code")] }, async ({ client, target, verdicts, codeFactory }) => {
    const cli = target.apps.cli;
    const loopbacks = portlessLoopback(cli);
    if (!cli || loopbacks.length === 0) {
      verdicts.skip("AUTHZ-04", "the target file names no CLI app with a loopback redirect URI registered without a port");
      return;
    }
    const session = client.withJar(await codeFactory.session());
    const examples: Array<[string, number | null]> = loopbacks.flatMap((u) => [null, 1, 80, 443, 5173, 8080, 65535].map((p) => [u, p] as [string, number | null]));
    await checkProperty(
      verdicts,
      "AUTHZ-04",
      "http://127.0.0.1:p/… and http://[::1]:p/… proceed for any p (and none), and the code comes back to exactly that URI",
      fc.tuple(fc.constantFrom(...loopbacks), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null })),
      async ([uri, port]) => {
        const u = withPort(uri, port);
        const req = authorizeRequest({ client: cli, redirectUri: u });
        const page = await sendAuthorize(session, req.pairs, { label: `authorize: loopback port ${port ?? "none"}` });
        ensure(isConsentPage(page, target), `redirect_uri ${u} did not reach consent (got ${page.status})`);
        const { final: post } = await decide(session, page, target, "approve");
        ensureCodeRedirect(post, u, req.state, target.issuer);
      },
      { numRuns: 16, examples },
    );
  });

  test("path, host, scheme and query changes of a loopback URI are rejected; other hosts get no port rule", { tag: tags("AUTHZ-04"), annotation: [...reqs("AUTHZ-04"), ...needs("http", "session")] }, async ({ client, target, verdicts, codeFactory, run }) => {
    const session = client.withJar(await codeFactory.session());
    const cli = target.apps.cli;
    const loopbacks = portlessLoopback(cli);
    if (cli && loopbacks.length > 0) {
      for (const uri of loopbacks) {
        const port = 1024 + Math.abs(run.seed % 60000);
        const bad: Array<[string, string]> = [
          ["path changed", `${withPort(uri, port)}2`],
          ["path case changed", withPort(uri, port).replace(/\/([a-z])/, (_m, c: string) => `/${c.toUpperCase()}`)],
          ["trailing slash", `${withPort(uri, port)}/`],
          ["localhost instead of the IP literal (RFC 8252 §8.3)", withPort(uri, port).replace(/127\.0\.0\.1|\[::1\]/, "localhost")],
          ["https", withPort(uri, port).replace(/^http:/, "https:")],
          ["another loopback address", withPort(uri, port).replace("127.0.0.1", "127.0.0.2").replace("[::1]", "[::2]")],
          // The registered URI itself, port-less, is valid too (AUTHZ-04: "and also with no port"), so its aliases are tried port-less as well.
          ["localhost instead of the IP literal, no port", uri.replace(/127\.0\.0\.1|\[::1\]/, "localhost")],
          ["another loopback address, no port", uri.replace("127.0.0.1", "127.0.0.2").replace("[::1]", "[::2]")],
          ["added query", `${withPort(uri, port)}${uri.includes("?") ? "&" : "?"}x=1`],
        ];
        for (const [what, u] of bad) {
          const res = await sendAuthorize(session, authorizeRequest({ client: cli, redirectUri: u }).pairs, { label: `authorize: loopback ${what}` });
          await verdicts.check("AUTHZ-04", `${JSON.stringify(u)} (${what}) gives a no-redirect error`, () => ensureNoRedirectError(res, target, { supplied: u }));
        }
      }
      // RFC 8252 §7.3: only the port of a loopback IP literal registered without one may vary.
      const isAllowed = (u: string): boolean =>
        loopbacks.some((l) => {
          const m = /^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(.*)$/s.exec(l);
          if (!m) return false;
          const prefix = m[1] as string;
          const tail = m[2] as string;
          if (u === l) return true;
          if (!u.startsWith(`${prefix}:`)) return false;
          const rest = u.slice(prefix.length + 1);
          if (!rest.endsWith(tail)) return false;
          const port = rest.slice(0, rest.length - tail.length);
          return /^[1-9][0-9]{0,4}$/.test(port) && Number(port) <= 65535;
        });
      await checkProperty(
        verdicts,
        "AUTHZ-04",
        "every AUTHZ-03 mutation of a loopback URI with any port is rejected",
        fc.tuple(fc.constantFrom(...loopbacks), fc.integer({ min: 1, max: 65535 }), mutatedArb()).filter(([u, p, m]) => !isAllowed(applyMutations(withPort(u, p), m))),
        async ([uri, port, m]) => {
          const u = applyMutations(withPort(uri, port), m);
          ensureNoRedirectError(await sendAuthorize(session, authorizeRequest({ client: cli, redirectUri: u }).pairs, { label: `authorize: loopback ${m.ops.join("+")}` }), target, { supplied: u });
        },
        { numRuns: 60 },
      );
    } else {
      verdicts.skip("AUTHZ-04", "the target file names no CLI app with a loopback redirect URI registered without a port", "loopback mutations are rejected");
    }

    // The exception covers loopback IP literals only (RFC 8252 §7.3).
    const conf = target.apps.conf;
    const confPort = applyMutations(conf.redirectUris[0] as string, { ops: ["otherPort"], k: 0 });
    if (conf.redirectUris.includes(confPort)) verdicts.skip("AUTHZ-04", `CONF's URI already has port 8443, so the port mutation leaves it unchanged (not applicable)`, "CONF's URI with another port");
    else {
      const res = await sendAuthorize(session, authorizeRequest({ client: conf, redirectUri: confPort }).pairs, { label: "authorize: CONF with another port" });
      await verdicts.check("AUTHZ-04", `CONF's URI with port 8443 (${confPort}) gives a no-redirect error`, () => ensureNoRedirectError(res, target, { supplied: confPort }));
    }

    // A loopback URI registered with a port is matched exactly (PACT-PROFILE; either behaviour under rfc).
    const spa = target.apps.spa;
    const withRegisteredPort = spa.redirectUris.find((u) => /^http:\/\/(127\.0\.0\.1|\[::1\]):\d+/.test(u));
    if (withRegisteredPort) {
      const variants = [withRegisteredPort.replace(/:(\d+)/, (_m, p: string) => `:${Number(p) === 65535 ? 1 : Number(p) + 1}`), withRegisteredPort.replace(/:\d+/, "")];
      for (const u of variants) {
        const r = await sendAuthorize(session, authorizeRequest({ client: spa, redirectUri: u }).pairs, { label: "authorize: SPA loopback port changed" });
        await verdicts.check("AUTHZ-04", `SPA's port-registered loopback URI is exact: ${u} gives a no-redirect error`, () => ensureNoRedirectError(r, target, { supplied: u }), { clause: "PACT-PROFILE" });
      }
    } else {
      verdicts.skip("AUTHZ-04", "the SPA app registers no loopback URI with a port", "a loopback URI registered with a port is matched exactly");
    }
  });
});
