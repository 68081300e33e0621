// Shared by the ALM4xx online-safety rules (not a rule itself): which sections are
// checked, which ops may cause a finding, "was this object created by this
// migration?" and rendering of the safe recipe as a Python call.
import { createdObjects, type CreatedObjects } from "../analysis/created.js";
import { inErrorRegion, isExpr, otherSection, type Migration, type Op, type Section, type Value } from "../model.js";

export { otherSection };
import type { RuleOption } from "../engine/rule.js";
import { FileCache } from "./file-cache.js";

export const CHECK_DOWNGRADE_OPTION: Record<string, RuleOption> = {
  check_downgrade: {
    type: "boolean",
    default: false,
    description: "Also check downgrade() functions (a rollback runs against the same production tables).",
  },
};

/** The functions a rule looks at: upgrades, plus downgrades when `check_downgrade` is set. */
export function checkedSections(m: Migration, options: Record<string, unknown>): Section[] {
  const down = options.check_downgrade === true;
  return m.sections.filter((s) => s.role === "upgrade" || (down && s.role === "downgrade"));
}



/**
 * May this op cause a finding by itself? Not when it runs under a condition, has a
 * non-literal table, sits in a parser-recovered region, or when code we could not
 * analyze runs before it in the same function (it may have created the object).
 */
export function mayReport(m: Migration, s: Section, op: Op, opts: { needTable?: boolean; ignoreUnanalyzed?: boolean } = {}): boolean {
  if (op.conditional || op.dynamicTable) return false;
  if ((opts.needTable ?? true) && op.table === null) return false;
  if (inErrorRegion(m, op.span)) return false;
  // Hidden code that runs earlier may have created the table or column. Loops that
  // could not be unrolled are not hidden: their operations are recorded (as conditional).
  const hidden = opts.ignoreUnanalyzed ? [] : s.unanalyzed.filter((u) => !/^a loop over |^a `while` loop$/.test(u.reason));
  if (hidden.length > 0) {
    if (op.via.length > 0) return false;
    if (hidden.some((u) => (u.span.start ?? 0) < (op.span.start ?? Infinity))) return false;
  }
  return true;
}

const key = (schema: string | null, table: string) => `${schema ?? ""}\0${table}`;

export interface NewObjects extends CreatedObjects {
  /** The table named by (schema, table) was created before `order` in this section. */
  tableNameCreatedBefore(schema: string | null, table: string | null, order: number): boolean;
  /**
   * The table is created anywhere in this section, earlier or later (using it before
   * its creation is ALM201's business, not a lock on an existing table).
   */
  tableCreatedInSection(schema: string | null, table: string | null): boolean;
  /** An index of this name was created earlier in this section. */
  indexCreatedBefore(name: string, order: number): boolean;
}

const NEW_OBJECTS = new FileCache<Section, NewObjects>();

/**
 * Objects this section creates, for the "new objects have no rows and no readers"
 * exemption. Builds on src/analysis/created.ts (a `create_table(..., if_not_exists=True)`
 * or one under a condition counts as new too: when unsure, stay silent) and adds tables created by literal SQL
 * (`CREATE TABLE`, `CREATE MATERIALIZED VIEW`). `schema="public"` and no schema are
 * treated as the same place. Cached per section (several rules ask).
 */
export function newObjects(section: Section): NewObjects {
  let out = NEW_OBJECTS.get(section);
  if (!out) {
    out = buildNewObjects(section);
    NEW_OBJECTS.set(section, out);
  }
  return out;
}

