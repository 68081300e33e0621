// Human output through eslint-formatter-friendly, fed ESLint-shaped results.
//
// Memory (issue 9): the report is made in pieces. The findings are put in the formatter's
// order once, then handed to it CHUNK at a time, and each piece is written out before the
// next is made. The formatter still renders every finding; only the summary it appends to
// each chunk is cut off, and the summary of the whole run is rebuilt at the end the way it
// builds it. The pieces join to exactly what one call over all the findings printed. And
// chalk's stylers are memoized (see memoizeStyles): without that, the styling alone left
// ~250 MB of old-space garbage on 45,000 findings.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Diagnostic } from "../engine/rule.js";
import type { ReportInput } from "./types.js";

interface EslintResult {
  filePath: string;
  source: string;
  messages: unknown[];
  errorCount: number;
  warningCount: number;
}

type Paint = ((s: string) => string) & { bold: (s: string) => string };
interface Chalk {
  red: Paint;
  yellow: Paint;
  white: (s: string) => string;
  gray: (s: string) => string;
  underline: (s: string) => string;
}

/** The formatter and the very instances of its dependencies it uses. */
interface Kit {
  format: (results: EslintResult[]) => string;
  chalk: Chalk;
  table: (rows: unknown[][], opts: { align: string[]; stringLength: (s: string) => number }) => string;
  stripAnsi: (s: string) => string;
}

let kit: Kit | null = null;

function load(color: boolean): Kit {
  // chalk 2 decides colour once, when it loads, and ignores NO_COLOR: decide for it.
  process.env.FORCE_COLOR = color ? "1" : "0";
  process.env.EFF_NO_LINK_RULES ??= "true"; // our codes are not ESLint rules
  if (!kit) {
    const require = createRequire(import.meta.url);
    const format = require("eslint-formatter-friendly") as Kit["format"];
    const own = createRequire(require.resolve("eslint-formatter-friendly"));
    const chalk = own("chalk") as Chalk;
    // Best effort: a dependency laid out otherwise is simply used as it is.
    try {
      memoizeStyles(chalk);
      memoizeHighlight(createRequire(own.resolve("@babel/code-frame"))("@babel/highlight") as { default?: unknown });
    } catch {
      // slower and hungrier, same output
    }
    kit = { format, chalk, table: own("text-table") as Kit["table"], stripAnsi: own("strip-ansi") as Kit["stripAnsi"] };
  }
  return kit;
}

type Styler = ((...args: unknown[]) => string) & { _styles?: unknown };
const MEMOIZED = Symbol("alembic-lint: chalk styles memoized");

/**
 * chalk 2 builds a new styler on every `chalk.red` / `.bold` (a function given accessors and a
 * new prototype: new hidden classes, allocated in V8's old space, freed only by a full GC). The
 * formatter and @babel/code-frame do that ~10 times per finding (~20 in colour: the highlighter
 * too), which grew the heap by ~250 MB on 45,000 findings (~2 KB per styler). Stylers keep no state of their own (colour
 * level and on/off are read from the root instance when they are called), so the same chain of
 * styles can return the same styler: the root's style getters, and those of every styler they
 * return, are shadowed by caching ones. Model getters (`hex`, `rgb`...) return plain functions:
 * not cached.
 */
function memoizeStyles(chalk: object): void {
  const root = Object.getPrototypeOf(chalk) as object | null; // the instance behind the template function
  const styles = root && (Object.getPrototypeOf(root) as object | null); // Chalk.prototype: the style getters
  const red = (chalk as { red?: unknown }).red;
  const stylerProto = typeof red === "function" ? (Object.getPrototypeOf(red) as object | null) : null;
  if (!root || !styles || !stylerProto || Object.prototype.hasOwnProperty.call(root, MEMOIZED)) return;
  Object.defineProperty(root, MEMOIZED, { value: true });
  const cache = new WeakMap<object, Map<string, Styler>>();
  const memoProto = Object.create(stylerProto) as object;
  const shadow = (target: object, source: object) => {
    for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(source))) {
      const get = d.get;
      if (!get || d.set) continue;
      Object.defineProperty(target, key, {
        configurable: true,
        enumerable: d.enumerable ?? false,
        get(this: object) {
          let byKey = cache.get(this);
          if (!byKey) cache.set(this, (byKey = new Map()));
          const known = byKey.get(key);
          if (known) return known;
          const made = get.call(this) as Styler;
          if (typeof made === "function" && Array.isArray(made._styles)) {
            Object.setPrototypeOf(made, memoProto);
            byKey.set(key, made);
          }
          return made;
        },
      });
    }
  };
  shadow(root, styles);
  shadow(memoProto, stylerProto);
}

