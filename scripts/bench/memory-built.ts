/**
 * Memory of the built mock as installed users run it: `node dist/mock/cli.js`
 * (no tsx in the process), 100,000 live access tokens issued over HTTP
 * (client_credentials), then the serving process's resident set (VmRSS, Linux).
 * Also the figure scripts/bench/memory.ts gives for the sources (tokens issued
 * in-process, full GC before reading), taken from the built modules under plain
 * node. Prints one JSON line. Needs `npm run build` first.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const COUNT = Number(process.argv[2] ?? 100_000);
const CONNECTIONS = 16;
const CLI = path.join(ROOT, "dist/mock/cli.js");
if (!existsSync(CLI)) throw new Error("dist/ not built: run npm run build first");

/** memory.ts's measurement, on dist/ under plain node (no tsx loaded). */
function inProcess(count: number): Promise<Record<string, unknown>> {
  const code = `
const { createManualClock } = await import(${JSON.stringify(new URL("../../dist/mock/clock.js", import.meta.url).href)});
const { createPactMock } = await import(${JSON.stringify(new URL("../../dist/mock/app.js", import.meta.url).href)});
const mb = (n) => Math.round((n / 2 ** 20) * 10) / 10;
const snap = () => { gc(); gc(); const m = process.memoryUsage(); return { rssMb: mb(m.rss), heapMb: mb(m.heapUsed) }; };
const mock = createPactMock({ clock: createManualClock() });
const start = snap();
for (let i = 0; i < ${count}; i++) { const g = mock.store.clientCredentialsGrant("demo-server", "acme", ["read:deals"]); mock.store.issueAccessToken(g, g.scope); }
const live = snap();
mock.close();
process.stdout.write(JSON.stringify({ start, live, liveTokens: mock.store.accessTokens.size }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (c) => (c === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`in-process memory run exited ${c}`))));
  });
}

const rssMb = (pid: number) => Math.round((Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024) * 10) / 10;

const inProcessResult = await inProcess(COUNT);

const child = spawn(process.execPath, [CLI, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise<string>((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    const m = /listening on (\S+)/.exec(out);
    if (m?.[1] && out.includes("Press Ctrl+C")) resolve(m[1]);
  });
  child.on("exit", (code) => reject(new Error(`mock exited ${code}`)));
});
const pid = child.pid as number;
await sleep(1000);
const idle = rssMb(pid);

const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
const body = "grant_type=client_credentials&scope=read%3Adeals";
const headers = { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from("demo-server:demo-server-secret").toString("base64")}` };
let issued = 0;
let failed = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CONNECTIONS }, async () => {
    while (issued + failed < COUNT) {
      issued++;
      const res = await pool.request({ method: "POST", path: "/oauth/token", headers, body });
      await res.body.dump();
      if (res.statusCode !== 200) {
        issued--;
        failed++;
      }
    }
  }),
);
const issueS = Math.round((performance.now() - t0) / 100) / 10;
await pool.close();
await sleep(2000);
const live = rssMb(pid);
// V8's memory reducer shrinks the heap once the process has been idle a while.
await sleep(Number(process.env.PACT_BENCH_SETTLE_S ?? 30) * 1000);
const settled = rssMb(pid);
child.kill("SIGTERM");
process.stdout.write(`${JSON.stringify({ inProcess: inProcessResult, process: "node dist/mock/cli.js", tokens: issued, failed, issueS, idleRssMb: idle, liveRssMb: live, settledRssMb: settled, settleS: Number(process.env.PACT_BENCH_SETTLE_S ?? 30) })}\n`);
