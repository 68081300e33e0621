import { defineRule } from "../src/engine/rule.js";
import { Creations, mayReport, tableLabel } from "../src/analysis/data-loss.js";
import { mentions } from "../src/analysis/schema.js";

const COPYING = /^\s*(?:UPDATE|INSERT)\b/i;

export default defineRule({
  meta: {
    code: "ALM302",
    name: "drop-column",
    severity: "warning",
    category: "data-loss",
    precision: "very-high",
    docs: {
      summary: "The upgrade drops a column, deleting its values in every row",
      rationale:
        "`op.drop_column()` deletes the column's value in every row. `downgrade()` can only add the column back " +
        "empty (and fails if it is `NOT NULL` without a default), and application code that still selects the " +
        "column breaks as soon as the migration runs (ORMs select every mapped column).\n\n" +
        "Drop columns in expand/contract steps: ship code that no longer reads or writes the column, copy the data " +
        "elsewhere if it is still needed, then drop the column in a later migration. If the column is being " +
        "renamed, use `op.alter_column(table, old, new_column_name=new)` instead (see ALM307). Once the drop is " +
        "reviewed, record it: `op.drop_column(\"account\", \"fax\")  # alembic-lint: ignore[ALM302] unused since 2024`.\n\n" +
        "Columns added (or tables created) earlier in the same upgrade are not reported, nor are conditional drops " +
        "or drops with non-literal names.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.drop_column("account", "fax_number")\n\n\n' +
        'def downgrade():\n    op.add_column("account", sa.Column("fax_number", sa.String(length=32), nullable=True))\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("fax_number", sa.String(length=32), nullable=True))\n\n\n' +
        'def downgrade():\n    op.drop_column("account", "fax_number")\n',
      peers: 'squawk: `ban-drop-column`; strong_migrations: "Removing a column"; django-migration-linter: `DROP_COLUMN`',
    },
    messages: {
      droppedAfterCopy: (a: { table: string; column: string; line: number }) =>
        `dropping column "${a.column}" of ${a.table} deletes it once the upgrade's SQL on line ${a.line} has read it ` +
        `(a copy into another column?): values that copy does not carry over are lost, and code that still reads the ` +
        `column breaks; check the copy and the downgrade's way back, or drop the column in a later migration ` +
        `(expand/contract); record the approval with # alembic-lint: ignore[ALM302] <reason>`,
      dropColumn: (a: { table: string; column: string }) =>
        `dropping column "${a.column}" of ${a.table} deletes its value in every row, which no downgrade can bring back unless they are copied elsewhere first; ` +
        `use expand/contract: stop reading and writing the column first, copy the data elsewhere if it is still needed, ` +
        `and drop it in a later migration (a rename is op.alter_column(..., new_column_name=...)); ` +
        `record the approval with # alembic-lint: ignore[ALM302] <reason>`,
    },
  },
  check(m, ctx) {
    for (const s of m.sections) {
      if (s.role !== "upgrade") continue;
      const created = new Creations(s);
      for (const op of s.ops) {
        if (op.name !== "drop_column" || !mayReport(m, s, op)) continue;
        const column = op.args.column_name;
        if (typeof column !== "string") continue;
        if (created.column(op.schema, op.table!, column, op.order)) continue;
        const table = tableLabel(op.schema, op.table);
        const fingerprint = `drop_column:${op.schema ?? ""}.${op.table}.${column}`;
        // An UPDATE or INSERT on the table that reads the column first: the values were
        // (probably) carried over: say so instead of the plain "values are gone".
        const copy = s.ops.find((o) => o.order < op.order && typeof o.sql === "string" && COPYING.test(o.sql) && mentions(o.sql, op.table!) && mentions(o.sql, column));
        if (copy) ctx.report({ at: op, message: "droppedAfterCopy", data: { table, column, line: copy.span.line }, fingerprint });
        else ctx.report({ at: op, message: "dropColumn", data: { table, column }, fingerprint });
      }
    }
  },
});
