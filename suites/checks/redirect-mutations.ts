import type { Arbitrary } from "fast-check";
import { fc } from "../harness/property.ts";

/**
 * The redirect-URI mutation operators of catalogue AUTHZ-03 (RFC 6749 §3.1.2.3 simple string
 * comparison, RFC 3986 §6.2.1; RFC 9700 §2.1, §4.1.3). Each works on any string; an operator
 * that does not apply leaves the string unchanged.
 */

interface UriParts {
  scheme: string;
  authority: string;
  path: string;
  /** "?…" and/or "#…", as written. */
  tail: string;
}

const URI = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(.*)$/s;

function parse(u: string): UriParts | null {
  const m = URI.exec(u);
  return m ? { scheme: m[1] as string, authority: m[2] as string, path: m[3] as string, tail: m[4] as string } : null;
}

function join(p: UriParts): string {
  return `${p.scheme}://${p.authority}${p.path}${p.tail}`;
}

function onParts(f: (p: UriParts, k: number) => UriParts): (u: string, k: number) => string {
  return (u, k) => {
    const p = parse(u);
    return p ? join(f({ ...p }, k)) : u;
  };
}

function hasPort(authority: string): boolean {
  return /:\d*$/.test(authority.replace(/^\[[^\]]*\]/, "[]"));
}

