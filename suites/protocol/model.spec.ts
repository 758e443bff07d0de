import { test, reqs, needs, tags } from "../harness/index.ts";
import { modelWithoutAdmin } from "../harness/skip-reasons.ts";
import { fc } from "../harness/property.ts";
import { replayCommand } from "../harness/property.ts";
import { readRunOptions } from "../harness/run-options.ts";
import { callApi, errorCode } from "../checks/lifecycle.ts";
import { AdminSession } from "../flows/admin.ts";
import type { CodeFactory, IssuedCode } from "../flows/code-factory.ts";
import { FlowError } from "../flows/login.ts";
import { exchangeCode, refresh, revoke } from "../flows/tokens.ts";
import type { ProtocolClient } from "../http/client.ts";
import type { HttpResponse } from "../http/response.ts";
import { agrees, PACT_MODEL_PARAMS, ReferenceModel, type Basis, type Expectation, type Outcome } from "../model/reference-model.ts";
import type { Target } from "../targets/target.ts";

/**
 * Model-based test: random command sequences run against the target and the reference model
 * (suites/model/reference-model.ts, written from the catalogue); after every step the observed
 * outcome must be one the model allows. A disagreement is attributed to the requirement the
 * model's expectation rests on.
 */

/** The requirements the model's expectations rest on (Basis ids). */
const MODEL_IDS = ["CODE-01", "CODE-02", "CODE-04", "API-05", "REFRESH-02", "REFRESH-03", "REFRESH-04", "REVOKE-03", "REVOKE-04", "INSTALL-01"] as const;

class Disagreement extends Error {
  constructor(
    readonly basis: Basis,
    message: string,
  ) {
    super(message);
    this.name = "Disagreement";
  }
}

interface Real {
  readonly client: ProtocolClient;
  readonly codes: CodeFactory;
  readonly target: Target;
  readonly issued: Map<number, IssuedCode>;
  readonly access: Map<number, string>;
  readonly refresh: Map<number, string>;
  /** Step log for the failure message (no token values). */
  readonly steps: string[];
}

type Cmd = fc.AsyncCommand<ReferenceModel, Real>;

/** 200 → ok; a 400 invalid_grant token error → rejected; anything else is itself a disagreement. */
function tokenOutcome(res: HttpResponse, basis: Basis, what: string): Outcome {
  if (res.status === 200) return "ok";
  const body = res.jsonOrUndefined() as { error?: unknown } | undefined;
  if (res.status === 400 && body?.error === "invalid_grant") return "rejected";
  throw new Disagreement(basis, `${what}: answered ${res.status}${errorCode(res)}, expected 200 or 400 invalid_grant (RFC 6749 §5.2)`);
}

function compare(real: Real, basis: Basis, what: string, expected: Expectation, observed: Outcome): void {
  real.steps.push(`${what}: model ${expected}, target ${observed}`);
  if (!agrees(expected, observed)) throw new Disagreement(basis, `${what}: the model expects ${expected}, the target answered ${observed}`);
}

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length ? items[index % items.length] : undefined;
}

function codeIds(m: Readonly<ReferenceModel>, redeemed: boolean): number[] {
  return [...m.codes.entries()].filter(([, c]) => c.redeemed === redeemed).map(([id]) => id);
}

function refreshIds(m: Readonly<ReferenceModel>, rotated: boolean): number[] {
  return [...m.refresh.entries()].filter(([, r]) => r.rotated === rotated).map(([id]) => id);
}

/** Authorize (login, consent, Approve) and record the code in both the model and the real state. */
async function authorize(m: ReferenceModel, r: Real): Promise<number> {
  let issued: IssuedCode;
  try {
    issued = await r.codes.issue({ client: r.target.apps.spa });
  } catch (e) {
    throw new Disagreement({ id: "CODE-01" }, `authorize: no code came back (${e instanceof FlowError ? e.message : String(e)})`);
  }
  const id = m.codeIssued();
  r.issued.set(id, issued);
  r.steps.push(`authorize → code #${id}`);
  return id;
}

class Authorize implements Cmd {
  check(m: Readonly<ReferenceModel>): boolean {
    return m.codes.size < 6;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    await authorize(m, r);
  }
  toString(): string {
    return "authorize";
  }
}

