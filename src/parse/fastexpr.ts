// A fast reader for Python expressions, and the lexer the text reader (textreader.ts)
// splits a module with. Most of a migration is expressions (the arguments of op calls),
// and walking tree-sitter's nodes through the WASM binding costs more than parsing
// itself (every node is marshalled). This reader builds the same ast.ts shapes straight
// from the text, for a slice tree-sitter parsed without error (syntax.ts) or for the
// text reader's tokens; whatever it is not sure of (starred items, `yield`, `await`,
// f-string fields with quotes, what tree-sitter rejects...) throws Unsupported and the
// caller falls back to tree-sitter. test/fastexpr.test.ts checks both readings agree on
// every fixture and on generated and mutated files.
import type { Expr, Keyword } from "./ast.js";

export class Unsupported extends Error {}

export const enum T {
  Name,
  Number,
  String,
  Op,
  End,
  /** The end of a logical line (only in `lineMode`). */
  Newline,
}

export interface Token {
  t: T;
  v: string;
  start: number;
  end: number;
}

const OPS3 = ["**=", "//=", ">>=", "<<=", "...", "!="];
const OPS2 = ["**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="];
const OPS1 = "()[]{}.,:;+-*/%&|^~<>=@";

const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?$/;

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
}

/** A character that may continue a Python identifier (non-ASCII counted as one). */
export function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

/** +1 for an opening bracket, -1 for a closing one, 0 for any other token. */
export function bracket(t: Token): number {
  if (t.t !== T.Op) return 0;
  const v = t.v;
  return v === "(" || v === "[" || v === "{" ? 1 : v === ")" || v === "]" || v === "}" ? -1 : 0;
}

/**
 * Where the physical line of a logical line's first token starts. A line a backslash
 * continues from the line above is not where Python starts a logical line: Unsupported.
 */
export function logicalLineStart(src: string, first: Token): number {
  const lineStart = src.lastIndexOf("\n", first.start - 1) + 1;
  if (lineStart >= 2 && src.charCodeAt(lineStart - 2) === 92 /* \ */) throw new Unsupported("continuation");
  return lineStart;
}

export class Lexer implements TokenSource {
  pos: number;
  /** For the statement reader (textreader.ts): a newline outside brackets ends a logical line. */
  lineMode = false;
  /** For the statement reader: where each comment skipped starts. */
  comments: number[] | null = null;
  constructor(private readonly src: string, start: number, private readonly end: number) {
    this.pos = start;
  }