function buildNewObjects(section: Section): NewObjects {
  // Objects created under a condition may be new too: when unsure, stay silent.
  const base = createdObjects(section, { includeConditional: true });
  const sqlTables = new Map<string, number>();
  const indexes = new Map<string, number>();
  for (const op of section.ops) {
    for (const st of sqlStatements(op)) {
      if (st.kind === "create_table") {
        const k = key(st.schema, st.table);
        if (!sqlTables.has(k)) sqlTables.set(k, op.order);
      } else if (st.kind === "create_index" && st.index !== null && !indexes.has(st.index)) {
        indexes.set(st.index, op.order);
      }
    }
    if (op.name === "create_index" && typeof op.args.index_name === "string" && !indexes.has(op.args.index_name)) {
      indexes.set(op.args.index_name, op.order);
    }
  }
  // `schema=None` and "public" are the same place: both are tried, None first (no variant arrays or probe ops).
  const tableIn = (sc: string | null, table: string, order: number): boolean => base.tableBefore(sc, table, order) || (sqlTables.get(key(sc, table)) ?? Infinity) < order;
  const tableNameCreatedBefore = (schema: string | null, table: string | null, order: number): boolean => {
    if (table === null) return false;
    if (schema === null || schema === "public") return tableIn(null, table, order) || tableIn("public", table, order);
    return tableIn(schema, table, order);
  };
  return {
    tableCreatedBefore: (op) => tableNameCreatedBefore(op.schema, op.table, op.order),
    columnCreatedBefore: (op, column) => {
      if (tableNameCreatedBefore(op.schema, op.table, op.order)) return true;
      if (op.table === null) return false;
      if (op.schema === null || op.schema === "public") return base.columnBefore(null, op.table, column, op.order) || base.columnBefore("public", op.table, column, op.order);
      return base.columnBefore(op.schema, op.table, column, op.order);
    },
    tableNameCreatedBefore,
    tableCreatedInSection: (schema, table) => tableNameCreatedBefore(schema, table, Infinity),
    indexCreatedBefore: (name, order) => (indexes.get(name) ?? Infinity) < order,
  };
}

/** A literal `True` (not a variable, not a missing argument). */
export function isTrue(v: Value | undefined): boolean {
  return v === true;
}

/** Python source for a model value. */
export function py(v: Value | undefined): string {
  if (v === undefined || v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(", ")}]`;
  if (isExpr(v)) return v.expr.replace(/\s+/g, " ");
  return String(v);
}

/** `"schema.table"` or `"table"` for messages. */
export function tableLabel(schema: string | null, table: string | null): string {
  return `"${schema ? `${schema}.` : ""}${table ?? "?"}"`;
}

/** Keyword arguments of an op for re-rendering, skipping the given names. */
export function restKwargs(op: Op, skip: string[]): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(op.args)) {
    if (skip.includes(k) || k === "**" || /^\d+$/.test(k)) continue;
    out.push(`${k}=${py(v)}`);
  }
  return out.length ? `, ${out.join(", ")}` : "";
}

/** `schema="x"` when the op has one. */
export function schemaKw(op: Op): string {
  return op.schema ? `, schema=${JSON.stringify(op.schema)}` : "";
}

/**
 * Is the op nested in a `with` block other than `batch_alter_table` (a project helper
 * might open its own autocommit context; `context.get_context().autocommit_block()`
 * is one the extractor does not resolve)? Looked up in the source by indentation.
 */
export function insideOtherWith(m: Migration, op: Op): boolean {
  const lines = m.source.split("\n");
  let i = op.span.line - 1;
  const indentOf = (l: string) => l.length - l.trimStart().length;
  let current = indentOf(lines[i] ?? "");
  for (i -= 1; i >= 0; i--) {
    const l = lines[i]!;
    const t = l.trim();
    if (t === "" || t.startsWith("#")) continue;
    const ind = indentOf(l);
    if (ind >= current) continue;
    current = ind;
    if (/^(async\s+)?def\s/.test(t)) return false;
    if (/^(async\s+)?with\b/.test(t) && !/batch_alter_table/.test(t)) return true;
    if (ind === 0) return false;
  }
  return false;
}

const SQL_RESERVED = new Set([
  "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary", "both", "case",
  "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create", "cross", "current_catalog",
  "current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user", "default",
  "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze", "from",
  "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join",
  "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null",
  "offset", "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning", "right",
  "select", "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then", "to",
  "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when", "where", "window", "with",
]);

/** An identifier as Postgres needs it written in SQL (quoted when reserved or not lower-case). */
export function sqlIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !SQL_RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` for SQL text. */
export function sqlTable(schema: string | null, table: string): string {
  return schema ? `${sqlIdent(schema)}.${sqlIdent(table)}` : sqlIdent(table);
}

// ---- literal SQL in op.execute(...) --------------------------------------------------

/** One statement of literal SQL, classified for the online-safety rules. */
export type SqlStatement =
  | { kind: "create_index"; text: string; index: string | null; schema: string | null; table: string; unique: boolean; concurrently: boolean }
  | { kind: "drop_index"; text: string; indexes: { schema: string | null; name: string }[]; concurrently: boolean }
  | { kind: "reindex"; text: string; concurrently: boolean }
  | { kind: "alter_table"; text: string; schema: string | null; table: string; actions: string[] }
  | { kind: "create_table"; text: string; schema: string | null; table: string }
  | { kind: "drop_table"; text: string; tables: { schema: string | null; name: string }[] }
  | { kind: "commit"; text: string }
  | { kind: "other"; text: string };

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const QNAME = String.raw`(${IDENT})(?:\s*\.\s*(${IDENT}))?`;

