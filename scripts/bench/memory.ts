/**
 * Memory of 100,000 live tokens, and after they expire and the sweep runs.
 * Run with --expose-gc; prints one JSON line.
 */
import { createManualClock } from "../../mock/clock.ts";
import { createPactMock } from "../../mock/app.ts";
import { LIFETIME_S } from "../../mock/store.ts";

const COUNT = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
function snapshot() {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapMb: mb(m.heapUsed) };
}

const clock = createManualClock();
const mock = createPactMock({ clock });
const { store } = mock;
const start = snapshot();
// Client-credentials issuance as the token endpoint does it (mock/oauth/grants/client-credentials.ts).
for (let i = 0; i < COUNT; i++) {
  const grant = store.clientCredentialsGrant("demo-server", "acme", ["read:deals"]);
  store.issueAccessToken(grant, grant.scope);
}
const live = snapshot();
const liveTokens = store.accessTokens.size;
clock.advance(LIFETIME_S.accessToken + 1);
const sweepStart = process.hrtime.bigint();
store.sweep();
const sweepMs = Number(process.hrtime.bigint() - sweepStart) / 1e6;
const swept = snapshot();
mock.close();
process.stdout.write(`${JSON.stringify({ tokens: COUNT, liveTokens, remainingTokens: store.accessTokens.size, start, live, swept, sweepMs: Math.round(sweepMs) })}\n`);