  next(): Token {
    const s = this.src;
    // Inside an expression newlines only occur within brackets: skip them with spaces,
    // comments and line continuations.
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (this.pos >= this.end) return { t: T.End, v: "", start: this.end, end: this.end };
      if (c === 10 && this.lineMode) return { t: T.Newline, v: "", start: this.pos, end: ++this.pos };
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) this.pos++;
      else if (c === 92 /* \ */ && s.charCodeAt(this.pos + 1) === 10) this.pos += 2;
      else if (c === 92 && s.charCodeAt(this.pos + 1) === 13) this.pos += s.charCodeAt(this.pos + 2) === 10 ? 3 : 2;
      else if (c === 35 /* # */) {
        this.comments?.push(this.pos);
        const nl = s.indexOf("\n", this.pos);
        this.pos = nl < 0 || nl > this.end ? this.end : nl;
      } else break;
    }
    const start = this.pos;
    const c = s.charCodeAt(start);
    if (isIdStart(c)) {
      let i = start + 1;
      let wide = c > 127;
      for (let ch = 0; i < this.end && isIdPart((ch = s.charCodeAt(i))); i++) if (ch > 127) wide = true;
      const q = s.charCodeAt(i);
      if ((q === 34 || q === 39) && i - start <= 2 && STRING_PREFIX.test(s.slice(start, i))) return this.string(start, i);
      // Which non-ASCII characters Python and tree-sitter accept in names is theirs to decide.
      if (wide) throw new Unsupported("non-ASCII name");
      this.pos = i;
      return { t: T.Name, v: s.slice(start, i), start, end: i };
    }
    if (c === 34 || c === 39) return this.string(start, start);
    if ((c >= 48 && c <= 57) || (c === 46 && s.charCodeAt(start + 1) >= 48 && s.charCodeAt(start + 1) <= 57)) {
      const m = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|\d[\d_]*\.)[jJlL]?/.exec(s.slice(start, Math.min(this.end, start + 100)));
      if (!m || m[0].length === 0) throw new Unsupported("number");
      this.pos = start + m[0].length;
      // `1.e5`, `1.` or `1if`: not read here (the pattern above stops short of them).
      const after = s.charCodeAt(this.pos);
      if (after === 46 || isIdPart(after)) throw new Unsupported("number");
      return { t: T.Number, v: m[0], start, end: this.pos };
    }
    switch (c) {
      // Punctuation that starts no longer operator: one comparison instead of ~25.
      case 40: case 41: case 91: case 93: case 123: case 125: case 44: case 59: case 126: // ( ) [ ] { } , ; ~
        return this.op(s[start]!, start);
      case 46: // . or ...
        return this.op(s.charCodeAt(start + 1) === 46 && s.charCodeAt(start + 2) === 46 ? "..." : ".", start);
      case 61: // = or ==
        return this.op(s.charCodeAt(start + 1) === 61 ? "==" : "=", start);
      case 58: // : or :=
        return this.op(s.charCodeAt(start + 1) === 61 ? ":=" : ":", start);
    }
    for (const op of OPS3) if (s.startsWith(op, start)) return this.op(op, start);
    for (const op of OPS2) if (s.startsWith(op, start)) return this.op(op, start);
    if (OPS1.includes(s[start]!)) return this.op(s[start]!, start);
    throw new Unsupported(`character ${JSON.stringify(s[start])}`);
  }

  private op(v: string, start: number): Token {
    this.pos = start + v.length;
    return { t: T.Op, v, start, end: this.pos };
  }

  /** A string literal; `v` holds the prefix, the raw body is recovered by the parser. */
  private string(start: number, quoteAt: number): Token {
    const s = this.src;
    const q = s[quoteAt]!;
    const triple = s.startsWith(q + q + q, quoteAt);
    const open = triple ? 3 : 1;
    let i = quoteAt + open;
    const close = triple ? q + q + q : q;
    for (;;) {
      if (i >= this.end) throw new Unsupported("unterminated string");
      const ch = s.charCodeAt(i);
      if (ch === 92) {
        i += 2;
        continue;
      }
      if (!triple && ch === 10) throw new Unsupported("newline in string");
      if (s.startsWith(close, i)) {
        i += close.length;
        break;
      }
      i++;
    }
    this.pos = i;
    return { t: T.String, v: s.slice(start, quoteAt), start, end: i };
  }
}

const COMPARE = new Set(["<", ">", "==", ">=", "<=", "!=", "in", "not", "is"]);
const KEYWORDS_STOPPING = new Set(["if", "else", "for", "lambda", "yield", "await", "async", "from", "as"]);
export const KEYWORDS = new Set(["lambda", "yield", "await", "not", "and", "or", "if", "else", "for", "in", "is", "async", "def", "class", "return", "import", "from", "as", "with", "while", "try", "except", "finally", "raise", "del", "pass", "break", "continue", "global", "nonlocal", "assert", "elif"]);
/** A word that cannot name anything (an attribute, a keyword argument, a variable). */
export function isReserved(word: string): boolean {
  return KEYWORDS.has(word) || word === "True" || word === "False" || word === "None";
}
/** Binary operators by precedence (Python's `|` lowest … `*` highest), all left-associative. */
const BINARY_PRECEDENCE = new Map([["|", 1], ["^", 2], ["&", 3], ["<<", 4], [">>", 4], ["+", 5], ["-", 5], ["*", 6], ["/", 6], ["//", 6], ["%", 6], ["@", 6]]);

export function readExpression(src: string, start: number, end: number): Expr {
  return readFrom(new ExprParser(src, new Lexer(src, start, end)));
}

/** The same over tokens a Lexer already made (the statement reader's): [from, to) of `toks`. */
export function readTokens(src: string, toks: Token[], from: number, to: number): Expr {
  return readFrom(new ExprParser(src, new Replay(toks, from, to)));
}

