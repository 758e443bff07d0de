/**
 * Statistics for SEC-03 (chi-square uniformity) and SEC-04 (Mann–Whitney U, two-sample
 * Kolmogorov–Smirnov). Pure functions, no dependencies; numerical methods after Press et al.,
 * "Numerical Recipes", §6.1–6.2 (gamma functions), §14.3 (KS).
 */

const LANCZOS = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];

/** ln Γ(x) for x > 0 (Lanczos approximation, relative error < 2e-10). */
export function lnGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lnGamma needs x > 0, got ${x}`);
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const c of LANCZOS) ser += c / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

const EPS = 1e-15;
const FPMIN = 1e-300;
const MAX_ITER = 10_000;

/** P(a, x) by its series; converges quickly for x < a + 1. */
function gammaSeries(a: number, x: number): number {
  let ap = a;
  let sum = 1 / a;
  let del = sum;
  for (let n = 0; n < MAX_ITER; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz); converges quickly for x ≥ a + 1. */
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/** The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || x < 0) throw new RangeError(`regularizedGammaP needs a > 0 and x ≥ 0, got a=${a}, x=${x}`);
  if (x === 0) return 0;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/** The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x). */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || x < 0) throw new RangeError(`regularizedGammaQ needs a > 0 and x ≥ 0, got a=${a}, x=${x}`);
  if (x === 0) return 1;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

/** The chi-square CDF with `dof` degrees of freedom: P(dof/2, x/2). */
export function chiSquareCdf(x: number, dof: number): number {
  return x <= 0 ? 0 : regularizedGammaP(dof / 2, x / 2);
}

/** The chi-square upper tail (p-value of a statistic `x`): Q(dof/2, x/2). */
export function chiSquareSurvival(x: number, dof: number): number {
  return x <= 0 ? 1 : regularizedGammaQ(dof / 2, x / 2);
}

/** Pearson's goodness-of-fit test of `observed` counts against a uniform distribution. */
export function chiSquareUniform(observed: readonly number[]): { statistic: number; dof: number; p: number } {
  const k = observed.length;
  if (k < 2) throw new RangeError("chi-square needs at least two cells");
  const n = observed.reduce((s, o) => s + o, 0);
  const e = n / k;
  const statistic = observed.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
  return { statistic, dof: k - 1, p: chiSquareSurvival(statistic, k - 1) };
}

/** erfc(x) through Q(1/2, x²) (Numerical Recipes §6.2). */
export function erfc(x: number): number {
  return x >= 0 ? regularizedGammaQ(0.5, x * x) : 2 - regularizedGammaQ(0.5, x * x);
}

/** Two-sided p-value of a standard normal statistic. */
export function normalTwoSided(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/** Ranks 1..n with ties averaged; also Σ(t³ − t) over tie groups. */
function ranks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
  const out = new Array<number>(values.length).fill(0);
  let tieTerm = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[(order[k] as readonly [number, number])[1]] = avg;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks: out, tieTerm };
}

/**
 * Mann–Whitney U test, two-sided, normal approximation with tie correction and continuity
 * correction (valid for samples of more than ~20 each).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): { u: number; z: number; p: number } {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("Mann–Whitney needs two non-empty samples");
  const { ranks: r, tieTerm } = ranks([...a, ...b]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += r[i] as number;
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1 };
  const diff = u - mean;
  const z = (diff - Math.sign(diff) * 0.5) / Math.sqrt(variance);
  return { u, z, p: normalTwoSided(z) };
}

/** The Kolmogorov distribution's upper tail Q_KS(λ) = 2 Σ (−1)^(j−1) e^(−2 j² λ²). */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let sign = 1;
  let prev = 0;
  for (let j = 1; j <= 100; j++) {
    const term = sign * 2 * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) <= 1e-10 * Math.abs(prev) || Math.abs(term) <= 1e-16 * Math.abs(sum)) return Math.min(1, Math.max(0, sum));
    sign = -sign;
    prev = term;
  }
  return 1;
}

/** Two-sample Kolmogorov–Smirnov test: D = sup |F_a − F_b|, asymptotic p (Numerical Recipes §14.3). */
export function ksTwoSample(a: readonly number[], b: readonly number[]): { d: number; p: number } {
  if (a.length === 0 || b.length === 0) throw new RangeError("KS needs two non-empty samples");
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const xi = x[i] as number;
    const yj = y[j] as number;
    const v = Math.min(xi, yj);
    while (i < x.length && (x[i] as number) <= v) i++;
    while (j < y.length && (y[j] as number) <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const ne = Math.sqrt((x.length * y.length) / (x.length + y.length));
  return { d, p: kolmogorovQ((ne + 0.12 + 0.11 / ne) * d) };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Spearman's rank correlation of two equally long series. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n !== y.length || n < 3) throw new RangeError("spearman needs two series of equal length ≥ 3");
  const rx = ranks(x).ranks;
  const ry = ranks(y).ranks;
  const mx = rx.reduce((s, v) => s + v, 0) / n;
  const my = ry.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] as number) - mx;
    const dy = (ry[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** P(X ≥ k) for X ~ Binomial(n, q), summed exactly in log space (no normal approximation: small expected counts are common here). */
export function binomialUpperTail(k: number, n: number, q: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const lnC = (m: number) => lnGamma(n + 1) - lnGamma(m + 1) - lnGamma(n - m + 1);
  let sum = 0;
  for (let i = k; i <= n; i++) sum += Math.exp(lnC(i) + i * Math.log(q) + (n - i) * Math.log1p(-q));
  return Math.min(1, sum);
}
