import { readFileSync } from "node:fs";
import { z } from "zod";
import { TargetFileSchema, type TargetFile } from "./schema.ts";

export class TargetFileError extends Error {
  constructor(readonly problems: readonly string[], file: string) {
    super(`target file ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "TargetFileError";
  }
}

/**
 * Replaces `${NAME}` in every string by the environment variable NAME. Missing variables are
 * reported by name (never by value). `$${...}` escapes a literal `${`.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = "$", missing: string[] = []): unknown {
  if (typeof value === "string") {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
      if (m.startsWith("$$")) return m.slice(1);
      const v = env[name];
      if (v === undefined || v === "") {
        missing.push(`${path}: environment variable ${name} is not set`);
        return "";
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`, missing));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, `${path}.${k}`, missing)]));
  }
  return value;
}

/** A value `init` writes where the user must fill something in: `<…>` (secrets are `${PACT_…}` instead). */
export const PLACEHOLDER = /^<[^<>]*>$/;

function unfilledPlaceholders(value: unknown, path: string, out: string[]): string[] {
  if (typeof value === "string" && PLACEHOLDER.test(value)) out.push(`${path}: still the placeholder ${JSON.stringify(value)}: fill it in (or remove the optional entry)`);
  else if (Array.isArray(value)) value.forEach((v, i) => unfilledPlaceholders(v, `${path}[${i}]`, out));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) if (k !== "$comment") unfilledPlaceholders(v, path ? `${path}.${k}` : k, out);
  return out;
}

function field(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) cur = typeof cur === "object" && cur !== null ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/**
 * Every problem of the file at once, each with the field to fix: unset environment variables,
 * placeholders left from `init`, schema violations, secrets where they do not belong.
 */
export function targetFileProblems(raw: unknown, env: NodeJS.ProcessEnv = process.env): { problems: string[]; file?: TargetFile } {
  const missing: string[] = [];
  const substituted = substituteEnv(raw, env, "$", missing);
  // "$.apps.conf.clientSecret: …" → the field as the schema names it.
  const unset = missing.map((m) => m.replace(/^\$\.?/, ""));
  const unsetFields = new Set(unset.map((m) => m.slice(0, m.indexOf(":"))));
  const placeholders = unfilledPlaceholders(raw, "", []);
  const placeholderFields = new Set(placeholders.map((p) => p.slice(0, p.indexOf(":"))));
  const parsed = TargetFileSchema.safeParse(substituted);
  const schema = parsed.success
    ? []
    : parsed.error.issues
        .map((i) => ({ at: i.path.length ? i.path.map((p, n) => (typeof p === "number" ? `[${p}]` : `${n ? "." : ""}${String(p)}`)).join("") : "(root)", message: i.message }))
        // An unset variable leaves "" behind, which the schema refuses too: one line is enough.
        .filter((i) => !unsetFields.has(i.at) && !placeholderFields.has(i.at))
        .map((i) => `${i.at}: ${i.message}`);
  const problems = [...unset, ...placeholders, ...schema];
  for (const role of ["conf", "conf2"]) {
    const app = field(substituted, "apps", role);
    if (app !== undefined && !field(app, "clientSecret") && !unsetFields.has(`apps.${role}.clientSecret`)) problems.push(`apps.${role}.clientSecret: a confidential app needs a secret`);
  }
  for (const role of ["spa", "cli"]) if (field(substituted, "apps", role, "clientSecret")) problems.push(`apps.${role}.clientSecret: a public app has no secret`);
  return problems.length === 0 && parsed.success ? { problems, file: parsed.data } : { problems };
}

export function parseTargetFile(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): TargetFile {
  const { problems, file: parsed } = targetFileProblems(raw, env);
  if (!parsed) throw new TargetFileError(problems, file);
  return parsed;
}

export function loadTargetFile(file: string, env: NodeJS.ProcessEnv = process.env): TargetFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new TargetFileError([`cannot read: ${e instanceof Error ? e.message : String(e)}`], file);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (e) {
    throw new TargetFileError([`not JSON: ${e instanceof Error ? e.message : String(e)}`], file);
  }
  return parseTargetFile(raw, file, env);
}

export { z };
