// tree-sitter → ast.ts. The only module that knows tree-sitter node types.
// Trees live in WASM memory: each is deleted in a `finally` right after conversion.
import { createRequire } from "node:module";
import type { Node as TSNode, Parser as TSParser } from "web-tree-sitter";
import type { Comment, Expr, Keyword, Param, ParsedModule, Span, Stmt } from "./ast.js";
import { decode, readExpression, Unsupported } from "./fastexpr.js";
import { textComments } from "./comments.js";
import { LineIndex } from "./lines.js";
import { indentationError } from "./indentation.js";

let parserPromise: Promise<TSParser> | null = null;

/** Loads the WASM runtime and the Python grammar once per thread. */
export function loadParser(): Promise<TSParser> {
  parserPromise ??= (async () => {
    const { Parser, Language } = await import("web-tree-sitter");
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve("tree-sitter-python/tree-sitter-python.wasm"));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/**
 * Prepares source text as Python reads it: a leading BOM is dropped (it would shift
 * row-0 columns) and a lone CR becomes LF (same length, so offsets are unchanged).
 */
export function normalizeSource(text: string): string {
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return noBom.includes("\r") ? noBom.replace(/\r(?!\n)/g, "\n") : noBom;
}

export async function parsePython(source: string): Promise<ParsedModule> {
  const parser = await loadParser();
  return parseWith(parser, source);
}

/** `fastExpressions: false` converts every node and comment from the tree (the reference reading). */
export function parseWith(parser: TSParser, source: string, opts: { fastExpressions?: boolean } = {}): ParsedModule {
  const tree = parser.parse(source);
  if (!tree) throw new Error("tree-sitter returned no tree");
  try {
    const converter = new Converter(source, opts.fastExpressions ?? true);
    const root = tree.rootNode;
    const body = converter.block(root);
    if (source.includes("#")) {
      // Comments from the text when the file is clean (a WASM-side search of the tree
      // cost ~4% of a lint); test/header.test.ts checks both give the same list.
      const fromText = root.hasError || opts.fastExpressions === false ? null : textComments(source, new LineIndex(source));
      if (fromText) converter.comments = fromText;
      else for (const c of root.descendantsOfType("comment")) if (c) converter.comment(c);
    }
    let error = converter.python2Error;
    if (root.hasError) {
      error = converter.firstError(root);
      for (const e of root.descendantsOfType("ERROR")) if (e) converter.errorRegions.push(converter.span(e));
    }
    // The grammar accepts what Python's indentation rules reject (indentation.ts): from
    // the offending line on, the tree's block structure is not Python's.
    const indentation = error ? null : indentationError(source);
    if (indentation) {
      const at = new LineIndex(source).position(indentation.start);
      error = { line: at.line, column: at.column, message: `invalid Python syntax: ${indentation.message}` };
      converter.errorRegions.push({ start: indentation.start - (at.column - 1), end: source.length });
    }
    return { body, comments: converter.comments, error, errorRegions: converter.errorRegions, source };
  } finally {
    tree.delete();
  }
}

const MAX_DEPTH = 400;

class Converter {
  comments: Comment[] = [];
  errorRegions: Span[] = [];
  /** The first Python 2-only construct, a syntax error for Python 3. */
  python2Error: { line: number; column: number; message: string } | null = null;
  private depth = 0;
  private inExpr = false;
  constructor(private readonly source: string, private readonly fast = true) {}

  span(n: TSNode): Span {
    return { start: n.startIndex, end: n.endIndex };
  }

  text(n: TSNode): string {
    return this.source.slice(n.startIndex, n.endIndex);
  }

  python2(n: TSNode, what: string): void {
    this.errorRegions.push(this.span(n));
    if (this.python2Error) return;
    const p = n.startPosition;
    this.python2Error = { line: p.row + 1, column: p.column + 1, message: `invalid Python syntax: ${what}` };
  }

  firstError(root: TSNode): { line: number; column: number; message: string } | null {
    let node: TSNode | null = root;
    // Descend into the first child that contains an error until the error node itself.
    for (let guard = 0; node && guard < 100000; guard++) {
      if (node.isError || node.isMissing) {
        const p = node.startPosition;
        const what = node.isMissing ? `missing ${JSON.stringify(node.type)}` : unexpectedText(this.text(node));
        return { line: p.row + 1, column: p.column + 1, message: `invalid Python syntax: ${what}` };
      }
      let next: TSNode | null = null;
      for (const c of node.children) {
        if (c && (c.hasError || c.isError || c.isMissing)) {
          next = c;
          break;
        }
      }
      node = next;
    }
    return { line: 1, column: 1, message: "invalid Python syntax" };
  }

  /** Statements of a module or block node. */
  block(n: TSNode | null): Stmt[] {
    if (!n) return [];
    const out: Stmt[] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === "comment" || c.type === "ERROR") continue;
      const s = this.stmt(c);
      if (s) out.push(s);
    }
    return out;
  }

  comment(c: TSNode): void {
    const p = c.startPosition;
    this.comments.push({ line: p.row + 1, column: p.column + 1, text: this.text(c).replace(/\r$/, "") });
  }

  private stmt(n: TSNode): Stmt | null {
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      return { k: "other", span: this.span(n), exprs: [] };
    }
    try {
      return this.stmtInner(n);
    } finally {
      this.depth--;
    }
  }

  private stmtInner(n: TSNode): Stmt | null {
    const span = this.span(n);
    switch (n.type) {
      case "expression_statement": {
        const inner = n.namedChildren.filter((c): c is TSNode => !!c && c.type !== "comment");
        const first = inner[0];
        if (!first) return { k: "other", span, exprs: [] };
        if (first.type === "assignment" || first.type === "augmented_assignment") return this.assignment(first, span);
        if (inner.length === 1) return { k: "expr", expr: this.expr(first), span };
        return { k: "expr", expr: { k: "list", items: inner.map((c) => this.expr(c)), tuple: true, span }, span };
      }
      case "function_definition":
        return this.funcDef(n, span);
      case "decorated_definition": {
        const def = n.childForFieldName("definition");
        return def ? this.stmt(def) : null;
      }
      case "if_statement":
        return this.ifStmt(n, span);
      case "for_statement":
        return {
          k: "for",
          target: this.exprOrOther(n.childForFieldName("left"), span),
          iter: this.exprOrOther(n.childForFieldName("right"), span),
          body: this.block(n.childForFieldName("body")),
          orelse: this.block(n.childForFieldName("alternative")?.childForFieldName("body") ?? null),
          span,
        };
      case "while_statement":
        return {
          k: "while",
          cond: this.exprOrOther(n.childForFieldName("condition"), span),
          body: this.block(n.childForFieldName("body")),
          span,
        };
      case "with_statement":
        return this.withStmt(n, span);
      case "try_statement":
        return this.tryStmt(n, span);
      case "return_statement": {
        const v = n.namedChildren.find((c) => c && c.type !== "comment") ?? null;
        return { k: "return", value: v ? this.expr(v) : null, span };
      }
      case "raise_statement": {
        const v = n.namedChildren.find((c) => c && c.type !== "comment") ?? null;
        return { k: "raise", value: v ? this.expr(v) : null, span };
      }
      case "pass_statement":
        return { k: "pass", span };
      case "import_statement":
      case "import_from_statement":
      case "future_import_statement":
        return this.importStmt(n, span);
      case "class_definition":
        return { k: "other", span, exprs: [] };
      case "print_statement":
      case "exec_statement":
        // Python 2 statements tree-sitter's grammar still accepts; Python 3 (and Alembic) reject them.
        this.python2(n, `Python 2 ${n.type === "print_statement" ? "print" : "exec"} statement (Python 3 needs ${n.type === "print_statement" ? "print(...)" : "exec(...)"})`);
        return { k: "other", span, exprs: [] };
      case "global_statement":
      case "nonlocal_statement":
        return { k: "global", names: n.namedChildren.filter((c): c is TSNode => !!c && c.type === "identifier").map((c) => this.text(c)), span };
      default: {
        const exprs: Expr[] = [];
        for (const c of n.namedChildren) if (c && isExpressionType(c.type)) exprs.push(this.expr(c));
        return { k: "other", span, exprs };
      }
    }
  }

  private assignment(n: TSNode, span: Span): Stmt {
    const left = n.childForFieldName("left");
    const right = n.childForFieldName("right");
    const annotated = !!n.childForFieldName("type");
    const targets: Expr[] = [];
    if (left) targets.push(this.expr(left));
    let value: Expr | null = null;
    let r = right;
    // Chained `a = b = 1`: the right side is another assignment.
    while (r && r.type === "assignment") {
      const l2 = r.childForFieldName("left");
      if (l2) targets.push(this.expr(l2));
      r = r.childForFieldName("right");
    }
    if (r) value = this.expr(r);
    if (n.type === "augmented_assignment") {
      return { k: "augassign", target: targets[0] ?? { k: "other", span, children: [] }, value: value ?? { k: "other", span, children: [] }, span };
    }
    return { k: "assign", targets, value, annotated, span };
  }

  private funcDef(n: TSNode, span: Span): Stmt {
    const nameNode = n.childForFieldName("name");
    const params: Param[] = [];
    const ps = n.childForFieldName("parameters");
    for (const p of ps?.namedChildren ?? []) {
      if (!p) continue;
      switch (p.type) {
        case "identifier":
          params.push({ name: this.text(p), default: null, kind: "normal" });
          break;
        case "typed_parameter": {
          const id = p.namedChildren.find((c) => c?.type === "identifier");
          const splat = p.namedChildren.find((c) => c?.type === "list_splat_pattern" || c?.type === "dictionary_splat_pattern");
          if (id) params.push({ name: this.text(id), default: null, kind: "normal" });
          else if (splat) params.push({ name: this.text(splat).replace(/^\*+/, ""), default: null, kind: splat.type === "list_splat_pattern" ? "args" : "kwargs" });
          break;
        }
        case "default_parameter":
        case "typed_default_parameter": {
          const nm = p.childForFieldName("name");
          const v = p.childForFieldName("value");
          if (nm) params.push({ name: this.text(nm), default: v ? this.expr(v) : null, kind: "normal" });
          break;
        }
        case "list_splat_pattern":
          params.push({ name: this.text(p).replace(/^\*/, ""), default: null, kind: "args" });
          break;
        case "dictionary_splat_pattern":
          params.push({ name: this.text(p).replace(/^\*\*/, ""), default: null, kind: "kwargs" });
          break;
        default:
          break;
      }
    }
    return {
      k: "def",
      name: nameNode ? this.text(nameNode) : "",
      params,
      body: this.block(n.childForFieldName("body")),
      span,
      nameSpan: nameNode ? this.span(nameNode) : span,
    };
  }

  private ifStmt(n: TSNode, span: Span): Stmt {
    const cond = this.exprOrOther(n.childForFieldName("condition"), span);
    const body = this.block(n.childForFieldName("consequence"));
    const alternatives = n.childrenForFieldName("alternative").filter((c): c is TSNode => !!c);
    // Fold `elif` chains into nested ifs, innermost last.
    let orelse: Stmt[] = [];
    for (let i = alternatives.length - 1; i >= 0; i--) {
      const alt = alternatives[i]!;
      if (alt.type === "else_clause") {
        orelse = this.block(alt.childForFieldName("body"));
      } else {
        orelse = [
          {
            k: "if",
            cond: this.exprOrOther(alt.childForFieldName("condition"), span),
            body: this.block(alt.childForFieldName("consequence")),
            orelse,
            span: this.span(alt),
          },
        ];
      }
    }
    return { k: "if", cond, body, orelse, span };
  }

  private withStmt(n: TSNode, span: Span): Stmt {
    const items: { expr: Expr; alias: string | null }[] = [];
    const clause = n.namedChildren.find((c) => c?.type === "with_clause");
    for (const item of clause?.namedChildren ?? []) {
      if (!item || item.type !== "with_item") continue;
      let value = item.childForFieldName("value");
      if (!value) continue;
      // `with (x as y):` (one item in parentheses, Python 3.10) is a parenthesized as-pattern.
      const inParens = value.type === "parenthesized_expression" && value.namedChildCount === 1 ? value.namedChildren[0] : null;
      if (inParens?.type === "as_pattern") value = inParens;
      if (value.type === "as_pattern") {
        const inner = value.namedChildren[0];
        const target = value.childForFieldName("alias");
        const id = target?.namedChildren[0] ?? target;
        items.push({ expr: this.exprOrOther(inner ?? null, span), alias: id && id.type === "identifier" ? this.text(id) : null });
      } else {
        items.push({ expr: this.expr(value), alias: null });
      }
    }
    return { k: "with", items, body: this.block(n.childForFieldName("body")), span };
  }

  private tryStmt(n: TSNode, span: Span): Stmt {
    const handlers: Stmt[][] = [];
    let orelse: Stmt[] = [];
    let finalbody: Stmt[] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === "except_clause" || c.type === "except_group_clause") {
        // `except Exception, e:` (Python 2): a comma right after the exception type.
        if (c.children.some((x) => x?.type === ",")) this.python2(c, "Python 2 except clause (Python 3 needs `except Exception as e:`)");
        const blk = c.namedChildren.find((x) => x?.type === "block") ?? null;
        handlers.push(this.block(blk));
      } else if (c.type === "else_clause") {
        orelse = this.block(c.childForFieldName("body"));
      } else if (c.type === "finally_clause") {
        finalbody = this.block(c.namedChildren.find((x) => x?.type === "block") ?? null);
      }
    }
    return { k: "try", body: this.block(n.childForFieldName("body")), handlers, orelse, finalbody, span };
  }

  private importStmt(n: TSNode, span: Span): Stmt {
    const names: { module: string; name: string | null; alias: string }[] = [];
    if (n.type === "import_statement") {
      for (const c of n.childrenForFieldName("name")) {
        if (!c) continue;
        if (c.type === "aliased_import") {
          const mod = this.text(c.childForFieldName("name")!);
          names.push({ module: mod, name: null, alias: this.text(c.childForFieldName("alias")!) });
        } else {
          const mod = this.text(c);
          // `import a.b` binds `a`.
          names.push({ module: mod.split(".")[0]!, name: null, alias: mod.split(".")[0]! });
        }
      }
    } else {
      const modNode = n.childForFieldName("module_name");
      const module = modNode ? this.text(modNode) : "__future__";
      for (const c of n.childrenForFieldName("name")) {
        if (!c) continue;
        if (c.type === "aliased_import") {
          names.push({ module, name: this.text(c.childForFieldName("name")!), alias: this.text(c.childForFieldName("alias")!) });
        } else {
          const nm = this.text(c);
          names.push({ module, name: nm, alias: nm });
        }
      }
    }
    return { k: "import", names, span };
  }

  private exprOrOther(n: TSNode | null, span: Span): Expr {
    return n ? this.expr(n) : { k: "other", span, children: [] };
  }

  expr(n: TSNode): Expr {
    // Outermost expressions are read from the text by the fast reader when the tree
    // has no error there; inner ones (and anything the reader declines) come from the tree.
    if (this.fast && !this.inExpr && !n.hasError) {
      try {
        return readExpression(this.source, n.startIndex, n.endIndex);
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
      }
    }
    const outer = !this.inExpr;
    this.inExpr = true;
    try {
      return this.exprDepth(n);
    } finally {
      if (outer) this.inExpr = false;
    }
  }

  private exprDepth(n: TSNode): Expr {
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      return { k: "other", span: this.span(n), children: [] };
    }
    try {
      return this.exprInner(n);
    } finally {
      this.depth--;
    }
  }

  private exprInner(n: TSNode): Expr {
    const span = this.span(n);
    switch (n.type) {
      case "identifier":
        return { k: "name", id: this.text(n), span };
      case "attribute": {
        const obj = n.childForFieldName("object");
        const attr = n.childForFieldName("attribute");
        return { k: "attr", obj: this.exprOrOther(obj, span), attr: attr ? this.text(attr) : "", span };
      }
      case "call": {
        const fn = this.exprOrOther(n.childForFieldName("function"), span);
        const argList = n.childForFieldName("arguments");
        const args: Expr[] = [];
        const kwargs: Keyword[] = [];
        let starred = false;
        if (argList?.type === "generator_expression") {
          args.push(this.expr(argList));
        } else {
          for (const a of argList?.namedChildren ?? []) {
            if (!a) continue;
            if (a.type === "comment") {
              continue;
            } else if (a.type === "keyword_argument") {
              const nm = a.childForFieldName("name");
              const v = a.childForFieldName("value");
              kwargs.push({ name: nm ? this.text(nm) : "", value: this.exprOrOther(v, span) });
            } else if (a.type === "dictionary_splat") {
              starred = true;
              kwargs.push({ name: null, value: this.exprOrOther(a.namedChildren[0] ?? null, span) });
            } else if (a.type === "list_splat") {
              starred = true;
              args.push({ k: "starred", span: this.span(a), value: this.exprOrOther(a.namedChildren[0] ?? null, span) });
            } else if (a.type === "ERROR") {
              continue;
            } else {
              args.push(this.expr(a));
            }
          }
        }
        return { k: "call", fn, args, kwargs, starred, span };
      }
      case "string":
        return this.string(n, span);
      case "concatenated_string": {
        let value = "";
        for (const part of n.namedChildren) {
          if (!part || part.type !== "string") continue;
          const s = this.string(part, this.span(part));
          if (s.k !== "str") return { k: "fstr", span };
          value += s.value;
        }
        return { k: "str", value, span };
      }
      case "integer": {
        const t = this.text(n).replace(/_/g, "").replace(/[lL]$/, "");
        const v = /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : /^0[oO]/.test(t) ? parseInt(t.slice(2), 8) : /^0[bB]/.test(t) ? parseInt(t.slice(2), 2) : Number(t);
        return Number.isFinite(v) ? { k: "num", value: v, span } : { k: "other", span, children: [] };
      }
      case "float": {
        const v = Number(this.text(n).replace(/_/g, ""));
        return Number.isFinite(v) ? { k: "num", value: v, span } : { k: "other", span, children: [] };
      }
      case "true":
        return { k: "const", value: true, span };
      case "false":
        return { k: "const", value: false, span };
      case "none":
        return { k: "const", value: null, span };
      case "list":
      case "tuple":
      case "expression_list":
      case "pattern_list":
      case "tuple_pattern":
      case "list_pattern":
      case "set": {
        const items = n.namedChildren.filter((c): c is TSNode => !!c && c.type !== "comment").map((c) => this.expr(c));
        return { k: "list", items, tuple: n.type !== "list", span };
      }
      case "parenthesized_expression": {
        const inner = n.namedChildren.find((c) => c && c.type !== "comment");
        return inner ? this.expr(inner) : { k: "other", span, children: [] };
      }
      case "dictionary": {
        const entries: { key: Expr | null; value: Expr }[] = [];
        for (const p of n.namedChildren) {
          if (!p) continue;
          if (p.type === "pair") {
            entries.push({ key: this.exprOrOther(p.childForFieldName("key"), span), value: this.exprOrOther(p.childForFieldName("value"), span) });
          } else if (p.type === "dictionary_splat") {
            entries.push({ key: null, value: this.exprOrOther(p.namedChildren[0] ?? null, span) });
          }
        }
        return { k: "dict", entries, span };
      }
      case "binary_operator": {
        const op = n.childForFieldName("operator");
        return {
          k: "binop",
          op: op ? this.text(op) : "?",
          left: this.exprOrOther(n.childForFieldName("left"), span),
          right: this.exprOrOther(n.childForFieldName("right"), span),
          span,
        };
      }
      case "unary_operator": {
        const op = n.childForFieldName("operator");
        return { k: "unary", op: op ? this.text(op) : "-", operand: this.exprOrOther(n.childForFieldName("argument"), span), span };
      }
      case "not_operator":
        return { k: "not", operand: this.exprOrOther(n.childForFieldName("argument"), span), span };
      case "boolean_operator": {
        const op = n.childForFieldName("operator");
        return {
          k: "boolop",
          op: op && this.text(op) === "or" ? "or" : "and",
          left: this.exprOrOther(n.childForFieldName("left"), span),
          right: this.exprOrOther(n.childForFieldName("right"), span),
          span,
        };
      }
      case "comparison_operator": {
        const operands: Expr[] = [];
        const ops: string[] = [];
        let pendingNot = false;
        for (const c of n.children) {
          if (!c) continue;
          if (c.isNamed) {
            if (c.type !== "comment") operands.push(this.expr(c));
          } else {
            const t = this.text(c);
            // "not in" / "is not" come as two tokens in some grammar versions.
            if (t === "not" || t === "is") {
              if (pendingNot) ops[ops.length - 1] = ops[ops.length - 1] === "is" ? "is not" : ops[ops.length - 1]!;
              else ops.push(t);
              pendingNot = true;
            } else if (t === "in" && pendingNot && ops[ops.length - 1] === "not") {
              ops[ops.length - 1] = "not in";
              pendingNot = false;
            } else {
              ops.push(t);
              pendingNot = false;
            }
          }
        }
        return { k: "compare", ops, operands, span };
      }
      case "subscript": {
        const idx = n.childrenForFieldName("subscript").filter((c): c is TSNode => !!c).map((c) => this.expr(c));
        return { k: "subscript", value: this.exprOrOther(n.childForFieldName("value"), span), index: idx, span };
      }
      case "ERROR":
        return { k: "other", span, children: [] };
      default: {
        const children: Expr[] = [];
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === "comment") continue;
          if (isExpressionType(c.type)) children.push(this.expr(c));
          else children.push(...this.nestedExprs(c));
        }
        return { k: "other", span, children };
      }
    }
  }

  /** Expressions below a non-expression node (e.g. a comprehension clause). */
  private nestedExprs(n: TSNode): Expr[] {
    const out: Expr[] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (isExpressionType(c.type)) out.push(this.expr(c));
      else out.push(...this.nestedExprs(c));
    }
    return out;
  }

  private string(n: TSNode, span: Span): Expr {
    let prefix = "";
    let value = "";
    for (const c of n.children) {
      if (!c) continue;
      switch (c.type) {
        case "string_start":
          prefix = this.text(c).replace(/['"]+$/, "").toLowerCase();
          break;
        case "string_content":
        case "escape_sequence":
          value += decode(this.text(c), prefix.includes("r"));
          break;
        case "interpolation":
          return { k: "fstr", span };
        default:
          break;
      }
    }
    if (prefix.includes("b")) return { k: "other", span, children: [] };
    return { k: "str", value, span };
  }
}

const EXPRESSION_TYPES = new Set([
  "identifier", "attribute", "call", "string", "concatenated_string", "integer", "float", "true", "false", "none",
  "list", "tuple", "set", "dictionary", "parenthesized_expression", "binary_operator", "unary_operator",
  "not_operator", "boolean_operator", "comparison_operator", "subscript", "lambda", "conditional_expression",
  "list_comprehension", "dictionary_comprehension", "set_comprehension", "generator_expression", "await",
  "named_expression", "expression_list", "ellipsis",
]);

function isExpressionType(t: string): boolean {
  return EXPRESSION_TYPES.has(t);
}

function unexpectedText(t: string): string {
  const first = t.trim().split(/\s+/)[0] ?? "";
  return first ? `unexpected ${JSON.stringify(first.length > 30 ? first.slice(0, 30) + "…" : first)}` : "unexpected input";
}
