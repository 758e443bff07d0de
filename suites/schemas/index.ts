export * from "./zod-schemas.ts";
export * from "./validate.ts";