class Exchange implements Cmd {
  constructor(
    readonly replay: boolean,
    readonly index: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    // Commands bring what they act on when it is missing (a code to exchange, a redeemed code to
    // replay), so that short random sequences still reach the interesting states.
    if (this.replay && codeIds(m, true).length === 0) await new Exchange(false, 0).run(m, r);
    const candidates = codeIds(m, this.replay);
    const id = candidates.length ? (pick(candidates, this.index) as number) : await authorize(m, r);
    const issued = r.issued.get(id) as IssuedCode;
    const expected = m.expectExchange(id);
    const basis = m.exchangeBasis(id);
    const what = `${this.replay ? "replay" : "exchange"} code #${id}`;
    const res = await exchangeCode(r.client, r.target.apps.spa, issued, { label: `model: ${what}` });
    const observed = tokenOutcome(res, basis, what);
    compare(r, basis, what, expected, observed);
    const made = m.exchanged(id, observed);
    if (made) {
      const body = res.json() as { access_token?: unknown; refresh_token?: unknown };
      if (typeof body.access_token !== "string" || typeof body.refresh_token !== "string") throw new Disagreement({ id: "CODE-01" }, `${what}: 200 without access_token and refresh_token`);
      r.access.set(made.access, body.access_token);
      r.refresh.set(made.refresh, body.refresh_token);
      r.steps.push(`  → access #${made.access}, refresh #${made.refresh}`);
    }
  }
  toString(): string {
    return `${this.replay ? "replayCode" : "exchange"}(${this.index})`;
  }
}

class Refresh implements Cmd {
  constructor(
    readonly rotated: boolean,
    readonly index: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    if (m.refresh.size === 0) await new Exchange(false, 0).run(m, r);
    if (this.rotated && refreshIds(m, true).length === 0 && refreshIds(m, false).length > 0) await new Refresh(false, this.index).run(m, r);
    const candidates = refreshIds(m, this.rotated);
    if (candidates.length === 0) {
      r.steps.push(`${this.toString()}: nothing to present`);
      return;
    }
    const id = pick(candidates, this.index) as number;
    const expected = m.expectRefresh(id);
    const basis = m.refreshBasis(id);
    const what = `${this.rotated ? "reuse rotated" : "refresh"} refresh #${id}`;
    const res = await refresh(r.client, r.target.apps.spa, r.refresh.get(id) as string, { label: `model: ${what}` });
    const observed = tokenOutcome(res, basis, what);
    compare(r, basis, what, expected, observed);
    const made = m.refreshed(id, observed);
    if (made) {
      const body = res.json() as { access_token?: unknown; refresh_token?: unknown };
      if (typeof body.access_token !== "string" || typeof body.refresh_token !== "string") throw new Disagreement({ id: "REFRESH-03", clause: "public clients" }, `${what}: 200 without access_token and refresh_token`);
      r.access.set(made.access, body.access_token);
      r.refresh.set(made.refresh, body.refresh_token);
      r.steps.push(`  → access #${made.access}, refresh #${made.refresh}`);
    }
  }
  toString(): string {
    return `${this.rotated ? "reuseRotatedRefresh" : "refresh"}(${this.index})`;
  }
}

class CallApi implements Cmd {
  constructor(readonly index: number) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    if (m.access.size === 0) await new Exchange(false, 0).run(m, r);
    if (m.access.size === 0) return;
    const id = pick([...m.access.keys()], this.index) as number;
    const expected = m.expectApi(id);
    const basis = m.apiBasis(id);
    const what = `call the API with access #${id}`;
    const res = await callApi(r.client, r.access.get(id) as string, `model: ${what}`);
    if (res.status !== 200 && res.status !== 401) throw new Disagreement(basis, `${what}: answered ${res.status}, expected 200 or 401 (RFC 6750 §3.1)`);
    const observed: Outcome = res.status === 200 ? "ok" : "rejected";
    compare(r, basis, what, expected, observed);
    m.apiCalled(id, observed);
  }
  toString(): string {
    return `callApi(${this.index})`;
  }
}

