import { randomBytes } from "node:crypto";
import type { Arbitrary } from "fast-check";
import { fc } from "../harness/property.ts";
import type { Pairs } from "../http/client.ts";
import { s256 } from "../http/pkce.ts";
import type { Level } from "../registry/types.ts";
import type { AppIdentity } from "../targets/schema.ts";
import type { Target } from "../targets/target.ts";
import { authorizeRequest, duplicateParam, paramOf, setParam, type AuthorizeRequestParts } from "./authz.ts";

/**
 * The error triggers of catalogue AUTHZ-05, AUTHZ-06, AUTHZ-09 and PKCE-01..04: requests whose
 * client and redirect URI are valid, so that (after login, AUTHZ-11) the error is redirected.
 * AUTHZ-08 and AUTHZ-11 run over the same list.
 */
export interface ErrorTrigger {
  /** The requirement that defines the trigger and its error class. */
  readonly id: string;
  /** The clause of `id` the error class belongs to. */
  readonly clause: Level | string;
  readonly name: string;
  readonly app: "spa" | "cli" | "conf";
  readonly alter: (pairs: Pairs) => Array<[string, string]>;
  /** Acceptable `error` values. */
  readonly errors: readonly string[];
  /** Stricter values under the Pact profile (checked under `pactClause`). */
  readonly pactErrors?: readonly string[];
  readonly pactClause?: string;
  /** False when the state must not come back (a repeated state, AUTHZ-09). */
  readonly stateBack: boolean;
  /** Response types that would carry tokens: `--profile rfc` tolerates the error in the fragment (§0.4). */
  readonly tokenBearing?: boolean;
}

/** RFC 6749 Appendix A.5: VSCHAR = %x20-7E. */
export const VSCHAR = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

export function vscharString(minLength: number, maxLength: number): Arbitrary<string> {
  return fc.string({ unit: VSCHAR, minLength, maxLength });
}

const UNRESERVED_CHARS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"];
const B64URL_CHARS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"];

/** RFC 3986 unreserved characters (RFC 7636 §4.1, §4.2). */
export function unreservedString(minLength: number, maxLength: number): Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...UNRESERVED_CHARS), minLength, maxLength });
}

export function base64urlString(length: number): Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...B64URL_CHARS), minLength: length, maxLength: length });
}

/** A 43-character challenge that is not S256 of anything the kit holds, but has the S256 shape. */
export function otherChallenge(): string {
  return s256(randomBytes(32).toString("base64url"));
}

const set = (name: string, value: string | null) => (pairs: Pairs) => setParam(pairs, name, value);
const dup = (name: string, other?: (v: string) => string) => (pairs: Pairs) => {
  const v = paramOf(pairs, name) ?? "";
  return duplicateParam(pairs, name, other ? other(v) : v);
};

export const RESPONSE_TYPE_UNSUPPORTED = ["token", "id_token", "code token", "code id_token", "CODE", "Code"];

