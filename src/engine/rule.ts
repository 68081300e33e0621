// The shape of a rule: metadata (the single source for docs, `explain`, SARIF and
// the README table) plus one check function over the model.
import type { Migration, MigrationSet, Span } from "../model.js";

export type Severity = "error" | "warning" | "note";
export type Level = Severity | "off";

export type Category =
  | "revision-graph"
  | "reversibility"
  | "ordering"
  | "data-loss"
  | "online-safety"
  | "tool";

export type Dialect = "postgresql" | "mysql" | "sqlite" | "mssql" | "oracle";
export const DIALECTS: readonly Dialect[] = ["postgresql", "mysql", "sqlite", "mssql", "oracle"];

/** Message builders keyed by message id; their argument types are checked at compile time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Messages = Record<string, (args: any) => string>;

export interface RuleOption {
  type: "boolean" | "string" | "number" | "string[]";
  default: boolean | string | number | string[];
  description: string;
}

export interface RuleDocs {
  /** One line, no trailing period: what the rule finds. */
  summary: string;
  /** Why it matters and what to do instead (Markdown). */
  rationale: string;
  /** A migration the rule flags. Graph rules: file name → source of a versions tree. */
  bad?: string | Record<string, string>;
  /** The same migration written correctly: the rule must stay silent on it. */
  good?: string | Record<string, string>;
  /** Equivalent checks in peer tools (squawk, strong_migrations, ...). */
  peers?: string;
}

export interface RuleMeta<M extends Messages = Messages> {
  code: string;
  name: string;
  severity: Severity;
  category: Category;
  /** Off unless selected explicitly (`--select`, `ALL`). */
  optIn?: boolean;
  /** Cannot be disabled (ALM900). */
  alwaysOn?: boolean;
  /** `--fix` can repair some findings. */
  fixable?: boolean;
  /** How sure a finding is: SARIF `precision`. */
  precision?: "very-high" | "high" | "medium" | "low";
  docs: RuleDocs;
  messages: M;
  options?: Record<string, RuleOption>;
}

export interface RelatedLocation {
  /** Defaults to the finding's own file. */
  path?: string;
  span: Span;
  message: string;
}

/** A text edit for `--fix` and SARIF `fixes`: replace [start, end) of the file's source. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  edits: TextEdit[];
}

export type ReportInput<M extends Messages, K extends keyof M = keyof M> = {
  /** Where: an op, a section or a plain span. */
  at: { span: Span } | Span;
  message: K;
  data: Parameters<M[K]>[0];
  related?: RelatedLocation[];
  fix?: Fix;
  /** For graph rules: the file the finding is in (default: the migration checked). */
  path?: string;
  /** Stable text that identifies the finding independently of its line (baseline key). */
  fingerprint?: string;
  /**
   * Graph rules: keep the finding even when its file is not among the files the user
   * passed (pre-commit mode), e.g. conflicting heads that a commit introduces.
   */
  evenOutsideTargets?: boolean;
};

export interface RuleContext<M extends Messages> {
  report<K extends keyof M>(input: ReportInput<M, K>): void;
  /** This rule's options, with defaults applied. */
  options: Record<string, unknown>;
  dialect: Dialect;
}

export interface ProjectContext<M extends Messages> extends RuleContext<M> {
  /** Report in a given migration file (graph rules report in several files). */
  reportIn<K extends keyof M>(migration: Migration | string, input: ReportInput<M, K>): void;
}

export interface Rule<M extends Messages = Messages> {
  meta: RuleMeta<M>;
  /** Per-file check. */
  check?(migration: Migration, ctx: RuleContext<M>): void;
  /** Check over one whole versions tree. */
  checkProject?(set: MigrationSet, ctx: ProjectContext<M>): void;
  /**
   * A second look at this rule's per-file findings with the whole versions tree in view
   * (a safe recipe spread over several revisions): returns the findings that stand.
   * Function bodies of other files may not be at hand; their `source` is.
   */
  refineInTree?(findings: Diagnostic[], set: MigrationSet): Diagnostic[];
}

export function defineRule<M extends Messages>(rule: Rule<M>): Rule<M> {
  return rule;
}

export interface Diagnostic {
  code: string;
  name: string;
  severity: Severity;
  path: string;
  span: Span;
  message: string;
  related: RelatedLocation[];
  fix?: Fix;
  fingerprint: string;
  /** Set when a suppression comment or the baseline hid the finding. */
  suppressed?: { kind: "inSource" | "baseline"; justification: string };
}

/** The order of findings in every report: path, line, column, code, message. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.span.line - b.span.line ||
    a.span.column - b.span.column ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