function readFrom(p: ExprParser): Expr {
  const e = p.expr();
  if (p.tok.t !== T.End) throw new Unsupported(`trailing ${JSON.stringify(p.tok.v)}`);
  return e;
}

interface TokenSource {
  next(): Token;
}

class Replay implements TokenSource {
  private readonly end: Token;
  constructor(private readonly toks: Token[], private i: number, private readonly to: number) {
    const last = toks[to - 1]!.end;
    this.end = { t: T.End, v: "", start: last, end: last };
  }

  next(): Token {
    return this.i < this.to ? this.toks[this.i++]! : this.end;
  }
}

class ExprParser {
  tok: Token;
  private depth = 0;
  /**
   * End of the last token consumed. A node spans from its first token to its last, as
   * tree-sitter's do: `(a + b) * c` starts at the parenthesis, although the parenthesized
   * operand itself keeps the inner span.
   */
  private lastEnd = 0;

  constructor(private readonly src: string, private readonly lex: TokenSource) {
    this.tok = lex.next();
  }

  private advance(): Token {
    const t = this.tok;
    this.lastEnd = t.end;
    this.tok = this.lex.next();
    return t;
  }

  private isOp(v: string): boolean {
    return this.tok.t === T.Op && this.tok.v === v;
  }

  private isName(v: string): boolean {
    return this.tok.t === T.Name && this.tok.v === v;
  }

  private expect(v: string): Token {
    if (!this.isOp(v)) throw new Unsupported(`expected ${v}`);
    return this.advance();
  }

  private span(start: number, end: number) {
    return { start, end };
  }

  expr(): Expr {
    if (++this.depth > 200) throw new Unsupported("deep");
    try {
      if (this.isName("lambda")) return this.lambda();
      if (this.tok.t === T.Name && KEYWORDS_STOPPING.has(this.tok.v)) throw new Unsupported(this.tok.v);
      const start = this.tok.start;
      const e = this.orTest();
      if (this.isOp(":=")) throw new Unsupported("assignment expression");
      if (!this.isName("if")) return e;
      // `a if b else c`: an "other" node with its three operands, as the tree conversion makes it.
      this.advance();
      const cond = this.orTest();
      if (!this.isName("else")) throw new Unsupported("conditional expression");
      this.advance();
      const orelse = this.expr();
      return { k: "other", span: this.span(start, this.lastEnd), children: [e, cond, orelse] };
    } finally {
      this.depth--;
    }
  }

  /** `lambda a, b=1, *c, **d: body` → "other" with the parameter names, defaults and the body, in order. */
  private lambda(): Expr {
    const start = this.advance().start;
    const children: Expr[] = [];
    while (!this.isOp(":")) {
      if (this.isOp("/")) {
        this.advance(); // the positional-only marker
      } else {
        const star = this.isOp("*") || this.isOp("**") ? this.advance() : null;
        if (!(star?.v === "*" && (this.isOp(",") || this.isOp(":")))) {
          if (this.tok.t !== T.Name || isReserved(this.tok.v)) throw new Unsupported("lambda parameter");
          const name = this.advance();
          children.push({ k: "name", id: name.v, span: this.span(name.start, name.end) });
          if (!star && this.isOp("=")) {
            this.advance();
            children.push(this.expr());
          }
        }
      }
      if (this.isOp(":")) break;
      this.expect(",");
    }
    this.expect(":");
    children.push(this.expr());
    return { k: "other", span: this.span(start, this.lastEnd), children };
  }

  /**
   * The `for ... in ... if ...` clauses after a comprehension's first element: the loop
   * targets' names, the iterables and the conditions, appended to `children` in order.
   */
  private comprehension(children: Expr[]): void {
    if (!this.isName("for")) throw new Unsupported("comprehension");
    while (this.isName("for") || this.isName("if")) {
      if (this.advance().v === "if") {
        children.push(this.orTest());
        if (this.isName("else")) throw new Unsupported("comprehension");
        continue;
      }
      this.targetNames(children);
      if (!this.isName("in")) throw new Unsupported("comprehension");
      this.advance();
      children.push(this.orTest());
      if (this.isOp(",") || this.isName("else")) throw new Unsupported("comprehension");
    }
  }

