// GitHub Actions workflow commands: `::error file=…,line=…::message`, escaped per
// actions/toolkit (message: % CR LF; properties additionally : and ,).
//
// Paths are relative to the Git work-tree root (GitHub resolves `file=` against the
// workspace, which is the repository root). The message repeats `path:line:col: CODE`
// like ruff's github format, because GitHub turns at most 10 commands per level and
// step into annotations: the rest are only visible in the log, where the location
// must be in the text.
import { projectRoot, rootRelative } from "./paths.js";
import type { ReportInput } from "./types.js";

const LEVEL = { error: "error", warning: "warning", note: "notice" } as const;
/** Annotations GitHub shows per level and step. */
export const ANNOTATIONS_PER_LEVEL = 10;

export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export default function github(input: ReportInput): string {
  const root = projectRoot(input.cwd);
  const lines: string[] = [];
  const counts = { error: 0, warning: 0, notice: 0 };
  for (const d of input.diagnostics) {
    if (d.suppressed) continue;
    const file = rootRelative(d.path, input.cwd, root);
    const { line, column, endLine, endColumn } = d.span;
    const props = [`file=${escapeProperty(file)}`, `line=${line}`, `endLine=${Math.max(line, endLine)}`, `col=${column}`];
    // endColumn applies only to single-line ranges (toolkit AnnotationProperties).
    if (endLine <= line && endColumn > column) props.push(`endColumn=${endColumn}`);
    props.push(`title=${escapeProperty(`${d.code} ${d.name}`)}`);
    const level = LEVEL[d.severity];
    counts[level]++;
    lines.push(`::${level} ${props.join(",")}::${escapeData(`${file}:${line}:${column}: ${d.code} ${d.message}`)}`);
  }
  const over = (Object.entries(counts) as [string, number][]).filter(([, n]) => n > ANNOTATIONS_PER_LEVEL);
  if (over.length > 0) {
    // A plain line (not a command): it shows in the log without using an annotation slot.
    lines.push(
      `alembic-lint: ${over.map(([l, n]) => `${n} ${l}s`).join(", ")}; GitHub shows at most ${ANNOTATIONS_PER_LEVEL} annotations per level and step, the rest are listed above in this log (use --format sarif for code scanning).`,
    );
  }
  return lines.length > 0 ? lines.join("\n") + "\n" : "";
}
