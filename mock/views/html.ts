/** Minimal HTML templating with escaping by default (RFC 6749 §10.14: reflected input is never unescaped). */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** Markup that is already safe; only `html` and `raw` produce it. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function raw(value: string): SafeHtml {
  return new SafeHtml(value);
}

type Interpolation = string | number | SafeHtml | ReadonlyArray<SafeHtml> | null | undefined | false;

/** Tagged template: every interpolated string is escaped; SafeHtml and arrays of it are inserted as is. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    if (v instanceof SafeHtml) out += v.value;
    else if (Array.isArray(v)) out += v.map((x) => x.value).join("");
    else if (v === null || v === undefined || v === false) out += "";
    else out += escapeHtml(String(v));
    out += strings[i + 1] ?? "";
  });
  return new SafeHtml(out);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:44rem;margin:3rem auto;background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:2rem}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input[type=text],input[type=email],input[type=password],input[type=url],textarea,select{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #b8c0cc;border-radius:4px;font:inherit}
button{font:inherit;padding:.5rem 1.1rem;border-radius:4px;border:1px solid #34495e;background:#34495e;color:#fff;cursor:pointer;margin:.8rem .4rem 0 0}
button.secondary{background:#fff;color:#34495e}.error{color:#a4161a;background:#fde8e8;padding:.6rem;border-radius:4px}
.secret{font-family:ui-monospace,monospace;background:#fff7d6;padding:.6rem;border-radius:4px;word-break:break-all}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #e5e8ec}
nav a,nav [role=tab]{margin-right:1rem}code{font-family:ui-monospace,monospace}fieldset{min-width:0}
main:has(> .console){max-width:72rem}
.console td,.console th{vertical-align:top;overflow-wrap:break-word}.console code.uri{overflow-wrap:anywhere}
.console td form{display:inline}.console td button{margin:.2rem .4rem .2rem 0}.console td ul{margin:0;padding-left:1.1rem}
@media (max-width:40rem){
main{margin:0;border:0;border-radius:0;padding:1rem}
.console table,.console tbody,.console tr,.console td{display:block}
.console thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.console tr{border-bottom:1px solid #e5e8ec;padding:.5rem 0}.console td{border:0;padding:.15rem 0}
.console td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
}
`;

/** A full page. Inline style only: no third-party resources (CONSENT-06). */
export function page(title: string, body: SafeHtml): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Pact</title><style>${STYLE}</style></head>
<body><main>${body.value}</main></body></html>`;
}

/**
 * Headers for every HTML page: anti-framing, referrer protection and a CSP
 * that allows only this origin's inline style (RFC 9700 §4.16, §4.2.4; CONSENT-06).
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "X-Frame-Options": "DENY",
  // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on our own form POSTs
  // (Fetch, "serializing a request origin"), which the CSRF check must refuse.
  "Referrer-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};
