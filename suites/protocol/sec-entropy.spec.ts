import { randomBytes } from "node:crypto";
import { test, reqs, needs, type Verdicts, tags } from "../harness/index.ts";
import { ensure, ensureStatus } from "../checks/http.ts";
import { analyseSamples, isJwt, jwtIds, type EntropyAnalysis } from "../checks/entropy.ts";
import { bearer } from "../checks/api.ts";
import { AdminSession } from "../flows/admin.ts";
import { clientCredentials, exchangeCode, refresh } from "../flows/tokens.ts";
import type { HttpResponse } from "../http/response.ts";
import type { RunOptions, Target } from "../harness/index.ts";

/**
 * SEC-03 asks for N ≥ 1,000 samples per family. The in-process mock costs little per sample, so it
 * always gets the full sample; a URL target (paced, possibly shared) gets it with --slow, and a
 * smaller sample otherwise, which the run says.
 */
const FULL_N = 1000;
const QUICK_N = { codes: 60, tokens: 100, admin: 25 } as const;

function fullSample(run: RunOptions, target: Target): boolean {
  return run.slow || target.kind === "mock";
}


function sampleSize(run: RunOptions, target: Target, quick: number): number {
  return fullSample(run, target) ? FULL_N : quick;
}

/** Runs `produce` n times, `parallel` at a time, keeping the order of issue. */
async function collect(n: number, parallel: number, produce: (i: number) => Promise<string>): Promise<string[]> {
  const out = new Array<string>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, n) }, async () => {
      for (let i = next++; i < n; i = next++) out[i] = await produce(i);
    }),
  );
  return out;
}

/** The random parts to judge: JWT ids for JWTs (null when they carry none), else the values themselves. */
function randomParts(issued: readonly string[]): readonly string[] | null {
  return issued.length > 0 && issued.every(isJwt) ? jwtIds(issued) : issued;
}

/**
 * The SEC-03 proxies for one family (RFC 6749 §10.10: guessing probability ≤ 2^-128 MUST,
 * ≤ 2^-160 SHOULD). Messages carry figures only, never a sample.
 *
 * The two statistical proxies (per-position chi-square, counter-like windows) are tests at the
 * catalogue's family-wise level of 0.001, so a correct generator fails one of them about once in a
 * thousand families by chance: with five families a run, once in some two hundred runs. §10.10 is
 * about guessability, which one chance exceedance does not show, so a failing sample is confirmed
 * on a fresh sample of the same size (`resample`) before the check fails, and the check passes when
 * the fresh sample passes, saying so. A biased position fails both samples; a correct generator
 * fails both about once in a million families.
 */
