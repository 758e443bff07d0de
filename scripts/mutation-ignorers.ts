/**
 * Stryker ignorer plugins for `npm run mutation` (scripts/mutation.ts). Two
 * kinds of code in mock/ are left unmutated, each with a stated reason that
 * Stryker records on the ignored mutants:
 *
 * - pact-fault-switches: `faults.has("…")` calls, `&&` chains that contain one
 *   (false whatever their other operands while the fault is off) and branches
 *   taken only when such a call is true. The clean mock never switches a fault
 *   on, so these mutants would test the switch rather than the mock's
 *   behaviour; `npm run selfcheck` proves each switch instead.
 * - pact-error-descriptions: human-readable sentences passed to error
 *   constructors and helpers (error_description, refusal messages). RFC 6749
 *   §5.2 and RFC 6750 §3 make them optional free text; the error codes next to
 *   them are still mutated. A `cond ? "…" : "…"` argument whose branches are
 *   both such sentences is left out whole: its condition only picks the text.
 */

/** The part of a Babel AST node these ignorers read. */
interface AstNode {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The part of a Babel NodePath these ignorers read. */
interface AstPath {
  readonly node: AstNode;
  readonly parentPath: AstPath | null;
  readonly key: string | number | null;
  readonly listKey?: string | undefined;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

function child(node: AstNode, field: string): AstNode | undefined {
  const value = node[field];
  return isNode(value) ? value : undefined;
}

function isIdentifier(node: AstNode | undefined, name: string): boolean {
  return node?.type === "Identifier" && node.name === name;
}

const MEMBER = new Set(["MemberExpression", "OptionalMemberExpression"]);
const CALL = new Set(["CallExpression", "OptionalCallExpression"]);

/** `faults.has(…)`, `ctx.faults.has(…)`, `store.faults.has(…)`, `faults?.has(…)`. */
export function isFaultCall(node: AstNode | undefined): boolean {
  if (!node || !CALL.has(node.type)) return false;
  const callee = child(node, "callee");
  if (!callee || !MEMBER.has(callee.type) || !isIdentifier(child(callee, "property"), "has")) return false;
  const object = child(callee, "object");
  if (!object) return false;
  if (isIdentifier(object, "faults")) return true;
  return MEMBER.has(object.type) && isIdentifier(child(object, "property"), "faults");
}

/** The operands of an `&&` chain, left to right (a lone expression is a chain of one). */
function andOperands(node: AstNode): AstNode[] {
  if (node.type === "LogicalExpression" && node.operator === "&&") {
    const left = child(node, "left");
    const right = child(node, "right");
    return [...(left ? andOperands(left) : []), ...(right ? [right] : [])];
  }
  return [node];
}

/** True when `test` can only be truthy with a fault switched on. */
function needsFault(test: AstNode | undefined): boolean {
  return test !== undefined && andOperands(test).some(isFaultCall);
}

/** True when `path` is the branch of an `if` or `?:` taken only with a fault on. */
function faultOnlyBranch(path: AstPath): boolean {
  const parent = path.parentPath;
  if (!parent || path.key !== "consequent") return false;
  if (parent.node.type !== "IfStatement" && parent.node.type !== "ConditionalExpression") return false;
  return needsFault(child(parent.node, "test"));
}

export const faultSwitchIgnorer = {
  shouldIgnore(path: AstPath): string | undefined {
    if (isFaultCall(path.node)) return "fault switch: off in the clean mock (npm run selfcheck covers it)";
    if (path.node.type === "LogicalExpression" && path.node.operator === "&&" && needsFault(path.node)) return "an && with a fault switch is false in the clean mock (npm run selfcheck covers it)";
    if (faultOnlyBranch(path)) return "runs only with a fault switched on (npm run selfcheck covers it)";
    return undefined;
  },
};

/** Words separated by spaces and ending in punctuation, as opposed to codes (invalid_grant) or header values. */
function sentenceText(text: string): boolean {
  return /[A-Za-z]\S* +\S/.test(text) && /[.!?)]$/.test(text.trim());
}

function isSentence(node: AstNode): boolean {
  if (node.type === "StringLiteral") return typeof node.value === "string" && sentenceText(node.value);
  if (node.type === "TemplateLiteral") {
    const quasis = Array.isArray(node.quasis) ? (node.quasis as unknown[]) : [];
    const raw = (q: unknown): string => {
      const value = isNode(q) ? (q.value as { raw?: unknown } | undefined) : undefined;
      return typeof value?.raw === "string" ? value.raw : "";
    };
    return sentenceText(quasis.map(raw).join("x"));
  }
  return false;
}

/** A sentence, or `cond ? <description> : <description>` choosing between sentences. */
function isDescription(node: AstNode | undefined): boolean {
  if (!node) return false;
  if (node.type === "ConditionalExpression") return isDescription(child(node, "consequent")) && isDescription(child(node, "alternate"));
  return isSentence(node);
}

function isArgument(path: AstPath): boolean {
  const parent = path.parentPath;
  return parent !== null && path.listKey === "arguments" && (parent.node.type === "NewExpression" || CALL.has(parent.node.type));
}

export const errorDescriptionIgnorer = {
  shouldIgnore(path: AstPath): string | undefined {
    // `reason === "missing" ? "…" : "…"` as an argument: the condition only picks which sentence.
    if (path.node.type === "ConditionalExpression" && isDescription(path.node) && isArgument(path)) return "chooses between human-readable descriptions: free text no requirement constrains";
    if (!isSentence(path.node)) return undefined;
    let current: AstPath = path;
    // A sentence chosen by `cond ? "…" : "…"` is still the argument's text.
    while (current.parentPath?.node.type === "ConditionalExpression" && current.key !== "test") current = current.parentPath;
    const parent = current.parentPath;
    if (!parent || current.listKey !== "arguments") return undefined;
    if (parent.node.type === "NewExpression" || CALL.has(parent.node.type)) return "human-readable description: free text no requirement constrains";
    return undefined;
  },
};

/** Read by Stryker's plugin loader (a value plugin of kind "Ignore" each). */
export const strykerPlugins = [
  { kind: "Ignore", name: "pact-fault-switches", value: faultSwitchIgnorer },
  { kind: "Ignore", name: "pact-error-descriptions", value: errorDescriptionIgnorer },
];
