/**
 * Skips a spec decides inside its body, from the run and the target alone (never from what the
 * target answers), shared with `--plan` so that the plan and the run give the same reasons.
 */
import type { Target } from "../targets/target.ts";

/** SEC-04: the timing study (sec-timing.spec.ts). */
export const TIMING_SLOW_ONLY = "timing study runs only with --slow (5,000 samples per class)";

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** SEC-06 (sec-tls.spec.ts): a plain-HTTP loopback target has no TLS to check. */
export function plainHttpLoopback(baseUrl: string): string | null {
  const base = new URL(baseUrl);
  return base.protocol === "http:" && LOOPBACK.has(base.hostname) ? "not applicable: plain-HTTP loopback target (catalogue §0.3)" : null;
}

/** INSTALL-01 in the model-based test (model.spec.ts): no installation revocation without the admin console. */
export function modelWithoutAdmin(target: Pick<Target, "missing">): string | null {
  const why = target.missing("admin");
  return why === null ? null : `no installation revocation in the sequences: ${why}`;
}
