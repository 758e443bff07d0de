/**
 * Interop: oauth4webapi, a widely used certified OAuth client library, connects
 * to the mock exactly as an app builder would (discovery, authorization code +
 * PKCE, the API, refresh, revocation, client credentials). Consent is given
 * over HTTP by the page contract (login form, Approve button).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as oauth from "oauth4webapi";
import { Browser, type Harness, hidden, startMock } from "./oauth-harness.ts";

const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe("oauth4webapi against the mock", () => {
  let h: Harness;
  let as: oauth.AuthorizationServer;

  before(async () => {
    h = await startMock();
    const issuer = new URL(h.base);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
  });
  after(() => h.close());

  it("discovers the endpoints and S256", () => {
    assert.equal(as.issuer, h.base);
    assert.equal(as.token_endpoint, `${h.base}/oauth/token`);
    assert.deepEqual(as.code_challenge_methods_supported, ["S256"]);
  });

  it("public client: authorization code + PKCE, API call, refresh, revocation", async () => {
    const client: oauth.Client = { client_id: "demo-spa" };
    const auth = oauth.None();
    const redirectUri = "http://127.0.0.1:5173/callback";
    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const state = oauth.generateRandomState();

    const authorize = new URL(as.authorization_endpoint ?? "");
    authorize.search = new URLSearchParams({ response_type: "code", client_id: client.client_id, redirect_uri: redirectUri, scope: "read:contacts write:contacts", state, code_challenge: challenge, code_challenge_method: "S256" }).toString();

    // The person in the loop: sign in on the page the authorize request shows, then Approve.
    const browser = new Browser(h.base);
    const loginPage = await browser.get(authorize.pathname + authorize.search);
    assert.equal(loginPage.status, 200);
    const loginHtml = await loginPage.text();
    const signedIn = await browser.post("/login", { login_csrf: hidden(loginHtml, "login_csrf"), return_to: hidden(loginHtml, "return_to"), email: "member@acme.test", password: "pact-demo-password" });
    assert.equal(signedIn.status, 303);
    const consent = await browser.get(signedIn.headers.get("location") ?? "");
    const consentHtml = await consent.text();
    assert.match(consentHtml, /read:contacts/);
    const approved = await browser.post("/oauth/consent", { csrf_token: hidden(consentHtml, "csrf_token"), transaction: hidden(consentHtml, "transaction"), decision: "approve" });
    assert.equal(approved.status, 303);

    const callback = new URL(approved.headers.get("location") ?? "");
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const tokenRes = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, tokenRes);
    assert.equal(tokens.token_type, "bearer");
    assert.equal(tokens.expires_in, 3600);
    assert.equal(tokens.scope, "read:contacts write:contacts");
    assert.ok(tokens.refresh_token);

    const api = await oauth.protectedResourceRequest(tokens.access_token, "GET", new URL(`${h.base}/v1/contacts?limit=10`), undefined, undefined, insecure);
    assert.equal(api.status, 200);
    const list = (await api.json()) as { data: unknown[] };
    assert.equal(list.data.length, 10);

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, insecure));
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, refreshed.refresh_token, insecure));
    // oauth4webapi surfaces an RFC 6750 challenge as an error carrying the parsed challenge.
    await assert.rejects(
      oauth.protectedResourceRequest(refreshed.access_token, "GET", new URL(`${h.base}/v1/contacts`), undefined, undefined, insecure),
      (e: unknown) => e instanceof oauth.WWWAuthenticateChallengeError && e.status === 401 && e.cause.some((c) => c.scheme === "bearer" && c.parameters.error === "invalid_token"),
    );
  });

  it("confidential client: client credentials with HTTP Basic", async () => {
    const client: oauth.Client = { client_id: "demo-server" };
    const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic("demo-server-secret"), { scope: "read:deals" }, insecure);
    const tokens = await oauth.processClientCredentialsResponse(as, client, res);
    assert.equal(tokens.scope, "read:deals");
    assert.equal(tokens.refresh_token, undefined);
    const deals = await oauth.protectedResourceRequest(tokens.access_token, "GET", new URL(`${h.base}/v1/deals`), undefined, undefined, insecure);
    assert.equal(deals.status, 200);
  });
});
