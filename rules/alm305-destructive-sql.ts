import { defineRule } from "../src/engine/rule.js";
import { tokenize, type SqlName, type SqlStatement } from "../src/analysis/sql.js";
import { isExpr, type Migration, type Op, type Section, type Value } from "../src/model.js";
import { clipSql, coreDml, Creations, createsTablesOutsideOps, hiddenBefore, literalSql, mayReport, otherSection, rebuiltSwap, sqlNameMatches, statementsOf } from "../src/analysis/data-loss.js";
import { isBatchTempTable } from "../src/analysis/sql-targets.js";

interface Hit {
  sql: string;
  what: string;
  advice: string;
  /** The UPDATE behind an overwrite finding. */
  update?: SqlStatement;
}

const label = (n: SqlName) => `"${n.schema ? `${n.schema}.` : ""}${n.name}"`;
const hasWord = (st: SqlStatement, w: string) => tokenize(st.text).some((t) => t.type === "word" && t.upper === w);

/** "Created by this migration" as seen from one section. */
interface Scope {
  table(n: SqlName, order: number): boolean;
  column(t: SqlName, column: string, order: number): boolean;
  object(kind: "type" | "schema", n: SqlName, order: number): boolean;
  /** A table renamed into this name after `order` (SQLite-style rebuild: copy, drop, rename). */
  rebuilt(n: SqlName, order: number): boolean;
  /**
   * Earlier in this function the type's columns were converted or dropped (or the type was renamed
   * out of the way: `ALTER TYPE t RENAME TO t_old`), or the schema's tables dropped; that includes
   * the statements before `st` in the same execute (one string holding a whole enum swap).
   */
  released(kind: "type" | "schema", n: SqlName, order: number, st: SqlStatement): boolean;
  added(t: SqlName): string[];
}

function scopeFor(m: Migration, s: Section): Scope | null {
  const here = new Creations(s);
  let other: Creations | null = null;
  if (s.role === "downgrade") {
    // Objects the upgrade created count as this migration's. If the upgrade is partly opaque,
    // we cannot tell what it created: stay silent.
    const up = otherSection(m, s);
    if (up && (up.unanalyzed.length > 0 || up.ops.some((o) => o.name === "execute" && literalSql(o) === null && !coreDml(m, o)))) return null;
    if (createsTablesOutsideOps(m)) return null;
    other = new Creations(up);
  }
  const upOps = s.role === "downgrade" ? (otherSection(m, s)?.ops ?? []) : [];
  // Also a CREATE the classifier does not see as a statement (inside a DO block or a function body).
  const texts = [...s.ops, ...upOps].map((o) => ({ o, sql: literalSql(o) })).filter((x): x is { o: Op; sql: string } => x.sql !== null && /create/i.test(x.sql));
  const createdInText = (name: string, order: number) => {
    if (texts.length === 0) return false;
    const re = new RegExp(`\\bcreate\\s+(?:or\\s+replace\\s+)?(?:\\w+\\s+){0,3}?(?:table|type|schema|domain)\\s+(?:if\\s+not\\s+exists\\s+)?(?:[\\w$"\`]+\\.)?["\`]?${name.replace(/[^\w$]/g, "\\$&")}(?![\\w$])`, "i");
    return texts.some((x) => (x.o.order < order || upOps.includes(x.o)) && re.test(x.sql));
  };
  return {
    table: (n, order) => here.table(n.schema, n.name, order) || (other?.table(n.schema, n.name) ?? false) || createdInText(n.name, order),
    column: (t, c, order) => here.column(t.schema, t.name, c, order) || (other?.column(t.schema, t.name, c) ?? false),
    object: (kind, n, order) => here.object(kind, n.schema, n.name, order) || (other?.object(kind, n.schema, n.name) ?? false) || createdInText(n.name, order),
    rebuilt: (n, order) => rebuiltSwap(s, n.schema, n.name, order),
    released: (kind, n, order, st) => released(m, s, kind, n, order, st),
    added: (t) => here.addedColumns(t.schema, t.name),
  };
}

function enumNameOf(v: Value | undefined): string | undefined {
  if (!isExpr(v) || !v.call || !/(^|\.)(Enum|ENUM)$/.test(v.call.callee)) return undefined;
  const n = v.call.kwargs.name;
  return typeof n === "string" ? n : undefined;
}

