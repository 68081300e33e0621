import { defineRule } from "../src/engine/rule.js";
import { CHECK_DOWNGRADE_OPTION, checkedSections, mayReport, newObjects, py, restKwargs, sqlIdent, sqlTable, tableLabel, alterActions } from "../src/analysis/online-safety.js";
import { suggestedConstraintName } from "../src/analysis/names.js";

export default defineRule({
  meta: {
    code: "ALM408",
    name: "foreign-key-locks",
    severity: "note",
    category: "online-safety",
    precision: "medium",
    docs: {
      summary: "create_foreign_key between existing tables validates every row while both tables are locked",
      rationale:
        "Adding a foreign key on PostgreSQL takes a `SHARE ROW EXCLUSIVE` lock on both the referencing and the " +
        "referenced table and keeps it while every existing row is checked: writes to both tables stop for the whole " +
        "scan. Add the constraint without validation, then validate it in a later migration under a lock that allows " +
        "reads and writes:\n\n" +
        "```python\nop.create_foreign_key(\"fk_order_customer_id\", \"order\", \"customer\", [\"customer_id\"], [\"id\"], " +
        "postgresql_not_valid=True)\n# later migration:\nop.execute('ALTER TABLE \"order\" VALIDATE CONSTRAINT fk_order_customer_id')\n```\n\n" +
        "`ALTER TABLE ... ADD ... FOREIGN KEY` without `NOT VALID` in literal SQL passed to `op.execute()` is checked too. " +
        "Not reported when either table was created earlier in the same migration (nothing to validate, or nobody " +
        "waiting on the lock) or with `postgresql_not_valid=True` (SQLAlchemy 2.0+). PostgreSQL only: MySQL/InnoDB " +
        "rebuilds the table (`ALGORITHM=COPY`) to add a foreign key unless `foreign_key_checks` is off, which is a " +
        "hazard of its own; SQLite cannot add one without the batch table copy.",
      bad:
        'from alembic import op\n\n\ndef upgrade():\n' +
        '    op.create_foreign_key("fk_order_customer_id", "order", "customer", ["customer_id"], ["id"])\n\n\n' +
        'def downgrade():\n    op.drop_constraint("fk_order_customer_id", "order", type_="foreignkey")\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n' +
        '    op.create_foreign_key(\n        "fk_order_customer_id", "order", "customer", ["customer_id"], ["id"], postgresql_not_valid=True\n    )\n\n\n' +
        'def downgrade():\n    op.drop_constraint("fk_order_customer_id", "order", type_="foreignkey")\n',
      peers:
        'squawk: `adding-foreign-key-constraint`; strong_migrations: "Adding a foreign key" (and "Adding a reference")',
    },
    messages: {
      foreignKeySql: (a: { name: string; source: string; referent: string }) =>
        `foreign key ${a.name} from ${a.source} to ${a.referent} is validated while both existing tables are locked ` +
        `against writes; add it with \`NOT VALID\` and run \`ALTER TABLE ... VALIDATE CONSTRAINT ...\` in a later migration`,
      foreignKey: (a: { name: string; source: string; referent: string; call: string; bare: string; t: string }) =>
        `foreign key ${a.name} from ${a.source} to ${a.referent} is validated while both existing tables are locked ` +
        `against writes; add it as \`${a.call}\` and run \`op.execute('ALTER TABLE ${a.t} VALIDATE CONSTRAINT ${a.bare}')\` ` +
        `in a later migration`,
    },
    options: CHECK_DOWNGRADE_OPTION,
  },
  check(m, ctx) {
    if (ctx.dialect !== "postgresql") return;
    for (const s of checkedSections(m, ctx.options)) {
      const created = newObjects(s);
      for (const op of s.ops) {
        if (op.name === "execute") {
          for (const { schema, table, action } of alterActions(op)) {
            if (action.kind !== "add_foreign_key" || action.notValid || action.referent === null) continue;
            if (!mayReport(m, s, op, { needTable: false }) || created.tableCreatedInSection(schema, table)) continue;
            if (created.tableCreatedInSection(action.referent.schema, action.referent.name)) continue;
            ctx.report({
              at: op,
              message: "foreignKeySql",
              data: { name: action.name ? JSON.stringify(action.name) : "(unnamed)", source: tableLabel(schema, table), referent: tableLabel(action.referent.schema, action.referent.name) },
            });
          }
          continue;
        }
        if (op.name !== "create_foreign_key") continue;
        const notValid = op.args.postgresql_not_valid;
        if (notValid !== undefined && notValid !== false && notValid !== null) continue;
        if (!mayReport(m, s, op)) continue;
        const referent = op.args.referent_table;
        if (typeof referent !== "string") continue;
        const refSchema = typeof op.args.referent_schema === "string" ? op.args.referent_schema : null;
        if (created.tableCreatedInSection(op.schema, op.table)) continue;
        if (created.tableCreatedInSection(refSchema, referent)) continue;
        const name = op.args.constraint_name;
        const bare = typeof name === "string" ? name : suggestedConstraintName("foreignkey", op.table, op.args.local_cols, referent);
        const schemaKw = op.schema ? `, source_schema=${JSON.stringify(op.schema)}` : "";
        const refKw = refSchema ? `, referent_schema=${JSON.stringify(refSchema)}` : "";
        const call =
          `op.create_foreign_key(${JSON.stringify(bare)}, ${py(op.table)}, ${py(referent)}, ${py(op.args.local_cols)}, ` +
          `${py(op.args.remote_cols)}${schemaKw}${refKw}` +
          `${restKwargs(op, ["constraint_name", "source_table", "referent_table", "local_cols", "remote_cols", "source_schema", "referent_schema", "postgresql_not_valid"])}` +
          `, postgresql_not_valid=True)`;
        ctx.report({
          at: op,
          message: "foreignKey",
          data: {
            name: JSON.stringify(bare),
            source: tableLabel(op.schema, op.table),
            referent: tableLabel(refSchema, referent),
            call,
            bare: sqlIdent(bare),
            t: sqlTable(op.schema, op.table!),
          },
        });
      }
    }
  },
});
