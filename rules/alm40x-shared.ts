// Shared by the ALM4xx online-safety rules (not a rule itself): which sections are
// checked, which ops may cause a finding, "was this object created by this
// migration?" and rendering of the safe recipe as a Python call.
import { createdObjects, type CreatedObjects } from "../src/analysis/created.js";
import { isExpr, type Migration, type Op, type Section, type Value } from "../src/model.js";
import type { RuleOption } from "../src/engine/rule.js";

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

/** The other function of the pair (upgrade ↔ downgrade), if any. */
export function otherSection(m: Migration, s: Section): Section | null {
  const pair = m.pairs.find((p) => p.suffix === s.suffix);
  if (!pair) return null;
  return (s.role === "upgrade" ? pair.downgrade : pair.upgrade) ?? null;
}

function inside(span: { start?: number; end?: number }, region: { start?: number; end?: number }): boolean {
  return span.start !== undefined && region.start !== undefined && region.end !== undefined && span.start >= region.start && span.start < region.end;
}

/**
 * May this op cause a finding by itself? Not when it runs under a condition, has a
 * non-literal table, sits in a parser-recovered region, or when code we could not
 * analyze runs before it in the same function (it may have created the object).
 */
export function mayReport(m: Migration, s: Section, op: Op, opts: { needTable?: boolean; ignoreUnanalyzed?: boolean } = {}): boolean {
  if (op.conditional || op.dynamicTable) return false;
  if ((opts.needTable ?? true) && op.table === null) return false;
  if (m.errorRegions.some((r) => inside(op.span, r))) return false;
  if (!opts.ignoreUnanalyzed && s.unanalyzed.length > 0) {
    // Hidden code that runs earlier may have created the table or column.
    if (op.via.length > 0) return false;
    if (s.unanalyzed.some((u) => (u.span.start ?? 0) < (op.span.start ?? Infinity))) return false;
  }
  return true;
}

const key = (schema: string | null, table: string) => `${schema ?? ""}\0${table}`;

/** `CREATE TABLE x` / `CREATE MATERIALIZED VIEW x` in literal SQL. */
const SQL_CREATE = /\bcreate\s+(?:(?:global\s+|local\s+)?(?:temp|temporary|unlogged)\s+)?(table|materialized\s+view)\s+(if\s+not\s+exists\s+)?((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)/gi;

function unquote(ident: string): string {
  return ident.startsWith('"') ? ident.slice(1, -1) : ident.toLowerCase();
}

export interface NewObjects extends CreatedObjects {
  /** The table named by (schema, table) was created before `order` in this section. */
  tableNameCreatedBefore(schema: string | null, table: string | null, order: number): boolean;
  /** An index of this name was created earlier in this section. */
  indexCreatedBefore(name: string, order: number): boolean;
}

/**
 * Objects this section creates, for the "new objects have no rows and no readers"
 * exemption. Builds on src/analysis/created.ts (a `create_table(..., if_not_exists=True)`
 * counts as new too: when unsure, stay silent) and adds tables created by literal SQL
 * (`CREATE TABLE`, `CREATE MATERIALIZED VIEW`). `schema="public"` and no schema are
 * treated as the same place.
 */
export function newObjects(section: Section): NewObjects {
  const base = createdObjects(section);
  const sqlTables = new Map<string, number>();
  const indexes = new Map<string, number>();
  for (const op of section.ops) {
    if (op.conditional) continue;
    if (op.name === "execute" && op.sql) {
      for (const mm of op.sql.matchAll(SQL_CREATE)) {
        const parts = mm[3]!.split(".").map((p) => unquote(p.trim()));
        const [schema, table] = parts.length === 2 ? [parts[0]!, parts[1]!] : [null, parts[0]!];
        const k = key(schema, table);
        if (!sqlTables.has(k)) sqlTables.set(k, op.order);
      }
    }
    if (op.name === "create_index" && typeof op.args.index_name === "string" && !indexes.has(op.args.index_name)) {
      indexes.set(op.args.index_name, op.order);
    }
  }
  const variants = (schema: string | null) => (schema === null || schema === "public" ? [null, "public"] : [schema]);
  const tableNameCreatedBefore = (schema: string | null, table: string | null, order: number): boolean => {
    if (table === null) return false;
    for (const sc of variants(schema)) {
      const probe = { table, schema: sc, order } as Op;
      if (base.tableCreatedBefore(probe)) return true;
      if ((sqlTables.get(key(sc, table)) ?? Infinity) < order) return true;
    }
    return false;
  };
  return {
    tableCreatedBefore: (op) => tableNameCreatedBefore(op.schema, op.table, op.order),
    columnCreatedBefore: (op, column) => {
      if (tableNameCreatedBefore(op.schema, op.table, op.order)) return true;
      return variants(op.schema).some((sc) => base.columnCreatedBefore({ ...op, schema: sc }, column));
    },
    tableNameCreatedBefore,
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
 * Is the op nested in a `with` block other than `batch_alter_table` /
 * `autocommit_block` (a project helper might open its own autocommit context)?
 * Looked up in the source by indentation.
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
    if (/^(async\s+)?with\b/.test(t) && !/batch_alter_table|autocommit_block/.test(t)) return true;
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