function released(m: Migration, s: Section, kind: "type" | "schema", n: SqlName, order: number, current: SqlStatement): boolean {
  const same = (x: string | null | undefined) => typeof x === "string" && x.toLowerCase() === n.name.toLowerCase();
  for (const o of s.ops) {
    if (o.order > order) break;
    // In the execute that holds `current`, only the statements before it count.
    const sameOp = o.order === order;
    if (!sameOp && kind === "type") {
      if (o.name === "drop_column" || o.name === "drop_table") return true;
      // SQL that cannot be read (an f-string helper's `ALTER COLUMN ... TYPE {t}`) may have done it.
      if (o.name === "execute" && literalSql(o) === null && !coreDml(m, o)) return true;
      // A type change away from an enum, or from a type not stated (it may have been this one).
      const converts = o.args.type_ !== undefined && o.args.type_ !== null && (o.args.existing_type === undefined || o.args.existing_type === null || enumNameOf(o.args.existing_type) !== undefined);
      if (o.name === "alter_column" && (same(enumNameOf(o.args.existing_type)) || converts)) return true;
    } else if (!sameOp && o.name === "drop_table" && same(o.schema)) {
      return true;
    }
    for (const st of sameOp ? statementsOf(o).filter((x) => x.end <= current.start) : statementsOf(o)) {
      if (kind === "type") {
        if (st.kind === "drop" && st.object === "TABLE") return true;
        if (st.kind === "alter-table" && st.actions.some((a) => a.verb === "DROP" && a.what === "COLUMN")) return true;
        if (st.kind === "alter-table" && st.actions.some((a) => a.verb === "ALTER" && a.what === "COLUMN") && /\btype\b/i.test(st.text)) return true;
        if (st.kind === "alter" && st.object === "TYPE" && new RegExp(`\\brename\\s+to\\s+"?${n.name.replace(/[^\w$]/g, "\\$&")}"?\\s*$`, "i").test(st.text)) return true;
      } else if (st.kind === "drop" && st.object === "TABLE" && st.targets.some((t) => same(t.schema))) {
        return true;
      }
    }
  }
  return false;
}

/** Alembic's own bookkeeping table: rewriting it loses no user data. */
const BOOKKEEPING = /^alembic_version\w*$/i;

/** The first op of the other function whose SQL updates the same table and one of the same columns. */
function reverseUpdate(m: Migration, s: Section, st: SqlStatement): Op | undefined {
  const other = otherSection(m, s);
  if (!other || !st.table) return undefined;
  const table = st.table;
  const cols = new Set((st.setColumns ?? []).map((c) => c.toLowerCase()));
  return other.ops.find((o) =>
    statementsOf(o).some(
      (x) => x.kind === "update" && x.table !== null && sqlNameMatches(x.table, table.schema, table.name) && (x.setColumns ?? []).some((c) => cols.has(c.toLowerCase())),
    ),
  );
}

