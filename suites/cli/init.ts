/**
 * `conformance init --target URL [--out FILE] [--force]`: a target file written from what the
 * target says about itself without credentials (RFC 8414 metadata, endpoints that answer, where
 * its login form is), with every other field present as a placeholder to fill in.
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { standaloneLoginPage, followOnOrigin, isLoginPage } from "../flows/login.ts";
import { ProtocolClient, TransportError } from "../http/client.ts";
import { Redactor } from "../http/redact.ts";
import { validateResponse } from "../schemas/index.ts";
import { MOCK_API_SURFACE } from "../targets/api-surface.ts";
import { OPTIONAL_IDENTITIES, optionalIdentityComment, type OptionalIdentity } from "../targets/optional-identities.ts";
import { KitParamsSchema, RecipeSchema, type Recipe } from "../targets/schema.ts";
import { SCHEMA_PATH } from "../targets/write-schema.ts";

/** What the target told the kit without credentials. */
export interface Discovery {
  readonly baseUrl: string;
  readonly issuer: string | undefined;
  readonly scopesSupported: readonly string[] | undefined;
  /** The recipe's loginPath where a login form was found there; null when the login shows only inside an authorization. */
  readonly loginPath: string | null;
  /** One line per thing checked, for the user. */
  readonly findings: readonly string[];
  /** What is wrong with the target as far as could be seen. */
  readonly problems: readonly string[];
}

const DEFAULT_SCOPES = ["read:contacts", "write:contacts", "read:deals", "write:deals"];

function identity(p: OptionalIdentity["path"]): OptionalIdentity {
  return OPTIONAL_IDENTITIES.find((i) => i.path === p) as OptionalIdentity;
}

/** `${PACT_…}`: a secret read from the environment when the kit runs. */
function envSecret(name: string): string {
  return `\${PACT_${name}}`;
}

function app(role: string, confidential: boolean, comment?: string): Record<string, unknown> {
  return {
    ...(comment ? { $comment: comment } : {}),
    clientId: `<${role} client_id>`,
    ...(confidential ? { clientSecret: envSecret(`${role.toUpperCase()}_SECRET`) } : {}),
    name: `<${role} display name, as the consent page shows it>`,
    redirectUris: [`<${role} registered redirect URI>`],
    scopes: [`<${role} registered scope>`],
  };
}

function user(role: string, envName: string, comment?: string): Record<string, unknown> {
  return {
    ...(comment ? { $comment: comment } : {}),
    email: `<${role} email>`,
    password: envSecret(`${envName}_PASSWORD`),
    workspace: `<${role}'s workspace name, as the consent page shows it>`,
  };
}

/** The target file for what was discovered: every field the schema knows, unknowns as placeholders. */
export function targetFileFor(d: Discovery): Record<string, unknown> {
  const recipe: Recipe = { ...RecipeSchema.parse({}), loginPath: d.loginPath };
  const issuer = d.issuer && d.issuer.replace(/\/+$/, "") !== d.baseUrl.replace(/\/+$/, "") ? d.issuer : undefined;
  return {
    $schema: "https://pact.place/schemas/conformance-target-file.json",
    $comment: `Written by \`npm run conformance -- init --target ${d.baseUrl}\`. Replace every <…> placeholder, export the PACT_… variables, then run \`npm run conformance -- check-config --config FILE\`.`,
    baseUrl: d.baseUrl,
    ...(issuer ? { issuer } : {}),
    apps: {
      conf: app("conf", true),
      conf2: app("conf2", true, optionalIdentityComment(identity("apps.conf2"))),
      spa: app("spa", false),
      cli: app("cli", false, optionalIdentityComment(identity("apps.cli"))),
    },
    users: {
      admin: user("admin", "ADMIN"),
      member: user("member", "MEMBER"),
      restricted: user("restricted", "RESTRICTED", optionalIdentityComment(identity("users.restricted"))),
      secondWorkspace: user("secondWorkspace", "SECOND_WORKSPACE", optionalIdentityComment(identity("users.secondWorkspace"))),
      secondWorkspaceAdmin: user("secondWorkspaceAdmin", "SECOND_WORKSPACE_ADMIN", optionalIdentityComment(identity("users.secondWorkspaceAdmin"))),
    },
    apiKey: envSecret("API_KEY"),
    api: { endpoints: MOCK_API_SURFACE.map((e) => ({ method: e.method, path: e.path, scopes: [...e.scopes] })), objectPath: "" },
    scopes: d.scopesSupported && d.scopesSupported.length > 0 ? [...d.scopesSupported] : DEFAULT_SCOPES,
    params: KitParamsSchema.parse({}),
    recipe,
    capabilities: { disable: [] },
  };
}

/** The root `$comment` names the optional apiKey too (a string cannot carry a comment of its own). */
export function withApiKeyComment(file: Record<string, unknown>): Record<string, unknown> {
  return { ...file, $comment: `${String(file.$comment)} apiKey: ${optionalIdentityComment(identity("apiKey"))} api: the /v1 surface as the mock serves it; trim it to the target's.` };
}

