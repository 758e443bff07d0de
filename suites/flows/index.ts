export * from "./login.ts";
export * from "./code-factory.ts";
export * from "./tokens.ts";
export * from "./consent.ts";
