// In-source suppressions: `# alembic-lint: ignore[CODE,...] reason` on the line (or
// the line above), `# alembic-lint: ignore-file[CODE,...] reason`, and `# noqa: CODE`.
import type { Migration } from "../model.js";
import type { ActiveRule } from "./registry.js";
import { findRule } from "./registry.js";
import type { Diagnostic } from "./rule.js";

export interface Suppression {
  line: number;
  column: number;
  scope: "line" | "file";
  /** Lines the suppression covers (its own line, and the next one when alone on its line). */
  lines: number[];
  codes: string[];
  reason: string;
  form: "alembic-lint" | "noqa";
  used: boolean;
}

const DIRECTIVE = /#\s*alembic-lint:\s*(ignore-file|ignore)\s*\[([^\]]*)\]\s*(.*)$/;
const NOQA = /#\s*noqa\s*:\s*([A-Za-z0-9_,\s-]+?)(?:\s+(.*))?$/;

export function parseSuppressions(m: Migration): Suppression[] {
  const lines = m.source.split("\n");
  const out: Suppression[] = [];
  for (const c of m.comments) {
    const text = c.text;
    const ownLine = (lines[c.line - 1] ?? "").slice(0, c.column - 1).trim() === "";
    const covered = ownLine ? [c.line, nextCodeLine(lines, c.line)] : [c.line];
    const d = DIRECTIVE.exec(text);
    if (d) {
      const codes = d[2]!.split(",").map((s) => s.trim()).filter(Boolean).map(canonical);
      out.push({ line: c.line, column: c.column, scope: d[1] === "ignore-file" ? "file" : "line", lines: covered, codes, reason: d[3]!.trim(), form: "alembic-lint", used: false });
      continue;
    }
    const n = NOQA.exec(text);
    if (n) {
      const codes = n[1]!.split(/[,\s]+/).map((s) => s.trim()).filter((s) => /^ALM\d+$/i.test(s) || findRule(s)).map(canonical);
      if (codes.length > 0) out.push({ line: c.line, column: c.column, scope: "line", lines: [c.line], codes, reason: (n[2] ?? "").trim(), form: "noqa", used: false });
    }
  }
  return out;
}

function nextCodeLine(lines: string[], line: number): number {
  for (let i = line; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t !== "" && !t.startsWith("#")) return i + 1;
  }
  return line + 1;
}

function canonical(codeOrName: string): string {
  return findRule(codeOrName)?.meta.code ?? codeOrName.toUpperCase();
}

/** Marks suppressed diagnostics; ALM902 findings for unused suppressions are added when that rule is active. */
export function applySuppressions(diags: Diagnostic[], files: Map<string, Migration | null>, active: ActiveRule[]): Diagnostic[] {
  const cache = new Map<string, Suppression[]>();
  const get = (path: string) => {
    let s = cache.get(path);
    if (!s) {
      const m = files.get(path);
      s = m ? parseSuppressions(m) : [];
      cache.set(path, s);
    }
    return s;
  };
  for (const d of diags) {
    if (d.code === "ALM900") continue; // cannot be suppressed
    const sups = get(d.path);
    const hit = sups.find((s) => s.codes.includes(d.code) && (s.scope === "file" || s.lines.includes(d.span.line)));
    if (hit) {
      hit.used = true;
      d.suppressed = { kind: "inSource", justification: hit.reason };
    }
  }
  const out = [...diags];
  const alm902 = active.find((a) => a.rule.meta.code === "ALM902");
  if (alm902) {
    for (const [path, m] of files) {
      if (!m) continue;
      for (const s of get(path)) {
        if (s.used || s.codes.includes("ALM902")) continue;
        // A suppression of a rule that did not run (not selected) is not known to be stale.
        if (!s.codes.some((c) => active.some((a) => a.rule.meta.code === c))) continue;
        out.push({
          code: "ALM902",
          name: alm902.rule.meta.name,
          severity: alm902.severity,
          path,
          span: { line: s.line, column: s.column, endLine: s.line, endColumn: s.column + 1 },
          message: alm902.rule.meta.messages.unused!({ codes: s.codes.join(", ") }),
          related: [],
          fingerprint: `unused:${s.codes.join(",")}`,
        });
      }
    }
  }
  return out;
}