  /** Loop targets: names, maybe in tuples (`k, v`, `(i, j)`), flattened as the tree conversion does. */
  private targetNames(children: Expr[]): void {
    for (;;) {
      if (this.isOp("(") || this.isOp("[")) {
        const close = this.advance().v === "(" ? ")" : "]";
        this.targetNames(children);
        this.expect(close);
      } else {
        if (this.tok.t !== T.Name || isReserved(this.tok.v)) throw new Unsupported("comprehension target");
        const name = this.advance();
        children.push({ k: "name", id: name.v, span: this.span(name.start, name.end) });
      }
      if (!this.isOp(",")) return;
      this.advance();
      if (this.isName("in") || this.isOp(")") || this.isOp("]")) throw new Unsupported("comprehension target");
    }
  }

  private orTest(): Expr {
    const start = this.tok.start;
    let left = this.andTest();
    while (this.isName("or")) {
      this.advance();
      const right = this.andTest();
      left = { k: "boolop", op: "or", left, right, span: this.span(start, this.lastEnd) };
    }
    return left;
  }

  private andTest(): Expr {
    const start = this.tok.start;
    let left = this.notTest();
    while (this.isName("and")) {
      this.advance();
      const right = this.notTest();
      left = { k: "boolop", op: "and", left, right, span: this.span(start, this.lastEnd) };
    }
    return left;
  }

