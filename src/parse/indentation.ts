// Python's indentation errors, which tree-sitter's grammar does not report: it reads a
// line indented deeper than its block, a dedent to no enclosing level, a block header
// with nothing indented after it, or tabs and spaces mixed ambiguously, all without an
// ERROR node. Python refuses to import such a file (IndentationError, TabError), so
// Alembic fails on it. This follows CPython's tokenizer (the two indentation stacks,
// tabs to multiples of 8 and to 1) and its parser's INDENT expectations. Unsure of the
// text (a token the lexer does not know, a backslash before a line's indentation), it
// says nothing.
import { bracket, Lexer, logicalLineStart, T, Unsupported, type Token } from "./fastexpr.js";

export interface IndentationProblem {
  /** Offset of the line's first token (or of the header, for a block left empty at the end). */
  start: number;
  message: string;
}

const MAX_LEVELS = 100; // CPython's MAXINDENT
const STATEMENTS = new Set(["if", "elif", "else", "for", "while", "try", "except", "finally", "with", "match", "case"]);

/** The first indentation error Python would raise in `source`, or null. */
export function indentationError(source: string): IndentationProblem | null {
  const lex = new Lexer(source, 0, source.length);
  lex.lineMode = true;
  const cols = [0];
  const alts = [0];
  let depth = 0;
  let first: Token | null = null;
  let last: Token | null = null;
  /** The first token of the previous logical line when that line opens a block (ends with `:`). */
  let header: Token | null = null;
  try {
    for (;;) {
      const tok = lex.next();
      if (tok.t === T.End || tok.t === T.Newline) {
        if (first) header = last!.t === T.Op && last!.v === ":" ? first : null;
        first = null;
        if (tok.t === T.End) break;
        continue;
      }
      if (!first) {
        first = tok;
        const problem = atLineStart(source, tok, cols, alts, header);
        if (problem) return problem;
      }
      last = tok;
      if (tok.t === T.Op) {
        depth += bracket(tok);
        lex.lineMode = depth <= 0;
      }
    }
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  if (header && depth <= 0) return { start: header.start, message: expectedBlock(source, header) };
  return null;
}

/**
 * The checks at the first token of a logical line: CPython's tokenizer (TabError, a
 * dedent to no enclosing level, too many levels), then its parser (an indent where no
 * block opens, no indent where one does). Updates the indentation stacks.
 */
function atLineStart(src: string, tok: Token, cols: number[], alts: number[], header: Token | null): IndentationProblem | null {
  const lineStart = logicalLineStart(src, tok);
  let col = 0;
  let alt = 0;
  for (let i = lineStart; i < tok.start; i++) {
    const c = src.charCodeAt(i);
    if (c === 32) {
      col++;
      alt++;
    } else if (c === 9) {
      col = (Math.floor(col / 8) + 1) * 8;
      alt++;
    } else if (c === 12) {
      col = alt = 0;
    } else if (c !== 13) {
      throw new Unsupported("indentation");
    }
  }
  const inconsistent = { start: tok.start, message: "inconsistent use of tabs and spaces in indentation" };
  let top = cols.length - 1;
  if (col === cols[top]) {
    if (alt !== alts[top]) return inconsistent;
  } else if (col > cols[top]!) {
    if (cols.length >= MAX_LEVELS) return { start: tok.start, message: "too many levels of indentation" };
    if (alt <= alts[top]!) return inconsistent;
    if (!header) return { start: tok.start, message: "unexpected indent" };
    cols.push(col);
    alts.push(alt);
    return null;
  } else {
    while (top > 0 && col < cols[top]!) {
      cols.pop();
      alts.pop();
      top--;
    }
    if (col !== cols[top]) return { start: tok.start, message: "unindent does not match any outer indentation level" };
    if (alt !== alts[top]) return inconsistent;
  }
  return header ? { start: tok.start, message: expectedBlock(src, header) } : null;
}

/** CPython's wording: "expected an indented block after 'if' statement on line 3". */
function expectedBlock(src: string, header: Token): string {
  let line = 1;
  for (let i = src.indexOf("\n"); i >= 0 && i < header.start; i = src.indexOf("\n", i + 1)) line++;
  const word = header.v === "async" ? nextWord(src, header.end) : header.v;
  const what = word === "def" ? "function definition" : word === "class" ? "class definition" : STATEMENTS.has(word) ? `'${word}' statement` : "line";
  return `expected an indented block after ${what} on line ${line}`;
}

function nextWord(src: string, from: number): string {
  return /^\s*(\w+)/.exec(src.slice(from, from + 40))?.[1] ?? "";
}
