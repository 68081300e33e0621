// Public API.
import path from "node:path";
import { parseMigration } from "./parse/index.js";
import { runRules } from "./engine/run.js";
import { resolveSelection, type Selection } from "./engine/registry.js";
import { suppressFindings } from "./lint.js";
import type { Diagnostic, Dialect } from "./engine/rule.js";
import type { Migration, MigrationSet } from "./model.js";
import type { ScriptsInput } from "./scripts.js";

export { lintPaths, type LintOptions, type LintResult } from "./lint.js";
export { parseMigration } from "./parse/index.js";
export { allRules, findRule } from "./engine/registry.js";
export type { Diagnostic, Rule, RuleMeta } from "./engine/rule.js";
export type * from "./model.js";

export interface SourceLintOptions extends Selection {
  dialect?: Dialect;
  ruleOptions?: Record<string, Record<string, unknown>>;
  /** Files to report on (default: all of them). */
  targets?: string[];
  requireReason?: boolean | string[];
}

/**
 * Lints in-memory sources that form one versions tree (graph rules see all of them).
 * Paths are used as given, for display.
 */
export async function lintSources(files: { path: string; text: string }[], opts: SourceLintOptions = {}): Promise<{ diagnostics: Diagnostic[]; migrations: Migration[] }> {
  const migrations: Migration[] = [];
  // Files that are not Python are scripts checked by ALM010 (deploy scripts, Makefiles...).
  const scripts = files.filter((f) => !f.path.endsWith(".py"));
  const sources = files.filter((f) => f.path.endsWith(".py"));
  for (const f of sources) migrations.push(await parseMigration(f.text, f.path, path.resolve(f.path)));
  const targets = new Set((opts.targets ?? sources.map((f) => f.path)).map((p) => path.resolve(p)));
  const first = sources[0]?.path ?? ".";
  const set: MigrationSet & ScriptsInput = { root: path.resolve(path.dirname(first)), path: path.dirname(first), migrations, targets, scripts, allSets: [] };
  set.allSets = [set];
  const rules = resolveSelection(opts);
  const { diagnostics, internalErrors } = runRules([set], { rules, dialect: opts.dialect ?? "postgresql", ...(opts.ruleOptions ? { ruleOptions: opts.ruleOptions } : {}) });
  if (internalErrors.length > 0) throw new Error(internalErrors.map((e) => `${e.code} on ${e.path}: ${e.message}\n${e.stack ?? ""}`).join("\n"));
  const checked = migrations.filter((m) => targets.has(m.absPath)).map((m) => ({ path: m.path, migration: m }));
  return { diagnostics: suppressFindings(diagnostics, { sets: [set], files: checked, scripts, rules, internalErrors, ...(opts.requireReason !== undefined ? { requireReason: opts.requireReason } : {}) }), migrations };
}

export async function lintSource(text: string, opts: SourceLintOptions & { path?: string } = {}): Promise<Diagnostic[]> {
  return (await lintSources([{ path: opts.path ?? "migration.py", text }], opts)).diagnostics;
}
