/**
 * Start-up time and idle memory of the mock, built (plain node, as `npx pact-mock`
 * runs it) beside the clone's `npm start` (tsx). Time is from spawn to the banner's
 * last line; RSS is the serving process's resident set (VmRSS of the node process
 * running the mock, not npm's or npx's wrapper) one second after it is ready.
 *
 *   npm run build && npm run bench:startup -- [--runs 5] [--installed DIR]
 *
 * --installed DIR also measures `npx pact-mock` in a folder where the packed tarball
 * was installed (the test in test/package/ makes one in a temporary folder).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const READY = /Press Ctrl\+C/;

interface Case {
  readonly name: string;
  readonly cmd: string;
  readonly args: string[];
  readonly cwd: string;
}

interface Sample {
  readonly readyMs: number;
  readonly rssMb: number;
}

/** Every process in the group of `pid` (Linux /proc), with its command line and VmRSS. */
function groupProcesses(pgid: number): Array<{ pid: number; cmdline: string; rssKb: number }> {
  const found: Array<{ pid: number; cmdline: string; rssKb: number }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " "), rssKb });
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

async function measure(c: Case): Promise<Sample> {
  const started = performance.now();
  const child: ChildProcess = spawn(c.cmd, c.args, { cwd: c.cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
  let output = "";
  const readyMs = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (READY.test(output)) resolve(performance.now() - started);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${c.name} exited with ${code}: ${output}`)));
  });
  await sleep(1000);
  // The serving process: the node process whose command line runs the mock's CLI (cli.js or cli.ts).
  const procs = groupProcesses(child.pid as number);
  const server = procs.filter((p) => /mock[/\\]cli\.(js|ts)|pact-mock/.test(p.cmdline) && /node/.test(p.cmdline)).sort((a, b) => b.rssKb - a.rssKb)[0];
  child.removeAllListeners("exit");
  process.kill(-(child.pid as number), "SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  if (!server) throw new Error(`${c.name}: no mock process found among ${procs.map((p) => p.cmdline).join(" | ")}`);
  return { readyMs, rssMb: server.rssKb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, installed: { type: "string" } } });
  const runs = Number(values.runs);
  if (!existsSync(path.join(ROOT, "dist/mock/cli.js"))) throw new Error("dist/ not built: run npm run build first");
  const cases: Case[] = [
    { name: "built: node dist/mock/cli.js", cmd: process.execPath, args: [path.join(ROOT, "dist/mock/cli.js"), "--port", "0"], cwd: ROOT },
    { name: "clone: npm start (tsx)", cmd: "npm", args: ["start", "--silent", "--", "--port", "0"], cwd: ROOT },
  ];
  if (values.installed) cases.splice(1, 0, { name: "installed: npx pact-mock", cmd: "npx", args: ["pact-mock", "--port", "0"], cwd: path.resolve(values.installed) });
  process.stdout.write(`mock start-up (median of ${runs}; ready = banner printed; RSS = the serving node process, idle 1 s after ready)\n\n`);
  process.stdout.write(`${"case".padEnd(34)} ${"ready ms".padStart(9)} ${"idle RSS MB".padStart(12)}\n`);
  for (const c of cases) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await measure(c));
    const ready = median(samples.map((s) => s.readyMs));
    const rss = median(samples.map((s) => s.rssMb));
    process.stdout.write(`${c.name.padEnd(34)} ${ready.toFixed(0).padStart(9)} ${rss.toFixed(1).padStart(12)}\n`);
  }
}

await main();
