import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Validation at the edge: a fixture file is parsed once, here, and trusted afterwards. */
const ScopeName = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "a scope token (RFC 6749 §3.3 scope-token)");

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
    apps: z.array(
      z
        .object({
          clientId: z.string().min(1),
          name: z.string().min(1),
          workspace: z.string().min(1),
          type: z.enum(["public", "confidential"]),
          clientSecret: z.string().min(1).optional(),
          redirectUris: z.array(z.string().min(1)).min(1),
          scopes: z.array(ScopeName).min(1),
        })
        .strict(),
    ),
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
