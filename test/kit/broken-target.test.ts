import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPactMock } from "../../mock/app.ts";
import type { ConformanceReport } from "../../suites/report/merge.ts";
import { REPORT_FILES } from "../../suites/report/write.ts";
import { runConformance, scanForLeaks } from "./leak-scan.ts";

function listen(server: Server): Promise<number> {
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok((server.address() as AddressInfo).port)));
}

/**
 * A deliberately broken deployment: the mock behind a proxy that turns `expires_in` in token
 * responses into the string "3600" (TOKEN-04: it must be the JSON integer, RFC 6749 §5.1).
 */
async function brokenTarget(): Promise<{ url: string; rewrites: () => number; close: () => Promise<void> }> {
  const mock = createPactMock();
  const upstream = createServer(mock.app as unknown as Parameters<typeof createServer>[1]);
  const upstreamPort = await listen(upstream);
  let rewrites = 0;
  const proxy = createServer((req, res) => {
    const forward = request({ host: "127.0.0.1", port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (up: IncomingMessage) => {
      const chunks: Buffer[] = [];
      up.on("data", (c: Buffer) => chunks.push(c));
      up.on("end", () => {
        let body = Buffer.concat(chunks);
        const headers = { ...up.headers };
        if (req.url?.startsWith("/oauth/token") && /json/.test(String(up.headers["content-type"]))) {
          const text = body.toString("utf8");
          const rewritten = text.replace(/"expires_in":\s*(\d+)/g, '"expires_in":"$1"');
          if (rewritten !== text) rewrites++;
          body = Buffer.from(rewritten);
          headers["content-length"] = String(body.length);
        }
        res.writeHead(up.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  const port = await listen(proxy);
  const url = `http://127.0.0.1:${port}`;
  mock.setBaseUrl(url);
  return {
    url,
    rewrites: () => rewrites,
    close: async () => {
      for (const s of [proxy, upstream]) {
        s.closeAllConnections();
        await new Promise<void>((ok) => s.close(() => ok()));
      }
      mock.close?.();
    },
  };
}

function splitCommand(cmd: string): string[] {
  const prefix = "npm run conformance -- ";
  assert.ok(cmd.startsWith(prefix), cmd);
  return [...cmd.slice(prefix.length).matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : (m[2] as string)));
}

test("a target that breaks expires_in fails the run, the reports name TOKEN-04 with evidence, and the replay reproduces it alone", { timeout: 600_000 }, async () => {
  const target = await brokenTarget();
  const work = mkdtempSync(path.join(tmpdir(), "pact-broken-"));
  try {
    const reports = path.join(work, "reports");
    const seenFile = path.join(work, "seen.txt");
    const run = await runConformance(["--target", target.url, "--project", "protocol", "--grep", "TOKEN-04", "--seed", "4242", "--rps", "200", "--max-concurrency", "8"], {
      PACT_REPORTS_DIR: reports,
      PACT_SEEN_SECRETS_FILE: seenFile,
    });
    assert.equal(run.code, 1, `exit 1 expected:\n${run.output.slice(-3000)}`);
    assert.ok(target.rewrites() > 0, "the proxy rewrote token responses");

    const report = JSON.parse(readFileSync(path.join(reports, REPORT_FILES.json), "utf8")) as ConformanceReport;
    const token04 = report.requirements.find((r) => r.id === "TOKEN-04");
    assert.equal(token04?.status, "failed");
    assert.ok((token04?.evidence?.length ?? 0) > 0, "TOKEN-04 carries evidence");
    assert.ok(token04?.evidence?.some((x) => x.url.endsWith("/oauth/token") && x.responseBody.includes('"expires_in":"3600"')), "the evidence shows the string expires_in");
    const replay = token04?.reproduction?.commands[0];
    assert.ok(replay, "a replay command");
    assert.ok((token04?.reproduction?.curl.length ?? 0) > 0, "a redacted curl");
    const failed = report.requirements.filter((r) => r.status === "failed").map((r) => r.id);

    const md = readFileSync(path.join(reports, REPORT_FILES.markdown), "utf8");
    assert.match(md.split("### Failures")[1] ?? "", /\*\*TOKEN-04\*\*/);
    const html = readFileSync(path.join(reports, REPORT_FILES.html), "utf8");
    assert.ok(html.includes('aria-label="HTTP transcript of TOKEN-04"') && html.includes("&#34;expires_in&#34;:&#34;3600&#34;"));
    const junit = readFileSync(path.join(reports, REPORT_FILES.junit), "utf8");
    assert.match(junit, /<property name="requirement" value="TOKEN-04"\/>\s*<property name="level" value="MUST"\/>[\s\S]*?<failure /);

    const seen = new Set(readFileSync(seenFile, "utf8").split("\n").filter(Boolean));
    writeFileSync(path.join(work, "console.log"), run.output);
    assert.deepEqual(scanForLeaks(work, seen).leaks, [], "no secret in the failing run's evidence, reports or output");

    // The replay command, run as printed, reproduces the failure alone.
    const replayReports = path.join(work, "replay");
    const again = await runConformance([...splitCommand(replay), "--project", "protocol"], { PACT_REPORTS_DIR: replayReports });
    assert.equal(again.code, 1, again.output.slice(-2000));
    const replayed = JSON.parse(readFileSync(path.join(replayReports, REPORT_FILES.json), "utf8")) as ConformanceReport;
    const replayFailed = replayed.requirements.filter((r) => r.status === "failed").map((r) => r.id);
    assert.ok(replayFailed.includes("TOKEN-04"));
    assert.ok(replayFailed.every((id) => failed.includes(id)), `replay failed only what the run failed (${replayFailed.join(", ")})`);
    const ranAgain = replayed.requirements.filter((r) => r.tests.length > 0).map((r) => r.id);
    process.stdout.write(`# broken target: exit ${run.code}, failed ${failed.join(", ")}; ${token04?.evidence?.length} exchanges of evidence; replay "${replay}" exit ${again.code}, ran ${ranAgain.join(", ")}, failed ${replayFailed.join(", ")}\n`);
  } finally {
    await target.close();
    rmSync(work, { recursive: true, force: true });
  }
});
