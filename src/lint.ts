// The pipeline: discover → load/parse/extract → rules → suppressions → result.
import { discover, displayPath, glob, type VersionsTree } from "./discover.js";
import { loadHeader, readSourceText, type Loaded } from "./load.js";
import { HeaderCache } from "./header-cache.js";
import { runProjectRules, sortDiagnostics, type FileRuleResult, type InternalError, type RunOptions } from "./engine/run.js";
import { lintTargets, type TargetTask } from "./engine/pool.js";
import { resolveSelection, type ActiveRule, type Selection } from "./engine/registry.js";
import { applySuppressions } from "./engine/suppress.js";
import type { Diagnostic, Dialect } from "./engine/rule.js";
import type { Migration, MigrationSet } from "./model.js";
import type { ScriptFile } from "./scripts.js";

export interface LintOptions extends Selection {
  dialect?: Dialect;
  ruleOptions?: Record<string, Record<string, unknown>>;
  exclude?: string[];
  cwd?: string;
  /** Rules whose suppression comments must give a reason (true: all; or codes/names/prefixes). */
  requireReason?: boolean | string[];
  /** Called once discovery knows how many files will be parsed. */
  beforeParse?: (fileCount: number) => void;
  /** Globs (relative to cwd) of scripts checked for stale revision ids (ALM010). */
  scripts?: string[];
  /** Threads for parsing and per-file rules, this one included (default: available cores; 1: no workers). */
  jobs?: number;
  /** Start workers only from this many target files on (default: see src/engine/pool.ts). */
  poolMinFiles?: number;
  /** Directory of the header cache for files read only for the revision graph (src/header-cache.ts); none by default. */
  cacheDir?: string;
}

export interface LintedFile {
  path: string;
  absPath: string;
  source: string | null;
  migration: Migration | null;
}

export interface LintResult {
  trees: VersionsTree[];
  files: LintedFile[];
  diagnostics: Diagnostic[];
  internalErrors: InternalError[];
  skipped: { path: string; reason: string }[];
  /** Every parsed migration of the trees by display path, targets or not (graph findings may land in any). */
  migrations: Map<string, Migration>;
  /** Display paths of the scripts read for ALM010. */
  scripts: string[];
}

