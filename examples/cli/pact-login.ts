/**
 * Command-line example for `demo-cli`: "OAuth in 5 minutes" with a loopback
 * redirect on a free port (RFC 8252 §7.3), as native and command-line apps do.
 *
 *   npm run example:cli -- [--pact http://127.0.0.1:4010] [--timeout 300] [--open]
 *
 * Prints the authorize URL (and opens a browser with --open), waits for Pact to
 * redirect back, exchanges the code, then prints the granted scope and the
 * first contacts. Tokens are never printed.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export const DEFAULT_PACT_URL = "http://127.0.0.1:4010";
const CLIENT_ID = "demo-cli";
const SCOPE = "read:contacts";

export interface CliLoginOptions {
  /** Base URL of the Pact (or mock); default http://127.0.0.1:4010. */
  pactUrl?: string;
  /** Called with the authorize URL; the user (or a test) completes login and consent there. */
  onAuthorizeUrl: (url: string) => void | Promise<void>;
  /** How long to wait for the browser to come back, in ms (default 5 minutes). */
  timeoutMs?: number;
  /** How many contacts to fetch (default 10, as in Step 4). */
  limit?: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
}

export interface Contact {
  id?: string;
  name?: string;
  email?: string;
  company?: string;
}

export interface CliLoginResult {
  /** The scope Pact granted (Step 3's `scope`, RFC 6749 §5.1). */
  scope: string;
  tokens: TokenResponse;
  contacts: Contact[];
  redirectUri: string;
}