async function judgeFamily(verdicts: Verdicts, family: string, issued: readonly string[], resample: () => Promise<readonly string[]>): Promise<void> {
  const samples = randomParts(issued);
  if (samples === null) {
    verdicts.skip("SEC-03", `${family} are JWTs without a jti claim: the kit cannot tell their random part`, `${family}: randomness`);
    return;
  }
  const a = analyseSamples(samples);
  const shape = `${a.n} samples, random part ${a.minLength === a.maxLength ? a.minLength : `${a.minLength}–${a.maxLength}`} chars of ${a.alphabet.name} (${a.alphabet.size}) after a ${a.prefix.length}-char fixed prefix`;
  if (a.n < FULL_N) verdicts.skip("SEC-03", `the catalogue's sample of N ≥ ${FULL_N} per family is collected only with --slow; this run judged ${a.n} ${family}`, `${family}: N ≥ ${FULL_N}`);
  await verdicts.check("SEC-03", `${family}: all ${a.n} samples are distinct`, () => {
    ensure(a.distinct === a.n, `${a.n - a.distinct} duplicate(s) among ${a.n} ${family}`);
  }, { clause: "128 bits" });
  await verdicts.check("SEC-03", `${family}: random-part length × log2(alphabet) ≥ 128 bits`, () => {
    ensure(a.bits >= 128, `≈ ${a.bits.toFixed(1)} bits (${shape})`);
  }, { clause: "128 bits" });
  await verdicts.check("SEC-03", `${family}: random-part length × log2(alphabet) ≥ 160 bits`, () => {
    ensure(a.bits >= 160, `≈ ${a.bits.toFixed(1)} bits (${shape})`);
  }, { clause: "160 bits" });

  let fresh: EntropyAnalysis | null | undefined;
  const confirmation = async (): Promise<EntropyAnalysis | null> => {
    if (fresh === undefined) {
      const parts = randomParts(await resample());
      fresh = parts === null ? null : analyseSamples(parts);
    }
    return fresh;
  };
  const chiSquare = (x: EntropyAnalysis) => (x.minP > x.threshold ? null : `position ${x.worstPosition ?? "?"} has p = ${x.minP.toExponential(2)} < ${x.threshold.toExponential(2)} = 0.001 / ${x.positionsTested} positions (${x.bins} cells)`);
  // `testable` fails at once: a sample no position can be tested on is not a chance result.
  const proxies: Array<{ name: string; testable?: () => void; flaw: (x: EntropyAnalysis) => string | null }> = [
    { name: "no counter-like or timestamp-like segment", flaw: (x) => x.counterLike },
    { name: "per-position chi-square passes at family-wise p > 0.001 (Bonferroni)", testable: () => ensure(a.positionsTested > 0, `no position could be tested (${shape}, ${a.bins} cells)`), flaw: chiSquare },
  ];
  for (const proxy of proxies) {
    let chance: string | null = null;
    await verdicts.check("SEC-03", `${family}: ${proxy.name}`, async () => {
      proxy.testable?.();
      const first = proxy.flaw(a);
      if (first === null) return;
      const b = await confirmation();
      ensure(b !== null, `${first} (${shape}); no fresh sample could be judged`);
      const again = proxy.flaw(b);
      ensure(again === null, `${first} (${shape}); a fresh sample of ${b.n} fails too: ${again}`);
      chance = `${first} in the first sample`;
    }, { clause: "128 bits" });
    if (chance !== null) {
      const note: string = chance;
      await verdicts.check("SEC-03", `${family}: ${proxy.name}: the first sample failed (${note}); a fresh sample passed, so it is taken as chance`, () => undefined, { clause: "128 bits" });
    }
  }
}

function accessToken(res: HttpResponse): { access_token: string; refresh_token?: string } {
  ensureStatus(res, 200);
  const body = res.json() as { access_token?: unknown; refresh_token?: unknown };
  ensure(typeof body.access_token === "string", "token response has no access_token");
  return typeof body.refresh_token === "string" ? { access_token: body.access_token, refresh_token: body.refresh_token } : { access_token: body.access_token };
}

