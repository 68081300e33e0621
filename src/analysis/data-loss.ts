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

// ---------------------------------------------------------------------------------
// SQLAlchemy Core copies passed to execute: `t_new.insert().from_select([...], sa.select(...))`,
// `sa.insert(t).from_select(cols, select_stmt)`, with the tables built by `sa.table(...)`,
// `sa.Table(...)` or `op.create_table(...)` (inline or in a variable assigned once). Read
// from the expression's source text; whatever cannot be read for certain makes the whole
// statement unknown (null), so it never counts as a copy.

/** A table a Core expression names. */
export interface CoreTableRef {
  schema: string | null;
  name: string;
  /** Column names the definition declares; null when not all are literal (or reflected). */
  columns: string[] | null;
}

export interface CoreCopy {
  /** The INSERT's table. */
  target: CoreTableRef;
  /** Every table the SELECT reads, with the columns it reads ("all": the whole table, e.g. `sa.select(t)`). */
  reads: { table: CoreTableRef; columns: Set<string> | "all" }[];
  text: string;
}

const PY_WORDS = new Set(["None", "True", "False", "and", "or", "not", "in", "is", "if", "else"]);

/** Python source without comments, whitespace collapsed outside string literals. */
function flatPython(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      const q = text.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      let j = i + q.length;
      while (j < text.length && !text.startsWith(q, j)) j += text[j] === "\\" ? 2 : 1;
      j = Math.min(text.length, j + q.length);
      out += text.slice(i, j);
      i = j - 1;
    } else if (ch === "#") {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (/\s/.test(ch) || (ch === "\\" && text[i + 1] === "\n")) {
      if (!out.endsWith(" ")) out += " ";
    } else out += ch;
  }
  return out.trim();
}

/** The expression that starts at `start` in `src` and runs to the end of its logical line. */
function expressionAt(src: string, start: number): string {
  let depth = 0;
  let i = start;
  for (; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '"' || ch === "'") {
      const q = src.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      let j = i + q.length;
      while (j < src.length && !src.startsWith(q, j)) j += src[j] === "\\" ? 2 : 1;
      i = Math.min(src.length, j + q.length) - 1;
    } else if (ch === "#") {
      while (i + 1 < src.length && src[i + 1] !== "\n") i++;
    } else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (ch === "\\" && src[i + 1] === "\n") i++;
    else if (ch === "\n" && depth <= 0) break;
  }
  return src.slice(start, i);
}

const ASSIGN_CACHE = new FileCache<Migration, Map<string, string[] | null>>();

/**
 * The expressions a plain name is assigned in the file (`name = ...`, `name: T = ...`), or
 * null when it is also bound some other way (a parameter, a loop or `with` target, an
 * import, a tuple or augmented assignment, `global`): then it cannot be read statically.
 */
function assignmentsOf(m: Migration, name: string): string[] | null {
  let cache = ASSIGN_CACHE.get(m);
  if (!cache) ASSIGN_CACHE.set(m, (cache = new Map()));
  if (cache.has(name)) return cache.get(name)!;
  const src = m.source;
  const n = name.replace(/\$/g, "\\$");
  let out: string[] | null = [];
  const otherBinding = [
    new RegExp(`\\bdef\\s+\\w+\\s*\\([^)]*\\b${n}\\b`),
    new RegExp(`\\bfor\\s+[^\\n:]*\\b${n}\\b[^\\n:]*\\bin\\b`),
    new RegExp(`\\bas\\s+${n}\\b`),
    new RegExp(`^[ \\t]*(?:from\\s+\\S+\\s+)?import\\s[^\\n]*\\b${n}\\b`, "m"),
    new RegExp(`\\bglobal\\s+[^\\n]*\\b${n}\\b`),
    new RegExp(`^[ \\t]*${n}[ \\t]*(?:[-+*/|&%@^]|//|<<|>>|\\*\\*)=`, "m"),
    new RegExp(`^[ \\t]*(?:[\\w.]+[ \\t]*,[ \\t]*)*${n}[ \\t]*(?:,[ \\t]*[\\w.]+[ \\t]*)+=[^=]`, "m"),
    new RegExp(`^[ \\t]*(?:[\\w.]+[ \\t]*,[ \\t]*)+${n}[ \\t]*=[^=]`, "m"),
    new RegExp(`\\b${n}\\s*:=`),
  ];
  if (otherBinding.some((re) => re.test(src))) out = null;
  else {
    const re = new RegExp(`^[ \\t]*${n}[ \\t]*(?::[^=\\n]+)?=(?!=)[ \\t]*`, "gm");
    for (const mm of src.matchAll(re)) out.push(flatPython(expressionAt(src, mm.index! + mm[0].length)));
  }
  cache.set(name, out);
  return out;
}

