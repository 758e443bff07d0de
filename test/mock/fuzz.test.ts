/**
 * 10,000 fuzzed requests across every route: random methods, paths, headers,
 * bodies and encodings. The mock must answer each with a non-5xx status,
 * stay up, and not grow its memory without bound.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { Pool } from "undici";
import { type Harness, startMock } from "./oauth-harness.ts";

const RUNS = Number(process.env.PACT_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.PACT_SEED ?? 20261129);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const ROUTES = [
  "/oauth/authorize",
  "/oauth/token",
  "/oauth/revoke",
  "/oauth/consent",
  "/login",
  "/logout",
  "/.well-known/oauth-authorization-server",
  "/v1",
  "/v1/me",
  "/v1/contacts",
  "/v1/contacts/acme_ct_001",
  "/v1/contacts/globex_ct_001",
  "/v1/deals",
  "/v1/deals/acme_dl_001",
  "/admin/api-developers",
  "/admin/api-developers/apps",
  "/admin/api-developers/installed/demo-spa/revoke",
  "/admin/api-developers/api-keys",
  "/admin/api/session",
  "/admin/api/apps",
  "/admin/api/installed",
  "/admin/api/api-keys",
  "/__mock/clock",
  "/__mock/requests",
];

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND"];

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,80}$/);
const token = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{0,60}$/);

const contentType = fc.constantFrom(
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=UTF-8",
  "application/x-www-form-urlencoded; charset=bogus",
  "application/json",
  "application/json; charset=latin1",
  "multipart/form-data; boundary=x",
  "text/plain",
  "text/html",
  "application/octet-stream",
  "*/*",
  ";;;",
  "",
);

const authorization = fc.oneof(
  token.map((t) => `Bearer ${t}`),
  token.map((t) => `Basic ${t}`),
  fc.tuple(headerValue, headerValue).map(([a, b]) => `Basic ${Buffer.from(`${a}:${b}`).toString("base64")}`),
  headerValue,
);

const formBody = fc
  .array(fc.tuple(fc.constantFrom("grant_type", "code", "client_id", "client_secret", "redirect_uri", "code_verifier", "refresh_token", "scope", "token", "token_type_hint", "email", "password", "csrf_token", "transaction", "decision", "name", "type", "redirect_uris", "x"), fc.string({ maxLength: 60 })), { maxLength: 10 })
  .map((pairs) => Buffer.from(new URLSearchParams(pairs).toString()));

const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  formBody,
  fc.json().map((j) => Buffer.from(j)),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 300 }).map((s) => Buffer.from(s, "utf8")),
  fc.constant(Buffer.from("%E0%A4%A&code=%ZZ&=&&==")),
  fc.constant(Buffer.alloc(70 * 1024, 0x61)),
);

const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), fc.string({ maxLength: 40 })).map(([r, q]) => `${r}?${encodeURIComponent(q).replace(/%3D/g, "=").replace(/%26/g, "&")}`) },
  { weight: 1, arbitrary: fc.stringMatching(/^\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,60}$/) },
);

const request = fc.record({
  method: fc.constantFrom(...METHODS),
  path,
  contentType: fc.option(contentType, { nil: undefined }),
  authorization: fc.option(authorization, { nil: undefined }),
  cookie: fc.option(token.map((t) => `pact_session=${t}`), { nil: undefined }),
  origin: fc.option(fc.constantFrom("https://evil.test", "null", "http://127.0.0.1:5173"), { nil: undefined }),
  encoding: fc.option(fc.constantFrom("gzip", "deflate", "br", "identity", "bogus"), { nil: undefined }),
  body,
});

let h: Harness;
let pool: Pool;

before(async () => {
  h = await startMock();
  pool = new Pool(h.base, { connections: 8 });
});
after(async () => {
  await pool.close();
  await h.close();
});

describe("fuzz", () => {
  it(`${RUNS} random requests: never a 5xx, the process stays up, memory stays bounded (seed ${SEED})`, async () => {
    const samples = fc.sample(request, { numRuns: RUNS, seed: SEED });
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < samples.length; i += 16) {
      await Promise.all(
        samples.slice(i, i + 16).map(async (r, j) => {
          const headers: Record<string, string> = {};
          if (r.contentType !== undefined) headers["content-type"] = r.contentType;
          if (r.authorization !== undefined) headers.authorization = r.authorization;
          if (r.cookie !== undefined) headers.cookie = r.cookie;
          if (r.origin !== undefined) headers.origin = r.origin;
          if (r.encoding !== undefined) headers["content-encoding"] = r.encoding;
          const withBody = !["GET", "HEAD"].includes(r.method);
          try {
            const res = await pool.request({ method: r.method, path: r.path, headers, ...(withBody ? { body: r.body } : {}) });
            await res.body.arrayBuffer();
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            if (res.statusCode >= 500) failures.push(`#${i + j} ${r.method} ${r.path} (${r.contentType ?? "no content-type"}, ${r.body.length} bytes) → ${res.statusCode}`);
          } catch (e) {
            failures.push(`#${i + j} ${r.method} ${r.path}: transport error ${(e as Error).message}`);
          }
        }),
      );
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} bad answers (seed ${SEED}); replay with PACT_SEED=${SEED}`);
    const alive = await fetch(`${h.base}/.well-known/oauth-authorization-server`);
    assert.equal(alive.status, 200, "the mock still answers after the fuzz run");
    h.mock.store.sweep();
    gc();
    const growthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(growthMb < 40, `heap grew by ${growthMb.toFixed(1)} MB over ${RUNS} requests`);
    const seen = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(" ");
    process.stdout.write(`# statuses: ${seen}; heap growth ${growthMb.toFixed(1)} MB\n`);
  });
});
