// Runs the active rules over versions trees and collects diagnostics. Per-file rules
// (`check`) run file by file (`runFileRules`, also inside pool workers); tree-wide
// rules (`checkProject`) run once per tree on every migration (`runProjectRules`),
// merging the per-file results in a fixed order so that the outcome never depends on
// where or when the files were checked.
import type { Migration, MigrationSet, Span } from "../model.js";
import type { ActiveRule } from "./registry.js";
import { compareDiagnostics, type Diagnostic, type Dialect, type Messages, type ProjectContext, type ReportInput, type Rule, type RuleContext, type Severity } from "./rule.js";
import { startFileGeneration } from "../analysis/file-cache.js";

export interface RunOptions {
  rules: ActiveRule[];
  dialect: Dialect;
  /** Per-rule options by code, already validated. */
  ruleOptions?: Record<string, Record<string, unknown>>;
}

export interface InternalError {
  code: string;
  path: string;
  message: string;
  stack?: string;
}

export interface RunResult {
  diagnostics: Diagnostic[];
  internalErrors: InternalError[];
}

/**
 * What the per-file rules found in one file: for each active rule with output (by its
 * index in `RunOptions.rules`, ascending), its findings and internal errors in order.
 * Plain data: it crosses thread boundaries by structured clone.
 */
export interface FileRuleResult {
  byRule: { rule: number; diagnostics: Diagnostic[]; internalErrors: InternalError[] }[];
}

function spanOf(at: { span: Span } | Span): Span {
  return "span" in at ? at.span : at;
}

function optionsFor(rule: Rule, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(rule.meta.options ?? {})) out[k] = o.default;
  return { ...out, ...(given ?? {}) };
}

/** Each active rule's options, computed once per run (not once per file). */
const optionCache = new WeakMap<RunOptions, Record<string, unknown>[]>();
function ruleOptionsOf(opts: RunOptions): Record<string, unknown>[] {
  let out = optionCache.get(opts);
  if (!out) {
    out = opts.rules.map(({ rule }) => optionsFor(rule, opts.ruleOptions?.[rule.meta.code]));
    optionCache.set(opts, out);
  }
  return out;
}

function buildDiagnostic(rule: Rule, severity: Severity, path: string, input: ReportInput<Messages>): Diagnostic {
  const build = rule.meta.messages[input.message as string];
  if (!build) throw new Error(`rule ${rule.meta.code} has no message ${String(input.message)}`);
  const message = build(input.data);
  return {
    code: rule.meta.code,
    name: rule.meta.name,
    severity,
    path,
    span: spanOf(input.at),
    message,
    related: input.related ?? [],
    ...(input.fix ? { fix: input.fix } : {}),
    fingerprint: input.fingerprint ?? `${String(input.message)}:${message}`,
  };
}

/** Runs the per-file rules (`check`) of `opts.rules` on one target migration. */
/** One rule's context for a whole run; `report` collects into the file being checked. */
interface FileRuleSlot {
  rule: Rule;
  index: number;
  ctx: RuleContext<Messages>;
  path: string;
  diagnostics: Diagnostic[];
}

/** Per-file rules with their contexts, made once per run (a closure per rule and file cost ~7% of the rules' time). */
const slotCache = new WeakMap<RunOptions, FileRuleSlot[]>();
function fileRuleSlots(opts: RunOptions): FileRuleSlot[] {
  let slots = slotCache.get(opts);
  if (slots) return slots;
  const options = ruleOptionsOf(opts);
  slots = [];
  for (const [index, { rule, severity }] of opts.rules.entries()) {
    if (!rule.check) continue;
    const slot: FileRuleSlot = {
      rule,
      index,
      path: "",
      diagnostics: [],
      ctx: {
        options: options[index]!,
        dialect: opts.dialect,
        report: (input) => {
          slot.diagnostics.push(buildDiagnostic(rule, severity, (input as ReportInput<Messages>).path ?? slot.path, input as ReportInput<Messages>));
        },
      },
    };
    slots.push(slot);
  }
  slotCache.set(opts, slots);
  return slots;
}

export function runFileRules(m: Migration, opts: RunOptions): FileRuleResult {
  startFileGeneration();
  const byRule: FileRuleResult["byRule"] = [];
  for (const slot of fileRuleSlots(opts)) {
    slot.path = m.path;
    slot.diagnostics = [];
    const internalErrors: InternalError[] = [];
    try {
      slot.rule.check!(m, slot.ctx);
    } catch (err) {
      internalErrors.push(internal(slot.rule, m.path, err));
    }
    if (slot.diagnostics.length > 0 || internalErrors.length > 0) byRule.push({ rule: slot.index, diagnostics: slot.diagnostics, internalErrors });
  }
  return { byRule };
}

