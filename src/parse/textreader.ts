// The common case without tree-sitter: a module read straight from its text when every
// statement is of a plain kind this reader knows exactly (assignments, calls, imports,
// def/class/if/for/while/with/try blocks) and every expression is one the fast reader
// (fastexpr.ts) reads. It builds the same ast.ts shapes, spans included, as syntax.ts
// builds from tree-sitter's tree, for about a fifth of the cost of tree-sitter's parse
// alone. Anything else — an unknown statement, `async`, tabs in indentation, any
// doubt about validity — returns null and tree-sitter parses the file, so a syntax
// error is tree-sitter's call (or indentation.ts's, for the indentation errors it accepts). test/textreader.test.ts checks both readings are
// equal on every fixture and on generated and mutated files.
import type { Expr, ParsedModule, Param, Span, Stmt } from "./ast.js";
import { textComments } from "./comments.js";
import { bracket, isReserved, KEYWORDS, Lexer, logicalLineStart, readTokens, T, Unsupported, type Token } from "./fastexpr.js";
import { LineIndex } from "./lines.js";

/** The module's statements and comments, or null when tree-sitter should parse it. */
export function readModuleText(source: string): ParsedModule | null {
  if (unsureText(source)) return null;
  const comments = textComments(source, new LineIndex(source));
  if (!comments) return null;
  try {
    const reader = new StatementReader(source);
    return { body: reader.module(), comments, error: null, errorRegions: [], source };
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

interface LogicalLine {
  tokens: Token[];
  indent: number;
}

interface Block {
  indent: number;
  stmts: Stmt[];
  /** End of the last statement or of a comment tree-sitter counts into the block. */
  end: number;
}

/**
 * Text left to tree-sitter at once: control characters it may reject even inside strings
 * (tab and line ends aside); tabs in indentation (it counts them as 8 columns); a
 * backslash continuing into a blank or comment line (read its own way).
 */
const CONTROL_CHARACTER = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const TAB_IN_INDENT = /(?:^|\n) *\t/;
const BACKSLASH_BEFORE_BLANK = /\\\r?\n[ \t]*(?:#|\r?\n|$)/;

// Three searches, the last two only when their character occurs (one alternation over
// the whole text cost 6.5 µs per 3 KB file, these 4.3).
function unsureText(source: string): boolean {
  return CONTROL_CHARACTER.test(source) || (source.includes("\t") && TAB_IN_INDENT.test(source)) || (source.includes("\\") && BACKSLASH_BEFORE_BLANK.test(source));
}

const AUGMENTED = new Set(["+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=", "&=", "^=", "|=", "@="]);
const MAX_BLOCK_DEPTH = 100;

function isLambdaOrIf(t: Token): boolean {
  return t.t === T.Name && (t.v === "lambda" || t.v === "if");
}

class StatementReader {
  private readonly lines: LogicalLine[] = [];
  private readonly commentStarts: number[];
  private next = 0;
  private nextComment = 0;
  /** Blocks being read, outermost (the module) first. */
  private readonly open: Block[] = [];

  constructor(private readonly src: string) {
    const lex = new Lexer(src, 0, src.length);
    lex.lineMode = true;
    lex.comments = [];
    let tokens: Token[] = [];
    let indent = 0;
    let depth = 0;
    /** Whether the last logical line had a comma outside brackets (a tuple). */
    let tuple = false;
    let lastHadTuple = false;
    /** The first line break after the last token: a token past it starts a physical line. */
    let nextBreak = src.indexOf("\n");
    for (;;) {
      const tok = lex.next();
      if (tok.t === T.End || tok.t === T.Newline) {
        if (tokens.length > 0) this.lines.push({ tokens, indent });
        if (tokens.length > 0) lastHadTuple = tuple;
        tokens = [];
        tuple = false;
        if (tok.t === T.End) break;
        nextBreak = src.indexOf("\n", tok.end);
        continue;
      }
      if (tokens.length === 0) {
        indent = this.indentOf(tok);
        // tree-sitter joins `x, y` and a next line `[a] = 1` into one assignment (Python does not).
        if (lastHadTuple && tok.t === T.Op && (tok.v === "[" || tok.v === "(")) throw new Unsupported("tuple line followed by a bracket");
      } else if (nextBreak >= 0 && tok.start > nextBreak) {
        // tree-sitter rejects some continuation lines indented less than their statement
        // (`f(a=` then a dedented `b)`), Python none: such files are left to tree-sitter.
        if (tok.start - (src.lastIndexOf("\n", tok.start - 1) + 1) < indent) throw new Unsupported("dedented continuation line");
      }
      if (nextBreak >= 0 && tok.end > nextBreak) nextBreak = src.indexOf("\n", tok.end);
      if (tok.t === T.Op) {
        depth += bracket(tok);
        if (depth < 0) throw new Unsupported("unbalanced brackets");
        if (depth === 0 && tok.v === ";") throw new Unsupported("several statements on a line");
        if (depth === 0 && tok.v === ",") tuple = true;
        lex.lineMode = depth === 0;
      }
      tokens.push(tok);
    }
    if (depth !== 0) throw new Unsupported("unbalanced brackets");
    this.commentStarts = lex.comments;
  }

  /** Column of a logical line's first token; indentation must be plain spaces. */
  private indentOf(first: Token): number {
    // A statement whose line a backslash continues from above is left to tree-sitter.
    const lineStart = logicalLineStart(this.src, first);
    for (let i = lineStart; i < first.start; i++) if (this.src.charCodeAt(i) !== 32) throw new Unsupported("indentation");
    return first.start - lineStart;
  }

  module(): Stmt[] {
    if (this.lines.length > 0 && this.lines[0]!.indent !== 0) throw new Unsupported("indented module");
    const block = this.block(0);
    return block.stmts;
  }

  /** The statements of a block whose lines are indented by `indent`. */
  private block(indent: number): Block {
    if (this.open.length > MAX_BLOCK_DEPTH) throw new Unsupported("deep");
    const block: Block = { indent, stmts: [], end: 0 };
    this.open.push(block);
    while (this.next < this.lines.length) {
      const line = this.lines[this.next]!;
      if (line.indent < indent) break;
      if (line.indent > indent) throw new Unsupported("unexpected indent");
      const s = this.statement(line);
      block.stmts.push(s);
      if (s.span.end > block.end) block.end = s.span.end;
    }
    if (block.stmts.length === 0 && indent > 0) throw new Unsupported("empty block");
    this.closeBlock(block);
    this.open.pop();
    return block;
  }

  /**
   * Comments after a block's last statement, before the next (dedented) line, belong to
   * the innermost open block whose indentation they do not fall short of, as tree-sitter's
   * scanner decides: it closes a block before a comment only if the comment is indented
   * less than the block and so is the next line. A comment on the last statement's own
   * line stays in the innermost block. Either way it extends that block's span.
   */
  private closeBlock(block: Block): void {
    const nextLine = this.lines[this.next];
    const nextStart = nextLine ? nextLine.tokens[0]!.start : this.src.length;
    const nextIndent = nextLine ? nextLine.indent : 0;
    const starts = this.commentStarts;
    while (this.nextComment < starts.length && starts[this.nextComment]! < block.end) this.nextComment++;
    let top = this.open.length - 1;
    const lastEnd = block.end;
    while (this.nextComment < starts.length && starts[this.nextComment]! < nextStart) {
      const start = starts[this.nextComment++]!;
      const lineStart = this.src.lastIndexOf("\n", start - 1) + 1;
      if (lineStart > lastEnd) {
        const column = start - lineStart;
        while (top > 0 && column < this.open[top]!.indent && nextIndent < this.open[top]!.indent) top--;
      }
      const eol = this.src.indexOf("\n", start);
      const end = eol < 0 ? this.src.length : eol;
      if (end > this.open[top]!.end) this.open[top]!.end = end;
    }
  }

  // ---- statements -------------------------------------------------------------

  private statement(line: LogicalLine): Stmt {
    const toks = line.tokens;
    const first = toks[0]!;
    if (first.t === T.Op && first.v === "@") return this.decorated(line);
    if (first.t === T.Name) {
      switch (first.v) {
        case "def":
          return this.funcDef(line);
        case "class":
          return this.classDef(line);
        case "if":
          return this.ifStmt(line);
        case "for":
          return this.forStmt(line);
        case "while":
          return this.whileStmt(line);
        case "with":
          return this.withStmt(line);
        case "try":
          return this.tryStmt(line);
        case "print":
        case "exec":
          // tree-sitter reads `print x` (Python 2) as a print statement: only a plain call is sure.
          if (!(toks[1]?.v === "(" && this.closing(toks, 1) === toks.length - 1)) throw new Unsupported(first.v);
          break;
        default:
          break;
      }
    }
    this.next++;
    return this.simpleStatement(toks);
  }

  /** `@decorator` lines and the def or class they decorate: only the definition is kept, as syntax.ts does. */
  private decorated(line: LogicalLine): Stmt {
    let next: LogicalLine | undefined = line;
    while (next && next.indent === line.indent && next.tokens[0]!.v === "@" && next.tokens[0]!.t === T.Op) {
      this.expr(next.tokens, 1, next.tokens.length);
      next = this.lines[++this.next];
    }
    const keyword = next?.tokens[0];
    if (!next || next.indent !== line.indent || keyword!.t !== T.Name || (keyword!.v !== "def" && keyword!.v !== "class")) throw new Unsupported("decorator");
    return keyword!.v === "def" ? this.funcDef(next) : this.classDef(next);
  }

  private simpleStatement(toks: Token[]): Stmt {
    const first = toks[0]!;
    const span = { start: first.start, end: toks[toks.length - 1]!.end };
    if (first.t === T.Name && KEYWORDS.has(first.v)) {
      switch (first.v) {
        case "pass":
          this.only(toks, 1);
          return { k: "pass", span };
        case "break":
        case "continue":
          this.only(toks, 1);
          return { k: "other", span, exprs: [] };
        case "return":
          return { k: "return", value: toks.length > 1 ? this.exprList(toks, 1, toks.length) : null, span };
        case "raise": {
          if (toks.length === 1) return { k: "raise", value: null, span };
          const from = this.findTop(toks, 1, toks.length, (t) => t.t === T.Name && t.v === "from");
          if (from >= 0) this.expr(toks, from + 1, toks.length);
          return { k: "raise", value: this.expr(toks, 1, from >= 0 ? from : toks.length), span };
        }
        case "global":
        case "nonlocal":
          return { k: "global", names: this.nameList(toks, 1, toks.length), span };
        case "import":
          return this.importStmt(toks, span);
        case "from":
          return this.fromImport(toks, span);
        case "del":
          return { k: "other", span, exprs: [this.exprList(toks, 1, toks.length)] };
        case "assert": {
          const parts = this.splitTop(toks, 1, toks.length);
          if (parts.length > 2) throw new Unsupported("assert");
          return { k: "other", span, exprs: this.items(toks, parts) };
        }
        case "not":
          break; // an expression
        default:
          throw new Unsupported(first.v);
      }
    }
    // Assignment, annotated or augmented assignment, or an expression.
    let colon = -1;
    let augmented = -1;
    const equals: number[] = [];
    let depth = 0;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      const b = bracket(t);
      depth += b;
      if (b !== 0 || depth > 0 || t.t !== T.Op) continue;
      const v = t.v;
      if (v === "=") equals.push(i);
      else if (v === ":" && colon < 0 && equals.length === 0) colon = i;
      else if (v === ":") throw new Unsupported("colon");
      else if (AUGMENTED.has(v)) {
        if (augmented >= 0) throw new Unsupported("augmented");
        augmented = i;
      }
    }
    if (colon >= 0) {
      if (augmented >= 0 || equals.length > 1) throw new Unsupported("annotated");
      const eq = equals[0] ?? toks.length;
      this.annotation(toks, colon + 1, eq);
      const value = eq < toks.length ? this.exprList(toks, eq + 1, toks.length) : null;
      return { k: "assign", targets: [this.target(this.expr(toks, 0, colon), false)], value, annotated: true, span };
    }
    if (augmented >= 0) {
      if (equals.length > 0) throw new Unsupported("augmented");
      return { k: "augassign", target: this.target(this.expr(toks, 0, augmented), false), value: this.exprList(toks, augmented + 1, toks.length), span };
    }
    if (equals.length > 0) {
      const targets: Expr[] = [];
      let from = 0;
      for (const eq of equals) {
        targets.push(this.target(this.exprList(toks, from, eq), true));
        from = eq + 1;
      }
      return { k: "assign", targets, value: this.exprList(toks, from, toks.length), annotated: false, span };
    }
    const parts = this.splitTop(toks, 0, toks.length);
    if (parts.length === 1) return { k: "expr", expr: this.expr(toks, 0, toks.length), span };
    // (A trailing comma leaves an empty part: `a, b,` as a statement is left to tree-sitter.)
    // `a, b` as a statement: tree-sitter's statement node holds the items, so the tuple takes its span.
    return { k: "expr", expr: { k: "list", items: this.items(toks, parts), tuple: true, span }, span };
  }

  private importStmt(toks: Token[], span: Span): Stmt {
    const names: { module: string; name: string | null; alias: string }[] = [];
    let i = 1;
    for (;;) {
      const end = this.dottedName(toks, i);
      const module = this.text(toks[i]!, toks[end - 1]!);
      i = end;
      if (toks[i]?.v === "as") {
        names.push({ module, name: null, alias: this.identifier(toks[i + 1]) });
        i += 2;
      } else {
        // `import a.b` binds `a`.
        const top = module.split(".")[0]!;
        names.push({ module: top, name: null, alias: top });
      }
      if (i === toks.length) return { k: "import", names, span };
      if (toks[i]!.v !== ",") throw new Unsupported("import");
      i++;
    }
  }

  private fromImport(toks: Token[], span: Span): Stmt {
    let i = 1;
    while (toks[i]?.t === T.Op && (toks[i]!.v === "." || toks[i]!.v === "...")) i++;
    if (toks[i]?.t === T.Name && toks[i]!.v !== "import") i = this.dottedName(toks, i);
    if (i === 1 || toks[i]?.v !== "import") throw new Unsupported("from import");
    const module = this.text(toks[1]!, toks[i - 1]!);
    i++;
    if (toks[i]?.v === "*") {
      if (module === "__future__") throw new Unsupported("from __future__ import *");
      this.only(toks, i + 1);
      return { k: "import", names: [], span };
    }
    let end = toks.length;
    if (toks[i]?.v === "(") {
      if (toks[end - 1]!.v !== ")" || this.closing(toks, i) !== end - 1) throw new Unsupported("from import");
      i++;
      end--;
    }
    const names: { module: string; name: string | null; alias: string }[] = [];
    while (i < end) {
      const name = this.identifier(toks[i]);
      let alias = name;
      i++;
      if (toks[i]?.v === "as") {
        alias = this.identifier(toks[i + 1]);
        i += 2;
      }
      names.push({ module, name, alias });
      if (i === end) break;
      if (toks[i]!.v !== ",") throw new Unsupported("from import");
      i++;
      // A trailing comma only inside parentheses.
      if (i === end && end === toks.length) throw new Unsupported("from import");
    }
    if (names.length === 0) throw new Unsupported("from import");
    return { k: "import", names, span };
  }

  private funcDef(line: LogicalLine): Stmt {
    const toks = line.tokens;
    const colon = this.header(toks);
    const nameTok = toks[1];
    const name = this.identifier(nameTok);
    if (toks[2]?.v !== "(") throw new Unsupported("def");
    const close = this.closing(toks, 2);
    if (close + 1 < colon) {
      if (toks[close + 1]!.v !== "->") throw new Unsupported("def");
      this.annotation(toks, close + 2, colon);
    } else if (close + 1 !== colon) throw new Unsupported("def");
    const params: Param[] = [];
    for (const [from, to] of this.splitTop(toks, 3, close)) {
      if (from === to) {
        if (to !== close) throw new Unsupported("parameters"); // only a trailing comma may leave nothing
        continue;
      }
      params.push(...this.parameter(toks, from, to));
    }
    const body = this.suite(line);
    return { k: "def", name, params, body: body.stmts, span: { start: toks[0]!.start, end: body.end }, nameSpan: { start: nameTok!.start, end: nameTok!.end } };
  }

  /** One parameter (none for the bare `*` and `/` separators). */
  private parameter(toks: Token[], from: number, to: number): Param[] {
    const first = toks[from]!;
    if (first.t === T.Op && (first.v === "*" || first.v === "**" || first.v === "/")) {
      if (from + 1 === to && first.v !== "**") return []; // the `*` and `/` separators
      const nameTok = toks[from + 1];
      if (first.v === "/" || from + 1 === to || nameTok!.start !== first.end) throw new Unsupported("parameter");
      const name = this.identifier(nameTok);
      if (from + 2 < to) {
        if (toks[from + 2]!.v !== ":") throw new Unsupported("parameter");
        this.annotation(toks, from + 3, to);
      }
      return [{ name, default: null, kind: first.v === "*" ? "args" : "kwargs" }];
    }
    const name = this.identifier(first);
    if (from + 1 === to) return [{ name, default: null, kind: "normal" }];
    const eq = this.findTop(toks, from + 1, to, (t) => t.t === T.Op && t.v === "=");
    const next = toks[from + 1]!.v;
    if (next === ":") this.annotation(toks, from + 2, eq >= 0 ? eq : to);
    else if (next !== "=") throw new Unsupported("parameter");
    return [{ name, default: eq >= 0 ? this.expr(toks, eq + 1, to) : null, kind: "normal" }];
  }

  private classDef(line: LogicalLine): Stmt {
    const toks = line.tokens;
    const colon = this.header(toks);
    const nameTok = toks[1]!;
    this.identifier(nameTok);
    if (colon > 2) {
      // Bases and keywords read as the arguments of a call, to be sure they are valid.
      if (toks[2]!.v !== "(" || this.closing(toks, 2) !== colon - 1) throw new Unsupported("class");
      readTokens(this.src, toks, 1, colon);
    }
    const body = this.suite(line);
    return { k: "other", span: { start: toks[0]!.start, end: body.end }, exprs: [] };
  }

  private ifStmt(line: LogicalLine): Stmt {
    const toks = line.tokens;
    const cond = this.expr(toks, 1, this.header(toks));
    const body = this.suite(line);
    let end = body.end;
    const elifs: { cond: Expr; body: Stmt[]; start: number; end: number }[] = [];
    let orelse: Stmt[] = [];
    for (;;) {
      const clause = this.clause(line.indent, "elif");
      if (!clause) break;
      const c = this.expr(clause.tokens, 1, this.header(clause.tokens));
      const block = this.suite(clause);
      elifs.push({ cond: c, body: block.stmts, start: clause.tokens[0]!.start, end: block.end });
      end = block.end;
    }
    const elseClause = this.clause(line.indent, "else");
    if (elseClause) {
      const block = this.elseSuite(elseClause);
      orelse = block.stmts;
      end = block.end;
    }
    // `elif` chains fold into nested ifs, as syntax.ts does.
    for (let i = elifs.length - 1; i >= 0; i--) {
      const e = elifs[i]!;
      orelse = [{ k: "if", cond: e.cond, body: e.body, orelse, span: { start: e.start, end: e.end } }];
    }
    return { k: "if", cond, body: body.stmts, orelse, span: { start: toks[0]!.start, end } };
  }

  private forStmt(line: LogicalLine): Stmt {
    const toks = line.tokens;
    const colon = this.header(toks);
    const inAt = this.findTop(toks, 1, colon, (t) => t.t === T.Name && t.v === "in");
    if (inAt < 0) throw new Unsupported("for");
    const target = this.target(this.exprList(toks, 1, inAt), true);
    const iter = this.exprList(toks, inAt + 1, colon);
    const body = this.suite(line);
    let end = body.end;
    let orelse: Stmt[] = [];
    const elseClause = this.clause(line.indent, "else");
    if (elseClause) {
      const block = this.elseSuite(elseClause);
      orelse = block.stmts;
      end = block.end;
    }
    return { k: "for", target, iter, body: body.stmts, orelse, span: { start: toks[0]!.start, end } };
  }

  private whileStmt(line: LogicalLine): Stmt {
    const toks = line.tokens;
    const cond = this.expr(toks, 1, this.header(toks));
    const body = this.suite(line);
    if (this.clause(line.indent, "else")) throw new Unsupported("while else");
    return { k: "while", cond, body: body.stmts, span: { start: toks[0]!.start, end: body.end } };
  }

  private withStmt(line: LogicalLine): Stmt {
    const toks = line.tokens;
    const colon = this.header(toks);
    const items: { expr: Expr; alias: string | null }[] = [];
    for (const [from, to] of this.splitTop(toks, 1, colon)) {
      // `with (a as b, c):` is another grammar rule; parentheses around items, lambdas and
      // conditionals (tree-sitter reads `a if b else c as d` as one item) are left to tree-sitter.
      if (from === to || toks[from]!.v === "(" || this.findTop(toks, from, to, isLambdaOrIf) >= 0) throw new Unsupported("with");
      const as = this.findTop(toks, from, to, (t) => t.t === T.Name && t.v === "as");
      if (as < 0) {
        items.push({ expr: this.expr(toks, from, to), alias: null });
      } else {
        if (as + 2 !== to) throw new Unsupported("with target");
        items.push({ expr: this.expr(toks, from, as), alias: this.identifier(toks[as + 1]) });
      }
    }
    const body = this.suite(line);
    return { k: "with", items, body: body.stmts, span: { start: toks[0]!.start, end: body.end } };
  }

  private tryStmt(line: LogicalLine): Stmt {
    const toks = line.tokens;
    if (this.header(toks) !== 1) throw new Unsupported("try");
    const body = this.suite(line);
    let end = body.end;
    const handlers: Stmt[][] = [];
    let orelse: Stmt[] = [];
    let finalbody: Stmt[] = [];
    for (;;) {
      const clause = this.clause(line.indent, "except");
      if (!clause) break;
      const ct = clause.tokens;
      const colon = this.header(ct);
      if (colon > 1) {
        if (ct[1]!.v === "*") throw new Unsupported("except*");
        const as = this.findTop(ct, 1, colon, (t) => t.t === T.Name && t.v === "as");
        if (as >= 0 && as + 2 !== colon) throw new Unsupported("except target");
        if (this.findTop(ct, 1, colon, isLambdaOrIf) >= 0) throw new Unsupported("except lambda");
        if (as >= 0) this.identifier(ct[as + 1]);
        this.expr(ct, 1, as >= 0 ? as : colon);
      }
      const block = this.suite(clause);
      handlers.push(block.stmts);
      end = block.end;
    }
    if (handlers.length > 0) {
      const elseClause = this.clause(line.indent, "else");
      if (elseClause) {
        const block = this.elseSuite(elseClause);
        orelse = block.stmts;
        end = block.end;
      }
    }
    const finallyClause = this.clause(line.indent, "finally");
    if (finallyClause) {
      const block = this.elseSuite(finallyClause);
      finalbody = block.stmts;
      end = block.end;
    } else if (handlers.length === 0) {
      throw new Unsupported("try without except");
    }
    return { k: "try", body: body.stmts, handlers, orelse, finalbody, span: { start: toks[0]!.start, end } };
  }

  // ---- blocks and clauses -------------------------------------------------------

  /** A compound statement's header line: index of its final `:` (bodies on the same line are left to tree-sitter). */
  private header(toks: Token[]): number {
    const last = toks.length - 1;
    if (last < 1 || toks[last]!.t !== T.Op || toks[last]!.v !== ":") throw new Unsupported("header");
    return last;
  }

  /** The indented block after a header line. */
  private suite(headerLine: LogicalLine): Block {
    if (this.lines[this.next] === headerLine) this.next++;
    const body = this.lines[this.next];
    if (!body || body.indent <= headerLine.indent) throw new Unsupported("missing block");
    return this.block(body.indent);
  }

  /** An `else:`/`finally:` clause's block. */
  private elseSuite(clause: LogicalLine): Block {
    if (clause.tokens.length !== 2) throw new Unsupported("clause");
    this.header(clause.tokens);
    return this.suite(clause);
  }

  /** The next line if it continues the compound statement at `indent` with `keyword`. */
  private clause(indent: number, keyword: string): LogicalLine | null {
    const line = this.lines[this.next];
    if (!line || line.indent !== indent) return null;
    const first = line.tokens[0]!;
    return first.t === T.Name && first.v === keyword ? line : null;
  }

  // ---- expressions and token helpers ---------------------------------------------

  /** One expression over tokens [from, to). */
  private expr(toks: Token[], from: number, to: number): Expr {
    if (from >= to) throw new Unsupported("missing expression");
    return readTokens(this.src, toks, from, to);
  }

  /** An expression or a bare tuple `a, b` or `a,` (spanning its items and a trailing comma, as tree-sitter's expression_list). */
  private exprList(toks: Token[], from: number, to: number): Expr {
    const parts = this.splitTop(toks, from, to);
    if (parts.length === 1) return this.expr(toks, from, to);
    const last = parts[parts.length - 1]!;
    if (last[0] === last[1]) parts.pop();
    return { k: "list", items: this.items(toks, parts), tuple: true, span: { start: toks[from]!.start, end: toks[to - 1]!.end } };
  }

  private items(toks: Token[], parts: [number, number][]): Expr[] {
    return parts.map(([from, to]) => this.expr(toks, from, to));
  }

  /**
   * A type annotation, read only to be sure it is valid. tree-sitter's grammar takes a
   * narrower set of expressions here than Python (`x: a == b` is an error to it): only
   * names, dotted names, subscripts of them, strings, None and `|` unions are read.
   */
  private annotation(toks: Token[], from: number, to: number): void {
    const isType = (e: Expr): boolean => {
      switch (e.k) {
        case "name":
        case "str":
          return true;
        case "const":
          return e.value === null;
        case "attr":
          return e.obj.k === "name" || e.obj.k === "attr" ? isType(e.obj) : false;
        case "subscript":
          return (e.value.k === "name" || e.value.k === "attr") && isType(e.value) && e.index.every((i) => isType(i) || (i.k === "list" && !i.tuple && i.items.every(isType)));
        case "binop":
          return e.op === "|" && isType(e.left) && isType(e.right);
        default:
          return false;
      }
    };
    if (!isType(this.expr(toks, from, to))) throw new Unsupported("annotation");
  }

  /** What may be assigned to: a name, attribute or subscript, or (`unpack`) a tuple or list of them. */
  private target(e: Expr, unpack: boolean): Expr {
    const ok = (x: Expr, nested: boolean): boolean => {
      // Parentheses the fast reader dropped (`(a) = 1`) are left to tree-sitter.
      if (this.src.charCodeAt(x.span.start) === 40 /* ( */ && x.k !== "list") return false;
      if (x.k === "name" || x.k === "attr" || x.k === "subscript") return true;
      return x.k === "list" && nested && x.items.length > 0 && x.items.every((i) => ok(i, true));
    };
    if (!ok(e, unpack)) throw new Unsupported("assignment target");
    return e;
  }

  /** [from, to) ranges between the commas outside brackets. */
  private splitTop(toks: Token[], from: number, to: number): [number, number][] {
    const parts: [number, number][] = [];
    let depth = 0;
    let start = from;
    for (let i = from; i < to; i++) {
      const t = toks[i]!;
      depth += bracket(t);
      if (depth === 0 && t.t === T.Op && t.v === ",") {
        parts.push([start, i]);
        start = i + 1;
      }
    }
    parts.push([start, to]);
    return parts;
  }

  /** Index of the first token outside brackets in [from, to) that `match`es, or -1. */
  private findTop(toks: Token[], from: number, to: number, match: (t: Token) => boolean): number {
    let depth = 0;
    for (let i = from; i < to; i++) {
      const t = toks[i]!;
      depth += bracket(t);
      if (depth === 0 && match(t)) return i;
    }
    return -1;
  }

  /** Index of the bracket closing the one at `open`. */
  private closing(toks: Token[], open: number): number {
    let depth = 0;
    for (let i = open; i < toks.length; i++) {
      const b = bracket(toks[i]!);
      depth += b;
      if (b < 0 && depth === 0) return i;
    }
    throw new Unsupported("unbalanced brackets");
  }

  /** Names separated by commas (global, nonlocal). */
  private nameList(toks: Token[], from: number, to: number): string[] {
    const names: string[] = [];
    for (let i = from; ; i += 2) {
      names.push(this.identifier(toks[i]));
      if (i + 1 === to) return names;
      if (toks[i + 1]!.v !== ",") throw new Unsupported("names");
    }
  }

  /** End of a dotted name `a.b.c` starting at `from`. */
  private dottedName(toks: Token[], from: number): number {
    let i = from;
    this.identifier(toks[i]);
    i++;
    while (toks[i]?.t === T.Op && toks[i]!.v === ".") {
      this.identifier(toks[i + 1]);
      i += 2;
    }
    return i;
  }

  private identifier(tok: Token | undefined): string {
    if (!tok || tok.t !== T.Name || isReserved(tok.v)) throw new Unsupported("identifier");
    return tok.v;
  }

  private only(toks: Token[], count: number): void {
    if (toks.length !== count) throw new Unsupported("trailing tokens");
  }

  private text(first: Token, last: Token): string {
    return this.src.slice(first.start, last.end);
  }
}