function judge(st: SqlStatement, op: Op, scope: Scope, dialect: string): Hit | null {
  if (st.table && BOOKKEEPING.test(st.table.name) && (st.kind === "update" || st.kind === "delete" || st.kind === "truncate")) return null;
  if (st.table && isBatchTempTable(st.table.name)) return null;
  const sql = clipSql(st.text);
  const o = op.order;
  switch (st.kind) {
    case "delete": {
      if (st.hasWhere || st.hasJoin || !st.table || scope.table(st.table, o)) return null;
      return {
        sql,
        what: `DELETE without WHERE removes every row of ${label(st.table)}`,
        advice: "add a WHERE clause that selects only the rows to remove, or archive them first",
      };
    }
    case "update": {
      if (st.hasWhere || st.hasJoin || !st.table || scope.table(st.table, o)) return null;
      const added = scope.added(st.table);
      if (st.setColumns === null ? added.length > 0 : st.setColumns.every((c) => added.some((a) => a.toLowerCase() === c.toLowerCase()))) return null;
      const cols = st.setColumns ? st.setColumns.map((c) => `"${c}"`).join(", ") : "columns";
      return {
        sql,
        update: st,
        what: `UPDATE without WHERE overwrites ${cols} in every row of ${label(st.table)} and the old values cannot be restored`,
        advice: "restrict it with WHERE, or write the new values to a new column, switch over, then drop the old one (expand/contract)",
      };
    }
    case "truncate": {
      const lost = st.targets.filter((t) => !scope.table(t, o));
      if (lost.length === 0) return null;
      return {
        sql,
        what: `TRUNCATE removes every row of ${lost.map(label).join(", ")}`,
        advice: "delete only the rows that must go (DELETE ... WHERE), or archive them first",
      };
    }
    case "drop": {
      if (st.object === "TABLE" || st.object === "TEMPORARY TABLE") {
        const lost = st.targets.filter((t) => !scope.table(t, o) && !scope.rebuilt(t, o));
        if (lost.length === 0) return null;
        return {
          sql,
          what: `DROP TABLE destroys ${lost.map(label).join(", ")} with all rows; downgrade() can only re-create it empty`,
          advice: "stop using the table first and archive the data (rename the table), then drop it in a later migration",
        };
      }
      if (st.object === "SCHEMA" || st.object === "DATABASE") {
        const cascade = hasWord(st, "CASCADE") || dialect === "mysql" || st.object === "DATABASE";
        // Without CASCADE Postgres refuses a non-empty schema: after this function emptied it, nothing more is lost.
        const lost = st.targets.filter((t) => !scope.object("schema", t, o) && (cascade || !scope.released("schema", t, o, st)));
        if (lost.length === 0) return null;
        return {
          sql,
          what: cascade
            ? `DROP ${st.object} destroys ${lost.map(label).join(", ")} with every table in it`
            : `DROP SCHEMA removes ${lost.map(label).join(", ")}, which this migration did not create`,
          advice: cascade
            ? "drop the tables one by one after archiving them, and the schema once it is empty (without CASCADE)"
            : "make sure nothing in it is still needed (PostgreSQL refuses while it holds objects), and drop it once it is empty",
        };
      }
      if (st.object === "TYPE" || st.object === "DOMAIN") {
        const cascade = hasWord(st, "CASCADE");
        // Without CASCADE the type cannot be dropped while a column uses it; once this function converted or
        // dropped the columns that used it (or renamed it out of the way), dropping it loses nothing more.
        const lost = st.targets.filter((t) => !scope.object("type", t, o) && (cascade || !scope.released("type", t, o, st)));
        if (lost.length === 0) return null;
        return {
          sql,
          what: cascade
            ? `DROP ${st.object} ... CASCADE also drops every column of type ${lost.map(label).join(", ")}`
            : `DROP ${st.object} removes ${lost.map(label).join(", ")}, which this migration did not create, and the values it defines`,
          advice: cascade
            ? "convert or drop the dependent columns explicitly first, then drop the type without CASCADE"
            : "convert the columns that use it in this migration first (alter_column(type_=...)), or drop it in a later migration once unused",
        };
      }
      return null;
    }
    case "alter-table": {
      if (!st.table) return null;
      const t = st.table;
      if (scope.table(t, o)) return null;
      const cols = st.actions.filter((a) => a.verb === "DROP" && a.what === "COLUMN" && a.name !== null && !scope.column(t, a.name, o)).map((a) => a.name!);
      const parts = st.actions.filter((a) => a.verb === "DROP" && a.what === "PARTITION").map((a) => a.name ?? "?");
      if (cols.length > 0) {
        return {
          sql,
          what: `ALTER TABLE ... DROP deletes column${cols.length > 1 ? "s" : ""} ${cols.map((c) => `"${c}"`).join(", ")} of ${label(t)} in every row`,
          advice: "stop reading and writing the column first, copy the data if it is still needed, and drop it in a later migration (expand/contract)",
        };
      }
      if (parts.length > 0) {
        return {
          sql,
          what: `ALTER TABLE ... DROP PARTITION deletes the rows of partition ${parts.join(", ")} of ${label(t)}`,
          advice: "detach and archive the partition first",
        };
      }
      return null;
    }
    default:
      return null;
  }
}

