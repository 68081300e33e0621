// Human output through eslint-formatter-friendly, fed ESLint-shaped results.
import { createRequire } from "node:module";
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

const ITERM_PREFIX = /^\u001b\]1337;CurrentDir=[^\u0007]*\u0007/;

export default function friendly(input: ReportInput): string {
  const byPath = new Map<string, { filePath: string; source: string; messages: unknown[]; errorCount: number; warningCount: number }>();
  for (const f of input.files) {
    byPath.set(f.path, { filePath: f.absPath, source: f.source ?? "", messages: [], errorCount: 0, warningCount: 0 });
  }
  for (const d of input.diagnostics) {
    if (d.suppressed) continue;
    let r = byPath.get(d.path);
    if (!r) {
      r = { filePath: d.path, source: "", messages: [], errorCount: 0, warningCount: 0 };
      byPath.set(d.path, r);
    }
    const error = d.severity === "error";
    r.messages.push({
      ruleId: `${d.code}`,
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
  const results = [...byPath.values()].filter((r) => r.messages.length > 0);
  if (results.length === 0) return "";
  const out = load(input.color)(results).replace(ITERM_PREFIX, "");
  return out.endsWith("\n") ? out : out + "\n";
}
