// Offsets → 1-based line and 1-based UTF-16 column, as Python counts lines (LF, CRLF;
// a lone CR was already turned into LF by normalizeSource).
import type { Span } from "../model.js";

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(source: string) {
    for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    const lo = this.lineIndexOf(offset, 0);
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }

  /** The model span of `[start, end)` (both positions found without temporary objects). */
  span(start: number, end: number): Span {
    const starts = this.starts;
    const a = this.lineIndexOf(start, 0);
    const b = end >= start ? this.lineIndexOf(end, a) : this.lineIndexOf(end, 0);
    return { line: a + 1, column: start - starts[a]! + 1, endLine: b + 1, endColumn: end - starts[b]! + 1, start, end };
  }

  /** 0-based index of the line holding `offset`, searching from line `from` (a line at or before it). */
  private lineIndexOf(offset: number, from: number): number {
    const starts = this.starts;
    let lo = from;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
