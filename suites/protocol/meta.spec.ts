import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure, ensureJsonContentType, ensureSchema, ensureStatus, sameSet } from "../checks/http.ts";
import type { Metadata } from "../schemas/index.ts";

// RFC 8414 §3: the metadata URL is the issuer with /.well-known/oauth-authorization-server inserted.
const WELL_KNOWN = "/.well-known/oauth-authorization-server";

test.describe("META-01 RFC 8414 metadata is published and accurate", () => {
  test("metadata document names the issuer, endpoints and capabilities", { tag: tags("META-01"), annotation: [...reqs("META-01"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const res = await client.get(WELL_KNOWN, { label: "metadata: fetch" });

    const ok = await verdicts.check("META-01", "serve metadata as 200 application/json matching RFC 8414 §2", () => {
      ensureStatus(res, 200);
      ensureJsonContentType(res);
      ensureSchema(res, "metadata");
    }, { stopOnFailure: false });
    if (ok !== "passed") return;
    const md = res.json() as Metadata;

    await verdicts.check("META-01", "issuer equals the issuer the metadata URL was built from (RFC 8414 §3.3)", () => {
      ensure(md.issuer === target.issuer, `issuer is "${md.issuer}", expected "${target.issuer}"`);
      const u = new URL(md.issuer);
      ensure(u.search === "" && u.hash === "", "issuer has a query or fragment (RFC 8414 §2)");
      const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(u.hostname);
      ensure(u.protocol === "https:" || (target.kind === "mock" && loopback) || loopback, `issuer must use https (RFC 8414 §2), got ${u.protocol}`);
    });

    await verdicts.check("META-01", "endpoints are /oauth/authorize, /oauth/token and /oauth/revoke on the issuer", () => {
      ensure(md.authorization_endpoint === `${target.issuer}/oauth/authorize`, `authorization_endpoint is "${md.authorization_endpoint}"`);
      ensure(md.token_endpoint === `${target.issuer}/oauth/token`, `token_endpoint is "${md.token_endpoint}"`);
      ensure(md.revocation_endpoint === `${target.issuer}/oauth/revoke`, `revocation_endpoint is "${md.revocation_endpoint ?? "(absent)"}"`);
    });

    await verdicts.check("META-01", "response_types_supported is exactly [\"code\"]", () => {
      ensure(sameSet(md.response_types_supported, ["code"]) && md.response_types_supported.length === 1, `response_types_supported is ${JSON.stringify(md.response_types_supported)}`);
    });

    await verdicts.check("META-01", "grant_types_supported is {authorization_code, refresh_token, client_credentials}", () => {
      const g = md.grant_types_supported;
      ensure(g !== undefined, "grant_types_supported is absent (its default, authorization_code + implicit, would advertise implicit)");
      ensure(sameSet(g, ["authorization_code", "refresh_token", "client_credentials"]), `grant_types_supported is ${JSON.stringify(g)}`);
    });

    await verdicts.check("META-01", "code_challenge_methods_supported is exactly [\"S256\"] (RFC 9700 §2.1.1)", () => {
      const m = md.code_challenge_methods_supported;
      ensure(m !== undefined && m.length === 1 && m[0] === "S256", `code_challenge_methods_supported is ${JSON.stringify(m)}`);
    });

    await verdicts.check("META-01", "token and revocation auth methods include client_secret_basic, client_secret_post and none", () => {
      const needed = ["client_secret_basic", "client_secret_post", "none"];
      for (const field of ["token_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"] as const) {
        const got = md[field];
        ensure(Array.isArray(got), `${field} is absent`);
        const missing = needed.filter((n) => !got.includes(n));
        ensure(missing.length === 0, `${field} lacks ${missing.join(", ")} (got ${JSON.stringify(got)})`);
      }
    });

    await verdicts.check("META-01", "scopes_supported equals the scope reference", () => {
      const s = md.scopes_supported;
      ensure(s !== undefined, "scopes_supported is absent");
      ensure(sameSet(s, target.scopes), `scopes_supported is ${JSON.stringify(s)}, expected ${JSON.stringify(target.scopes)}`);
    });

    await verdicts.check("META-01", "advertise nothing unsupported (password, implicit, token, plain)", () => {
      const advertised = [...(md.grant_types_supported ?? []), ...md.response_types_supported, ...(md.code_challenge_methods_supported ?? [])];
      const bad = advertised.filter((v) => ["password", "implicit", "plain"].includes(v) || /\btoken\b/.test(v));
      ensure(bad.length === 0, `advertises ${bad.join(", ")}`);
    });
  });
});