function pctOne(path: string, k: number): string {
  const idx = [...path].map((c, i) => (/[A-Za-z0-9\-._~]/.test(c) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return path;
  const at = idx[k % idx.length] as number;
  return `${path.slice(0, at)}%${path.charCodeAt(at).toString(16).toUpperCase()}${path.slice(at + 1)}`;
}

function insertBeforeLastSegment(path: string, insert: string): string {
  const at = path.lastIndexOf("/");
  return at < 0 ? `${insert}${path}` : `${path.slice(0, at)}${insert}${path.slice(at)}`;
}

/** The authority with its host upper-cased; userinfo and port keep their case. */
function upperHost(authority: string): string {
  const at = authority.lastIndexOf("@");
  const userinfo = at < 0 ? "" : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  const m = /^(\[[^\]]*\]|[^:]*)(.*)$/s.exec(hostPort) as RegExpExecArray;
  return `${userinfo}${(m[1] as string).toUpperCase()}${m[2] as string}`;
}

export const MUTATIONS = {
  /** https://client.test/cb/ */
  trailingSlash: onParts((p) => ({ ...p, path: `${p.path}/` })),
  /** https://CLIENT.test/cb (the host only: a host without letters, 127.0.0.1, has no case to change) */
  hostCase: onParts((p) => ({ ...p, authority: upperHost(p.authority) })),
  /** https://client.test/CB */
  pathCase: onParts((p) => ({ ...p, path: p.path.toUpperCase() })),
  /** HTTPS://client.test/cb */
  schemeCase: onParts((p) => ({ ...p, scheme: p.scheme.toUpperCase() })),
  /** https://client.test/cb?x=1 */
  addQuery: onParts((p) => {
    const hash = p.tail.indexOf("#");
    const q = hash < 0 ? p.tail : p.tail.slice(0, hash);
    const h = hash < 0 ? "" : p.tail.slice(hash);
    return { ...p, tail: `${q === "" ? "?" : `${q}&`}x=1${h}` };
  }),
  /** https://client.test/cb#f */
  fragment: (u: string) => `${u}#f`,
  /** https://client.test:443/cb (the scheme's default port made explicit) */
  defaultPort: onParts((p) => (hasPort(p.authority) ? p : { ...p, authority: `${p.authority}:${p.scheme.toLowerCase() === "http" ? 80 : 443}` })),
  /** https://client.test:8443/cb (another port) */
  otherPort: onParts((p) => (hasPort(p.authority) ? { ...p, authority: p.authority.replace(/:\d*$/, ":8443") } : { ...p, authority: `${p.authority}:8443` })),
  /** https://client.test/%63b */
  pctUnreserved: onParts((p, k) => ({ ...p, path: pctOne(p.path, k) })),
  /** https://client.test/./cb */
  dotSegment: onParts((p) => ({ ...p, path: insertBeforeLastSegment(p.path, "/.") })),
  /** https://client.test//cb */
  doubleSlash: onParts((p) => ({ ...p, path: insertBeforeLastSegment(p.path, "/") })),
  /** https://client.test.evil.test/cb */
  hostSuffix: onParts((p) => ({ ...p, authority: `${p.authority}.evil.test` })),
  /** https://client.test@evil.test/cb */
  userinfo: onParts((p) => ({ ...p, authority: `${p.authority}@evil.test` })),
  /** https://evil.test/https://client.test/cb */
  evilPrefix: (u: string) => `https://evil.test/${u}`,
  /** http://client.test/cb (or https for an http URI) */
  schemeSwap: onParts((p) => ({ ...p, scheme: p.scheme.toLowerCase() === "https" ? "http" : "https" })),
  /** " https://client.test/cb" */
  leadingSpace: (u: string) => ` ${u}`,
  /** https://client.test/cb + NUL (sent as %00) */
  trailingNul: (u: string) => `${u}\u0000`,
  /** https://client.test/cb%00 (a literal "%00", sent as %2500) */
  trailingPct00: (u: string) => `${u}%00`,
  /** Another path segment: https://client.test/cb2 */
  pathSuffix: onParts((p) => ({ ...p, path: `${p.path}2` })),
} as const satisfies Record<string, (u: string, k: number) => string>;

export type MutationName = keyof typeof MUTATIONS;
export const MUTATION_NAMES = Object.keys(MUTATIONS) as MutationName[];

/** The catalogue's AUTHZ-03 list, one operator each (the explicit edge examples). */
export const CATALOGUE_MUTATIONS: readonly MutationName[] = [
  "trailingSlash",
  "hostCase",
  "pathCase",
  "schemeCase",
  "addQuery",
  "fragment",
  "defaultPort",
  "pctUnreserved",
  "dotSegment",
  "doubleSlash",
  "hostSuffix",
  "userinfo",
  "evilPrefix",
  "schemeSwap",
  "leadingSpace",
  "trailingNul",
  "trailingPct00",
];

export interface Mutated {
  readonly ops: readonly MutationName[];
  /** Picks the character pctUnreserved encodes. */
  readonly k: number;
}

export function applyMutations(uri: string, m: Mutated): string {
  return m.ops.reduce((u, op) => MUTATIONS[op](u, m.k), uri);
}

/**
 * The mutations that change `uri` (as a string): an operator that leaves it identical (host case
 * on 127.0.0.1, path case on a path without letters) is no mutation of that URI, and expecting
 * the unchanged URI to be refused would be wrong.
 */
export function effectiveMutations(uri: string, names: readonly MutationName[] = CATALOGUE_MUTATIONS, k = 0): MutationName[] {
  return names.filter((op) => MUTATIONS[op](uri, k) !== uri);
}

/** The operators of `names` that leave `uri` unchanged (reported, never checked). */
export function identityMutations(uri: string, names: readonly MutationName[] = CATALOGUE_MUTATIONS, k = 0): MutationName[] {
  return names.filter((op) => MUTATIONS[op](uri, k) === uri);
}

/** A composition is a mutation of `uri` only when its result differs from every URI in `accepted`. */
export function isMutationOf(uri: string, m: Mutated, accepted: ReadonlySet<string> = new Set([uri])): boolean {
  const u = applyMutations(uri, m);
  return u !== uri && !accepted.has(u);
}

/** Random compositions of 1–4 operators. */
export function mutatedArb(names: readonly MutationName[] = MUTATION_NAMES): Arbitrary<Mutated> {
  return fc.record({ ops: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }), k: fc.nat({ max: 64 }) });
}
