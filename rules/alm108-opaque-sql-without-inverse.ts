import { defineRule } from "../src/engine/rule.js";
import { checkedPairs } from "../src/analysis/inverse.js";
import { dataTargets, isBatchTempTable, type DataTarget } from "../src/analysis/sql-targets.js";
import { mentions } from "../src/analysis/schema.js";
import type { Op, Section } from "../src/model.js";

const low = (s: string) => s.toLowerCase();

/** Tables and columns the upgrade creates (unconditionally), by lower-cased name. */
function createdBy(up: Section): { tables: Set<string>; columns: Map<string, Set<string>> } {
  const tables = new Set<string>();
  const columns = new Map<string, Set<string>>();
  const add = (t: string, c: string) => {
    const k = low(t);
    if (!columns.has(k)) columns.set(k, new Set());
    columns.get(k)!.add(low(c));
  };
  for (const op of up.ops) {
    if (op.conditional || op.table === null) continue;
    if (op.name === "create_table") tables.add(low(op.table));
    else if (op.name === "add_column" && op.column?.name) add(op.table, op.column.name);
    else if (op.name === "rename_table" && typeof op.args.new_table_name === "string" && tables.has(low(op.table))) tables.add(low(op.args.new_table_name));
  }
  return { tables, columns };
}

/** Names of the objects the downgrade's operations act on (indexes, constraints, columns, tables it creates or drops). */
function downgradeNames(down: Section): string[] {
  const out: string[] = [];
  for (const op of down.ops) {
    for (const k of ["index_name", "constraint_name", "column_name", "new_column_name"]) {
      const v = op.args[k];
      if (typeof v === "string") out.push(v);
    }
    if (op.name === "add_column" && op.column?.name) out.push(op.column.name);
    if ((op.name === "create_table" || op.name === "drop_table" || op.name === "rename_table") && op.table) out.push(op.table);
    if (op.name === "rename_table" && typeof op.args.new_table_name === "string") out.push(op.args.new_table_name);
  }
  return out;
}

function exempt(t: DataTarget, made: ReturnType<typeof createdBy>, downNames: string[]): boolean {
  if (t.kind === "read") return true;
  // DDL in SQL whose object the downgrade handles with an operation (ADD CONSTRAINT ... / drop_constraint).
  if (t.kind === "ddl" && t.text && downNames.some((n) => mentions(t.text!, n))) return true;
  if (t.table === null) return false;
  if (isBatchTempTable(t.table)) return true;
  const table = low(t.table);
  if (made.tables.has(table)) return true;
  if (t.kind === "update" && t.columns && t.columns.length > 0) {
    const cols = made.columns.get(table);
    return cols !== undefined && t.columns.every((c) => cols.has(low(c)));
  }
  return false;
}

function what(op: Op): string {
  if (op.name === "bulk_insert") return `op.bulk_insert(${op.table ?? "..."}, ...)`;
  const sql = typeof op.sql === "string" ? op.sql.trim().replace(/\s+/g, " ") : null;
  if (!sql) return "op.execute(...)";
  const q = !sql.includes('"') ? '"' : !sql.includes("'") ? "'" : '"""';
  return `op.execute(${q}${sql.length > 50 ? sql.slice(0, 47) + "..." : sql}${q})`;
}

export default defineRule({
  meta: {
    code: "ALM108",
    name: "opaque-sql-without-inverse",
    severity: "warning",
    category: "reversibility",
    precision: "medium",
    docs: {
      summary: "The upgrade runs SQL or changes data and the downgrade has no SQL or data operation at all",
      rationale:
        "`op.execute`, `op.bulk_insert` and `op.get_bind().execute` have no automatic inverse. When the downgrade has " +
        "no statement of that kind at all, the data change (an UPDATE of existing rows, seed rows, a trigger or view " +
        "created in SQL) stays after a rollback. Write the inverse statement (the reverse UPDATE, a DELETE of the " +
        "seeded rows, DROP of what the SQL created), or record in a suppression why none is needed. The correctness " +
        "of SQL inverses is not checked, only their total absence; a statement that only fills tables or columns this " +
        "upgrade creates (a backfill of a new column) needs no inverse.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.execute("UPDATE account SET status = \'active\' WHERE status IS NULL")\n    op.alter_column("account", "status", existing_type=sa.String(16), existing_nullable=True, nullable=False)\n\n\ndef downgrade():\n    op.alter_column("account", "status", existing_type=sa.String(16), existing_nullable=False, nullable=True)\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("status", sa.String(16), nullable=True))\n    op.execute("UPDATE account SET status = \'active\'")\n\n\ndef downgrade():\n    op.drop_column("account", "status")\n',
    },
    messages: {
      noInverse: (a: { what: string; down: string }) =>
        `${a.what} changes data or runs SQL, and ${a.down}() has no SQL or data operation at all: write the statement ` +
        `that undoes it (the reverse UPDATE, a DELETE of inserted rows, a DROP of what it created), or record why none ` +
        `is needed in a suppression`,
    },
  },
  check(m, ctx) {
    for (const { up, down } of checkedPairs(m)) {
      if (down.unanalyzed.length > 0) continue;
      if (down.ops.some((o) => o.name === "execute" || o.name === "bulk_insert")) continue;
      // Nothing below looks at an upgrade without SQL or data operations.
      if (!up.ops.some((o) => o.name === "execute" || o.name === "bulk_insert")) continue;
      const made = createdBy(up);
      const downNames = downgradeNames(down);
      const createsSomething = made.tables.size > 0 || made.columns.size > 0;
      for (const op of up.ops) {
        if (op.name !== "execute" && op.name !== "bulk_insert") continue;
        if (op.conditional) continue;
        const targets = dataTargets(op, m.source);
        if (targets === null) {
          if (createsSomething) continue; // may be a backfill of what the upgrade creates
        } else if (targets.every((t) => exempt(t, made, downNames))) continue;
        ctx.report({
          at: op,
          message: "noInverse",
          data: { what: what(op), down: down.name },
          related: [{ span: down.span, message: `${down.name}() has no SQL or data operation` }],
          fingerprint: `sql:${what(op)}`,
        });
      }
    }
  },
});
