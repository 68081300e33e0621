// Reversibility: the inverse of every Alembic operation, how to write it, and the
// matching of `upgrade()` against `downgrade()` that the ALM1xx rules report on.
//
// Public API:
//   inverseOf(op)                 → Inverse | null   the inverse as a concrete operation (name + bound
//                                                     arguments), `derivable: false` when the call does not
//                                                     hold what the inverse needs (a drop's original definition)
//   renderInverse(op, opts)       → {derivable, code, missing?} | null   Python source of the inverse
//                                                     (keeps `op.f()` when the original used it; batch form
//                                                     with `opts.batchAlias`)
//   renderOp(inv, opts)           → string           Python source of an InverseOp
//   pairStatus(pair)              → what ALM101/102/103 see for a function pair
//   analyzeReversibility(m, dialect) → per pair: missing inverses (ALM104), unmatched downgrade ops
//                                                     (ALM105), incomplete inverses (ALM106); cached per migration
//   checkedPairs(m)               → the function pairs the per-operation rules check
//
// Objects are matched by identity keys after normalisation (alembic-ops.md §2): the
// extractor already binds positional/keyword arguments, resolves `op.f("x")` to "x" and
// gives batch ops their header's table/schema. Here tables and columns are tracked as
// entities through renames, so `rename_table("a", "b")` followed by ops on "b" match
// downgrade ops on either name at the right point. Precision first: conditional ops,
// non-literal names and sections with unanalyzed parts never cause a finding by
// themselves; conditional ops may still satisfy a requirement.
import { asString, asStringList, isExpr, type ColumnDef, type ConstraintKind, type ExprValue, type FunctionPair, type Migration, type Op, type Section, type Value } from "../model.js";
import { classifySql, type SqlStatement } from "./sql.js";
import { sqlTargets } from "./sql-targets.js";
import { normalizeType, sameType, typeText } from "./sqltypes.js";
import { renameAwayRebuilds } from "./data-loss.js";
import { FileCache } from "./file-cache.js";
import { escapeRegExp, mentions } from "./schema.js";

// =====================================================================================
// Part 1: the inverse of one operation

export interface InverseOp {
  /** Alembic operation name of the inverse, e.g. `drop_column`. */
  name: string;
  /** Bound keyword form, Alembic parameter names (as the extractor gives `op.args`). */
  args: Record<string, Value>;
  table: string | null;
  schema: string | null;
}

export interface Inverse {
  op: InverseOp;
  /** False when the inverse needs information the call does not hold. */
  derivable: boolean;
  /** What is missing when not derivable, e.g. "the column's original definition". */
  missing?: string;
}

export const CREATE_CONSTRAINT_KIND: Record<string, ConstraintKind> = {
  create_foreign_key: "foreignkey",
  create_unique_constraint: "unique",
  create_check_constraint: "check",
  create_primary_key: "primary",
  create_exclude_constraint: "exclude",
};

const CREATE_FOR_KIND: Record<string, string> = {
  foreignkey: "create_foreign_key",
  unique: "create_unique_constraint",
  check: "create_check_constraint",
  primary: "create_primary_key",
};

const KIND_TEXT: Record<string, string> = {
  foreignkey: "foreign key",
  unique: "unique constraint",
  check: "check constraint",
  primary: "primary key",
  exclude: "exclude constraint",
  index: "index",
};

const ph = (expr: string): ExprValue => ({ expr });

function withSchema(schema: string | null, key = "schema"): Record<string, Value> {
  return schema ? { [key]: schema } : {};
}

/** `server_default` / `comment` use `False` for "not given". */
function given(args: Record<string, Value>, key: string): boolean {
  return key in args && args[key] !== false;
}

export function inverseOf(op: Op): Inverse | null {
  const a = op.args;
  const t = op.table;
  const s = op.schema;
  const tv: Value = t ?? (a.table_name as Value) ?? null;
  switch (op.name) {
    case "create_table":
      return { op: { name: "drop_table", table: t, schema: s, args: { table_name: tv, ...withSchema(s) } }, derivable: t !== null };
    case "drop_table":
      return {
        op: { name: "create_table", table: t, schema: s, args: { table_name: tv, columns: [ph("...")], ...withSchema(s) } },
        derivable: false,
        missing: "the table's original columns, constraints and indexes",
      };
    case "rename_table": {
      const oldName = asString(a.old_table_name);
      const newName = asString(a.new_table_name);
      return {
        op: { name: "rename_table", table: newName ?? null, schema: s, args: { old_table_name: a.new_table_name ?? null, new_table_name: a.old_table_name ?? null, ...withSchema(s) } },
        derivable: oldName !== undefined && newName !== undefined,
      };
    }
    case "add_column": {
      const name = op.column?.name ?? null;
      const args: Record<string, Value> = { table_name: tv, column_name: name ?? ph("..."), ...withSchema(s) };
      if (a.if_not_exists === true) args.if_exists = true;
      return { op: { name: "drop_column", table: t, schema: s, args }, derivable: name !== null && t !== null };
    }
    case "drop_column": {
      const col = asString(a.column_name);
      return {
        op: { name: "add_column", table: t, schema: s, args: { table_name: tv, column: ph(`sa.Column(${col !== undefined ? pyStr(col, '"') : "..."}, ...)`), ...withSchema(s) } },
        derivable: false,
        missing: "the column's original definition",
      };
    }
    case "alter_column":
      return alterInverse(op);
    case "create_index":
      return {
        op: { name: "drop_index", table: t, schema: s, args: { index_name: a.index_name ?? null, ...(tv !== null ? { table_name: tv } : {}), ...withSchema(s) } },
        derivable: typeof a.index_name === "string",
      };
    case "drop_index":
      return {
        op: { name: "create_index", table: t, schema: s, args: { index_name: a.index_name ?? null, table_name: tv ?? ph("..."), columns: [ph("...")], ...withSchema(s) } },
        derivable: false,
        missing: "the index's original columns and options",
      };
    case "create_foreign_key":
    case "create_unique_constraint":
    case "create_check_constraint":
    case "create_primary_key":
    case "create_exclude_constraint": {
      const kind = CREATE_CONSTRAINT_KIND[op.name]!;
      const name = a.constraint_name;
      // No name (None): drop_constraint(None, ...) fails at run time, so the name stays to fill in.
      const args: Record<string, Value> = { constraint_name: name ?? ph("<constraint name>"), table_name: tv, ...(kind !== "exclude" ? { type_: kind } : {}), ...withSchema(s) };
      const named = typeof name === "string";
      return { op: { name: "drop_constraint", table: t, schema: s, args }, derivable: named && t !== null, ...(named ? {} : { missing: "a constraint name" }) };
    }
    case "drop_constraint": {
      const kind = asString(a.type_);
      const create = (kind && CREATE_FOR_KIND[kind]) ?? "create_<kind>_constraint";
      const args: Record<string, Value> = { constraint_name: a.constraint_name ?? null, [create === "create_foreign_key" ? "source_table" : "table_name"]: tv };
      if (create === "create_foreign_key") {
        args.referent_table = ph("...");
        args.local_cols = [ph("...")];
        args.remote_cols = [ph("...")];
      } else if (create === "create_check_constraint") args.condition = ph("...");
      else args.columns = [ph("...")];
      Object.assign(args, withSchema(s, create === "create_foreign_key" ? "source_schema" : "schema"));
      return { op: { name: create, table: t, schema: s, args }, derivable: false, missing: "the constraint's original definition" };
    }
    case "create_table_comment": {
      if (given(a, "existing_comment") && a.existing_comment !== null) {
        return { op: { name: "create_table_comment", table: t, schema: s, args: { table_name: tv, comment: a.existing_comment!, existing_comment: a.comment ?? null, ...withSchema(s) } }, derivable: true };
      }
      return {
        op: { name: "drop_table_comment", table: t, schema: s, args: { table_name: tv, existing_comment: a.comment ?? null, ...withSchema(s) } },
        derivable: "existing_comment" in a,
        ...("existing_comment" in a ? {} : { missing: "the previous comment (existing_comment)" }),
      };
    }
    case "drop_table_comment":
      return {
        op: { name: "create_table_comment", table: t, schema: s, args: { table_name: tv, comment: a.existing_comment ?? ph("..."), ...withSchema(s) } },
        derivable: given(a, "existing_comment") && a.existing_comment !== null,
        missing: "the previous comment (existing_comment)",
      };
    default:
      return null;
  }
}

const PREVIOUS: Record<string, string> = {
  existing_type: "the previous type",
  existing_nullable: "the previous nullability",
  existing_server_default: "the previous server default",
  existing_comment: "the previous comment",
};

