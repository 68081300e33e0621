import { defineRule } from "../src/engine/rule.js";
import { Creations, mayReport, tableLabel } from "../src/analysis/data-loss.js";

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
      dropColumn: (a: { table: string; column: string }) =>
        `dropping column "${a.column}" of ${a.table} deletes its value in every row and downgrade() cannot bring the values back; ` +
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
        ctx.report({
          at: op,
          message: "dropColumn",
          data: { table: tableLabel(op.schema, op.table), column },
          fingerprint: `drop_column:${op.schema ?? ""}.${op.table}.${column}`,
        });
      }
    }
  },
});
