// A stable machine format: findings plus the metadata of the rules that ran.
// The shape is documented in docs/output-formats.md; bump JSON_FORMAT_VERSION on any
// incompatible change (adding keys is compatible).
import { compareDiagnostics, type Diagnostic } from "../engine/rule.js";
import { ruleHelpUri } from "../meta.js";
import type { ReportInput } from "./types.js";

export const JSON_FORMAT_VERSION = 1;

function position(source: string | null | undefined, offset: number): { line: number; column: number } | null {
  if (source == null) return null;
  const before = source.slice(0, Math.max(0, Math.min(offset, source.length)));
  const nl = before.lastIndexOf("\n");
  return { line: before.split("\n").length, column: before.length - nl };
}

/** The report as one string (tests, library use); the CLI writes jsonChunks piece by piece. */
export default function json(input: ReportInput): string {
  return [...jsonChunks(input)].join("");
}

/** Pieces of text are gathered up to this size before they are handed out. */
const PIECE = 1 << 16;

/**
 * The report, byte for byte `JSON.stringify(doc, null, 2) + "\n"`, in pieces: each finding is
 * shaped and printed on its own, so a run with tens of thousands of findings never holds
 * them all (nor the whole text) at once.
 */
export function* jsonChunks(input: ReportInput): Generator<string> {
  const sources = new Map(input.files.map((f) => [f.path, f.source]));
  const sorted = [...input.diagnostics].sort(compareDiagnostics);
  const active = sorted.filter((d) => !d.suppressed);
  const doc = {
    version: JSON_FORMAT_VERSION,
    tool: { name: "alembic-lint", version: input.toolVersion },
    summary: {
      files: input.files.length,
      errors: active.filter((d) => d.severity === "error").length,
      warnings: active.filter((d) => d.severity === "warning").length,
      notes: active.filter((d) => d.severity === "note").length,
      suppressed: sorted.length - active.length,
      executionSuccessful: input.executionSuccessful,
    },
    diagnostics: [] as unknown[],
    rules: [...input.rules]
      .sort((a, b) => (a.rule.meta.code < b.rule.meta.code ? -1 : 1))
      .map(({ rule, severity }) => ({
        code: rule.meta.code,
        name: rule.meta.name,
        severity,
        defaultSeverity: rule.meta.severity,
        category: rule.meta.category,
        precision: rule.meta.precision ?? null,
        fixable: rule.meta.fixable === true,
        summary: rule.meta.docs.summary,
        helpUri: ruleHelpUri(rule.meta.code, rule.meta.name),
      })),
  };
  const whole = JSON.stringify(doc, null, 2) + "\n";
  if (sorted.length === 0) {
    yield whole;
    return;
  }
  // The document with an empty list, cut where the findings go; each finding is printed
  // as JSON.stringify prints an element at that depth (4 more spaces on every line).
  const hole = whole.indexOf('"diagnostics": []') + '"diagnostics": ['.length;
  // Parts joined once per piece: `+=` built ropes that were copied again when written.
  let parts: string[] = [whole.slice(0, hole)];
  let length = 0;
  for (const [i, d] of sorted.entries()) {
    const text = (i === 0 ? "\n    " : ",\n    ") + (plainFinding(d) ?? JSON.stringify(shape(d, sources), null, 2).replace(/\n/g, "\n    "));
    parts.push(text);
    length += text.length;
    if (length >= PIECE) {
      yield parts.join("");
      parts = [];
      length = 0;
    }
  }
  parts.push("\n  " + whole.slice(hole));
  yield parts.join("");
}

/**
 * The printed element of a finding without a fix or suppression (nearly all of them),
 * written directly: the same text as the JSON.stringify above at a third of its cost on
 * reports of tens of thousands of findings. Anything else (or a value JSON.stringify
 * would leave out) returns null.
 */
function plainFinding(d: Diagnostic): string | null {
  const { span } = d;
  if (d.fix || d.suppressed || typeof d.fingerprint !== "string" || !integers(span)) return null;
  const q = JSON.stringify;
  let related = "[]";
  if (d.related.length > 0) {
    const items: string[] = [];
    for (const r of d.related) {
      if (!integers(r.span) || typeof r.message !== "string") return null;
      items.push(
        `{\n          "path": ${q(r.path ?? d.path)},\n          "line": ${r.span.line},\n          "column": ${r.span.column},` +
        `\n          "endLine": ${r.span.endLine},\n          "endColumn": ${r.span.endColumn},\n          "message": ${q(r.message)}\n        }`,
      );
    }
    related = `[\n        ${items.join(",\n        ")}\n      ]`;
  }
  return (
    `{\n      "code": ${q(d.code)},\n      "name": ${q(d.name)},\n      "severity": ${q(d.severity)},\n      "path": ${q(d.path)},` +
    `\n      "line": ${span.line},\n      "column": ${span.column},\n      "endLine": ${span.endLine},\n      "endColumn": ${span.endColumn},` +
    `\n      "message": ${q(d.message)},\n      "related": ${related},\n      "fixable": false,\n      "fix": null,` +
    `\n      "fingerprint": ${q(d.fingerprint)},\n      "suppressed": null\n    }`
  );
}

function integers(span: { line: number; column: number; endLine: number; endColumn: number }): boolean {
  return Number.isInteger(span.line) && Number.isInteger(span.column) && Number.isInteger(span.endLine) && Number.isInteger(span.endColumn);
}

function shape(d: Diagnostic, sources: Map<string, string | null>) {
  return {
    code: d.code,
    name: d.name,
    severity: d.severity,
    path: d.path,
    line: d.span.line,
    column: d.span.column,
    endLine: d.span.endLine,
    endColumn: d.span.endColumn,
    message: d.message,
    related: d.related.map((r) => ({
      path: r.path ?? d.path,
      line: r.span.line,
      column: r.span.column,
      endLine: r.span.endLine,
      endColumn: r.span.endColumn,
      message: r.message,
    })),
    fixable: d.fix !== undefined,
    fix: d.fix
      ? {
          description: d.fix.description,
          edits: [...d.fix.edits]
            .sort((a, b) => a.start - b.start || a.end - b.end)
            .map((e) => {
              const s = position(sources.get(d.path), e.start);
              const t = position(sources.get(d.path), e.end);
              return { start: e.start, end: e.end, text: e.text, ...(s && t ? { line: s.line, column: s.column, endLine: t.line, endColumn: t.column } : {}) };
            }),
        }
      : null,
    fingerprint: d.fingerprint,
    suppressed: d.suppressed ? { kind: d.suppressed.kind, justification: d.suppressed.justification } : null,
  };
}
