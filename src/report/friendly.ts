// Human output through eslint-formatter-friendly, fed ESLint-shaped results.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { ReportInput } from "./types.js";

type Formatter = (results: unknown[]) => string;

let formatter: Formatter | null = null;

function load(color: boolean): Formatter {
  // chalk 2 decides colour once, when it loads, and ignores NO_COLOR: decide for it.
  process.env.FORCE_COLOR = color ? "1" : "0";
  process.env.EFF_NO_LINK_RULES ??= "true"; // our codes are not ESLint rules
  formatter ??= createRequire(import.meta.url)("eslint-formatter-friendly") as Formatter;
  return formatter;
}

// Printed when stdout is a TTY outside CI (also under pre-commit's pty): an iTerm2
// hint that is noise everywhere else, and garbage in a file.
const ITERM_PREFIX = /\u001b\]1337;CurrentDir=[^\u0007]*\u0007/g;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

interface EslintResult {
  filePath: string;
  source: string;
  messages: unknown[];
  errorCount: number;
  warningCount: number;
}

/** The formatter reads the file itself when `source` is empty, and throws if it cannot. */
function sourceOf(abs: string, known: string | null | undefined): string {
  if (known) return known;
  try {
    return readFileSync(abs, "utf8") || "\n";
  } catch {
    return "\n";
  }
}

export default function friendly(input: ReportInput): string {
  const byPath = new Map<string, EslintResult>();
  const files = new Map(input.files.map((f) => [f.path, f]));
  for (const d of input.diagnostics) {
    if (d.suppressed) continue;
    let r = byPath.get(d.path);
    if (!r) {
      const f = files.get(d.path);
      const abs = f?.absPath ?? path.resolve(input.cwd, d.path);
      r = { filePath: abs, source: sourceOf(abs, f?.source), messages: [], errorCount: 0, warningCount: 0 };
      byPath.set(d.path, r);
    }
    const error = d.severity === "error";
    r.messages.push({
      ruleId: d.code,
      severity: error ? 2 : 1,
      message: d.severity === "note" ? `(note) ${d.message}` : d.message,
      line: d.span.line,
      column: d.span.column,
      endLine: d.span.endLine,
      endColumn: d.span.endColumn,
    });
    if (error) r.errorCount++;
    else r.warningCount++;
  }
  const results = [...byPath.values()];
  if (results.length === 0) return "";
  let out = load(input.color)(results).replace(ITERM_PREFIX, "");
  // Belt and braces: chalk may have been loaded earlier with another setting.
  if (!input.color) out = out.replace(ANSI, "");
  return out.endsWith("\n") ? out : out + "\n";
}
