/** A piece of a requirement's source line, linked when it cites an RFC section. */
export interface SourcePart {
  readonly text: string;
  readonly href?: string;
}

const TOKEN = /RFC ?(\d{3,5})|§ ?(\d+(?:\.\d+)*)|Appendix ([A-Z](?:\.\d+)*)|([()])/g;

/**
 * Splits a catalogue source ("RFC 6749 §2.2, §2.3.1; RFC 7636 §4.1") into parts, linking each
 * RFC to https://www.rfc-editor.org/rfc/rfcNNNN and each § to its #section-X.Y (a bare § binds
 * to the RFC last named before it at the same parenthesis depth; DOC-… sources stay text).
 */
export function linkSource(source: string): SourcePart[] {
  const parts: SourcePart[] = [];
  let rfc: string | null = null;
  const outer: Array<string | null> = [];
  let last = 0;
  for (const m of source.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: source.slice(last, at) });
    if (m[4] !== undefined) {
      if (m[4] === "(") outer.push(rfc);
      else if (outer.length) rfc = outer.pop() ?? null;
      parts.push({ text: m[0] });
    } else if (m[1] !== undefined) {
      rfc = m[1];
      parts.push({ text: m[0], href: `https://www.rfc-editor.org/rfc/rfc${rfc}` });
    } else if (rfc !== null && m[2] !== undefined) {
      parts.push({ text: m[0], href: `https://www.rfc-editor.org/rfc/rfc${rfc}#section-${m[2]}` });
    } else if (rfc !== null && m[3] !== undefined) {
      parts.push({ text: m[0], href: `https://www.rfc-editor.org/rfc/rfc${rfc}#appendix-${m[3]}` });
    } else {
      parts.push({ text: m[0] });
    }
    last = at + m[0].length;
  }
  if (last < source.length) parts.push({ text: source.slice(last) });
  return parts;
}