/** Is `name` imported from SQLAlchemy (`from sqlalchemy[.x] import name`, not renamed)? */
function importedFromSa(m: Migration, name: string): boolean {
  const n = `\\b${name}\\b(?!\\s+as\\b)`;
  return new RegExp(`^[ \\t]*from\\s+sqlalchemy(?:\\.[\\w.]+)?\\s+import\\s*(?:\\([^)]*?${n}|[^\\n(]*?${n})`, "m").test(m.source);
}

/** Does `name` stand for SQLAlchemy or one of its modules or names (`sa`, `sqlalchemy`, `select`, `func`)? */
function saName(m: Migration, name: string): boolean {
  if (name === "sqlalchemy") return /^[ \t]*import\s+sqlalchemy\b/m.test(m.source);
  return new RegExp(`^[ \\t]*import\\s+sqlalchemy(?:\\.[\\w.]+)?\\s+as\\s+${name}\\b`, "m").test(m.source) || importedFromSa(m, name);
}

/** A dotted SQLAlchemy prefix: `sa`, `sqlalchemy.sql`, `expression`. */
function saPrefix(m: Migration, prefix: string): boolean {
  return prefix.split(".").every((p, i) => (i === 0 ? saName(m, p) : /^(?:sql|expression|schema)$/.test(p)));
}