  private notTest(): Expr {
    if (this.isName("not")) {
      const t = this.advance();
      const operand = this.notTest();
      return { k: "not", operand, span: this.span(t.start, this.lastEnd) };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const start = this.tok.start;
    const first = this.binary(1);
    const operands: Expr[] = [first];
    const ops: string[] = [];
    while ((this.tok.t === T.Op || this.tok.t === T.Name) && COMPARE.has(this.tok.v)) {
      const t = this.advance();
      let op = t.v;
      if (op === "not") {
        if (!this.isName("in")) throw new Unsupported("not without in");
        this.advance();
        op = "not in";
      } else if (op === "is" && this.isName("not")) {
        this.advance();
        op = "is not";
      }
      ops.push(op);
      operands.push(this.binary(1));
    }
    if (ops.length === 0) return first;
    return { k: "compare", ops, operands, span: this.span(start, this.lastEnd) };
  }

  /** Precedence climbing over BINARY_PRECEDENCE (one call per operand, not one per level). */
  private binary(minPrecedence: number): Expr {
    const start = this.tok.start;
    let left = this.factor();
    for (;;) {
      const t = this.tok;
      const precedence = t.t === T.Op ? BINARY_PRECEDENCE.get(t.v) : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      // tree-sitter-python ranks `^` above `&` (Python: below); let the tree decide so both readings agree.
      if (t.v === "^") throw new Unsupported("^");
      this.advance();
      const right = this.binary(precedence + 1);
      left = { k: "binop", op: t.v, left, right, span: this.span(start, this.lastEnd) };
    }
  }

  private factor(): Expr {
    if (this.tok.t === T.Op && (this.tok.v === "-" || this.tok.v === "+" || this.tok.v === "~")) {
      const t = this.advance();
      const operand = this.factor();
      return { k: "unary", op: t.v, operand, span: this.span(t.start, this.lastEnd) };
    }
    return this.power();
  }

  private power(): Expr {
    const start = this.tok.start;
    const base = this.primary();
    if (this.isOp("**")) {
      this.advance();
      const exp = this.factor();
      return { k: "binop", op: "**", left: base, right: exp, span: this.span(start, this.lastEnd) };
    }
    return base;
  }

  private primary(): Expr {
    const start = this.tok.start;
    let e = this.atom();
    for (;;) {
      if (this.isOp(".")) {
        this.advance();
        if (this.tok.t !== T.Name || isReserved(this.tok.v)) throw new Unsupported("attribute");
        // tree-sitter rejects a line break between the dot and the name (Python does not).
        if (this.src.lastIndexOf("\n", this.tok.start) >= this.lastEnd) throw new Unsupported("attribute");
        const name = this.advance();
        e = { k: "attr", obj: e, attr: name.v, span: this.span(start, name.end) };
      } else if (this.isOp("(")) {
        e = this.call(e, start);
      } else if (this.isOp("[")) {
        this.advance();
        const index: Expr[] = [];
        while (!this.isOp("]")) {
          if (this.isOp("*")) throw new Unsupported("starred index");
          index.push(this.isOp(":") ? this.slice(this.tok.start, []) : this.sliceOrExpr());
          if (!this.isOp(",")) break;
          this.advance();
        }
        if (index.length === 0) throw new Unsupported("empty subscript");
        const close = this.expect("]");
        e = { k: "subscript", value: e, index, span: this.span(start, close.end) };
      } else {
        return e;
      }
    }
  }

  private sliceOrExpr(): Expr {
    const start = this.tok.start;
    const e = this.expr();
    return this.isOp(":") ? this.slice(start, [e]) : e;
  }

  /** `a:b:c` (any part may be missing) → "other" with the parts present, spanning its first to last token. */
  private slice(start: number, children: Expr[]): Expr {
    for (let colons = 0; this.isOp(":"); colons++) {
      if (colons === 2) throw new Unsupported("slice");
      this.advance();
      if (!this.isOp(":") && !this.isOp(",") && !this.isOp("]")) children.push(this.expr());
    }
    return { k: "other", span: this.span(start, this.lastEnd), children };
  }

  private call(fn: Expr, start: number): Expr {
    this.expect("(");
    const args: Expr[] = [];
    const kwargs: Keyword[] = [];
    let starred = false;
    while (!this.isOp(")")) {
      if (this.isOp("*")) {
        const t = this.advance();
        const inner = this.expr();
        starred = true;
        args.push({ k: "starred", span: this.span(t.start, this.lastEnd), value: inner });
      } else if (this.isOp("**")) {
        this.advance();
        starred = true;
        kwargs.push({ name: null, value: this.expr() });
      } else if (this.tok.t === T.Name && this.peekIsKeywordAssign()) {
        if (isReserved(this.tok.v)) throw new Unsupported("keyword argument");
        const name = this.advance().v;
        this.advance(); // =
        kwargs.push({ name, value: this.expr() });
      } else {
        args.push(this.expr());
      }
      if (this.isName("for")) {
        // `f(x for x in y)`: the call's own parentheses are the generator's.
        if (args.length !== 1 || kwargs.length > 0 || starred) throw new Unsupported("generator argument");
        const children = [args[0]!];
        this.comprehension(children);
        const close = this.expect(")");
        const span = this.span(this.src.indexOf("(", fn.span.end), close.end);
        return { k: "call", fn, args: [{ k: "other", span, children }], kwargs, starred, span: this.span(start, close.end) };
      }
      if (!this.isOp(",")) break;
      this.advance();
    }
    const close = this.expect(")");
    return { k: "call", fn, args, kwargs, starred, span: this.span(start, close.end) };
  }

  /** `name=` (but not `name==`) at the current position. */
  private peekIsKeywordAssign(): boolean {
    const s = this.src;
    let i = this.tok.end;
    while (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9 || s.charCodeAt(i) === 10 || s.charCodeAt(i) === 13) i++;
    return s[i] === "=" && s[i + 1] !== "=";
  }

  private atom(): Expr {
    const t = this.tok;
    switch (t.t) {
      case T.Name: {
        this.advance();
        if (t.v === "True" || t.v === "False") return { k: "const", value: t.v === "True", span: this.span(t.start, t.end) };
        if (t.v === "None") return { k: "const", value: null, span: this.span(t.start, t.end) };
        if (KEYWORDS.has(t.v)) {
          throw new Unsupported(`keyword ${t.v}`);
        }
        return { k: "name", id: t.v, span: this.span(t.start, t.end) };
      }
      case T.Number: {
        this.advance();
        const raw = t.v.replace(/_/g, "");
        if (/[jJ]$/.test(raw)) return { k: "other", span: this.span(t.start, t.end), children: [] };
        const clean = raw.replace(/[lL]$/, "");
        const v = /^0[xX]/.test(clean) ? parseInt(clean.slice(2), 16) : /^0[oO]/.test(clean) ? parseInt(clean.slice(2), 8) : /^0[bB]/.test(clean) ? parseInt(clean.slice(2), 2) : Number(clean);
        if (!Number.isFinite(v)) return { k: "other", span: this.span(t.start, t.end), children: [] };
        return { k: "num", value: v, span: this.span(t.start, t.end) };
      }
      case T.String:
        return this.strings();
      case T.Op:
        if (t.v === "(") return this.parenthesized();
        if (t.v === "[") return this.listDisplay();
        if (t.v === "{") return this.dictDisplay();
        if (t.v === "...") {
          this.advance();
          return { k: "other", span: this.span(t.start, t.end), children: [] };
        }
        throw new Unsupported(`operator ${t.v}`);
      default:
        throw new Unsupported("end");
    }
  }

  private strings(): Expr {
    const first = this.tok;
    let value = "";
    let fstr = false;
    let bytes = false;
    let end = first.end;
    while (this.tok.t === T.String) {
      const t = this.advance();
      end = t.end;
      const prefix = t.v.toLowerCase();
      if (prefix.includes("b")) bytes = true;
      const body = this.src.slice(t.start + t.v.length, t.end);
      const q = body.startsWith('"""') || body.startsWith("'''") ? 3 : 1;
      const content = body.slice(q, body.length - q);
      if (prefix.includes("f")) {
        // Only an f-string without fields is a literal; any field makes it dynamic.
        if (hasFields(content)) {
          fstr = true;
          continue;
        }
        value += decode(content.replace(/\{\{/g, "{").replace(/\}\}/g, "}"), prefix.includes("r"));
        continue;
      }
      value += decode(content, prefix.includes("r"));
    }
    const span = this.span(first.start, end);
    // Same shapes as the tree conversion: a lone bytes literal is "other", a
    // concatenation with any non-text part is dynamic.
    if (bytes && first.end === end) return { k: "other", span, children: [] };
    if (fstr || bytes) return { k: "fstr", span };
    return { k: "str", value, span };
  }

  private parenthesized(): Expr {
    const open = this.advance();
    if (this.isOp(")")) {
      const close = this.advance();
      return { k: "list", items: [], tuple: true, span: this.span(open.start, close.end) };
    }
    const first = this.starredItem();
    if (this.isName("for")) {
      const children = [first];
      this.comprehension(children);
      const close = this.expect(")");
      return { k: "other", span: this.span(open.start, close.end), children };
    }
    if (this.isOp(")")) {
      this.advance();
      if (first.k === "other" && first.children.length === 1 && this.src[first.span.start] === "*") throw new Unsupported("starred");
      return first; // parentheses only group; the span stays the inner expression's, as tree-sitter's conversion does
    }
    const items = [first];
    while (this.isOp(",")) {
      this.advance();
      if (this.isOp(")")) break;
      items.push(this.starredItem());
    }
    const close = this.expect(")");
    return { k: "list", items, tuple: true, span: this.span(open.start, close.end) };
  }

  private starredItem(): Expr {
    if (this.isOp("*")) throw new Unsupported("starred item");
    return this.expr();
  }

  private listDisplay(): Expr {
    const open = this.advance();
    const items: Expr[] = [];
    while (!this.isOp("]")) {
      items.push(this.starredItem());
      if (this.isName("for")) {
        if (items.length !== 1) throw new Unsupported("comprehension");
        this.comprehension(items);
        const close = this.expect("]");
        return { k: "other", span: this.span(open.start, close.end), children: items };
      }
      if (!this.isOp(",")) break;
      this.advance();
    }
    const close = this.expect("]");
    return { k: "list", items, tuple: false, span: this.span(open.start, close.end) };
  }

  private dictDisplay(): Expr {
    const open = this.advance();
    const entries: { key: Expr | null; value: Expr }[] = [];
    let isSet = false;
    const items: Expr[] = [];
    while (!this.isOp("}")) {
      if (this.isOp("**")) {
        this.advance();
        entries.push({ key: null, value: this.expr() });
      } else {
        const key = this.starredItem();
        const first = entries.length === 0 && items.length === 0;
        if (this.isName("for")) {
          if (!first) throw new Unsupported("comprehension");
          return this.comprehensionIn(open.start, [key]);
        }
        if (this.isOp(":")) {
          this.advance();
          const value = this.expr();
          if (this.isName("for")) {
            if (!first) throw new Unsupported("comprehension");
            return this.comprehensionIn(open.start, [key, value]);
          }
          entries.push({ key, value });
        } else {
          isSet = true;
          items.push(key);
        }
      }
      if (!this.isOp(",")) break;
      this.advance();
    }
    const close = this.expect("}");
    const span = this.span(open.start, close.end);
    if (isSet) {
      if (entries.length > 0) throw new Unsupported("mixed display");
      return { k: "list", items, tuple: true, span };
    }
    return { k: "dict", entries, span };
  }

  /** A set or dict comprehension's clauses and closing brace. */
  private comprehensionIn(start: number, children: Expr[]): Expr {
    this.comprehension(children);
    const close = this.expect("}");
    return { k: "other", span: this.span(start, close.end), children };
  }
}

/**
 * Whether an f-string's body has replacement fields; each must be one this reader is sure
 * of: an expression it reads, maybe `!r`/`!s`/`!a` and a format spec without nested
 * fields. Anything else (quotes, backslashes or comments in a field, nested fields, `=`
 * specifiers) is tree-sitter's to read: Unsupported.
 */
function hasFields(content: string): boolean {
  let fields = false;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === 125 /* } */) {
      // A `}` outside a field must be doubled.
      if (content.charCodeAt(i + 1) !== 125) throw new Unsupported("f-string");
      i++;
    } else if (c === 123 /* { */) {
      if (content.charCodeAt(i + 1) === 123) {
        i++;
        continue;
      }
      i = checkField(content, i + 1);
      fields = true;
    }
  }
  return fields;
}