/** Reads the target without credentials: metadata, whether its endpoints answer, where its login form is. */
export async function discover(baseUrl: string, recipe: Recipe = RecipeSchema.parse({})): Promise<Discovery> {
  const base = baseUrl.replace(/\/+$/, "");
  const client = new ProtocolClient({ baseUrl: base, redactor: new Redactor(), timeoutMs: 10_000 });
  const findings: string[] = [];
  const problems: string[] = [];
  let metadata: Record<string, unknown> | undefined;
  try {
    const md = await client.get("/.well-known/oauth-authorization-server", { label: "init: metadata" });
    const body = md.jsonOrUndefined();
    const issues = md.status !== 200 ? [] : body === undefined ? [{ path: "(root)", message: "not JSON" }] : validateResponse("metadata", body);
    if (md.status !== 200) problems.push(`metadata: GET /.well-known/oauth-authorization-server answered ${md.status}`);
    else if (issues.length) problems.push(`metadata: not RFC 8414 metadata (${issues.map((i) => `${i.path} ${i.message}`).join("; ")})`);
    else {
      metadata = body as Record<string, unknown>;
      findings.push(`metadata: RFC 8414 metadata, issuer ${String(metadata.issuer)}`);
    }
  } catch (e) {
    return { baseUrl: base, issuer: undefined, scopesSupported: undefined, loginPath: recipe.loginPath, findings, problems: [`unreachable: ${base} (${e instanceof TransportError ? e.message : String(e)})`] };
  }

  // Without credentials an endpoint can only be seen to answer: any status below 500 will do.
  const endpoints: Array<[string, "GET" | "POST"]> = [["authorization_endpoint", "GET"], ["token_endpoint", "POST"], ["revocation_endpoint", "POST"]];
  for (const [member, method] of endpoints) {
    const url = metadata?.[member];
    if (typeof url !== "string") continue;
    try {
      const res = await client.send({ method, url, ...(method === "POST" ? { form: [] } : {}), label: `init: ${member}` });
      if (res.status >= 500) problems.push(`${member}: ${method} ${url} answered ${res.status}`);
      else findings.push(`${member}: ${method} ${url} answers (${res.status} without credentials)`);
    } catch (e) {
      problems.push(`${member}: ${method} ${url}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  let loginPath: string | null = recipe.loginPath;
  try {
    if (await standaloneLoginPage(client, recipe)) findings.push(`login: a "${recipe.signInButton}" form at ${recipe.loginPath}`);
    else {
      loginPath = null;
      const console = await followOnOrigin(client, await client.get(recipe.adminPath, { label: "init: admin console" }), "init");
      findings.push(
        isLoginPage(console, recipe)
          ? `login: no form at ${recipe.loginPath}; ${recipe.adminPath} leads to a "${recipe.signInButton}" form, so the kit signs in through an authorization request of apps.spa (recipe.loginPath null)`
          : `login: no "${recipe.signInButton}" form at ${recipe.loginPath} or through ${recipe.adminPath}; the kit will sign in through an authorization request of apps.spa (recipe.loginPath null): check-config confirms it once apps.spa is filled in`,
      );
    }
  } catch (e) {
    problems.push(`login: ${e instanceof Error ? e.message : String(e)}`);
  }
  const scopes = metadata?.scopes_supported;
  return {
    baseUrl: base,
    issuer: typeof metadata?.issuer === "string" ? metadata.issuer : undefined,
    scopesSupported: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : undefined,
    loginPath,
    findings,
    problems,
  };
}

export interface InitOptions {
  readonly target: string;
  readonly out: string;
  readonly force: boolean;
}

/** Runs `init`; returns the exit status (0 written, 2 refused or the target unreadable). */
export async function runInit(opts: InitOptions, say: (line: string) => void): Promise<number> {
  if (existsSync(opts.out) && !opts.force) {
    say(`init: ${opts.out} exists; not overwritten (--force to replace it)`);
    return 2;
  }
  const d = await discover(opts.target);
  for (const f of d.findings) say(`  ok  ${f}`);
  for (const p of d.problems) say(`  !!  ${p}`);
  if (d.problems.some((p) => p.startsWith("unreachable"))) {
    say(`init: ${opts.target} could not be read; nothing written`);
    return 2;
  }
  const schema = path.relative(path.dirname(path.resolve(opts.out)), SCHEMA_PATH);
  const file = { ...withApiKeyComment(targetFileFor(d)), $schema: schema.startsWith(".") ? schema : `./${schema}` };
  writeFileSync(opts.out, `${JSON.stringify(file, null, 2)}\n`);
  say(`init: wrote ${opts.out}${d.problems.length ? ` (${d.problems.length} problem(s) seen on the target, above)` : ""}`);
  say(`next: replace each <…> placeholder, export the PACT_… variables it names, then: npm run conformance -- check-config --config ${path.relative(process.cwd(), path.resolve(opts.out))}`);
  return 0;
}