/**
 * In colour, @babel/code-frame highlights the whole file for every finding in it (then keeps a
 * few lines). The findings come sorted by file, so the last file highlighted is remembered:
 * ~4 times less work and garbage on a typical run. Same input, same options, same output.
 */
function memoizeHighlight(mod: { default?: unknown }): void {
  const highlight = mod.default as ((code: string, options?: object) => string) & { [MEMOIZED]?: true };
  if (typeof highlight !== "function" || highlight[MEMOIZED]) return;
  let last: { code: string; options: string; out: string } | null = null;
  const remembered = (code: string, options: object = {}): string => {
    const key = JSON.stringify(options);
    if (last && last.code === code && last.options === key) return last.out;
    const out = highlight(code, options);
    last = { code, options: key, out };
    return out;
  };
  mod.default = Object.assign(remembered, { [MEMOIZED]: true as const });
}

// Printed when stdout is a TTY outside CI (also under pre-commit's pty): an iTerm2
// hint that is noise everywhere else, and garbage in a file.
const ITERM_PREFIX = /\u001b\]1337;CurrentDir=[^\u0007]*\u0007/g;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Findings per formatter call. Small, so that what a chunk holds while it is made is rarely
 * alive when the young generation is collected (promoted, it would wait for a full GC): on
 * 45,676 findings in colour the heap peaked ~140 MB higher with 100 than with 30.
 */
export const CHUNK = 30;

/** The formatter reads the file itself when `source` is empty, and throws if it cannot. */
function sourceOf(abs: string, known: string | null | undefined): string {
  if (known) return known;
  try {
    return readFileSync(abs, "utf8") || "\n";
  } catch {
    return "\n";
  }
}

interface Entry {
  d: Diagnostic;
  /** Index of the file's result in the formatter's input (first-appearance order). */
  file: number;
  abs: string;
  /** The path the formatter shows and sorts by. */
  shown: string;
  severity: 1 | 2;
}

/** The formatter's order (its comparator without EFF_BY_ISSUE); ties keep input order. */
function byFormatterOrder(a: Entry, b: Entry): number {
  if (a.severity !== b.severity) return a.severity > b.severity ? 1 : -1;
  const pathSort = a.shown.localeCompare(b.shown);
  if (pathSort) return pathSort;
  if (a.d.span.line !== b.d.span.line) return a.d.span.line > b.d.span.line ? 1 : -1;
  if (a.d.span.column !== b.d.span.column) return a.d.span.column > b.d.span.column ? 1 : -1;
  return 0;
}

const pluralize = (word: string, count: number): string => (count === 1 ? word : word + "s");

/** The formatter's "✘ N problems (E errors, W warnings)" line, coloured as it does. */
function problemsLine(k: Kit, errors: number, warnings: number): string {
  const total = errors + warnings;
  const text = `✘ ${total}${pluralize(" problem", total)} (${errors}${pluralize(" error", errors)}, ${warnings}${pluralize(" warning", warnings)})`;
  return k.chalk[errors > 0 ? "red" : "yellow"].bold(text);
}

/** The formatter's printSummary (rule codes by count), same code, same environment switches. */
function ruleTable(k: Kit, hash: Record<string, number>, title: string, method: "red" | "yellow"): string {
  const subtle = (s: string) => (process.env.EFF_NO_GRAY === "true" ? s : k.chalk.gray(s));
  const keyLink = (key: string) => {
    const url = key.indexOf("/") > -1 ? "https://google.com/#q=" : "http://eslint.org/docs/rules/";
    return process.env.EFF_NO_LINK_RULES !== "true" ? k.chalk.underline(subtle(url + k.chalk.white(encodeURIComponent(key)))) : k.chalk.white(key);
  };
  const keys = Object.keys(hash).sort((a, b) => (hash[a]! > hash[b]! ? -1 : 1));
  const rows = keys.map((key) => ["", hash[key], keyLink(key)]);
  return "\n\n" + k.chalk[method](title + ":") + k.chalk.white("\n") + k.table(rows, { align: ["", "r", "l"], stringLength: (s) => k.stripAnsi(s).length });
}

/**
 * The report in pieces to write one after the other; their concatenation is the report.
 * Nothing when there is nothing to report.
 */
