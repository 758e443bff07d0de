import { test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureStatus, ensureTokenError, needed } from "../checks/http.ts";
import { ensureBearerAccepted, ensureSecretAbsent, estimateEntropy, maxSharedBeyondPrefix } from "../checks/admin.ts";
import { AdminSession, type AppType } from "../flows/admin.ts";
import { clientCredentials, exchangeCode, type CodeFactory } from "../flows/index.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { AppIdentity } from "../targets/schema.ts";

const stamp = (): string => Date.now().toString(36);

function accessToken(body: unknown): string {
  const t = (body as { access_token?: unknown } | undefined)?.access_token;
  ensure(typeof t === "string", "no access_token in the response");
  return t;
}

// ---- REG-04 grammar ---------------------------------------------------------------------
//
// RFC 3986 §3 (URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]), RFC 6749 §3.1.2
// (absolute, no fragment), RFC 9700 §2.1/§2.6 (exact URIs, http only on loopback), RFC 8252
// §7.1 (reverse-DNS private-use schemes), §7.3 (loopback IP literals), §8.3 (localhost NOT
// RECOMMENDED). Valid values deliberately carry what a normaliser would change (upper-case
// host, default port, dot-segments, percent-encoded unreserved characters), so byte-identical
// storage is observable (RFC 3986 §6.2.1: simple string comparison).

interface UriCase {
  readonly uri: string;
  readonly type: AppType;
  /** Why it is invalid (for messages); "valid" for acceptances. */
  readonly kind: string;
}

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}[a-z0-9]$/);
const host = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom("test", "example", "com", "Example")).map(([ls, tld]) => [...ls, tld].join("."));
const segment = fc.stringMatching(/^([A-Za-z0-9._~-]|%[0-9A-F]{2}){1,10}$/);
const path = fc.array(fc.oneof(segment, fc.constantFrom(".", "..", "%7E", "Callback")), { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`);
const query = fc.option(fc.array(fc.tuple(segment, segment).map(([k, v]) => `${k}=${v}`), { minLength: 1, maxLength: 3 }).map((q) => `?${q.join("&")}`), { nil: "" });
const port = fc.option(fc.oneof(fc.constant(":443"), fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`)), { nil: "" });
const anyType = fc.constantFrom<AppType>("public", "confidential");

