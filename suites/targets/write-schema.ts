import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { targetFileJsonSchema } from "./schema.ts";

export const SCHEMA_PATH = fileURLToPath(new URL("./target-file.schema.json", import.meta.url));

export function renderTargetFileSchema(): string {
  return `${JSON.stringify(targetFileJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_PATH, renderTargetFileSchema());
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
}
