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

export function parseTargetFile(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): TargetFile {
  const missing: string[] = [];
  const substituted = substituteEnv(raw, env, "$", missing);
  if (missing.length) throw new TargetFileError(missing, file);
  const parsed = TargetFileSchema.safeParse(substituted);
  if (!parsed.success) {
    throw new TargetFileError(
      parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`),
      file,
    );
  }
  const problems: string[] = [];
  if (!parsed.data.apps.conf.clientSecret) problems.push("apps.conf.clientSecret: a confidential app needs a secret");
  if (parsed.data.apps.conf2 && !parsed.data.apps.conf2.clientSecret) problems.push("apps.conf2.clientSecret: a confidential app needs a secret");
  if (parsed.data.apps.spa.clientSecret) problems.push("apps.spa.clientSecret: a public app has no secret");
  if (parsed.data.apps.cli?.clientSecret) problems.push("apps.cli.clientSecret: a public app has no secret");
  if (problems.length) throw new TargetFileError(problems, file);
  return parsed.data;
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