export function* friendlyChunks(input: ReportInput, chunk = CHUNK): Generator<string> {
  const files = new Map(input.files.map((f) => [f.path, f]));
  const absolute = process.env.EFF_ABSOLUTE_PATHS === "true";
  const byPath = new Map<string, { index: number; abs: string; shown: string; ds: Diagnostic[] }>();
  for (const d of input.diagnostics) {
    if (d.suppressed) continue;
    let g = byPath.get(d.path);
    if (!g) {
      const abs = files.get(d.path)?.absPath ?? path.resolve(input.cwd, d.path);
      g = { index: byPath.size, abs, shown: absolute ? path.resolve(abs) : path.relative(".", abs), ds: [] };
      byPath.set(d.path, g);
    }
    g.ds.push(d);
  }
  if (byPath.size === 0) return;
  // The formatter's input order (file by file), then its (stable) sort.
  const entries: Entry[] = [];
  for (const g of byPath.values()) {
    for (const d of g.ds) entries.push({ d, file: g.index, abs: g.abs, shown: g.shown, severity: d.severity === "error" ? 2 : 1 });
  }
  byPath.clear();
  entries.sort(byFormatterOrder);

  const k = load(input.color);
  // Belt and braces: chalk may have been loaded earlier with another setting.
  const plain = (s: string) => (input.color ? s : s.replace(ANSI, ""));
  let last: { file: number; source: string } | null = null; // a file's findings may span chunks
  const resultsFor = (slice: Entry[]): EslintResult[] => {
    const results: EslintResult[] = [];
    let r: EslintResult | null = null;
    let rFile = -1;
    for (const e of slice) {
      if (!r || rFile !== e.file) {
        if (last?.file !== e.file) last = { file: e.file, source: sourceOf(e.abs, files.get(e.d.path)?.source) };
        r = { filePath: e.abs, source: last.source, messages: [], errorCount: 0, warningCount: 0 };
        rFile = e.file;
        results.push(r);
      }
      r.messages.push({
        ruleId: e.d.code,
        severity: e.severity,
        message: e.d.severity === "note" ? `(note) ${e.d.message}` : e.d.message,
        line: e.d.span.line,
        column: e.d.span.column,
        endLine: e.d.span.endLine,
        endColumn: e.d.span.endColumn,
      });
      if (e.severity === 2) r.errorCount++;
      else r.warningCount++;
    }
    return results;
  };

  // Options that make one finding's text depend on the others: one call, as before.
  if (process.env.EFF_BY_ISSUE === "true" || process.env.EFF_FILTER) {
    const out = plain(k.format(resultsFor(entries)).replace(ITERM_PREFIX, ""));
    yield out.endsWith("\n") ? out : out + "\n";
    return;
  }

  // Counted in the formatter's order: the summary lists codes with equal counts in first-seen order.
  const errorsHash: Record<string, number> = {};
  const warningsHash: Record<string, number> = {};
  let errors = 0;
  let warnings = 0;
  for (let start = 0; start < entries.length; start += chunk) {
    const slice = entries.slice(start, start + chunk);
    let chunkErrors = 0;
    for (const e of slice) {
      const hash = e.severity === 2 ? errorsHash : warningsHash;
      hash[e.d.code] = (hash[e.d.code] ?? 0) + 1;
      if (e.severity === 2) chunkErrors++;
    }
    errors += chunkErrors;
    warnings += slice.length - chunkErrors;
    // "\n" + the findings joined by "\n" + "\n\n" + this chunk's summary.
    const out = k.format(resultsFor(slice)).replace(ITERM_PREFIX, "");
    const end = out.lastIndexOf("\n\n" + problemsLine(k, chunkErrors, slice.length - chunkErrors));
    if (!out.startsWith("\n") || end < 0) throw new Error("eslint-formatter-friendly: unexpected output layout");
    yield plain(out.slice(0, end));
  }
  let tail = "\n\n" + problemsLine(k, errors, warnings) + k.chalk.white("\n");
  if (errors > 0) tail += ruleTable(k, errorsHash, "Errors", "red");
  if (warnings > 0) tail += ruleTable(k, warningsHash, "Warnings", "yellow") + "\n";
  tail = plain(tail);
  yield tail.endsWith("\n") ? tail : tail + "\n";
}

/** The whole report as one string ("" when there is nothing to report). */
export default function friendly(input: ReportInput): string {
  return [...friendlyChunks(input)].join("");
}