/**
 * Just past the `}` closing the f-string field whose text starts at `i`, or -1 unless the
 * field is plain: no quotes, backslashes, `#`, nested fields or line breaks (Python 3.12
 * lets fields nest the same quotes, which a plain scan misreads). Shared with comments.ts.
 */
export function fieldEnd(src: string, i: number): number {
  for (let j = i; j < src.length; j++) {
    const c = src.charCodeAt(j);
    if (c === 125 /* } */) return j + 1;
    if (c === 39 || c === 34 || c === 92 || c === 35 || c === 123 || c === 10 || c === 13) return -1;
  }
  return -1;
}

/** Checks the field starting at `start`; returns the index of its closing `}`. */
function checkField(content: string, start: number): number {
  const close = fieldEnd(content, start) - 1;
  if (close < 0) throw new Unsupported("f-string field");
  // The expression ends at the first `!` (not `!=`) or `:` outside brackets.
  let split = close;
  for (let j = start, depth = 0; j < close && split === close; j++) {
    const c = content.charCodeAt(j);
    if (c === 40 || c === 91) depth++;
    else if (c === 41 || c === 93) depth--;
    else if (depth === 0 && ((c === 33 /* ! */ && content.charCodeAt(j + 1) !== 61) || c === 58 /* : */)) split = j;
  }
  const expr = content.slice(start, split);
  if (/(?:^|[^=!<>])=\s*$/.test(expr)) throw new Unsupported("f-string = specifier");
  readExpression(expr, 0, expr.length);
  const rest = content.slice(split, close);
  if (/[()[\]]/.test(rest)) throw new Unsupported("f-string format spec");
  if (rest.startsWith("!") && !/^![rsa](?::|$)/.test(rest)) throw new Unsupported("f-string conversion");
  return close;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "\n": "" };

/** A string literal's body → its value (Python escape rules); shared with syntax.ts. */
export function decode(content: string, raw: boolean): string {
  if (raw || !content.includes("\\")) return content;
  return content.replace(/\\(\r\n|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-7]{1,3}|[\s\S])/g, (m, e: string) => {
    if (e === "\r\n") return "";
    if (e[0] === "x" || e[0] === "u" || e[0] === "U") {
      // `\x` without its digits or beyond U+10FFFF is no escape Python accepts: keep the text.
      const code = parseInt(e.slice(1), 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    if (e[0] === "N") return m;
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return SIMPLE_ESCAPES[e] ?? m;
  });
}
