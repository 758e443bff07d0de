import { z } from "zod";
import { CAPABILITIES } from "../registry/types.ts";
import { API_METHODS } from "./api-surface.ts";

/** An absolute http(s) URL without fragment. */
const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === "https:" || u.protocol === "http:") && u.hash === "";
  } catch {
    return false;
  }
}, "must be an absolute http(s) URL without a fragment");

/** A note for the reader (JSON Schema's `$comment`); `init` writes one on each optional identity. */
const comment = z.string().optional().describe("A note for the reader; the kit ignores it");

const secret = z.string().min(1).describe("A secret, or ${ENV_VAR} to read it from the environment");

export const AppSchema = z
  .object({
    $comment: comment,
    clientId: z.string().min(1),
    clientSecret: secret.optional().describe("Confidential apps only"),
    name: z.string().min(1).optional().describe("Display name, as the consent page shows it"),
    redirectUris: z.array(z.string().min(1)).min(1),
    scopes: z.array(z.string().min(1)).min(1).describe("Registered scopes"),
  })
  .strict();

export const UserSchema = z
  .object({
    $comment: comment,
    email: z.string().min(1),
    password: secret,
    workspace: z.string().min(1).optional().describe("Workspace name as the consent page shows it"),
  })
  .strict();

/** Kit parameters of spec §0.3. */
export const KitParamsSchema = z
  .object({
    SKEW_S: z.number().int().min(0).default(60),
    REVOKE_PROPAGATION_S: z.number().int().min(0).default(5),
    ROTATION_GRACE_S: z.number().int().min(0).default(0),
    CODE_TTL_MAX_S: z.number().int().min(1).default(600),
    THROTTLE_N: z.number().int().min(1).default(50),
  })
  .strict();

/** How to log in and consent, by accessible names (design.md "Pages"). */
export const RecipeSchema = z
  .object({
    loginPath: z
      .string()
      .startsWith("/")
      .nullable()
      .default("/login")
      .describe("The standalone login page; null when the target shows its login only inside an authorization. Where this path shows no login form, the kit signs in through an authorization request of the spa app"),
    emailLabel: z.string().min(1).default("Email"),
    passwordLabel: z.string().min(1).default("Password"),
    signInButton: z.string().min(1).default("Sign in"),
    approveButton: z.string().min(1).default("Approve"),
    denyButton: z.string().min(1).default("Deny"),
    adminPath: z.string().startsWith("/").default("/admin/api-developers"),
  })
  .strict();

/** The /v1 surface (suites/targets/api-surface.ts); absent: the mock's. */
export const ApiSchema = z
  .object({
    endpoints: z
      .array(
        z
          .object({
            method: z.enum(API_METHODS),
            path: z.string().startsWith("/v1").describe('A path template, e.g. "/v1/contacts/{id}"'),
            scopes: z.array(z.string().min(1)).describe("Every scope the endpoint needs"),
          })
          .strict(),
      )
      .min(1)
      .optional()
      .describe("The /v1 endpoints this target serves (default: the mock's full /v1 surface). GET /v1/contacts with read:contacts is always added."),
    objectPath: z.string().optional().describe('Where a single object sits in a response body: "" (top level, default) or e.g. "data"'),
  })
  .strict();

export const TargetFileSchema = z
  .object({
    $schema: z.string().optional(),
    $comment: comment,
    baseUrl: httpUrl.describe("Where the authorization server, API and admin console are served"),
    issuer: httpUrl.optional().describe("RFC 8414 issuer; defaults to baseUrl"),
    apps: z
      .object({
        conf: AppSchema.describe("CONF: a confidential app with at least two redirect URIs"),
        conf2: AppSchema.optional().describe("CONF2: a second confidential app"),
        spa: AppSchema.describe("SPA: a public browser app"),
        cli: AppSchema.optional().describe("CLI: a public native app with loopback redirect URIs"),
      })
      .strict(),
    users: z
      .object({
        admin: UserSchema.describe("ADM-A: workspace admin of WS-A"),
        member: UserSchema.describe("USR-A: member of WS-A"),
        restricted: UserSchema.optional().describe("USR-R: member of WS-A without deals access"),
        secondWorkspace: UserSchema.optional().describe("USR-B: member of WS-B"),
        secondWorkspaceAdmin: UserSchema.optional().describe("ADM-B: workspace admin of WS-B (INSTALL-02: an admin's actions stay in their own workspace)"),
      })
      .strict(),
    apiKey: secret.optional().describe("KEY-A: a static API key of WS-A"),
    api: ApiSchema.optional().describe("The /v1 surface: endpoints with the scopes each needs, and where a single object sits in a response"),
    scopes: z.array(z.string().min(1)).min(1).default(["read:contacts", "write:contacts", "read:deals", "write:deals"]).describe("The scope reference"),
    params: KitParamsSchema.default({ SKEW_S: 60, REVOKE_PROPAGATION_S: 5, ROTATION_GRACE_S: 0, CODE_TTL_MAX_S: 600, THROTTLE_N: 50 }),
    recipe: RecipeSchema.default({
      loginPath: "/login",
      emailLabel: "Email",
      passwordLabel: "Password",
      signInButton: "Sign in",
      approveButton: "Approve",
      denyButton: "Deny",
      adminPath: "/admin/api-developers",
    }),
    capabilities: z
      .object({
        disable: z.array(z.enum(CAPABILITIES)).default([]).describe("Capabilities the kit must not use on this target"),
      })
      .strict()
      .optional(),
  })
  .strict();

export type TargetFile = z.infer<typeof TargetFileSchema>;
export type AppIdentity = z.infer<typeof AppSchema>;
export type UserIdentity = z.infer<typeof UserSchema>;
export type KitParams = z.infer<typeof KitParamsSchema>;
export type Recipe = z.infer<typeof RecipeSchema>;
export type ApiSpec = z.infer<typeof ApiSchema>;

/** The JSON Schema published as suites/targets/target-file.schema.json. */
export function targetFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TargetFileSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, $id: "https://pact.place/schemas/conformance-target-file.json", title: "Pact conformance kit: live target file" };
}