function alterInverse(op: Op): Inverse {
  const a = op.args;
  const col = a.column_name ?? null;
  const newName = a.new_column_name;
  const args: Record<string, Value> = { table_name: op.table ?? (a.table_name as Value) ?? null, column_name: typeof newName === "string" ? newName : col };
  const missing: string[] = [];
  // type
  if (a.type_ !== undefined && a.type_ !== null) {
    if (a.existing_type !== undefined && a.existing_type !== null) {
      args.existing_type = a.type_;
      args.type_ = a.existing_type;
    } else {
      args.existing_type = a.type_;
      args.type_ = ph("<previous type>");
      missing.push("existing_type");
    }
  } else if (a.existing_type !== undefined) args.existing_type = a.existing_type;
  // nullable (None = no change)
  // Without existing_nullable the previous state is unknown: `nullable=False` may have been a
  // no-op on a NOT NULL column, and writing `nullable=True` back would loosen it.
  if (typeof a.nullable === "boolean") {
    if (typeof a.existing_nullable === "boolean") args.nullable = a.existing_nullable;
    else {
      args.nullable = ph("<previous nullability>");
      missing.push("existing_nullable");
    }
    args.existing_nullable = a.nullable;
  } else if (a.existing_nullable !== undefined) args.existing_nullable = a.existing_nullable;
  // server_default (False = no change, None = remove)
  if (given(a, "server_default")) {
    if (given(a, "existing_server_default")) args.server_default = a.existing_server_default!;
    else {
      args.server_default = ph("<previous server default>");
      missing.push("existing_server_default");
    }
    args.existing_server_default = a.server_default!;
  } else if (given(a, "existing_server_default")) args.existing_server_default = a.existing_server_default!;
  // comment (False = no change)
  if (given(a, "comment")) {
    if ("existing_comment" in a) args.comment = a.existing_comment!;
    else {
      args.comment = ph("<previous comment>");
      missing.push("existing_comment");
    }
    args.existing_comment = a.comment!;
  } else if ("existing_comment" in a) args.existing_comment = a.existing_comment!;
  if (typeof newName === "string") args.new_column_name = col;
  if (op.schema) args.schema = op.schema;
  return {
    op: { name: "alter_column", table: op.table, schema: op.schema, args },
    derivable: missing.length === 0 && typeof col === "string",
    ...(missing.length
      ? { missing: `${missing.map((m) => PREVIOUS[m] ?? m).join(" and ")} (the upgrade's call has no ${missing.map((m) => `\`${m}\``).join(", ")})` }
      : {}),
  };
}

// ---- rendering ---------------------------------------------------------------------

/** Parameters written positionally, per operation (the rest as keywords). */
const POSITIONAL: Record<string, string[]> = {
  create_table: ["table_name", "columns"],
  drop_table: ["table_name"],
  rename_table: ["old_table_name", "new_table_name"],
  add_column: ["table_name", "column"],
  drop_column: ["table_name", "column_name"],
  alter_column: ["table_name", "column_name"],
  create_index: ["index_name", "table_name", "columns"],
  drop_index: ["index_name"],
  create_unique_constraint: ["constraint_name", "table_name", "columns"],
  create_primary_key: ["constraint_name", "table_name", "columns"],
  create_check_constraint: ["constraint_name", "table_name", "condition"],
  create_foreign_key: ["constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"],
  "create_<kind>_constraint": ["constraint_name", "table_name", "columns"],
  drop_constraint: ["constraint_name", "table_name"],
  create_table_comment: ["table_name", "comment"],
  drop_table_comment: ["table_name"],
};
/** Arguments that batch forms take from the `with` header. */
const HEADER_ARGS = new Set(["table_name", "source_table", "schema", "source_schema"]);
const VARARGS = new Set(["columns"]);
const NAME_ARGS = new Set(["index_name", "constraint_name"]);

export interface RenderOptions {
  /** The file's source: used to keep `op.f()` and the quote style of the original call. */
  source?: string;
  /** The operation the rendered one answers (for `op.f()` and quotes). */
  original?: Op;
  /** Render the batch form on this alias (`batch_op`), without table/schema. */
  batchAlias?: string;
  /** Name of the `op` module in the file (default `op`). */
  opName?: string;
  quote?: "'" | '"';
}

export function pyStr(s: string, q: "'" | '"' = '"'): string {
  const body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  if (q === '"') return `"${body.replace(/"/g, '\\"')}"`;
  return `'${body.replace(/'/g, "\\'")}'`;
}

export function pyValue(v: Value, q: "'" | '"' = '"'): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return pyStr(v, q);
  if (Array.isArray(v)) return `[${v.map((x) => pyValue(x, q)).join(", ")}]`;
  return v.expr;
}

function originalText(opts: RenderOptions): string | undefined {
  const o = opts.original;
  if (!o || !opts.source || o.span.start === undefined || o.span.end === undefined) return undefined;
  return opts.source.slice(o.span.start, o.span.end);
}

/** Names the original call wrapped in `op.f(...)` / `batch_op.f(...)`. */
function fWrapped(text: string | undefined): Set<string> {
  const out = new Set<string>();
  if (!text) return out;
  for (const m of text.matchAll(/\b\w+\.f\(\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\)/g)) out.add(m[1] ?? m[2]!);
  return out;
}

