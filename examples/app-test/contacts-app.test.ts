/**
 * An app's own test suite against the Pact mock, with no browser: the mock
 * approves every valid authorization as member@acme.test (autoApprove), so the
 * "browser" is one fetch that reads the redirect. In your project, import from
 * "pact-oauth-conformance" instead of the repository path.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type PactMock, createPactMock, loadAppFiles, loadFixtures } from "../../mock/index.ts";
import { ContactsApp } from "./contacts-app.ts";

const APP_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "pact-app.json");
const REDIRECT_URI = "http://localhost:3000/callback";

let mock: PactMock;
let server: Server;
let pact: string;

before(async () => {
  // The app's own registration (like `pact-mock --app pact-app.json`) and headless approval.
  mock = createPactMock({ fixtures: loadAppFiles(loadFixtures(), [APP_FILE]), autoApprove: "member@acme.test" });
  server = mock.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  pact = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.setBaseUrl(pact);
});

after(async () => {
  mock.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** What the user's browser would do: follow the login URL to Pact and come back with the redirect. */
async function browse(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: "manual" });
  assert.equal(res.status, 302, "the mock answers at once");
  return new URL(res.headers.get("location") ?? "");
}

function newApp(): ContactsApp {
  return new ContactsApp({ pact, clientId: "contacts-app", redirectUri: REDIRECT_URI, allowHttp: true });
}

describe("the contacts app against Pact", () => {
  it("signs in, lists contacts, refreshes after an hour, disconnects", async () => {
    const app = newApp();
    await app.callback(await browse(await app.loginUrl()));
    assert.ok(app.signedIn);
    const contacts = await app.contacts();
    assert.ok(contacts.length > 0);

    // An hour later the access token has expired: the app refreshes and carries on.
    mock.control.advanceClock(3600);
    assert.deepEqual(await app.contacts(), contacts);
    assert.equal(app.refreshes, 1);

    await app.disconnect();
    assert.equal(app.signedIn, false);
  });

  it("revoked by Pact (disconnect), its old tokens no longer work", async () => {
    const app = newApp();
    await app.callback(await browse(await app.loginUrl()));
    await app.contacts();
    mock.store.revokeInstallation("contacts-app", "acme");
    await assert.rejects(app.contacts(), (e: unknown) => e instanceof Error, "refresh fails too: the grant is gone");
  });

  it("handles the user pressing Deny", async () => {
    mock.control.setAutoApprove({ user: "member@acme.test", decision: "deny" });
    try {
      const app = newApp();
      const back = await browse(await app.loginUrl());
      assert.equal(back.searchParams.get("error"), "access_denied");
      await assert.rejects(app.callback(back));
      assert.equal(app.signedIn, false);
    } finally {
      mock.control.setAutoApprove("member@acme.test");
    }
  });
});
