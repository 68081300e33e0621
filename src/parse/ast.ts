// A small, tree-sitter-independent Python syntax tree: just the shapes the
// extractor interprets. Built by syntax.ts (the only code that knows
// tree-sitter node types) and discarded once a Migration has been extracted.

/**
 * JS string offsets (UTF-16 code units) into the BOM-stripped source. Lines and
 * columns are computed from them only where the model needs them (LineIndex).
 */
export interface Span {
  start: number;
  end: number;
}

export type Expr =
  | { k: "name"; id: string; span: Span }
  | { k: "attr"; obj: Expr; attr: string; span: Span }
  | { k: "call"; fn: Expr; args: Expr[]; kwargs: Keyword[]; starred: boolean; span: Span }
  | { k: "str"; value: string; span: Span }
  | { k: "fstr"; span: Span }
  | { k: "num"; value: number; span: Span }
  | { k: "const"; value: boolean | null; span: Span }
  | { k: "list"; items: Expr[]; tuple: boolean; span: Span }
  | { k: "dict"; entries: { key: Expr | null; value: Expr }[]; span: Span }
  | { k: "binop"; op: string; left: Expr; right: Expr; span: Span }
  | { k: "unary"; op: string; operand: Expr; span: Span }
  | { k: "compare"; ops: string[]; operands: Expr[]; span: Span }
  | { k: "boolop"; op: "and" | "or"; left: Expr; right: Expr; span: Span }
  | { k: "not"; operand: Expr; span: Span }
  | { k: "subscript"; value: Expr; index: Expr[]; span: Span }
  /** `*value` in a call's arguments. */
  | { k: "starred"; value: Expr; span: Span }
  | { k: "other"; span: Span; children: Expr[] };

export interface Keyword {
  /** null for `**kwargs` splats. */
  name: string | null;
  value: Expr;
}

export interface Param {
  name: string;
  default: Expr | null;
  kind: "normal" | "args" | "kwargs";
}

export type Stmt =
  | { k: "expr"; expr: Expr; span: Span }
  | { k: "assign"; targets: Expr[]; value: Expr | null; annotated: boolean; span: Span }
  | { k: "augassign"; target: Expr; value: Expr; span: Span }
  | { k: "global"; names: string[]; span: Span }
  | { k: "if"; cond: Expr; body: Stmt[]; orelse: Stmt[]; span: Span }
  | { k: "for"; target: Expr; iter: Expr; body: Stmt[]; orelse: Stmt[]; span: Span }
  | { k: "while"; cond: Expr; body: Stmt[]; span: Span }
  | { k: "with"; items: { expr: Expr; alias: string | null }[]; body: Stmt[]; span: Span }
  | { k: "try"; body: Stmt[]; handlers: Stmt[][]; orelse: Stmt[]; finalbody: Stmt[]; span: Span }
  | { k: "return"; value: Expr | null; span: Span }
  | { k: "raise"; value: Expr | null; span: Span }
  | { k: "pass"; span: Span }
  | { k: "def"; name: string; params: Param[]; body: Stmt[]; span: Span; nameSpan: Span }
  | { k: "import"; names: { module: string; name: string | null; alias: string }[]; span: Span }
  | { k: "other"; span: Span; exprs: Expr[] };

/** The statement lists nested in a compound statement run by the same function (a `def`'s body is not). */
export function childBlocks(s: Stmt): Stmt[][] {
  switch (s.k) {
    case "if":
    case "for":
      return [s.body, s.orelse];
    case "while":
    case "with":
      return [s.body];
    case "try":
      return [s.body, ...s.handlers, s.orelse, s.finalbody];
    default:
      return [];
  }
}

export interface Comment {
  line: number;
  column: number;
  text: string;
}

export interface SyntaxError_ {
  line: number;
  column: number;
  message: string;
}

export interface ParsedModule {
  body: Stmt[];
  comments: Comment[];
  /** First ERROR/MISSING node, if any. */
  error: SyntaxError_ | null;
  /** Spans of ERROR regions: nothing inside them produces findings. */
  errorRegions: Span[];
  source: string;
}
