import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AuthFailureLedger, budgetLimit, budgetMargin, failingClientOf, type LedgerClock, type OutgoingRequest } from "../../suites/http/auth-budget.ts";
import { ProtocolClient, ThrottledError } from "../../suites/http/client.ts";
import { CookieJar } from "../../suites/http/cookies.ts";
import { Journal } from "../../suites/http/exchange.ts";
import { Redactor } from "../../suites/http/redact.ts";
import { Pacer } from "../../suites/http/pacing.ts";
import { Verdicts } from "../../suites/harness/verdicts.ts";
import { throttleGuard } from "../../suites/harness/throttle-guard.ts";
import { isLoopbackTarget, pacedDurationEstimate, parseArgs, planPacing, type CliArgs } from "../../suites/cli/args.ts";
import { etaText, progressText } from "../../suites/report/progress.ts";
import type { Target } from "../../suites/targets/target.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), "pact-ledger-"));
}

/** One clock two ledgers share, as two processes share the wall clock; it moves only when someone sleeps. */
function sharedClock(): LedgerClock & { t: number } {
  const c = {
    t: 1_000_000,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

/** The largest number of stamps within any `windowMs` (a sliding window over sorted stamps). */
function peakInWindow(stamps: number[], windowMs: number): number {
  const s = [...stamps].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while ((s[i] as number) - (s[j] as number) >= windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

test("budget: THROTTLE_N minus a margin of a fifth (at least 2), divided among shards", () => {
  assert.equal(budgetMargin(50), 10);
  assert.equal(budgetLimit(50), 40);
  assert.equal(budgetMargin(10), 2);
  assert.equal(budgetLimit(10), 8);
  assert.equal(budgetLimit(10, 2), 4);
  assert.equal(budgetLimit(1), 1);
});

test("ledger: two instances sharing one file never spend more than the limit in any window, and wait when it is spent", async () => {
  const dir = scratch();
  try {
    const file = path.join(dir, "ledger.json");
    const clock = sharedClock();
    const a = new AuthFailureLedger({ file, limit: 8, windowMs: 62_000, clock });
    const b = new AuthFailureLedger({ file, limit: 8, windowMs: 62_000, clock });
    const stamps: number[] = [];
    const waits: number[] = [];
    // 10 failures of one client from each "process", interleaved, as THROTTLE_N 10 would allow 8 per window.
    await Promise.all(
      [a, b].map(async (ledger) => {
        for (let i = 0; i < 10; i++) {
          const waited = await ledger.spend("demo-server", (ms) => waits.push(ms));
          stamps.push(clock.now());
          assert.ok(waited >= 0);
        }
      }),
    );
    assert.equal(stamps.length, 20);
    assert.ok(peakInWindow(stamps, 62_000) <= 8, `peak ${peakInWindow(stamps, 62_000)} in one window`);
    assert.ok(waits.length > 0, "the ledger made someone wait");
    // Other clients have budgets of their own.
    assert.equal(await a.count("demo-other"), 0);
    await b.record("demo-other");
    assert.equal(await a.count("demo-other"), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ledger: a quiet window is a whole window without any failure", async () => {
  const dir = scratch();
  try {
    const clock = sharedClock();
    const ledger = new AuthFailureLedger({ file: path.join(dir, "l.json"), limit: 8, windowMs: 62_000, clock });
    assert.equal(await ledger.untilQuiet(), 0);
    await ledger.record("x");
    clock.t += 30_000;
    const told: number[] = [];
    const waited = await ledger.waitQuiet((ms) => told.push(ms));
    assert.equal(waited, 32_001);
    assert.deepEqual(told, [32_001]);
    assert.equal(await ledger.untilQuiet(), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const execFileP = promisify(execFile);

test("ledger: two real processes share the budget through the file", async () => {
  const dir = scratch();
  try {
    const file = path.join(dir, "ledger.json");
    const script = `
      import { AuthFailureLedger } from ${JSON.stringify(path.join(ROOT, "suites/http/auth-budget.ts"))};
      // The wall clock, remembering its last reading: the time the ledger stamped the slot it granted.
      let last = 0;
      const clock = { now: () => (last = Date.now()), sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)) };
      const ledger = new AuthFailureLedger({ file: ${JSON.stringify(file)}, limit: 4, windowMs: 1200, clock });
      const out = [];
      for (let i = 0; i < 6; i++) { await ledger.spend("demo-server"); out.push(last); }
      console.log(JSON.stringify(out));`;
    const run = () => execFileP(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT });
    const [p1, p2] = await Promise.all([run(), run()]);
    const stamps = [...(JSON.parse(p1.stdout) as number[]), ...(JSON.parse(p2.stdout) as number[])];
    assert.equal(stamps.length, 12);
    assert.ok(peakInWindow(stamps, 1200) <= 4, `peak ${peakInWindow(stamps, 1200)} in one window: ${JSON.stringify(stamps.sort())}`);
    assert.ok(Math.max(...stamps) - Math.min(...stamps) >= 2 * 1200, "12 slots of 4 per window took at least two windows");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function req(form: Record<string, string>, headers: Array<[string, string]> = [], p = "/oauth/token"): OutgoingRequest {
  return { method: "POST", url: new URL(`http://127.0.0.1:1${p}`), headers, bodyText: new URLSearchParams(form).toString() };
}
const basic = (id: string, secret: string): [string, string] => ["authorization", `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`];

test("which requests are meant to fail client authentication", () => {
  const known = [{ clientId: "demo-server", clientSecret: "demo-server-secret" }, { clientId: "demo-spa" }];
  const cc = { grant_type: "client_credentials" };
  assert.equal(failingClientOf(req(cc, [basic("demo-server", "demo-server-secret")]), known), null);
  assert.equal(failingClientOf(req(cc, [basic("demo-server", "wrong")]), known), "demo-server");
  assert.equal(failingClientOf(req(cc, [basic("demo-server", "wrong")], "/oauth/revoke"), known), "demo-server");
  assert.equal(failingClientOf(req({ ...cc, client_id: "demo-server" }), known), "demo-server");
  assert.equal(failingClientOf(req({ ...cc, client_id: "demo-server", client_secret: "demo-server-secret" }), known), null);
  assert.equal(failingClientOf(req({ ...cc, client_id: "no-such-client", client_secret: "x" }), known), "no-such-client");
  assert.equal(failingClientOf(req({ grant_type: "authorization_code", client_id: "demo-spa" }), known), null);
  assert.equal(failingClientOf(req({ grant_type: "authorization_code", client_id: "demo-spa", client_secret: "invented" }), known), "demo-spa");
  assert.equal(failingClientOf(req(cc, [["authorization", "Bearer x"]]), known), null, "no client named");
  assert.equal(failingClientOf(req(cc), known), null, "no client named");
  assert.equal(failingClientOf(req({ client_id: "x" }, [], "/v1/contacts"), known), null, "not a credential endpoint");
});

/** A server answering from a script of responses; returns its base URL and the requests it saw. */
async function scripted(answers: Array<{ status: number; headers?: Record<string, string> }>, fn: (base: string, seen: string[]) => Promise<void>): Promise<void> {
  const seen: string[] = [];
  const server = createServer((rq: IncomingMessage, rs: ServerResponse) => {
    seen.push(`${rq.method} ${rq.url}`);
    const a = answers[Math.min(seen.length - 1, answers.length - 1)] as { status: number; headers?: Record<string, string> };
    rs.writeHead(a.status, { "content-type": "application/json", ...(a.headers ?? {}) });
    rs.end(a.status === 200 ? '{"ok":true}' : '{"error":"slow_down"}');
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen);
  } finally {
    server.close();
  }
}

function throttledClient(base: string, on429: "retry" | "observe" = "retry", sleeps: number[] = [], waits: number[] = []): ProtocolClient {
  return new ProtocolClient({
    baseUrl: base,
    redactor: new Redactor(),
    jar: new CookieJar(),
    pacer: new Pacer({}),
    guard: { on429, sleep: async (ms) => sleeps.push(ms), onWait: (ms) => waits.push(ms) },
  });
}

test("429: the client waits Retry-After and retries once, and the 200 is what the test sees", async () => {
  await scripted([{ status: 429, headers: { "retry-after": "7" } }, { status: 200 }], async (base, seen) => {
    const sleeps: number[] = [];
    const waits: number[] = [];
    const res = await throttledClient(base, "retry", sleeps, waits).postForm("/oauth/token", { grant_type: "client_credentials" });
    assert.equal(res.status, 200);
    assert.equal(seen.length, 2);
    assert.deepEqual(sleeps, [7000]);
    assert.deepEqual(waits, [7000], "the test is told, to extend its timeout");
  });
});

test("429 twice: ThrottledError, which a check records as error, never as failed", async () => {
  await scripted([{ status: 429, headers: { "retry-after": "1" } }], async (base, seen) => {
    const client = throttledClient(base);
    await assert.rejects(client.get("/v1/contacts"), (e: unknown) => e instanceof ThrottledError && /429 again after the kit waited 1 s/.test(e.message) && /could not be judged/.test(e.message));
    assert.equal(seen.length, 2, "retried exactly once");
    const v = new Verdicts(["TOKEN-04"], { profile: "pact", strict: false }, new Journal(), new Redactor());
    const status = await v.check("TOKEN-04", "a correct request gets tokens", async () => {
      await client.get("/v1/contacts");
    });
    assert.equal(status, "error");
    const recorded = v.finalize({});
    assert.equal(recorded.find((r) => r.id === "TOKEN-04")?.status, "error");
  });
});

test("429: a Retry-After longer than the kit waits is not waited out; SEC-05's clients see the 429 as it is", async () => {
  await scripted([{ status: 429, headers: { "retry-after": "3600" } }], async (base, seen) => {
    await assert.rejects(throttledClient(base).get("/x"), (e: unknown) => e instanceof ThrottledError && /Retry-After 3600 s/.test(e.message));
    assert.equal(seen.length, 1);
    const res = await throttledClient(base, "observe").get("/x");
    assert.equal(res.status, 429);
    assert.equal(seen.length, 2);
  });
});

function urlTarget(throttleN: number): Target {
  return {
    kind: "url",
    name: "http://127.0.0.1:1",
    baseUrl: "http://127.0.0.1:1",
    apps: { conf: { clientId: "demo-server", clientSecret: "demo-server-secret", redirectUris: [], scopes: [] } },
    params: { THROTTLE_N: throttleN },
    clock: null,
  } as unknown as Target;
}

test("guard: a test's wrong-secret requests draw from the budget; SEC-05's are recorded but never wait", async () => {
  const dir = scratch();
  try {
    const env = { PACT_REPORTS_DIR: dir };
    const target = urlTarget(10);
    const waits: number[] = [];
    const guard = throttleGuard({ target, declared: ["TOKEN-07"], onWait: (ms) => waits.push(ms), env });
    assert.equal(guard.on429, "retry");
    const wrong = req({ grant_type: "client_credentials" }, [basic("demo-server", "wrong")]);
    for (let i = 0; i < 8; i++) await guard.beforeSend?.(wrong);
    const ledgerFile = path.join(dir, readdirSync(dir).find((f) => f.startsWith("auth-ledger-")) as string);
    assert.equal((JSON.parse(readFileSync(ledgerFile, "utf8")) as Record<string, number[]>)["demo-server"]?.length, 8);
    assert.equal(waits.length, 0, "8 failures are within the budget for THROTTLE_N 10: nothing waited");
    // A SEC-05 test starts after a quiet window: with the last failure 61.5 s ago it waits the remaining ~0.5 s.
    writeFileSync(ledgerFile, JSON.stringify({ "demo-server": [Date.now() - 61_500] }));
    const own = throttleGuard({ target, declared: ["SEC-05"], onWait: (ms) => waits.push(ms), env });
    assert.equal(own.on429, "observe");
    const started = Date.now();
    await own.beforeSend?.(req({ grant_type: "client_credentials" }, [basic("demo-server", "demo-server-secret")]));
    assert.equal(waits.length, 1);
    assert.ok((waits[0] as number) > 0 && (waits[0] as number) <= 600, `told ${waits[0]} ms`);
    assert.ok(Date.now() - started >= (waits[0] as number) - 5);
    // Its own failures are outside the budget: recorded (for the next SEC-05 test's quiet window), never waited for.
    for (let i = 0; i < 12; i++) await own.beforeSend?.(wrong);
    assert.equal(waits.length, 1, "only the first request waited");
    assert.equal((JSON.parse(readFileSync(ledgerFile, "utf8")) as Record<string, number[]>)["demo-server"]?.length, 12);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("pacing: loopback URL targets run unpaced unless asked; remote URLs keep the defaults", () => {
  const args = (argv: string[]): CliArgs => parseArgs(argv) as CliArgs;
  for (const t of ["http://127.0.0.1:4312", "http://127.9.8.7", "http://localhost:3000", "http://[::1]:4010", "http://app.localhost"]) {
    assert.ok(isLoopbackTarget(t), t);
    assert.deepEqual(planPacing(args(["--target", t]), false, 2), { workers: 2, maxConcurrency: undefined, rps: undefined }, t);
  }
  for (const t of ["https://staging.example", "http://10.0.0.5", "http://128.0.0.1", "http://127.0.0.1.example.com"]) assert.ok(!isLoopbackTarget(t), t);
  assert.deepEqual(planPacing(args(["--target", "https://staging.example"]), false, 2), { workers: 2, maxConcurrency: 2, rps: 5 });
  assert.deepEqual(planPacing(args(["--target", "http://127.0.0.1:4312", "--rps", "10"]), false, 2), { workers: 2, maxConcurrency: undefined, rps: 5 });
  assert.deepEqual(planPacing(args(["--target", "http://127.0.0.1:4312", "--max-concurrency", "1"]), false, 2), { workers: 1, maxConcurrency: 1, rps: undefined });
  const remote = args(["--target", "https://staging.example", "--project", "protocol"]);
  assert.equal(pacedDurationEstimate(remote, planPacing(remote, false, 2)), "about 7,400 requests at 10/s: at least 13 min");
  const loop = args(["--target", "http://127.0.0.1:4312"]);
  assert.equal(pacedDurationEstimate(loop, planPacing(loop, false, 2)), null, "unpaced: nothing to estimate");
});

test("progress: the line estimates the time left from the tests done and the time taken", () => {
  assert.equal(etaText(0, 200, 10_000), null);
  assert.equal(etaText(200, 200, 10_000), null);
  assert.equal(etaText(50, 200, 5 * 60_000), "about 15 min left");
  assert.equal(etaText(100, 200, 20_000), "under a minute left");
  const line = progressText({ requirementsDone: 10, requirementsTotal: 100, testsDone: 20, testsTotal: 200, group: "TOKEN", failures: 0, elapsedMs: 2 * 60_000 });
  assert.match(line, /20\/200 tests .* · about 18 min left$/);
  assert.doesNotMatch(progressText({ requirementsDone: 0, requirementsTotal: 1, testsDone: 0, testsTotal: 1, group: null, failures: 0 }), /left/);
});

test("ledger: waitForRoom waits until n failures fit, without taking them (TOKEN-09's code outlives no budget wait)", async () => {
  const dir = scratch();
  try {
    const clock = sharedClock();
    const ledger = new AuthFailureLedger({ file: path.join(dir, "l.json"), limit: 8, windowMs: 60_000, clock });
    for (let i = 0; i < 7; i++) {
      await ledger.spend("demo-server");
      clock.t += 1_000;
    }
    assert.equal(await ledger.waitForRoom("demo-server", 1), 0, "one more fits at once");
    const told: number[] = [];
    const waited = await ledger.waitForRoom("demo-server", 3, (ms) => told.push(ms));
    assert.ok(waited > 0 && told.length > 0, "two of the seven must leave the window first");
    assert.equal(await ledger.count("demo-server"), 5, "room is made, nothing taken");
    assert.equal(await ledger.waitForRoom("demo-server", 3), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("guard: no budget where the kit resets the throttle itself (in-process mock, a URL target with a control API)", () => {
  const onWait = () => undefined;
  const resettable = { ...urlTarget(10), clock: {} } as unknown as Target;
  const mock = { ...urlTarget(10), kind: "mock" } as unknown as Target;
  for (const target of [resettable, mock]) {
    const guard = throttleGuard({ target, declared: ["TOKEN-07"], onWait, env: { PACT_REPORTS_DIR: "/nonexistent" } });
    assert.equal(guard.beforeSend, undefined);
    assert.notEqual(guard.on429, "observe", "a 429 is still retried");
    assert.equal(throttleGuard({ target, declared: ["SEC-05"], onWait }).on429, "observe");
  }
});