/** Identifier value: quoted kept as written, unquoted folded to lower case (Postgres rules). */
export function sqlIdentValue(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
}

function qname(a: string, b: string | undefined): { schema: string | null; name: string } {
  return b === undefined ? { schema: null, name: sqlIdentValue(a) } : { schema: sqlIdentValue(a), name: sqlIdentValue(b) };
}

/** Splits literal SQL into statements (quotes, comments and dollar quoting respected). */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let cur = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const c2 = sql[i + 1];
    if (c === "-" && c2 === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl;
      cur += " ";
      continue;
    }
    if (c === "/" && c2 === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      cur += " ";
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) { j += 2; continue; }
          break;
        }
        j++;
      }
      cur += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === "$") {
      const m = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
      if (m) {
        const end = sql.indexOf(m[0], i + m[0].length);
        const stop = end < 0 ? sql.length : end + m[0].length;
        cur += sql.slice(i, stop);
        i = stop;
        continue;
      }
    }
    if (c === ";") {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
      i++;
      continue;
    }
    // Plain characters up to the next one that needs a look: appended at once.
    let j = i + 1;
    while (j < sql.length) {
      const d = sql[j]!;
      if (d === "-" || d === "/" || d === "'" || d === '"' || d === "$" || d === ";") break;
      j++;
    }
    cur += j === i + 1 ? c : sql.slice(i, j);
    i = j;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Splits the action list of ALTER TABLE at top-level commas. */
function splitActions(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  let quote: string | null = null;
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

// Compiled once (they were built on every call).
const OS_CREATE_INDEX = new RegExp(String.raw`^create\s+(unique\s+)?index\s+(concurrently\s+)?(?:if\s+not\s+exists\s+)?(?:(${IDENT})\s+)?on\s+(?:only\s+)?${QNAME}`, "i");
const OS_QNAME_WHOLE = new RegExp(`^${QNAME}$`);
const OS_ALTER_TABLE = new RegExp(String.raw`^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?${QNAME}\s*\*?\s+(.*)$`, "i");
const OS_CREATE_TABLE = new RegExp(String.raw`^create\s+(?:(?:global\s+|local\s+)?(?:temp|temporary|unlogged)\s+)?(?:table|materialized\s+view)\s+(?:if\s+not\s+exists\s+)?${QNAME}`, "i");

/** Whitespace other than single spaces: only then does collapsing runs to one space change the text. */
const OS_ODD_SPACE = /[^\S ]| {2}/;

export function classifySql(stmt: string): SqlStatement {
  const text = (OS_ODD_SPACE.test(stmt) ? stmt.replace(/\s+/g, " ") : stmt).trim();
  let m = OS_CREATE_INDEX.exec(text);
  if (m && !(m[3] && /^on$/i.test(m[3]))) {
    const t = qname(m[4]!, m[5]);
    return { kind: "create_index", text, index: m[3] ? sqlIdentValue(m[3]) : null, schema: t.schema, table: t.name, unique: !!m[1], concurrently: !!m[2] };
  }
  m = /^drop\s+index\s+(concurrently\s+)?(?:if\s+exists\s+)?(.*?)(?:\s+(?:cascade|restrict))?$/i.exec(text);
  if (m) {
    const indexes = m[2]!.split(",").map((x) => x.trim()).map((x) => {
      const q = OS_QNAME_WHOLE.exec(x);
      return q ? qname(q[1]!, q[2]) : null;
    });
    if (indexes.every((x) => x !== null)) return { kind: "drop_index", text, indexes: indexes as { schema: string | null; name: string }[], concurrently: !!m[1] };
    return { kind: "other", text };
  }
  m = /^reindex\s+(?:\([^)]*\)\s+)?(?:index|table|schema|database|system)\s+(concurrently\s+)?/i.exec(text);
  if (m) return { kind: "reindex", text, concurrently: !!m[1] };
  m = OS_ALTER_TABLE.exec(text);
  if (m) {
    const t = qname(m[1]!, m[2]);
    return { kind: "alter_table", text, schema: t.schema, table: t.name, actions: splitActions(m[3]!) };
  }
  m = OS_CREATE_TABLE.exec(text);
  if (m) {
    const t = qname(m[1]!, m[2]);
    return { kind: "create_table", text, schema: t.schema, table: t.name };
  }
  m = /^drop\s+(?:table|materialized\s+view)\s+(?:if\s+exists\s+)?(.*?)(?:\s+(?:cascade|restrict))?$/i.exec(text);
  if (m) {
    const tables = m[1]!.split(",").map((x) => x.trim()).map((x) => {
      const q = OS_QNAME_WHOLE.exec(x);
      return q ? qname(q[1]!, q[2]) : null;
    });
    if (tables.every((x) => x !== null)) return { kind: "drop_table", text, tables: tables as { schema: string | null; name: string }[] };
    return { kind: "other", text };
  }
  if (/^(commit|end)(\s+(work|transaction))?$/i.test(text)) return { kind: "commit", text };
  return { kind: "other", text };
}