/** An error response from Pact, RFC 6749 §4.1.2.1 / §5.2 / RFC 6750 §3.1. */
export class PactLoginError extends Error {
  constructor(
    readonly code: string,
    description?: string,
  ) {
    super(description ? `${code}: ${description}` : code);
    this.name = "PactLoginError";
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const PAGE = (text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pact CLI login</title></head><body><p>${text}</p></body></html>`;

/** Opens the loopback listener on 127.0.0.1, port 0 = a free port chosen by the OS (RFC 8252 §7.3, §8.3). */
function listenLoopback(): Promise<{ server: Server; port: number; callback: Promise<URLSearchParams> }> {
  return new Promise((resolve, reject) => {
    let deliver: (params: URLSearchParams) => void = () => {};
    const callback = new Promise<URLSearchParams>((res) => {
      deliver = res;
    });
    let answered = false;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const headers = { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };
      if (req.method !== "GET" || url.pathname !== "/callback") {
        res.writeHead(404, headers).end(PAGE("Not found."));
        return;
      }
      if (answered) {
        res.writeHead(409, headers).end(PAGE("This login was already completed. You can close this window."));
        return;
      }
      answered = true;
      const failed = url.searchParams.has("error");
      res.writeHead(200, headers).end(PAGE(failed ? "Pact did not authorize the CLI. Return to the terminal for details." : "Signed in. You can close this window and return to the terminal."));
      deliver(url.searchParams);
    });
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, port, callback });
    });
  });
}

async function postForm(url: URL, form: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(form),
  });
}

/** The contacts of a /v1/contacts response, whichever list field it uses. */
export function contactsOf(body: unknown): Contact[] {
  if (Array.isArray(body)) return body as Contact[];
  if (body && typeof body === "object") {
    for (const key of ["data", "contacts", "items", "results"]) {
      const list = (body as Record<string, unknown>)[key];
      if (Array.isArray(list)) return list as Contact[];
    }
  }
  return [];
}

/** The whole flow: Steps 2–4 of the doc for a public loopback client. */
export async function runCliLogin(options: CliLoginOptions): Promise<CliLoginResult> {
  const pactUrl = (options.pactUrl ?? DEFAULT_PACT_URL).replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 300_000;
  const { server, port, callback } = await listenLoopback();
  let timer: NodeJS.Timeout | undefined;
  try {
    // demo-cli is registered as http://127.0.0.1/callback; any port matches (RFC 8252 §7.3).
    const redirectUri = `http://127.0.0.1:${port}/callback`;

    // Step 2 — PKCE exactly as the doc shows, and an unguessable state (RFC 6749 §10.12).
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const state = randomBytes(16).toString("base64url");

    const authorize = new URL("/oauth/authorize", pactUrl);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: redirectUri,
      scope: SCOPE,
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
    }).toString();

    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PactLoginError("timeout", `No answer from the browser within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
    });
    // The callback may arrive while onAuthorizeUrl is still running (a test completes the browser step inside it).
    const params = await Promise.race([Promise.resolve(options.onAuthorizeUrl(authorize.href)).then(() => callback), timeout]);

    // Step 2 — "Verify state matches what you sent", before looking at code or error.
    if (params.get("state") !== state) throw new PactLoginError("state_mismatch", "The callback's state does not match; ignoring it.");
    const error = params.get("error");
    if (error) throw new PactLoginError(error, params.get("error_description") ?? undefined);
    const code = params.get("code");
    if (!code) throw new PactLoginError("invalid_request", "The callback carries no code.");

    // Step 3 — exchange the code for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5). Public client: no secret.
    const tokenRes = await postForm(new URL("/oauth/token", pactUrl), {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: CLIENT_ID,
      code_verifier: verifier,
    });
    const tokenBody = (await tokenRes.json().catch(() => null)) as Partial<TokenResponse> & { error?: string; error_description?: string } | null;
    if (!tokenRes.ok) throw new PactLoginError(tokenBody?.error ?? "server_error", tokenBody?.error_description ?? `HTTP ${tokenRes.status} from /oauth/token`);
    if (typeof tokenBody?.access_token !== "string" || String(tokenBody.token_type).toLowerCase() !== "bearer") {
      throw new PactLoginError("invalid_response", "The token response has no Bearer access_token.");
    }
    const tokens = tokenBody as TokenResponse;
    // RFC 6749 §5.1: an omitted scope means the requested one.
    const scope = tokens.scope ?? SCOPE;

    // Step 4 — call the API with the access token.
    const apiRes = await fetch(new URL(`/v1/contacts?limit=${options.limit ?? 10}`, pactUrl), {
      headers: { Authorization: `Bearer ${tokens.access_token}`, Accept: "application/json" },
    });
    const apiBody: unknown = await apiRes.json().catch(() => null);
    if (!apiRes.ok) {
      const www = apiRes.headers.get("www-authenticate") ?? "";
      throw new PactLoginError(/error="([^"]*)"/.exec(www)?.[1] ?? "api_error", `HTTP ${apiRes.status} from /v1/contacts`);
    }
    return { scope, tokens, contacts: contactsOf(apiBody), redirectUri };
  } finally {
    clearTimeout(timer);
    await closeServer(server);
  }
}

/** --open: hand the URL to the platform's opener, as an argument (no shell). */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["rundll32", ["url.dll,FileProtocolHandler", url]] : ["xdg-open", [url]];
  const child = spawn(cmd, args, { stdio: "ignore", detached: true });
  child.on("error", () => process.stderr.write("Could not open a browser; open the URL above yourself.\n"));
  child.unref();
}

/** Text from the network goes to a terminal: strip control characters (escape sequences). */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      pact: { type: "string", default: DEFAULT_PACT_URL },
      timeout: { type: "string", default: "300" },
      open: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write("Usage: npm run example:cli -- [--pact http://127.0.0.1:4010] [--timeout SECONDS] [--open]\n");
    return 0;
  }
  const seconds = Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    process.stderr.write(`--timeout must be a positive number of seconds, got "${values.timeout}"\n`);
    return 2;
  }
  try {
    new URL(values.pact);
  } catch {
    process.stderr.write(`--pact must be an absolute URL, got "${values.pact}"\n`);
    return 2;
  }
  const result = await runCliLogin({
    pactUrl: values.pact,
    timeoutMs: seconds * 1000,
    onAuthorizeUrl(url) {
      process.stdout.write(`Open this URL in your browser to connect demo-cli to your Pact workspace:\n\n  ${url}\n\nWaiting for Pact to redirect back (up to ${seconds} s)…\n`);
      if (values.open) openBrowser(url);
    },
  });
  process.stdout.write(`\nConnected. Granted scope: ${printable(result.scope)}\n`);
  process.stdout.write(`First contacts (${result.contacts.length}):\n`);
  for (const c of result.contacts) {
    process.stdout.write(`  - ${printable([c.name, c.email && `<${c.email}>`, c.company && `(${c.company})`].filter(Boolean).join(" "))}\n`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`pact-login: ${printable(e instanceof Error ? e.message : String(e))}\n`);
      process.exit(1);
    },
  );
}
