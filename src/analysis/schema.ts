// A symbolic schema simulator: walks one function (Section) of a migration in
// execution order and records the life of every object the function itself creates,
// drops or renames (tables, columns, indexes, constraints, Postgres enum types) plus
// the foreign-key edges between tables. Everything the function does not touch is
// "unknown" and must never produce a finding.
//
// Interface (for the ALM2xx ordering rules and for any rule that asks "was this
// object created in this migration?"):
//
//   const sim = simulate(section, { other, source, enumTypes });
//   sim.steps                      ops and type events in execution order (batch-adjusted)
//   sim.posOf(op)                  execution position of an op
//   sim.state(ref, pos)            "exists" | "gone" | "unknown" just before `pos`
//   sim.prev(ref, pos) / next(...) the neighbouring lifecycle events of an object
//   sim.usesOf(op)                 the objects an op needs to exist
//   sim.liveForeignKeys(pos)       FK edges known to exist just before `pos`
//   sim.catalog                    descriptions from both functions (index columns, FKs)
//   sim.tableCreatedBefore(op), sim.columnCreatedBefore(op, c), sim.createdBefore(ref, op)
//   sim.hiddenBefore(op)           part of the section could not be analyzed before op
//   sim.reportable(op)             the op may cause a finding (not conditional, not dynamic, ...)
//
// Execution order: ops queued on a `batch_op` take effect when their `with
// op.batch_alter_table(...)` block exits (`flushOrder`), in listed order; `execute`
// (batch or not) and every `op.*` call inside the block run immediately.
import { asString, asStringList, isExpr, type ColumnDef, type Migration, type Op, type Section, type Span, type TypeEvent, type Value } from "../model.js";
import { memoByText } from "./memo.js";
import { FileCache } from "./file-cache.js";

export type ObjectKind = "table" | "column" | "index" | "constraint" | "type";

/** A schema object by identity. */
export interface ObjRef {
  kind: ObjectKind;
  schema: string | null;
  /** Table name (tables, columns, constraints; indexes when known). */
  table: string | null;
  /** Object name (the table's own name for tables). */
  name: string;
}

export type Step =
  | { kind: "op"; op: Op; pos: number; queued: boolean }
  | { kind: "type"; event: TypeEvent; pos: number };

export type Action = "create" | "drop" | "rename-from" | "rename-to";

export interface LifeEvent {
  ref: ObjRef;
  action: Action;
  pos: number;
  step: Step;
  /** Under a runtime condition: the event may not happen. */
  maybe: boolean;
  /** `if_not_exists` / `if_exists` / `checkfirst`: says nothing about the state before. */
  guarded: boolean;
  /** Dropped implicitly, with its table or with a column it covers. */
  cascade?: "table" | "column";
  /** For rename events: the other name. */
  otherName?: string;
  /** For columns: the `add_column` op that created it (followed through renames). */
  origin?: Op;
}

export interface ForeignKeyEdge {
  name: string | null;
  schema: string | null;
  table: string;
  columns: string[];
  refSchema: string | null;
  refTable: string;
  refColumns: string[];
  /** The op that declares it (create_table, add_column, create_foreign_key). */
  op: Op;
  /** The function the declaring op is in. */
  section: Section;
  /** Position created in this simulation (-1: present when the function starts). */
  created: number;
  /** Position at which it disappeared, if it did. */
  removed?: number;
  maybe: boolean;
}

export interface IndexInfo {
  schema: string | null;
  table: string | null;
  name: string;
  columns: string[];
  op: Op;
}

export interface ConstraintInfo {
  schema: string | null;
  table: string;
  name: string;
  kind: "primary" | "unique" | "foreignkey" | "check" | "exclude" | null;
  columns: string[];
  op: Op;
}

/** What both functions of the file say about objects (not about their existence). */
export interface Catalog {
  /** Index descriptions by name; several when the file describes it differently. */
  indexes: Map<string, IndexInfo[]>;
  /** Constraint descriptions by `table\0name`. */
  constraints: Map<string, ConstraintInfo[]>;
  /** Column definitions by `table\0column` (add_column / create_table). */
  columns: Map<string, { def: ColumnDef; op: Op }[]>;
}

export interface SimOptions {
  /** The other function of the pair: describes objects and gives the FK edges present at the start. */
  other?: Section | null;
  /** The file's source, for `checkfirst=` on enum create/drop calls and for hidden-part checks. */
  migration?: Migration | null;
  /** Track Postgres enum types (true for the postgresql dialect). */
  enumTypes?: boolean;
}

export type State = "exists" | "gone" | "unknown";

export interface Simulation {
  section: Section;
  steps: Step[];
  events: LifeEvent[];
  catalog: Catalog;
  posOf(op: Op): number;
  stepOf(op: Op): Step | undefined;
  /** Lifecycle events of one object, in execution order. */
  history(ref: ObjRef): LifeEvent[];
  /** Last event strictly before `pos`, when nothing opaque happened since. */
  prev(ref: ObjRef, pos: number): LifeEvent | undefined;
  /** First event at or after `pos`, when nothing opaque happens in between. */
  next(ref: ObjRef, pos: number): LifeEvent | undefined;
  state(ref: ObjRef, pos: number): { state: State; event?: LifeEvent };
  /** Objects the op needs to exist, most fundamental first (table before its columns). */
  usesOf(op: Op): ObjRef[];
  liveForeignKeys(pos: number): ForeignKeyEdge[];
  /** Ops whose SQL or effect is unknown and may change any object (global barriers). */
  barrierBetween(from: number, to: number, names: string[]): boolean;
  hiddenBefore(op: Op): boolean;
  /** Part of the section that could not be analyzed may run after the op. */
  hiddenAfter(op: Op): boolean;
  reportable(op: Op): boolean;
  /** Created (or renamed into existence) by this function before the op, for certain. */
  createdBefore(ref: ObjRef, op: Op): boolean;
  tableCreatedBefore(op: Op): boolean;
  columnCreatedBefore(op: Op, column: string): boolean;
}

// ---- keys -------------------------------------------------------------------------

export function refKey(r: ObjRef): string {
  switch (r.kind) {
    case "table":
      return `table\0${r.schema ?? ""}\0${r.name}`;
    case "column":
    case "constraint":
      return `${r.kind}\0${r.schema ?? ""}\0${r.table ?? ""}\0${r.name}`;
    case "index":
      return `index\0${r.schema ?? ""}\0${r.name}`;
    case "type":
      return `type\0${r.name}`;
  }
}

/** An object's history with the parts of its identity refKey uses besides the name ("" for unused or null parts). */
interface NamedHistory {
  kind: ObjectKind;
  schema: string;
  table: string;
  h: LifeEvent[];
  /** The ref of the object's latest event (fields outside the identity, e.g. an index's table, may differ between events). */
  ref: ObjRef;
}

function namedHistory(ref: ObjRef, h: LifeEvent[]): NamedHistory {
  const kind = ref.kind;
  return { kind, schema: kind === "type" ? "" : ref.schema ?? "", table: kind === "column" || kind === "constraint" ? ref.table ?? "" : "", h, ref };
}

/** refKey(tableRef(schema, name)) without the object. */
const tableKey = (schema: string | null, name: string): string => `table\0${schema ?? ""}\0${name}`;

export const tableRef = (schema: string | null, name: string): ObjRef => ({ kind: "table", schema, table: name, name });
export const columnRef = (schema: string | null, table: string, name: string): ObjRef => ({ kind: "column", schema, table, name });
export const indexRef = (schema: string | null, name: string, table: string | null = null): ObjRef => ({ kind: "index", schema, table, name });
export const constraintRef = (schema: string | null, table: string, name: string): ObjRef => ({ kind: "constraint", schema, table, name });
export const typeRef = (name: string): ObjRef => ({ kind: "type", schema: null, table: null, name });

/** Human label: `table "user"`, `column "user.email"`, `index "ix_user_email"`. */
export function describeRef(r: ObjRef): string {
  switch (r.kind) {
    case "table":
      return `table "${r.schema ? `${r.schema}.` : ""}${r.name}"`;
    case "column":
      return `column "${r.table}.${r.name}"`;
    case "index":
      return `index "${r.name}"`;
    case "constraint":
      return `constraint "${r.name}"`;
    case "type":
      return `type "${r.name}"`;
  }
}

/** Names whose mention in unparsed DDL makes the object unknown. */
function namesOf(r: ObjRef): string[] {
  return [r.name, ...(r.table && r.table !== r.name ? [r.table] : [])].map((n) => n.toLowerCase());
}

