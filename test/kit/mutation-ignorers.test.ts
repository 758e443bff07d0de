import { test } from "node:test";
import assert from "node:assert/strict";
import { errorDescriptionIgnorer, faultSwitchIgnorer } from "../../scripts/mutation-ignorers.ts";

/** Just enough of Babel's AST and NodePath to drive the ignorers. */
interface Node {
  readonly type: string;
  readonly [field: string]: unknown;
}
interface Path {
  readonly node: Node;
  readonly parentPath: Path | null;
  readonly key: string | number | null;
  readonly listKey?: string;
}

const str = (value: string): Node => ({ type: "StringLiteral", value });
const id = (name: string): Node => ({ type: "Identifier", name });
const member = (object: Node, property: string): Node => ({ type: "MemberExpression", object, property: id(property) });
const call = (callee: Node, args: Node[]): Node => ({ type: "CallExpression", callee, arguments: args });
const cond = (test: Node, consequent: Node, alternate: Node): Node => ({ type: "ConditionalExpression", test, consequent, alternate });
const eq = (left: Node, right: Node): Node => ({ type: "BinaryExpression", operator: "===", left, right });

/** The path of every node under `root`, keyed by the node. */
function paths(root: Node): Map<Node, Path> {
  const out = new Map<Node, Path>();
  const walk = (node: Node, parentPath: Path | null, key: string | number | null, listKey?: string): void => {
    const path: Path = listKey === undefined ? { node, parentPath, key } : { node, parentPath, key, listKey };
    out.set(node, path);
    for (const [field, value] of Object.entries(node)) {
      if (Array.isArray(value)) value.forEach((v: Node, i) => walk(v, path, i, field));
      else if (typeof value === "object" && value !== null && "type" in value) walk(value as Node, path, field);
    }
  };
  walk(root, null, null);
  return out;
}

test("a ternary choosing between two sentences as an error argument is a description choice", () => {
  const reason = eq(member(id("requested"), "reason"), str("missing"));
  const choice = cond(reason, str("scope is required; there is no default scope."), str("scope is malformed."));
  const ps = paths({ type: "NewExpression", callee: id("TokenEndpointError"), arguments: [str("invalid_scope"), choice] });
  assert.match(errorDescriptionIgnorer.shouldIgnore(ps.get(choice) as Path) ?? "", /description/);
  // The error code beside it is still mutated.
  const code = [...ps.keys()].find((n) => n.type === "StringLiteral" && n.value === "invalid_scope") as Node;
  assert.equal(errorDescriptionIgnorer.shouldIgnore(ps.get(code) as Path), undefined);
});

test("a ternary choosing between error codes is mutated", () => {
  const choice = cond(id("expired"), str("invalid_grant"), str("invalid_request"));
  const ps = paths(call(id("fail"), [choice, str("The code is not valid.")]));
  assert.equal(errorDescriptionIgnorer.shouldIgnore(ps.get(choice) as Path), undefined);
});

test("a ternary of sentences that is not an argument (a value kept for later) is mutated", () => {
  const choice = cond(id("x"), str("First sentence here."), str("Second sentence here."));
  const ps = paths({ type: "VariableDeclarator", id: id("text"), init: choice });
  assert.equal(errorDescriptionIgnorer.shouldIgnore(ps.get(choice) as Path), undefined);
});

test("fault switches and the && chains and branches that need them are left to the self-check", () => {
  const has = call(member(member(id("ctx"), "faults"), "has"), [str("token-expires-7200")]);
  const chain: Node = { type: "LogicalExpression", operator: "&&", left: id("a"), right: has };
  const branch: Node = { type: "BlockStatement", body: [] };
  const ps = paths({ type: "IfStatement", test: chain, consequent: branch, alternate: null });
  assert.ok(faultSwitchIgnorer.shouldIgnore(ps.get(has) as Path));
  assert.ok(faultSwitchIgnorer.shouldIgnore(ps.get(chain) as Path));
  assert.ok(faultSwitchIgnorer.shouldIgnore(ps.get(branch) as Path));
  const plain = paths({ type: "IfStatement", test: id("a"), consequent: { type: "BlockStatement", body: [] }, alternate: null });
  for (const p of plain.values()) assert.equal(faultSwitchIgnorer.shouldIgnore(p), undefined);
});