test.describe("SEC-03 Tokens, codes and secrets carry at least 128 bits of randomness", () => {
  test("authorization codes", { tag: tags("SEC-03"), annotation: [...reqs("SEC-03"), ...needs("http", "code")] }, async ({ target, verdicts, codeFactory, run }) => {
    const n = sampleSize(run, target, QUICK_N.codes);
    await codeFactory.session();
    const sample = () => collect(n, 4, async () => (await codeFactory.issue({ client: target.apps.spa, scope: "read:contacts" })).code);
    await judgeFamily(verdicts, "authorization codes", await sample(), sample);
  });

  test("access and refresh tokens", { tag: tags("SEC-03"), annotation: [...reqs("SEC-03"), ...needs("http", "code")] }, async ({ client, target, verdicts, codeFactory, run }) => {
    const n = sampleSize(run, target, QUICK_N.tokens);
    const spa = target.apps.spa;
    // RFC 6749 §6 with rotation (REFRESH-03): each refresh issues a new access and refresh token.
    const chain = async (): Promise<{ access: string[]; refreshTokens: string[]; last: string }> => {
      const issued = await codeFactory.issue({ client: spa, scope: "read:contacts" });
      let current = await accessToken(await exchangeCode(client, spa, issued));
      const access = [current.access_token];
      const refreshTokens = current.refresh_token ? [current.refresh_token] : [];
      while (access.length < n && current.refresh_token) {
        const next = await accessToken(await refresh(client, spa, current.refresh_token));
        access.push(next.access_token);
        if (next.refresh_token) refreshTokens.push(next.refresh_token);
        current = { access_token: next.access_token, refresh_token: next.refresh_token ?? current.refresh_token };
      }
      return { access, refreshTokens, last: current.access_token };
    };
    const { access, refreshTokens, last } = await chain();
    await judgeFamily(verdicts, "access tokens", access, async () => (await chain()).access);
    if (refreshTokens.length < Math.min(n, 30)) verdicts.skip("SEC-03", `only ${refreshTokens.length} refresh tokens could be collected (no rotation)`, "refresh tokens");
    else await judgeFamily(verdicts, "refresh tokens", refreshTokens, async () => (await chain()).refreshTokens);

    // SEC-03 property: identical inputs in the same second still give different tokens.
    await verdicts.check("SEC-03", "two client-credentials tokens for the same client and scope, issued back to back, differ", async () => {
      const [t1, t2] = await Promise.all([0, 1].map(async () => (await accessToken(await clientCredentials(client, target.apps.conf, "read:contacts"))).access_token));
      ensure(t1 !== t2, "the two tokens are equal");
    }, { clause: "128 bits" });

    if (isJwt(last)) {
      // SEC-03: structured tokens must not be forgeable: a flipped payload bit or alg=none gets 401.
      const [h, p, s] = last.split(".") as [string, string, string];
      const payload = Buffer.from(p, "base64url");
      payload[0] = (payload[0] ?? 0) ^ 1;
      const forged = [`${h}.${payload.toString("base64url")}.${s}`, `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${p}.`];
      for (const [i, f] of forged.entries()) {
        await verdicts.check("SEC-03", i === 0 ? "a JWT with a flipped payload bit gets 401" : "a JWT with alg=none gets 401", async () => {
          ensureStatus(await client.get("/v1/contacts", { headers: bearer(f), label: "api: forged JWT" }), 401);
        }, { clause: "128 bits" });
      }
    }
  });

  test("client secrets from rotation", { tag: tags("SEC-03"), annotation: [...reqs("SEC-03"), ...needs("http", "admin")] }, async ({ client, target, verdicts, run }) => {
    const n = sampleSize(run, target, QUICK_N.admin);
    const admin = await AdminSession.open(client, target);
    // A throwaway app, so the target file's CONF secret is never rotated (REG-02: rotation replaces the secret).
    const reg = await admin.tryRegisterApp({ name: `Kit entropy ${randomBytes(4).toString("hex")}`, type: "confidential", redirectUris: ["https://kit-entropy.example.test/cb"], scopes: ["read:contacts"] });
    if (!reg.accepted || !reg.clientId) return verdicts.skip("SEC-03", `the console refused a throwaway confidential app (${reg.error ?? `status ${reg.page.status}`}), so no secrets could be sampled`, "client secrets");
    const clientId = reg.clientId;
    const secrets = reg.clientSecret ? [reg.clientSecret] : [];
    try {
      const rotate = async (count: number): Promise<string[]> => {
        const out: string[] = [];
        while (out.length < count) out.push((await admin.rotateSecret(clientId)).secret);
        return out;
      };
      secrets.push(...(await rotate(n - secrets.length)));
      await judgeFamily(verdicts, "client secrets", secrets, () => rotate(n));
    } finally {
      await admin.deleteApp(clientId).catch(() => undefined);
    }
  });

  test("API keys", { tag: tags("SEC-03"), annotation: [...reqs("SEC-03"), ...needs("http", "admin")] }, async ({ client, target, verdicts, run }) => {
    // Each key costs an admin form round-trip whose page lists every key so far: the full sample only with --slow.
    const n = run.slow ? FULL_N : QUICK_N.admin;
    const admin = await AdminSession.open(client, target);
    const tag = randomBytes(4).toString("hex");
    const names: string[] = [];
    const keys: string[] = [];
    try {
      const create = async (): Promise<string[]> => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) {
          const name = `kit-entropy-${tag}-${names.length}`;
          out.push((await admin.createApiKey(name)).key);
          names.push(name);
        }
        return out;
      };
      keys.push(...(await create()));
      await judgeFamily(verdicts, "API keys", keys, create);
    } finally {
      // A live target keeps what the kit creates: revoke every sampled key (KEY-03).
      if (!(await target.reset())) for (const name of names) await admin.revokeApiKey(name).catch(() => undefined);
    }
  });
});