/** `op.add_column("user", ...)`-style short text of an op, for messages. */
export function opLabel(op: Op): string {
  const q = (v: Value | undefined): string | undefined => (typeof v === "string" ? JSON.stringify(v) : undefined);
  const owner = op.batch ? "batch_op" : "op";
  const parts: (string | undefined)[] = [];
  const a = op.args;
  switch (op.name) {
    case "create_table":
    case "drop_table":
    case "create_table_comment":
    case "drop_table_comment":
      parts.push(op.batch ? undefined : q(a.table_name));
      break;
    case "rename_table":
      parts.push(q(a.old_table_name), q(a.new_table_name));
      break;
    case "add_column":
      parts.push(op.batch ? undefined : q(a.table_name), op.column?.name ? `sa.Column(${JSON.stringify(op.column.name)}, ...)` : "...");
      break;
    case "drop_column":
    case "alter_column":
      parts.push(op.batch ? undefined : q(a.table_name), q(a.column_name));
      if (op.name === "alter_column" && typeof a.new_column_name === "string") parts.push(`new_column_name=${q(a.new_column_name)}`);
      if (op.name === "alter_column" && a.nullable === false) parts.push("nullable=False");
      break;
    case "create_index":
      parts.push(q(a.index_name), op.batch ? undefined : q(a.table_name), "...");
      break;
    case "drop_index":
      parts.push(q(a.index_name));
      if (!op.batch && typeof a.table_name === "string") parts.push(`table_name=${q(a.table_name)}`);
      break;
    case "create_foreign_key":
      parts.push(q(a.constraint_name) ?? "None", op.batch ? undefined : q(a.source_table), q(a.referent_table), "...");
      break;
    case "drop_constraint":
      parts.push(q(a.constraint_name), op.batch ? undefined : q(a.table_name));
      if (typeof a.type_ === "string") parts.push(`type_=${q(a.type_)}`);
      break;
    case "create_unique_constraint":
    case "create_primary_key":
    case "create_check_constraint":
    case "create_exclude_constraint":
      parts.push(q(a.constraint_name) ?? "None", op.batch ? undefined : q(a.table_name), "...");
      break;
    case "bulk_insert":
      parts.push(op.table ? op.table : "...", "...");
      break;
    default:
      parts.push("...");
  }
  return `${owner}.${op.name}(${parts.filter((p) => p !== undefined).join(", ")})`;
}

// ---- helpers over the model ----------------------------------------------------------

const QUEUED_EXCEPT = new Set(["execute"]);

function isQueued(op: Op): boolean {
  return op.batch && op.batchBlock !== null && !QUEUED_EXCEPT.has(op.name);
}

/** Ops and type events sorted by when they take effect. */
export function executionOrder(section: Section): Step[] {
  // Nothing queued, no type events, ops in ascending order: the order is the listed one.
  if (section.typeEvents.length === 0 && inListedOrder(section)) {
    const steps: Step[] = [];
    for (const op of section.ops) steps.push({ kind: "op", op, pos: steps.length, queued: false });
    return steps;
  }
  type Keyed = { t: number; sub: number; o: number; step: Step };
  const keyed: Keyed[] = [];
  for (const op of section.ops) {
    const block = op.batchBlock !== null ? section.batchBlocks[op.batchBlock] : undefined;
    if (isQueued(op) && block) keyed.push({ t: block.flushOrder - 1, sub: 1, o: op.order, step: { kind: "op", op, pos: 0, queued: true } });
    else keyed.push({ t: op.order, sub: 0, o: op.order, step: { kind: "op", op, pos: 0, queued: false } });
  }
  section.typeEvents.forEach((event, i) => {
    keyed.push({ t: event.order - 1, sub: 2, o: i, step: { kind: "type", event, pos: 0 } });
  });
  keyed.sort((a, b) => a.t - b.t || a.sub - b.sub || a.o - b.o);
  return keyed.map((k, i) => {
    k.step.pos = i;
    return k.step;
  });
}

/** No op is queued on a batch block and `order` strictly increases along the ops. */
function inListedOrder(section: Section): boolean {
  let prev = -Infinity;
  for (const op of section.ops) {
    if (op.order <= prev) return false;
    if (op.batchBlock !== null && isQueued(op) && section.batchBlocks[op.batchBlock]) return false;
    prev = op.order;
  }
  return true;
}

/** Column names in a columns argument (strings that are SQL expressions are left out). */
function stringCols(v: Value | undefined): string[] {
  const plain = (x: string): boolean => !/[()\s,]/.test(x);
  if (typeof v === "string") return plain(v) ? [v] : [];
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === "string" && plain(x));
}

function allStringCols(v: Value | undefined): string[] | undefined {
  return asStringList(v);
}

/** Native Postgres enum type a column type names, if any. */
export function enumTypeOf(type: { name: string; kwargs: Record<string, Value> } | null | undefined): { name: string; createType: boolean } | null {
  if (!type || (type.name !== "Enum" && type.name !== "ENUM")) return null;
  const name = asString(type.kwargs.name);
  if (!name || type.kwargs.native_enum === false) return null;
  return { name, createType: type.kwargs.create_type !== false };
}

function decodeTypeValue(v: Value | undefined): { name: string; kwargs: Record<string, Value> } | null {
  if (!isExpr(v) || !v.call) return null;
  const callee = v.call.callee;
  const name = callee.slice(callee.lastIndexOf(".") + 1);
  return { name, kwargs: v.call.kwargs };
}

/** SQL text of an execute op, or the expression source for non-literal SQL. */
export function executeText(op: Op): { literal: boolean; text: string } {
  if (typeof op.sql === "string") return { literal: true, text: op.sql };
  const v = op.args.sqltext;
  if (typeof v === "string") return { literal: true, text: v };
  return { literal: false, text: isExpr(v) ? v.expr : "" };
}