function unquote(s: string): string | null {
  const q = /^[rRuU]?(['"])([\w$]+)\1$/.exec(s.trim());
  return q ? q[2]! : null;
}

/** `sa.table("t", sa.column("a"), schema="s")`, `sa.Table("t", meta, ...)`, `op.create_table("t", ...)`. */
function tableFromCall(m: Migration, text: string): CoreTableRef | null {
  const segs = segments(text);
  if (!segs || segs.length < 1) return null;
  const last = segs[segs.length - 1]!;
  const fn = /^(table|Table|create_table)\s*\(/.exec(last)?.[1];
  if (!fn || !last.endsWith(")")) return null;
  const prefix = segs.slice(0, -1).join(".");
  if (fn === "create_table" ? prefix !== "op" : prefix === "" ? !importedFromSa(m, fn) : !saPrefix(m, prefix)) return null;
  const args = splitTopLevel(callArgs(last));
  const kw = (a: string) => /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/.exec(a);
  let name: string | null = null;
  let schema: string | null = null;
  let columns: string[] | null = [];
  let first = true;
  for (const a of args) {
    const k = kw(a);
    if (k) {
      if (k[1] === "schema") {
        if (k[2]!.trim() === "None") continue;
        schema = unquote(k[2]!);
        if (schema === null) return null;
      } else if (k[1] === "name" || k[1] === "table_name") {
        name = unquote(k[2]!);
        if (name === null) return null;
      } else if (/^autoload/.test(k[1]!)) columns = null;
      continue;
    }
    if (a.startsWith("*")) {
      columns = null;
      continue;
    }
    if (first && name === null) {
      first = false;
      name = unquote(a);
      if (name === null) return null;
      continue;
    }
    const col = /^(?:[\w.]+\.)?(column|Column)\s*\(\s*([^,)]+)/.exec(a);
    if (col) {
      const c = unquote(col[2]!);
      if (c === null) columns = null;
      else columns?.push(c);
    }
  }
  return name === null ? null : { schema, name, columns };
}

/** The table a Core table expression stands for: a table call, or a name assigned only table calls of one table. */
function coreTableRef(m: Migration, expr: string, depth = 0): CoreTableRef | null {
  const e = expr.trim();
  if (depth > 3) return null;
  if (/^[A-Za-z_]\w*$/.test(e)) {
    if (PY_WORDS.has(e)) return null;
    const values = assignmentsOf(m, e);
    if (!values || values.length === 0) return null;
    let ref: CoreTableRef | null = null;
    for (const v of values) {
      const r = coreTableRef(m, v, depth + 1);
      if (!r || (ref && (ref.name !== r.name || ref.schema !== r.schema))) return null;
      ref = ref ?? r;
    }
    return ref;
  }
  return tableFromCall(m, e);
}

/** The expression a statement name stands for (assigned exactly once), or the text itself. */
function statementText(m: Migration, text: string): string | null {
  if (!/^[A-Za-z_]\w*$/.test(text)) return text;
  const values = assignmentsOf(m, text);
  return values && values.length === 1 ? values[0]! : null;
}

interface Ref {
  table: CoreTableRef;
  /** A column read (`t.c.col`), or null for the table itself (`t`, `t.select()`). */
  column: string | null;
  /** `t.select()`: every column. */
  whole?: boolean;
}

/**
 * The table references in a piece of a Core statement; null when any name in it cannot
 * be told: a local function, a name bound to something else than a table or a literal
 * constant, a table attribute other than its columns (`t.alias()`), `sa.text(...)`,
 * `literal_column(...)`, a comprehension or a lambda. Bare `sa.column("x")` calls are
 * returned with a null table in `loose`.
 */
function scanRefs(m: Migration, s: string, depth = 0): { refs: Ref[]; loose: string[] } | null {
  if (depth > 2) return null;
  const refs: Ref[] = [];
  const loose: string[] = [];
  const ident = /[A-Za-z_]\w*/y;
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '"' || ch === "'") {
      const q = s.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      let j = i + q.length;
      while (j < s.length && !s.startsWith(q, j)) j += s[j] === "\\" ? 2 : 1;
      i = j + q.length;
      continue;
    }
    if (/\d/.test(ch)) {
      while (i < s.length && /[\w.]/.test(s[i]!)) i++;
      continue;
    }
    if (!/[A-Za-z_]/.test(ch)) {
      i++;
      continue;
    }
    ident.lastIndex = i;
    const id = ident.exec(s)![0];
    const chain = [id];
    let j = i + id.length;
    for (;;) {
      const mm = /^\s*\.\s*([A-Za-z_]\w*)/.exec(s.slice(j));
      if (!mm) break;
      chain.push(mm[1]!);
      j += mm[0].length;
    }
    const after = s.slice(j).trimStart();
    // Method and attribute names are read with their owner; keyword argument names and Python words are no names.
    if (s.slice(0, i).trimEnd().endsWith(".") || (chain.length === 1 && (/^=(?!=)/.test(after) || PY_WORDS.has(id)))) {
      i = j;
      continue;
    }
    if (id === "for" || id === "lambda") return null;
    if (saName(m, id)) {
      const fn = chain.at(-1)!;
      if (fn === "text" || fn === "literal_column") return null;
      if ((fn === "table" || fn === "Table") && after.startsWith("(")) {
        // An inline table: sa.table("t", ...)[.c.col]
        const close = matchParen(s, s.indexOf("(", j));
        if (close < 0) return null;
        const t = tableFromCall(m, s.slice(i, close + 1));
        const col = columnAccess(s.slice(close + 1));
        if (!t || col === undefined) return null;
        refs.push({ table: t, column: col });
        i = close + 1 + columnAccessLength(s.slice(close + 1));
        continue;
      }
      if ((fn === "column" || fn === "Column") && after.startsWith("(")) {
        const c = /^\(\s*([rRuU]?(['"])[\w$]+\2)\s*[,)]/.exec(after);
        if (!c) return null;
        loose.push(unquote(c[1]!)!);
      }
      i = j;
      continue;
    }
    // A local name: a table (t, t.c.col, t.c["col"], t.select()), a literal constant, or a statement assigned once.
    const t = coreTableRef(m, id);
    if (t) {
      const rest = s.slice(i + id.length);
      if (/^\s*\.\s*select\s*\(/.test(rest)) refs.push({ table: t, column: null, whole: true });
      else {
        const col = columnAccess(rest);
        if (col === undefined) return null;
        refs.push({ table: t, column: col });
        i += id.length + columnAccessLength(rest);
        continue;
      }
      i += id.length;
      continue;
    }
    if (chain.length === 1 && !after.startsWith("(")) {
      const values = assignmentsOf(m, id);
      if (values && values.length === 1) {
        const v = values[0]!;
        if (/^(?:-?\d[\w.]*|[rRuUbB]?(['"])[^'"\\]*\1|None|True|False)$/.test(v)) {
          i = j;
          continue;
        }
        const inner = scanRefs(m, v, depth + 1);
        if (inner) {
          refs.push(...inner.refs.map((r) => ({ ...r, column: r.column, whole: false })).filter((r) => r.column !== null));
          i = j;
          continue;
        }
      }
    }
    return null;
  }
  return { refs, loose };
}

/**
 * Tables and columns a Core SELECT reads (its column list: `sa.select(t.c.a, u.c.b)`,
 * `select([t.c.a], whereclause)`, `sa.select(t)`, `t.select()`, plus `.add_columns(...)`);
 * null when anything in the statement cannot be told (see `scanRefs`).
 */
function selectReads(m: Migration, sel: string): CoreCopy["reads"] | null {
  const text = statementText(m, sel.trim());
  if (text === null) return null;
  const all = scanRefs(m, text);
  if (!all) return null;
  const segs = segments(text);
  if (!segs) return null;
  const name = (x: string) => /^([A-Za-z_]\w*)\s*(\(|$)/.exec(x)?.[1];
  const idx = segs.findIndex((x) => name(x) === "select" && x.includes("("));
  if (idx < 0) return null;
  const prefix = segs.slice(0, idx).join(".");
  const listed: string[] = [];
  const reads: CoreCopy["reads"] = [];
  const add = (table: CoreTableRef, column: string | null) => {
    let r = reads.find((x) => x.table.name === table.name && x.table.schema === table.schema);
    if (!r) reads.push((r = { table, columns: new Set() }));
    if (column === null) r.columns = "all";
    else if (r.columns !== "all") r.columns.add(column);
  };
  if (prefix === "" ? importedFromSa(m, "select") : saPrefix(m, prefix)) {
    const args = splitTopLevel(callArgs(segs[idx]!)).filter((a) => !/^[A-Za-z_]\w*\s*=(?!=)/.test(a));
    if (args[0]?.startsWith("[")) listed.push(...splitTopLevel(args[0].slice(1, -1)));
    else listed.push(...args);
  } else {
    const t = coreTableRef(m, prefix);
    if (!t) return null;
    add(t, null);
  }
  for (const x of segs.slice(idx + 1)) if (name(x) === "add_columns" || name(x) === "column" || name(x) === "with_only_columns") listed.push(...splitTopLevel(callArgs(x)));
  const froms = all.refs.filter((r) => r.column === null).map((r) => r.table);
  for (const item of listed) {
    if (item.startsWith("*")) return null;
    const got = scanRefs(m, item);
    if (!got) return null;
    for (const r of got.refs) add(r.table, r.column);
    // sa.column("x") with one table to select from: a column of that table.
    if (got.loose.length > 0) {
      const names = new Set(froms.map((f) => `${f.schema}.${f.name}`));
      if (names.size === 1) for (const c of got.loose) add(froms[0]!, c);
    }
  }
  return reads;
}

function matchParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"' || ch === "'") {
      const q = s.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      let j = i + q.length;
      while (j < s.length && !s.startsWith(q, j)) j += s[j] === "\\" ? 2 : 1;
      i = j + q.length - 1;
      continue;
    }
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch) && --depth === 0) return i;
  }
  return -1;
}

const COLUMN_ACCESS = /^\s*\.\s*(?:c|columns)\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*[rRuU]?(['"])([\w$]+)\2\s*\])/;

/** After a table expression: `.c.col` / `.c["col"]` → the column; nothing of the kind → null; `.c` used otherwise → undefined. */
function columnAccess(rest: string): string | null | undefined {
  const mm = COLUMN_ACCESS.exec(rest);
  if (mm) return mm[1] ?? mm[3]!;
  if (/^\s*\.\s*(?:c|columns)\b/.test(rest)) return undefined;
  if (/^\s*\.\s*(?!join\b|outerjoin\b|select\b)[A-Za-z_]/.test(rest)) return undefined;
  return null;
}

function columnAccessLength(rest: string): number {
  const mm = COLUMN_ACCESS.exec(rest);
  return mm ? mm[0].length : 0;
}

/** Core INSERT ... FROM SELECT in an execute op's argument, when target and every source can be read. */
export function coreCopy(m: Migration, op: Op): CoreCopy | null {
  if (op.name !== "execute" || literalSql(op) !== null) return null;
  const v = op.args.sqltext;
  if (!isExpr(v)) return null;
  const text = statementText(m, flatPython(v.expr));
  if (text === null) return null;
  const segs = segments(text);
  if (!segs || segs.length < 2) return null;
  const name = (x: string) => /^([A-Za-z_]\w*)\s*(\(|$)/.exec(x)?.[1];
  const idx = segs.findIndex((x) => name(x) === "insert" && x.includes("("));
  if (idx < 0) return null;
  const prefix = segs.slice(0, idx).join(".");
  let target: CoreTableRef | null;
  if (prefix === "" ? importedFromSa(m, "insert") : saPrefix(m, prefix)) {
    const args = splitTopLevel(callArgs(segs[idx]!));
    if (args.length !== 1) return null;
    target = coreTableRef(m, args[0]!);
  } else {
    if (callArgs(segs[idx]!).trim() !== "") return null;
    target = coreTableRef(m, prefix);
  }
  if (!target) return null;
  const rest = segs.slice(idx + 1);
  if (rest.some((x) => !name(x) || !x.includes("("))) return null;
  const fs = rest.filter((x) => name(x) === "from_select");
  if (fs.length !== 1) return null;
  let select: string | null = null;
  const positional: string[] = [];
  for (const a of splitTopLevel(callArgs(fs[0]!))) {
    const k = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/.exec(a);
    if (k) {
      if (k[1] === "select") select = k[2]!;
    } else positional.push(a);
  }
  select = select ?? positional[1] ?? null;
  if (select === null) return null;
  const reads = selectReads(m, select);
  if (!reads || reads.length === 0) return null;
  return { target, reads, text };
}

const CORE_COPIES = new FileCache<Op, CoreCopy | null>();

function coreCopyCached(m: Migration, op: Op): CoreCopy | null {
  let c = CORE_COPIES.get(op);
  if (c === undefined) {
    c = coreCopy(m, op);
    CORE_COPIES.set(op, c);
  }
  return c;
}

/**
 * An earlier Core copy in `s` (before `order`, after `after`) that reads rows of
 * `schema.table`: with `column`, one that reads that column; with `into`, one that writes
 * them into that table.
 */
export function coreCopiedFrom(
  m: Migration,
  s: Section,
  schema: string | null,
  table: string,
  order: number,
  opts: { column?: string; into?: string; after?: number } = {},
): Op | undefined {
  const { column, into, after = -Infinity } = opts;
  return s.ops.find((o) => {
    if (o.order >= order || o.order <= after || o.name !== "execute") return false;
    const c = coreCopyCached(m, o);
    if (c === null || (into !== undefined && !(sameIdent(c.target.name, into) && schemaMatches(c.target.schema, schema)))) return false;
    return c.reads.some((r) =>
      schemaMatches(r.table.schema, schema) && sameIdent(r.table.name, table) &&
      (column === undefined || (r.columns === "all" ? r.table.columns?.some((x) => sameIdent(x, column)) === true : [...r.columns].some((x) => sameIdent(x, column)))));
  });
}

/** The earliest op before `order` that copies rows out of `table`: literal SQL (`copiedFrom`) or, given `m`, a Core copy. */
export function copyOf(s: Section, schema: string | null, table: string, order: number, m?: Migration): Op | undefined {
  const raw = copiedFrom(s, table, order);
  const core = m ? coreCopiedFrom(m, s, schema, table, order) : undefined;
  if (!raw || !core) return raw ?? core;
  return raw.order <= core.order ? raw : core;
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
  /** Each rebuild: the table's name, the name it was renamed away to, the new table's creation and the drop. */
  rebuilds: { schema: string | null; original: string; away: string; create: Op; drop: Op }[];
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
  out = { ops: new Set(), copiedDrops: new Set(), rebuilds: [] };
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
    out.rebuilds.push({ schema: rename.schema, original: rename.table, away: rename.args.new_table_name, create, drop });
    const copy = copiedFrom(s, away!, drop.order);
    if (copy && copy.order > create.order) out.copiedDrops.add(drop);
  }
  renameAwayCache.set(s, out);
  return out;
}

/**
 * `drop` ends a rename-away rebuild whose rows were copied back: by literal SQL
 * (`renameAwayRebuilds(s).copiedDrops`) or by a Core copy from the renamed-away table into
 * the re-created one (`t.insert().from_select(..., sa.select(t_tmp))`).
 */
export function renameAwayCopiedBack(m: Migration, s: Section, drop: Op): boolean {
  const rb = renameAwayRebuilds(s);
  if (rb.copiedDrops.has(drop)) return true;
  return rb.rebuilds.some((r) => r.drop === drop && coreCopiedFrom(m, s, r.schema, r.away, drop.order, { into: r.original, after: r.create.order }) !== undefined);
}

/**
 * The table-rebuild ("swap") pattern: the rows of `name` are copied into a new table
 * (`INSERT INTO new ... SELECT ... FROM name`) before `order`, and a table created in
 * this section is renamed to `name` after it. Dropping the old table then loses nothing.
 */
export function rebuiltSwap(s: Section, schema: string | null, name: string, order: number, m?: Migration): boolean {
  const created = new Creations(s);
  const lower = name.toLowerCase();
  // The tables renamed to `name` after `order` (created in this section).
  const renamed: string[] = [];
  for (const o of s.ops) {
    if (o.order <= order) continue;
    if (o.name === "rename_table" && typeof o.args.new_table_name === "string" && o.args.new_table_name.toLowerCase() === lower && o.table) {
      if (created.table(o.schema, o.table, o.order)) renamed.push(o.table);
      continue;
    }
    for (const st of statementsOf(o)) {
      if (st.kind === "alter-table" && st.table !== null && created.table(st.table.schema, st.table.name, o.order) &&
        st.actions.some((a) => a.verb === "RENAME" && a.what === "TO" && a.name !== null && a.name.toLowerCase() === lower)) renamed.push(st.table.name);
    }
  }
  if (renamed.length === 0) return false;
  if (copiedFrom(s, name, order) !== undefined) return true;
  // A Core copy counts when it writes the rows into the table that takes the name.
  return m !== undefined && renamed.some((t) => coreCopiedFrom(m, s, schema, name, order, { into: t }) !== undefined);
}