export function renderOp(inv: InverseOp, opts: RenderOptions = {}): string {
  const text = originalText(opts);
  const q = opts.quote ?? (text && /^[^"]*'/.test(text) ? "'" : '"');
  const wrapped = fWrapped(text);
  const batch = opts.batchAlias !== undefined;
  const owner = batch ? opts.batchAlias! : (opts.opName ?? "op");
  const val = (k: string, v: Value): string => {
    if (NAME_ARGS.has(k) && typeof v === "string" && wrapped.has(v)) return `${owner}.f(${pyStr(v, q)})`;
    return pyValue(v, q);
  };
  const parts: string[] = [];
  const pos = POSITIONAL[inv.name] ?? [];
  const done = new Set<string>();
  for (const p of pos) {
    if (!(p in inv.args)) break;
    done.add(p);
    if (batch && HEADER_ARGS.has(p)) continue;
    const v = inv.args[p]!;
    if (VARARGS.has(p) && inv.name === "create_table" && Array.isArray(v)) parts.push(...v.map((x) => val(p, x)));
    else parts.push(val(p, v));
  }
  for (const [k, v] of Object.entries(inv.args)) {
    if (done.has(k)) continue;
    if (batch && HEADER_ARGS.has(k)) continue;
    parts.push(`${k}=${val(k, v)}`);
  }
  return `${owner}.${inv.name}(${parts.join(", ")})`;
}

export interface RenderedInverse {
  derivable: boolean;
  code: string;
  missing?: string;
}

/** Python source of the inverse of `op`, or null when it has none (execute, bulk_insert, custom ops). */
export function renderInverse(op: Op, opts: Omit<RenderOptions, "original"> = {}): RenderedInverse | null {
  const inv = inverseOf(op);
  if (!inv) return null;
  const code = renderOp(inv.op, Object.assign({}, opts, { original: op }));
  return { derivable: inv.derivable, code, ...(inv.missing ? { missing: inv.missing } : {}) };
}

/** A short description of an operation for messages: `op.add_column("account", "vat_number")`. */
export function describeOp(op: Op): string {
  const a = op.args;
  const q = (v: Value | undefined) => (v === undefined ? "..." : pyValue(v));
  const t = op.table !== null ? pyStr(op.table) : "...";
  switch (op.name) {
    case "add_column":
      return `op.add_column(${t}, sa.Column(${op.column?.name ? pyStr(op.column.name) : "..."}, ...))`;
    case "create_table":
    case "drop_table":
      return `op.${op.name}(${t})`;
    case "rename_table":
      return `op.rename_table(${q(a.old_table_name)}, ${q(a.new_table_name)})`;
    case "drop_column":
    case "alter_column":
      return `op.${op.name}(${t}, ${q(a.column_name)}${typeof a.new_column_name === "string" ? `, new_column_name=${pyStr(a.new_column_name)}` : ""})`;
    case "create_index":
      return `op.create_index(${q(a.index_name)}, ${t}, ...)`;
    case "drop_index":
      return `op.drop_index(${q(a.index_name)}${op.table ? `, table_name=${t}` : ""})`;
    case "drop_constraint":
      return `op.drop_constraint(${q(a.constraint_name)}, ${t}${a.type_ !== undefined ? `, type_=${q(a.type_)}` : ""})`;
    default:
      if (op.name in CREATE_CONSTRAINT_KIND) return `op.${op.name}(${q(a.constraint_name)}, ${t}, ...)`;
      return `op.${op.name}(${op.table !== null ? t : "..."})`;
  }
}

// =====================================================================================
// Part 2: function pairs

export type PairState = "missing" | "empty" | "raises" | "checked" | "skip";

/** Whether the upgrade does something: operations (conditional ones too). */
export function upgradeHasOps(s: Section | null): boolean {
  return s !== null && s.ops.some((op) => !readOnly(op));
}

const CORE_SELECT = /^(?:(?:sa|sqlalchemy|sql|expression)\.)?select\s*\(|^\w+(?:\.c)?\.select\s*\(/;

/** Statements that change neither schema nor data: session settings and transaction control. */
const SESSION_STATEMENT = /^\s*(?:SET|RESET|SHOW|COMMIT|BEGIN|START\s+TRANSACTION)\b/i;

/** An execute of SQL that only reads (SELECT, SET, SHOW, ...): it changes nothing to undo. */
function readOnly(op: Op): boolean {
  if (op.name !== "execute") return false;
  if (typeof op.sql !== "string") {
    const expr = exprOf(op).trim();
    // A Core `select(...)` or `table.select()` (what a loop over `conn.execute(query)` reads).
    if (CORE_SELECT.test(expr) && !/\b(?:insert|update|delete|from_select)\s*\(/.test(expr)) return true;
    // `f"SET SESSION statement_timeout={x}"`: the statement's kind is in its literal start.
    return SESSION_STATEMENT.test(fStringStart(op) ?? "");
  }
  const ts = sqlTargets(op.sql);
  return ts !== null && ts.length > 0 && ts.every((t) => t.kind === "read");
}

/**
 * missing: no downgrade function (ALM101); empty: it has no operations (ALM102);
 * raises: it only raises (ALM103); checked: per-operation rules apply; skip: nothing to check
 * (a dispatcher, no upgrade, or an upgrade without operations, e.g. a merge revision).
 */
export function pairStatus(pair: FunctionPair): PairState {
  const up = pair.upgrade;
  const down = pair.downgrade;
  if (!up || up.dispatcher || down?.dispatcher) return "skip";
  if (!upgradeHasOps(up)) return "skip";
  if (!down) return "missing";
  // Only conditional operations (under if/try, `with suppress(...)`): never a finding by
  // themselves, so an empty or raising downgrade is not claimed wrong.
  if (!up.ops.some((op) => !readOnly(op) && !op.conditional)) return down.ops.length === 0 ? "skip" : "checked";
  if (down.ops.length === 0 && down.body === "empty") return "empty";
  if (down.ops.length === 0 && down.body === "raises") return "raises";
  return "checked";
}

export function checkedPairs(m: Migration): { pair: FunctionPair; up: Section; down: Section }[] {
  return m.pairs.filter((p) => pairStatus(p) === "checked").map((p) => ({ pair: p, up: p.upgrade!, down: p.downgrade! }));
}

// ---- entities: tables and columns through renames ------------------------------------

const tkey = (schema: string | null, name: string) => `${schema ?? ""}\0${name}`;

interface Shared {
  /** Names at the start of the upgrade → entity. */
  s0Tables: Map<string, string>;
  s0Cols: Map<string, Map<string, string>>;
  /** Entities made so far (their ids are `#n`). */
  n: number;
  /** Entities created by the upgrade (tables, columns). */
  created: Set<string>;
}

class World {
  tables = new Map<string, string>();
  cols = new Map<string, Map<string, string>>();
  /** Entities this function created (the upgrade's are also `sh.created`). */
  readonly created: Set<string>;
  constructor(readonly sh: Shared, created?: Set<string>) {
    this.created = created ?? sh.created;
  }

  clone(): World {
    const w = new World(this.sh, new Set());
    w.tables = new Map(this.tables);
    for (const [k, v] of this.cols) w.cols.set(k, new Map(v));
    return w;
  }

  /** A table of this name exists now (known to this function). */
  hasTable(schema: string | null, name: string): boolean {
    return this.findTableKey(schema, name) !== undefined;
  }

  private findTableKey(schema: string | null, name: string): string | undefined {
    const exact = tkey(schema, name);
    if (this.tables.has(exact)) return exact;
    if (schema !== null) return this.tables.has(tkey(null, name)) ? tkey(null, name) : undefined;
    const suffix = `\0${name}`;
    for (const k of this.tables.keys()) if (k.endsWith(suffix)) return k;
    return undefined;
  }

  private s0Table(schema: string | null, name: string): string | undefined {
    const s0 = this.sh.s0Tables;
    const exact = s0.get(tkey(schema, name));
    if (exact !== undefined) return exact;
    if (schema !== null) return s0.get(tkey(null, name));
    const suffix = `\0${name}`;
    for (const [k, v] of s0) if (k.endsWith(suffix)) return v;
    return undefined;
  }

  tableAlive(ent: string): boolean {
    for (const v of this.tables.values()) if (v === ent) return true;
    return false;
  }

  tableName(ent: string): string | undefined {
    for (const [k, v] of this.tables) if (v === ent) return k.split("\0")[1];
    return undefined;
  }

  /** A new entity id (ids are only compared, never read: a counter is enough). */
  fresh(): string {
    return `#${++this.sh.n}`;
  }

  table(schema: string | null, name: string, mode: "use" | "create"): string {
    const k = this.findTableKey(schema, name);
    if (k !== undefined && mode === "use") return this.tables.get(k)!;
    const old = this.s0Table(schema, name);
    if (old !== undefined && k === undefined) {
      // Re-created under its old name: the same table again.
      if (mode === "create" && !this.tableAlive(old)) {
        this.tables.set(tkey(schema, name), old);
        return old;
      }
      // A stale name (dropped or renamed earlier): the author means that table (ALM202 reports the use).
      if (mode === "use") return old;
    }
    const key = tkey(schema, name);
    if (mode === "create") {
      const ent = this.fresh();
      this.created.add(ent);
      this.tables.set(key, ent);
      return ent;
    }
    const ent = this.fresh();
    if (!this.sh.s0Tables.has(key)) this.sh.s0Tables.set(key, ent);
    this.tables.set(key, ent);
    return ent;
  }

  dropTable(ent: string): void {
    // Deleting the entry being visited is safe in a Map iteration: no snapshot needed.
    for (const [k, v] of this.tables) if (v === ent) this.tables.delete(k);
  }

  renameTable(ent: string, schema: string | null, to: string): void {
    this.dropTable(ent);
    this.tables.set(tkey(schema, to), ent);
  }

  private colMap(tableEnt: string): Map<string, string> {
    let m = this.cols.get(tableEnt);
    if (!m) this.cols.set(tableEnt, (m = new Map()));
    return m;
  }

  /** A column of this name exists now (known to this function). */
  hasColumn(tableEnt: string, name: string): boolean {
    return this.colMap(tableEnt).has(name);
  }

  colAlive(tableEnt: string, ent: string): boolean {
    for (const v of this.colMap(tableEnt).values()) if (v === ent) return true;
    return false;
  }

  colName(tableEnt: string, ent: string): string | undefined {
    for (const [k, v] of this.colMap(tableEnt)) if (v === ent) return k;
    return undefined;
  }

  column(tableEnt: string, name: string, mode: "use" | "create"): string {
    const m = this.colMap(tableEnt);
    const cur = m.get(name);
    if (cur !== undefined && mode === "use") return cur;
    let s0 = this.sh.s0Cols.get(tableEnt);
    const old = s0?.get(name);
    if (old !== undefined && cur === undefined) {
      if (mode === "create" && !this.colAlive(tableEnt, old)) {
        m.set(name, old);
        return old;
      }
      if (mode === "use") return old;
    }
    if (mode === "create" || this.created.has(tableEnt) || this.sh.created.has(tableEnt)) {
      const ent = this.fresh();
      if (mode === "create") this.created.add(ent);
      m.set(name, ent);
      return ent;
    }
    const ent = this.fresh();
    if (!s0) this.sh.s0Cols.set(tableEnt, (s0 = new Map()));
    if (!s0.has(name)) s0.set(name, ent);
    m.set(name, ent);
    return ent;
  }

  dropColumn(tableEnt: string, ent: string): void {
    const m = this.colMap(tableEnt);
    for (const [k, v] of m) if (v === ent) m.delete(k);
  }

  renameColumn(tableEnt: string, ent: string, to: string): void {
    this.dropColumn(tableEnt, ent);
    this.colMap(tableEnt).set(to, ent);
  }
}

// ---- normalised events -----------------------------------------------------------------

type ObjKind = "table" | "column" | "index" | "constraint" | "comment";
type Action = "create" | "drop" | "rename" | "alter" | "comment";

interface Ev {
  op: Op;
  obj: ObjKind;
  action: Action;
  /** Identity fully known (literal names, analyzable table). */
  literal: boolean;
  tableEnt: string | null;
  /** The table name as written on the op (batch: from the header). */
  tableName: string | null;
  colEnt?: string;
  /** Index/constraint name (null: unnamed constraint). */
  name?: string | null;
  /** "index" for indexes; the constraint kind; null for `drop_constraint` without `type_`. */
  kind?: ConstraintKind | "index" | null;
  columns?: string[];
  unique?: boolean;
  renameFrom?: string;
  renameTo?: string;
}

const ALTER_ATTRS = ["type", "nullable", "server_default", "comment"] as const;
type AlterAttr = (typeof ALTER_ATTRS)[number];

interface SectionModel {
  events: Ev[];
  world: World;
  /** Tables whose implied (inline) indexes/constraints exist: created tables, added columns with index/unique/FK. */
  impliedTables: Set<string>;
  impliedAnywhere: boolean;
  /** Literal SQL statements per execute op. */
  sql: { op: Op; statements: SqlStatement[] | null; text: string }[];
  nonLiteralIdentity: Set<ObjKind>;
  /** Names of columns this function adds while a column of that name exists. */
  duplicateAdds: Set<string>;
  /** Names of tables this function creates or renames to while a table of that name exists. */
  duplicateTables: Set<string>;
  customOps: Op[];
}

/** The op's table entity in `world` (null when the table is not a known literal). */
function tableEntOf(world: World, op: Op, mode: "use" | "create"): string | null {
  return op.table !== null && !op.dynamicTable ? world.table(op.schema, op.table, mode) : null;
}

function buildSection(section: Section, world: World, source: string): SectionModel {
  const model: SectionModel = { events: [], world, impliedTables: new Set(), impliedAnywhere: false, sql: [], nonLiteralIdentity: new Set(), duplicateAdds: new Set(), duplicateTables: new Set(), customOps: [] };
  const evs: Ev[] = [];
  model.events = evs;
  // Callers pass fresh literals: completed in place (a spread adding a key is slow in V8).
  const push = (e: Omit<Ev, "tableName">) => {
    (e as Ev).tableName = e.op.table;
    evs.push(e as Ev);
  };
  for (const op of section.ops) {
    const a = op.args;
    const tname = op.table;
    const tableKnown = tname !== null && !op.dynamicTable;
    switch (op.name) {
      case "create_table": {
        if (!tableKnown) {
          model.nonLiteralIdentity.add("table");
          break;
        }
        // Creating a table that exists fails at run time (DuplicateTable): what the pair does to it is unsure.
        if (world.hasTable(op.schema, tname)) model.duplicateTables.add(tname);
        const ent = tableEntOf(world, op, "create")!;
        const def = op.tableDef;
        for (const c of def?.columns ?? []) if (c.name) world.column(ent, c.name, "create");
        model.impliedTables.add(ent);
        push({ op, obj: "table", action: "create", literal: true, tableEnt: ent });
        break;
      }
      case "drop_table": {
        if (!tableKnown) {
          model.nonLiteralIdentity.add("table");
          break;
        }
        const ent = tableEntOf(world, op, "use")!;
        push({ op, obj: "table", action: "drop", literal: true, tableEnt: ent });
        world.dropTable(ent);
        break;
      }
      case "rename_table": {
        const from = asString(a.old_table_name);
        const to = asString(a.new_table_name);
        if (from === undefined || to === undefined) {
          model.nonLiteralIdentity.add("table");
          break;
        }
        if (world.hasTable(op.schema, to)) model.duplicateTables.add(to);
        const ent = world.table(op.schema, from, "use");
        world.renameTable(ent, op.schema, to);
        push({ op, obj: "table", action: "rename", literal: true, tableEnt: ent, renameFrom: from, renameTo: to });
        break;
      }
      case "add_column": {
        const name = op.column?.name ?? null;
        if (!tableKnown || name === null) {
          model.nonLiteralIdentity.add("column");
          break;
        }
        const te = tableEntOf(world, op, "use")!;
        // Adding a column that exists fails at run time (DuplicateColumn): what the pair does to it is unsure.
        if (world.hasColumn(te, name)) model.duplicateAdds.add(name);
        const ce = world.column(te, name, "create");
        if (op.column && (op.column.index || op.column.unique || op.column.foreignKeys.length > 0 || op.column.primaryKey)) {
          model.impliedTables.add(te);
          model.impliedAnywhere = true;
        }
        push({ op, obj: "column", action: "create", literal: true, tableEnt: te, colEnt: ce, name });
        break;
      }
      case "drop_column": {
        const name = asString(a.column_name);
        if (!tableKnown || name === undefined) {
          model.nonLiteralIdentity.add("column");
          break;
        }
        const te = tableEntOf(world, op, "use")!;
        const ce = world.column(te, name, "use");
        push({ op, obj: "column", action: "drop", literal: true, tableEnt: te, colEnt: ce, name });
        world.dropColumn(te, ce);
        break;
      }
      case "alter_column": {
        const name = asString(a.column_name);
        const to = a.new_column_name;
        if (!tableKnown || name === undefined || (to !== undefined && to !== null && typeof to !== "string")) {
          model.nonLiteralIdentity.add("column");
          break;
        }
        const te = tableEntOf(world, op, "use")!;
        const ce = world.column(te, name, "use");
        if (typeof to === "string" && to !== name) {
          world.renameColumn(te, ce, to);
          push({ op, obj: "column", action: "rename", literal: true, tableEnt: te, colEnt: ce, name, renameFrom: name, renameTo: to });
        }
        push({ op, obj: "column", action: "alter", literal: true, tableEnt: te, colEnt: ce, name });
        break;
      }
      case "create_index":
      case "drop_index": {
        const name = asString(a.index_name);
        if (name === undefined || op.dynamicTable) {
          model.nonLiteralIdentity.add("index");
          break;
        }
        const cols = asStringList(a.columns);
        // Same keys in the same order as a spread of the optional columns (slow in V8 when keys follow).
        const e: Omit<Ev, "tableName"> = { op, obj: "index", action: op.name === "create_index" ? "create" : "drop", literal: true, tableEnt: tableEntOf(world, op, "use"), name, kind: "index" };
        if (cols) e.columns = cols;
        e.unique = a.unique === true;
        push(e);
        break;
      }
      case "drop_constraint": {
        const name = a.constraint_name;
        if ((name !== null && typeof name !== "string") || !tableKnown) {
          model.nonLiteralIdentity.add("constraint");
          break;
        }
        const ty = asString(a.type_);
        const kind = ty === "foreignkey" || ty === "unique" || ty === "check" || ty === "primary" ? ty : null;
        push({ op, obj: "constraint", action: "drop", literal: true, tableEnt: tableEntOf(world, op, "use"), name, kind });
        break;
      }
      case "create_table_comment":
      case "drop_table_comment":
        if (!tableKnown) break;
        push({ op, obj: "comment", action: "comment", literal: true, tableEnt: tableEntOf(world, op, "use") });
        break;
      case "execute": {
        const text = op.span.start !== undefined && op.span.end !== undefined ? source.slice(op.span.start, op.span.end) : "";
        model.sql.push({ op, statements: typeof op.sql === "string" ? safeClassify(op.sql) : null, text });
        break;
      }
      case "bulk_insert":
        break;
      default:
        if (op.name in CREATE_CONSTRAINT_KIND) {
          const name = a.constraint_name;
          if ((name !== null && typeof name !== "string") || !tableKnown) {
            model.nonLiteralIdentity.add("constraint");
            break;
          }
          const cols = asStringList(a.columns ?? a.local_cols);
          const e: Omit<Ev, "tableName"> = { op, obj: "constraint", action: "create", literal: true, tableEnt: tableEntOf(world, op, "use"), name, kind: CREATE_CONSTRAINT_KIND[op.name]! };
          if (cols) e.columns = cols;
          push(e);
        } else {
          model.customOps.push(op);
        }
    }
  }
  return model;
}

function safeClassify(sql: string): SqlStatement[] | null {
  try {
    return classifySql(sql);
  } catch {
    return null;
  }
}

// ---- analysis results ---------------------------------------------------------------------

export interface MissingInverse {
  /** The upgrade op without an inverse (ALM104 location). */
  op: Op;
  /** `op` with its object named as at the end of the upgrade, when a later op renamed it: the inverse is built from this. */
  asNamed?: Op;
  /** What to write in downgrade(). */
  code: string;
  derivable: boolean;
  missing?: string;
  /** What the op does, for messages. */
  what: string;
}

export interface UnmatchedDowngradeOp {
  op: Op;
  what: string;
  /** A near miss in the upgrade (same kind, similar name), for the message. */
  hint?: string;
}

export interface IncompleteInverse {
  /** The downgrade op (ALM106 location). */
  op: Op;
  /** The upgrade op it answers. */
  upgradeOp: Op;
  problem: string;
  fix: string;
}

export interface PairAnalysis {
  pair: FunctionPair;
  up: Section;
  down: Section;
  missing: MissingInverse[];
  unmatched: UnmatchedDowngradeOp[];
  incomplete: IncompleteInverse[];
}

const cache = new FileCache<Migration, Map<string, PairAnalysis[]>>();

export function analyzeReversibility(m: Migration, dialect = "postgresql"): PairAnalysis[] {
  let byDialect = cache.get(m);
  if (!byDialect) cache.set(m, (byDialect = new Map()));
  const hit = byDialect.get(dialect);
  if (hit) return hit;
  const out = checkedPairs(m).map(({ pair, up, down }) => {
    try {
      return analyzePair(m, pair, up, down, dialect);
    } catch (err) {
      // Precision first: an input this analysis does not handle yields no finding, not a crash.
      if (process.env.ALEMBIC_LINT_DEBUG) throw err;
      return { pair, up, down, missing: [], unmatched: [], incomplete: [] };
    }
  });
  byDialect.set(dialect, out);
  return out;
}

function sqlTextOf(sql: SectionModel["sql"]): string[] {
  return sql.map((s) => (s.statements ? s.op.sql ?? s.text : s.text));
}

/**
 * SQL that only changes rows, never the schema: read in full, an f-string (also inside
 * `sa.text(...)`) that starts with UPDATE, INSERT or DELETE, or a Core `update()`,
 * `insert()` or `delete()` construct.
 */
function onlyData(x: SectionModel["sql"][number]): boolean {
  if (x.statements !== null) return x.statements.length > 0 && x.statements.every((st) => DATA_KINDS.has(st.kind));
  const expr = exprOf(x.op).trim();
  return /^\s*(UPDATE|INSERT|DELETE)\b/i.test(fStringStart(x.op, true) ?? templateStart(x.op) ?? "") || (isCoreDml(expr) && !/\bselect\s*\(/i.test(expr));
}
// Not SELECT: SELECT ... INTO creates a table.
const DATA_KINDS = new Set<SqlStatement["kind"]>(["update", "insert", "delete"]);

/** An execute whose SQL cannot be read and that is not a Core DML construct. */
function opaqueSql(model: SectionModel): boolean {
  return model.sql.some((s) => s.statements === null && !isCoreDml(s.text) && !isFString(s.op));
}

function exprOf(op: Op): string {
  const v = op.args.sqltext;
  return isExpr(v) ? v.expr : "";
}

function isFString(op: Op): boolean {
  return fStringStart(op) !== null;
}

/**
 * The text of an execute's f-string after its opening quote (`f"UPDATE t SET {c} = 1"` →
 * `UPDATE t SET {c} = 1`: the statement's kind), or null when the SQL is no f-string. With
 * `inText`, also an f-string wrapped in `sa.text(...)`.
 */
function fStringStart(op: Op, inText = false): string | null {
  let expr = exprOf(op).trim();
  if (inText) expr = expr.replace(/^(?:sa\.|sqlalchemy\.)?text\(\s*/, "");
  const quote = /^[rRbB]?[fF][rRbB]?("""|'''|"|')/.exec(expr);
  return quote ? expr.slice(quote[0].length) : null;
}

/** A statement that may change the schema: not a read and not a row change. */
function changesSchema(st: SqlStatement): boolean {
  return st.kind !== "select" && !DATA_KINDS.has(st.kind) && st.kind !== "truncate";
}

/** A statement that may rename a table or column: `ALTER TABLE ... RENAME`, or one not read as an ALTER TABLE. */
function renames(st: SqlStatement): boolean {
  return st.kind === "alter-table" ? st.actions.some((a) => a.verb === "RENAME") : changesSchema(st);
}

/** What an ALTER TABLE must say to set a column attribute back (MySQL's MODIFY/CHANGE restate them all). */
const ATTRIBUTE_SQL: Record<AlterAttr, RegExp> = {
  type: /\b(?:TYPE|MODIFY|CHANGE)\b/i,
  nullable: /\bNULL\b|\b(?:MODIFY|CHANGE)\b/i,
  server_default: /\bDEFAULT\b|\b(?:MODIFY|CHANGE)\b/i,
  comment: /\bCOMMENT\b|\b(?:MODIFY|CHANGE)\b/i,
};

/** A statement that may set this column attribute back: an ALTER TABLE that says so, or one of a kind not read. */
function altersAttribute(attr: AlterAttr): (st: SqlStatement) => boolean {
  return (st) => (st.kind === "alter-table" ? ATTRIBUTE_SQL[attr].test(st.text) : st.kind === "alter" || st.kind === "other");
}

/**
 * The text of an execute's string template after its opening quote: a literal formatted at run
 * time (`"""UPDATE t SET {} = 1""".format(c)`, `"DELETE FROM %s" % t`), null for anything else.
 */
function templateStart(op: Op): string | null {
  const expr = exprOf(op).trim();
  const quote = /^[rRuU]?("""|'''|"|')/.exec(expr);
  if (!quote) return null;
  const close = expr.indexOf(quote[1]!, quote[0].length);
  if (close < 0 || !/^\s*(?:\.\s*format\s*\(|%)/.test(expr.slice(close + quote[1]!.length))) return null;
  return expr.slice(quote[0].length, close);
}

function isCoreDml(text: string): boolean {
  return /\.(update|insert|delete|select)\s*\(|\b(sa|sqlalchemy)\.(update|insert|delete|select)\s*\(|\b(update|insert|delete|select)\s*\(\s*\w+/.test(text) && !/\btext\s*\(/.test(text);
}

// ---- the matcher -------------------------------------------------------------------------------

function analyzePair(m: Migration, pair: FunctionPair, up: Section, down: Section, dialect: string): PairAnalysis {
  const sh: Shared = { s0Tables: new Map(), s0Cols: new Map(), n: 0, created: new Set() };
  const upWorld = new World(sh);
  const U = buildSection(up, upWorld, m.source);
  const downWorld = upWorld.clone();
  const D = buildSection(down, downWorld, m.source);
  const result: PairAnalysis = { pair, up, down, missing: [], unmatched: [], incomplete: [] };

  const used = new Set<Ev>();
  const explained = new Set<Ev>();
  const downHidden = down.unanalyzed.length > 0 || opaqueSql(D);
  // Row changes (UPDATE, INSERT, DELETE) and reads (SELECT setval(...)) cannot create, drop,
  // rename or alter what an upgrade op changed: downgrade SQL counts as an inverse only where a
  // statement read in full `can` do it and names the object; unreadable SQL, wherever it names it.
  const downSchemaSql = D.sql.filter((x) => !onlyData(x) && !readOnly(x.op));
  const downSqlCan = (can: (st: SqlStatement) => boolean, ...names: (string | null | undefined)[]) =>
    names.some((n) => n && downSchemaSql.some((x) => (x.statements === null ? mentions(x.text, n) : x.statements.some((st) => can(st) && mentions(st.text, n)))));
  const downSqlMentions = (...names: (string | null | undefined)[]) => downSqlCan(changesSchema, ...names);
  /** Downgrade SQL that drops a table or view by this name (its indexes and constraints go with it). */
  const downSqlDrops = (table: string | null) =>
    table !== null && D.sql.some((x) => x.statements?.some((st) => st.kind === "drop" && st.targets.some((t) => t.name.toLowerCase() === table.toLowerCase())));
  const upSqlAll = sqlTextOf(U.sql);
  const upSqlMentionsName = (n: string | null | undefined) => !!n && upSqlAll.some((t) => mentions(t, n));

  const upTableNew = (ent: string | null) => ent !== null && sh.created.has(ent) && U.events.some((e) => e.obj === "table" && e.action === "create" && e.tableEnt === ent);
  const downDropsTable = (ent: string | null) => ent !== null && D.events.some((e) => e.obj === "table" && e.action === "drop" && e.tableEnt === ent);
  const downDropsCol = (ce: string | undefined) => ce !== undefined && D.events.some((e) => e.obj === "column" && e.action === "drop" && e.colEnt === ce);
  const colNewInUp = (ce: string | undefined) => ce !== undefined && sh.created.has(ce);
  const downAddsImplied = (e: Ev) =>
    D.events.some((d) => d.obj === "column" && d.action === "create" && (d.tableEnt === e.tableEnt || d.tableName === e.tableName) && D.impliedTables.has(d.tableEnt!) && impliedCovers(d.op, e));
  /**
   * The downgrade re-creates this table (inline columns, indexes and constraints restore what the
   * upgrade dropped); with `inline`, only with a definition that may hold the index or constraint `e`.
   */
  const downRecreates = (e: Ev, inline = false) =>
    D.events.some((d) => d.obj === "table" && d.action === "create" && (d.tableEnt === e.tableEnt || (e.tableName !== null && d.tableName === e.tableName)) && (!inline || mayDefineInline(d.op, e)));
  const sameTableEnt = (a: string | null, b: string | null) => a === null || b === null || a === b;
  const sameTable = (x: Ev, y: Ev) => sameTableEnt(x.tableEnt, y.tableEnt) || (x.tableName !== null && x.tableName === y.tableName);

  // Objects created then dropped again inside the upgrade need no inverse.
  const tempInUp = (e: Ev): boolean => {
    if (e.action !== "create") return false;
    const later = U.events.filter((x) => x.op.order > e.op.order && x.action === "drop" && x.obj === e.obj);
    switch (e.obj) {
      case "table":
        return later.some((x) => x.tableEnt === e.tableEnt);
      case "column":
        return later.some((x) => x.colEnt === e.colEnt) || U.events.some((x) => x.op.order > e.op.order && x.obj === "table" && x.action === "drop" && x.tableEnt === e.tableEnt);
      case "index":
      case "constraint":
        return later.some((x) => x.name === e.name && sameTable(x, e)) || U.events.some((x) => x.op.order > e.op.order && x.obj === "table" && x.action === "drop" && x.tableEnt === e.tableEnt && e.tableEnt !== null);
      default:
        return false;
    }
  };

  /**
   * An index or constraint the upgrade drops and creates again under its name (a foreign key
   * taken off around a data fix): it exists before and after, and whether its definition changed
   * is not known. Unless the downgrade handles it too (drops the new definition to restore the
   * old one): then both ops count.
   */
  const redefinedInUp = (e: Ev): boolean => {
    if (e.name === null || D.events.some((d) => d.obj === e.obj && d.name === e.name && sameTable(d, e))) return false;
    // A drop created again later, or a create of what was dropped earlier.
    const counterpart = (x: Ev) => (e.action === "drop" ? x.action === "create" && x.op.order > e.op.order : x.action === "drop" && x.op.order < e.op.order);
    return U.events.some((x) => x.obj === e.obj && x.name === e.name && sameTable(x, e) && counterpart(x));
  };

  const pick = (pred: (d: Ev) => boolean): Ev | undefined => D.events.find((d) => !used.has(d) && pred(d)) ?? D.events.find((d) => pred(d));

  const report = (e: Ev) => !e.op.conditional && e.literal;

  const missingOps = new Set<Op>();
  /**
   * The op with its object named as at the end of the upgrade: a column or table the upgrade
   * renames after creating it is dropped by its new name (`add_column("channel")` then
   * `new_column_name="sales_channel"`: `drop_column("sales_channel")`).
   */
  const atUpgradeEnd = (e: Ev): Op => {
    if (e.action !== "create" || e.tableEnt === null) return e.op;
    // A downgrade that renames it back places the inverse after that (mirrored): the old name.
    const renamedBack = (obj: ObjKind, ent: string | undefined) =>
      D.events.some((d) => d.obj === obj && d.action === "rename" && (obj === "table" ? d.tableEnt === ent : d.colEnt === ent));
    const tableNow = renamedBack("table", e.tableEnt) ? undefined : upWorld.tableName(e.tableEnt);
    const table = tableNow !== undefined && tableNow !== e.op.table ? tableNow : null;
    if (e.obj === "column" && e.colEnt !== undefined && e.op.column) {
      const colNow = renamedBack("column", e.colEnt) ? undefined : upWorld.colName(e.tableEnt, e.colEnt);
      const column = colNow !== undefined && colNow !== e.op.column.name ? colNow : null;
      if (table === null && column === null) return e.op;
      return {
        ...e.op,
        ...(table !== null && !e.op.batch ? { table, args: { ...e.op.args, table_name: table } } : {}),
        ...(column !== null ? { column: { ...e.op.column, name: column } } : {}),
      };
    }
    if (e.obj === "table" && table !== null) return { ...e.op, table, args: { ...e.op.args, table_name: table } };
    return e.op;
  };

  const addMissing = (e: Ev) => {
    if (!report(e) || downHidden || missingOps.has(e.op)) return;
    // `drop_*(..., if_exists=True)` cleans up what may not exist: nothing certain to restore.
    if (e.action === "drop" && e.op.args.if_exists === true) return;
    // The upgrade's own SQL may rename or drop what this op created.
    const objName = e.obj === "table" ? e.tableName : e.obj === "column" ? (e.renameTo ?? e.name) : e.name;
    // A data statement (UPDATE, INSERT, DELETE) cannot do that, unless it copies rows in a
    // rebuild that renames complete (this table renamed later, or an old one renamed away).
    const rebuildCopy = e.obj === "table" && U.events.some((r) => r.obj === "table" && r.action === "rename" && (r.tableEnt === e.tableEnt || r.renameFrom === e.tableName));
    if (e.action === "create" && U.sql.some((x) => x.op.order > e.op.order && (rebuildCopy || !onlyData(x)) && mentions(x.op.sql ?? x.text, objName ?? "\u0000"))) return;
    const named = atUpgradeEnd(e);
    const r = renderInverse(named, { source: m.source });
    if (!r) return;
    missingOps.add(e.op);
    result.missing.push({ op: e.op, ...(named !== e.op ? { asNamed: named } : {}), code: r.code, derivable: r.derivable, ...(r.missing ? { missing: r.missing } : {}), what: describeOp(e.op) });
  };

  // --- tables, columns, indexes, constraints: create ↔ drop --------------------------------
  const upEvents = [...U.events].reverse();
  const upRebuild = renameAwayRebuilds(up);
  const renamedTables = new Set<string>();
  const renamedCols = new Set<string>();
  const alterByCol = new Map<string, Ev[]>();
  for (const e of upEvents) {
    if (e.action === "alter") {
      const list = alterByCol.get(e.colEnt!) ?? [];
      list.unshift(e);
      alterByCol.set(e.colEnt!, list);
      continue;
    }
    if (e.action === "rename") {
      if (e.obj === "table") renamedTables.add(e.tableEnt!);
      else renamedCols.add(e.colEnt!);
      continue;
    }
    if (e.obj === "comment") {
      const d = pick((d) => d.obj === "comment" && d.tableEnt === e.tableEnt);
      if (d) {
        used.add(d);
        explained.add(d);
      } else if (!upTableNew(e.tableEnt) && !downDropsTable(e.tableEnt) && !downSqlMentions(e.op.table)) addMissing(e);
      continue;
    }
    const want: Action = e.action === "create" ? "drop" : "create";
    if (e.obj === "table") {
      // A rebuild by renaming away (rename t → t_tmp, create t, copy, drop t_tmp): not claimed.
      if (upRebuild.ops.has(e.op)) continue;
      const d = pick((d) => d.obj === "table" && d.action === want && d.tableEnt === e.tableEnt);
      if (d) {
        used.add(d);
        explained.add(d);
        continue;
      }
      if (tempInUp(e)) continue;
      if (e.action === "drop" && sh.created.has(e.tableEnt!)) continue; // dropped what it created (temp)
      // A rebuild (create a copy, drop the original, rename the copy into its place): not claimed.
      if (e.action === "drop" && e.tableName !== null && U.events.some((x) => x.op.order > e.op.order && x.obj === "table" && x.action === "rename" && x.renameTo === e.tableName)) continue;
      if (e.tableName !== null && (U.duplicateTables.has(e.tableName) || D.duplicateTables.has(e.tableName))) continue;
      if (!downSqlMentions(e.op.table)) addMissing(e);
      continue;
    }
    if (e.obj === "column") {
      const d = pick((d) => d.obj === "column" && d.action === want && d.colEnt === e.colEnt);
      if (d) {
        used.add(d);
        explained.add(d);
        continue;
      }
      if (tempInUp(e)) continue;
      if (upTableNew(e.tableEnt) || downDropsTable(e.tableEnt) || downSqlDrops(e.tableName)) continue;
      if (e.action === "drop" && downRecreates(e)) continue;
      // Restored by renaming a column built in its place (add, copy, drop, rename: a type swap).
      const builtInDown = (d: Ev) => D.events.some((a) => a.obj === "column" && a.action === "create" && a.name === d.renameFrom && sameTable(a, d) && a.op.order < d.op.order);
      if (e.action === "drop" && D.events.some((d) => d.obj === "column" && d.action === "rename" && d.renameTo === e.name && sameTable(d, e) && builtInDown(d))) continue;
      if (e.action === "drop" && sh.created.has(e.colEnt!)) continue;
      if (e.name && (U.duplicateAdds.has(e.name) || D.duplicateAdds.has(e.name))) continue;
      if (!downSqlMentions(e.name)) addMissing(e);
      continue;
    }
    // index / constraint
    if (e.obj === "constraint" && e.name === null) {
      // Unnamed: ALM109's business. A named drop of the same kind on the table is the
      // naming-convention form of the inverse.
      const d = D.events.find((d) => d.obj === "constraint" && d.action === want && sameTable(d, e) && (d.kind === e.kind || d.kind === null || e.kind === null));
      if (d) explained.add(d);
      continue;
    }
    const sameKind = (d: Ev) =>
      e.obj === "index" ? d.obj === "index" : d.obj === "constraint" && (d.kind === null || e.kind === null || d.kind === e.kind || (e.kind === "exclude" && d.kind === null));
    const d = pick((d) => d.action === want && d.name === e.name && sameTable(d, e) && (d.obj === "index" || d.obj === "constraint") && sameKind(d));
    if (d) {
      used.add(d);
      explained.add(d);
      continue;
    }
    // Same name, other kind: the pair exists but is wrong (ALM106).
    const cross = pick((d) => d.action === want && d.name === e.name && sameTable(d, e) && (d.obj === "index" || d.obj === "constraint"));
    if (cross) {
      used.add(cross);
      explained.add(cross);
      const crossingUnique = (e.kind === "index" || e.kind === "unique") && (cross.kind === "index" || cross.kind === "unique" || cross.kind === null);
      if (report(cross) && !(dialect === "mysql" && crossingUnique) && !upSqlMentionsName(e.name) && !downSqlMentions(e.name)) {
        const r = renderInverse(e.op, { source: m.source });
        result.incomplete.push({
          op: cross.op,
          upgradeOp: e.op,
          problem: `${describeOp(cross.op)} answers ${describeOp(e.op)} with the wrong kind of object (${kindText(cross)} instead of ${kindText(e)})`,
          fix: r ? (r.derivable ? `use \`${r.code}\`` : `use \`${r.code}\` with ${r.missing ?? "the original definition"}`) : "use the matching operation",
        });
      }
      continue;
    }
    // A naming convention with %(constraint_name)s (SQLAlchemy's documented
    // "ck_%(table_name)s_%(constraint_name)s") makes Alembic create `valid_x` as
    // `ck_users_valid_x`, and a downgrade written against the real name drops that. The
    // convention lives in the application's MetaData, not in the migration: a drop whose
    // name ends with this one after words naming the table is taken as its inverse.
    if (e.obj === "constraint" && e.name !== null) {
      const expanded = pick((d) => d.action === want && d.obj === "constraint" && sameTable(d, e) && sameKind(d) && conventionForms(d.name, e.name, e.tableName));
      if (expanded) {
        used.add(expanded);
        explained.add(expanded);
        continue;
      }
    }
    if (tempInUp(e)) continue;
    if (e.tableEnt !== null && (upTableNew(e.tableEnt) || downDropsTable(e.tableEnt))) continue;
    if (downSqlDrops(e.tableName)) continue;
    if (e.action === "drop" && downRecreates(e, true)) continue;
    // Re-created inline by a column the downgrade adds back (`index=True`, `unique=True`, `ForeignKey(...)`).
    if (e.action === "drop" && D.impliedTables.size > 0 && e.tableEnt !== null && downAddsImplied(e)) continue;
    // The downgrade drops a table of that name (e.g. one the upgrade created after using it: ALM201's finding).
    if (e.tableName !== null && D.events.some((d) => d.obj === "table" && d.action === "drop" && d.tableName === e.tableName)) continue;
    if (e.action === "drop" && U.events.some((x) => x.op.order < e.op.order && x.action === "create" && x.obj === e.obj && x.name === e.name)) continue;
    if (redefinedInUp(e)) continue;
    if (!downSqlMentions(e.name)) addMissing(e);
  }

  // --- renames: the entity must be back under its original name --------------------------
  for (const ent of renamedTables) {
    const first = U.events.find((e) => e.obj === "table" && e.action === "rename" && e.tableEnt === ent)!;
    for (const d of D.events) if (d.obj === "table" && d.action === "rename" && d.tableEnt === ent) explained.add(d);
    if (sh.created.has(ent) || downDropsTable(ent)) continue;
    const orig = first.renameFrom!;
    const final = downWorld.tableName(ent);
    if (final === orig) continue;
    const back = [...D.events].reverse().find((d) => d.obj === "table" && d.action === "rename" && d.tableEnt === ent);
    if (back && final !== undefined) {
      if (report(back)) {
        result.incomplete.push({
          op: back.op,
          upgradeOp: first.op,
          problem: `the table renamed by ${describeOp(first.op)} is renamed back to ${pyStr(back.renameTo!)}, not to ${pyStr(orig)}`,
          fix: `rename it to ${pyStr(orig)}: \`op.rename_table(${pyStr(back.renameFrom!)}, ${pyStr(orig)})\``,
        });
      }
      continue;
    }
    if (final === undefined || downSqlCan(renames, first.renameTo, orig)) continue;
    addMissing(first);
  }
  for (const ce of renamedCols) {
    const first = U.events.find((e) => e.obj === "column" && e.action === "rename" && e.colEnt === ce)!;
    for (const d of D.events) if (d.obj === "column" && d.colEnt === ce) explained.add(d);
    if (colNewInUp(ce) || upTableNew(first.tableEnt) || downDropsTable(first.tableEnt)) continue;
    const orig = first.renameFrom!;
    if (downDropsCol(ce)) {
      // A column that existed before the upgrade, dropped under its new name: its old name
      // comes back only if the downgrade adds a column by that name (and copies the rows).
      const addsBack = D.events.some((d) => d.obj === "column" && d.action === "create" && d.name === orig && sameTable(d, first));
      if (!addsBack && !downHidden && !downSqlMentions(first.renameTo, orig)) addMissing(first);
      continue;
    }
    const final = downWorld.colName(first.tableEnt!, ce);
    if (final === orig) continue;
    const back = [...D.events].reverse().find((d) => d.obj === "column" && d.action === "rename" && d.colEnt === ce);
    const anyAlter = D.events.find((d) => d.obj === "column" && d.action === "alter" && d.colEnt === ce && !d.op.conditional);
    if (back) {
      if (report(back)) {
        result.incomplete.push({
          op: back.op,
          upgradeOp: first.op,
          problem: `the column renamed by ${describeOp(first.op)} is renamed back to ${pyStr(back.renameTo!)}, not to ${pyStr(orig)}`,
          fix: `use \`new_column_name=${pyStr(orig)}\``,
        });
      }
      continue;
    }
    if (final === undefined || downSqlCan(renames, first.renameTo, orig) || downHidden) continue;
    if (anyAlter && report(anyAlter)) {
      result.incomplete.push({
        op: anyAlter.op,
        upgradeOp: first.op,
        problem: `${describeOp(first.op)} renames the column, and this downgrade alter_column does not rename it back`,
        fix: `add \`new_column_name=${pyStr(orig)}\``,
      });
      continue;
    }
    addMissing(first);
  }

  // --- alter_column attributes -------------------------------------------------------------
  for (const [ce, alters] of alterByCol) {
    const first = alters[0]!;
    const downAlters = D.events.filter((d) => d.obj === "column" && d.action === "alter" && d.colEnt === ce);
    for (const d of downAlters) explained.add(d);
    const changes = netChanges(alters.map((e) => e.op));
    if (changes.size === 0) continue;
    if (colNewInUp(ce) || upTableNew(first.tableEnt) || downDropsCol(ce) || downDropsTable(first.tableEnt)) continue;
    if (alters.every((e) => e.op.conditional)) continue;
    const reportable = alters.filter((e) => !e.op.conditional);
    if (downAlters.length === 0) {
      const colName = first.name!;
      if ([...changes.keys()].some((attr) => downSqlCan(altersAttribute(attr), colName))) continue;
      // `nullable=True` without existing_nullable may be a no-op: not claimed alone.
      const nc = changes.get("nullable");
      if (changes.size === 1 && nc && nc.before === undefined && nc.after === true) continue;
      // One finding for the column: at its first unconditional alter.
      addMissing(reportable[0]!);
      continue;
    }
    const at = downAlters.find((d) => !d.op.conditional);
    if (!at) continue;
    const finalDown = netDownValues(downAlters.map((d) => d.op));
    const upOp = reportable[0]!.op;
    const problems: string[] = [];
    const fixes: string[] = [];
    for (const [attr, ch] of changes) {
      const dv = finalDown.get(attr);
      // Both functions restate the same nullability without existing_nullable (ALM107's
      // finding): a "just to be sure" nullable=True, or the NOT NULL that MySQL needs
      // restated next to a type change. The column's nullability did not change.
      if (attr === "nullable" && ch.guessed && dv === ch.after && (ch.after === true || ch.restated)) continue;
      // The same for a type_ restated on both sides next to other changes (MySQL needs the type
      // in every column alter): the type did not change.
      if (attr === "type" && ch.before === undefined && changes.size > 1 && dv !== undefined && differs(attr, ch.after, dv) === false) continue;
      if (dv === undefined) {
        if (downHidden || downSqlCan(altersAttribute(attr), first.name)) continue;
        if (attr === "nullable" && ch.before === undefined) continue;
        problems.push(`does not set ${ATTR_ARG[attr]} back`);
        fixes.push(ch.before !== undefined ? `${ATTR_ARG[attr]}=${valueText(attr, ch.before)}` : `${ATTR_ARG[attr]}=<the previous value>`);
        continue;
      }
      if (ch.before !== undefined) {
        if (differs(attr, ch.before, dv) === true) {
          problems.push(`sets ${ATTR_ARG[attr]}=${valueText(attr, dv)}, but before the upgrade it was ${valueText(attr, ch.before)}`);
          fixes.push(`${ATTR_ARG[attr]}=${valueText(attr, ch.before)}`);
        }
      } else if (differs(attr, ch.after, dv) === false && !(attr === "server_default" && ch.after === null) && sameSourceText(ch.after, dv)) {
        // The value before the upgrade is unknown: claim "no-op" only when the downgrade
        // writes literally the same value (`'{}'::text` after a `'{}'::jsonb` that came
        // with a type change back is a deliberate, different default).
        problems.push(`sets ${ATTR_ARG[attr]}=${valueText(attr, dv)}, the value the upgrade sets`);
        fixes.push(`${ATTR_ARG[attr]}=<the value before the upgrade>`);
      }
    }
    if (problems.length > 0) {
      result.incomplete.push({
        op: at.op,
        upgradeOp: upOp,
        problem: `this alter_column ${problems.join("; ")} (${describeOp(upOp)} changed it)`,
        fix: `write ${fixes.map((f) => `\`${f}\``).join(", ")}`,
      });
    }
  }

  // --- an index redefined by the upgrade must come back with its old definition ------------
  for (const e of U.events) {
    if (e.obj !== "index" || e.action !== "create" || !report(e) || !e.columns) continue;
    const redefined = U.events.some((x) => x.op.order < e.op.order && x.obj === "index" && x.action === "drop" && x.name === e.name);
    if (!redefined) continue;
    const back = D.events.find((d) => d.obj === "index" && d.action === "create" && d.name === e.name && report(d) && d.columns !== undefined);
    if (!back || back.columns!.join("\0") !== e.columns.join("\0") || (back.unique ?? false) !== (e.unique ?? false)) continue;
    if (JSON.stringify(back.op.args) !== JSON.stringify(e.op.args) && !sameIndexOptions(back.op, e.op)) continue;
    result.incomplete.push({
      op: back.op,
      upgradeOp: e.op,
      problem: `the downgrade re-creates index ${pyStr(e.name!)} exactly as the upgrade redefines it (${describeOp(e.op)}), not as it was before`,
      fix: "re-create it with its previous columns and options (those of the index the upgrade dropped)",
    });
  }

  // --- downgrade ops that undo nothing (ALM105) ----------------------------------------------
  const upHidden =
    up.unanalyzed.length > 0 || U.customOps.length > 0 || up.ops.some((o) => o.dynamicTable) ||
    U.sql.some((x) => x.statements === null && !isCoreDml(x.text) && !/^\s*(UPDATE|INSERT|DELETE|SELECT)\b/i.test(fStringStart(x.op) ?? ""));
  /** Tables the upgrade changes with DDL written in SQL (it may have created what the downgrade drops). */
  const upSqlDdlTables = new Set<string>();
  for (const x of U.sql) {
    for (const st of x.statements ?? []) {
      if (st.kind !== "create" && st.kind !== "alter-table" && st.kind !== "drop" && st.kind !== "alter") continue;
      for (const n of [st.table, ...st.targets]) if (n) upSqlDdlTables.add(n.name.toLowerCase());
    }
  }
  if (!upHidden) {
    const upSql = sqlTextOf(U.sql);
    const upSqlMentions = (...names: (string | null | undefined)[]) => names.some((n) => n && upSql.some((t) => mentions(t, n)));
    const upDroppedColsOf = (te: string | null) => te !== null && U.events.some((x) => x.obj === "column" && x.action === "drop" && x.tableEnt === te);
    const upTouchedCol = (ce: string | undefined) => ce !== undefined && U.events.some((x) => x.colEnt === ce);
    const upTouchedTable = (te: string | null) => te !== null && U.events.some((x) => x.tableEnt === te && (x.obj === "table"));
    const reportedOps = new Set<Op>();
    const downRebuild = renameAwayRebuilds(down);
    for (const d of D.events) {
      if (explained.has(d) || !report(d) || reportedOps.has(d.op)) continue;
      if (downRebuild.ops.has(d.op)) continue;
      // One op, one verdict: an alter that also renames is explained if either part is.
      if (D.events.some((x) => x !== d && x.op === d.op && explained.has(x))) continue;
      if (d.obj !== "table" && d.tableName !== null && upSqlDdlTables.has(d.tableName.toLowerCase())) continue;
      if (U.nonLiteralIdentity.has(d.obj) || U.nonLiteralIdentity.has("table")) continue;
      // Restoration context: the downgrade re-created the table or column earlier.
      const restoredBefore = (te: string | null) =>
        te !== null && D.events.some((x) => x.op.order < d.op.order && x.obj === "table" && (x.action === "create" || x.action === "rename") && x.tableEnt === te);
      if (d.obj !== "table" && restoredBefore(d.tableEnt)) continue;
      // Guarded (`if_exists=True` / `if_not_exists=True`): written for objects that may not be there.
      if (d.op.args.if_exists === true || d.op.args.if_not_exists === true) continue;
      if ((d.obj === "index" || d.obj === "constraint") && d.tableName !== null && U.events.some((x) => x.obj === "table" && x.action === "create" && x.tableName === d.tableName)) continue;
      // Same names as something the upgrade touched (entities can part ways after an ordering
      // mistake such as a use after drop, which ALM202 reports): not "unmatched".
      if (d.obj === "table" && U.events.some((x) => x.obj === "table" && d.tableName !== null && (x.tableName === d.tableName || x.renameTo === d.tableName) && x.action !== d.action)) continue;
      if (
        d.obj === "column" &&
        U.events.some((x) => x.obj === "column" && x.tableName === d.tableName && (x.name === d.name || x.renameTo === d.name) && (x.action !== d.action || d.action === "alter" || d.action === "rename"))
      ) continue;
      // Cancelled inside the downgrade (a temporary object, or drop + re-create around another change).
      const sameObj = (x: Ev) =>
        x !== d && x.obj === d.obj &&
        (d.obj === "table" ? x.tableEnt === d.tableEnt : d.obj === "column" ? x.colEnt === d.colEnt : x.name === d.name && sameTable(x, d));
      if ((d.action === "create" || d.action === "drop") && D.events.some((x) => sameObj(x) && (x.action === "create" || x.action === "drop") && x.action !== d.action)) continue;
      if (d.action === "comment") continue;
      let what: string | null = null;
      switch (d.obj) {
        case "table":
          if (d.action === "rename") {
            if (upTouchedTable(d.tableEnt) || upSqlMentions(d.renameFrom, d.renameTo)) continue;
            what = `renames table ${pyStr(d.renameFrom!)}, which upgrade() did not rename`;
          } else if (d.action === "drop") {
            if (upSqlMentions(d.op.table)) continue;
            // Dropping a table undoes what the upgrade added to it (columns, indexes, changes),
            // unless the upgrade dropped that table itself.
            const te = d.tableEnt;
            const added = te !== null && U.events.some((x) => x.tableEnt === te && x.obj !== "table" && x.action !== "drop");
            if (added && !U.events.some((x) => x.obj === "table" && x.action === "drop" && x.tableEnt === te)) continue;
            what = `drops table ${pyStr(d.op.table!)}, which upgrade() did not create`;
          } else {
            if (upSqlMentions(d.op.table)) continue;
            what = `creates table ${pyStr(d.op.table!)}, which upgrade() did not drop`;
          }
          break;
        case "column": {
          if (upSqlMentions(d.name, d.renameTo)) continue;
          if (colNewInUp(d.colEnt) || upTableNew(d.tableEnt)) continue;
          if (d.action === "alter" || d.action === "rename") {
            if (upTouchedCol(d.colEnt)) continue;
            if (d.action === "alter" && !hasChanges(d.op)) continue;
            if (D.events.some((x) => x.obj === "column" && x.action === "rename" && x.colEnt === d.colEnt && x !== d && explained.has(x))) continue;
            what = d.action === "rename"
              ? `renames column ${pyStr(`${d.op.table}.${d.name}`)}, which upgrade() did not rename`
              : `alters column ${pyStr(`${d.op.table}.${d.name}`)}, which upgrade() did not change`;
          } else if (d.action === "drop") {
            if (upTouchedCol(d.colEnt)) continue;
            what = `drops column ${pyStr(`${d.op.table}.${d.name}`)}, which upgrade() did not add`;
          } else {
            if (upTouchedCol(d.colEnt)) continue;
            what = `adds column ${pyStr(`${d.op.table}.${d.name}`)}, which upgrade() did not drop`;
          }
          break;
        }
        case "index":
        case "constraint": {
          if (d.name === null) continue; // drop_constraint(None): ALM109
          if (upSqlMentions(d.name)) continue;
          if (d.tableEnt !== null && (upTableNew(d.tableEnt) || sh.created.has(d.tableEnt))) continue;
          if (d.action === "drop") {
            if (d.tableEnt !== null && U.impliedTables.has(d.tableEnt)) continue;
            if (d.tableEnt === null && (U.impliedAnywhere || U.impliedTables.size > 0)) continue;
          } else {
            // Re-creating what a dropped column or table took with it.
            if (upDroppedColsOf(d.tableEnt)) continue;
            const ref = d.op.args.referent_table;
            if (
              typeof ref === "string" &&
              (U.events.some((x) => x.obj === "table" && x.action === "drop" && x.tableName === ref) ||
                upSqlMentions(ref) ||
                D.events.some((x) => x.op.order < d.op.order && x.obj === "table" && x.action === "create" && x.tableName === ref))
            ) continue;
            if (D.events.some((x) => x.op.order < d.op.order && x.obj === "column" && x.action === "create" && x.tableEnt === d.tableEnt)) continue;
          }
          const kind = kindText(d);
          what = d.action === "drop" ? `drops ${kind} ${pyStr(d.name!)}, which upgrade() did not create` : `creates ${kind} ${pyStr(d.name!)}, which upgrade() did not drop`;
          break;
        }
        default:
          continue;
      }
      if (what) {
        reportedOps.add(d.op);
        const hint = nearMiss(d, U.events);
        result.unmatched.push({ op: d.op, what, ...(hint ? { hint } : {}) });
      }
    }
  }
  return result;
}

/** Whether one constraint name is the other with a naming convention's words before it (`x` and `ck_t_x`). */
function conventionForms(a: string | null | undefined, b: string | null | undefined, table: string | null): boolean {
  if (a == null || b == null || a === b) return false;
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  // `ck_users_valid_x` for `valid_x` on "users": the convention's words come first and name the table.
  if (!long.endsWith(`_${short}`)) return false;
  return table === null || long.slice(0, long.length - short.length).toLowerCase().includes(table.toLowerCase());
}

/** Same dialect options (where, using, ...) on two create_index calls. */
function sameIndexOptions(a: Op, b: Op): boolean {
  const opts = (op: Op) =>
    JSON.stringify(Object.entries(op.args).filter(([k]) => !["index_name", "table_name", "columns", "unique", "schema", "if_not_exists", "postgresql_concurrently"].includes(k)).map(([k, v]) => [k, isExpr(v) ? v.expr : v]).sort());
  return opts(a) === opts(b);
}

/** Does the column added by `add` imply the index/constraint `e` (by kind)? */
/**
 * May `create_table` define the index or constraint `e` inline? By name (`sa.Index`, a named
 * constraint), or by columns that make one under the MetaData's naming convention (`index=True`,
 * `unique=True`, a foreign key, the primary key: their names hold the column's). Anything not
 * read (items not decoded, unnamed constraints, `**kwargs`) may.
 */
function mayDefineInline(create: Op, e: Ev): boolean {
  const def = create.tableDef;
  const items = create.args.columns;
  if (!def || !Array.isArray(items) || items.length !== def.columns.length + def.constraints.length + def.indexes.length) return true;
  const name = e.name;
  if (name === null || name === undefined) return true;
  if (def.indexes.some((ix) => ix.name === null || ix.name === name)) return true;
  // An unnamed constraint of the kind (a unique one is also an index on MySQL).
  const ofKind = (kind: ConstraintKind) => (e.obj === "index" ? kind === "unique" : e.kind === null || e.kind === undefined || e.kind === kind);
  if (def.constraints.some((c) => c.name === name || (c.name === null && ofKind(c.kind)))) return true;
  const makes = (c: ColumnDef) =>
    e.obj === "index" ? c.index || c.unique : (c.unique && ofKind("unique")) || (c.foreignKeys.length > 0 && ofKind("foreignkey")) || (c.primaryKey && ofKind("primary"));
  return def.columns.some((c) => c.opaqueKwargs || c.name === null || (makes(c) && new RegExp(`(?:^|_)${escapeRegExp(c.name)}(?:_|$)`).test(name)));
}

function impliedCovers(add: Op, e: Ev): boolean {
  const c = add.column;
  if (!c) return false;
  if (e.obj === "index") return c.index || c.unique;
  switch (e.kind) {
    case "foreignkey":
      return c.foreignKeys.length > 0;
    case "unique":
      return c.unique;
    case "primary":
      return c.primaryKey;
    case null:
      return c.index || c.unique || c.foreignKeys.length > 0;
    default:
      return false;
  }
}

function kindText(e: Ev): string {
  if (e.obj === "index") return e.unique ? "unique index" : "index";
  return e.kind ? KIND_TEXT[e.kind]! : "constraint";
}

function hasChanges(op: Op): boolean {
  const a = op.args;
  return (a.type_ !== undefined && a.type_ !== null) || typeof a.nullable === "boolean" || given(a, "server_default") || given(a, "comment") || typeof a.new_column_name === "string";
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

function nearMiss(d: Ev, ups: Ev[]): string | undefined {
  const name = d.obj === "table" ? d.op.table : d.name;
  if (!name) return undefined;
  let best: { n: string; dist: number } | undefined;
  for (const u of ups) {
    if (u.obj !== d.obj) continue;
    const n = u.obj === "table" ? u.op.table : u.name;
    if (!n || n === name) continue;
    const dist = editDistance(n.toLowerCase(), name.toLowerCase());
    if (dist <= Math.max(2, Math.floor(n.length / 4)) && (!best || dist < best.dist)) best = { n, dist };
  }
  return best ? `did you mean ${pyStr(best.n)}?` : undefined;
}

// ---- alter_column attribute bookkeeping --------------------------------------------------------

const ATTR_ARG: Record<AlterAttr, string> = { type: "type_", nullable: "nullable", server_default: "server_default", comment: "comment" };

interface Change {
  /** The value before the upgrade, when known (existing_*, or the opposite of a boolean nullable). */
  before: Value | undefined;
  after: Value;
  /** `nullable` without existing_nullable: `before` is a guess (or unknown). */
  guessed?: boolean;
  /** ...given next to a type or default change, where MySQL-minded code restates the column's nullability. */
  restated?: boolean;
}

function changeOf(op: Op, attr: AlterAttr): Change | undefined {
  const a = op.args;
  switch (attr) {
    case "type":
      if (a.type_ === undefined || a.type_ === null) return undefined;
      return { before: a.existing_type ?? undefined, after: a.type_ };
    case "nullable":
      if (typeof a.nullable !== "boolean") return undefined;
      // Without existing_nullable: tightening (`nullable=False`) implies the column was nullable
      // (autogenerate writes existing_nullable whenever nullability stays); relaxing
      // (`nullable=True`) is often written "to be sure" and may be a no-op: unknown.
      if (typeof a.existing_nullable === "boolean") return { before: a.existing_nullable, after: a.nullable };
      return { before: a.nullable === false ? true : undefined, after: a.nullable, guessed: true, restated: changesMore(a) };
    case "server_default":
      if (!given(a, "server_default")) return undefined;
      return { before: given(a, "existing_server_default") ? a.existing_server_default : undefined, after: a.server_default! };
    case "comment":
      if (!given(a, "comment")) return undefined;
      return { before: "existing_comment" in a ? a.existing_comment : undefined, after: a.comment! };
  }
}

/** An alter that changes the type or the server default besides nullability. */
function changesMore(a: Op["args"]): boolean {
  return (a.type_ !== undefined && a.type_ !== null) || given(a, "server_default");
}

/** Net changes of several alters of one column in one function: first `before`, last `after`. */
function netChanges(ops: Op[]): Map<AlterAttr, Change> {
  const out = new Map<AlterAttr, Change>();
  for (const op of ops) {
    for (const attr of ALTER_ATTRS) {
      const c = changeOf(op, attr);
      if (!c) continue;
      const prev = out.get(attr);
      out.set(attr, prev ? { ...prev, after: c.after } : c);
    }
  }
  for (const [attr, c] of [...out]) if (c.before !== undefined && differs(attr, c.before, c.after) === false) out.delete(attr);
  return out;
}

function netDownValues(ops: Op[]): Map<AlterAttr, Value> {
  const out = new Map<AlterAttr, Value>();
  for (const op of ops) {
    for (const attr of ALTER_ATTRS) {
      const c = changeOf(op, attr);
      if (c) out.set(attr, c.after);
    }
  }
  return out;
}

/** true / false when the two values surely differ / are the same; undefined when unsure. */
function differs(attr: AlterAttr, a: Value, b: Value): boolean | undefined {
  switch (attr) {
    case "type": {
      const same = sameType(a, b);
      if (same !== false) return same === undefined ? undefined : false;
      // Spellings that reflection and hand-written code use for one column type: not "different".
      const x = normalizeType(a);
      const y = normalizeType(b);
      if (!x || !y) return undefined;
      const boolish = (t: typeof x) => t.family === "boolean" || t.boolLike === true;
      if (boolish(x) && boolish(y)) return false;
      if (x.family === "string" && y.family === "string" && (x.textual || x.length === null) && (y.textual || y.length === null)) return false;
      if (x.family === "float" && y.family === "float") return undefined;
      // `sa.CHAR()` next to `sa.CHAR(length=128)`: a length left out, most likely not CHAR(1).
      const lengthless = (t: typeof x) => t.fixed === true && !/\d/.test(t.text);
      if (x.family === "string" && y.family === "string" && x.fixed && y.fixed && lengthless(x) !== lengthless(y)) return undefined;
      if (x.family === "other" || y.family === "other") return x.name === y.name ? undefined : true;
      return true;
    }
    case "nullable":
      return typeof a === "boolean" && typeof b === "boolean" ? a !== b : undefined;
    case "server_default": {
      const x = defaultText(a);
      const y = defaultText(b);
      if (x === undefined || y === undefined) return undefined;
      return x !== y;
    }
    case "comment":
      if ((typeof a === "string" || a === null) && (typeof b === "string" || b === null)) return a !== b;
      return undefined;
  }
}

/** A server default as normalised SQL text: `"x"` → `'x'`, `sa.text("now()")` → `now()`; undefined when not readable. */
export function defaultText(v: Value): string | undefined {
  if (v === null) return "<none>";
  if (typeof v === "string") return norm(`'${v.replace(/'/g, "''")}'`);
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (Array.isArray(v)) return undefined;
  if (v.call && /(^|\.)(text|literal_column)$/.test(v.call.callee) && typeof v.call.args[0] === "string") return norm(v.call.args[0]);
  if (v.call && /(^|\.)(func\.\w+)$/.test(v.call.callee) && v.call.args.length === 0) return norm(`${v.call.callee.split(".").pop()}()`);
  const fm = /^(?:sa\.|sqlalchemy\.)?func\.(\w+)\(\s*\)$/.exec(v.expr.trim());
  if (fm) return norm(`${fm[1]}()`);
  return undefined;
}

function sameSourceText(a: Value, b: Value): boolean {
  const text = (v: Value) => (isExprLike(v) ? v.expr : JSON.stringify(v)).replace(/\s+/g, " ").trim();
  return text(a) === text(b);
}

function isExprLike(v: Value): v is { expr: string } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function norm(sql: string): string {
  let s = sql.trim().replace(/\s+/g, " ").toLowerCase();
  // Reflected defaults carry casts and parentheses: `'x'::character varying`, `(now())`.
  s = s.replace(/::[a-z ]+(\(\d+\))?(\[\])?$/g, "");
  while (/^\(.*\)$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
  if (s === "current_timestamp" || s === "current_timestamp()") s = "now()";
  return s;
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === "(") d++;
    else if (c === ")" && --d < 0) return false;
  }
  return d === 0;
}

function valueText(attr: AlterAttr, v: Value): string {
  if (attr === "type") return typeText(v) ?? pyValue(v);
  return pyValue(v);
}
