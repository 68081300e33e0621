import { defineRule } from "../src/engine/rule.js";
import { copiedFrom, Creations, mayReport, rebuiltSwap, renameAwayRebuilds, tableLabel } from "../src/analysis/data-loss.js";

export default defineRule({
  meta: {
    code: "ALM301",
    name: "drop-table",
    severity: "warning",
    category: "data-loss",
    precision: "very-high",
    docs: {
      summary: "The upgrade drops a table, deleting all of its rows",
      rationale:
        "`op.drop_table()` deletes the table and every row in it. `downgrade()` can only re-create the table " +
        "empty, so a rollback does not bring the data back, and any code still reading the table breaks.\n\n" +
        "Drop tables in expand/contract steps: first ship code that no longer reads or writes the table, keep or " +
        "archive the data (`op.rename_table(\"invoice\", \"invoice_archive\")`, or copy it out), and drop it in a " +
        "later migration once nobody needs it. When the drop is reviewed and approved, say so where it happens: " +
        "`op.drop_table(\"invoice\")  # alembic-lint: ignore[ALM301] archived to S3 in JIRA-123`.\n\n" +
        "Tables created earlier in the same upgrade (temporary tables) and the rebuild pattern (rows copied with " +
        "`INSERT ... SELECT ... FROM old`, old dropped, new table renamed to the old name) are not reported; drops under a runtime " +
        "condition or with a non-literal name are not reported either (ALM901 says what was skipped).",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.drop_table("legacy_invoice")\n\n\n' +
        'def downgrade():\n    op.create_table(\n        "legacy_invoice",\n        sa.Column("id", sa.Integer(), primary_key=True),\n' +
        '        sa.Column("amount", sa.Numeric(10, 2), nullable=False),\n    )\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n    op.rename_table("legacy_invoice", "legacy_invoice_archive")\n\n\n' +
        'def downgrade():\n    op.rename_table("legacy_invoice_archive", "legacy_invoice")\n',
      peers: 'squawk: `ban-drop-table`; strong_migrations: "Removing a table"; django-migration-linter: `DROP_TABLE`',
    },
    messages: {
      droppedAfterCopy: (a: { table: string; line: number }) =>
        `dropping table ${a.table} deletes it after the upgrade's SQL on line ${a.line} copied its rows elsewhere: ` +
        `rows or columns that copy does not carry over are lost, and a downgrade must copy them back; check both, ` +
        `or keep the table until a later migration; record the approval: # alembic-lint: ignore[ALM301] <reason>`,
      dropTable: (a: { table: string }) =>
        `dropping table ${a.table} deletes all of its rows and downgrade() can only re-create it empty; ` +
        `if the data may still be needed, stop using the table first and archive it ` +
        `(e.g. op.rename_table(...) to an archive name) before dropping it in a later migration, ` +
        `otherwise record the approval: # alembic-lint: ignore[ALM301] <reason>`,
    },
  },
  check(m, ctx) {
    for (const s of m.sections) {
      if (s.role !== "upgrade") continue;
      const created = new Creations(s);
      for (const op of s.ops) {
        if (op.name !== "drop_table" || !mayReport(m, s, op)) continue;
        if (created.table(op.schema, op.table!, op.order)) continue;
        // Table rebuild: rows copied into a new table that then takes this name.
        if (rebuiltSwap(s, op.schema, op.table!, op.order)) continue;
        // ... or the other way round: the table renamed away, re-created, its rows copied back.
        if (renameAwayRebuilds(s).copiedDrops.has(op)) continue;
        const table = tableLabel(op.schema, op.table);
        const fingerprint = `drop_table:${op.schema ?? ""}.${op.table}`;
        const copy = copiedFrom(s, op.table!, op.order);
        if (copy) ctx.report({ at: op, message: "droppedAfterCopy", data: { table, line: copy.span.line }, fingerprint });
        else ctx.report({ at: op, message: "dropTable", data: { table }, fingerprint });
      }
    }
  },
});