class Revoke implements Cmd {
  constructor(
    readonly kind: "access" | "refresh",
    readonly index: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    if (m.access.size === 0) await new Exchange(false, 0).run(m, r);
    if (m.access.size === 0) return;
    const ids = [...(this.kind === "access" ? m.access : m.refresh).keys()];
    const id = pick(ids, this.index) as number;
    const token = (this.kind === "access" ? r.access : r.refresh).get(id) as string;
    const what = `revoke ${this.kind} #${id}`;
    const res = await revoke(r.client, r.target.apps.spa, token, { label: `model: ${what}` });
    // RFC 7009 §2.2: 200 whether the token was valid, invalid or already revoked.
    if (res.status !== 200) throw new Disagreement(this.kind === "access" ? { id: "REVOKE-04" } : { id: "REVOKE-03", clause: "the refresh token" }, `${what}: answered ${res.status}${errorCode(res)}, expected 200`);
    r.steps.push(`${what}: 200`);
    m.revoked(this.kind, id);
  }
  toString(): string {
    return `revoke(${this.kind}, ${this.index})`;
  }
}

/** Steps of the clock; boundaries of ±SKEW_S are left to the model's "either". */
const CLOCK_STEPS_S = [5, 30, 90, 700, 1800, 3700, 7 * 86400, 29 * 86400, 31 * 86400] as const;

class AdvanceClock implements Cmd {
  constructor(readonly seconds: number) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    await r.target.clock?.advance(this.seconds);
    m.advance(this.seconds);
    r.steps.push(`advance the clock ${this.seconds} s`);
  }
  toString(): string {
    return `advanceClock(${this.seconds})`;
  }
}

