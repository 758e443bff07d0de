/**
 * WWW-Authenticate parsing per RFC 9110 §11.6.1 and §11.2:
 *   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param = token BWS "=" BWS ( token / quoted-string )
 * Several challenges may share one field value, separated by commas.
 */
export interface Challenge {
  /** As sent; compare with `schemeIs` (scheme names are case-insensitive, §11.1). */
  readonly scheme: string;
  /** Parameter names lower-cased (§11.2: case-insensitive); values unquoted. */
  readonly params: Readonly<Record<string, string>>;
  readonly token68?: string;
  /** Parameter names sent more than once (§11.2: each MUST NOT occur more than once). */
  readonly duplicates: readonly string[];
}

export class WwwAuthenticateSyntaxError extends Error {
  constructor(message: string, readonly input: string) {
    super(`WWW-Authenticate: ${message}`);
    this.name = "WwwAuthenticateSyntaxError";
  }
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

export function schemeIs(challenge: Challenge, scheme: string): boolean {
  return challenge.scheme.toLowerCase() === scheme.toLowerCase();
}

/** Parses one or more field values (repeated header lines are joined by commas, RFC 9110 §5.3). */
export function parseWwwAuthenticate(values: string | readonly string[]): Challenge[] {
  const input = typeof values === "string" ? values : values.join(", ");
  let i = 0;
  const n = input.length;
  const fail = (msg: string): never => {
    throw new WwwAuthenticateSyntaxError(`${msg} at offset ${i}`, input);
  };
  const skipOws = (): void => {
    while (i < n && (input[i] === " " || input[i] === "\t")) i++;
  };
  const skipCommas = (): void => {
    for (;;) {
      skipOws();
      if (input[i] === ",") i++;
      else break;
    }
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TCHAR.test(input[i] as string)) i++;
    return input.slice(start, i);
  };
  const readQuoted = (): string => {
    // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4)
    i++;
    let out = "";
    while (i < n) {
      const c = input[i] as string;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        if (i + 1 >= n) fail("dangling backslash in quoted-string");
        out += input[i + 1];
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    return fail("unterminated quoted-string");
  };

  const challenges: Challenge[] = [];
  skipCommas();
  while (i < n) {
    const scheme = readToken();
    if (!scheme) fail("expected an auth-scheme");
    const params: Record<string, string> = {};
    const duplicates: string[] = [];
    let token68: string | undefined;
    const afterScheme = i;
    skipOws();
    if (i > afterScheme && i < n && input[i] !== ",") {
      // token68 or the first auth-param
      const mark = i;
      const name = readToken();
      let j = i;
      while (j < n && (input[j] === " " || input[j] === "\t")) j++;
      if (name && input[j] === "=" && input[j + 1] !== "=" && !(j + 1 >= n || /[,\s]/.test(input[j + 1] ?? "") && isToken68End(input, j))) {
        i = mark;
        parseParams(params, duplicates);
      } else {
        i = mark;
        const start = i;
        while (i < n && TOKEN68_CHAR.test(input[i] as string)) i++;
        while (i < n && input[i] === "=") i++;
        token68 = input.slice(start, i);
        if (!token68) fail("expected token68 or auth-param");
        skipOws();
      }
    }
    challenges.push(token68 === undefined ? { scheme, params, duplicates } : { scheme, params, token68, duplicates });
    skipCommas();
  }
  return challenges;

  function parseParams(params: Record<string, string>, duplicates: string[]): void {
    for (;;) {
      skipOws();
      const save = i;
      const name = readToken();
      if (!name) {
        i = save;
        return;
      }
      skipOws();
      if (input[i] !== "=") {
        // the next challenge's scheme: rewind
        i = save;
        return;
      }
      i++;
      skipOws();
      const value = input[i] === '"' ? readQuoted() : readToken();
      const key = name.toLowerCase();
      if (key in params) duplicates.push(key);
      else params[key] = value;
      skipOws();
      if (input[i] === ",") {
        i++;
        skipOws();
        // a following "scheme param=" starts a new challenge; detect "token SP token =" shape
        const look = i;
        const t = readToken();
        const afterT = i;
        skipOws();
        const isNewChallenge = t.length > 0 && i > afterT && input[i] !== "=" && i < n;
        i = look;
        if (isNewChallenge || i >= n) return;
        continue;
      }
      return;
    }
  }
}

/** `Basic abc=` — a run of "=" that ends the value marks token68 padding, not an auth-param. */
function isToken68End(input: string, eqIndex: number): boolean {
  let k = eqIndex;
  while (input[k] === "=") k++;
  while (input[k] === " " || input[k] === "\t") k++;
  return k >= input.length || input[k] === ",";
}

/** The first challenge of a given scheme, or undefined. */
export function findChallenge(challenges: readonly Challenge[], scheme: string): Challenge | undefined {
  return challenges.find((c) => schemeIs(c, scheme));
}
