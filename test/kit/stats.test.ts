import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { binomialUpperTail, chiSquareCdf, chiSquareSurvival, chiSquareUniform, erfc, ksTwoSample, lnGamma, mannWhitneyU, median, regularizedGammaP, regularizedGammaQ, spearman } from "../../suites/checks/stats.ts";
import { analyseSamples, detectAlphabet, isJwt, jwtIds } from "../../suites/checks/entropy.ts";

const close = (got: number, want: number, tol: number, what: string) => assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);

test("lnGamma matches factorials and Γ(1/2) = √π", () => {
  close(lnGamma(1), 0, 1e-10, "lnΓ(1)");
  close(lnGamma(5), Math.log(24), 1e-10, "lnΓ(5)");
  close(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-10, "lnΓ(1/2)");
  close(lnGamma(101), 363.73937555556347, 1e-8, "lnΓ(101)");
});

test("regularized gamma: P(1, x) = 1 − e^−x, P + Q = 1 on both sides of a + 1", () => {
  for (const x of [0.1, 1, 2.5, 10]) close(regularizedGammaP(1, x), 1 - Math.exp(-x), 1e-12, `P(1,${x})`);
  fc.assert(
    fc.property(fc.double({ min: 0.05, max: 200, noNaN: true }), fc.double({ min: 0, max: 400, noNaN: true }), (a, x) => {
      const p = regularizedGammaP(a, x);
      const q = regularizedGammaQ(a, x);
      return p >= -1e-12 && p <= 1 + 1e-12 && Math.abs(p + q - 1) < 1e-9;
    }),
    { seed: 7, numRuns: 300 },
  );
});

test("chi-square CDF reproduces the tabulated critical values", () => {
  // Critical values from standard chi-square tables (p = 0.05, 0.01, 0.001).
  close(chiSquareSurvival(3.841, 1), 0.05, 1e-4, "χ²(1) 3.841");
  close(chiSquareSurvival(18.307, 10), 0.05, 1e-4, "χ²(10) 18.307");
  close(chiSquareSurvival(23.209, 10), 0.01, 1e-4, "χ²(10) 23.209");
  close(chiSquareSurvival(82.529, 63), 0.05, 2e-4, "χ²(63) 82.529");
  close(chiSquareSurvival(103.442, 63), 0.001, 5e-5, "χ²(63) 103.442");
  close(chiSquareCdf(2, 2), 1 - Math.exp(-1), 1e-12, "χ²(2) CDF is exponential");
  assert.equal(chiSquareSurvival(0, 5), 1);
  const uniform = chiSquareUniform([25, 25, 25, 25]);
  assert.equal(uniform.statistic, 0);
  assert.equal(uniform.p, 1);
  assert.ok(chiSquareUniform([100, 0, 0, 0]).p < 1e-20);
});

test("erfc and the median", () => {
  close(erfc(0), 1, 1e-12, "erfc(0)");
  close(erfc(1), 0.15729920705028513, 1e-10, "erfc(1)");
  close(erfc(-1), 1.8427007929497148, 1e-10, "erfc(−1)");
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});

test("Mann–Whitney U: disjoint samples, identical samples, and SciPy's asymptotic value", () => {
  // scipy.stats.mannwhitneyu([1..5], [6..10], method="asymptotic") → U = 0, p ≈ 0.01219
  const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(r.u, 0);
  close(r.p, 0.01219, 2e-4, "p");
  assert.equal(mannWhitneyU([1, 1, 1], [1, 1, 1]).p, 1);
  const a = Array.from({ length: 400 }, (_, i) => (i * 7919) % 1000);
  assert.ok(mannWhitneyU(a, a.map((x) => x + 300)).p < 1e-10, "a shift is detected");
  assert.ok(mannWhitneyU(a, [...a].reverse()).p > 0.9, "a permutation is not");
});

test("two-sample KS: D and the Kolmogorov tail", () => {
  const disjoint = ksTwoSample([1, 2, 3], [4, 5, 6]);
  assert.equal(disjoint.d, 1);
  const same = ksTwoSample([1, 2, 3, 4], [1, 2, 3, 4]);
  assert.equal(same.d, 0);
  assert.equal(same.p, 1);
  // n = m = 100, D = 0.2: λ = (√50 + 0.12 + 0.11/√50)·0.2 ≈ 1.4413, Q_KS ≈ 0.0313
  const x = Array.from({ length: 100 }, (_, i) => i);
  const y = x.map((v) => v + 20);
  const r = ksTwoSample(x, y);
  close(r.d, 0.2, 1e-12, "D");
  close(r.p, 0.0313, 1e-3, "p");
});