/** The targets of a set: the migrations per-file rules check, in tree order. */
export function targetsOf(set: MigrationSet): Migration[] {
  return set.migrations.filter((m) => set.targets.has(m.absPath));
}

/**
 * Runs the tree-wide rules (`checkProject`) of every set and merges them with the
 * per-file results (`fileResults(m)` for each target `m`, from `runFileRules` with the
 * same options), in the order a plain rule-by-rule run produces.
 */
export function runProjectRules(sets: MigrationSet[], opts: RunOptions, fileResults: (m: Migration, set: MigrationSet) => FileRuleResult | undefined): RunResult {
  const diagnostics: Diagnostic[] = [];
  const internalErrors: InternalError[] = [];
  for (const set of sets) {
    const targets = targetsOf(set);
    // Per-file findings by rule, files in tree order: one pass over what the files found.
    const perRule = opts.rules.map(() => ({ diagnostics: [] as Diagnostic[], internalErrors: [] as InternalError[] }));
    for (const m of targets) {
      for (const entry of fileResults(m, set)?.byRule ?? []) {
        const bucket = perRule[entry.rule]!;
        for (const d of entry.diagnostics) bucket.diagnostics.push(d);
        for (const e of entry.internalErrors) bucket.internalErrors.push(e);
      }
    }
    opts.rules.forEach(({ rule, severity }, index) => {
      if (rule.check) {
        let found = perRule[index]!.diagnostics;
        if (rule.refineInTree && found.length > 0) {
          try {
            found = rule.refineInTree(found, set);
          } catch (err) {
            internalErrors.push(internal(rule, set.path, err));
          }
        }
        for (const d of found) diagnostics.push(d);
        for (const e of perRule[index]!.internalErrors) internalErrors.push(e);
      }
      if (!rule.checkProject) return;
      const options = optionsFor(rule, opts.ruleOptions?.[rule.meta.code]);
      const make = (m: Migration | string, input: ReportInput<Messages>): Diagnostic | null => {
        const migration = typeof m === "string" ? set.migrations.find((x) => x.path === m || x.absPath === m) : m;
        const path = input.path ?? migration?.path ?? (typeof m === "string" ? m : "");
        const abs = migration?.absPath ?? path;
        if (!set.targets.has(abs) && !input.evenOutsideTargets) return null;
        return buildDiagnostic(rule, severity, path, input);
      };
      const first = targets[0] ?? set.migrations[0];
      const ctx: ProjectContext<Messages> = {
        options,
        dialect: opts.dialect,
        report: (input) => {
          if (!first) return;
          const d = make(first, input as ReportInput<Messages>);
          if (d) diagnostics.push(d);
        },
        reportIn: (m, input) => {
          const d = make(m, input as ReportInput<Messages>);
          if (d) diagnostics.push(d);
        },
      };
      try {
        rule.checkProject(set, ctx);
      } catch (err) {
        internalErrors.push(internal(rule, set.path, err));
      }
    });
  }
  return { diagnostics: sortedWithoutRepeats(diagnostics), internalErrors };
}

/** Every rule over every set, in this thread. */
export function runRules(sets: MigrationSet[], opts: RunOptions): RunResult {
  const perFile = new Map<Migration, FileRuleResult>();
  for (const set of sets) for (const m of targetsOf(set)) if (!perFile.has(m)) perFile.set(m, runFileRules(m, opts));
  return runProjectRules(sets, opts, (m) => perFile.get(m));
}

function internal(rule: Rule, path: string, err: unknown): InternalError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: rule.meta.code, path, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

/**
 * Sorted, with repeats (same path, code, position and message: equal under the sort's own
 * comparison) dropped. The sort is stable, so repeats end up next to each other, first one
 * first: cheaper than a key string per finding (~90 ms for 45,000 findings).
 */
function sortedWithoutRepeats(ds: Diagnostic[]): Diagnostic[] {
  sortDiagnostics(ds);
  const out: Diagnostic[] = [];
  let last: Diagnostic | undefined;
  for (const d of ds) {
    if (last && compareDiagnostics(last, d) === 0) continue;
    out.push(d);
    last = d;
  }
  return out;
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort(compareDiagnostics);
}
