/**
 * The 0-based first and last line of a top-level declaration (`name`) or of a method of a
 * top-level class (`Class.method`), found by its indentation: two spaces for members.
 */
export function declarationLines(lines: readonly string[], name: string, where: string): [number, number] {
  const [outer, member] = name.split(".") as [string, string | undefined];
  const decl = new RegExp(`^(?:export )?(?:async )?(?:function|const|let|class) ${outer}\\b`);
  let start = lines.findIndex((l) => decl.test(l));
  if (start === -1) throw new Error(`${where}: no top-level declaration named ${outer}`);
  let indent = "";
  if (member !== undefined) {
    const classEnd = lines.findIndex((l, i) => i > start && /^}/.test(l));
    const method = new RegExp(`^  (?:(?:private|protected|public|static|readonly|async) )*${member}\\(`);
    const at = lines.findIndex((l, i) => i > start && i < classEnd && method.test(l));
    if (at === -1) throw new Error(`${where}: no method ${member} in ${outer}`);
    start = at;
    indent = "  ";
  }
  let end = start;
  if (!/[;}]\s*$/.test(lines[start] ?? "")) {
    const closing = new RegExp(`^${indent}[}\\]]`);
    end = lines.findIndex((l, i) => i > start && closing.test(l));
    if (end === -1) throw new Error(`${where}: cannot find the end of ${name}`);
  }
  return [start, end];
}
