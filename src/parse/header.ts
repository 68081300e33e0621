// Header-only reading for files that only the revision-graph rules need (the rest of a
// versions tree in pre-commit mode): module-level `revision`, `down_revision`,
// `branch_labels`, `depends_on` and the docstring, without building a syntax tree.
// It returns null whenever it is not certain, and the caller parses the file fully;
// test/header.test.ts checks it agrees with the full extraction on every fixture.
import type { Expr } from "./ast.js";
import { readExpression, Unsupported } from "./fastexpr.js";
import { LineIndex } from "./lines.js";
import { parseDocstringHeader } from "./docstring.js";
import type { Header, HeaderVar, Migration, Span } from "../model.js";

interface Statement {
  start: number;
  end: number;
}

// The characters that can change the statement structure; everything between them is
// skipped with one regex search (a per-character loop cost ~0.1 ms per file, cold).
const STRUCTURAL = /[#"'()[\]{}\\;\n]/g;
const IN_STRING = /[\\\n"']/g;

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 12 || c === 13 || c === 10;
}

/**
 * Splits the source into module-level logical statements (column 0), or null if unsure.
 * Collects every comment on the way (suppressions of graph findings need them).
 */
function moduleStatements(src: string, comments: { start: number; text: string }[]): Statement[] | null {
  const out: Statement[] = [];
  let i = 0;
  const n = src.length;
  let depth = 0;
  let stmtStart = -1;
  let atLineStart = true;
  let lineIndented = false;
  // An indented statement must follow a block opener (`def f():`, `if x:`); anything
  // else is an indentation error CPython rejects and tree-sitter may not: decline.
  let inBlock = false;
  let lineComment = -1; // start of a comment on the current physical line
  let broken = false;
  const flush = (end: number) => {
    if (stmtStart >= 0) {
      if (!lineIndented) {
        out.push({ start: stmtStart, end });
        let last = (lineComment >= stmtStart ? lineComment : end) - 1;
        while (last >= stmtStart && isBlank(src.charCodeAt(last))) last--;
        inBlock = last >= stmtStart && src.charCodeAt(last) === 58; /* : */
      } else if (!inBlock) {
        broken = true;
      }
    }
    stmtStart = -1;
  };
  while (i < n) {
    if (atLineStart && depth === 0) {
      atLineStart = false;
      let j = i;
      while (j < n && (src.charCodeAt(j) === 32 || src.charCodeAt(j) === 9 || src.charCodeAt(j) === 12)) j++;
      const next = src.charCodeAt(j);
      if (next === 10 || next === 13 || next === 35 || j >= n) {
        // blank or comment-only line: not a statement (the comment is read next)
        i = j;
        continue;
      }
      lineIndented = j > i;
      stmtStart = j;
      i = j;
      continue;
    }
    STRUCTURAL.lastIndex = i;
    if (!STRUCTURAL.exec(src)) break;
    i = STRUCTURAL.lastIndex - 1;
    const c = src.charCodeAt(i);
    if (c === 35 /* # */) {
      const start = i;
      const eol = src.indexOf("\n", i);
      i = eol < 0 ? n : eol;
      lineComment = start;
      comments.push({ start, text: src.slice(start, i).replace(/\r$/, "") });
      continue;
    }
    if (c === 34 || c === 39) {
      const q = src[i]!;
      const triple = src.startsWith(q + q + q, i);
      const close = triple ? q + q + q : q;
      i += triple ? 3 : 1;
      for (;;) {
        IN_STRING.lastIndex = i;
        if (!IN_STRING.exec(src)) return null; // unterminated string: let the full parser judge
        i = IN_STRING.lastIndex - 1;
        const ch = src.charCodeAt(i);
        if (ch === 92) {
          i += 2;
          continue;
        }
        if (ch === 10 && !triple) return null;
        if (ch === 10 || !src.startsWith(close, i)) {
          i++;
          continue;
        }
        i += close.length;
        break;
      }
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (--depth < 0) return null;
    } else if (c === 92) {
      if (src.charCodeAt(i + 1) === 10 || src.charCodeAt(i + 1) === 13) {
        i += src.charCodeAt(i + 1) === 13 && src.charCodeAt(i + 2) === 10 ? 3 : 2;
        continue;
      }
    } else if (c === 59 /* ; */) {
      if (depth === 0) {
        // `a = 1; b = 2`: two statements on one line.
        flush(i);
        let j = i + 1;
        while (j < n && (src.charCodeAt(j) === 32 || src.charCodeAt(j) === 9)) j++;
        stmtStart = j;
        i = j;
        continue;
      }
    } else if (c === 10) {
      if (depth === 0) {
        flush(i);
        atLineStart = true;
      }
      lineComment = -1;
    }
    i++;
  }
  if (depth !== 0) return null;
  flush(n);
  return broken ? null : out;
}

const ASSIGN = /^(revision|down_revision|branch_labels|depends_on)\s*(?::[^=]*)?=(?!=)/;
const NAMES = new Set(["revision", "down_revision", "branch_labels", "depends_on"]);

function literal(e: Expr): string | null | string[] | undefined {
  if (e.k === "str") return e.value;
  if (e.k === "const" && e.value === null) return null;
  if (e.k === "list" && e.items.every((x) => x.k === "str")) return e.items.map((x) => (x as { value: string }).value);
  return undefined;
}

export function readHeaderOnly(source: string, path: string, absPath: string): Migration | null {
  const rawComments: { start: number; text: string }[] = [];
  const stmts = moduleStatements(source, rawComments);
  if (!stmts) return null;
  const lines = new LineIndex(source);
  const span = (s: Statement): Span => {
    const a = lines.position(s.start);
    const b = lines.position(s.end);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column, start: s.start, end: s.end };
  };
  const header: Header = { revision: null, downRevision: null, branchLabels: null, dependsOn: null, docstring: null };
  const first = stmts[0];
  if (first && /^[rRuUbBfF]{0,2}["']/.test(source.slice(first.start, first.start + 4))) {
    try {
      const doc = readExpression(source, first.start, trimEnd(source, first.end));
      if (doc.k === "str") header.docstring = parseDocstringHeader(doc.value, lines.position(first.start).line, source, first.start);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      return null;
    }
  }
  for (const s of stmts) {
    const text = source.slice(s.start, s.end);
    const m = ASSIGN.exec(text);
    if (!m) {
      // Any other binding of a header name (`revision = other = ...`, tuple unpacking,
      // augmented assignment, imports) is beyond this reader.
      if (/^(?:revision|down_revision|branch_labels|depends_on)\b/.test(text) || /\b(?:revision|down_revision|branch_labels|depends_on)\b/.test(text) && /^(?:from|import|global|for|with|if|try|del)\b|,\s*(?:revision|down_revision)\s*=|=\s*(?:revision|down_revision|branch_labels|depends_on)\s*=/.test(text)) {
        return null;
      }
      continue;
    }
    const name = m[1]!;
    const valueStart = s.start + m[0].length;
    let value: Expr;
    try {
      value = readExpression(source, valueStart, trimEnd(source, s.end));
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      return null;
    }
    const lit = literal(value);
    if (lit === undefined) return null; // a name or expression: the full extractor resolves constants
    const at = span({ start: s.start, end: value.span.end });
    if (name === "revision") {
      if (Array.isArray(lit)) return null;
      header.revision = { value: lit, span: at };
      continue;
    }
    const hv: HeaderVar = { value: lit === null ? [] : typeof lit === "string" ? [lit] : lit, span: at };
    if (name === "down_revision") header.downRevision = hv;
    else if (name === "branch_labels") header.branchLabels = hv;
    else if (NAMES.has(name)) header.dependsOn = hv;
  }
  return {
    path,
    absPath,
    source,
    header,
    sections: [],
    pairs: [],
    comments: rawComments.map((c) => {
      const p = lines.position(c.start);
      return { line: p.line, column: p.column, text: c.text };
    }),
    parseError: null,
    errorRegions: [],
  };
}

/** End of a statement without trailing whitespace (comments are skipped by the reader). */
function trimEnd(src: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(src[e - 1]!)) e--;
  return e;
}
