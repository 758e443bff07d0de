import type { PairsInput, ProtocolClient } from "../http/client.ts";
import { toPairs } from "../http/client.ts";
import { basicAuthorization } from "../http/basic.ts";
import type { HttpResponse } from "../http/response.ts";
import type { AppIdentity } from "../targets/schema.ts";
import type { CodeFactory, IssueOptions, IssuedCode } from "./code-factory.ts";
import { FlowError } from "./login.ts";

/** How a client authenticates at the token and revocation endpoints (RFC 6749 §2.3). */
export type ClientAuth = "basic" | "body" | "none";

/** Public clients send client_id only; confidential ones use Basic unless told otherwise. */
export function defaultAuth(app: AppIdentity): ClientAuth {
  return app.clientSecret ? "basic" : "none";
}

/** Adds client authentication to a form and header list (RFC 6749 §2.3.1, §3.2.1). */
export function withClientAuth(app: AppIdentity, auth: ClientAuth, form: Array<[string, string]>): { form: Array<[string, string]>; headers: Array<[string, string]> } {
  if (auth === "basic") return { form, headers: [["authorization", basicAuthorization(app.clientId, app.clientSecret ?? "")]] };
  if (auth === "body") return { form: [...form, ["client_id", app.clientId], ["client_secret", app.clientSecret ?? ""]], headers: [] };
  return { form: [...form, ["client_id", app.clientId]], headers: [] };
}

export interface TokenRequestOptions {
  readonly auth?: ClientAuth;
  readonly extra?: PairsInput;
  readonly label?: string;
}

async function tokenRequest(client: ProtocolClient, app: AppIdentity, form: Array<[string, string]>, opts: TokenRequestOptions, label: string): Promise<HttpResponse> {
  const { form: body, headers } = withClientAuth(app, opts.auth ?? defaultAuth(app), [...form, ...toPairs(opts.extra)]);
  return client.postForm("/oauth/token", body, { headers, label: opts.label ?? label });
}

/** RFC 6749 §4.1.3 with RFC 7636 §4.5: redeem a code. */
export function exchangeCode(client: ProtocolClient, app: AppIdentity, issued: Pick<IssuedCode, "code" | "redirectUri" | "verifier">, opts: TokenRequestOptions = {}): Promise<HttpResponse> {
  return tokenRequest(client, app, [["grant_type", "authorization_code"], ["code", issued.code], ["redirect_uri", issued.redirectUri], ["code_verifier", issued.verifier]], opts, "token: exchange code");
}

/** RFC 6749 §6: refresh, optionally narrowing the scope. */
export function refresh(client: ProtocolClient, app: AppIdentity, refreshToken: string, opts: TokenRequestOptions & { scope?: string } = {}): Promise<HttpResponse> {
  const form: Array<[string, string]> = [["grant_type", "refresh_token"], ["refresh_token", refreshToken]];
  if (opts.scope !== undefined) form.push(["scope", opts.scope]);
  return tokenRequest(client, app, form, opts, "token: refresh");
}

/** RFC 6749 §4.4.2: client credentials. */
export function clientCredentials(client: ProtocolClient, app: AppIdentity, scope: string | null, opts: TokenRequestOptions = {}): Promise<HttpResponse> {
  const form: Array<[string, string]> = [["grant_type", "client_credentials"]];
  if (scope !== null) form.push(["scope", scope]);
  return tokenRequest(client, app, form, { auth: "body", ...opts }, "token: client credentials");
}

/** RFC 7009 §2.1: revoke a token. */
export function revoke(client: ProtocolClient, app: AppIdentity, token: string, opts: TokenRequestOptions & { hint?: string } = {}): Promise<HttpResponse> {
  const form: Array<[string, string]> = [["token", token]];
  if (opts.hint !== undefined) form.push(["token_type_hint", opts.hint]);
  const { form: body, headers } = withClientAuth(app, opts.auth ?? defaultAuth(app), [...form, ...toPairs(opts.extra)]);
  return client.postForm("/oauth/revoke", body, { headers, label: opts.label ?? "revoke" });
}

export interface TokenSet {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly scope?: string;
  readonly issued: IssuedCode;
  readonly response: HttpResponse;
}

/** Convenience: a fresh code for `opts`, exchanged; throws FlowError unless the exchange gives 200 JSON tokens. */
export async function tokens(client: ProtocolClient, codes: CodeFactory, opts: IssueOptions, tokenOpts: TokenRequestOptions = {}): Promise<TokenSet> {
  const issued = await codes.issue(opts);
  const res = await exchangeCode(client, opts.client, issued, tokenOpts);
  const body = res.jsonOrUndefined() as Partial<TokenSet> | undefined;
  if (res.status !== 200 || !body || typeof body.access_token !== "string") {
    throw new FlowError(`code exchange for ${opts.client.clientId} answered ${res.status}`, res);
  }
  return { ...(body as Omit<TokenSet, "issued" | "response">), issued, response: res };
}
