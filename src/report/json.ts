// A stable machine format: findings plus the metadata of the rules that ran.
import type { ReportInput } from "./types.js";

export const JSON_FORMAT_VERSION = 1;

export default function json(input: ReportInput): string {
  const diagnostics = input.diagnostics.map((d) => ({
    code: d.code,
    name: d.name,
    severity: d.severity,
    path: d.path,
    line: d.span.line,
    column: d.span.column,
    endLine: d.span.endLine,
    endColumn: d.span.endColumn,
    message: d.message,
    related: d.related.map((r) => ({ path: r.path ?? d.path, line: r.span.line, column: r.span.column, message: r.message })),
    fixable: d.fix !== undefined,
    suppressed: d.suppressed ?? null,
  }));
  const active = diagnostics.filter((d) => d.suppressed === null);
  const doc = {
    version: JSON_FORMAT_VERSION,
    tool: { name: "alembic-lint", version: input.toolVersion },
    summary: {
      files: input.files.length,
      errors: active.filter((d) => d.severity === "error").length,
      warnings: active.filter((d) => d.severity === "warning").length,
      notes: active.filter((d) => d.severity === "note").length,
      suppressed: diagnostics.length - active.length,
    },
    diagnostics,
    rules: input.rules.map(({ rule, severity }) => ({
      code: rule.meta.code,
      name: rule.meta.name,
      severity,
      category: rule.meta.category,
      summary: rule.meta.docs.summary,
    })),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
