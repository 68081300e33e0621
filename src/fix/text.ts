// Text helpers for --fix: lines, indentation, line endings, applying edits and a unified diff.
import type { TextEdit } from "../engine/rule.js";

export function lineStart(src: string, off: number): number {
  return src.lastIndexOf("\n", off - 1) + 1;
}

/** Offset of the line break ending the line of `off` (or the end of the source). */
export function lineEnd(src: string, off: number): number {
  const i = src.indexOf("\n", off);
  if (i < 0) return src.length;
  return i > 0 && src[i - 1] === "\r" ? i - 1 : i;
}

/** Start of the line after the one holding `off`; src.length on the last line. */
export function nextLineStart(src: string, off: number): number {
  const i = src.indexOf("\n", off);
  return i < 0 ? src.length : i + 1;
}

/** The whitespace that starts the line holding `off`. */
export function indentAt(src: string, off: number): string {
  const s = lineStart(src, off);
  return /^[ \t]*/.exec(src.slice(s, lineEnd(src, s)))![0];
}

/** True when only whitespace precedes `off` on its line. */
export function firstOnLine(src: string, off: number): boolean {
  return /^[ \t]*$/.test(src.slice(lineStart(src, off), off));
}

/** The rest of the line after `off`, without the line break. */
export function restOfLine(src: string, off: number): string {
  return src.slice(off, lineEnd(src, off));
}

/** The line break the file uses at `off` (the majority when the line has none). */
export function eolAt(src: string, off: number): string {
  const i = src.indexOf("\n", off);
  if (i >= 0) return i > 0 && src[i - 1] === "\r" ? "\r\n" : "\n";
  return eolOf(src);
}

export function eolOf(src: string): string {
  let crlf = 0;
  let lf = 0;
  for (let i = src.indexOf("\n"); i >= 0; i = src.indexOf("\n", i + 1)) {
    if (i > 0 && src[i - 1] === "\r") crlf++;
    else lf++;
  }
  return crlf > lf ? "\r\n" : "\n";
}

/** Applies non-overlapping edits; edits at the same offset keep their given order. */
export function applyEdits(src: string, edits: TextEdit[]): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i);
  let out = "";
  let pos = 0;
  for (const { e } of sorted) {
    if (e.start < pos) throw new Error(`overlapping edits at offset ${e.start}`);
    out += src.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + src.slice(pos);
}

/** Lines with their line breaks (the last may have none). */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", pos)) {
    out.push(text.slice(pos, i + 1));
    pos = i + 1;
  }
  if (pos < text.length) out.push(text.slice(pos));
  return out;
}

type DiffOp = { k: " " | "-" | "+"; line: string };

/** Myers' O(ND) line diff. */
function diffLines(a: string[], b: string[]): DiffOp[] {
  // Common prefix and suffix first: fixes touch few places.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const n = A.length;
  const m = B.length;
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let done = n === 0 && m === 0;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && A[x] === B[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
  }
  // Backtrack.
  const mid: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vv = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vv[off + k - 1]! < vv[off + k + 1]!) ? k + 1 : k - 1;
    const prevX = vv[off + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      mid.push({ k: " ", line: A[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) mid.push({ k: "+", line: B[y - 1]! });
      else mid.push({ k: "-", line: A[x - 1]! });
    }
    x = prevX;
    y = prevY;
  }
  mid.reverse();
  return [...a.slice(0, pre).map((line) => ({ k: " " as const, line })), ...mid, ...a.slice(a.length - suf).map((line) => ({ k: " " as const, line }))];
}

/** A unified diff (3 lines of context), "" when the texts are equal. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return "";
  const ops = diffLines(splitLines(before), splitLines(after));
  const out: string[] = [`--- a/${path}\n`, `+++ b/${path}\n`];
  const changed = ops.map((o) => o.k !== " ");
  let i = 0;
  while (i < ops.length) {
    if (!changed[i]) {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is within 2*context lines of the previous one.
    let start = Math.max(0, i - context);
    while (start > 0 && changed[start - 1]) start--;
    let end = i;
    for (let j = i; j < ops.length; j++) {
      if (changed[j]) end = j;
      else if (j - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    let aLine = 1;
    let bLine = 1;
    for (let j = 0; j < start; j++) {
      if (ops[j]!.k !== "+") aLine++;
      if (ops[j]!.k !== "-") bLine++;
    }
    let aCount = 0;
    let bCount = 0;
    const body: string[] = [];
    for (let j = start; j < stop; j++) {
      const o = ops[j]!;
      if (o.k !== "+") aCount++;
      if (o.k !== "-") bCount++;
      const line = o.line.endsWith("\n") ? o.line : `${o.line}\n\\ No newline at end of file\n`;
      body.push(o.k + line);
    }
    out.push(`@@ -${aCount === 0 ? aLine - 1 : aLine},${aCount} +${bCount === 0 ? bLine - 1 : bLine},${bCount} @@\n`, ...body);
    i = stop;
  }
  return out.join("");
}
