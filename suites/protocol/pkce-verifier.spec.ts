import { test, reqs, needs, tags } from "../harness/index.ts";
import { checkProperty, fc } from "../harness/property.ts";
import { ensure, ensureTokenError } from "../checks/http.ts";
import { basicHeader, codeRequestPairs, describeSecret, ensureNoTokens, ensureTokenSuccess, postToken } from "../checks/token.ts";
import { exchangeCode } from "../flows/tokens.ts";
import { isValidVerifier, s256 } from "../http/pkce.ts";

/** RFC 7636 §4.1: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
const unreservedChar = fc.constantFrom(...UNRESERVED);
const validVerifier = (min = 43, max = 128) => fc.string({ unit: unreservedChar, minLength: min, maxLength: max });

/** RFC 7636 Appendix B's verifier: 32 octets → 43 base64url characters, the doc's common case. */
const APPENDIX_B_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const LONGEST = (UNRESERVED + UNRESERVED).slice(0, 128);
const DOT_TILDE_43 = "~.~.abc~def.ghi~jkl.mno~pqr.stu~vwx.yz0~1.2";

const swapCase = (s: string) => [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
const flipOne = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);

test.describe("PKCE-05 S256 round-trips for every valid verifier", () => {
  test("property: any verifier in unreserved{43..128} redeems its S256 code", { tag: tags("PKCE-05"), annotation: [...reqs("PKCE-05"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const examples = [APPENDIX_B_VERIFIER, LONGEST, DOT_TILDE_43, "~".repeat(43), ".".repeat(128), `${"a".repeat(60)}.~`];
    for (const v of examples) ensure(isValidVerifier(v), `kit bug: example ${v.length} is not a valid verifier`);
    await checkProperty(
      verdicts,
      "PKCE-05",
      "authorize with S256(v), redeem with v → 200 (RFC 7636 §4.6)",
      validVerifier(),
      async (v) => {
        const issued = await codeFactory.issue({ client: spa, verifier: v });
        ensure(issued.challenge === s256(v), "kit bug: the challenge sent is not S256(v)");
        ensureTokenSuccess(await exchangeCode(client, spa, issued, { label: `token: verifier of length ${v.length}` }));
      },
      // Lengths 43 and 128 and verifiers with "." and "~" are the catalogue's named edges.
      { numRuns: 24, examples },
    );
  });
});

test.describe("PKCE-06 A wrong verifier gives invalid_grant and burns the code", () => {
  test("named wrong verifiers give invalid_grant, and the right one no longer works afterwards", { tag: tags("PKCE-06"), annotation: [...reqs("PKCE-06"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    // A 64-character base verifier, so truncation to 43 and "+a" stay inside the grammar.
    const v = "Kx7.q~Zr0pLm-3_wYtUe9sVbNcHdJgAiOfQ2RkW1XnEa8yT4uBv5jC6lM.~zoIP";
    const c = s256(v);
    // For method S256 the challenge is S256(v): "v′ = challenge" and "v′ = S256(v)" name one string,
    // so the kit adds S256(challenge) as a distinct hash-shaped wrong value.
    const variants: Array<[string, string]> = [
      ["one character flipped", flipOne(v)],
      ["truncated to 43 characters", v.slice(0, 43)],
      ['v + "a"', `${v}a`],
      ["case-swapped", swapCase(v)],
      ["the challenge itself, = S256(v)", c],
      ["S256(challenge)", s256(c)],
    ];
    for (const [name, wrong] of variants) {
      ensure(isValidVerifier(wrong) && wrong !== v, `kit bug: variant ${name} is not a valid wrong verifier`);
      const issued = await codeFactory.issue({ client: spa, verifier: v });
      await verdicts.check("PKCE-06", `v′ = ${name}: 400 invalid_grant and no tokens (RFC 7636 §4.6)`, async () => {
        const res = await postToken(client, codeRequestPairs({ ...issued, verifier: wrong }, spa.clientId), `token: wrong verifier (${name})`);
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_grant"]);
      }, { clause: "invalid_grant" });
      await verdicts.check("PKCE-06", `after v′ = ${name}, the right verifier gets invalid_grant (the code is burnt; RFC 6749 §10.5)`, async () => {
        ensureTokenError(await exchangeCode(client, spa, issued, { label: `token: right verifier after ${name}` }), ["invalid_grant"]);
      }, { clause: "the code is burnt" });
    }
  });

  test("property: any other valid verifier gives invalid_grant", { tag: tags("PKCE-06"), annotation: [...reqs("PKCE-06"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    await checkProperty(
      verdicts,
      "PKCE-06",
      "every syntactically valid v′ ≠ v gives invalid_grant",
      fc.tuple(validVerifier(), validVerifier()).filter(([v, w]) => v !== w),
      async ([v, wrong]) => {
        const issued = await codeFactory.issue({ client: spa, verifier: v });
        const res = await postToken(client, codeRequestPairs({ ...issued, verifier: wrong }, spa.clientId), `token: wrong verifier (${describeSecret(wrong)})`);
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_grant"]);
      },
      { numRuns: 20, clause: "invalid_grant" },
    );
  });
});

test.describe("PKCE-07 A missing verifier is rejected", () => {
  test("no code_verifier, or code_verifier= empty, is refused with invalid_request", { tag: tags("PKCE-07"), annotation: [...reqs("PKCE-07"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    for (const [name, extra] of [["absent", []], ["empty (RFC 6749 §3.2: counts as omitted)", [["code_verifier", ""]]]] as const) {
      const issued = await codeFactory.issue({ client: spa });
      const form = codeRequestPairs(issued, spa.clientId).filter(([n]) => n !== "code_verifier");
      const res = await postToken(client, [...form, ...extra], `token: code_verifier ${name}`);
      await verdicts.check("PKCE-07", `code_verifier ${name}: 400, no tokens (RFC 7636 §4.5)`, () => {
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_request", "invalid_grant"]);
      }, { clause: "reject" });
      await verdicts.check("PKCE-07", `code_verifier ${name}: error invalid_request`, () => {
        ensureTokenError(res, ["invalid_request"]);
      }, { clause: "invalid_request" });
    }
  });
});

test.describe("PKCE-08 Downgrade protection", () => {
  test("a code issued without code_challenge cannot be redeemed with a verifier", { tag: tags("PKCE-08"), annotation: [...reqs("PKCE-08"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    for (const app of [target.apps.conf, target.apps.spa]) {
      const out = await codeFactory.authorize({ client: app, challenge: null, method: null });
      const code = out.location?.searchParams.get("code") ?? null;
      if (code === null) {
        // RFC 9700 §4.8.2: an AS that requires PKCE for every authorization request is protected implicitly.
        await verdicts.check("PKCE-08", `${app.clientId}: an authorization request without code_challenge issues no code, so the downgrade is prevented implicitly (RFC 9700 §4.8.2)`, () => {
          const err = out.location?.searchParams.get("error") ?? null;
          const refused = out.location ? err !== null : out.response.status >= 400 && out.response.status < 500;
          ensure(refused, `the request without code_challenge was not refused: ${out.response.status}${out.location ? " redirect without code or error" : ""}`);
        });
        continue;
      }
      // The server issued a code without a challenge: RFC 9700 §2.1.1 requires rejecting any code_verifier for it.
      await verdicts.check("PKCE-08", `${app.clientId}: a code issued without code_challenge, redeemed with a code_verifier, gives 400 invalid_grant (RFC 9700 §4.8.2)`, async () => {
        const verifier = "downgrade-verifier-0123456789-abcdefghijklmnopq";
        const form: Array<[string, string]> = [["grant_type", "authorization_code"], ["code", code], ["redirect_uri", out.redirectUri], ["code_verifier", verifier]];
        const headers = app.clientSecret ? basicHeader(app) : [];
        if (!app.clientSecret) form.push(["client_id", app.clientId]);
        const res = await postToken(client, form, "token: verifier for a challenge-less code", headers);
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_grant"]);
      });
    }
  });
});

/** Verifiers outside `43*128unreserved` (RFC 7636 §4.1). */
const invalidVerifier = fc.oneof(
  validVerifier(1, 42),
  validVerifier(129, 200),
  fc
    .tuple(validVerifier(42, 127), fc.constantFrom("+", "/", "=", " ", "%", "é", "\u0000", "\n", "€", "😀", "!", "*"), fc.nat())
    .map(([base, bad, at]) => {
      const i = at % (base.length + 1);
      return base.slice(0, i) + bad + base.slice(i);
    }),
);

test.describe("PKCE-09 The token endpoint enforces verifier syntax", () => {
  test("property: a verifier outside the grammar is refused even though S256 matches", { tag: tags("PKCE-09"), annotation: [...reqs("PKCE-09"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const base = APPENDIX_B_VERIFIER;
    const named = [base.slice(0, 42), `${LONGEST}a`, `${base}+`, `${base}/`, `${base}=`, `${base.slice(0, 20)} ${base.slice(20)}`, `${base}é`];
    for (const v of named) ensure(!isValidVerifier(v), "kit bug: a named PKCE-09 example is valid");
    await checkProperty(
      verdicts,
      "PKCE-09",
      "authorize with S256(v) for v outside 43*128unreserved, redeem with v → 400 invalid_request or invalid_grant",
      invalidVerifier.filter((v) => !isValidVerifier(v)),
      async (v) => {
        const issued = await codeFactory.issue({ client: spa, verifier: v });
        ensure(issued.challenge === s256(v), "kit bug: the challenge sent is not S256(v)");
        const res = await exchangeCode(client, spa, issued, { label: `token: out-of-grammar verifier (${describeSecret(v)})` });
        ensureNoTokens(res);
        ensureTokenError(res, ["invalid_request", "invalid_grant"]);
      },
      // The catalogue's named cases: 42 and 129 characters, "+", "/", "=", a space, non-ASCII.
      { numRuns: 20, examples: named },
    );
  });
});
