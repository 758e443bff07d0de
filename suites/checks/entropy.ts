import { binomialUpperTail, chiSquareUniform, normalTwoSided, spearman } from "./stats.ts";

/**
 * Observable proxies for the randomness of credentials (SEC-03, RFC 6749 §10.10): a sample of
 * values is stripped of its fixed prefix and suffix, its alphabet is recognised, and the random
 * part is measured (length × log2 alphabet), tested per position for uniformity (chi-square,
 * Bonferroni) and searched for counter- or timestamp-like windows (rank correlation with the
 * order of issue).
 */

export interface Alphabet {
  readonly name: string;
  readonly chars: string;
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";

/** Standard alphabets, smallest first; the first that holds every observed character is used. */
export const ALPHABETS: readonly Alphabet[] = [
  { name: "hex (lower)", chars: "0123456789abcdef" },
  { name: "hex (upper)", chars: "0123456789ABCDEF" },
  { name: "base32 (RFC 4648)", chars: `${UPPER}234567` },
  { name: "base32hex (lower)", chars: "0123456789abcdefghijklmnopqrstuv" },
  { name: "lower alphanumeric", chars: DIGITS + LOWER },
  { name: "alphanumeric", chars: DIGITS + UPPER + LOWER },
  { name: "base64url", chars: `${UPPER}${LOWER}${DIGITS}-_` },
  { name: "base64", chars: `${UPPER}${LOWER}${DIGITS}+/` },
];

export interface EntropyAnalysis {
  readonly n: number;
  readonly distinct: number;
  /** Fixed prefix and suffix shared by every sample (stripped before analysis). */
  readonly prefix: string;
  readonly suffix: string;
  readonly alphabet: { readonly name: string; readonly size: number };
  readonly minLength: number;
  readonly maxLength: number;
  /** Random-part length × log2(alphabet), structurally smaller positions counted at their real width. */
  readonly bits: number;
  readonly positionsTested: number;
  readonly positionsSkipped: readonly number[];
  /** Smallest per-position chi-square p, the Bonferroni threshold it is compared with, and where. */
  readonly minP: number;
  readonly threshold: number;
  readonly worstPosition: number | null;
  /** Cells per position (the alphabet, or a divisor of it when the sample is small). */
  readonly bins: number;
  /** A counter- or timestamp-like window, when one is found. */
  readonly counterLike: string | null;
}

function commonPrefix(values: readonly string[]): string {
  let p = values[0] ?? "";
  for (const v of values) {
    let i = 0;
    while (i < p.length && i < v.length && p[i] === v[i]) i++;
    p = p.slice(0, i);
    if (!p) break;
  }
  return p;
}

function commonSuffix(values: readonly string[], prefixLength: number): string {
  const rev = values.map((v) => [...v.slice(prefixLength)].reverse().join(""));
  return [...commonPrefix(rev)].reverse().join("");
}

export function detectAlphabet(parts: readonly string[]): Alphabet {
  const seen = new Set<string>();
  for (const p of parts) for (const c of p) seen.add(c);
  for (const a of ALPHABETS) if ([...seen].every((c) => a.chars.includes(c))) return a;
  return { name: "observed characters", chars: [...seen].sort().join("") };
}

/** Positions whose alphabet is structurally smaller: the last base64 character over a byte string. */
function structuralPositions(alphabet: Alphabet, length: number): { skipped: number[]; lastBits: number | null } {
  if (!alphabet.name.startsWith("base64") || (6 * length) % 8 === 0) return { skipped: [], lastBits: null };
  const bytes = Math.floor((6 * length) / 8);
  return { skipped: [length - 1], lastBits: 8 * bytes - 6 * (length - 1) };
}

/** The largest divisor of k that keeps at least 5 expected samples per cell. */
function binsFor(k: number, n: number): number {
  const cap = Math.floor(n / 5);
  for (let b = Math.min(k, cap); b >= 2; b--) if (k % b === 0) return b;
  return 1;
}

/** Rank correlation of windows (1–6 characters, read as numbers in the alphabet) with the order of issue. */
function findCounter(parts: readonly string[], alphabet: Alphabet, length: number, skipped: readonly number[], alpha: number): string | null {
  const n = parts.length;
  if (n < 10) return null;
  const order = parts.map((_, i) => i);
  const index = new Map([...alphabet.chars].map((c, i) => [c, i] as const));
  const k = alphabet.chars.length;
  const windows: Array<[number, number]> = [];
  for (let w = 1; w <= Math.min(6, length); w++) for (let s = 0; s + w <= length; s++) if (!skipped.some((x) => x >= s && x < s + w)) windows.push([s, w]);
  const perWindow = alpha / (windows.length + length);
  // A slowly changing position (the high digits of a counter or clock) keeps its character from
  // one sample to the next far more often than 1/k, whatever the alphabet's order.
  const q = 1 / k;
  for (let pos = 0; pos < length; pos++) {
    if (skipped.includes(pos)) continue;
    let same = 0;
    for (let i = 1; i < n; i++) if (parts[i]?.[pos] === parts[i - 1]?.[pos]) same++;
    // Exact binomial tail: with n small and q = 1/k the expected count is below 1, where a normal approximation overstates significance by orders of magnitude.
    const p = binomialUpperTail(same, n - 1, q);
    if (p < perWindow) return `character ${pos} of the random part repeats between consecutive samples ${same}/${n - 1} times, expected about ${((n - 1) * q).toFixed(1)} (p = ${p.toExponential(2)})`;
  }
  for (const [s, w] of windows) {
    const values = parts.map((p) => {
      let v = 0;
      for (let j = s; j < s + w; j++) v = v * k + (index.get(p[j] as string) ?? 0);
      return v;
    });
    const rho = spearman(values, order);
    const p = normalTwoSided(rho * Math.sqrt(n - 1));
    if (p < perWindow) return `characters ${s}..${s + w - 1} of the random part rise or fall with the order of issue (Spearman ρ = ${rho.toFixed(3)}, p = ${p.toExponential(2)})`;
  }
  return null;
}

/**
 * Analyses `samples` in the order they were issued. `familyAlpha` is the family-wise level of the
 * per-position chi-square tests (SEC-03: p > 0.001 family-wise, Bonferroni over positions).
 */
export function analyseSamples(samples: readonly string[], familyAlpha = 0.001): EntropyAnalysis {
  const n = samples.length;
  const distinct = new Set(samples).size;
  const prefix = n > 1 ? commonPrefix(samples) : "";
  const suffix = n > 1 ? commonSuffix(samples, prefix.length) : "";
  const parts = samples.map((s) => s.slice(prefix.length, s.length - suffix.length));
  const lengths = parts.map((p) => p.length);
  const minLength = Math.min(...lengths);
  const maxLength = Math.max(...lengths);
  const alphabet = detectAlphabet(parts);
  const k = alphabet.chars.length;
  const { skipped, lastBits } = minLength === maxLength ? structuralPositions(alphabet, minLength) : { skipped: [], lastBits: null };
  const bitsPerChar = k > 1 ? Math.log2(k) : 0;
  const bits = (minLength - skipped.length) * bitsPerChar + (lastBits ?? 0);

  const tested = Array.from({ length: minLength }, (_, i) => i).filter((i) => !skipped.includes(i));
  const threshold = tested.length ? familyAlpha / tested.length : familyAlpha;
  const bins = binsFor(k, n);
  let minP = 1;
  let worstPosition: number | null = null;
  if (bins >= 2) {
    const index = new Map([...alphabet.chars].map((c, i) => [c, i] as const));
    for (const pos of tested) {
      const counts = new Array<number>(bins).fill(0);
      for (const p of parts) {
        const i = index.get(p[pos] as string) ?? 0;
        counts[i % bins] = (counts[i % bins] as number) + 1;
      }
      const { p } = chiSquareUniform(counts);
      if (p < minP) {
        minP = p;
        worstPosition = pos;
      }
    }
  }
  return {
    n,
    distinct,
    prefix,
    suffix,
    alphabet: { name: alphabet.name, size: k },
    minLength,
    maxLength,
    bits,
    positionsTested: bins >= 2 ? tested.length : 0,
    positionsSkipped: skipped,
    minP,
    threshold,
    worstPosition,
    bins,
    counterLike: findCounter(parts, alphabet, minLength, skipped, familyAlpha),
  };
}

/** Three base64url segments whose first decodes to a JSON header with `alg`: a JWT (RFC 7519). */
export function isJwt(value: string): boolean {
  const seg = value.split(".");
  if (seg.length !== 3) return false;
  try {
    const header = JSON.parse(Buffer.from(seg[0] as string, "base64url").toString("utf8")) as { alg?: unknown };
    return typeof header.alg === "string";
  } catch {
    return false;
  }
}

/** The `jti` claims of JWT samples (their only per-token random part), or null when any lacks one. */
export function jwtIds(samples: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const s of samples) {
    try {
      const payload = JSON.parse(Buffer.from(s.split(".")[1] ?? "", "base64url").toString("utf8")) as { jti?: unknown };
      if (typeof payload.jti !== "string") return null;
      out.push(payload.jti);
    } catch {
      return null;
    }
  }
  return out;
}
