// Shared by the ALM3xx data-loss rules (not a rule itself): which ops may cause a
// finding, "was this object created by this migration?", SQL statements of execute
// ops, and small rendering helpers.
import { classifySql, sameIdent, type SqlName, type SqlStatement } from "../analysis/sql.js";
import { inErrorRegion, isExpr, otherSection, type Migration, type Op, type Section, type Value } from "../model.js";
import { FileCache } from "./file-cache.js";

export { otherSection };


/**
 * May this op cause a finding by itself? Not under a runtime condition, not with a
 * non-literal table, not inside a parser-recovered region. With `hidden: true`, also not
 * when code that could not be analyzed runs before it in the same function (it may have
 * created the object the exemption is about).
 */
export function mayReport(m: Migration, s: Section, op: Op, opts: { needTable?: boolean; hidden?: boolean } = {}): boolean {
  if (op.conditional || op.dynamicTable) return false;
  if ((opts.needTable ?? true) && op.table === null) return false;
  if (inErrorRegion(m, op.span)) return false;
  if (opts.hidden && hiddenBefore(s, op)) return false;
  return true;
}

/** Code that could not be analyzed runs before `op` in its section (or `op` comes from a helper next to such code). */
export function hiddenBefore(s: Section, op: Op): boolean {
  if (s.unanalyzed.length === 0) return false;
  if (op.via.length > 0) return true;
  return s.unanalyzed.some((u) => (u.span.start ?? 0) < (op.span.start ?? Infinity));
}


/**
 * The literal SQL of an execute op: `op.sql` from the extractor, plus two literal forms it
 * leaves out: `sa.DDL("...")` and `sa.text("...").bindparams(...)` / `.execution_options(...)`.
 * null when not literal.
 */
