import type { RedactedExchange } from "../http/exchange.ts";
import type { Verdict } from "../harness/verdicts.ts";
import { mergeVerdicts, type ConformanceReport } from "./merge.ts";
import { finishReport } from "./write.ts";

/** A fixed token exchange as redacted evidence shows it (fingerprints, never values). */
export const SAMPLE_EXCHANGE: RedactedExchange = {
  seq: 3,
  label: "token: exchange code",
  method: "POST",
  url: "http://127.0.0.1:4010/oauth/token",
  requestHeaders: [
    ["content-type", "application/x-www-form-urlencoded"],
    ["authorization", "Basic [secret#1a2b3c4d]"],
  ],
  requestBody: "grant_type=authorization_code&code=[code#0badc0de]&code_verifier=[code_verifier#5eed5eed]",
  status: 200,
  responseHeaders: [
    ["content-type", "application/json"],
    ["cache-control", "no-store"],
  ],
  responseBody: '{"access_token":"[access_token#aa11bb22]","token_type":"Bearer","expires_in":"3600","note":"<b>&\'"</b>"}',
  responseBodyBytes: 180,
  durationMs: 4.2,
  curl: "curl -sS -i -X POST -H 'authorization: Basic [secret#1a2b3c4d]' --data-raw 'grant_type=authorization_code&code=[code#0badc0de]' 'http://127.0.0.1:4010/oauth/token'",
};

const T_SHAPE = "TOKEN-04 expires_in › code exchange response has expires_in 3600";
const T_REFRESH = "TOKEN-04 expires_in › refresh response has expires_in 3600";
const T_META = "META-01 RFC 8414 metadata › metadata document names the issuer";
const T_GRANT = "TOKEN-11 grant_type › property: any other grant_type gives unsupported_grant_type";
const T_API = "API-06 › insufficient_scope carries the scope attribute";
const T_CLOCK = "REFRESH-02 › refresh token lasts 30 days";

const verdict = (v: Partial<Verdict> & Pick<Verdict, "id" | "check" | "status">): Verdict => ({ clause: "MUST", clauseScope: null, ...v });

/** Verdicts of six tests: a failure with evidence, a property failure, a warning, passes, a skip. */
export const SAMPLE_TESTS = [
  {
    test: T_SHAPE,
    verdicts: [
      verdict({ id: "TOKEN-04", check: "expires_in is the JSON integer 3600 <not \"3600\"> & nothing else", status: "failed", message: 'expires_in is "3600" (string), expected 3600', evidence: [SAMPLE_EXCHANGE] }),
    ],
  },
  { test: T_REFRESH, verdicts: [verdict({ id: "TOKEN-04", check: "expires_in is 3600 after refresh", status: "passed" })] },
  { test: T_META, verdicts: [verdict({ id: "META-01", check: "serve metadata", status: "passed" }), verdict({ id: "META-01", check: "issuer matches", status: "passed" })] },
  {
    test: T_GRANT,
    verdicts: [
      verdict({
        id: "TOKEN-11",
        check: "property: grant_type ∉ supported gives unsupported_grant_type",
        status: "failed",
        message: "property failed after 17 run(s) (3 shrinks)\ncounterexample: \"\\u0000\"\ncause: status 500\nseed: 42  path: 16:0:0\nreplay: npm run conformance -- --target mock --grep TOKEN-11 --seed 42 --path 16:0:0",
        evidence: [{ ...SAMPLE_EXCHANGE, seq: 9, label: "token: random grant_type", status: 500, responseBody: "Internal error" }],
      }),
    ],
  },
  { test: T_API, verdicts: [verdict({ id: "API-06", check: "insufficient_scope has a scope attribute", status: "warned", clause: "SHOULD", message: "no scope attribute in WWW-Authenticate" })] },
  { test: T_CLOCK, verdicts: [verdict({ id: "REFRESH-02", check: "(whole requirement)", status: "skipped", reason: "target has no clock control" })] },
] as const;

export const SAMPLE_NOW = new Date("2026-11-29T12:00:00Z");

/** The sample as a finished report (no baseline). */
export function sampleReport(): ConformanceReport {
  return finishReport(mergeVerdicts("mock", "pact", false, 42, SAMPLE_TESTS), { now: SAMPLE_NOW });
}

export const SAMPLE_TEST_TITLES = { T_SHAPE, T_REFRESH, T_META, T_GRANT, T_API, T_CLOCK } as const;
