import { randomBytes, randomInt } from "node:crypto";
import { TIMING_SLOW_ONLY } from "../harness/skip-reasons.ts";
import { Agent } from "undici";
import { test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { ksTwoSample, mannWhitneyU, median } from "../checks/stats.ts";
import { basicAuthorization } from "../http/basic.ts";
import { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import { exchangeCode } from "../flows/tokens.ts";
import type { Target } from "../targets/target.ts";

/** SEC-04: at least 5,000 interleaved samples per class. */
const PER_CLASS = 5000;
const SLOW_ONLY = TIMING_SLOW_ONLY;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/** A different character from the same alphabet. */
function other(ch: string): string {
  for (;;) {
    const c = ALPHABET[randomInt(ALPHABET.length)] as string;
    if (c !== ch) return c;
  }
}

/** A guess sharing 0 leading characters with `secret` (same length). */
function farMiss(secret: string): string {
  let s = other(secret[0] ?? "A");
  for (let i = 1; i < secret.length; i++) s += ALPHABET[randomInt(ALPHABET.length)] as string;
  return s;
}

/** A guess sharing len − 1 leading characters with `secret`. */
function nearMiss(secret: string): string {
  return secret.slice(0, -1) + other(secret.slice(-1));
}

/** Interleaves the two classes in a random order, `perClass` each; returns durations per class in ms. */
async function interleaved(perClass: number, sample: (cls: 0 | 1, i: number) => Promise<HttpResponse>, accept: (res: HttpResponse) => void): Promise<[number[], number[]]> {
  const order: Array<0 | 1> = [...Array<0>(perClass).fill(0), ...Array<1>(perClass).fill(1)];
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [order[i], order[j]] = [order[j] as 0 | 1, order[i] as 0 | 1];
  }
  const out: [number[], number[]] = [[], []];
  for (const [i, cls] of order.entries()) {
    const res = await sample(cls, i);
    accept(res);
    out[cls].push(res.exchange.durationMs);
  }
  return out;
}

/** SEC-04's verdicts: Mann–Whitney and KS p > 0.01, |Δmedian| < 0.5 ms (SHOULD, advisory). */
async function judge(verdicts: Verdicts, what: string, far: readonly number[], near: readonly number[]): Promise<void> {
  const mw = mannWhitneyU(far, near);
  const ks = ksTwoSample(far, near);
  const dMedian = median(near) - median(far);
  const figures = `n = ${far.length}/${near.length}, medians ${median(far).toFixed(3)}/${median(near).toFixed(3)} ms`;
  await verdicts.check("SEC-04", `${what}: Mann–Whitney p > 0.01 between 0-prefix and (len−1)-prefix guesses`, () => ensure(mw.p > 0.01, `p = ${mw.p.toExponential(2)}, z = ${mw.z.toFixed(2)} (${figures})`));
  await verdicts.check("SEC-04", `${what}: Kolmogorov–Smirnov p > 0.01`, () => ensure(ks.p > 0.01, `p = ${ks.p.toExponential(2)}, D = ${ks.d.toFixed(4)} (${figures})`));
  await verdicts.check("SEC-04", `${what}: |Δmedian| < 0.5 ms`, () => ensure(Math.abs(dMedian) < 0.5, `Δmedian = ${dMedian.toFixed(3)} ms (${figures})`));
}

/** Clients spread over loopback source addresses, each used for fewer than THROTTLE_N failures. */
function sourcePool(base: ProtocolClient, target: Target): ((i: number) => ProtocolClient) | null {
  if (new URL(target.baseUrl).hostname !== "127.0.0.1") return null;
  const per = Math.max(1, target.params.THROTTLE_N - 1);
  const cache = new Map<number, ProtocolClient>();
  return (i) => {
    const slot = Math.floor(i / per);
    let c = cache.get(slot);
    if (!c) {
      const localAddress = `127.0.${1 + Math.floor(slot / 250)}.${1 + (slot % 250)}`;
      c = new ProtocolClient({ baseUrl: target.baseUrl, redactor: base.redactor, journal: base.journal, dispatcher: new Agent({ localAddress }) });
      cache.set(slot, c);
    }
    return c;
  };
}

test.describe("SEC-04 Secret comparison leaks nothing through timing", () => {
  test("client secret near-misses are not faster or slower than far misses", { tag: tags("SEC-04"), annotation: [...reqs("SEC-04"), ...needs("http", "timing")] }, async ({ client, target, verdicts, run }) => {
    if (!run.slow) return verdicts.skip("SEC-04", SLOW_ONLY);
    test.setTimeout(30 * 60_000);
    const app = target.apps.conf;
    const secret = app.clientSecret;
    if (!secret) return verdicts.skip("SEC-04", "CONF has no client secret in the target file", "client secret");
    // Throttling (SEC-05) would answer 429 before any comparison: spread failures over sources or clock windows.
    const pool = target.clock ? null : sourcePool(client, target);
    if (!target.clock && !pool) return verdicts.skip("SEC-04", "throttling hides the comparison and the target has neither clock control nor a 127.0.0.1 address for spreading sources", "client secret");
    const per = Math.max(1, target.params.THROTTLE_N - 1);
    // Journal evidence of 10,000 exchanges is not kept: durations are what the verdict needs.
    const [far, near] = await interleaved(
      PER_CLASS,
      async (cls, i) => {
        if (target.clock && i > 0 && i % per === 0) await target.clock.advance(61);
        const c = pool ? pool(i) : client;
        const guess = cls === 0 ? farMiss(secret) : nearMiss(secret);
        return c.postForm("/oauth/token", [["grant_type", "client_credentials"], ["scope", "read:contacts"]], { headers: [["authorization", basicAuthorization(app.clientId, guess)]], label: "timing: client secret guess" });
      },
      (res) => ensureStatus(res, 401),
    );
    await judge(verdicts, "client secret", far, near);
  });

  test("refresh-token near-misses are not faster or slower than far misses", { tag: tags("SEC-04"), annotation: [...reqs("SEC-04"), ...needs("http", "timing", "code")] }, async ({ client, target, verdicts, codeFactory, run }) => {
    if (!run.slow) return verdicts.skip("SEC-04", SLOW_ONLY);
    test.setTimeout(30 * 60_000);
    const spa = target.apps.spa;
    const issued = await codeFactory.issue({ client: spa, scope: "read:contacts" });
    const res = await exchangeCode(client, spa, issued);
    ensureStatus(res, 200);
    const rt = (res.json() as { refresh_token?: unknown }).refresh_token;
    if (typeof rt !== "string") return verdicts.skip("SEC-04", "the code exchange issued no refresh token", "refresh token");
    const [far, near] = await interleaved(
      PER_CLASS,
      (cls) => client.postForm("/oauth/token", [["grant_type", "refresh_token"], ["refresh_token", cls === 0 ? farMiss(rt) : nearMiss(rt)], ["client_id", spa.clientId]], { label: "timing: refresh token guess" }),
      (r) => ensureStatus(r, 400),
    );
    await judge(verdicts, "refresh token", far, near);
  });

  test("PKCE verifier near-misses are not faster or slower than far misses", { tag: tags("SEC-04"), annotation: [...reqs("SEC-04"), ...needs("http", "timing", "code")] }, async ({ client, target, verdicts, codeFactory, run }) => {
    if (!run.slow) return verdicts.skip("SEC-04", SLOW_ONLY);
    test.setTimeout(120 * 60_000);
    // RFC 7636 §4.6 compares S256(verifier) with the challenge, so a verifier near-miss is a far miss
    // of the compared value: this study can only reveal timing differences before hashing.
    const spa = target.apps.spa;
    const [far, near] = await interleaved(
      PER_CLASS,
      async (cls) => {
        const issued = await codeFactory.issue({ client: spa, scope: "read:contacts", verifier: randomBytes(32).toString("base64url") });
        return exchangeCode(client, spa, { ...issued, verifier: cls === 0 ? farMiss(issued.verifier) : nearMiss(issued.verifier) }, { label: "timing: verifier guess" });
      },
      (r) => ensureStatus(r, 400),
    );
    await judge(verdicts, "PKCE verifier", far, near);
  });
});