/** How a non-literal `execute` argument behaves: Core DML, or anything at all. */
export function classifyExpression(text: string): "dml" | "opaque" {
  if (/\.\s*(update|insert|delete|values|where|returning|from_select)\s*\(/.test(text)) return "dml";
  if (/^\s*(?:[\w.]+\.)?(update|insert|delete|select)\s*\(/.test(text)) return "dml";
  if (/^\s*[rRbBuU]?[fF]?[rR]?["']/.test(text) || /["']/.test(text)) {
    return /\b(create|drop|alter|rename|truncate)\b/i.test(text) ? "opaque" : "dml";
  }
  return "opaque";
}

/** Whether an execute op may write rows (a backfill candidate). */
export function executeMayWriteData(op: Op): boolean {
  const { literal, text } = executeText(op);
  if (!literal) return true;
  return classifySql(text).writesData;
}

// ---- the simulation ---------------------------------------------------------------

/** What the walk keeps about objects, by their history entry (one per object identity, as refKey tells them apart). */
interface Live {
  /** Current known objects per table key (columns and constraints), for cascades and renames. */
  children: Map<string, Set<NamedHistory>>;
  indexInfo: Map<NamedHistory, { table: string | null; schema: string | null; columns: string[] }>;
  constraintCols: Map<NamedHistory, string[]>;
  origin: Map<NamedHistory, Op | undefined>;
}

export function simulate(section: Section, opts: SimOptions = {}): Simulation {
  const steps = executionOrder(section);
  const other = opts.other ?? null;
  const enumTypes = opts.enumTypes ?? true;
  const source = opts.migration?.source ?? "";
  const events: LifeEvent[] = [];
  const barriers: number[] = [];
  const taints = new Map<string, number[]>();
  const fks: ForeignKeyEdge[] = [];
  const uses = new Map<Op, ObjRef[]>();
  const posByOp = new Map<Op, Step>();
  const live: Live = { children: new Map(), indexInfo: new Map(), constraintCols: new Map(), origin: new Map() };
  // Built on first use (drops and rules that look up descriptions): many functions never need it.
  const catalog: Catalog = new LazyCatalog(other ? [section, other] : [section]);
  const catalogOf = (): Catalog => catalog;

  // FK edges present when the function starts: those the other function creates and keeps.
  // (Only edges after which nothing hidden or opaque runs in the other function.)
  if (other) for (const e of startForeignKeys(other, opts.migration ?? null)) fks.push(Object.assign({}, e, { created: -1, removed: undefined }));

  const existsNow = (o: NamedHistory): boolean => {
    const l = o.h[o.h.length - 1]!;
    return l.action === "create" || l.action === "rename-to";
  };

  // Histories by object name (columns and constraints: by table, then name), then by the rest
  // of the identity (same identity as refKey, without building a key string). Lists stay
  // short: a column name that many tables share is not one long list.
  const byName = new Map<string, NamedHistory[]>();
  const byTable = new Map<string, Map<string, NamedHistory[]>>();
  const listOf = (ref: ObjRef): NamedHistory[] | undefined =>
    ref.kind === "column" || ref.kind === "constraint" ? byTable.get(ref.table ?? "")?.get(ref.name) : byName.get(ref.name);
  const entryOf = (ref: ObjRef): NamedHistory | undefined => {
    const list = listOf(ref);
    if (list === undefined) return undefined;
    const kind = ref.kind;
    const schema = kind === "type" ? "" : ref.schema ?? "";
    const table = kind === "column" || kind === "constraint" ? ref.table ?? "" : "";
    for (const x of list) if (x.kind === kind && x.schema === schema && x.table === table) return x;
    return undefined;
  };
  // The entry of the last recorded ref (callers that store more about it), and
  // the last table key of a column or constraint (a create_table records many in a row).
  let lastEntry: NamedHistory | undefined;
  let lastTableSchema: string | null = null;
  let lastTable: string | null = null;
  let lastTableKey = "";
  // The optional fields are set in this order (the key order a spread of them gave), only when given.
  const record = (ref: ObjRef, action: Action, step: Step, maybe: boolean, guarded: boolean, cascade?: "table" | "column", otherName?: string, origin?: Op): LifeEvent => {
    const e: LifeEvent = { ref, action, pos: step.pos, step, maybe, guarded };
    if (cascade !== undefined) e.cascade = cascade;
    if (otherName !== undefined) e.otherName = otherName;
    if (origin) e.origin = origin;
    events.push(e);
    let entry = entryOf(ref);
    if (entry) {
      entry.h.push(e);
      entry.ref = ref;
    } else {
      entry = namedHistory(ref, [e]);
      const list = listOf(ref);
      if (list) list.push(entry);
      else if (ref.kind === "column" || ref.kind === "constraint") {
        const t = ref.table ?? "";
        const names = byTable.get(t);
        if (names) names.set(ref.name, [entry]);
        else byTable.set(t, new Map([[ref.name, [entry]]]));
      } else byName.set(ref.name, [entry]);
    }
    lastEntry = entry;
    if (ref.kind === "column" || ref.kind === "constraint") {
      if (lastTableKey === "" || ref.schema !== lastTableSchema || ref.table !== lastTable) {
        lastTableSchema = ref.schema;
        lastTable = ref.table;
        lastTableKey = tableKey(ref.schema, ref.table ?? "");
      }
      const tk = lastTableKey;
      const set = live.children.get(tk);
      if (set) set.add(entry);
      else live.children.set(tk, new Set<NamedHistory>([entry]));
    }
    return e;
  };
  const taint = (names: string[], pos: number): void => {
    for (const n of names) {
      const k = n.toLowerCase();
      const list = taints.get(k) ?? [];
      list.push(pos);
      taints.set(k, list);
    }
  };

  const addFk = (fk: Omit<ForeignKeyEdge, "created" | "section" | "maybe">, step: Step, maybe: boolean): void => {
    // Callers pass fresh literals: completed in place (a spread adding keys is slow in V8).
    const e = fk as ForeignKeyEdge;
    e.section = section;
    e.created = step.pos;
    e.maybe = maybe;
    fks.push(e);
  };
  const removeFks = (pred: (e: ForeignKeyEdge) => boolean, pos: number): void => {
    for (const e of fks) if (e.removed === undefined && e.created < pos && pred(e)) e.removed = pos;
  };
  // Edges created at this very step count as live from the next one on.
  const liveFks = (pos: number): ForeignKeyEdge[] => fks.filter((e) => e.created < pos && (e.removed === undefined || e.removed > pos));

  const dropTableCascade = (schema: string | null, table: string, step: Step, maybe: boolean, cascadeFks: boolean): void => {
    const tk = tableKey(schema, table);
    for (const ck of live.children.get(tk) ?? []) {
      if (existsNow(ck)) record(ck.ref, "drop", step, maybe, false, "table");
    }
    for (const [ik, info] of live.indexInfo) {
      if (info.table === table && (info.schema ?? null) === schema && existsNow(ik)) record(ik.ref, "drop", step, maybe, false, "table");
    }
    if (!maybe) {
      removeFks((e) => e.table === table && e.schema === schema, step.pos + 0.5);
      removeFks((e) => e.refTable === table && e.refSchema === schema, step.pos + 0.5);
    }
    void cascadeFks;
  };

  const renameTable = (schema: string | null, from: string, to: string, step: Step, maybe: boolean): void => {
    record(tableRef(schema, from), "rename-from", step, maybe, false, undefined, to);
    record(tableRef(schema, to), "rename-to", step, maybe, false, undefined, from);
    const fromKey = refKey(tableRef(schema, from));
    for (const ck of [...(live.children.get(fromKey) ?? [])]) {
      if (!existsNow(ck)) continue;
      const r = ck.ref;
      const origin = live.origin.get(ck);
      record(r, "rename-from", step, maybe, false, "table", to);
      const nr: ObjRef = { ...r, table: to };
      record(nr, "rename-to", step, maybe, false, "table", from, origin);
      const nk = lastEntry!;
      live.origin.set(nk, origin);
      const cols = live.constraintCols.get(ck);
      if (cols) live.constraintCols.set(nk, cols);
    }
    for (const info of live.indexInfo.values()) if (info.table === from && info.schema === schema) info.table = to;
    const touched = (e: ForeignKeyEdge): boolean => (e.table === from && e.schema === schema) || (e.refTable === from && e.refSchema === schema);
    if (!maybe) {
      // Edges are never edited in place (queries run after the walk): replace them.
      for (const e of fks.filter((x) => x.removed === undefined && x.created < step.pos + 0.5 && touched(x))) {
        e.removed = step.pos + 0.5;
        fks.push({ ...e, removed: undefined, created: step.pos, table: e.table === from && e.schema === schema ? to : e.table, refTable: e.refTable === from && e.refSchema === schema ? to : e.refTable });
      }
    } else {
      removeFks(touched, step.pos + 0.5);
    }
  };

  const createColumn = (schema: string | null, table: string, col: string, step: Step, maybe: boolean, guarded: boolean, origin?: Op): void => {
    const r = columnRef(schema, table, col);
    record(r, "create", step, maybe, guarded, undefined, undefined, origin);
    live.origin.set(lastEntry!, origin);
  };

  const dropColumn = (schema: string | null, table: string, col: string, step: Step, maybe: boolean, guarded: boolean): void => {
    record(columnRef(schema, table, col), "drop", step, maybe, guarded);
    // Indexes and constraints over the column disappear with it (ALM204 is about the late explicit drop).
    for (const [ik, info] of live.indexInfo) {
      if (info.table === table && info.schema === schema && info.columns.includes(col) && existsNow(ik)) record(ik.ref, "drop", step, maybe, false, "column");
    }
    for (const ck of live.children.get(tableKey(schema, table)) ?? []) {
      const cols = live.constraintCols.get(ck);
      if (cols && cols.includes(col) && existsNow(ck)) record(ck.ref, "drop", step, maybe, false, "column");
    }
    if (!maybe) {
      removeFks((e) => e.table === table && e.schema === schema && e.columns.includes(col), step.pos + 0.5);
      removeFks((e) => e.refTable === table && e.refSchema === schema && e.refColumns.includes(col), step.pos + 0.5);
    }
  };

  const renameColumn = (schema: string | null, table: string, from: string, to: string, step: Step, maybe: boolean): void => {
    const fr = columnRef(schema, table, from);
    const fe = entryOf(fr);
    const origin = fe ? live.origin.get(fe) : undefined;
    record(fr, "rename-from", step, maybe, false, undefined, to);
    const tr = columnRef(schema, table, to);
    record(tr, "rename-to", step, maybe, false, undefined, from, origin);
    live.origin.set(lastEntry!, origin);
    for (const info of live.indexInfo.values()) if (info.table === table && info.schema === schema) info.columns = info.columns.map((c) => (c === from ? to : c));
    for (const [k, cols] of live.constraintCols) live.constraintCols.set(k, cols.map((c) => (c === from ? to : c)));
    const touched = (e: ForeignKeyEdge): boolean =>
      (e.table === table && e.schema === schema && e.columns.includes(from)) || (e.refTable === table && e.refSchema === schema && e.refColumns.includes(from));
    for (const e of fks.filter((x) => x.removed === undefined && x.created < step.pos + 0.5 && touched(x))) {
      e.removed = step.pos + 0.5;
      if (maybe) continue;
      const own = e.table === table && e.schema === schema;
      const ref = e.refTable === table && e.refSchema === schema;
      fks.push({
        ...e, removed: undefined, created: step.pos,
        columns: own ? e.columns.map((c) => (c === from ? to : c)) : e.columns,
        refColumns: ref ? e.refColumns.map((c) => (c === from ? to : c)) : e.refColumns,
      });
    }
  };

  const createIndex = (schema: string | null, table: string | null, name: string, columns: string[], step: Step, maybe: boolean, guarded: boolean): void => {
    const r = indexRef(schema, name, table);
    record(r, "create", step, maybe, guarded);
    live.indexInfo.set(lastEntry!, { table, schema, columns });
  };

  const createConstraint = (schema: string | null, table: string, name: string, columns: string[], step: Step, maybe: boolean): void => {
    const r = constraintRef(schema, table, name);
    record(r, "create", step, maybe, false);
    live.constraintCols.set(lastEntry!, columns);
  };

  const fkFromColumn = (schema: string | null, table: string, col: ColumnDef, op: Op, step: Step, maybe: boolean): void => {
    if (/use_alter\s*=\s*True/.test(col.text)) return;
    for (const fk of col.foreignKeys) {
      if (!fk.table || !col.name) continue;
      addFk({ name: fk.name, schema, table, columns: [col.name], refSchema: fk.schema, refTable: fk.table, refColumns: fk.column ? [fk.column] : [], op }, step, maybe);
      if (fk.name) createConstraint(schema, table, fk.name, [col.name], step, maybe);
    }
  };

  for (const step of steps) {
    if (step.kind === "type") {
      if (!enumTypes) continue;
      const ev = step.event;
      const text = source && ev.span.start !== undefined && ev.span.end !== undefined ? source.slice(ev.span.start, ev.span.end) : "";
      const guarded = /checkfirst\s*=\s*True/.test(text);
      record(typeRef(ev.name), ev.kind === "create" ? "create" : "drop", step, ev.conditional, guarded);
      continue;
    }
    const op = step.op;
    posByOp.set(op, step);
    const maybe = op.conditional;
    const a = op.args;
    const schema = op.schema;
    const T = op.table;
    const u: ObjRef[] = [];
    uses.set(op, u);
    if (op.dynamicTable) {
      barriers.push(step.pos);
      continue;
    }
    switch (op.name) {
      case "create_table": {
        if (!T) break;
        const def = op.tableDef;
        const guarded = a.if_not_exists === true;
        for (const col of def?.columns ?? []) {
          const en = enumTypes ? enumTypeOf(col.type) : null;
          if (en && en.createType) record(typeRef(en.name), "create", step, maybe, false);
          else if (en) u.push(typeRef(en.name));
          if (!/use_alter\s*=\s*True/.test(col.text)) for (const fk of col.foreignKeys) if (fk.table && !(fk.table === T && (fk.schema ?? schema) === schema)) u.push(tableRef(fk.schema, fk.table));
        }
        for (const c of def?.constraints ?? []) {
          if (c.kind === "foreignkey" && c.referent?.table && !/use_alter\s*=\s*True/.test(c.text) && !(c.referent.table === T && (c.referent.schema ?? schema) === schema)) u.push(tableRef(c.referent.schema, c.referent.table));
        }
        record(tableRef(schema, T), "create", step, maybe, guarded);
        for (const col of def?.columns ?? []) if (col.name) createColumn(schema, T, col.name, step, maybe, guarded);
        for (const col of def?.columns ?? []) fkFromColumn(schema, T, col, op, step, maybe);
        for (const c of def?.constraints ?? []) {
          if (c.name) createConstraint(schema, T, c.name, c.columns, step, maybe);
          if (c.kind === "foreignkey" && c.referent?.table && !/use_alter\s*=\s*True/.test(c.text)) {
            addFk({ name: c.name, schema, table: T, columns: c.columns, refSchema: c.referent.schema, refTable: c.referent.table, refColumns: c.referent.columns, op }, step, maybe);
          }
        }
        for (const ix of def?.indexes ?? []) if (ix.name) createIndex(schema, T, ix.name, ix.columns, step, maybe, guarded);
        break;
      }
      case "drop_table": {
        if (!T) break;
        u.push(tableRef(schema, T));
        // Postgres refuses to drop a type that columns still use: dropping them uses the type.
        if (enumTypes) for (const t of enumTypesOfTable(catalogOf(), T)) u.push(typeRef(t));
        dropTableCascade(schema, T, step, maybe, false);
        record(tableRef(schema, T), "drop", step, maybe, a.if_exists === true);
        break;
      }
      case "rename_table": {
        if (!T) break;
        u.push(tableRef(schema, T));
        const to = asString(a.new_table_name);
        if (to) renameTable(schema, T, to, step, maybe);
        else {
          barriers.push(step.pos);
        }
        break;
      }
      case "add_column": {
        if (!T) break;
        u.push(tableRef(schema, T));
        const col = op.column;
        if (col) {
          for (const fk of col.foreignKeys) if (fk.table && !(fk.table === T && (fk.schema ?? schema) === schema)) u.push(tableRef(fk.schema, fk.table));
          const en = enumTypes ? enumTypeOf(col.type) : null;
          if (en) u.push(typeRef(en.name));
          if (col.name) {
            createColumn(schema, T, col.name, step, maybe, a.if_not_exists === true, op);
            fkFromColumn(schema, T, col, op, step, maybe);
          }
        } else {
          taint([T], step.pos);
        }
        break;
      }
      case "drop_column": {
        if (!T) break;
        u.push(tableRef(schema, T));
        const c = asString(a.column_name);
        if (c) {
          u.push(columnRef(schema, T, c));
          if (enumTypes) for (const t of enumTypesOfColumn(catalogOf(), T, c)) u.push(typeRef(t));
          dropColumn(schema, T, c, step, maybe, a.if_exists === true);
        } else taint([T], step.pos);
        break;
      }
      case "alter_column": {
        if (!T) break;
        u.push(tableRef(schema, T));
        const c = asString(a.column_name);
        if (!c) {
          taint([T], step.pos);
          break;
        }
        u.push(columnRef(schema, T, c));
        const en = enumTypes ? enumTypeOf(decodeTypeValue(a.type_)) : null;
        if (en) u.push(typeRef(en.name));
        const n = a.new_column_name;
        if (typeof n === "string" && n !== c) renameColumn(schema, T, c, n, step, maybe);
        else if (n !== undefined && n !== null && typeof n !== "string") taint([T, c], step.pos);
        break;
      }
      case "create_index": {
        const name = asString(a.index_name);
        if (T) {
          u.push(tableRef(schema, T));
          for (const c of stringCols(a.columns)) u.push(columnRef(schema, T, c));
        }
        if (name) createIndex(schema, T, name, stringCols(a.columns), step, maybe, a.if_not_exists === true);
        break;
      }
      case "drop_index": {
        const name = asString(a.index_name);
        // Without table_name, the table is the one the file's create_index names (if any).
        const ownEntry = name ? entryOf(indexRef(schema, name)) : undefined;
        const own = ownEntry ? live.indexInfo.get(ownEntry) : undefined;
        const table = T ?? own?.table ?? (name ? describedIndex(catalogOf(), name, null)?.table ?? null : null);
        if (table) u.push(tableRef(schema, table));
        if (name) {
          u.push(indexRef(schema, name, table));
          record(indexRef(schema, name, table), "drop", step, maybe, a.if_exists === true);
        }
        break;
      }
      case "create_unique_constraint":
      case "create_primary_key":
      case "create_check_constraint":
      case "create_exclude_constraint": {
        if (!T) break;
        u.push(tableRef(schema, T));
        const cols = op.name === "create_unique_constraint" || op.name === "create_primary_key" ? stringCols(a.columns) : [];
        for (const c of cols) u.push(columnRef(schema, T, c));
        const name = asString(a.constraint_name);
        if (name) createConstraint(schema, T, name, cols, step, maybe);
        break;
      }
      case "create_foreign_key": {
        if (!T) break;
        u.push(tableRef(schema, T));
        const R = asString(a.referent_table);
        const rs = asString(a.referent_schema) ?? null;
        const local = allStringCols(a.local_cols) ?? [];
        const remote = allStringCols(a.remote_cols) ?? [];
        const self = R === T && rs === schema;
        if (R && !self) u.push(tableRef(rs, R));
        for (const c of local) u.push(columnRef(schema, T, c));
        if (R && !self) for (const c of remote) u.push(columnRef(rs, R, c));
        const name = asString(a.constraint_name);
        if (name) createConstraint(schema, T, name, local, step, maybe);
        if (R) addFk({ name: name ?? null, schema, table: T, columns: local, refSchema: rs, refTable: R, refColumns: remote, op }, step, maybe);
        break;
      }
      case "drop_constraint": {
        if (!T) break;
        u.push(tableRef(schema, T));
        const name = asString(a.constraint_name);
        const type = asString(a.type_);
        if (name) {
          u.push(constraintRef(schema, T, name));
          record(constraintRef(schema, T, name), "drop", step, maybe, a.if_exists === true);
        }
        if (!maybe && (type === undefined || type === "foreignkey")) {
          const named = name ? fks.some((e) => e.removed === undefined && e.table === T && e.schema === schema && e.name === name) : false;
          if (named) removeFks((e) => e.table === T && e.schema === schema && e.name === name, step.pos + 0.5);
          // A name we cannot tie to a known edge may be another name for one of them (naming
          // conventions, database-generated names): forget every edge from this table.
          else removeFks((e) => e.table === T && e.schema === schema, step.pos + 0.5);
        }
        break;
      }
      case "create_table_comment":
      case "drop_table_comment":
      case "bulk_insert":
        if (T) u.push(tableRef(schema, T));
        break;
      case "execute": {
        const { literal, text } = executeText(op);
        if (!literal) {
          if (classifyExpression(text) === "opaque") barriers.push(step.pos);
          break;
        }
        const fx = classifySql(text);
        // Only a single-statement DML's table and columns count as uses.
        if (fx.events.length === 0 && fx.uses.length === 1) {
          const use = fx.uses[0]!;
          const us = use.schema ?? schema;
          u.push(tableRef(us, use.table));
          for (const c of use.columns) u.push(columnRef(us, use.table, c));
        }
        taint(fx.tainted, step.pos);
        for (const ev of fx.events) applySqlEvent(ev, step, maybe);
        break;
      }
      default: {
        // A custom or unknown operation: whatever it names may change.
        const names: string[] = [];
        for (const v of Object.values(a)) if (typeof v === "string") names.push(v);
        if (T) names.push(T);
        taint(names, step.pos);
        if (names.length === 0) barriers.push(step.pos);
      }
    }
  }

  function applySqlEvent(ev: SqlEvent, step: Step, maybe: boolean): void {
    const s = ev.schema;
    switch (ev.object) {
      case "table":
        if (ev.action === "create") {
          record(tableRef(s, ev.name), "create", step, maybe, ev.guarded);
        } else if (ev.action === "drop") {
          dropTableCascade(s, ev.name, step, maybe, ev.cascade);
          if (ev.cascade) removeFks((e) => e.refTable === ev.name, step.pos + 0.5);
          record(tableRef(s, ev.name), "drop", step, maybe, ev.guarded);
        } else if (ev.newName) renameTable(s, ev.name, ev.newName, step, maybe);
        break;
      case "column":
        if (!ev.table) break;
        if (ev.action === "create") createColumn(s, ev.table, ev.name, step, maybe, ev.guarded);
        else if (ev.action === "drop") dropColumn(s, ev.table, ev.name, step, maybe, ev.guarded);
        else if (ev.newName) renameColumn(s, ev.table, ev.name, ev.newName, step, maybe);
        break;
      case "index":
        if (ev.action === "create") createIndex(s, ev.table, ev.name, ev.columns ?? [], step, maybe, ev.guarded);
        else if (ev.action === "drop") {
          // DROP INDEX may name the index with or without its schema.
          record(indexRef(s, ev.name), "drop", step, maybe, ev.guarded);
          if (s !== null) record(indexRef(null, ev.name), "drop", step, maybe, ev.guarded);
        }
        break;
      case "constraint":
        if (!ev.table) break;
        if (ev.action === "create") createConstraint(s, ev.table, ev.name, [], step, maybe);
        else if (ev.action === "drop") {
          record(constraintRef(s, ev.table, ev.name), "drop", step, maybe, ev.guarded);
          const t = ev.table;
          if (!maybe) removeFks((e) => e.table === t, step.pos + 0.5);
        }
        break;
      case "type":
        if (!enumTypes) break;
        if (ev.action === "create") record(typeRef(ev.name), "create", step, maybe, ev.guarded);
        // DROP TYPE ... CASCADE also drops the columns using it: what follows is not modelled.
        else if (ev.action === "drop") record(typeRef(ev.name), "drop", step, maybe || ev.cascade, ev.guarded);
        else if (ev.newName) {
          record(typeRef(ev.name), "rename-from", step, maybe, false, undefined, ev.newName);
          record(typeRef(ev.newName), "rename-to", step, maybe, false, undefined, ev.name);
        }
        break;
    }
  }

  // ---- queries ----------------------------------------------------------------------

  const barrierBetween = (from: number, to: number, names: string[]): boolean => {
    for (const p of barriers) if (p > from && p < to) return true;
    if (taints.size === 0) return false;
    for (const n of names) {
      const list = taints.get(n.toLowerCase());
      if (list !== undefined) for (const p of list) if (p > from && p < to) return true;
    }
    return false;
  };
  /** barrierBetween for an object's names, computed only when something can block. */
  const blocked = (from: number, to: number, ref: ObjRef): boolean =>
    (barriers.length > 0 || taints.size > 0) && barrierBetween(from, to, namesOf(ref));

  // Queries run after the walk (histories are final): found by name, then by the rest of the
  // identity (same identity as refKey, without building the key string).
  const NONE: LifeEvent[] = [];
  const historyOrNone = (ref: ObjRef): LifeEvent[] => entryOf(ref)?.h ?? NONE;
  const history = (ref: ObjRef): LifeEvent[] => {
    const h = historyOrNone(ref);
    return h === NONE ? [] : h;
  };

  const prev = (ref: ObjRef, pos: number): LifeEvent | undefined => {
    const h = historyOrNone(ref);
    let e: LifeEvent | undefined;
    for (let i = h.length - 1; i >= 0; i--) {
      if (h[i]!.pos < pos) {
        e = h[i];
        break;
      }
    }
    if (!e || blocked(e.pos, pos, ref)) return undefined;
    return e;
  };
  const next = (ref: ObjRef, pos: number): LifeEvent | undefined => {
    const e = historyOrNone(ref).find((x) => x.pos >= pos);
    if (!e || blocked(pos, e.pos, ref)) return undefined;
    return e;
  };
  const state = (ref: ObjRef, pos: number): { state: State; event?: LifeEvent } => {
    const e = prev(ref, pos);
    if (!e || e.maybe) return { state: "unknown" };
    return { state: e.action === "create" || e.action === "rename-to" ? "exists" : "gone", event: e };
  };

  // Only needed when part of the section could not be analyzed.
  const rangeOf = () => sectionRange(opts.migration ?? null, section);
  const hiddenBefore = (op: Op): boolean => {
    if (opts.migration && (opts.migration.parseError || opts.migration.errorRegions.length > 0)) return true;
    for (const h of section.unanalyzed) {
      const hs = h.span.start;
      const range = rangeOf();
      const after = op.via.length === 0 && range !== null && hs !== undefined && op.span.end !== undefined && hs >= op.span.end && hs < range.end;
      if (!after) return true;
    }
    return false;
  };

  const hiddenAfter = (op: Op): boolean => {
    if (opts.migration && (opts.migration.parseError || opts.migration.errorRegions.length > 0)) return true;
    for (const h of section.unanalyzed) {
      const hs = h.span.start;
      const he = h.span.end;
      const range = rangeOf();
      if (op.via.length > 0 || range === null || hs === undefined || he === undefined || op.span.end === undefined) return true;
      if (hs < range.start || he > range.end || he > (op.span.start ?? 0)) return true;
      // Entries are recorded once per reason: look for the same call again after the op.
      const callee = source.slice(hs, he).split("(")[0]!.trim();
      if (!callee || source.slice(op.span.end, range.end).includes(callee)) return true;
    }
    return false;
  };

  const createdBefore = (ref: ObjRef, op: Op): boolean => {
    const step = posByOp.get(op);
    if (!step) return false;
    return state(ref, step.pos).state === "exists";
  };

  return {
    section,
    steps,
    events,
    catalog,
    posOf: (op) => posByOp.get(op)?.pos ?? -1,
    stepOf: (op) => posByOp.get(op),
    history,
    prev,
    next,
    state,
    usesOf: (op) => uses.get(op) ?? [],
    liveForeignKeys: (pos) => liveFks(pos),
    barrierBetween,
    hiddenBefore,
    hiddenAfter,
    reportable: (op) => !op.conditional && !op.dynamicTable && !hiddenBefore(op),
    createdBefore,
    tableCreatedBefore: (op) => op.table !== null && createdBefore(tableRef(op.schema, op.table), op),
    columnCreatedBefore: (op, column) => op.table !== null && createdBefore(columnRef(op.schema, op.table, column), op),
  };
}

/**
 * The FK edges a function creates and keeps to its end with nothing hidden or opaque
 * after them: the edges present when its pair starts. They do not depend on enum-type
 * tracking, so they are computed once per function (a simulation of the function alone)
 * and only when it has an operation that can declare a foreign key at all.
 */
const START_FKS = new FileCache<Section, { migration: Migration | null; edges: ForeignKeyEdge[] }>();
function startForeignKeys(other: Section, migration: Migration | null, alone?: Simulation): ForeignKeyEdge[] {
  const hit = START_FKS.get(other);
  if (hit && hit.migration === migration) return hit.edges;
  const edges: ForeignKeyEdge[] = [];
  // Only create_table, add_column and create_foreign_key declare edges (renames copy existing ones).
  if (other.ops.some(mayDeclareForeignKey)) {
    // `alone`: a simulation of `other` that started without edges, whatever its own `other`
    // (that only adds catalog descriptions, which edges, barriers and hidden parts ignore).
    const otherSim = alone ?? simulate(other, { enumTypes: false, migration });
    const end = otherSim.steps.length;
    for (const e of otherSim.liveForeignKeys(end)) {
      if (e.created < 0 || e.maybe || otherSim.hiddenAfter(e.op) || otherSim.barrierBetween(e.created, end, [e.table, e.refTable, ...(e.name ? [e.name] : [])])) continue;
      edges.push(e);
    }
  }
  START_FKS.set(other, { migration, edges });
  return edges;
}

/**
 * An op that can add a foreign-key edge in `simulate` (a superset: it checks only that the
 * op has an FK to declare; the simulation decides the rest). A function without one ends
 * with no edges, so no simulation of it alone is needed to find them.
 */
function mayDeclareForeignKey(op: Op): boolean {
  switch (op.name) {
    case "create_foreign_key":
      return true;
    case "add_column":
      return op.column !== null && op.column !== undefined && op.column.foreignKeys.length > 0;
    case "create_table": {
      const def = op.tableDef;
      if (!def) return false;
      for (const c of def.columns) if (c.foreignKeys.length > 0) return true;
      for (const c of def.constraints) if (c.kind === "foreignkey") return true;
      return false;
    }
    default:
      return false;
  }
}

/**
 * The simulation with enum types not tracked, derived from the one that tracks them:
 * type events and type uses are left out, everything else (steps, edges, barriers,
 * taints, the catalog, other objects' histories) is the same in both.
 */
function withoutTypes(full: Simulation): Simulation {
  const hasTypes = full.events.some((e) => e.ref.kind === "type");
  const usesCache = new Map<Op, ObjRef[]>();
  const history = (ref: ObjRef): LifeEvent[] => (ref.kind === "type" ? [] : full.history(ref));
  const prev = (ref: ObjRef, pos: number): LifeEvent | undefined => (ref.kind === "type" ? undefined : full.prev(ref, pos));
  const next = (ref: ObjRef, pos: number): LifeEvent | undefined => (ref.kind === "type" ? undefined : full.next(ref, pos));
  const state = (ref: ObjRef, pos: number): { state: State; event?: LifeEvent } => (ref.kind === "type" ? { state: "unknown" } : full.state(ref, pos));
  const createdBefore = (ref: ObjRef, op: Op): boolean => ref.kind !== "type" && full.createdBefore(ref, op);
  return {
    section: full.section,
    steps: full.steps,
    events: hasTypes ? full.events.filter((e) => e.ref.kind !== "type") : full.events,
    catalog: full.catalog,
    posOf: full.posOf,
    stepOf: full.stepOf,
    history,
    prev,
    next,
    state,
    liveForeignKeys: full.liveForeignKeys,
    barrierBetween: full.barrierBetween,
    hiddenBefore: full.hiddenBefore,
    hiddenAfter: full.hiddenAfter,
    reportable: full.reportable,
    tableCreatedBefore: full.tableCreatedBefore,
    columnCreatedBefore: full.columnCreatedBefore,
    usesOf: (op) => {
      const all = full.usesOf(op);
      if (!all.some((r) => r.kind === "type")) return all;
      let out = usesCache.get(op);
      if (!out) {
        out = all.filter((r) => r.kind !== "type");
        usesCache.set(op, out);
      }
      return out;
    },
    createdBefore,
  };
}

/** Source offsets of a function's body (def line to the end of its indented block). */
const RANGES = new FileCache<Section, { m: Migration; range: { start: number; end: number } | null }>();

export function sectionRange(m: Migration | null, section: Section): { start: number; end: number } | null {
  if (!m || section.span.start === undefined) return null;
  const hit = RANGES.get(section);
  if (hit && hit.m === m) return hit.range;
  const range = computeSectionRange(m, section);
  RANGES.set(section, { m, range });
  return range;
}

/** Spaces and tabs at `from` (the indentation of the line starting there). */
function indentAt(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i - from;
}

const NON_SPACE = /\S/g;

function computeSectionRange(m: Migration, section: Section): { start: number; end: number } | null {
  if (section.span.start === undefined) return null;
  const src = m.source;
  const lineStart = src.lastIndexOf("\n", section.span.start - 1) + 1;
  const indent = indentAt(src, lineStart);
  let pos = src.indexOf("\n", section.span.start);
  if (pos < 0) return { start: lineStart, end: src.length };
  let end = src.length;
  let depth = 0;
  // Skip the rest of a multi-line signature.
  for (let i = section.span.start; i < pos; i++) {
    if (src[i] === "(") depth++;
    else if (src[i] === ")") depth--;
  }
  while (pos >= 0 && pos < src.length) {
    const ls = pos + 1;
    const le = src.indexOf("\n", ls);
    const lineEnd = le < 0 ? src.length : le;
    if (depth > 0) {
      for (let i = ls; i < lineEnd; i++) {
        const c = src.charCodeAt(i);
        if (c === 40 /* ( */) depth++;
        else if (c === 41 /* ) */) depth--;
      }
    } else {
      // The line's first non-blank character (blank and comment lines do not end the body).
      NON_SPACE.lastIndex = ls;
      const first = NON_SPACE.exec(src);
      if (first && first.index < lineEnd && src.charCodeAt(first.index) !== 35 /* # */) {
        if (indentAt(src, ls) <= indent) {
          end = ls;
          break;
        }
      }
    }
    if (le < 0) break;
    pos = le;
  }
  return { start: lineStart, end };
}

/**
 * A catalog built on first use. Laziness lives in the class (prototype getters): a getter
 * in the simulation's object literal would put every simulation object in V8's slow
 * dictionary mode.
 */
class LazyCatalog implements Catalog {
  private built: Catalog | undefined;
  constructor(private readonly sections: Section[]) {}
  private get full(): Catalog {
    return (this.built ??= buildCatalog(this.sections));
  }
  get indexes(): Map<string, IndexInfo[]> {
    return this.full.indexes;
  }
  get constraints(): Map<string, ConstraintInfo[]> {
    return this.full.constraints;
  }
  get columns(): Map<string, { def: ColumnDef; op: Op }[]> {
    return this.full.columns;
  }
}

/** Descriptions of indexes, constraints and columns in the given functions. */
export function buildCatalog(sections: Section[]): Catalog {
  const catalog: Catalog = { indexes: new Map(), constraints: new Map(), columns: new Map() };
  const addIndex = (info: IndexInfo): void => {
    const list = catalog.indexes.get(info.name) ?? [];
    list.push(info);
    catalog.indexes.set(info.name, list);
  };
  const addConstraint = (info: ConstraintInfo): void => {
    const k = `${info.table}\0${info.name}`;
    const list = catalog.constraints.get(k) ?? [];
    list.push(info);
    catalog.constraints.set(k, list);
  };
  const addColumn = (table: string, def: ColumnDef, op: Op): void => {
    if (!def.name) return;
    // `index=True` creates an index named by SQLAlchemy's default convention.
    if (def.index) addIndex({ schema: op.schema, table, name: `ix_${table}_${def.name}`, columns: [def.name], op });
    const k = `${table}\0${def.name}`;
    const list = catalog.columns.get(k) ?? [];
    list.push({ def, op });
    catalog.columns.set(k, list);
  };
  for (const s of sections) {
    for (const op of s.ops) {
      const T = op.table;
      const a = op.args;
      if (op.name === "create_index") {
        const name = asString(a.index_name);
        const cols = allStringCols(a.columns);
        if (name && cols) addIndex({ schema: op.schema, table: T, name, columns: cols, op });
      } else if (op.name === "create_table" && T) {
        for (const ix of op.tableDef?.indexes ?? []) if (ix.name) addIndex({ schema: op.schema, table: T, name: ix.name, columns: ix.columns, op });
        for (const c of op.tableDef?.constraints ?? []) if (c.name) addConstraint({ schema: op.schema, table: T, name: c.name, kind: c.kind, columns: c.columns, op });
        for (const col of op.tableDef?.columns ?? []) {
          addColumn(T, col, op);
          for (const fk of col.foreignKeys) if (fk.name && col.name) addConstraint({ schema: op.schema, table: T, name: fk.name, kind: "foreignkey", columns: [col.name], op });
        }
      } else if (op.name === "add_column" && T && op.column) {
        addColumn(T, op.column, op);
        for (const fk of op.column.foreignKeys) if (fk.name && op.column.name) addConstraint({ schema: op.schema, table: T, name: fk.name, kind: "foreignkey", columns: [op.column.name], op });
      } else if (T && (op.name === "create_unique_constraint" || op.name === "create_primary_key" || op.name === "create_foreign_key")) {
        const name = asString(a.constraint_name);
        const cols = allStringCols(op.name === "create_foreign_key" ? a.local_cols : a.columns);
        const kind = op.name === "create_unique_constraint" ? "unique" : op.name === "create_primary_key" ? "primary" : "foreignkey";
        if (name && cols) addConstraint({ schema: op.schema, table: T, name, kind, columns: cols, op });
      }
    }
  }
  return catalog;
}

/** Native enum types the file's definitions give a column. */
export function enumTypesOfColumn(catalog: Catalog, table: string, column: string): string[] {
  const defs = catalog.columns.get(`${table}\0${column}`);
  if (defs === undefined) return [];
  let out: string[] | undefined;
  for (const { def } of defs) {
    const en = enumTypeOf(def.type);
    if (en) {
      if (!out) out = [en.name];
      else if (!out.includes(en.name)) out.push(en.name);
    }
  }
  return out ?? [];
}

/** Enum types per table prefix of the catalog's column keys, built once per catalog (was a scan per drop). */
const ENUMS_BY_TABLE = new FileCache<Catalog, Map<string, string[]>>();

export function enumTypesOfTable(catalog: Catalog, table: string): string[] {
  let index = ENUMS_BY_TABLE.get(catalog);
  if (!index) {
    index = new Map<string, string[]>();
    for (const [k, defs] of catalog.columns) {
      // Every prefix ending before a \0 (`table\0column`): the keys `startsWith(table + "\0")` matched.
      for (let i = k.indexOf("\0"); i >= 0; i = k.indexOf("\0", i + 1)) {
        const t = k.slice(0, i);
        let list = index.get(t);
        if (!list) index.set(t, (list = []));
        for (const { def } of defs) {
          const en = enumTypeOf(def.type);
          if (en && !list.includes(en.name)) list.push(en.name);
        }
      }
    }
    ENUMS_BY_TABLE.set(catalog, index);
  }
  const list = index.get(table);
  return list === undefined || list.length === 0 ? [] : [...list];
}

/** The one description of an index the file agrees on (null when absent or contradictory). */
export function describedIndex(catalog: Catalog, name: string, table: string | null): IndexInfo | null {
  const list = (catalog.indexes.get(name) ?? []).filter((i) => table === null || i.table === null || i.table === table);
  if (list.length === 0) return null;
  const first = list[0]!;
  const same = list.every((i) => i.table === first.table && i.columns.join("\0") === first.columns.join("\0"));
  return same ? first : null;
}

export function describedConstraint(catalog: Catalog, table: string, name: string): ConstraintInfo | null {
  const list = catalog.constraints.get(`${table}\0${name}`) ?? [];
  if (list.length === 0) return null;
  const first = list[0]!;
  return list.every((i) => i.columns.join("\0") === first.columns.join("\0")) ? first : null;
}

/** Spans as plain location objects for `related`. */
export function spanOfStep(step: Step): Span {
  return step.kind === "op" ? step.op.span : step.event.span;
}

// ---- literal SQL ---------------------------------------------------------------------

export type SqlObject = "table" | "column" | "index" | "constraint" | "type";

export interface SqlEvent {
  action: "create" | "drop" | "rename";
  object: SqlObject;
  schema: string | null;
  /** Table the object belongs to (columns, constraints, indexes). */
  table: string | null;
  name: string;
  /** For renames. */
  newName?: string;
  /** Index columns (plain column names only). */
  columns?: string[];
  /** IF [NOT] EXISTS. */
  guarded: boolean;
  /** DROP ... CASCADE. */
  cascade: boolean;
}

export interface SqlUse {
  schema: string | null;
  table: string;
  /** Columns the statement names explicitly (UPDATE ... SET c =, INSERT INTO t (c, ...)). */
  columns: string[];
}

export interface SqlEffects {
  events: SqlEvent[];
  /** Tables and columns that DML statements read or write. */
  uses: SqlUse[];
  /** Identifiers (lower-cased) of statements that change the schema in a way not understood. */
  tainted: string[];
  /** Statements that read or write rows (UPDATE, INSERT, DELETE, SELECT, DO, CALL...). */
  writesData: boolean;
}

const ID = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`;
const QNAME = String.raw`(${ID}(?:\s*\.\s*${ID})?)`;

function unquote(id: string): string {
  const t = id.trim();
  if (/^".*"$/.test(t) || /^`.*`$/.test(t) || /^\[.*\]$/.test(t)) return t.slice(1, -1);
  return t.toLowerCase();
}

const ID_G = new RegExp(ID, "g");

function qualified(q: string): { schema: string | null; name: string } {
  const parts = q.match(ID_G) ?? [q];
  if (parts.length >= 2) return { schema: unquote(parts[0]!), name: unquote(parts[parts.length - 1]!) };
  return { schema: null, name: unquote(parts[0]!) };
}

/** Removes comments and string literals (so that words inside them are not names). */
function stripSql(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'/g, "''");
}

const DOLLAR_TAG = /\$(\w*)\$/y;

function splitStatements(sql: string): string[] {
  // Dollar-quoted bodies (DO $$ ... $$, functions) stay whole.
  const out: string[] = [];
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql.charCodeAt(i);
    if (ch === 36 /* $ */) {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(sql);
      if (m) {
        const tag = m[0];
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? sql.length : end + tag.length;
        continue;
      }
    } else if (ch === 59 /* ; */) {
      out.push(sql.slice(from, i));
      from = i + 1;
    }
    i++;
  }
  out.push(sql.slice(from));
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

function identifiers(stmt: string): string[] {
  const out = new Set<string>();
  for (const m of stmt.matchAll(ID_G)) out.add(unquote(m[0]));
  return [...out];
}

const SCHEMA_ONLY = /^(comment|grant|revoke|set|reset|analyze|vacuum|reindex|lock|cluster|refresh|notify|listen|begin|commit|start|savepoint|release|rollback|pragma|create\s+(or\s+replace\s+)?(view|function|procedure|trigger|extension|schema|sequence|role|user|policy|rule|aggregate|operator|domain|publication|subscription|statistics|materialized)|drop\s+(view|function|procedure|trigger|extension|schema|sequence|role|user|policy|rule|aggregate|operator|domain|publication|subscription|statistics|materialized))\b/i;

/**
 * Classifies literal SQL text (cached by text: simulations of both settings and rules
 * classify the same texts again). The result is shared: callers must not modify it.
 */
export const classifySql: (sqlText: string) => SqlEffects = memoByText(classifySqlUncached);

function classifySqlUncached(sqlText: string): SqlEffects {
  const effects: SqlEffects = { events: [], uses: [], tainted: [], writesData: false };
  const stripped = stripSql(sqlText);
  for (const stmt of splitStatements(stripped)) {
    const s = stmt.replace(/\s+/g, " ").trim();
    const parsed = parseDdl(s);
    if (parsed) {
      effects.events.push(...parsed);
      continue;
    }
    if (/^(create|drop|alter|rename|truncate)\b/i.test(s)) {
      if (/^truncate\b/i.test(s)) effects.writesData = true;
      if (!SCHEMA_ONLY.test(s) || /^(create|drop)\s+(or\s+replace\s+)?(trigger|function|procedure|rule|policy)\b/i.test(s)) effects.tainted.push(...identifiers(s));
      continue;
    }
    if (SCHEMA_ONLY.test(s)) continue;
    // UPDATE / INSERT / DELETE / SELECT / WITH / DO / CALL / EXEC / MERGE / COPY ...
    effects.writesData = true;
    const use = parseDml(s);
    if (use) effects.uses.push(use);
    // Procedural SQL may run DDL from string literals: look at the text with its strings.
    if (/^(do|call|exec|execute|select|with|begin|declare)\b/i.test(s)) {
      const raw = sqlText.replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ");
      if (/\b(create|drop|alter|rename|truncate)\b/i.test(raw)) effects.tainted.push(...identifiers(raw.replace(/'/g, " ")));
    }
  }
  return effects;
}

// Compiled once (they were built on every call).
const DML_UPDATE = new RegExp(String.raw`^update (?:only )?${QNAME}(?: (?:as )?(?!set\b)${ID})? set (.*?)(?: from | where | returning |$)`, "i");
const DML_SET_COLUMN = new RegExp(String.raw`^(${ID})\s*=`);
const DML_INSERT_COLUMNS = new RegExp(String.raw`^insert into ${QNAME}(?: (?:as )?${ID})? ?\(([^()]*)\)`, "i");
const WHOLE_ID = new RegExp(`^${ID}$`);
const DML_INSERT_DELETE = new RegExp(String.raw`^(?:insert into|delete from(?: only)?) ${QNAME}\b`, "i");
const DDL_CREATE_INDEX = new RegExp(String.raw`^create (?:unique )?index (?:concurrently )?(if not exists )?${QNAME} on (?:only )?${QNAME}(?: using \w+)? ?\((.*)\)`, "i");
const DDL_INDEX_COLUMN = new RegExp(`^${ID}(\\s+(asc|desc))?$`, "i");
const DDL_DROP_INDEX = new RegExp(String.raw`^drop index (?:concurrently )?(if exists )?(.*?)( cascade| restrict)?$`, "i");
const DDL_CREATE_TYPE = new RegExp(String.raw`^create type ${QNAME} as enum\b`, "i");
const DDL_DROP_TYPE = new RegExp(String.raw`^drop type (if exists )?(.*?)( cascade| restrict)?$`, "i");
const DDL_RENAME_TYPE = new RegExp(String.raw`^alter type ${QNAME} rename to ${QNAME}$`, "i");
const DDL_CREATE_TABLE = new RegExp(String.raw`^create (?:(?:global |local )?(?:temporary |temp |unlogged ))?table (if not exists )?${QNAME} ?\(`, "i");
const DDL_DROP_TABLE = new RegExp(String.raw`^drop table (if exists )?(.*?)( cascade| restrict)?$`, "i");
const DDL_ALTER_TABLE = new RegExp(String.raw`^alter table (?:if exists )?(?:only )?${QNAME} (.*)$`, "i");
const ALTER_RENAME_TO = new RegExp(String.raw`^rename to ${QNAME}$`, "i");
const ALTER_RENAME_COLUMN = new RegExp(String.raw`^rename (?:column )?(${ID}) to (${ID})$`, "i");
const ALTER_ADD_CONSTRAINT = new RegExp(String.raw`^add constraint (${ID})\b`, "i");
const ALTER_DROP_CONSTRAINT = new RegExp(String.raw`^drop constraint (if exists )?(${ID})( cascade| restrict)?$`, "i");
const ALTER_ADD_COLUMN = new RegExp(String.raw`^add (?:column )?(if not exists )?(${ID})\b`, "i");
const ALTER_DROP_COLUMN = new RegExp(String.raw`^drop (?:column )?(if exists )?(${ID})( cascade| restrict)?$`, "i");

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim());
}

/** The table (and named columns) of a simple UPDATE / INSERT / DELETE statement. */
function parseDml(s: string): SqlUse | null {
  let m = DML_UPDATE.exec(s);
  if (m) {
    const t = qualified(m[1]!);
    const columns: string[] = [];
    for (const part of splitTopLevel(m[2]!)) {
      const c = DML_SET_COLUMN.exec(part);
      if (c) columns.push(unquote(c[1]!));
    }
    return { schema: t.schema, table: t.name, columns };
  }
  m = DML_INSERT_COLUMNS.exec(s);
  if (m) {
    const t = qualified(m[1]!);
    const cols = splitTopLevel(m[2]!);
    const columns = cols.every((c) => WHOLE_ID.test(c)) ? cols.map(unquote) : [];
    return { schema: t.schema, table: t.name, columns };
  }
  m = DML_INSERT_DELETE.exec(s);
  if (m) {
    const t = qualified(m[1]!);
    return { schema: t.schema, table: t.name, columns: [] };
  }
  return null;
}

function topLevelCommas(s: string): number {
  let depth = 0;
  let n = 0;
  for (const ch of s) {
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) n++;
  }
  return n;
}

function parseDdl(s: string): SqlEvent[] | null {
  let m: RegExpExecArray | null;
  const ev = (e: Omit<SqlEvent, "guarded" | "cascade"> & Partial<Pick<SqlEvent, "guarded" | "cascade">>): SqlEvent => ({ guarded: false, cascade: false, ...e });

  m = DDL_CREATE_INDEX.exec(s);
  if (m) {
    const ix = qualified(m[2]!);
    const t = qualified(m[3]!);
    const cols = m[4]!.split(",").map((c) => c.trim()).filter((c) => DDL_INDEX_COLUMN.test(c)).map((c) => unquote(c.split(/\s+/)[0]!));
    return [ev({ action: "create", object: "index", schema: t.schema ?? ix.schema, table: t.name, name: ix.name, columns: cols, guarded: !!m[1] })];
  }
  m = DDL_DROP_INDEX.exec(s);
  if (m && !/ on /i.test(m[2]!)) {
    return m[2]!.split(",").map((q) => {
      const ix = qualified(q.trim());
      return ev({ action: "drop", object: "index", schema: ix.schema, table: null, name: ix.name, guarded: !!m![1] });
    });
  }
  m = DDL_CREATE_TYPE.exec(s);
  if (m) {
    const t = qualified(m[1]!);
    return [ev({ action: "create", object: "type", schema: t.schema, table: null, name: t.name })];
  }
  m = DDL_DROP_TYPE.exec(s);
  if (m) {
    return m[2]!.split(",").map((q) => {
      const t = qualified(q.trim());
      return ev({ action: "drop", object: "type", schema: t.schema, table: null, name: t.name, guarded: !!m![1], cascade: !!m![3] && /cascade/i.test(m![3]!) });
    });
  }
  m = DDL_RENAME_TYPE.exec(s);
  if (m) {
    const t = qualified(m[1]!);
    return [ev({ action: "rename", object: "type", schema: t.schema, table: null, name: t.name, newName: qualified(m[2]!).name })];
  }
  m = DDL_CREATE_TABLE.exec(s);
  if (m) {
    const t = qualified(m[2]!);
    return [ev({ action: "create", object: "table", schema: t.schema, table: t.name, name: t.name, guarded: !!m[1] })];
  }
  m = DDL_DROP_TABLE.exec(s);
  if (m) {
    return m[2]!.split(",").map((q) => {
      const t = qualified(q.trim());
      return ev({ action: "drop", object: "table", schema: t.schema, table: t.name, name: t.name, guarded: !!m![1], cascade: !!m![3] && /cascade/i.test(m![3]!) });
    });
  }
  m = DDL_ALTER_TABLE.exec(s);
  if (m) {
    const t = qualified(m[1]!);
    const rest = m[2]!;
    if (topLevelCommas(rest) > 0) return null;
    let r: RegExpExecArray | null;
    if ((r = ALTER_RENAME_TO.exec(rest))) {
      return [ev({ action: "rename", object: "table", schema: t.schema, table: t.name, name: t.name, newName: qualified(r[1]!).name })];
    }
    if ((r = ALTER_RENAME_COLUMN.exec(rest)) && !/^rename constraint/i.test(rest)) {
      return [ev({ action: "rename", object: "column", schema: t.schema, table: t.name, name: unquote(r[1]!), newName: unquote(r[2]!) })];
    }
    if ((r = ALTER_ADD_CONSTRAINT.exec(rest))) {
      return [ev({ action: "create", object: "constraint", schema: t.schema, table: t.name, name: unquote(r[1]!) })];
    }
    if ((r = ALTER_DROP_CONSTRAINT.exec(rest))) {
      return [ev({ action: "drop", object: "constraint", schema: t.schema, table: t.name, name: unquote(r[2]!), guarded: !!r[1] })];
    }
    if ((r = ALTER_ADD_COLUMN.exec(rest)) && !/^add (constraint|primary|unique|foreign|check|exclude|index|key)\b/i.test(rest)) {
      return [ev({ action: "create", object: "column", schema: t.schema, table: t.name, name: unquote(r[2]!), guarded: !!r[1] })];
    }
    if ((r = ALTER_DROP_COLUMN.exec(rest)) && !/^drop (constraint|primary|index|key|foreign)\b/i.test(rest)) {
      return [ev({ action: "drop", object: "column", schema: t.schema, table: t.name, name: unquote(r[2]!), guarded: !!r[1], cascade: !!r[3] && /cascade/i.test(r[3]!) })];
    }
    // ALTER COLUMN ... TYPE/SET/DROP DEFAULT, OWNER TO, ...: no existence change, but
    // nothing we model is created or dropped either.
    if (/^alter (?:column )?\S+ (type|set|drop|reset|add generated)\b/i.test(rest) || /^(owner to|set |enable |disable |replica |cluster |validate constraint)/i.test(rest)) return [];
    return null;
  }
  return null;
}

/** `text` with every regular-expression metacharacter escaped, to match it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const mentionPattern = memoByText((name) => new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`, "i"));

/** Whole-word, case-insensitive occurrence of an identifier in SQL or expression text. */
export function mentions(text: string, name: string): boolean {
  if (!name) return false;
  return mentionPattern(name).test(text);
}

// ---- per-file entry point ------------------------------------------------------------

export interface SectionSim {
  section: Section;
  other: Section | null;
  sim: Simulation;
}

const CACHE = new FileCache<Migration, Map<string, SectionSim[]>>();

/**
 * Simulates every function of a migration (each with its pair as `other`). Cached per
 * file and setting, so several rules share one walk.
 */
export function simulateMigration(m: Migration, opts: { enumTypes?: boolean } = {}): SectionSim[] {
  const enumTypes = opts.enumTypes ?? true;
  const k = enumTypes ? "enum" : "noenum";
  let byOpt = CACHE.get(m);
  if (!byOpt) {
    byOpt = new Map();
    CACHE.set(m, byOpt);
  }
  const hit = byOpt.get(k);
  if (hit) return hit;
  if (!enumTypes) {
    // Same walk as with enum types, minus the type events: derived, not simulated again.
    const derived = simulateMigration(m, { enumTypes: true }).map(({ section, other, sim }) => ({ section, other, sim: withoutTypes(sim) }));
    byOpt.set(k, derived);
    return derived;
  }
  const out: SectionSim[] = [];
  for (const pair of m.pairs) {
    let first: SectionSim | undefined;
    for (const [section, other] of [[pair.upgrade, pair.downgrade], [pair.downgrade, pair.upgrade]] as const) {
      if (!section || section.dispatcher) continue;
      // The first function's simulation started without edges: it gives the edges its pair starts with.
      if (first && other === first.section && startForeignKeys(section, m).length === 0) startForeignKeys(other, m, first.sim);
      const entry = { section, other, sim: simulate(section, { other, migration: m, enumTypes }) };
      first ??= entry;
      out.push(entry);
    }
  }
  byOpt.set(k, out);
  return out;
}

/** What created an object, for messages: `op.add_column("user", sa.Column("email", ...))`. */
export function eventLabel(e: LifeEvent, source?: string): string {
  if (e.step.kind === "type") {
    const sp = e.step.event.span;
    const text = source && sp.start !== undefined && sp.end !== undefined ? source.slice(sp.start, sp.end).replace(/\s+/g, " ") : "";
    if (text && text.length <= 80) return text;
    return `the ${e.step.event.kind === "create" ? ".create()" : ".drop()"} call of type "${e.step.event.name}"`;
  }
  const op = e.step.op;
  if (op.name === "execute") return `op.execute(...) (${e.action === "drop" ? "DROP" : e.action === "create" ? "CREATE" : "RENAME"} in SQL)`;
  return opLabel(op);
}

export function stepLine(s: Step): number {
  return spanOfStep(s).line;
}
