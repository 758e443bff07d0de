import { test, reqs, needs, type Target, tags } from "../harness/index.ts";
import { ensure, ensureStatus, ensureTokenError } from "../checks/http.ts";
import {
  callApi,
  ensureBearerAccepted,
  ensureBearerRejected,
  ensureSecretAbsent,
  estimateEntropy,
  fp,
  listIds,
  withinPropagation,
} from "../checks/admin.ts";
import { AdminSession } from "../flows/admin.ts";
import { refresh, revoke, tokens, withClientAuth } from "../flows/index.ts";
import type { ProtocolClient } from "../http/client.ts";
import { newPkcePair } from "../http/pkce.ts";
import type { HttpResponse } from "../http/response.ts";
import type { AppIdentity } from "../targets/schema.ts";

/** KEY-A from the target file, else a key created in the console for this test. */
async function workspaceKey(target: Target, admin: () => Promise<AdminSession>): Promise<{ key: string; source: string }> {
  if (target.apiKey) return { key: target.apiKey, source: "KEY-A" };
  return { key: (await (await admin()).createApiKey(`kit-key-${Date.now().toString(36)}`)).key, source: "a key created for this test" };
}

/** Same length and alphabet, different last character: a string that is no live credential. */
function mutateLast(s: string): string {
  const last = s.at(-1);
  return s.slice(0, -1) + (last === "A" ? "B" : "A");
}

/** What a 401 looks like from the outside: status, challenge error, media type, JSON error member. */
function shape(res: HttpResponse): string {
  const challenge = res.challenges().find((c) => c.scheme.toLowerCase() === "bearer");
  const body = res.jsonOrUndefined() as { error?: unknown } | undefined;
  return JSON.stringify({ status: res.status, scheme: challenge?.scheme.toLowerCase() ?? null, error: challenge?.params.error ?? null, type: res.mediaType ?? null, body: body?.error ?? null });
}

function apps(target: Target): AppIdentity[] {
  return [target.apps.conf, target.apps.conf2, target.apps.spa, target.apps.cli].filter((a): a is AppIdentity => a !== undefined);
}

async function contactIds(client: ProtocolClient, token: string, what: string): Promise<string[]> {
  const res = await callApi(client, token, `api: list contacts as ${what}`, "/v1/contacts?limit=100");
  ensureStatus(res, 200);
  return listIds(res);
}

test.describe("KEY-01 API keys are Bearer credentials on /v1, with the same error shape", () => {
  test("a workspace key reads its workspace's data; bad and revoked keys fail like bad tokens", {
    tag: tags("KEY-01"), annotation: [...reqs("KEY-01"), ...needs("http", "session", "code", "admin")],
  }, async ({ client, target, verdicts, codeFactory }) => {
    let session: AdminSession | null = null;
    const admin = async (): Promise<AdminSession> => (session ??= await AdminSession.open(client, target));
    const { key, source } = await workspaceKey(target, admin);

    await verdicts.check("KEY-01", `Bearer ${source} on GET /v1/contacts?limit=10 gives 200 with at most 10 WS-A contacts (DOC-S4)`, async () => {
      const res = await callApi(client, key, "api: contacts with the API key", "/v1/contacts?limit=10");
      ensureStatus(res, 200);
      const ids = listIds(res);
      ensure(ids.length <= 10, `limit=10 returned ${ids.length} items`);
      const a = new Set(await contactIds(client, (await tokens(client, codeFactory, { client: target.apps.conf, scope: "read:contacts" })).access_token, "USR-A"));
      const foreign = ids.filter((id) => !a.has(id));
      ensure(foreign.length === 0, `the key listed ${foreign.length} contact(s) that WS-A's member cannot see: ${foreign.slice(0, 3).join(", ")}`);
      const userB = target.users.secondWorkspace;
      if (userB) {
        const b = new Set(await contactIds(client, (await tokens(client, codeFactory, { client: target.apps.conf, scope: "read:contacts", user: userB })).access_token, "USR-B"));
        const leaked = ids.filter((id) => b.has(id));
        ensure(leaked.length === 0, `the key listed WS-B contacts: ${leaked.slice(0, 3).join(", ")}`);
      }
    });

    const badKey = mutateLast(key);
    const granted = await tokens(client, codeFactory, { client: target.apps.spa, scope: "read:contacts" });
    const badToken = mutateLast(granted.access_token);
    await verdicts.check("KEY-01", "an invalid key gets 401 with Bearer error=\"invalid_token\" (RFC 6750 §3.1)", async () => {
      await ensureBearerRejected(client, badKey, "altered API key");
    });
    await verdicts.check("KEY-01", "an invalid key and an invalid OAuth token get the same response shape", async () => {
      const k = shape(await callApi(client, badKey, "api: altered API key"));
      const t = shape(await callApi(client, badToken, "api: altered access token"));
      ensure(k === t, `altered key answered ${k}, altered token answered ${t}`);
    });

    const s = await admin();
    const name = `kit-revoke-${Date.now().toString(36)}`;
    const created = await s.createApiKey(name);
    await verdicts.check("KEY-01", "a freshly created key works (control)", () => ensureBearerAccepted(client, created.key, "new API key"), { stopOnFailure: true });
    await s.revokeApiKey(name);
    await verdicts.check("KEY-01", "a revoked key gets 401 with Bearer error=\"invalid_token\"", () =>
      withinPropagation(target, () => ensureBearerRejected(client, created.key, "revoked API key")),
    );
  });
});

