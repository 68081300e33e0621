// GitHub Actions workflow commands: `::error file=…,line=…::message`, escaped per
// actions/toolkit (message: % CR LF; properties additionally : and ,).
import type { ReportInput } from "./types.js";

const LEVEL = { error: "error", warning: "warning", note: "notice" } as const;

export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export default function github(input: ReportInput): string {
  const lines: string[] = [];
  for (const d of input.diagnostics) {
    if (d.suppressed) continue;
    const props = [`file=${escapeProperty(d.path)}`, `line=${d.span.line}`, `endLine=${d.span.endLine}`];
    // col/endColumn apply only to single-line ranges.
    if (d.span.line === d.span.endLine) props.push(`col=${d.span.column}`, `endColumn=${d.span.endColumn}`);
    else props.push(`col=${d.span.column}`);
    props.push(`title=${escapeProperty(`${d.code} ${d.name}`)}`);
    lines.push(`::${LEVEL[d.severity]} ${props.join(",")}::${escapeData(d.message)}`);
  }
  return lines.length > 0 ? lines.join("\n") + "\n" : "";
}
