import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { type PactMock, createPactMock } from "../../mock/app.ts";
import { createManualClock } from "../../mock/clock.ts";
import type { Grant } from "../../mock/store.ts";

export const FIXTURE_KEY = "pact_key_mjQNUWpDXOzXpYa5rkTIsUY6e4N14BUBcQAlPNXvzcE";

export interface Running {
  readonly mock: PactMock;
  readonly base: string;
  close(): Promise<void>;
}

/** A fresh mock on an ephemeral loopback port with a manual clock. */
export async function start(): Promise<Running> {
  const mock = createPactMock({ clock: createManualClock() });
  const server: Server = mock.app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    mock,
    base,
    close: () =>
      new Promise<void>((resolve) => {
        mock.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A user's authorization-code grant and an access token for it, minted in the store. */
export function userToken(mock: PactMock, email: string, scope: string[], clientId = "demo-server"): { token: string; grant: Grant } {
  const user = mock.store.userByEmail(email);
  if (!user) throw new Error(`no fixture user ${email}`);
  const grant = mock.store.createGrant({ kind: "authorization_code", clientId, workspaceId: user.workspaceId, principal: { kind: "user", userId: user.id }, scope });
  return { token: mock.store.issueAccessToken(grant, scope).raw, grant };
}

/** A client-credentials grant and token acting as the app in its registering workspace (AMB-17). */
export function appToken(mock: PactMock, clientId: string, scope: string[]): { token: string; grant: Grant } {
  const app = mock.store.liveApp(clientId);
  if (!app) throw new Error(`no app ${clientId}`);
  const grant = mock.store.createGrant({ kind: "client_credentials", clientId, workspaceId: app.workspaceId, principal: { kind: "app", clientId }, scope });
  return { token: mock.store.issueAccessToken(grant, scope).raw, grant };
}

/** A signed-in session cookie and its CSRF token for a fixture user. */
export function session(mock: PactMock, email: string): { cookie: string; csrf: string } {
  const user = mock.store.userByEmail(email);
  if (!user) throw new Error(`no fixture user ${email}`);
  const { raw, session: s } = mock.store.createSession(user.id);
  return { cookie: `pact_session=${raw}`, csrf: s.csrfToken };
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** The parameters of a WWW-Authenticate Bearer challenge. */
export function challenge(res: Response): Map<string, string> {
  const header = res.headers.get("www-authenticate") ?? "";
  const out = new Map<string, string>();
  if (!/^Bearer\b/i.test(header)) return out;
  for (const m of header.matchAll(/([a-z_]+)="([^"]*)"/g)) if (m[1] && m[2] !== undefined) out.set(m[1], m[2]);
  return out;
}
