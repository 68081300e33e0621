// --fix, --diff and SARIF `fixes` for ALM101/ALM102/ALM104 (see plan.ts for what is written).
import type { Diagnostic, Dialect } from "../engine/rule.js";
import type { LintResult } from "../lint.js";
import type { Migration } from "../model.js";
import { normalizeSource, parseMigration } from "../parse/index.js";
import { FIXABLE_CODES, planFile, type FilePlan } from "./plan.js";
import { applyEdits, unifiedDiff } from "./text.js";
import { decodeForFix, encodeLike, readBytes, writeBytesAtomically } from "./write.js";

export { FIXABLE_CODES, planFile, type FilePlan } from "./plan.js";

type FixInput = Pick<LintResult, "files" | "diagnostics">;

function byFile(result: FixInput): { m: Migration; diags: Diagnostic[] }[] {
  const diags = new Map<string, Diagnostic[]>();
  for (const d of result.diagnostics) {
    if (!diags.has(d.path)) diags.set(d.path, []);
    diags.get(d.path)!.push(d);
  }
  const out: { m: Migration; diags: Diagnostic[] }[] = [];
  for (const f of result.files) {
    const ds = diags.get(f.path) ?? [];
    if (f.migration && ds.some((d) => FIXABLE_CODES.has(d.code) && !d.suppressed)) out.push({ m: f.migration, diags: ds });
  }
  return out;
}

/** Attaches `fix` to the ALM101/ALM102/ALM104 findings that a derivable inverse removes (SARIF `fixes`). */
export async function attachFixes(result: FixInput, dialect: Dialect = "postgresql"): Promise<void> {
  for (const { m, diags } of byFile(result)) {
    let plan: FilePlan;
    try {
      plan = await planFile(m, diags, dialect);
    } catch (err) {
      // A fix is an extra: never let it break the run.
      if (process.env.ALEMBIC_LINT_DEBUG) throw err;
      continue;
    }
    for (const [d, fix] of plan.fixes) if (!d.fix) d.fix = fix;
  }
}

export interface FixOutcome {
  /** Unified diff of every file that changes (--diff). */
  diff: string;
  /** Files changed (written, or that would be written). */
  files: string[];
  /** Findings the changes remove. */
  fixed: number;
  /** TODO lines written for inverses that cannot be derived. */
  todos: number;
  /** Files (or `path:line CODE` findings) with fixable findings that were left alone, and why. */
  refused: { path: string; reason: string }[];
}

/**
 * Plans and applies the fixes of a lint result. `write: false` only computes the diff.
 * A file is written only when it decodes and encodes back byte for byte, has not changed
 * since it was linted, and the fixed text parses cleanly.
 */
export async function runFix(result: FixInput, opts: { write: boolean; dialect?: Dialect }): Promise<FixOutcome> {
  const out: FixOutcome = { diff: "", files: [], fixed: 0, todos: 0, refused: [] };
  for (const { m, diags } of byFile(result)) {
    let plan: FilePlan;
    try {
      plan = await planFile(m, diags, opts.dialect ?? "postgresql");
    } catch (err) {
      if (process.env.ALEMBIC_LINT_DEBUG) throw err;
      out.refused.push({ path: m.path, reason: `internal error while planning the fix: ${(err as Error).message} (please report it)` });
      continue;
    }
    if (plan.refused) {
      out.refused.push({ path: m.path, reason: plan.refused });
      continue;
    }
    for (const x of plan.skipped) out.refused.push({ path: `${m.path}:${x.diagnostic.span.line} ${x.diagnostic.code}`, reason: x.reason });
    if (plan.edits.length === 0) continue;
    let bytes: Buffer;
    try {
      bytes = readBytes(m.absPath);
    } catch (err) {
      out.refused.push({ path: m.path, reason: `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      continue;
    }
    const decoded = decodeForFix(bytes);
    if ("error" in decoded) {
      out.refused.push({ path: m.path, reason: decoded.error });
      continue;
    }
    if (normalizeSource(decoded.text) !== m.source) {
      out.refused.push({ path: m.path, reason: "it changed while being checked" });
      continue;
    }
    // Edits are offsets into the normalized source; normalization keeps lengths, so they apply to the raw text.
    const fixedText = applyEdits(decoded.text, plan.edits);
    const check = await parseMigration(fixedText, m.path, m.absPath);
    if (check.parseError || check.errorRegions.length > 0) {
      out.refused.push({ path: m.path, reason: "internal error: the fixed text does not parse (please report it)" });
      continue;
    }
    const encoded = encodeLike(decoded, fixedText);
    if (!encoded) {
      out.refused.push({ path: m.path, reason: `the fix needs characters that ${decoded.encoding} cannot hold` });
      continue;
    }
    if (opts.write) writeBytesAtomically(m.absPath, encoded);
    out.diff += unifiedDiff(m.path, decoded.text, fixedText);
    out.files.push(m.path);
    out.fixed += plan.fixed.length;
    out.todos += plan.todos;
  }
  return out;
}

/** "fixed 3 findings in 2 files" (or "would fix ..."), with TODOs and refusals. */
export function fixSummary(o: FixOutcome, dryRun: boolean): string[] {
  const lines: string[] = [];
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  lines.push(`${dryRun ? "would fix" : "fixed"} ${n(o.fixed, "finding")} in ${n(o.files.length, "file")}`);
  if (o.todos > 0) lines.push(`${dryRun ? "would leave" : "left"} ${n(o.todos, "TODO(alembic-lint) line")} where an inverse cannot be derived`);
  for (const r of o.refused) lines.push(`not fixing ${r.path}: ${r.reason}`);
  return lines;
}