export async function lintPaths(paths: string[], opts: LintOptions = {}): Promise<LintResult> {
  const trees = discover(paths, { ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.exclude ? { exclude: opts.exclude } : {}) });
  const sets: MigrationSet[] = [];
  const files: LintedFile[] = [];
  const loadErrors: Diagnostic[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const rules = resolveSelection(opts);
  const run: RunOptions = { rules, dialect: opts.dialect ?? "postgresql", ...(opts.ruleOptions ? { ruleOptions: opts.ruleOptions } : {}) };
  opts.beforeParse?.(trees.reduce((n, t) => n + t.targets.size, 0));
  // Targets: load, parse, extract and per-file rules (on worker threads for large runs),
  // while this thread reads the headers of the other files: they feed only the graph rules.
  const tasks: TargetTask[] = trees.flatMap((tree) => tree.files.filter((abs) => tree.targets.has(abs)).map((abs) => ({ abs, path: displayPath(abs, opts.cwd) })));
  const selection: Selection = { ...(opts.select ? { select: opts.select } : {}), ...(opts.extendSelect ? { extendSelect: opts.extendSelect } : {}), ...(opts.ignore ? { ignore: opts.ignore } : {}), ...(opts.severity ? { severity: opts.severity } : {}) };
  const checking = lintTargets(tasks, { run, selection, ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}), ...(opts.poolMinFiles !== undefined ? { poolMinFiles: opts.poolMinFiles } : {}) });
  checking.catch(() => {}); // awaited below
  const pending: (Loaded | number)[][] = [];
  let nextTask = 0;
  for (const tree of trees) {
    const row: (Loaded | number)[] = [];
    const cache = opts.cacheDir !== undefined && tree.targets.size < tree.files.length ? HeaderCache.open(opts.cacheDir, tree.root) : null;
    for (const abs of tree.files) {
      if (tree.targets.has(abs)) {
        row.push(nextTask++);
        continue;
      }
      const shown = displayPath(abs, opts.cwd);
      const cached = cache?.lookup(abs, shown, () => readSourceText(abs));
      if (cached) {
        row.push({ kind: "migration", migration: cached });
        continue;
      }
      const loaded = await loadHeader(abs, shown);
      if (cache && loaded.kind === "migration" && loaded.headerOnly) cache.store(loaded.migration);
      row.push(loaded);
      // Reads are synchronous: let the parser's loading (and worker replies) progress meanwhile.
      if (row.length % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    cache?.save();
    pending.push(row);
  }
  const outcomes = await checking;
  const fileResults = new Map<Migration, FileRuleResult>();
  for (const [ti, tree] of trees.entries()) {
    const migrations: Migration[] = [];
    for (const [fi, abs] of tree.files.entries()) {
      const p = pending[ti]![fi]!;
      const loaded: Loaded = typeof p === "number" ? outcomes[p]!.loaded : p;
      if (typeof p === "number" && loaded.kind === "migration") fileResults.set(loaded.migration, outcomes[p]!.rules!);
      if (loaded.kind === "migration") {
        migrations.push(loaded.migration);
        if (tree.targets.has(abs)) files.push({ path: loaded.migration.path, absPath: abs, source: loaded.migration.source, migration: loaded.migration });
      } else if (loaded.kind === "error") {
        // Unknown to the graph rules, so that its children are not reported as dangling.
        migrations.push(unreadableStub(loaded.path, abs));
        if (tree.targets.has(abs)) {
          files.push({ path: loaded.path, absPath: abs, source: null, migration: null });
          loadErrors.push(loadErrorDiagnostic(loaded.path, loaded.message, loaded.line ?? 1));
        }
      } else if (tree.targets.has(abs)) {
        skipped.push({ path: loaded.path, reason: loaded.reason });
      }
    }
    sets.push({ root: tree.root, path: tree.display, migrations, targets: tree.targets });
  }
  const scripts = await readScripts(opts.scripts ?? [], opts.cwd ?? process.cwd());
  for (const set of sets) Object.assign(set, { scripts, allSets: sets });
  const { diagnostics, internalErrors } = runProjectRules(sets, run, (m) => fileResults.get(m));
  const migrations = new Map(sets.flatMap((s) => s.migrations.map((m) => [m.path, m] as const)));
  const all = suppressFindings([...loadErrors, ...diagnostics], { sets, files, scripts, rules, internalErrors, ...(opts.requireReason !== undefined ? { requireReason: opts.requireReason } : {}) });
  const result: LintResult = { trees, files, diagnostics: all, internalErrors, skipped, migrations, scripts: scripts.map((s) => s.path) };
  // SARIF `fixes` for the reversibility findings (src/fix/).
  await (await import("./fix/index.js")).attachFixes(result, opts.dialect ?? "postgresql");
  return result;
}

/**
 * In-source suppressions over a run's findings, sorted: suppressions count in every file
 * of the trees and in scripts, ALM902 is reported only in the files checked.
 */
export function suppressFindings(
  diagnostics: Diagnostic[],
  run: { sets: MigrationSet[]; files: { path: string; migration: Migration | null }[]; scripts: ScriptFile[]; rules: ActiveRule[]; internalErrors: InternalError[]; requireReason?: LintOptions["requireReason"] },
): Diagnostic[] {
  const byPath = new Map<string, Migration | null>([
    ...run.sets.flatMap((s) => s.migrations.map((m) => [m.path, m] as const)),
    ...run.files.map((f) => [f.path, f.migration] as const),
  ]);
  return sortDiagnostics(
    applySuppressions(diagnostics, byPath, run.rules, {
      reportIn: new Set(run.files.map((f) => f.path)),
      internalErrors: run.internalErrors,
      texts: new Map(run.scripts.map((s) => [s.path, s.text])),
      ...(run.requireReason !== undefined ? { requireReason: run.requireReason } : {}),
    }),
  );
}

/** Script files named by `scripts` globs; unreadable or binary ones are skipped. */
async function readScripts(globs: string[], cwd: string): Promise<ScriptFile[]> {
  if (globs.length === 0) return [];
  const { readFile } = await import("node:fs/promises");
  const files = glob().sync(globs, { cwd, absolute: true, onlyFiles: true, dot: true, suppressErrors: true, followSymbolicLinks: false }).sort();
  const out: ScriptFile[] = [];
  for (const f of files) {
    try {
      const bytes = await readFile(f);
      if (bytes.includes(0)) continue;
      out.push({ path: displayPath(f, cwd), text: bytes.toString("utf8") });
    } catch {
      // vanished or unreadable: nothing to check
    }
  }
  return out;
}

function unreadableStub(path: string, absPath: string): Migration {
  const span = { line: 1, column: 1, endLine: 1, endColumn: 1 };
  return {
    path, absPath, source: "", sections: [], pairs: [], comments: [], parseError: null, errorRegions: [],
    header: { revision: { value: { expr: "<unreadable file>" }, span }, downRevision: null, branchLabels: null, dependsOn: null, docstring: null },
  };
}

function loadErrorDiagnostic(path: string, message: string, line: number): Diagnostic {
  return {
    code: "ALM900",
    name: "parse-error",
    severity: "error",
    path,
    span: { line, column: 1, endLine: line, endColumn: 1 },
    message,
    related: [],
    fingerprint: `read:${message}`,
  };
}
