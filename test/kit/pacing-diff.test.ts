import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs, planPacing, type CliArgs } from "../../suites/cli/args.ts";
import { Pacer, pacingFromEnv, type PacerClock } from "../../suites/http/pacing.ts";
import { readRunOptions } from "../../suites/harness/run-options.ts";
import { diffReports, renderDiff } from "../../suites/report/diff.ts";
import { applyBaseline } from "../../suites/report/baseline.ts";
import { mergeVerdicts } from "../../suites/report/merge.ts";
import { sampleReport } from "../../suites/report/sample.ts";

/** A clock that only moves when the pacer sleeps. */
function fakeClock(): PacerClock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

test("pacer: request starts are spaced 1/rps apart", async () => {
  const clock = fakeClock();
  const pacer = new Pacer({ rps: 10 }, clock);
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const release = await pacer.acquire();
    starts.push(clock.t);
    release();
  }
  assert.deepEqual(starts, [0, 100, 200, 300, 400]);
});

test("pacer: no more than maxConcurrency requests in flight, served in order", async () => {
  const pacer = new Pacer({ maxConcurrency: 2 });
  let inFlight = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 7 }, async (_, i) => {
      const release = await pacer.acquire();
      order.push(i);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((ok) => setImmediate(ok));
      inFlight--;
      release();
      release();
    }),
  );
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(new Pacer({}).unlimited);
  assert.deepEqual(pacingFromEnv({ PACT_MAX_CONCURRENCY: "3", PACT_RPS: "2.5" }), { maxConcurrency: 3, rps: 2.5 });
  assert.deepEqual(pacingFromEnv({ PACT_MAX_CONCURRENCY: "0", PACT_RPS: "0" }), { maxConcurrency: undefined, rps: undefined });
});

test("pacing plan: unlimited for the mock, 4 in flight and 10 rps for a URL, split over workers", () => {
  const args = (argv: string[]) => parseArgs(argv) as CliArgs;
  assert.deepEqual(planPacing(args(["--target", "mock"]), false, 2), { workers: 2, maxConcurrency: undefined, rps: undefined });
  assert.deepEqual(planPacing(args(["--target", "https://staging.example"]), false, 2), { workers: 2, maxConcurrency: 2, rps: 5 });
  assert.deepEqual(planPacing(args(["--target", "https://staging.example"]), true, 2), { workers: 1, maxConcurrency: 4, rps: 10 });
  assert.deepEqual(planPacing(args(["--target", "https://s.example", "--max-concurrency", "1", "--rps", "3"]), false, 2), { workers: 1, maxConcurrency: 1, rps: 3 });
  assert.deepEqual(planPacing(args(["--target", "mock", "--rps", "20", "--workers", "4"]), false, 2), { workers: 4, maxConcurrency: undefined, rps: 5 });
});

test("CLI flags: baseline, pacing, throttle tests, shard and merge", () => {
  const a = parseArgs(["--target", "https://s.example", "--baseline", "b.json", "--update-baseline", "--max-concurrency", "2", "--rps=1.5", "--throttle-tests"]);
  assert.ok(a !== "help");
  assert.equal(a.baseline, "b.json");
  assert.equal(a.updateBaseline, true);
  assert.equal(a.maxConcurrency, 2);
  assert.equal(a.rps, 1.5);
  assert.equal(a.throttleTests, true);
  const m = parseArgs(["--merge", "all-blob-reports", "--baseline", "b.json"]);
  assert.ok(m !== "help" && m.merge === "all-blob-reports" && m.target === undefined);
  assert.throws(() => parseArgs(["--merge", "d", "--target", "mock"]), /--merge takes no --target/);
  assert.throws(() => parseArgs(["--target", "mock", "--shard", "3/2"]), /I ≤ N/);
  assert.throws(() => parseArgs(["--target", "mock", "--shard", "1/2", "--baseline", "b.json"]), /give it to --merge/);
  assert.throws(() => parseArgs(["--target", "mock", "--rps", "0"]), /positive/);
  assert.throws(() => parseArgs(["--target", "mock", "--max-concurrency", "-1"]), /needs a value|positive integer/);
});

test("run option throttleTests: always for the mock, for a URL only with PACT_THROTTLE_TESTS", () => {
  assert.equal(readRunOptions({ PACT_TARGET: "mock", PACT_SEED: "1" }).throttleTests, true);
  assert.equal(readRunOptions({ PACT_TARGET: "https://s.example", PACT_SEED: "1" }).throttleTests, false);
  assert.equal(readRunOptions({ PACT_TARGET: "https://s.example", PACT_SEED: "1", PACT_THROTTLE_TESTS: "1" }).throttleTests, true);
  const r = readRunOptions({ PACT_SEED: "1", PACT_MAX_CONCURRENCY: "4", PACT_RPS: "2.5" });
  assert.equal(r.maxConcurrency, 4);
  assert.equal(r.rps, 2.5);
});

test("diff: new failures first and exit-worthy; fixed, still failing and other changes listed", () => {
  const before = mergeVerdicts("mock", "pact", false, 1, [
    { test: "t1", verdicts: [{ id: "TOKEN-11", check: "c", status: "failed", clause: "MUST", clauseScope: null, message: "old" }] },
    { test: "t2", verdicts: [{ id: "TOKEN-04", check: "c", status: "passed", clause: "MUST", clauseScope: null }] },
    { test: "t3", verdicts: [{ id: "META-01", check: "c", status: "failed", clause: "MUST", clauseScope: null, message: "m" }] },
  ]);
  const after = sampleReport();
  const d = diffReports(before, after);
  assert.deepEqual(d.newFailures.map((c) => c.id), ["TOKEN-04"]);
  assert.deepEqual(d.stillFailing.map((c) => c.id), ["TOKEN-11"]);
  assert.deepEqual(d.fixed.map((c) => c.id), ["META-01"]);
  assert.deepEqual(d.otherChanges.map((c) => `${c.id}:${c.before}>${c.after}`), ["API-06:skipped>warned"]);
  const text = renderDiff(d, "a.json", "b.json");
  assert.ok(text.indexOf("NEW FAILURES") < text.indexOf("Still failing") && text.indexOf("Still failing") < text.indexOf("Fixed"));
  // An accepted failure that loses its baseline entry is a new failure.
  const accepted = applyBaseline(after, { entries: [{ id: "TOKEN-04", reason: "r", owner: "o", expires: "2099-01-01" }, { id: "TOKEN-11", reason: "r", owner: "o", expires: "2099-01-01" }] }, { today: "2026-11-29", file: "b" });
  assert.deepEqual(diffReports(accepted, after).newFailures.map((c) => c.id), ["TOKEN-04", "TOKEN-11"]);
  assert.equal(diffReports(after, after).newFailures.length, 0);
});
