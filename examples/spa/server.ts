/**
 * Static server for the example single-page app (`demo-spa`).
 *
 *   npm run example:spa -- [--port 5173] [--host 127.0.0.1] [--pact http://127.0.0.1:4010]
 *
 * `demo-spa` is registered with the redirect URI http://127.0.0.1:5173/callback.
 * A loopback URI registered with a port is matched exactly (RFC 8252 §7.3 frees
 * the port only for URIs registered without one), so another --port only works
 * against a Pact where the app is registered with that port.
 */
import { readFile } from "node:fs/promises";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export const DEFAULT_SPA_PORT = 5173;
export const DEFAULT_PACT_URL = "http://127.0.0.1:4010";

export interface SpaServerOptions {
  port?: number;
  host?: string;
  /** Base URL of the Pact (or mock) the page talks to. */
  pactUrl?: string;
}

export interface SpaServer {
  /** Where the page is served, e.g. http://127.0.0.1:5173 */
  readonly url: string;
  close(): Promise<void>;
}

const here = import.meta.dirname;

/** The files the page is made of; anything else is 404. `/callback` is the same page (Step 2's redirect_uri). */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/callback": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/pact-oauth.js": { file: "pact-oauth.js", type: "text/javascript; charset=utf-8" },
};

function securityHeaders(pactOrigin: string): Record<string, string> {
  return {
    // The page may only call its own origin and Pact; nothing external is loaded.
    "Content-Security-Policy": `default-src 'self'; connect-src 'self' ${pactOrigin}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    // The callback URL carries the authorization code: never send it on (RFC 9700 §4.2.4).
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
  };
}

function normalizePactUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--pact must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`--pact must be http or https, got "${value}"`);
  return url;
}

/** Serves the page; resolves once listening. Rejects with a clear message when the port is taken. */
export function startSpaServer(options: SpaServerOptions = {}): Promise<SpaServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_SPA_PORT;
  const pact = normalizePactUrl(options.pactUrl ?? DEFAULT_PACT_URL);
  const pactUrl = pact.href.replace(/\/+$/, "");
  const headers = securityHeaders(pact.origin);
  // The page reads its settings from this module; JSON.stringify keeps it a plain string literal.
  const configJs = `export const config = Object.freeze(${JSON.stringify({ pactUrl, clientId: "demo-spa", scope: "read:contacts write:contacts" })});\n`;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...headers, Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }).end("Method not allowed\n");
      return;
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/config.js") {
      res.writeHead(200, { ...headers, "Content-Type": "text/javascript; charset=utf-8" }).end(req.method === "HEAD" ? undefined : configJs);
      return;
    }
    const entry = FILES[path];
    if (!entry) {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    const body = await readFile(join(here, entry.file));
    res.writeHead(200, { ...headers, "Content-Type": entry.type }).end(req.method === "HEAD" ? undefined : body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Internal error\n");
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        reject(new Error(`Port ${port} on ${host} is already in use. Stop whatever is listening there (demo-spa's redirect URI is http://127.0.0.1:${DEFAULT_SPA_PORT}/callback, so the example needs that port).`));
      } else reject(err);
    });
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${bound}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: String(DEFAULT_SPA_PORT) },
      host: { type: "string", default: "127.0.0.1" },
      pact: { type: "string", default: DEFAULT_PACT_URL },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write("Usage: npm run example:spa -- [--port 5173] [--host 127.0.0.1] [--pact http://127.0.0.1:4010]\n");
    return;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  const spa = await startSpaServer({ port, host: values.host, pactUrl: values.pact });
  process.stdout.write(`Example app (demo-spa) at ${spa.url}/ talking to Pact at ${values.pact}\n`);
  const stop = () => void spa.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`example-spa: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
