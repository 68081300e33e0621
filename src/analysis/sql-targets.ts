// What a data statement (`op.execute`, `get_bind().execute`, `op.bulk_insert`) writes:
// target tables and, for UPDATE, the columns it sets. Literal SQL is read with the shared
// classifier in ./sql.ts; SQLAlchemy Core constructs (`t.update().values(x=...)`,
// `sa.insert(t)`) and f-strings are read heuristically from their source text.
// `null` means "cannot tell": callers must not treat it as harmless or harmful by itself.
import { isExpr, type Op } from "../model.js";
import { classifySql, type SqlStatement } from "./sql.js";
import { escapeRegExp } from "./schema.js";

export type TargetKind = "insert" | "update" | "delete" | "ddl" | "read";

export interface DataTarget {
  kind: TargetKind;
  /** Target table (unquoted, as written); null for `read`. */
  table: string | null;
  schema: string | null;
  /** UPDATE: the assigned columns; null when unknown or not an UPDATE. */
  columns: string[] | null;
  /** The statement's text (literal SQL only). */
  text?: string;
}

const READ_ONLY = new Set([
  "SELECT", "SET", "SHOW", "COMMIT", "BEGIN", "START", "ANALYZE", "VACUUM", "PRAGMA", "EXPLAIN", "LOCK", "RESET", "DISCARD",
  "NOTIFY", "LISTEN", "CHECKPOINT", "REFRESH", "REINDEX", "CLUSTER", "USE", "DECLARE", "FETCH", "CLOSE", "SAVEPOINT", "RELEASE",
]);

function fromStatement(st: SqlStatement): DataTarget | null {
  const first = st.keyword.split(/\s+/)[0] ?? "";
  switch (st.kind) {
    case "select":
      return { kind: "read", table: null, schema: null, columns: null };
    case "insert":
    case "update":
    case "delete":
    case "truncate":
      if (!st.table && st.targets.length === 0) return null;
      return {
        kind: st.kind === "truncate" ? "delete" : st.kind,
        table: (st.table ?? st.targets[0]!).name,
        schema: (st.table ?? st.targets[0]!).schema,
        columns: st.kind === "update" ? st.setColumns : null,
      };
    case "create":
    case "alter-table":
    case "drop":
    case "alter": {
      // ALTER TABLE ... VALIDATE CONSTRAINT changes nothing to undo.
      if (st.kind === "alter-table" && st.actions.length > 0 && st.actions.every((a) => a.verb === "VALIDATE")) return { kind: "read", table: null, schema: null, columns: null };
      if (st.kind === "create" && st.object === "EXTENSION" && /\bIF\s+NOT\s+EXISTS\b/i.test(st.text)) return { kind: "read", table: null, schema: null, columns: null };
      const n = st.table ?? st.targets[0];
      return n ? { kind: "ddl", table: n.name, schema: n.schema, columns: null } : null;
    }
    default:
      if (READ_ONLY.has(first.toUpperCase())) return { kind: "read", table: null, schema: null, columns: null };
      if (first.toUpperCase() === "COMMENT" && st.table) return { kind: "ddl", table: st.table.name, schema: st.table.schema, columns: null };
      return null;
  }
}

/** The temporary table of Alembic's batch mode (`_alembic_tmp_<table>`): no user data, cleaning it up needs no inverse. */
export function isBatchTempTable(name: string): boolean {
  return /^_alembic_tmp_/i.test(name);
}

/** Targets of literal SQL; null when any statement cannot be read. */
export function sqlTargets(sql: string): DataTarget[] | null {
  let sts: SqlStatement[];
  try {
    sts = classifySql(sql);
  } catch {
    return null;
  }
  const out: DataTarget[] = [];
  for (const st of sts) {
    const t = fromStatement(st);
    if (!t) return null;
    out.push(Object.assign({}, t, { text: st.text }));
  }
  return out;
}

function tableOfVar(source: string, name: string): string | null {
  const re = new RegExp(`\\b${escapeRegExp(name)}\\s*(?::[^=\\n]+)?=\\s*(?:op\\.create_table|(?:sa\\.|sqlalchemy\\.|sql\\.)*(?:table|Table))\\(\\s*(?:table_name\\s*=\\s*|name\\s*=\\s*)?["']([^"']+)["']`);
  const m = re.exec(source);
  return m ? m[1]! : null;
}

/** Targets of an execute/bulk_insert op; null when they cannot be told. */
export function dataTargets(op: Op, source: string): DataTarget[] | null {
  if (op.name === "bulk_insert") return op.table ? [{ kind: "insert", table: op.table, schema: op.schema, columns: null }] : null;
  if (op.name !== "execute") return null;
  if (typeof op.sql === "string") return sqlTargets(op.sql);
  const v = op.args.sqltext;
  if (!isExpr(v)) return null;
  const text = v.expr.trim();
  // f-strings: read the literal parts; an interpolated name is unknown.
  const fm = /^[rR]?[fF][rR]?("""|'''|"|')([\s\S]*)\1$/.exec(text);
  if (fm) {
    const sql = fm[2]!.replace(/\{[^{}]*\}/g, "__interp__");
    const ts = sqlTargets(sql);
    if (!ts || ts.some((t) => t.table !== null && /__interp__/.test(t.table))) return null;
    if (ts.some((t) => t.columns?.some((c) => /__interp__/.test(c)))) return null;
    return ts;
  }
  // Core constructs.
  let kind: TargetKind | null = null;
  let table: string | null = null;
  let m = /^(\w+)\s*\.\s*(update|insert|delete)\s*\(/.exec(text);
  if (m) {
    kind = m[2] as TargetKind;
    table = tableOfVar(source, m[1]!);
  } else if ((m = /^(?:sa\.|sqlalchemy\.|sql\.)*(update|insert|delete)\s*\(\s*(\w+)\s*\)/.exec(text))) {
    kind = m[1] as TargetKind;
    table = tableOfVar(source, m[2]!);
  } else if ((m = /^(?:sa\.|sqlalchemy\.|sql\.)*table\(\s*["']([^"']+)["'][\s\S]*?\)\s*\.\s*(update|insert|delete)\s*\(/.exec(text))) {
    kind = m[2] as TargetKind;
    table = m[1]!;
  }
  if (!kind || !table) return null;
  let columns: string[] | null = null;
  if (kind === "update") {
    const call = v.call;
    if (call && /\.values$/.test(call.callee)) {
      const keys = Object.keys(call.kwargs);
      const dict = call.args.length === 1 && isExpr(call.args[0]) ? call.args[0].dict : undefined;
      if (keys.length > 0 && call.args.length === 0) columns = keys;
      else if (dict && keys.length === 0) columns = Object.keys(dict);
    }
  }
  return [{ kind, table, schema: null, columns }];
}
