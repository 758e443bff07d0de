import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Validation at the edge: a fixture file is parsed once, here, and trusted afterwards. */
const ScopeName = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "a scope token (RFC 6749 §3.3 scope-token)");

/** One app registration, as in the fixture file's `apps` and in an `--app` file. */
export const AppSchema = z
  .object({
    clientId: z.string().min(1),
    name: z.string().min(1),
    workspace: z.string().min(1),
    type: z.enum(["public", "confidential"]),
    clientSecret: z.string().min(1).optional(),
    redirectUris: z.array(z.string().min(1)).min(1),
    scopes: z.array(ScopeName).min(1),
  })
  .strict();

export const FixturesSchema = z
  .object({
    scopes: z.array(z.object({ name: ScopeName, description: z.string().min(1) }).strict()).min(1),
    workspaces: z.array(z.object({ id: z.string().min(1), name: z.string().min(1) }).strict()).min(1),
    users: z.array(
      z
        .object({
          id: z.string().min(1),
          email: z.string().email(),
          name: z.string().min(1),
          workspace: z.string().min(1),
          role: z.enum(["admin", "member"]),
          permissions: z.array(z.enum(["contacts", "deals"])),
        })
        .strict(),
    ),
    password: z.string().min(8),
    apps: z.array(AppSchema),
    apiKeys: z.array(
      z.object({ id: z.string().min(1), name: z.string().min(1), workspace: z.string().min(1), key: z.string().min(20) }).strict(),
    ),
    contacts: z.array(
      z.object({ id: z.string().min(1), name: z.string(), email: z.string(), company: z.string() }).strict(),
    ),
    deals: z.array(
      z
        .object({
          id: z.string().min(1),
          title: z.string(),
          amount: z.number().int().nonnegative(),
          stage: z.string(),
          contactId: z.string(),
        })
        .strict(),
    ),
  })
  .strict()
  .superRefine((fx, ctx) => {
    const workspaces = new Set(fx.workspaces.map((w) => w.id));
    const scopes = new Set(fx.scopes.map((s) => s.name));
    const checkWorkspace = (ws: string, path: (string | number)[]) => {
      if (!workspaces.has(ws)) ctx.addIssue({ code: "custom", path, message: `unknown workspace "${ws}"` });
    };
    fx.users.forEach((u, i) => checkWorkspace(u.workspace, ["users", i, "workspace"]));
    fx.apiKeys.forEach((k, i) => checkWorkspace(k.workspace, ["apiKeys", i, "workspace"]));
    fx.apps.forEach((a, i) => {
      checkWorkspace(a.workspace, ["apps", i, "workspace"]);
      if (a.type === "confidential" && !a.clientSecret)
        ctx.addIssue({ code: "custom", path: ["apps", i, "clientSecret"], message: "a confidential app needs a clientSecret" });
      if (a.type === "public" && a.clientSecret)
        ctx.addIssue({ code: "custom", path: ["apps", i, "clientSecret"], message: "a public app gets no client secret (RFC 6749 §10.1)" });
      a.scopes.forEach((s, j) => {
        if (!scopes.has(s)) ctx.addIssue({ code: "custom", path: ["apps", i, "scopes", j], message: `"${s}" is not in the scope reference` });
      });
    });
    const ids = new Map<string, string>();
    const checkUnique = (kind: string, id: string, path: (string | number)[]) => {
      if (ids.has(`${kind}:${id}`)) ctx.addIssue({ code: "custom", path, message: `duplicate ${kind} id "${id}"` });
      ids.set(`${kind}:${id}`, id);
    };
    fx.users.forEach((u, i) => checkUnique("user", u.email, ["users", i, "email"]));
    fx.apps.forEach((a, i) => checkUnique("app", a.clientId, ["apps", i, "clientId"]));
    const prefixOk = (id: string) => fx.workspaces.some((w) => id.startsWith(`${w.id}_`));
    [...fx.contacts.map((c, i) => [c.id, ["contacts", i, "id"]] as const), ...fx.deals.map((d, i) => [d.id, ["deals", i, "id"]] as const)].forEach(
      ([id, path]) => {
        if (!prefixOk(id)) ctx.addIssue({ code: "custom", path: [...path], message: `object id "${id}" must start with its workspace id and "_"` });
      },
    );
  });

export type Fixtures = z.infer<typeof FixturesSchema>;

export const DEFAULT_FIXTURES_PATH = fileURLToPath(new URL("../fixtures/pact.json", import.meta.url));

