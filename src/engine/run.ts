// Runs the active rules over versions trees and collects diagnostics.
import type { Migration, MigrationSet, Span } from "../model.js";
import type { ActiveRule } from "./registry.js";
import type { Diagnostic, Dialect, Messages, ProjectContext, ReportInput, Rule, RuleContext } from "./rule.js";

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

function spanOf(at: { span: Span } | Span): Span {
  return "span" in at ? at.span : at;
}

function optionsFor(rule: Rule, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(rule.meta.options ?? {})) out[k] = o.default;
  return { ...out, ...(given ?? {}) };
}

export function runRules(sets: MigrationSet[], opts: RunOptions): RunResult {
  const diagnostics: Diagnostic[] = [];
  const internalErrors: InternalError[] = [];
  for (const set of sets) {
    const targets = set.migrations.filter((m) => set.targets.has(m.absPath));
    for (const { rule, severity } of opts.rules) {
      const options = optionsFor(rule, opts.ruleOptions?.[rule.meta.code]);
      const make = (m: Migration | string, input: ReportInput<Messages>): Diagnostic | null => {
        const migration = typeof m === "string" ? set.migrations.find((x) => x.path === m || x.absPath === m) : m;
        const path = input.path ?? migration?.path ?? (typeof m === "string" ? m : "");
        const abs = migration?.absPath ?? path;
        if (!set.targets.has(abs) && !input.evenOutsideTargets) return null;
        const build = rule.meta.messages[input.message as string];
        if (!build) throw new Error(`rule ${rule.meta.code} has no message ${String(input.message)}`);
        const message = build(input.data);
        const span = spanOf(input.at);
        return {
          code: rule.meta.code,
          name: rule.meta.name,
          severity,
          path,
          span,
          message,
          related: input.related ?? [],
          ...(input.fix ? { fix: input.fix } : {}),
          fingerprint: input.fingerprint ?? `${String(input.message)}:${message}`,
        };
      };
      if (rule.check) {
        for (const m of targets) {
          const ctx: RuleContext<Messages> = {
            options,
            dialect: opts.dialect,
            report: (input) => {
              const d = make(m, input as ReportInput<Messages>);
              if (d) diagnostics.push(d);
            },
          };
          try {
            rule.check(m, ctx);
          } catch (err) {
            internalErrors.push(internal(rule, m.path, err));
          }
        }
      }
      if (rule.checkProject) {
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
      }
    }
  }
  return { diagnostics: sortDiagnostics(dedupe(diagnostics)), internalErrors };
}

function internal(rule: Rule, path: string, err: unknown): InternalError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: rule.meta.code, path, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.path}\0${d.code}\0${d.span.line}\0${d.span.column}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 :
    a.span.line - b.span.line || a.span.column - b.span.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}
