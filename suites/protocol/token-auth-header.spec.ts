import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensureStatus, ensureTokenError } from "../checks/http.ts";
import { codeRequestPairs, ensureChallengeOn401, ensureInvalidClientBasic, ensureNoTokens, ensureTokenSuccess, postToken } from "../checks/token.ts";
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
      ensureTokenError(res, ["invalid_request", "invalid_client"], [400, 401]);
      ensureChallengeOn401(res);
    });
  });
});

test.describe("REG-03 public clients get no secret and cannot use one", () => {
  test("HTTP Basic with an empty password identifies a public client like client_id alone", { tag: tags("REG-03"), annotation: [...reqs("REG-03"), ...needs("code", "http")] }, async ({ client, target, codeFactory, verdicts }) => {
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa });
    const form = codeRequestPairs(issued, spa.clientId).filter(([n]) => n !== "client_id");
    const res = await postToken(client, form, "token: public client, Basic with an empty password", [["authorization", basicAuthorization(spa.clientId, "")]]);
    await verdicts.check("REG-03", "the exchange succeeds: an empty secret counts as omitted (RFC 6749 §2.3.1, §3.2)", () => {
      ensureStatus(res, 200);
      ensureTokenSuccess(res);
    }, { clause: "a presented secret is rejected" });
  });
});
