import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { z } from "zod";
import { ZOD_SCHEMAS, type SchemaKind } from "./zod-schemas.ts";

// ajv and ajv-formats are CommonJS; load them the way Node resolves them.
const require = createRequire(import.meta.url);
const Ajv2020 = (require("ajv/dist/2020") as { default: new (opts: Record<string, unknown>) => AjvLike }).default;
const addFormats = (require("ajv-formats") as { default: (ajv: AjvLike) => void }).default;

interface AjvLike {
  compile(schema: Record<string, unknown>): ValidateFunction;
}

export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

export class SchemaCompileError extends Error {
  constructor(kind: string, cause: unknown) {
    super(`JSON Schema "${kind}" does not compile: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "SchemaCompileError";
  }
}

/** JSON Schemas (draft 2020-12) generated from the zod schemas: what reports and other tools see. */
export const JSON_SCHEMAS: Readonly<Record<SchemaKind, Record<string, unknown>>> = Object.fromEntries(
  Object.entries(ZOD_SCHEMAS).map(([kind, schema]) => [kind, z.toJSONSchema(schema) as Record<string, unknown>]),
) as Record<SchemaKind, Record<string, unknown>>;

function compileAll(): Record<SchemaKind, ValidateFunction> {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  const out = {} as Record<SchemaKind, ValidateFunction>;
  for (const [kind, schema] of Object.entries(JSON_SCHEMAS) as Array<[SchemaKind, Record<string, unknown>]>) {
    try {
      out[kind] = ajv.compile(schema);
    } catch (e) {
      // Fail closed: a schema that cannot compile stops the run at import time.
      throw new SchemaCompileError(kind, e);
    }
  }
  return out;
}

const VALIDATORS = compileAll();

function describe(e: ErrorObject): SchemaIssue {
  return { path: e.instancePath || "(root)", message: `${e.message ?? "invalid"}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""}` };
}

/** Validates a parsed JSON body against one of the kit's schemas; an empty list means valid. */
export function validateResponse(kind: SchemaKind, body: unknown): SchemaIssue[] {
  const validate = VALIDATORS[kind];
  if (validate(body)) return [];
  return (validate.errors ?? []).map(describe);
}
