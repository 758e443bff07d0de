/**
 * The app under test: a small server-side app that signs its user in to Pact
 * (Authorization Code + PKCE, a public client), lists their contacts, refreshes
 * when Pact says the access token is no longer valid, and disconnects. Only
 * oauth4webapi; nothing here knows it talks to the mock.
 */
import * as oauth from "oauth4webapi";

export interface ContactsAppOptions {
  /** Pact's base URL (the issuer). */
  readonly pact: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Plain http is for a local Pact only (the mock on loopback). */
  readonly allowHttp?: boolean;
}

export interface Contact {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export class ContactsApp {
  private as: oauth.AuthorizationServer | null = null;
  private readonly client: oauth.Client;
  private readonly auth = oauth.None();
  private pending: { state: string; verifier: string } | null = null;
  private tokens: { access: string; refresh: string } | null = null;
  /** How many times the app refreshed its access token (what the test checks). */
  refreshes = 0;

  constructor(private readonly options: ContactsAppOptions) {
    this.client = { client_id: options.clientId };
  }

  private get http(): { [oauth.allowInsecureRequests]?: boolean } {
    return this.options.allowHttp ? { [oauth.allowInsecureRequests]: true } : {};
  }

  private async server(): Promise<oauth.AuthorizationServer> {
    if (this.as) return this.as;
    const issuer = new URL(this.options.pact);
    this.as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...this.http }));
    return this.as;
  }

  /** Step 2: where to send the user's browser. */
  async loginUrl(): Promise<URL> {
    const as = await this.server();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    this.pending = { state, verifier };
    const url = new URL(as.authorization_endpoint ?? `${this.options.pact}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      scope: "read:contacts",
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();
    return url;
  }

  /** Step 3: the browser came back to the redirect URI; check state, redeem the code. Throws on access_denied. */
  async callback(url: URL): Promise<void> {
    if (!this.pending) throw new Error("no login in progress");
    const as = await this.server();
    const { state, verifier } = this.pending;
    this.pending = null;
    const params = oauth.validateAuthResponse(as, this.client, url, state);
    const res = await oauth.authorizationCodeGrantRequest(as, this.client, this.auth, params, this.options.redirectUri, verifier, this.http);
    const tokens = await oauth.processAuthorizationCodeResponse(as, this.client, res);
    this.tokens = { access: tokens.access_token, refresh: tokens.refresh_token ?? "" };
  }

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  /** Step 4: the user's contacts; on 401 invalid_token, refresh once and retry. */
  async contacts(): Promise<Contact[]> {
    try {
      return await this.getContacts();
    } catch (e) {
      if (!(e instanceof oauth.WWWAuthenticateChallengeError) || e.status !== 401) throw e;
      await this.refresh();
      return this.getContacts();
    }
  }

  private async getContacts(): Promise<Contact[]> {
    if (!this.tokens) throw new Error("not signed in");
    const res = await oauth.protectedResourceRequest(this.tokens.access, "GET", new URL(`${this.options.pact}/v1/contacts?limit=10`), undefined, undefined, this.http);
    if (!res.ok) throw new Error(`GET /v1/contacts: ${res.status}`);
    return ((await res.json()) as { data: Contact[] }).data;
  }

  private async refresh(): Promise<void> {
    if (!this.tokens) throw new Error("not signed in");
    const as = await this.server();
    const res = await oauth.refreshTokenGrantRequest(as, this.client, this.auth, this.tokens.refresh, this.http);
    const tokens = await oauth.processRefreshTokenResponse(as, this.client, res);
    // Pact rotates refresh tokens: keep the new one.
    this.tokens = { access: tokens.access_token, refresh: tokens.refresh_token ?? this.tokens.refresh };
    this.refreshes++;
  }

  /** Disconnect: revoking the refresh token ends its access tokens too. */
  async disconnect(): Promise<void> {
    if (!this.tokens) return;
    const as = await this.server();
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, this.client, this.auth, this.tokens.refresh, this.http));
    this.tokens = null;
  }
}
