import { randomBytes } from "node:crypto";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { AdminSession, type AppType } from "../flows/admin.ts";

interface Refused {
  readonly uri: string;
  readonly type: AppType;
  readonly kind: string;
}

/** Not absolute URIs with a host (RFC 6749 §3.1.2, RFC 3986 §3 and §4.3, RFC 9110 §4.2.2), or http on a host that only looks like loopback (RFC 8252 §7.3). */
const MUST_REFUSE: readonly Refused[] = [
  { uri: "https://client.test/c b", type: "confidential", kind: "a space" },
  { uri: "https://client.test/c\u00e9", type: "confidential", kind: "a non-ASCII character" },
  { uri: "https://[client.test/cb", type: "confidential", kind: "an unparseable host" },
  { uri: "https:///cb", type: "confidential", kind: "an empty authority" },
  // RFC 9110 §4.2.2: an https URI without a host is invalid; URL parsers that repair it read "client.test" as the host.
  { uri: "https:/client.test/cb", type: "confidential", kind: "no authority (one slash)" },
  { uri: "https:client.test/cb", type: "confidential", kind: "no authority (no slash)" },
  { uri: "http://a127.0.0.1/callback", type: "public", kind: "http on a host ending in 127.0.0.1" },
  { uri: "http://127.0.0.1.client.test/callback", type: "public", kind: "http on a host starting with 127.0.0.1" },
];

/** The Pact profile's rules for loopback ports and private-use schemes (REG-04, AMB-04; RFC 8252 §7.1). */
const PACT_REFUSE: readonly Refused[] = [
  { uri: "http://127.0.0.1:0/callback", type: "public", kind: "loopback port 0" },
  { uri: "com.example.app:/cb", type: "confidential", kind: "a private-use scheme for a confidential client" },
  { uri: "com.example.app://user@host/cb", type: "public", kind: "userinfo in a private-use URI" },
  { uri: "com.example.app:", type: "public", kind: "a private-use scheme without a path" },
  { uri: "com.example+app:/cb", type: "public", kind: "a scheme with characters outside reverse-DNS form" },
  { uri: "my+app.example:/cb", type: "public", kind: "a scheme whose reverse-DNS part is only a suffix" },
];

async function refused(admin: AdminSession, c: Refused): Promise<void> {
  const out = await admin.tryRegisterApp({ name: `kit-reg04-edge-${randomBytes(4).toString("hex")}`, type: c.type, redirectUris: [c.uri], scopes: ["read:contacts"] });
  if (out.accepted && out.clientId) await admin.deleteApp(out.clientId);
  ensure(out.page.status < 500, `registration answered ${out.page.status}`);
  ensure(!out.accepted, `${c.type} app with ${c.kind} in its redirect URI ${JSON.stringify(c.uri)} was accepted`);
}

test.describe("REG-04 redirect URI registration is validated", () => {
  test("URIs that are not absolute URIs with a host, fake loopback hosts and Pact-profile violations are refused", {
    tag: tags("REG-04"), annotation: [...reqs("REG-04"), ...needs("http", "session", "admin")],
  }, async ({ client, target, verdicts }) => {
    const admin = await AdminSession.open(client, target);
    for (const c of MUST_REFUSE) await verdicts.check("REG-04", `${c.type}: ${JSON.stringify(c.uri)} (${c.kind}) is refused`, () => refused(admin, c), { clause: "MUST" });
    for (const c of PACT_REFUSE) await verdicts.check("REG-04", `${c.type}: ${JSON.stringify(c.uri)} (${c.kind}) is refused`, () => refused(admin, c), { clause: "PACT-PROFILE" });
  });
});
