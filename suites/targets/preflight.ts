import { clientCredentials } from "../flows/tokens.ts";
import { loginOn } from "../flows/code-factory.ts";
import { ProtocolClient, TransportError } from "../http/client.ts";
import { Redactor } from "../http/redact.ts";
import { validateResponse } from "../schemas/index.ts";
import type { Target } from "./target.ts";

export interface PreflightResult {
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Before any test: the target answers, its metadata reads, each confidential app's secret works
 * (client credentials) and each user can log in by the recipe. One message per problem.
 */
export async function preflight(target: Target): Promise<PreflightResult> {
  const redactor = new Redactor();
  for (const app of Object.values(target.apps)) redactor.learn(app?.clientSecret, "client_secret");
  for (const u of Object.values(target.users)) redactor.learn(u?.password, "password");
  const client = new ProtocolClient({ baseUrl: target.baseUrl, redactor, timeoutMs: 10_000 });
  const problems: string[] = [];
  const notes: string[] = [];

  try {
    const md = await client.get("/.well-known/oauth-authorization-server");
    if (md.status !== 200) problems.push(`metadata: GET /.well-known/oauth-authorization-server answered ${md.status}`);
    else {
      const body = md.jsonOrUndefined();
      const issues = body === undefined ? [{ path: "(root)", message: "not JSON" }] : validateResponse("metadata", body);
      if (issues.length) problems.push(`metadata: not RFC 8414 metadata (${issues.map((i) => `${i.path} ${i.message}`).join("; ")})`);
    }
  } catch (e) {
    const why = e instanceof TransportError ? e.message : String(e);
    return { problems: [`unreachable: ${target.baseUrl} (${why})`], notes };
  }

  for (const [role, app] of Object.entries(target.apps)) {
    if (!app?.clientSecret) continue;
    try {
      // The secret is good if either method the doc and RFC 6749 §2.3.1 name accepts it; whether Basic
      // works is TOKEN-06's verdict, not a reason to refuse the target.
      let res = await clientCredentials(client, app, app.scopes[0] ?? null, { auth: "body" });
      if (res.status !== 200) res = await clientCredentials(client, app, app.scopes[0] ?? null, { auth: "basic" });
      const body = res.jsonOrUndefined() as { access_token?: unknown } | undefined;
      if (res.status !== 200 || typeof body?.access_token !== "string") {
        const error = body && typeof body === "object" && "error" in body ? String((body as { error: unknown }).error) : "";
        const hint = error === "invalid_client" ? ` (check apps.${role}.clientId and apps.${role}.clientSecret)` : error === "invalid_scope" ? ` (check apps.${role}.scopes)` : "";
        problems.push(`credentials: app "${role}" (${app.clientId}) client_credentials answered ${res.status}${error ? ` ${error}` : ""}${hint}`);
      }
    } catch (e) {
      problems.push(`credentials: app "${role}" (${app.clientId}): ${e instanceof Error ? redactor.redactText(e.message) : String(e)}`);
    }
  }

  for (const [role, user] of Object.entries(target.users)) {
    if (!user) continue;
    try {
      await loginOn(client, target, user);
    } catch (e) {
      problems.push(`login: user "${role}" (${user.email}): ${e instanceof Error ? redactor.redactText(e.message) : String(e)} (check users.${role}.password and the recipe's labels)`);
    }
  }

  // KEY-A authenticates /v1 as a Bearer credential (DOC-Intro, KEY-01).
  if (target.apiKey) {
    redactor.learn(target.apiKey, "api_key");
    try {
      const res = await client.get("/v1/contacts", { query: [["limit", "1"]], headers: [["authorization", `Bearer ${target.apiKey}`]] });
      if (res.status !== 200) problems.push(`credentials: apiKey: GET /v1/contacts with the key answered ${res.status} (check apiKey)`);
    } catch (e) {
      problems.push(`credentials: apiKey: ${e instanceof Error ? redactor.redactText(e.message) : String(e)}`);
    }
  }

  for (const cap of ["clock", "multi", "timing"] as const) {
    const why = target.missing(cap);
    if (why) notes.push(`capability ${cap} unavailable: ${why}`);
  }
  return { problems, notes };
}
