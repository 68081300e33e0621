// The typed model of a migration file. Rules see only this, never syntax trees.

/** 1-based lines; 1-based columns in UTF-16 code units; endColumn exclusive. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** JS string offsets into the source (for edits); absent on synthetic spans. */
  start?: number;
  end?: number;
}

/**
 * A statically known value. Literals are plain JSON; anything else is an ExprValue
 * carrying its source text and, where useful, its structure.
 */
export type Value = string | number | boolean | null | Value[] | ExprValue;

export interface ExprValue {
  /** Source text of the expression. */
  expr: string;
  /** Dotted name resolved through imports, e.g. `sqlalchemy.Integer` for `sa.Integer`. */
  ref?: string;
  /** For calls: the callee (resolved like `ref`) and the evaluated arguments. */
  call?: CallValue;
  /** For dict displays with string keys. */
  dict?: Record<string, Value>;
}

export interface CallValue {
  callee: string;
  args: Value[];
  /** Keyword arguments; a `**mapping` splat is kept under the key "**". */
  kwargs: Record<string, Value>;
  /** For method calls on a computed value (`sa.table("t").delete()`): that value. */
  receiver?: Value;
}

export function isExpr(v: Value | undefined): v is ExprValue {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The string a value holds, or undefined when it is not a string literal. */
export function asString(v: Value | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function asStringList(v: Value | undefined): string[] | undefined {
  if (typeof v === "string") return [v];
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const x of v) {
    if (typeof x !== "string") return undefined;
    out.push(x);
  }
  return out;
}

/** Last dotted segment of a resolved name: `sqlalchemy.types.String` → `String`. */
export function baseName(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const i = ref.lastIndexOf(".");
  return i < 0 ? ref : ref.slice(i + 1);
}

/** A column type as written: `sa.String(length=255)` → { name: "String", args: [], kwargs: { length: 255 } }. */
export interface TypeSpec {
  name: string;
  ref: string;
  args: Value[];
  kwargs: Record<string, Value>;
  text: string;
}

export interface ForeignKeyRef {
  /** Referenced table and column from `ForeignKey("table.column")`; schema when written `schema.table.column`. */
  table: string | null;
  column: string | null;
  schema: string | null;
  name: string | null;
  ondelete: Value | undefined;
}

export interface ColumnDef {
  /** null when the name is not a literal. */
  name: string | null;
  type: TypeSpec | null;
  /** As written: true/false, or null when not given. */
  nullable: boolean | null;
  primaryKey: boolean;
  unique: boolean;
  index: boolean;
  /** undefined when absent; the value otherwise (may be an ExprValue such as `sa.text("now()")`). */
  serverDefault: Value | undefined;
  hasDefault: boolean;
  /** Values the database generates: `Identity()`, `Computed(...)`, `Sequence(...)`, autoincrement PKs. */
  generated: boolean;
  /** Built with `**kwargs`: any attribute may be hidden there. */
  opaqueKwargs: boolean;
  foreignKeys: ForeignKeyRef[];
  comment: Value | undefined;
  /** Names of PG enum types the column's type creates (`sa.Enum(..., name="x")`). */
  enumName: string | null;
  /** `postgresql.ENUM(..., create_type=False)`: the type must exist already. */
  enumCreateType: boolean;
  text: string;
}

export type ConstraintKind = "primary" | "unique" | "foreignkey" | "check" | "exclude";

export interface ConstraintDef {
  kind: ConstraintKind;
  name: string | null;
  columns: string[];
  /** For foreign keys: referenced table, schema and columns. */
  referent?: { table: string | null; schema: string | null; columns: string[] };
  text: string;
}

export interface IndexDef {
  name: string | null;
  columns: string[];
  unique: boolean;
  text: string;
}

/** What `create_table` declares. */
export interface TableDef {
  columns: ColumnDef[];
  constraints: ConstraintDef[];
  indexes: IndexDef[];
}

export interface Op {
  /** Alembic operation name, e.g. `add_column`. */
  name: string;
  span: Span;
  /** Called on a batch alias (`batch_op.add_column(...)`). */
  batch: boolean;
  /** Resolved table (batch: from the `with` header); null when absent or not a literal. */
  table: string | null;
  schema: string | null;
  /** True when the table argument was given but is not a literal. */
  dynamicTable: boolean;
  /** Arguments bound to Alembic's parameter names. */
  args: Record<string, Value>;
  /** Positional arguments past the signature (pre-1.11 style), kept in order. */
  extraArgs: Value[];
  /** Under an `if`, `try`, `while` or a loop that could not be unrolled. */
  conditional: boolean;
  /** Local helper functions this op was inlined from, outermost first. */
  via: string[];
  /** Inside `op.get_context().autocommit_block()`. */
  autocommit: boolean;
  /** Index of the enclosing `batch_alter_table` block in this section, or null. */
  batchBlock: number | null;
  /** Position in execution order within its section (0-based). */
  order: number;
  // Structures decoded from the arguments, where the op has them:
  column?: ColumnDef;
  tableDef?: TableDef;
  /** For `execute`: the literal SQL text, or null when not literal. */
  sql?: string | null;
}

export interface BatchBlock {
  id: number;
  table: string | null;
  schema: string | null;
  span: Span;
  /** `order` value at which the block's queued ops take effect (after its last op). */
  flushOrder: number;
  recreate: Value | undefined;
}

export interface TypeEvent {
  kind: "create" | "drop";
  name: string;
  span: Span;
  conditional: boolean;
  /** `checkfirst=True`: the create/drop is skipped when the type already exists / is absent. */
  checkfirst: boolean;
  /** Execution position relative to ops: the event happens before the op with this order. */
  order: number;
}

export interface Unanalyzed {
  reason: string;
  span: Span;
}

export type BodyKind = "empty" | "raises" | "code";

export interface Section {
  /** Function name: `upgrade`, `downgrade`, `upgrade_engine1`, ... */
  name: string;
  role: "upgrade" | "downgrade";
  /** Multi-database suffix (`engine1` for `upgrade_engine1`), "" for the plain pair. */
  suffix: string;
  /** Span of the `def` line's name. */
  span: Span;
  ops: Op[];
  batchBlocks: BatchBlock[];
  typeEvents: TypeEvent[];
  /** Parts that could not be analyzed (imported helpers, dynamic names, ...). */
  unanalyzed: Unanalyzed[];
  /** What the body does when no op is found: nothing, only raise, or other code. */
  body: BodyKind;
  /** A multi-db dispatcher `upgrade(engine_name)` whose real bodies are `upgrade_<db>()`. */
  dispatcher: boolean;
}

export interface FunctionPair {
  suffix: string;
  upgrade: Section | null;
  downgrade: Section | null;
}

/** A header variable: literal ids, or a non-literal expression kept as source. */
export type HeaderValue = string[] | ExprValue;

export interface HeaderVar {
  value: HeaderValue;
  span: Span;
}

export interface Header {
  revision: { value: string | ExprValue | null; span: Span } | null;
  downRevision: HeaderVar | null;
  branchLabels: HeaderVar | null;
  dependsOn: HeaderVar | null;
  /** From the module docstring (`Revision ID:` / `Revises:`), or null when absent. */
  docstring: {
    revision: string | null;
    revisionLine: number | null;
    revises: string[] | null;
    revisesLine: number | null;
  } | null;
}

export interface SuppressionComment {
  line: number;
  column: number;
  /** `ignore` applies to its line (or the next line when alone on its line); `file` to the file. */
  scope: "line" | "next-line" | "file";
  codes: string[];
  reason: string;
  form: "alembic-lint" | "noqa";
  text: string;
}

export interface Migration {
  /** Path as given or relative to the working directory (forward slashes). */
  path: string;
  absPath: string;
  source: string;
  header: Header;
  sections: Section[];
  pairs: FunctionPair[];
  comments: { line: number; column: number; text: string }[];
  parseError: { line: number; column: number; message: string } | null;
  /** Spans where the parser recovered from errors. */
  errorRegions: Span[];
}

/** The migration files of one versions tree. */
export interface MigrationSet {
  /** The versions directory (absolute). */
  root: string;
  /** Display path of the versions directory. */
  path: string;
  migrations: Migration[];
  /** Files the user asked to check (per-file findings are limited to these). */
  targets: Set<string>;
}

export function sectionOf(m: Migration, name: string): Section | undefined {
  return m.sections.find((s) => s.name === name);
}

/** The upgrade/downgrade pair a section belongs to. */
export function pairOf(m: Migration, s: Section): FunctionPair | undefined {
  return m.pairs.find((p) => p.upgrade === s || p.downgrade === s);
}

/** The other function of a section's pair (upgrade ↔ downgrade), if any. */
export function otherSection(m: Migration, s: Section): Section | null {
  const pair = pairOf(m, s);
  if (!pair) return null;
  return (s.role === "upgrade" ? pair.downgrade : pair.upgrade) ?? null;
}

/** Does a span start inside a region where the parser recovered from errors? */
export function inErrorRegion(m: Migration, span: Span): boolean {
  return span.start !== undefined && m.errorRegions.some((r) => r.start !== undefined && r.end !== undefined && span.start! >= r.start && span.start! < r.end);
}