export function errorTriggers(target: Target): ErrorTrigger[] {
  const t: ErrorTrigger[] = [];
  // AUTHZ-05: RFC 6749 §3.1.1, §4.1.2.1.
  t.push({ id: "AUTHZ-05", clause: "error redirect", name: "response_type missing", app: "conf", alter: set("response_type", null), errors: ["invalid_request", "unsupported_response_type"], pactErrors: ["invalid_request"], pactClause: "invalid_request for a missing value", stateBack: true });
  t.push({ id: "AUTHZ-05", clause: "error redirect", name: "response_type= (empty counts as omitted)", app: "conf", alter: set("response_type", ""), errors: ["invalid_request", "unsupported_response_type"], pactErrors: ["invalid_request"], pactClause: "invalid_request for a missing value", stateBack: true });
  for (const rt of RESPONSE_TYPE_UNSUPPORTED) {
    t.push({ id: "AUTHZ-05", clause: "error redirect", name: `response_type=${rt}`, app: "conf", alter: set("response_type", rt), errors: ["unsupported_response_type"], stateBack: true, tokenBearing: /token/.test(rt) });
  }
  // AUTHZ-06: RFC 6749 §3.3 (case-sensitive tokens, ABNF), §4.1.2.1; AMB-06/07.
  const unregistered = target.scopes.find((s) => !target.apps.conf.scopes.includes(s));
  const registered = target.apps.conf.scopes[0] as string;
  const second = target.apps.conf.scopes[1] ?? registered;
  const scopeCases: Array<[string, string | null, string]> = [
    ...(unregistered ? ([[`scope ${unregistered} (not registered for the client)`, unregistered, "MUST"]] as Array<[string, string, string]>) : []),
    ["scope nope:nothing (unknown)", "nope:nothing", "MUST"],
    [`scope ${registered.toUpperCase()} (case variant)`, registered.toUpperCase(), "MUST"],
    ["scope with a double quote", `${registered}"`, "MUST"],
    ["scope with a backslash", `${registered}\\`, "MUST"],
    ["scope with a control character", `${registered}\u0001`, "MUST"],
    ["scope with a leading space", ` ${registered}`, "MUST"],
    ["scope with a trailing space", `${registered} `, "MUST"],
    ["scope with a doubled space", `${registered}  ${second}`, "MUST"],
    ["scope omitted (no default scope, AMB-06)", null, "omitted"],
    ["scope= (empty counts as omitted)", "", "omitted"],
  ];
  for (const [name, value, clause] of scopeCases) t.push({ id: "AUTHZ-06", clause, name, app: "conf", alter: set("scope", value), errors: ["invalid_scope"], stateBack: true });
  // AUTHZ-09: RFC 6749 §3.1, §4.1.2.1; AMB-19. client_id and redirect_uri repeats never redirect (tested apart).
  for (const p of ["response_type", "scope", "code_challenge", "code_challenge_method"]) {
    const other: Record<string, (v: string) => string> = { response_type: () => "token", scope: () => "write:deals", code_challenge: () => otherChallenge(), code_challenge_method: () => "plain" };
    t.push({ id: "AUTHZ-09", clause: "which case redirects", name: `${p} repeated with the same value`, app: "spa", alter: dup(p), errors: ["invalid_request"], stateBack: true });
    t.push({ id: "AUTHZ-09", clause: "which case redirects", name: `${p} repeated with another value`, app: "spa", alter: dup(p, other[p]), errors: ["invalid_request"], stateBack: true });
  }
  t.push({ id: "AUTHZ-09", clause: "which case redirects", name: "state repeated (no state comes back)", app: "spa", alter: dup("state", (v) => `${v}x`), errors: ["invalid_request"], stateBack: false });
  // PKCE-01: RFC 7636 §4.4.1; RFC 9700 §2.1.1.
  for (const app of target.apps.cli ? (["spa", "cli"] as const) : (["spa"] as const)) {
    t.push({ id: "PKCE-01", clause: "MUST", name: `${app}: code_challenge missing`, app, alter: set("code_challenge", null), errors: ["invalid_request"], stateBack: true });
    t.push({ id: "PKCE-01", clause: "MUST", name: `${app}: code_challenge= (empty counts as omitted)`, app, alter: set("code_challenge", ""), errors: ["invalid_request"], stateBack: true });
    t.push({ id: "PKCE-01", clause: "MUST", name: `${app}: code_challenge and method missing`, app, alter: (p) => setParam(setParam(p, "code_challenge", null), "code_challenge_method", null), errors: ["invalid_request"], stateBack: true });
  }
  // PKCE-02 (PACT-PROFILE, AMB-01).
  t.push({ id: "PKCE-02", clause: "PACT-PROFILE", name: "conf: code_challenge missing", app: "conf", alter: set("code_challenge", null), errors: ["invalid_request"], stateBack: true });
  // PKCE-03: RFC 7636 §4.3 (absent = plain), §4.4.1 (unsupported → invalid_request); AMB-02.
  for (const m of ["s256", "SHA256", "S512"]) t.push({ id: "PKCE-03", clause: "error code", name: `code_challenge_method=${m}`, app: "spa", alter: set("code_challenge_method", m), errors: ["invalid_request"], stateBack: true });
  t.push({ id: "PKCE-03", clause: "plain unsupported", name: "code_challenge_method=plain", app: "spa", alter: set("code_challenge_method", "plain"), errors: ["invalid_request"], stateBack: true });
  t.push({ id: "PKCE-03", clause: "plain unsupported", name: "code_challenge_method absent (means plain)", app: "spa", alter: set("code_challenge_method", null), errors: ["invalid_request"], stateBack: true });
  t.push({ id: "PKCE-03", clause: "plain unsupported", name: "code_challenge_method= (empty, means plain)", app: "spa", alter: set("code_challenge_method", ""), errors: ["invalid_request"], stateBack: true });
  // PKCE-04: RFC 7636 §4.2 code-challenge = 43*128unreserved; Pact: exactly the S256 shape.
  const c = otherChallenge();
  const abnf: Array<[string, string]> = [
    ["42 characters", c.slice(0, 42)],
    ["129 characters", `${c}${c}${c}`.slice(0, 129)],
    ["with + (standard base64)", `${c.slice(0, 42)}+`],
    ["with / (standard base64)", `${c.slice(0, 42)}/`],
    ["with = (padded base64)", `${c.slice(0, 42)}=`],
    ["44 characters with = padding", `${c}=`],
    ["with a space", `${c.slice(0, 21)} ${c.slice(22)}`],
    ["with %", `${c.slice(0, 42)}%`],
  ];
  for (const [name, v] of abnf) t.push({ id: "PKCE-04", clause: "ABNF", name: `code_challenge ${name}`, app: "spa", alter: set("code_challenge", v), errors: ["invalid_request"], stateBack: true });
  const shape: Array<[string, string]> = [
    ["44 unreserved characters", `${c}A`],
    ["128 unreserved characters", `${c}${c}${c}`.slice(0, 128)],
    ["43 characters with .", `${c.slice(0, 42)}.`],
    ["43 characters with ~", `${c.slice(0, 42)}~`],
  ];
  for (const [name, v] of shape) t.push({ id: "PKCE-04", clause: "exact S256 shape", name: `code_challenge ${name}`, app: "spa", alter: set("code_challenge", v), errors: ["invalid_request"], stateBack: true });
  return t;
}

export function triggerApp(target: Target, t: ErrorTrigger): AppIdentity {
  if (t.app === "cli") return target.apps.cli ?? target.apps.spa;
  return target.apps[t.app];
}

/** The trigger's request for `state` (null sends none). */
export function triggerRequest(target: Target, t: ErrorTrigger, state: string | null): AuthorizeRequestParts & { altered: Array<[string, string]> } {
  const base = authorizeRequest({ client: triggerApp(target, t), state });
  return { ...base, altered: t.alter(base.pairs) };
}
