import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The fixture secrets of the mock (design.md "Fixtures"): client secrets, the password, the API key. */
export function fixtureSecrets(): Array<{ kind: string; value: string }> {
  const data = JSON.parse(readFileSync(path.join(ROOT, "fixtures", "pact.json"), "utf8")) as { apiKeys?: Array<{ key?: string }> };
  const out = [
    { kind: "client secret demo-server", value: "demo-server-secret" },
    { kind: "client secret demo-other", value: "demo-other-secret" },
    { kind: "password", value: "pact-demo-password" },
  ];
  for (const k of data.apiKeys ?? []) if (k.key) out.push({ kind: "API key", value: k.key });
  return out;
}

function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")])];
}

const TOKEN_SHAPE = /pact_(?:at|rt|ac|cs|key)_[A-Za-z0-9_-]{20,}/g;
const LONG_RUN = /[A-Za-z0-9_-]{20,}/g;

export interface Leak {
  readonly file: string;
  /** What leaked, never the value: the kind, or the first 8 hex digits of its SHA-256. */
  readonly what: string;
}

/**
 * Scans every file under `dir` for each fixture secret (raw, URL-encoded, base64) and for every
 * token-shaped or long base64url string whose SHA-256 is among `seenDigests` (what the run saw).
 * A Pact-shaped token is a leak even when the run never learned it.
 */
export function scanForLeaks(dir: string, seenDigests: ReadonlySet<string>): { files: number; leaks: Leak[] } {
  const secrets = fixtureSecrets();
  const leaks: Leak[] = [];
  const files = filesUnder(dir);
  for (const file of files) {
    const text = readFileSync(file).toString("latin1");
    const rel = path.relative(dir, file);
    for (const s of secrets) if (forms(s.value).some((f) => text.includes(f))) leaks.push({ file: rel, what: s.kind });
    for (const m of text.matchAll(TOKEN_SHAPE)) leaks.push({ file: rel, what: `Pact token ${createHash("sha256").update(m[0]).digest("hex").slice(0, 8)}` });
    for (const m of text.matchAll(LONG_RUN)) {
      const digest = createHash("sha256").update(m[0]).digest("hex");
      if (seenDigests.has(digest)) leaks.push({ file: rel, what: `secret the run saw ${digest.slice(0, 8)}` });
    }
  }
  return { files: files.length, leaks };
}

export interface RunResult {
  readonly code: number;
  readonly output: string;
}

/** Runs the conformance CLI as `npm run conformance -- …` would, capturing its output. */
export function runConformance(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "suites", "cli", "conformance.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: "0", CI: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
