/** A small closed-loop load generator on undici: N connections, each sending its next request when the last answered. */
import { Pool } from "undici";

export interface LoadRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** One operation may be several requests (a whole authorize → consent → token flow); it succeeds when every step did. */
export type Operation = (pool: Pool, worker: number) => Promise<{ ok: boolean }>;

export interface LoadResult {
  readonly operations: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly durationS: number;
}

export function single(build: (worker: number) => LoadRequest, after?: (worker: number, status: number, body: string) => void): Operation {
  return async (pool, worker) => {
    const r = build(worker);
    const res = await pool.request({ method: r.method, path: r.path, headers: r.headers ?? {}, ...(r.body !== undefined ? { body: r.body } : {}) });
    const text = await res.body.text();
    after?.(worker, res.statusCode, text);
    return { ok: res.statusCode >= 200 && res.statusCode < 300 };
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** What one measured run saw, before summary: several runs of one scenario (rounds) merge into one result. */
export interface LoadSample {
  readonly latenciesMs: readonly number[];
  readonly non2xx: number;
  readonly errors: number;
  readonly durationS: number;
}

/** Merges samples of one scenario: throughput over the summed time, percentiles over every latency. */
export function summarize(samples: readonly LoadSample[]): LoadResult {
  const sorted = Float64Array.from(samples.flatMap((s) => s.latenciesMs)).sort();
  const durationS = samples.reduce((t, s) => t + s.durationS, 0);
  return {
    operations: sorted.length,
    perSecond: durationS > 0 ? sorted.length / durationS : 0,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] ?? 0) : 0,
    non2xx: samples.reduce((t, s) => t + s.non2xx, 0),
    errors: samples.reduce((t, s) => t + s.errors, 0),
    durationS,
  };
}

export async function runLoad(origin: string, op: Operation, opts: { connections: number; durationMs: number; warmupMs?: number }): Promise<LoadResult> {
  return summarize([await sampleLoad(origin, op, opts)]);
}

export async function sampleLoad(origin: string, op: Operation, opts: { connections: number; durationMs: number; warmupMs?: number }): Promise<LoadSample> {
  const pool = new Pool(origin, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let measuring = false;
  let stop = false;
  const loop = async (worker: number) => {
    while (!stop) {
      const t0 = process.hrtime.bigint();
      try {
        const { ok } = await op(pool, worker);
        if (measuring) {
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (!ok) non2xx++;
        }
      } catch {
        if (measuring) errors++;
      }
    }
  };
  const loops = Array.from({ length: opts.connections }, (_, i) => loop(i));
  await new Promise((r) => setTimeout(r, opts.warmupMs ?? 500));
  measuring = true;
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, opts.durationMs));
  measuring = false;
  const durationS = Number(process.hrtime.bigint() - start) / 1e9;
  stop = true;
  await Promise.all(loops);
  await pool.close();
  return { latenciesMs: latencies, non2xx, errors, durationS };
}