export function literalSql(op: Op): string | null {
  if (op.name !== "execute") return null;
  if (typeof op.sql === "string") return op.sql;
  const v = op.args.sqltext;
  if (!isExpr(v) || !v.call) return null;
  // sa.text(dedent("...")), sa.DDL("..."), textwrap.dedent("..."): wrappers that keep the SQL literal.
  const unwrap = (x: Value | undefined, depth = 0): string | null => {
    if (typeof x === "string") return x;
    if (depth > 3 || !isExpr(x) || !x.call || x.call.args.length !== 1) return null;
    if (!/(^|\.)(text|DDL|dedent)$/.test(x.call.callee)) return null;
    return unwrap(x.call.args[0], depth + 1);
  };
  const direct = unwrap(v);
  if (direct !== null) return direct;
  const m = /^(?:[\w.]+\.)?text\(\s*[rR]?("""|'''|"|')([\s\S]*?)\1\s*\)\s*\.\s*(?:bindparams|execution_options)$/.exec(v.call.callee);
  if (m && !m[2]!.includes("\\") && !m[2]!.includes(m[1]!)) return m[2]!;
  return null;
}

const statementCache = new FileCache<Op, SqlStatement[]>();

/** The literal SQL statements of an execute op (empty when the SQL is not literal). Cached per op. */
export function statementsOf(op: Op): SqlStatement[] {
  if (op.name !== "execute") return [];
  let st = statementCache.get(op);
  if (!st) {
    const sql = literalSql(op);
    st = sql === null ? [] : classifySql(sql);
    statementCache.set(op, st);
  }
  return st;
}

/** `schema=None`, no schema and `public` are the same place. */
function schemaMatches(a: string | null, b: string | null): boolean {
  const n = (x: string | null) => (x === null || x === "public" ? null : x.toLowerCase());
  return n(a) === n(b);
}

/** A SQL name matches an Alembic (unquoted, case-sensitive-as-written) name. */
export function sqlNameMatches(n: SqlName, schema: string | null, name: string): boolean {
  if (!schemaMatches(n.schema, schema)) return false;
  return n.quoted ? n.name === name : sameIdent(n.name, name);
}

type Kind = "table" | "type" | "schema" | "index" | "other";

interface Event {
  order: number;
  kind: Kind;
  schema: string | null;
  name: string;
  /** For columns: the table. */
  table?: string;
}

const CREATIONS = new FileCache<Section, { objects: Event[]; columns: Event[] }>();

/**
 * What a section creates (tables, columns, PG types, schemas), in execution order, from
 * ops (`create_table`, `add_column`, `rename_table`, enum columns, `sa.Enum(...).create()`)
 * and from literal SQL (`CREATE TABLE/TYPE/SCHEMA/...`, `ALTER TABLE ... ADD COLUMN`,
 * `ALTER TABLE ... RENAME TO`). Conditional ops count too: when unsure, stay silent.
 */
export class Creations {
  private readonly objects: Event[] = [];
  private readonly columns: Event[] = [];
  constructor(readonly section: Section | null) {
    // Several rules build this for the same section: the lists (never changed once built) are shared.
    const known = section ? CREATIONS.get(section) : undefined;
    if (known) {
      this.objects = known.objects;
      this.columns = known.columns;
      return;
    }
    for (const op of section?.ops ?? []) this.addOp(op);
    for (const ev of section?.typeEvents ?? []) if (ev.kind === "create") this.objects.push({ order: ev.order - 0.5, kind: "type", schema: null, name: ev.name });
    if (section) CREATIONS.set(section, { objects: this.objects, columns: this.columns });
  }

  private addOp(op: Op): void {
    const o = op.order;
    if (op.name === "create_table" && op.table) {
      this.objects.push({ order: o, kind: "table", schema: op.schema, name: op.table });
      for (const c of op.tableDef?.columns ?? []) {
        if (c.name) this.columns.push({ order: o, kind: "other", schema: op.schema, name: c.name, table: op.table });
        if (c.enumName) this.objects.push({ order: o, kind: "type", schema: null, name: c.enumName });
      }
    } else if (op.name === "rename_table" && op.table && typeof op.args.new_table_name === "string") {
      // A renamed table keeps its rows: it is "new" only if it was created in this section.
      if (this.table(op.schema, op.table, o)) this.objects.push({ order: o, kind: "table", schema: op.schema, name: op.args.new_table_name });
    } else if (op.name === "add_column" && op.table && op.column?.name) {
      this.columns.push({ order: o, kind: "other", schema: op.schema, name: op.column.name, table: op.table });
      if (op.column.enumName) this.objects.push({ order: o, kind: "type", schema: null, name: op.column.enumName });
    } else if (op.name === "alter_column" && op.table && typeof op.args.new_column_name === "string" && typeof op.args.column_name === "string") {
      // A renamed column keeps its values: it is "new" only if it was added in this section.
      if (this.column(op.schema, op.table, op.args.column_name, o)) this.columns.push({ order: o, kind: "other", schema: op.schema, name: op.args.new_column_name, table: op.table });
    } else if (op.name === "create_index" && typeof op.args.index_name === "string") {
      this.objects.push({ order: o, kind: "index", schema: op.schema, name: op.args.index_name });
    } else if (op.name === "execute") {
      for (const st of statementsOf(op)) {
        if (st.kind === "create") {
          const kind: Kind = st.object === "TABLE" ? "table" : st.object === "TYPE" || st.object === "DOMAIN" ? "type" : st.object === "SCHEMA" ? "schema" : st.object === "INDEX" ? "index" : "other";
          for (const t of st.targets) this.objects.push({ order: o, kind, schema: t.schema, name: t.name });
        } else if (st.kind === "alter-table" && st.table) {
          for (const a of st.actions) {
            if (a.verb === "ADD" && a.what === "COLUMN" && a.name) this.columns.push({ order: o, kind: "other", schema: st.table.schema, name: a.name, table: st.table.name });
            if (a.verb === "RENAME" && a.what === "TO" && a.name && this.table(st.table.schema, st.table.name, o)) this.objects.push({ order: o, kind: "table", schema: st.table.schema, name: a.name });
          }
        } else if (st.kind === "alter" && st.object === "TYPE") {
          // ALTER TYPE x RENAME TO y: y is the old type under a new name (still in use).
          const m = /\brename\s+to\s+("?)([\w$]+)\1\s*$/i.exec(st.text);
          const from = st.targets[0];
          if (m && from && this.object("type", from.schema, from.name, o)) this.objects.push({ order: o, kind: "type", schema: null, name: m[2]! });
        }
      }
    }
  }

  /** The table was created (or renamed into existence) before `order`; `order` Infinity: anywhere. */
  table(schema: string | null, name: string, order = Infinity): boolean {
    return this.objects.some((e) => e.kind === "table" && e.order < order && schemaMatches(e.schema, schema) && sameIdent(e.name, name));
  }

  /** The column was added (or created with its table) before `order`. */
  column(schema: string | null, table: string, column: string, order = Infinity): boolean {
    if (this.table(schema, table, order)) return true;
    return this.columns.some((e) => e.order < order && schemaMatches(e.schema, schema) && e.table !== undefined && sameIdent(e.table, table) && sameIdent(e.name, column));
  }

  /** A type, schema or other object of this kind and name was created before `order`. */
  object(kind: Kind, schema: string | null, name: string, order = Infinity): boolean {
    return this.objects.some((e) => e.kind === kind && e.order < order && (kind === "type" || schemaMatches(e.schema, schema)) && sameIdent(e.name, name));
  }

  /** Columns added in this section to the given table. */
  addedColumns(schema: string | null, table: string): string[] {
    return this.columns.filter((e) => schemaMatches(e.schema, schema) && e.table !== undefined && sameIdent(e.table, table)).map((e) => e.name);
  }
}

/** Tables may have been created by code we cannot see (`metadata.create_all(bind)`, `Table(...).create(bind)`). */
const OUTSIDE_OPS = new FileCache<Migration, boolean>();

export function createsTablesOutsideOps(m: Migration): boolean {
  let v = OUTSIDE_OPS.get(m);
  if (v === undefined) {
    v = createsTablesOutsideOpsUncached(m);
    OUTSIDE_OPS.set(m, v);
  }
  return v;
}

const CREATE_OUTSIDE_OPS = /\bcreate_all\s*\(|\.create\s*\(\s*(?:bind\s*=\s*)?(?:op\.get_bind\(\)|bind|conn|connection|engine)\b/g;

function createsTablesOutsideOpsUncached(m: Migration): boolean {
  // An enum type's `.create(bind)` is a type event the extractor reads: it creates no table.
  const isTypeEvent = (at: number) =>
    m.sections.some((s) => s.typeEvents.some((e) => e.span.start !== undefined && e.span.end !== undefined && e.span.start <= at && at < e.span.end));
  for (const match of m.source.matchAll(CREATE_OUTSIDE_OPS)) if (!isTypeEvent(match.index!)) return true;
  return false;
}

/** `"schema.table"` or `"table"` for messages. */
export function tableLabel(schema: string | null, table: string | null): string {
  return `"${schema ? `${schema}.` : ""}${table ?? "?"}"`;
}

/** Python source of a model value, for suggested calls. */
export function py(v: Value | undefined): string {
  if (v === undefined || v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(", ")}]`;
  if (isExpr(v)) return v.expr.replace(/\s+/g, " ");
  return String(v);
}

/** A statement shortened for a message. */
export function clipSql(text: string, max = 70): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

// ---------------------------------------------------------------------------------
// SQLAlchemy Core DML passed to execute: `sa.table("t", ...).delete()`,
// `accounts.update().values(version=1)`, `sa.delete(t).where(...)`. Read from the
// expression's source text; only what can be read reliably is returned.

export interface CoreDml {
  kind: "delete" | "update";
  /** The literal table name, or null when it cannot be resolved. */
  table: string | null;
  hasWhere: boolean;
  /** UPDATE: names given to `.values(...)` (keywords or a literal dict); null when unknown. */
  setColumns: string[] | null;
  text: string;
}

/** Splits `a.b(x).c(y)` into top-level segments `a`, `b(x)`, `c(y)`; null on unbalanced text. */
function segments(expr: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (ch === '"' || ch === "'") {
      const triple = expr.startsWith(ch.repeat(3), i);
      const q = triple ? ch.repeat(3) : ch;
      let j = i + q.length;
      while (j < expr.length && !expr.startsWith(q, j)) j += expr[j] === "\\" ? 2 : 1;
      j = Math.min(expr.length, j + q.length);
      cur += expr.slice(i, j);
      i = j - 1;
      continue;
    }
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    if (ch === ")" || ch === "]" || ch === "}") depth--;
    if (depth < 0) return null;
    if (ch === "." && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (depth !== 0) return null;
  out.push(cur.trim());
  return out;
}

const TABLE_CALL = /^(?:[\w]+\.)*(?:table|Table)\(\s*[rRuU]?(['"])([\w$]+)\1/;

/** The table a Core table expression names: `sa.table("t", ...)`, or a variable assigned one (once) in the file. */
function coreTable(m: Migration, expr: string): string | null {
  const e = expr.trim();
  const direct = TABLE_CALL.exec(e);
  if (direct) return direct[2]!;
  if (!/^[A-Za-z_]\w*$/.test(e)) return null;
  const re = new RegExp(`^[ \\t]*${e}[ \\t]*(?::[^=\\n]+)?=[ \\t]*(.*)$`, "gm");
  const names = new Set<string>();
  for (const mm of m.source.matchAll(re)) {
    const t = TABLE_CALL.exec(mm[1]!.trim());
    if (!t) return null; // assigned something else somewhere: do not guess
    names.add(t[2]!);
  }
  return names.size === 1 ? [...names][0]! : null;
}

function callArgs(seg: string): string {
  const i = seg.indexOf("(");
  return i < 0 ? "" : seg.slice(i + 1, seg.lastIndexOf(")"));
}

function splitTopLevel(s: string): string[] {
  const parts = segmentsBy(s, ",");
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function segmentsBy(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      cur += ch;
      if (ch === "\\") {
        cur += s[++i] ?? "";
        continue;
      }
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/** Column names of `.values(a=1, b=2)` or `.values({"a": 1})`; null when not literal. */
function valuesColumns(seg: string): string[] | null {
  const args = splitTopLevel(callArgs(seg));
  if (args.length === 0) return null;
  if (args.length === 1 && args[0]!.startsWith("{")) {
    const body = args[0]!.slice(1, -1);
    const cols: string[] = [];
    for (const item of splitTopLevel(body)) {
      const k = /^[rRuU]?(['"])([\w$]+)\1\s*:/.exec(item);
      if (!k) return null;
      cols.push(k[2]!);
    }
    return cols.length ? cols : null;
  }
  const cols: string[] = [];
  for (const a of args) {
    const k = /^([A-Za-z_]\w*)\s*=[^=]/.exec(a);
    if (!k) return null;
    cols.push(k[1]!);
  }
  return cols;
}

const WHERE_METHODS = new Set(["where", "filter", "filter_by", "whereclause"]);

/** Core DELETE/UPDATE in an execute op's argument, when it can be read reliably. */
export function coreDml(m: Migration, op: Op): CoreDml | null {
  if (op.name !== "execute" || literalSql(op) !== null) return null;
  const v = op.args.sqltext;
  if (!isExpr(v)) return null;
  const text = v.expr.replace(/\s+/g, " ").trim();
  const segs = segments(text);
  if (!segs || segs.length < 2) return null;
  const name = (s: string) => /^([A-Za-z_]\w*)\s*(\(|$)/.exec(s)?.[1];
  // Method form: <table expr>.delete() / .update()
  let idx = segs.findIndex((s, i) => i > 0 && (name(s) === "delete" || name(s) === "update") && s.includes("("));
  let table: string | null = null;
  let kind: "delete" | "update";
  if (idx > 0 && !/^(sa|sqlalchemy|sql|expression)$/.test(segs.slice(0, idx).join("."))) {
    kind = name(segs[idx]!) as "delete" | "update";
    if (callArgs(segs[idx]!).trim() !== "") return null; // `.delete(whereclause)` and other forms: skip
    table = coreTable(m, segs.slice(0, idx).join("."));
  } else {
    // Function form: sa.delete(t) / sa.update(t) / delete(t)
    idx = segs.findIndex((s) => name(s) === "delete" || name(s) === "update");
    if (idx < 0) return null;
    const prefix = segs.slice(0, idx).join(".");
    if (prefix !== "" && !/^(sa|sqlalchemy|sql|expression|sqlalchemy\.sql)$/.test(prefix)) return null;
    kind = name(segs[idx]!) as "delete" | "update";
    if (prefix === "" && !new RegExp(`^\\s*from\\s+sqlalchemy(?:\\.sql)?(?:\\.expression)?\\s+import\\s+[^\\n]*\\b${kind}\\b`, "m").test(m.source)) return null;
    const args = splitTopLevel(callArgs(segs[idx]!));
    if (args.length !== 1) return null;
    table = coreTable(m, args[0]!);
  }
  const rest = segs.slice(idx + 1);
  if (rest.some((s) => !name(s) || !s.includes("("))) return null; // attribute access or odd chain
  const hasWhere = rest.some((s) => WHERE_METHODS.has(name(s)!));
  let setColumns: string[] | null = null;
  if (kind === "update") {
    const vals = rest.filter((s) => name(s) === "values");
    setColumns = vals.length === 1 ? valuesColumns(vals[0]!) : null;
  }
  return { kind, table, hasWhere, setColumns, text };
}

/** An earlier op in `s` whose SQL copies rows out of `table` (INSERT ... SELECT ... FROM table). */
export function copiedFrom(s: Section, table: string, order: number): Op | undefined {
  const from = new RegExp(`\\bfrom\\s+(?:[\\w$"\`]+\\.)?["\`]?${table.replace(/[^\w$]/g, "\\$&")}(?![\\w$])`, "i");
  return s.ops.find((o) => o.order < order && statementsOf(o).some((st) => st.kind === "insert" && from.test(st.text)));
}

/** The ops of a rebuild by renaming away (below), and the drops whose rows were copied back first. */
export interface RenameAwayRebuilds {
  ops: Set<Op>;
  copiedDrops: Set<Op>;
}

const renameAwayCache = new FileCache<Section, RenameAwayRebuilds>();

/**
 * The other way to rebuild a table (SQLite by hand, securedrop): rename it away
 * (`t` → `t_tmp`), create `t` anew, copy the rows (INSERT ... SELECT ... FROM t_tmp), drop
 * `t_tmp`. The table keeps its name and its rows: neither the rename, nor the drop, nor the
 * new table is a change on its own.
 */
export function renameAwayRebuilds(s: Section): RenameAwayRebuilds {
  let out = renameAwayCache.get(s);
  if (out) return out;
  out = { ops: new Set(), copiedDrops: new Set() };
  const low = (x: string | null | undefined) => (typeof x === "string" ? x.toLowerCase() : null);
  for (const rename of s.ops) {
    if (rename.name !== "rename_table" || rename.table === null || typeof rename.args.new_table_name !== "string") continue;
    const original = low(rename.table);
    const away = low(rename.args.new_table_name);
    const sameSchema = (o: Op) => (o.schema ?? null) === (rename.schema ?? null);
    // Created by op.create_table or by a CREATE TABLE in SQL.
    const create = s.ops.find(
      (o) =>
        o.order > rename.order &&
        ((o.name === "create_table" && low(o.table) === original && sameSchema(o)) ||
          statementsOf(o).some((st) => st.kind === "create" && st.object === "TABLE" && st.targets.some((t) => t.name.toLowerCase() === original))),
    );
    if (!create) continue;
    const drop = s.ops.find((o) => o.order > create.order && o.name === "drop_table" && low(o.table) === away && sameSchema(o));
    if (!drop) continue;
    out.ops.add(rename).add(create).add(drop);
    const copy = copiedFrom(s, away!, drop.order);
    if (copy && copy.order > create.order) out.copiedDrops.add(drop);
  }
  renameAwayCache.set(s, out);
  return out;
}

/**
 * The table-rebuild ("swap") pattern: the rows of `name` are copied into a new table
 * (`INSERT INTO new ... SELECT ... FROM name`) before `order`, and a table created in
 * this section is renamed to `name` after it. Dropping the old table then loses nothing.
 */
export function rebuiltSwap(s: Section, schema: string | null, name: string, order: number): boolean {
  const created = new Creations(s);
  const lower = name.toLowerCase();
  const renamedInto = s.ops.some((o) => {
    if (o.order <= order) return false;
    if (o.name === "rename_table" && typeof o.args.new_table_name === "string" && o.args.new_table_name.toLowerCase() === lower && o.table) {
      return created.table(o.schema, o.table, o.order);
    }
    return statementsOf(o).some(
      (st) => st.kind === "alter-table" && st.table !== null && created.table(st.table.schema, st.table.name, o.order) &&
        st.actions.some((a) => a.verb === "RENAME" && a.what === "TO" && a.name !== null && a.name.toLowerCase() === lower),
    );
  });
  if (!renamedInto) return false;
  return copiedFrom(s, name, order) !== undefined;
}
