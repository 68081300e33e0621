// Comments read from the text of a file tree-sitter parsed without error: one regex jump
// to the next `#` or quote at a time, strings skipped. Cheaper than a WASM-side search of
// the tree (`descendantsOfType("comment")`), which the parser still uses whenever this
// reader declines. test/header.test.ts checks both find the same comments.
import type { Comment } from "./ast.js";
import { fieldEnd, isIdPart } from "./fastexpr.js";
import type { LineIndex } from "./lines.js";

const COMMENT_OR_QUOTE = /[#"']/g;
const IN_DOUBLE = /[\\"\n{]/g;
const IN_SINGLE = /[\\'\n{]/g;

function isPrefixLetter(c: number): boolean {
  // r R b B u U f F
  return c === 114 || c === 82 || c === 98 || c === 66 || c === 117 || c === 85 || c === 102 || c === 70;
}

/** Whether the string whose quote is at `q` has an f prefix (`f"`, `rf"`, `Fr"` ...). */
function isFString(src: string, q: number): boolean {
  let i = q;
  while (i > 0 && q - i < 2 && isPrefixLetter(src.charCodeAt(i - 1))) i--;
  if (i > 0 && isIdPart(src.charCodeAt(i - 1))) return false; // part of a name, not a prefix
  for (let j = i; j < q; j++) if ((src.charCodeAt(j) | 32) === 102) return true;
  return false;
}

/**
 * Every comment of the file, or null when unsure: an unterminated string, or an f-string
 * with a field that is not plain (Python 3.12 lets fields nest the same quotes, which a
 * plain scan misreads).
 */
export function textComments(src: string, lines: LineIndex): Comment[] | null {
  const out: Comment[] = [];
  const n = src.length;
  let i = 0;
  for (;;) {
    COMMENT_OR_QUOTE.lastIndex = i;
    if (!COMMENT_OR_QUOTE.exec(src)) return out;
    i = COMMENT_OR_QUOTE.lastIndex - 1;
    const c = src.charCodeAt(i);
    if (c === 35 /* # */) {
      let eol = src.indexOf("\n", i);
      if (eol < 0) eol = n;
      const p = lines.position(i);
      out.push({ line: p.line, column: p.column, text: src.slice(i, src.charCodeAt(eol - 1) === 13 ? eol - 1 : eol) });
      i = eol;
      continue;
    }
    const triple = src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c;
    const fstring = isFString(src, i);
    const inString = c === 34 ? IN_DOUBLE : IN_SINGLE;
    i += triple ? 3 : 1;
    for (;;) {
      inString.lastIndex = i;
      if (!inString.exec(src)) return null;
      i = inString.lastIndex - 1;
      const ch = src.charCodeAt(i);
      if (ch === 92 /* \ */) {
        i += 2;
      } else if (ch === 123 /* { */) {
        if (fstring && src.charCodeAt(i + 1) !== 123) {
          // A replacement field: only one without quotes, backslashes, comments or nested fields.
          i = fieldEnd(src, i + 1);
          if (i < 0) return null;
        } else {
          i += fstring ? 2 : 1;
        }
      } else if (ch === 10) {
        if (!triple) return null;
        i++;
      } else if (!triple) {
        i++;
        break;
      } else if (src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c) {
        i += 3;
        break;
      } else {
        i++;
      }
    }
  }
}
