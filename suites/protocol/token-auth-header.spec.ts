import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensureTokenError } from "../checks/http.ts";
import { codeRequestPairs, ensureInvalidClientBasic, ensureNoTokens, ensureTokenSuccess, postToken } from "../checks/token.ts";
import { basicAuthorization } from "../http/basic.ts";

const b64 = (bytes: string | Buffer): string => Buffer.from(bytes).toString("base64");

/**
 * Authorization headers a server cannot read as Basic client credentials. RFC 6749 §5.2: a
 * client that attempted to authenticate through the Authorization header gets 401
 * invalid_client with a WWW-Authenticate challenge, whatever went wrong with the header.
 */
const UNREADABLE: ReadonlyArray<readonly [string, string]> = [
  ["another scheme (Bearer)", "Bearer kit-not-a-client-credential-0123456789"],
  ["another scheme (Digest)", 'Digest username="kit-client", realm="pact", nonce="abc", uri="/oauth/token", response="0"'],
  ["no scheme token at all", "!!! not-a-scheme"],
  ["Basic without credentials", "Basic"],
  ["Basic with characters outside base64", "Basic !!!!****"],
  ["Basic whose credentials are not UTF-8", `Basic ${b64(Buffer.from([0xff, 0xfe, 0x3a, 0x41]))}`],
  ["Basic without a colon", `Basic ${b64("kit-client-without-colon")}`],
  ["Basic with an empty client id", `Basic ${b64(":kit-secret")}`],
  ["Basic with a broken percent-encoding", `Basic ${b64("%zz:kit-secret")}`],
];

test.describe("TOKEN-07 invalid_client returns 401 with a challenge and does not reveal which clients exist", () => {
  test("other schemes and unreadable Basic credentials get 401 invalid_client with a Basic challenge", { tag: tags("TOKEN-07"), annotation: [...reqs("TOKEN-07"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const conf = target.apps.conf.clientId;
    const cases: ReadonlyArray<readonly [string, string]> = [
      ...UNREADABLE,
      ["Basic with a real client id and a broken percent-encoding in the secret", `Basic ${b64(`${conf}:%zz`)}`],
      ["Basic with a real client id and no colon", `Basic ${b64(conf)}`],
    ];
    for (const [name, header] of cases) {
      const res = await postToken(client, [["grant_type", "client_credentials"], ["scope", "read:contacts"]], `token: Authorization ${name}`, [["authorization", header]]);
      await verdicts.check("TOKEN-07", `${name}: 401, WWW-Authenticate Basic, error invalid_client (RFC 6749 §5.2)`, () => ensureInvalidClientBasic(res), { clause: "the Basic case" });
    }
  });
});

test.describe("TOKEN-10 Public clients identify themselves with client_id", () => {
  test("client_secret without client_id is refused with a listed error", { tag: tags("TOKEN-10"), annotation: [...reqs("TOKEN-10"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const secret = target.apps.conf.clientSecret ?? "kit-secret";
    const res = await postToken(client, [["grant_type", "client_credentials"], ["scope", "read:contacts"], ["client_secret", secret]], "token: client_secret without client_id");
    await verdicts.check("TOKEN-10", "refused with 400 invalid_request or 401 invalid_client, no tokens (RFC 6749 §2.3.1, §5.2)", () => {
      ensureNoTokens(res);
      // A 401's challenge is TOKEN-07's clause (§0.1).
      ensureTokenError(res, ["invalid_request", "invalid_client"], [400, 401]);
    });
  });
});

/**
 * REG-03 states that an empty `client_secret=` in the body counts as omitted (RFC 6749 §3.2: empty
 * parameters are treated as omitted). It says nothing of HTTP Basic with an empty password: RFC 6749
 * §2.3.1 lets a client omit an empty secret from the body, but Basic has no "omitted" form, so a
 * server may take `id:` as client_id alone or as a presented (wrong) secret. Both readings pass; the
 * check only makes sure neither gives a broken answer (catalogue §0.1: no stricter reading at MUST).
 */
test.describe("REG-03 public clients get no secret and cannot use one", () => {
  test("HTTP Basic with an empty password: accepted like client_id alone, or refused as invalid_client", { tag: tags("REG-03"), annotation: [...reqs("REG-03"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await verdicts.precondition("a SPA code", () => codeFactory.issue({ client: spa }));
    const form = codeRequestPairs(issued, spa.clientId).filter(([n]) => n !== "client_id");
    const res = await postToken(client, form, "token: public client, Basic with an empty password", [["authorization", basicAuthorization(spa.clientId, "")]]);
    await verdicts.check("REG-03", "Basic with an empty password gives tokens (secret omitted) or a token error invalid_client or invalid_request (a secret presented), nothing else (RFC 6749 §2.3.1, §3.2)", () => {
      if (res.status === 200) ensureTokenSuccess(res);
      else ensureTokenError(res, ["invalid_client", "invalid_request"], [400, 401]);
    }, { clause: "a presented secret is rejected" });
  });
});