const httpsUri = fc.tuple(host, port, path, query).map(([h, p, pa, q]) => `https://${h}${p}${pa}${q}`);
const loopbackUri = fc.tuple(fc.constantFrom("127.0.0.1", "[::1]"), fc.option(fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`), { nil: "" }), path, query).map(([h, p, pa, q]) => `http://${h}${p}${pa}${q}`);
const reverseDnsUri = fc.tuple(fc.array(label, { minLength: 2, maxLength: 3 }), path).map(([ls, pa]) => `com.${ls.join(".")}:${pa}`);

/** MUST clause: relative URIs, fragments, http off loopback, wildcards. */
const invalidMust: fc.Arbitrary<UriCase> = fc.oneof(
  fc.tuple(path, query, anyType).map(([pa, q, type]) => ({ uri: `${pa}${q}`, type, kind: "relative (path only)" })),
  fc.tuple(host, path, anyType).map(([h, pa, type]) => ({ uri: `//${h}${pa}`, type, kind: "relative (network-path reference)" })),
  fc.tuple(httpsUri, fc.option(segment, { nil: "" }), anyType).map(([u, f, type]) => ({ uri: `${u}#${f}`, type, kind: "fragment" })),
  fc.tuple(fc.oneof(host, fc.constantFrom("10.0.0.1", "127.0.0.2", "0.0.0.0", "[::2]", "192.168.1.10")), port, path, anyType).map(([h, p, pa, type]) => ({ uri: `http://${h}${p}${pa}`, type, kind: "http on a non-loopback host" })),
  fc.tuple(host, path, anyType).map(([h, pa, type]) => ({ uri: `https://*.${h}${pa}`, type, kind: "wildcard host" })),
  fc.tuple(host, path, anyType).map(([h, pa, type]) => ({ uri: `https://${h}${pa}*`, type, kind: "wildcard path" })),
);

/** PACT-PROFILE clause: userinfo, localhost, loopback for confidential clients, custom schemes not in reverse-DNS form. */
const invalidPact: fc.Arbitrary<UriCase> = fc.oneof(
  fc.tuple(label, fc.option(label, { nil: undefined }), host, path, anyType).map(([u, pw, h, pa, type]) => ({ uri: `https://${u}${pw ? `:${pw}` : ""}@${h}${pa}`, type, kind: "userinfo" })),
  fc.tuple(port, path, anyType).map(([p, pa, type]) => ({ uri: `http://localhost${p}${pa}`, type, kind: "localhost" })),
  loopbackUri.map((uri) => ({ uri, type: "confidential" as const, kind: "loopback http for a confidential client" })),
  fc.tuple(label, path).map(([s, pa]) => ({ uri: `${s}:${pa}`, type: "public" as const, kind: "private-use scheme not in reverse-DNS form" })),
);

/** Accepted: https for anyone; loopback IP literals and reverse-DNS schemes for public clients. */
const validMust: fc.Arbitrary<UriCase> = fc.oneof(
  fc.tuple(httpsUri, anyType).map(([uri, type]) => ({ uri, type, kind: "https" })),
  loopbackUri.map((uri) => ({ uri, type: "public" as const, kind: "loopback IP literal (public)" })),
);
const validPact: fc.Arbitrary<UriCase> = reverseDnsUri.map((uri) => ({ uri, type: "public" as const, kind: "reverse-DNS private-use scheme (public)" }));

const MUST_EXAMPLES: UriCase[] = [
  { uri: "/callback", type: "confidential", kind: "relative" },
  { uri: "callback", type: "public", kind: "relative" },
  { uri: "//client.test/cb", type: "confidential", kind: "relative (network-path reference)" },
  { uri: "https://client.test/cb#frag", type: "confidential", kind: "fragment" },
  { uri: "https://client.test/cb#", type: "public", kind: "empty fragment" },
  { uri: "http://client.test/cb", type: "confidential", kind: "http on a non-loopback host" },
  { uri: "http://client.test/cb", type: "public", kind: "http on a non-loopback host" },
  { uri: "https://*.client.test/cb", type: "confidential", kind: "wildcard host" },
  { uri: "https://client.test/*", type: "confidential", kind: "wildcard path" },
];
const PACT_EXAMPLES: UriCase[] = [
  { uri: "https://a@b.test/", type: "confidential", kind: "userinfo" },
  { uri: "http://localhost/callback", type: "public", kind: "localhost" },
  { uri: "http://localhost:8080/callback", type: "public", kind: "localhost with port" },
  { uri: "http://127.0.0.1/callback", type: "confidential", kind: "loopback http for a confidential client" },
  { uri: "http://[::1]:8080/callback", type: "confidential", kind: "loopback http for a confidential client" },
  { uri: "myapp:/callback", type: "public", kind: "private-use scheme not in reverse-DNS form" },
];
const VALID_MUST_EXAMPLES: UriCase[] = [
  { uri: "https://client.test/cb", type: "confidential", kind: "https" },
  { uri: "https://client.test/cb2?tenant=a", type: "confidential", kind: "https with query" },
  { uri: "https://Client.TEST:443/a/./b/../%7Ecb", type: "confidential", kind: "https a normaliser would rewrite" },
  { uri: "http://127.0.0.1/callback", type: "public", kind: "loopback without port" },
  { uri: "http://127.0.0.1:8765/callback", type: "public", kind: "loopback with port" },
  { uri: "http://[::1]/callback", type: "public", kind: "IPv6 loopback" },
];
const VALID_PACT_EXAMPLES: UriCase[] = [{ uri: "com.example.app:/cb", type: "public", kind: "reverse-DNS private-use scheme" }];

async function expectRejected(admin: AdminSession, c: UriCase): Promise<void> {
  const out = await admin.tryRegisterApp({ name: `kit-reg04-${stamp()}`, type: c.type, redirectUris: [c.uri], scopes: ["read:contacts"] });
  if (out.accepted && out.clientId) await admin.deleteApp(out.clientId);
  ensure(!out.accepted, `${c.type} app with ${c.kind} redirect URI ${JSON.stringify(c.uri)} was accepted`);
  ensure(out.page.status < 500, `registration answered ${out.page.status}`);
}

async function expectAcceptedVerbatim(admin: AdminSession, c: UriCase): Promise<void> {
  const out = await admin.tryRegisterApp({ name: `kit-reg04-${stamp()}`, type: c.type, redirectUris: [c.uri], scopes: ["read:contacts"] });
  ensure(out.accepted && out.clientId, `${c.type} app with ${c.kind} redirect URI ${JSON.stringify(c.uri)} was refused: ${out.error ?? out.page.status}`);
  let listing: Awaited<ReturnType<AdminSession["listApps"]>> | undefined;
  try {
    listing = await admin.listApps();
    const { apps } = listing;
    const listed = apps.find((a) => a.clientId === out.clientId);
    ensure(listed !== undefined, `the Apps tab does not list the new app ${out.clientId}`);
    ensure(listed.redirectUris.length === 1 && listed.redirectUris[0] === c.uri, `stored ${JSON.stringify(listed.redirectUris)}, registered ${JSON.stringify(c.uri)} (no normalisation, RFC 3986 §6.2.1)`);
  } finally {
    await admin.deleteApp(out.clientId, listing?.page);
  }
}

async function publicCode(client: ProtocolClient, codeFactory: CodeFactory, app: AppIdentity) {
  return needed(`a code for ${app.clientId}`, () => codeFactory.issue({ client: app, scope: app.scopes.join(" ") }));
}

async function registerVerdict(verdicts: Verdicts, name: string, fn: () => Promise<void>) {
  await verdicts.check("REG-01", name, fn, { stopOnFailure: true });
}

test.describe("REG-01 confidential registration issues a client_id and a client_secret", () => {
  test("a confidential app gets a client_id and a secret that authenticates; secrets are unguessable", {
    tag: tags("REG-01"), annotation: [...reqs("REG-01"), ...needs("http", "session", "admin")],
  }, async ({ client, target, verdicts }) => {
    const admin = await AdminSession.open(client, target);
    const app = await admin.registerIdentity("confidential", ["read:contacts"]);
    await registerVerdict(verdicts, "registration shows a client_id and a client_secret (RFC 6749 §2.2, §2.3.1)", async () => {
      ensure(app.clientId.length > 0, "empty client_id");
      ensure(typeof app.clientSecret === "string" && app.clientSecret.length > 0, "no client_secret shown");
    });
    await verdicts.check("REG-01", "the secret authenticates at /oauth/token with Basic and in the body (TOKEN-06)", async () => {
      for (const auth of ["basic", "body"] as const) {
        const res = await clientCredentials(client, app, "read:contacts", { auth, label: `token: new secret (${auth})` });
        ensureStatus(res, 200);
        await ensureBearerAccepted(client, accessToken(res.jsonOrUndefined()), "token from the new secret");
      }
    });

    const secrets = [app.clientSecret as string];
    for (let i = 0; i < 5; i++) secrets.push((await admin.registerIdentity("confidential", ["read:contacts"], `kit-reg01-${stamp()}-${i}`)).clientSecret as string);
    const e = estimateEntropy(secrets);
    await verdicts.check("REG-01", "property: secrets are pairwise distinct and share no prefix beyond a fixed type prefix", () => {
      ensure(new Set(secrets).size === secrets.length, "two registrations got the same secret");
      const shared = maxSharedBeyondPrefix(secrets, e.prefix);
      ensure(shared < 4, `two secrets share ${shared} characters beyond the common prefix (${e.prefix.length} chars)`);
    });
    await verdicts.check("REG-01", "the secret's random part carries ≥ 128 bits (RFC 6749 §10.10 MUST)", () => {
      ensure(e.bits >= 128, `${e.length} × log2(${e.alphabetSize}) = ${e.bits.toFixed(1)} bits (${e.alphabet}, prefix ${e.prefix.length} chars)`);
    }, { clause: "MUST" });
    await verdicts.check("REG-01", "the secret's random part carries ≥ 160 bits (RFC 6749 §10.10 SHOULD)", () => {
      ensure(e.bits >= 160, `${e.length} × log2(${e.alphabetSize}) = ${e.bits.toFixed(1)} bits`);
    }, { clause: "SHOULD" });
  });
});

test.describe("REG-02 the secret is shown only at creation; rotation replaces it", () => {
  test("no admin page shows the secret after creation; Regenerate shows a new one once and retires the old", {
    tag: tags("REG-02"), annotation: [...reqs("REG-02"), ...needs("http", "session", "admin")],
  }, async ({ client, target, verdicts }) => {
    const admin = await AdminSession.open(client, target);
    const app = await admin.registerIdentity("confidential", ["read:contacts"]);
    const first = app.clientSecret as string;
    const ccBefore = accessToken((await clientCredentials(client, app, "read:contacts")).jsonOrUndefined());

    await verdicts.check("REG-02", "crawl every admin page reachable from the app page: the secret never appears raw, percent-encoded or base64", async () => {
      const pages = await admin.crawl(app.page);
      ensure(pages.length > 0, "the crawl reached no admin page");
      for (const p of pages) ensureSecretAbsent(p, first, "client secret");
    });

    const rotated = await admin.rotateSecret(app.clientId);
    await verdicts.check("REG-02", "Regenerate shows a new secret, different from the first", () => {
      ensure(rotated.secret !== first, "the regenerated secret equals the old one");
    });
    await verdicts.check("REG-02", "the old secret gets 401 invalid_client at once (no overlap); the new one works", async () => {
      ensureTokenError(await clientCredentials(client, app, "read:contacts", { label: "token: old secret" }), ["invalid_client"], 401);
      ensureStatus(await clientCredentials(client, { ...app, clientSecret: rotated.secret }, "read:contacts", { label: "token: new secret" }), 200);
    });
    await verdicts.check("REG-02", "tokens issued before the rotation keep working (AMB-27)", () => ensureBearerAccepted(client, ccBefore, "token issued before rotation"));
    await verdicts.check("REG-02", "after the rotation no admin page shows either secret", async () => {
      const pages = await admin.crawl(rotated.page);
      for (const p of pages) {
        ensureSecretAbsent(p, first, "old client secret");
        ensureSecretAbsent(p, rotated.secret, "new client secret");
      }
    });
  });
});

test.describe("REG-03 public clients get no secret and cannot use one", () => {
  test("a public app gets no secret; a presented secret is refused and an empty one ignored", {
    tag: tags("REG-03"), annotation: [...reqs("REG-03"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    const admin = await AdminSession.open(client, target);
    const app = await admin.registerIdentity("public", ["read:contacts"]);
    await verdicts.check("REG-03", "registering a public app shows no client_secret (RFC 6749 §10.1)", () => {
      ensure(app.clientSecret === undefined, "a client secret was shown for a public app");
    }, { clause: "no secret issued" });

    await verdicts.check("REG-03", "a non-empty client_secret in the body gets 401 invalid_client", async () => {
      const issued = await publicCode(client, codeFactory, app);
      ensureTokenError(await exchangeCode(client, app, issued, { auth: "none", extra: [["client_secret", "kit-invented-secret"]], label: "token: public client with a secret" }), ["invalid_client"], 401);
    }, { clause: "a presented secret is rejected" });
    await verdicts.check("REG-03", "a secret via HTTP Basic gets 401 invalid_client", async () => {
      const issued = await publicCode(client, codeFactory, app);
      ensureTokenError(await exchangeCode(client, { ...app, clientSecret: "kit-invented-secret" }, issued, { auth: "basic", label: "token: public client with Basic" }), ["invalid_client"], 401);
    }, { clause: "a presented secret is rejected" });
    await verdicts.check("REG-03", "an empty client_secret= counts as omitted and the exchange succeeds (RFC 6749 §3.2)", async () => {
      const issued = await publicCode(client, codeFactory, app);
      const res = await exchangeCode(client, app, issued, { auth: "none", extra: [["client_secret", ""]], label: "token: public client with empty secret" });
      ensureStatus(res, 200);
      accessToken(res.jsonOrUndefined());
    }, { clause: "a presented secret is rejected" });
  });
});

test.describe("REG-04 redirect URI registration is validated", () => {
  test("property: generated invalid URIs are only rejected; generated valid URIs are only accepted, stored byte-identical", {
    tag: tags("REG-04"), annotation: [...reqs("REG-04"), ...needs("http", "session", "admin")],
  }, async ({ client, target, verdicts }) => {
    const admin = await AdminSession.open(client, target);
    await checkProperty(verdicts, "REG-04", "relative, fragment, non-loopback http and wildcard URIs are rejected", invalidMust, (c) => expectRejected(admin, c), { numRuns: 40, examples: MUST_EXAMPLES, clause: "MUST" });
    await checkProperty(verdicts, "REG-04", "userinfo, localhost, confidential loopback and non-reverse-DNS schemes are rejected", invalidPact, (c) => expectRejected(admin, c), { numRuns: 30, examples: PACT_EXAMPLES, clause: "PACT-PROFILE" });
    await checkProperty(verdicts, "REG-04", "https and (public) loopback IP URIs are accepted and stored byte-identical", validMust, (c) => expectAcceptedVerbatim(admin, c), { numRuns: 30, examples: VALID_MUST_EXAMPLES, clause: "MUST" });
    await checkProperty(verdicts, "REG-04", "reverse-DNS private-use URIs of public apps are accepted and stored byte-identical", validPact, (c) => expectAcceptedVerbatim(admin, c), { numRuns: 10, examples: VALID_PACT_EXAMPLES, clause: "PACT-PROFILE" });
  });
});

test.describe("REG-05 registered scopes come from the scope reference and cap every grant", () => {
  test("unknown scopes are refused at registration; the registered set bounds client credentials and authorization", {
    tag: tags("REG-05"), annotation: [...reqs("REG-05"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    const admin = await AdminSession.open(client, target);
    for (const bad of ["nope:nothing", "READ:contacts", "read:contacts "]) {
      await verdicts.check("REG-05", `registering the scope ${JSON.stringify(bad)} (not in the scope reference) is refused`, async () => {
        const out = await admin.tryRegisterApp({ name: `kit-reg05-${stamp()}`, type: "confidential", redirectUris: ["https://kit.example.test/callback"], scopes: ["read:contacts", bad] });
        if (out.accepted && out.clientId) await admin.deleteApp(out.clientId);
        ensure(!out.accepted, `an app with scope ${JSON.stringify(bad)} was registered`);
      });
    }
    const app = await admin.registerIdentity("confidential", ["read:contacts"]);
    await verdicts.check("REG-05", "client credentials within the registered set work (control)", async () => {
      ensureStatus(await clientCredentials(client, app, "read:contacts"), 200);
    }, { stopOnFailure: true });
    await verdicts.check("REG-05", "client credentials beyond the registered set get invalid_scope (CC-04)", async () => {
      // Any scope of the scope reference other than the one registered (the mock's read:deals, write:deals).
      const beyond = target.scopes.filter((s) => s !== "read:contacts");
      const [first, last] = [beyond[0] ?? "nope:nothing", beyond[beyond.length - 1] ?? "nope:nothing"];
      ensureTokenError(await clientCredentials(client, app, first, { label: "token: cc unregistered scope" }), ["invalid_scope"]);
      ensureTokenError(await clientCredentials(client, app, `read:contacts ${last}`, { label: "token: cc partly unregistered scope" }), ["invalid_scope"]);
    });
    await verdicts.check("REG-05", "an authorization request beyond the registered set gets an invalid_scope error redirect (AUTHZ-06)", async () => {
      const out = await codeFactory.authorize({ client: app, scope: "read:contacts write:contacts" });
      ensure(out.location !== null, `no redirect to the client (status ${out.response.status})`);
      ensure(out.location.searchParams.get("error") === "invalid_scope", `error is ${out.location.searchParams.get("error") ?? "(absent)"}`);
      ensure(!out.location.searchParams.has("code"), "a code was issued");
    });
  });
});