test("Spearman: monotone series give ±1", () => {
  close(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1, 1e-12, "ρ");
  close(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, 1e-12, "ρ");
});

test("entropy analysis: random 32-byte base64url tokens with a prefix pass every proxy", () => {
  const samples = Array.from({ length: 1000 }, () => `pact_at_${randomBytes(32).toString("base64url")}`);
  const a = analyseSamples(samples);
  assert.equal(a.distinct, 1000);
  assert.equal(a.prefix.startsWith("pact_at_"), true);
  assert.equal(a.alphabet.name, "base64url");
  assert.deepEqual(a.positionsSkipped, [42], "the last character carries 4 bits");
  close(a.bits, 256, 6, "bits");
  assert.ok(a.minP > a.threshold, `min p ${a.minP} vs ${a.threshold}`);
  assert.equal(a.counterLike, null);
});

test("entropy analysis: hex tokens, small samples use fewer cells", () => {
  const a = analyseSamples(Array.from({ length: 100 }, () => randomBytes(20).toString("hex")));
  assert.equal(a.alphabet.size, 16);
  assert.equal(a.bits, 160);
  assert.equal(a.bins, 16);
  const b = analyseSamples(Array.from({ length: 100 }, () => randomBytes(24).toString("base64url")));
  assert.equal(b.bins, 16, "64 cells would expect fewer than 5 per cell");
  assert.ok(b.minP > b.threshold);
});

test("entropy analysis: counters, timestamps, bias and short values are caught", () => {
  const counter = analyseSamples(Array.from({ length: 1000 }, (_, i) => `tok_${String(i).padStart(8, "0")}${randomBytes(8).toString("hex")}`));
  assert.notEqual(counter.counterLike, null, "a counter is found");
  const start = 1_760_000_000_000;
  const stamps = analyseSamples(Array.from({ length: 1000 }, (_, i) => `${(start + i * 37).toString(36)}${randomBytes(16).toString("base64url")}`));
  assert.notEqual(stamps.counterLike, null, "a timestamp is found");
  const biased = analyseSamples(Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? "A" : "") + randomBytes(24).toString("base64url").slice(0, i % 3 === 0 ? 31 : 32)));
  assert.ok(biased.minP < biased.threshold, "a biased first position fails chi-square");
  const short = analyseSamples(Array.from({ length: 200 }, () => randomBytes(8).toString("hex")));
  assert.equal(short.bits, 64);
  const dup = analyseSamples(["abc", "abc", "abd"]);
  assert.equal(dup.distinct, 2);
});

test("alphabets and JWTs are recognised", () => {
  assert.equal(detectAlphabet(["XYZ234"]).name, "base32 (RFC 4648)");
  assert.equal(detectAlphabet(["a+b/"]).name, "base64");
  assert.equal(detectAlphabet(["a.b"]).name, "observed characters");
  const jwt = (jti: string) => `${Buffer.from('{"alg":"HS256"}').toString("base64url")}.${Buffer.from(JSON.stringify({ jti })).toString("base64url")}.sig`;
  assert.equal(isJwt(jwt("x")), true);
  assert.equal(isJwt("opaque.token"), false);
  assert.deepEqual(jwtIds([jwt("a"), jwt("b")]), ["a", "b"]);
  assert.equal(jwtIds([jwt("a"), "x.e30.y"]), null);
});

test("binomial upper tail matches hand-computed values", () => {
  assert.ok(Math.abs(binomialUpperTail(1, 1, 0.5) - 0.5) < 1e-12);
  assert.ok(Math.abs(binomialUpperTail(2, 3, 0.5) - 0.5) < 1e-12);
  assert.equal(binomialUpperTail(0, 10, 0.1), 1);
  // 4 repeats in 23 draws at q = 1/64: about 5e-4, not the 1e-9 a normal approximation gives.
  const p = binomialUpperTail(4, 23, 1 / 64);
  assert.ok(p > 3e-4 && p < 7e-4, `p = ${p}`);
});
