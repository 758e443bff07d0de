/**
 * The example SPA (examples/spa) end to end in Chromium against an in-process
 * mock: connect, list contacts, an hour passes, refresh, disconnect, and the
 * revoked access token fails (REFRESH-03, REVOKE-03).
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { DEFAULT_SPA_PORT, type SpaServer, startSpaServer } from "../../examples/spa/server.ts";
import { type PactMock, createPactMock } from "../../mock/app.ts";

// One worker for this file even under fullyParallel: both tests need port 5173.
test.describe.configure({ mode: "default" });

// The example app is the project's own client code, checked against the in-process mock; a conformance run against a URL target does not re-test it.
const target = process.env.PACT_TARGET ?? "mock";
test.skip(target !== "mock", `example SPA end-to-end runs against the in-process mock only (this run's target is ${target})`);

let mock: PactMock;
let pactServer: Server;
let pactUrl: string;
let spa: SpaServer | undefined;

test.beforeAll(async () => {
  mock = createPactMock();
  pactServer = createServer(mock.app);
  await new Promise<void>((resolve) => pactServer.listen(0, "127.0.0.1", resolve));
  pactUrl = `http://127.0.0.1:${(pactServer.address() as AddressInfo).port}`;
  mock.setBaseUrl(pactUrl);
  // demo-spa's redirect URI is http://127.0.0.1:5173/callback, matched exactly: the SPA must be on 5173.
  spa = await startSpaServer({ port: DEFAULT_SPA_PORT, host: "127.0.0.1", pactUrl });
});

test.afterAll(async () => {
  await spa?.close();
  mock?.close();
  pactServer?.closeAllConnections();
  await new Promise<void>((resolve) => (pactServer ? pactServer.close(() => resolve()) : resolve()));
});

test("example SPA: connect, list contacts, refresh after an hour, disconnect revokes", async ({ page }) => {
  // Every access token the page obtains, in order (from the code exchange and each refresh).
  const accessTokens: Promise<string>[] = [];
  page.on("response", (res) => {
    if (res.url() === `${pactUrl}/oauth/token` && res.request().method() === "POST" && res.ok()) {
      accessTokens.push(res.json().then((body: { access_token: string }) => body.access_token));
    }
  });
  const status = page.getByRole("status");
  const contacts = page.getByRole("list", { name: "Contacts" }).getByRole("listitem");

  // Step 4 happens in the browser: Pact must answer CORS on /v1 for the app's origin, as it does on /oauth/token.
  const preflight = await fetch(`${pactUrl}/v1/contacts?limit=10`, {
    method: "OPTIONS",
    headers: { Origin: spa!.url, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
  });
  expect(
    [spa!.url, "*"],
    `${pactUrl}/v1/contacts answers no CORS preflight for ${spa!.url}, so no browser app can call the API (Step 4)`,
  ).toContain(preflight.headers.get("access-control-allow-origin"));

  await page.goto(`${spa!.url}/`);
  await expect(status).toHaveText("Not connected.");

  // Step 2: to Pact's authorize endpoint, sign in, approve.
  await page.getByRole("button", { name: "Connect to Pact" }).click();
  await page.getByLabel("Email").fill("member@acme.test");
  await page.getByLabel("Password").fill("pact-demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Approve" }).click();

  // Step 3: back on the SPA, which exchanged the code.
  await expect(status).toHaveText("Connected to Pact.");
  await expect(page).toHaveURL(`${spa!.url}/`);
  await expect(page.getByRole("alert")).toBeHidden();

  // Step 4: the API.
  await page.getByRole("button", { name: "Load contacts" }).click();
  await expect(status).toHaveText("Loaded 10 contacts.");
  await expect(contacts).toHaveCount(10);

  // An hour and more passes on Pact's clock: the access token (3600 s) is now expired.
  mock.control.advanceClock(3700);
  await page.getByRole("button", { name: "Load contacts" }).click();
  await expect(status).toHaveText("Access token refreshed. Loaded 10 contacts.");
  await expect(contacts).toHaveCount(10);

  expect(accessTokens).toHaveLength(2);
  const latest = await accessTokens[1]!;
  const first = await accessTokens[0]!;
  expect(latest).not.toBe(first);
  const contactsWith = (token: string) => fetch(`${pactUrl}/v1/contacts?limit=10`, { headers: { Authorization: `Bearer ${token}` } });
  expect((await contactsWith(latest)).status).toBe(200);

  // Revocation: Disconnect revokes the refresh token, which ends the grant's access tokens.
  await page.getByRole("button", { name: "Disconnect" }).click();
  await expect(status).toHaveText("Disconnected. The tokens were revoked and forgotten.");
  await expect(page.getByRole("button", { name: "Connect to Pact" })).toBeVisible();
  await expect(contacts).toHaveCount(0);

  const after = await contactsWith(latest);
  expect(after.status).toBe(401);
  expect(after.headers.get("www-authenticate") ?? "").toContain('error="invalid_token"');
});

test("example SPA: Deny shows access_denied", async ({ page }) => {
  await page.goto(`${spa!.url}/`);
  await page.getByRole("button", { name: "Connect to Pact" }).click();
  // The browser context is fresh, so Pact asks to sign in again.
  await page.getByLabel("Email").fill("member@acme.test");
  await page.getByLabel("Password").fill("pact-demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Deny" }).click();

  await expect(page.getByRole("alert")).toContainText("access_denied");
  await expect(page.getByRole("status")).toHaveText("Not connected.");
  await expect(page.getByRole("button", { name: "Connect to Pact" })).toBeVisible();
});
