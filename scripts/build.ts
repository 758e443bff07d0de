/**
 * `npm run build`: compiles mock/ and suites/ (and the Playwright config) to
 * JavaScript with declarations in dist/, beside the data files they read at run
 * time, so the package runs under plain `node`. The sources import with `.ts`
 * extensions; tsc's rewriteRelativeImportExtensions turns them into `.js`.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIST = path.join(ROOT, "dist");

/** Files read by path at run time (not imported), at the same place relative to the code as in the sources. */
const DATA_FILES = [
  "fixtures/pact.json",
  "suites/targets/target-file.schema.json",
  // The example SPA's static files, served by examples/spa/server.ts in the kit's browser project.
  "examples/spa/index.html",
  "examples/spa/app.js",
  "examples/spa/pact-oauth.js",
];
/** The package's `bin` entries: they get a shebang and the executable bit. */
const BINS = ["mock/cli.js", "suites/cli/conformance.js"];

const started = performance.now();
rmSync(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/package.json");
const tscBin = path.join(path.dirname(tsc), JSON.parse(readFileSync(tsc, "utf8")).bin.tsc as string);
execFileSync(process.execPath, [tscBin, "-p", path.join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });

for (const file of DATA_FILES) {
  mkdirSync(path.dirname(path.join(DIST, file)), { recursive: true });
  copyFileSync(path.join(ROOT, file), path.join(DIST, file));
}
for (const file of BINS) {
  const target = path.join(DIST, file);
  const text = readFileSync(target, "utf8");
  if (!text.startsWith("#!")) writeFileSync(target, `#!/usr/bin/env node\n${text}`);
  chmodSync(target, 0o755);
}
process.stdout.write(`built dist/ in ${Math.round(performance.now() - started)} ms\n`);