test.describe("KEY-02 API keys are not OAuth credentials", () => {
  test("a key is refused as client_secret, code and refresh_token, and /oauth/revoke leaves it working", {
    tag: tags("KEY-02"), annotation: [...reqs("KEY-02"), ...needs("http", "admin")],
  }, async ({ client, target, verdicts }) => {
    let session: AdminSession | null = null;
    const { key } = await workspaceKey(target, async () => (session ??= await AdminSession.open(client, target)));
    const conf = target.apps.conf;
    const asSecret: AppIdentity = { ...conf, clientSecret: key };

    await verdicts.check("KEY-02", "the key as client_secret (body) gets 401 invalid_client (RFC 6749 §2.3.1)", async () => {
      const { form, headers } = withClientAuth(asSecret, "body", [["grant_type", "client_credentials"], ["scope", "read:contacts"]]);
      ensureTokenError(await client.postForm("/oauth/token", form, { headers, label: "token: API key as client_secret (body)" }), ["invalid_client"], 401);
    });
    await verdicts.check("KEY-02", "the key as client_secret (Basic) gets 401 invalid_client", async () => {
      const { form, headers } = withClientAuth(asSecret, "basic", [["grant_type", "client_credentials"], ["scope", "read:contacts"]]);
      ensureTokenError(await client.postForm("/oauth/token", form, { headers, label: "token: API key as client_secret (Basic)" }), ["invalid_client"], 401);
    });
    await verdicts.check("KEY-02", "the key as an authorization code gets invalid_grant (RFC 6749 §5.2)", async () => {
      const { form, headers } = withClientAuth(conf, "basic", [
        ["grant_type", "authorization_code"],
        ["code", key],
        ["redirect_uri", conf.redirectUris[0] as string],
        ["code_verifier", newPkcePair().verifier],
      ]);
      ensureTokenError(await client.postForm("/oauth/token", form, { headers, label: "token: API key as code" }), ["invalid_grant"]);
    });
    await verdicts.check("KEY-02", "the key as a refresh_token gets invalid_grant", async () => {
      ensureTokenError(await refresh(client, conf, key, { label: "token: API key as refresh_token" }), ["invalid_grant"]);
      ensureTokenError(await refresh(client, target.apps.spa, key, { label: "token: API key as refresh_token (public client)" }), ["invalid_grant"]);
    });
    for (const app of apps(target)) {
      await verdicts.check("KEY-02", `POST /oauth/revoke token=<key> from ${app.clientId} gets 200 (RFC 7009 §2.2; AMB-14)`, async () => {
        ensureStatus(await revoke(client, app, key, { label: `revoke: API key from ${app.clientId}` }), 200);
        ensureStatus(await revoke(client, app, key, { hint: "access_token", label: `revoke: API key from ${app.clientId} with hint` }), 200);
      });
    }
    await verdicts.check("KEY-02", "after every revocation attempt the key keeps working", () => ensureBearerAccepted(client, key, "API key after /oauth/revoke"));
  });
});

test.describe("KEY-03 key secrecy and lifecycle", () => {
  test("a key is shown once, never again on any admin page, and is as unguessable as a token", {
    tag: tags("KEY-03"), annotation: [...reqs("KEY-03"), ...needs("http", "admin")],
  }, async ({ client, target, verdicts }) => {
    const admin = await AdminSession.open(client, target);
    const name = `kit-once-${Date.now().toString(36)}`;
    const created = await admin.createApiKey(name);

    await verdicts.check("KEY-03", "the creation page shows the key (control)", () => {
      ensure(created.page.text.includes(created.key), "the creation page does not contain the key it reported");
    }, { stopOnFailure: true });
    await verdicts.check("KEY-03", "no admin page reachable from the console shows the key again (raw, percent-encoded or base64)", async () => {
      const pages = await admin.crawl(created.page);
      const home = await admin.tab("API keys");
      ensure(pages.length > 0, "the crawl found no admin page to inspect");
      for (const p of [home, ...pages]) ensureSecretAbsent(p, created.key, "API key");
    });

    const samples = [created.key];
    for (let i = 0; i < 7; i++) samples.push((await admin.createApiKey(`${name}-${i}`)).key);
    await verdicts.check("KEY-03", "keys are distinct and carry ≥ 128 bits in their random part (RFC 6749 §10.10; SEC-03 proxy)", () => {
      ensure(new Set(samples).size === samples.length, "two created keys are equal");
      const e = estimateEntropy(samples);
      ensure(e.bits >= 128, `random part after prefix "${e.prefix.length} chars": ${e.length} × log2(${e.alphabetSize}) = ${e.bits.toFixed(1)} bits < 128`);
    });

    await admin.revokeApiKey(name);
    await verdicts.check("KEY-03", "a revoked key gets 401 within REVOKE_PROPAGATION_S", () =>
      withinPropagation(target, () => ensureBearerRejected(client, created.key, "revoked API key")),
    );
    await verdicts.check("KEY-03", "revoking one key leaves the others working", () => ensureBearerAccepted(client, samples[1] as string, `other key ${fp(samples[1] as string)}`));
  });
});
