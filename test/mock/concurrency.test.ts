/**
 * Correct under concurrency: a code and a refresh token have at most one
 * winner however many requests race for them (RFC 6749 §4.1.2, §10.5; RFC 9700
 * §4.14.2), and no API call that starts after a revocation answer succeeds.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Agent } from "undici";
import { Browser, type Harness, obtainCode, pkcePair, startMock } from "./oauth-harness.ts";

const SPA = { clientId: "demo-spa", redirectUri: "http://127.0.0.1:5173/callback", scope: "read:contacts" };
const TRIALS = Number(process.env.PACT_CONCURRENCY_TRIALS ?? 1000);
const RACERS = 4;

let h: Harness;
let browser: Browser;
// Enough sockets that every racer has its own connection.
const dispatcher = new Agent({ connections: RACERS * 2, pipelining: 0 });

before(async () => {
  h = await startMock();
  browser = new Browser(h.base);
  await browser.login("member@acme.test");
});
after(async () => {
  await dispatcher.close();
  await h.close();
});

async function post(form: Record<string, string>): Promise<number> {
  const res = await fetch(`${h.base}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    // @ts-expect-error undici's fetch accepts a dispatcher; the DOM RequestInit type does not name it.
    dispatcher,
  });
  await res.arrayBuffer();
  return res.status;
}

async function freshCode(): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const code = await obtainCode(browser, { ...SPA, challenge, state: "s" });
  return { code, verifier };
}

describe("concurrency", () => {
  it(`${TRIALS} trials: ${RACERS} concurrent redemptions of one code never give more than one success (CODE-03)`, async () => {
    let winners = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const { code, verifier } = await freshCode();
      const form = { grant_type: "authorization_code", code, redirect_uri: SPA.redirectUri, client_id: SPA.clientId, code_verifier: verifier };
      const statuses = await Promise.all(Array.from({ length: RACERS }, () => post(form)));
      const ok = statuses.filter((s) => s === 200).length;
      assert.ok(ok <= 1, `trial ${trial}: ${ok} successful redemptions of one code (${statuses.join(",")})`);
      assert.ok(statuses.every((s) => s === 200 || s === 400), `trial ${trial}: unexpected statuses ${statuses.join(",")}`);
      winners += ok;
    }
    assert.equal(winners, TRIALS, "each code should have exactly one winner");
  });

  it(`${TRIALS} trials: ${RACERS} concurrent refreshes of one token never give more than one success (REFRESH-04)`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const { code, verifier } = await freshCode();
      const res = await fetch(`${h.base}/oauth/token`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: SPA.redirectUri, client_id: SPA.clientId, code_verifier: verifier }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      const { refresh_token: refreshToken } = (await res.json()) as { refresh_token: string };
      const form = { grant_type: "refresh_token", refresh_token: refreshToken, client_id: SPA.clientId };
      const statuses = await Promise.all(Array.from({ length: RACERS }, () => post(form)));
      const ok = statuses.filter((s) => s === 200).length;
      assert.ok(ok <= 1, `trial ${trial}: ${ok} successful refreshes of one token (${statuses.join(",")})`);
    }
  });

  it("no API call that starts after the revocation answer succeeds (REVOKE-03)", async () => {
    const { code, verifier } = await freshCode();
    const tokenRes = await fetch(`${h.base}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: SPA.redirectUri, client_id: SPA.clientId, code_verifier: verifier }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const tokens = (await tokenRes.json()) as { access_token: string; refresh_token: string };
    let revokedAt: bigint | null = null;
    const calls: Array<{ startedAt: bigint; status: number }> = [];
    let stop = false;
    const stream = async () => {
      while (!stop) {
        const startedAt = process.hrtime.bigint();
        const res = await fetch(`${h.base}/v1/contacts?limit=1`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
        await res.arrayBuffer();
        calls.push({ startedAt, status: res.status });
      }
    };
    const streams = Array.from({ length: 4 }, stream);
    await new Promise((r) => setTimeout(r, 100));
    const revoke = await fetch(`${h.base}/oauth/revoke`, {
      method: "POST",
      body: new URLSearchParams({ token: tokens.refresh_token, client_id: SPA.clientId }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    revokedAt = process.hrtime.bigint();
    assert.equal(revoke.status, 200);
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(streams);
    const before = calls.filter((c) => c.startedAt < (revokedAt ?? 0n));
    const afterRevoke = calls.filter((c) => c.startedAt > (revokedAt ?? 0n));
    assert.ok(before.some((c) => c.status === 200), "the stream made successful calls before the revocation");
    assert.ok(afterRevoke.length > 0, "the stream made calls after the revocation");
    const leaked = afterRevoke.filter((c) => c.status === 200);
    assert.equal(leaked.length, 0, `${leaked.length} of ${afterRevoke.length} calls started after the revocation answer succeeded`);
  });
});