export class FixtureError extends Error {}

/** Parses fixture JSON; the error names the file and each offending field. */
export function parseFixtures(raw: unknown, file = "<in-memory fixtures>"): Fixtures {
  const result = FixturesSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  - ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  throw new FixtureError(`Invalid fixture file ${file}:\n${lines.join("\n")}`);
}

export function loadFixtures(file = DEFAULT_FIXTURES_PATH): Fixtures {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new FixtureError(`Cannot read fixture file ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FixtureError(`Fixture file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseFixtures(raw, file);
}

/** An `--app` registration: the fixture format, `workspace` optional (the fixtures' first workspace). */
export const AppFileEntrySchema = AppSchema.extend({ workspace: z.string().min(1).optional() }).strict();
export type AppFileEntry = z.infer<typeof AppFileEntrySchema>;
export type FixtureApp = z.infer<typeof AppSchema>;

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new FixtureError(`Cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FixtureError(`${what[0]?.toUpperCase()}${what.slice(1)} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Merges app registrations into the fixtures (`--app FILE`, repeatable), validated
 * like fixtures: each file holds one app, an array of apps, or `{"apps": [...]}`.
 * A bad registration is refused naming the file and the field (in the file's own terms).
 */
export function mergeAppFiles(fixtures: Fixtures, files: readonly { file: string; raw: unknown }[]): Fixtures {
  const defaultWorkspace = fixtures.workspaces[0]?.id ?? "";
  const added: FixtureApp[] = [];
  const origin: Array<{ file: string; prefix: (string | number)[] }> = [];
  for (const { file, raw } of files) {
    const listed = Array.isArray(raw)
      ? raw.map((app, i) => ({ app, prefix: [i] as (string | number)[] }))
      : raw !== null && typeof raw === "object" && "apps" in raw
        ? Object.keys(raw).length === 1 && Array.isArray((raw as { apps: unknown }).apps)
          ? (raw as { apps: unknown[] }).apps.map((app, i) => ({ app, prefix: ["apps", i] as (string | number)[] }))
          : null
        : [{ app: raw, prefix: [] as (string | number)[] }];
    if (listed === null) throw new FixtureError(`Invalid app file ${file}:\n  - apps: expected {"apps": [...]} and nothing else`);
    if (listed.length === 0) throw new FixtureError(`Invalid app file ${file}:\n  - (root): no app registration in the file`);
    const problems: string[] = [];
    for (const { app, prefix } of listed) {
      const parsed = AppFileEntrySchema.safeParse(app);
      if (!parsed.success) {
        for (const i of parsed.error.issues) problems.push(`  - ${[...prefix, ...i.path].join(".") || "(root)"}: ${i.message}`);
        continue;
      }
      added.push({ ...parsed.data, workspace: parsed.data.workspace ?? defaultWorkspace });
      origin.push({ file, prefix });
    }
    if (problems.length) throw new FixtureError(`Invalid app file ${file}:\n${problems.join("\n")}`);
  }
  // The fixture rules (known workspace and scopes, secrets by type, unique client_id) over the merged list.
  const base = fixtures.apps.length;
  const result = FixturesSchema.safeParse({ ...fixtures, apps: [...fixtures.apps, ...added] });
  if (result.success) return result.data;
  const byFile = new Map<string, string[]>();
  for (const issue of result.error.issues) {
    const [head, index, ...rest] = issue.path;
    const o = head === "apps" && typeof index === "number" && index >= base ? origin[index - base] : undefined;
    if (!o) throw new FixtureError(`Invalid app registration: ${issue.path.join(".")}: ${issue.message}`);
    const message = issue.message.startsWith("duplicate app id") ? `${issue.message}: a fixture or another --app already registers it` : issue.message;
    byFile.set(o.file, [...(byFile.get(o.file) ?? []), `  - ${[...o.prefix, ...rest].join(".") || "(root)"}: ${message}`]);
  }
  const [file, lines] = [...byFile][0] as [string, string[]];
  throw new FixtureError(`Invalid app file ${file}:\n${lines.join("\n")}`);
}

/** Reads `--app` files and merges them (mergeAppFiles). */
export function loadAppFiles(fixtures: Fixtures, files: readonly string[]): Fixtures {
  if (files.length === 0) return fixtures;
  return mergeAppFiles(fixtures, files.map((file) => ({ file, raw: readJson(file, "app file") })));
}