export default defineRule({
  meta: {
    code: "ALM305",
    name: "destructive-sql",
    severity: "warning",
    category: "data-loss",
    precision: "high",
    docs: {
      summary: "Literal SQL in execute() deletes or overwrites data (DELETE/UPDATE without WHERE, TRUNCATE, DROP)",
      rationale:
        "SQL run through `op.execute()`, `op.get_bind().execute()` or `text()` bypasses every schema check, and " +
        "no `downgrade()` can bring deleted rows back. The rule reads literal SQL (each statement of a " +
        "multi-statement string, with quotes, comments and dollar quoting respected) and reports: `DELETE` or " +
        "`UPDATE` without `WHERE` (a MySQL multi-table `JOIN` restricts rows too), `TRUNCATE`, `DROP TABLE`, " +
        "`ALTER TABLE ... DROP [COLUMN]` and `DROP PARTITION` (dropping a constraint, index or default keeps every row), " +
        "`DROP SCHEMA`, and `DROP TYPE`. Without `CASCADE` PostgreSQL refuses to drop a schema or type that is " +
        "still in use, so a `DROP TYPE` after this function converted or dropped the columns that used it (or " +
        "renamed it out of the way, `ALTER TYPE status RENAME TO status_old`) is not reported, nor is a `DROP " +
        "SCHEMA` after its tables were dropped. SQLAlchemy Core statements such as " +
        "`sa.table(\"t\").delete()` are read too when the table is a literal.\n\n" +
        "Not reported: an `UPDATE` that only sets columns added in the same function (a backfill), statements " +
        "on tables, columns, types or schemas this migration created, a table rebuild that copies the rows and " +
        "renames the new table into place, conditional statements, and SQL that is not a literal (f-strings, " +
        "`%`/`.format()`, variables): it is never guessed at.\n\n" +
        "Restrict data changes with a `WHERE` clause, archive what you delete, and remove columns and tables " +
        "expand/contract (stop using them first, drop them in a later migration). Record reviewed exceptions: " +
        "`# alembic-lint: ignore[ALM305] <reason>`.",
      bad:
        'from alembic import op\n\n\ndef upgrade():\n    op.execute("DELETE FROM session")\n\n\ndef downgrade():\n    pass\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n    op.execute("DELETE FROM session WHERE expires_at < now()")\n\n\ndef downgrade():\n    pass\n',
      peers: "squawk: `ban-drop-table`, `ban-drop-column`, `ban-truncate-cascade`; strong_migrations: \"Executing SQL directly\"",
    },
    messages: {
      destructive: (a: { fn: string; sql: string; what: string; advice: string; more: number }) =>
        `${a.fn}() runs \`${a.sql}\`: ${a.what}; ${a.advice}${a.more > 0 ? ` (and ${a.more} more destructive statement${a.more > 1 ? "s" : ""} in this call)` : ""}`,
    },
  },
  check(m, ctx) {
    for (const s of m.sections) {
      let scope: Scope | null | undefined;
      for (const op of s.ops) {
        if (op.name !== "execute") continue;
        if (!mayReport(m, s, op, { needTable: false })) continue;
        if (hiddenBefore(s, op)) continue;
        const stmts: SqlStatement[] = statementsOf(op);
        const core = stmts.length === 0 ? coreDml(m, op) : null;
        if (stmts.length === 0 && !core) continue;
        if (scope === undefined) scope = scopeFor(m, s);
        if (scope === null) break;
        const hits: Hit[] = [];
        for (const st of stmts) {
          const h = judge(st, op, scope, ctx.dialect);
          if (h) hits.push(h);
        }
        if (core && core.table !== null) {
          const st: SqlStatement = {
            text: core.text, start: 0, end: core.text.length, kind: core.kind, keyword: core.kind.toUpperCase(), object: null,
            targets: [{ schema: op.schema, name: core.table, quoted: true }], table: { schema: null, name: core.table, quoted: true },
            hasWhere: core.hasWhere, hasJoin: false, setColumns: core.setColumns, actions: [], ifExists: false,
          };
          const h = judge(st, op, scope, ctx.dialect);
          if (h) hits.push({ ...h, what: h.what.replace(/^(DELETE|UPDATE) without WHERE/, (w) => `${w.split(" ")[0]} without .where()`) });
        }
        const first = hits[0];
        if (!first) continue;
        // An UPDATE the other function answers with its own UPDATE of those columns (an
        // array_replace back, `SET x = NOT x`): the values may well come back.
        const reverse = first.update ? reverseUpdate(m, s, first.update) : undefined;
        const what = reverse ? first.what.replace(/ and the old values cannot be restored$/, `; the old values come back only if ${otherSection(m, s)?.name ?? "the other function"}()'s UPDATE on line ${reverse.span.line} computes each of them exactly`) : first.what;
        ctx.report({
          at: op,
          message: "destructive",
          data: { fn: s.name, sql: first.sql, what, advice: first.advice, more: hits.length - 1 },
          fingerprint: `destructive:${s.name}:${first.sql}`,
        });
      }
    }
  },
});
