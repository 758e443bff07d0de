import { connect } from "node:tls";
import { plainHttpLoopback } from "../harness/skip-reasons.ts";
import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";
import { TransportError, type ProtocolClient, type RequestSpec } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);
const ONE_YEAR_S = 31_536_000;

/** Sends a request, returning the transport error instead of throwing (a refused connection passes SEC-06). */
async function attempt(client: ProtocolClient, spec: RequestSpec): Promise<HttpResponse | TransportError> {
  try {
    return await client.send(spec);
  } catch (e) {
    if (e instanceof TransportError) return e;
    throw e;
  }
}

/**
 * SEC-06: a plain-HTTP request is never processed: a refused connection or a 4xx. A redirect is
 * not enough here, because the credentials already travelled in clear (RFC 6749 §10.9; RFC 9700
 * §2.6); the catalogue allows 301 only for GET-only browser pages, and these are not.
 */
function ensureNotProcessed(r: HttpResponse | TransportError, what: string): void {
  if (r instanceof TransportError) return;
  ensure(r.status >= 400 && r.status < 500, `plain-HTTP ${what} answered ${r.status}; expected a refused connection or a 4xx`);
  ensure(!/access_token|refresh_token/.test(r.text), `plain-HTTP ${what} returned token material`);
}

/** Whether a TLS 1.0/1.1-only handshake completes (null when this machine's TLS library cannot offer them). */
function legacyHandshake(host: string, port: number): Promise<boolean | null> {
  return new Promise((resolve) => {
    let socket: ReturnType<typeof connect>;
    try {
      socket = connect({ host, port, servername: host, minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0", rejectUnauthorized: false, timeout: 5_000 });
    } catch {
      resolve(null);
      return;
    }
    socket.once("secureConnect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", (e: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(e.code === "ERR_SSL_NO_PROTOCOLS_AVAILABLE" || /no protocols available/i.test(e.message) ? null : false);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

test.describe("SEC-06 TLS is used everywhere", () => {
  test("plain HTTP is refused for token, revoke and /v1; HTTPS carries HSTS; TLS 1.0/1.1 are refused", { tag: tags("SEC-06"), annotation: [...reqs("SEC-06"), ...needs("http")] }, async ({ client, target, verdicts }) => {
    const base = new URL(target.baseUrl);
    const loopback = plainHttpLoopback(target.baseUrl);
    if (loopback) return verdicts.skip("SEC-06", loopback);

    const plain = new URL(target.baseUrl);
    plain.protocol = "http:";
    if (base.protocol === "https:") plain.port = "";
    const at = (path: string) => new URL(path, plain).href;
    // Probes carry no valid credential, so nothing secret travels in clear.
    const probes: Array<[string, RequestSpec]> = [
      ["POST /oauth/token", { method: "POST", url: at("/oauth/token"), form: [["grant_type", "client_credentials"], ["client_id", target.apps.conf.clientId], ["scope", "read:contacts"]], label: "tls: plain-HTTP token request" }],
      ["POST /oauth/revoke", { method: "POST", url: at("/oauth/revoke"), form: [["token", "kit-probe-token"], ["client_id", target.apps.spa.clientId]], label: "tls: plain-HTTP revocation" }],
      ["GET /v1/contacts", { method: "GET", url: at("/v1/contacts"), headers: [["authorization", "Bearer kit-probe-token"]], label: "tls: plain-HTTP API call" }],
    ];
    for (const [what, spec] of probes) {
      await verdicts.check("SEC-06", `plain-HTTP ${what} is not processed: refused or 4xx (RFC 6749 §10.9, RFC 6750 §5.3)`, async () => ensureNotProcessed(await attempt(client, spec), what), { clause: "MUST" });
    }
    if (base.protocol !== "https:") {
      verdicts.skip("SEC-06", "the target's base URL is plain HTTP, so there is no HTTPS response to carry HSTS", "HSTS");
      return;
    }
    await verdicts.check("SEC-06", `HTTPS responses carry Strict-Transport-Security with max-age ≥ ${ONE_YEAR_S} (RFC 6797 §6.1)`, async () => {
      for (const path of ["/.well-known/oauth-authorization-server", "/oauth/token"]) {
        const res = await client.send({ method: path === "/oauth/token" ? "POST" : "GET", url: path, form: path === "/oauth/token" ? [["grant_type", "client_credentials"]] : undefined, label: `tls: HSTS on ${path}` });
        const hsts = res.header("strict-transport-security");
        ensure(hsts !== undefined, `${path}: no Strict-Transport-Security header`);
        const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(hsts);
        ensure(m && Number(m[1]) >= ONE_YEAR_S, `${path}: Strict-Transport-Security is "${hsts}"`);
      }
    }, { clause: "HSTS" });
    const legacy = await legacyHandshake(base.hostname, Number(base.port || 443));
    if (legacy === null) verdicts.skip("SEC-06", "this machine's TLS library cannot offer TLS 1.0/1.1, so their refusal cannot be observed", "TLS 1.0 and 1.1 are refused");
    else await verdicts.check("SEC-06", "a TLS 1.0/1.1-only handshake is refused (RFC 9700 §2.6, BCP 195)", () => ensure(!legacy, "the server completed a TLS 1.0/1.1 handshake"), { clause: "MUST" });
  });
});