/** The classified statements of an `execute` op with literal SQL ([] otherwise). */
const sqlCache = new FileCache<Op, SqlStatement[]>();

export function sqlStatements(op: Op): SqlStatement[] {
  if (op.name !== "execute" || typeof op.sql !== "string") return [];
  let out = sqlCache.get(op);
  if (!out) {
    out = splitSql(op.sql).map(classifySql);
    sqlCache.set(op, out);
  }
  return out;
}

/** ALTER TABLE actions, parsed. */
export type AlterAction =
  | { kind: "rename_column"; from: string; to: string }
  | { kind: "rename_table"; to: string }
  | { kind: "set_not_null"; column: string }
  | { kind: "set_type"; column: string; type: string; using: boolean }
  | { kind: "add_unique"; name: string | null; usingIndex: boolean }
  | { kind: "add_foreign_key"; name: string | null; notValid: boolean; referent: { schema: string | null; name: string } | null }
  | { kind: "other" };

export function parseAlterAction(action: string): AlterAction {
  let m = new RegExp(String.raw`^rename\s+to\s+(${IDENT})$`, "i").exec(action);
  if (m) return { kind: "rename_table", to: sqlIdentValue(m[1]!) };
  m = new RegExp(String.raw`^rename\s+(?:column\s+)?(${IDENT})\s+to\s+(${IDENT})$`, "i").exec(action);
  if (m && !/^constraint$/i.test(m[1]!)) return { kind: "rename_column", from: sqlIdentValue(m[1]!), to: sqlIdentValue(m[2]!) };
  m = new RegExp(String.raw`^alter\s+(?:column\s+)?(${IDENT})\s+set\s+not\s+null$`, "i").exec(action);
  if (m) return { kind: "set_not_null", column: sqlIdentValue(m[1]!) };
  m = new RegExp(String.raw`^alter\s+(?:column\s+)?(${IDENT})\s+(?:set\s+data\s+)?type\s+(.+?)(\s+collate\s+.*?)?(\s+using\s+.*)?$`, "i").exec(action);
  if (m) return { kind: "set_type", column: sqlIdentValue(m[1]!), type: m[2]!.trim(), using: !!m[4] };
  m = new RegExp(String.raw`^add\s+(?:constraint\s+(${IDENT})\s+)?unique\b(.*)$`, "i").exec(action);
  if (m) return { kind: "add_unique", name: m[1] ? sqlIdentValue(m[1]) : null, usingIndex: /^\s*using\s+index\b/i.test(m[2]!) };
  m = new RegExp(String.raw`^add\s+(?:constraint\s+(${IDENT})\s+)?foreign\s+key\b.*?\breferences\s+${QNAME}`, "i").exec(action);
  if (m) return { kind: "add_foreign_key", name: m[1] ? sqlIdentValue(m[1]) : null, notValid: /\bnot\s+valid\b/i.test(action), referent: qname(m[2]!, m[3]) };
  return { kind: "other" };
}

/** Every ALTER TABLE action in an `execute` op's literal SQL, with its table and statement position. */
export function alterActions(op: Op): { schema: string | null; table: string; action: AlterAction; stmt: number; probe: Op }[] {
  const out: { schema: string | null; table: string; action: AlterAction; stmt: number; probe: Op }[] = [];
  sqlStatements(op).forEach((st, i) => {
    if (st.kind !== "alter_table") return;
    for (const a of st.actions) out.push({ schema: st.schema, table: st.table, action: parseAlterAction(a), stmt: i, probe: { ...op, table: st.table, schema: st.schema } });
  });
  return out;
}
