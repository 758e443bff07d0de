import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TargetFileSchema, type TargetFile } from "./schema.ts";

const FIXTURE_PASSWORD = "pact-demo-password";

/** KEY-A is generated per fixture set; read it from the fixture file when the kit runs beside one. */
function fixtureApiKey(): string | undefined {
  const file = fileURLToPath(new URL("../../fixtures/pact.json", import.meta.url));
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { apiKeys?: Array<{ workspace?: string; key?: string }> };
    return data.apiKeys?.find((k) => k.workspace === "acme")?.key;
  } catch {
    return undefined;
  }
}

/** The mock's fixture identities (design.md "Fixtures"), as a target file for `baseUrl`. */
export function fixtureTargetFile(baseUrl: string): TargetFile {
  const apiKey = fixtureApiKey();
  return TargetFileSchema.parse({
    baseUrl,
    apps: {
      conf: {
        clientId: "demo-server",
        clientSecret: "demo-server-secret",
        name: "Demo Server",
        redirectUris: ["https://server.example.test/callback", "https://server.example.test/callback2?tenant=a"],
        scopes: ["read:contacts", "write:contacts", "read:deals"],
      },
      conf2: {
        clientId: "demo-other",
        clientSecret: "demo-other-secret",
        name: "Demo Other",
        redirectUris: ["https://other.example.test/callback"],
        scopes: ["read:contacts"],
      },
      spa: { clientId: "demo-spa", name: "Demo SPA", redirectUris: ["http://127.0.0.1:5173/callback"], scopes: ["read:contacts", "write:contacts"] },
      cli: { clientId: "demo-cli", name: "Demo CLI", redirectUris: ["http://127.0.0.1/callback", "http://[::1]/callback"], scopes: ["read:contacts"] },
    },
    users: {
      admin: { email: "admin@acme.test", password: FIXTURE_PASSWORD, workspace: "Acme" },
      member: { email: "member@acme.test", password: FIXTURE_PASSWORD, workspace: "Acme" },
      restricted: { email: "restricted@acme.test", password: FIXTURE_PASSWORD, workspace: "Acme" },
      secondWorkspace: { email: "member@globex.test", password: FIXTURE_PASSWORD, workspace: "Globex" },
      secondWorkspaceAdmin: { email: "admin@globex.test", password: FIXTURE_PASSWORD, workspace: "Globex" },
    },
    ...(apiKey ? { apiKey } : {}),
    scopes: ["read:contacts", "write:contacts", "read:deals", "write:deals"],
    params: { REVOKE_PROPAGATION_S: 0 },
  });
}