/** Admin → Installed → Revoke for the SPA (INSTALL-01); needs the admin capability. */
class RevokeInstallation implements Cmd {
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    if (m.codes.size === 0) await new Exchange(false, 0).run(m, r);
    const spa = r.target.apps.spa;
    let admin: AdminSession;
    let row: { clientId: string | null; name: string } | undefined;
    try {
      admin = await AdminSession.open(r.client, r.target);
      row = (await admin.listInstalled()).installed.find((i) => i.hasRevoke && (i.clientId === spa.clientId || i.name === spa.clientId || (spa.name !== undefined && i.name === spa.name)));
    } catch (e) {
      throw new Disagreement({ id: "INSTALL-01" }, `revoke installation: the Installed tab could not be read (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!row) {
      // Nothing to click: only wrong when the model holds a grant that is certainly live (INSTALL-03 keeps the tab accurate).
      if (m.hasLiveGrant()) throw new Disagreement({ id: "INSTALL-01" }, "revoke installation: the Installed tab has no Revoke for the SPA although it holds a live grant");
      r.steps.push("revoke installation: SPA not listed, nothing to revoke");
      return;
    }
    try {
      await admin.revokeInstallation(row.clientId === spa.clientId ? spa.clientId : row.name);
    } catch (e) {
      throw new Disagreement({ id: "INSTALL-01" }, `revoke installation: Revoke failed (${e instanceof Error ? e.message : String(e)})`);
    }
    m.installationRevoked();
    r.steps.push("revoke installation of the SPA");
  }
  toString(): string {
    return "revokeInstallation";
  }
}

function commandArbs(withAdmin: boolean): Array<fc.Arbitrary<Cmd>> {
  const index = fc.nat({ max: 7 });
  const authorize = fc.constant(new Authorize());
  const exchange = index.map((i) => new Exchange(false, i));
  const refreshCurrent = index.map((i) => new Refresh(false, i));
  const callApi = index.map((i) => new CallApi(i));
  // fc.commands draws uniformly from the list: repeating an entry weights it, so that sequences
  // reach tokens often enough for replay, reuse and revocation to have something to act on.
  const replay = index.map((i) => new Exchange(true, i));
  const reuse = index.map((i) => new Refresh(true, i));
  const advance = fc.constantFrom(...CLOCK_STEPS_S).map((s) => new AdvanceClock(s));
  const revokeToken = fc.record({ kind: fc.constantFrom<"access" | "refresh">("access", "refresh"), i: index }).map(({ kind, i }) => new Revoke(kind, i));
  const arbs: Array<fc.Arbitrary<Cmd>> = [
    authorize,
    exchange,
    exchange,
    exchange,
    replay,
    replay,
    refreshCurrent,
    refreshCurrent,
    refreshCurrent,
    reuse,
    reuse,
    reuse,
    callApi,
    revokeToken,
    revokeToken,
    advance,
    advance,
  ];
  if (withAdmin) arbs.push(fc.constant(new RevokeInstallation()));
  return arbs;
}

test.describe(`Model-based: the target agrees with the reference model (${MODEL_IDS.join(" ")})`, () => {
  test("random authorize / exchange / refresh / revoke / API / clock / replay / reuse / uninstall sequences", { tag: tags(...MODEL_IDS), annotation: [...reqs(...MODEL_IDS), ...needs("http", "code", "clock")] }, async ({ client, target, verdicts, codeFactory }) => {
    test.setTimeout(120_000);
    if (verdicts.profile === "rfc") {
      // The model encodes the Pact profile (AMB-10..13, CODE-02 as MUST); under rfc several of its expectations are not requirements.
      for (const id of MODEL_IDS) verdicts.skip(id, "the reference model encodes the Pact profile; the model-based test runs under --profile pact only", "model-based sequences");
      return;
    }
    if (target.params.ROTATION_GRACE_S > 0) {
      for (const id of MODEL_IDS) verdicts.skip(id, `the reference model assumes ROTATION_GRACE_S = 0 (target: ${target.params.ROTATION_GRACE_S} s)`, "model-based sequences");
      return;
    }
    const withAdmin = target.capabilities.has("admin");
    const params = { ...PACT_MODEL_PARAMS, skewS: target.params.SKEW_S, codeTtlMaxS: target.params.CODE_TTL_MAX_S };
    const run = readRunOptions();
    const mine = run.grep === undefined || MODEL_IDS.some((id) => run.grep?.split(/[|,\s]+/).includes(id)) || /model/i.test(run.grep);
    const property = fc.asyncProperty(fc.commands(commandArbs(withAdmin), { maxCommands: 10, size: "max" }), async (cmds) => {
      const steps: string[] = [];
      const model = new ReferenceModel(params);
      const real: Real = { client, codes: codeFactory, target, issued: new Map(), access: new Map(), refresh: new Map(), steps };
      try {
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        // A closing sweep: every access token on the API, then every current refresh token, then every
        // rotated one, so that a consequence the sequence did not happen to probe is still observed.
        steps.push("closing sweep:");
        for (let i = 0; i < model.access.size; i++) await new CallApi(i).run(model, real);
        for (const id of refreshIds(model, false)) await new Refresh(false, refreshIds(model, false).indexOf(id)).run(model, real);
        // Last, every rotated refresh token once more (REFRESH-03: a rotated token is refused).
        for (const id of refreshIds(model, true)) await new Refresh(true, refreshIds(model, true).indexOf(id)).run(model, real);
      } catch (e) {
        // The steps of this very run travel with the error, so the shrunk counterexample explains itself.
        if (e instanceof Disagreement) throw new Disagreement(e.basis, `${e.message}\nsteps:\n  ${steps.join("\n  ")}`);
        throw e;
      }
    });
    const details = await fc.check(property, {
      seed: run.seed,
      numRuns: 25,
      ...(run.path !== undefined && mine ? { path: run.path } : {}),
      interruptAfterTimeLimit: 60_000,
    });

    if (!details.failed) {
      for (const id of MODEL_IDS) {
        if (id === "INSTALL-01" && !withAdmin) {
          verdicts.skip(id, modelWithoutAdmin(target) ?? "no installation revocation in the sequences: admin capability missing", "model-based sequences");
          continue;
        }
        await verdicts.check(id, `model-based: ${details.numRuns} random sequences of up to 10 commands agree with the reference model`, () => undefined, { clause: "MUST" });
      }
      return;
    }
    const error = details.errorInstance;
    // Anything but a disagreement (transport failure, a broken flow) is the kit's or the network's problem: fail the test itself.
    if (!(error instanceof Disagreement)) throw error instanceof Error ? error : new Error(String(error));
    const basis = error.basis;
    const path = details.counterexamplePath ?? "0";
    const replay = replayCommand(basis.id, details.seed, path);
    const message =
      `${error.message}\n` +
      `commands: ${fc.stringify(details.counterexample?.[0])}\n` +
      `seed: ${details.seed}  path: ${path}\nreplay: ${replay}`;
    await verdicts.check(basis.id, "model-based: every step agrees with the reference model", () => {
      throw new Error(message);
    }, { ...(basis.clause !== undefined ? { clause: basis.clause } : {}), replay });
    process.stderr.write(`[model] ${basis.id}: replay with ${replay}\n`);
    for (const id of MODEL_IDS) if (id !== basis.id) verdicts.skip(id, `the model-based run stopped at a disagreement attributed to ${basis.id}`, "model-based sequences");
  });
});
