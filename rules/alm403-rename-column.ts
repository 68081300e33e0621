import { defineRule } from "../src/engine/rule.js";
import { CHECK_DOWNGRADE_OPTION, alterActions, checkedSections, mayReport, newObjects, tableLabel } from "../src/analysis/online-safety.js";

export default defineRule({
  meta: {
    code: "ALM403",
    name: "rename-column",
    severity: "warning",
    category: "online-safety",
    precision: "high",
    docs: {
      summary: "alter_column(new_column_name=...) renames a column that the running application still uses",
      rationale:
        "During a deploy the old application version keeps running against the migrated database (and after a " +
        "rollback of the code the new schema stays). Every query it sends with the old column name fails as soon as " +
        "the rename commits. Rename in expand/contract steps instead:\n\n" +
        "1. add the new column (nullable) and make the application write both columns;\n" +
        "2. backfill the new column from the old one (in batches);\n" +
        "3. switch reads to the new column and stop writing the old one;\n" +
        "4. drop the old column in a later migration.\n\n" +
        "`ALTER TABLE ... RENAME COLUMN` in literal SQL passed to `op.execute()` is checked too. " +
        "Renaming a column that this migration added, or of a table it created, is not reported (nothing reads it yet). " +
        "The hazard is the same on every database, so the rule is not dialect-specific.",
      bad:
        'from alembic import op\n\n\ndef upgrade():\n    op.alter_column("customer", "email_address", new_column_name="email")\n\n\n' +
        'def downgrade():\n    op.alter_column("customer", "email", new_column_name="email_address")\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.add_column("customer", sa.Column("email", sa.String(length=255), nullable=True))\n' +
        '    op.execute("UPDATE customer SET email = email_address WHERE email IS NULL")\n\n\n' +
        'def downgrade():\n    op.drop_column("customer", "email")\n',
      peers:
        'squawk: `renaming-column`; strong_migrations: "Renaming a column"; django-migration-linter: `RENAME_COLUMN`',
    },
    messages: {
      rename: (a: { table: string; from: string; to: string }) =>
        `renaming column "${a.from}" of ${a.table} to "${a.to}" breaks the running application, which still uses "${a.from}"; ` +
        `expand/contract instead: add "${a.to}" as a new nullable column, write both, backfill it from "${a.from}", ` +
        `switch reads, then drop "${a.from}" in a later migration`,
    },
    options: CHECK_DOWNGRADE_OPTION,
  },
  check(m, ctx) {
    for (const s of checkedSections(m, ctx.options)) {
      const created = newObjects(s);
      const renamedNew = new Set<string>(); // new columns under their later names
      for (const op of s.ops) {
        if (op.name === "execute") {
          for (const { schema, table, action, probe } of alterActions(op)) {
            if (action.kind !== "rename_column") continue;
            const k = `${schema ?? ""}\0${table}\0`;
            if (created.columnCreatedBefore(probe, action.from) || renamedNew.has(k + action.from)) {
              renamedNew.add(k + action.to);
              continue;
            }
            if (!mayReport(m, s, op, { needTable: false })) continue;
            ctx.report({ at: op, message: "rename", data: { table: tableLabel(schema, table), from: action.from, to: action.to } });
          }
          continue;
        }
        if (op.name !== "alter_column") continue;
        const from = op.args.column_name;
        const to = op.args.new_column_name;
        if (typeof from !== "string" || typeof to !== "string" || from === to) continue;
        const k = (c: string) => `${op.schema ?? ""}\0${op.table}\0${c}`;
        if (created.columnCreatedBefore(op, from) || renamedNew.has(k(from))) {
          renamedNew.add(k(to));
          continue;
        }
        if (!mayReport(m, s, op)) continue;
        ctx.report({ at: op, message: "rename", data: { table: tableLabel(op.schema, op.table), from, to } });
      }
    }
  },
});
