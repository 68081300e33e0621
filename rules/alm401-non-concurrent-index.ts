import { defineRule } from "../src/engine/rule.js";
import { CHECK_DOWNGRADE_OPTION, checkedSections, mayReport, newObjects, py, restKwargs, schemaKw, sqlStatements, tableLabel } from "../src/analysis/online-safety.js";

export default defineRule({
  meta: {
    code: "ALM401",
    name: "non-concurrent-index",
    severity: "warning",
    category: "online-safety",
    precision: "high",
    docs: {
      summary: "create_index on an existing table without postgresql_concurrently=True blocks writes while the index builds",
      rationale:
        "On PostgreSQL a plain `CREATE INDEX` takes a `SHARE` lock on the table for the whole build: every `INSERT`, " +
        "`UPDATE` and `DELETE` waits, for minutes on a large table. Build the index with `CREATE INDEX CONCURRENTLY` " +
        "instead: pass `postgresql_concurrently=True` and run it outside the migration's transaction, inside " +
        "`with op.get_context().autocommit_block():` (Postgres rejects `CONCURRENTLY` in a transaction, see ALM402). " +
        "A concurrent build can fail and leave an `INVALID` index behind; drop it and retry " +
        "(`if_not_exists=True` does not repair an invalid index).\n\n" +
        "Indexes on tables created earlier in the same migration are not reported: a new table has no rows and no " +
        "readers. `CREATE INDEX` statements in literal SQL passed to `op.execute()` are checked the same way. " +
        "The rule is PostgreSQL-specific and silent for other dialects: MySQL/InnoDB builds secondary indexes " +
        "online (`ALGORITHM=INPLACE, LOCK=NONE`) by default, and SQLite locks the whole database for any write anyway.",
      bad:
        'from alembic import op\n\n\ndef upgrade():\n    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])\n\n\n' +
        'def downgrade():\n    op.drop_index("ix_orders_customer_id", table_name="orders")\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n' +
        '        op.create_index("ix_orders_customer_id", "orders", ["customer_id"], postgresql_concurrently=True)\n\n\n' +
        'def downgrade():\n    with op.get_context().autocommit_block():\n' +
        '        op.drop_index("ix_orders_customer_id", table_name="orders", postgresql_concurrently=True)\n',
      peers:
        'squawk: `require-concurrent-index-creation`; strong_migrations: "Adding an index non-concurrently"; ' +
        "django-migration-linter: `CREATE_INDEX`",
    },
    messages: {
      nonConcurrentSql: (a: { index: string; table: string }) =>
        `CREATE INDEX ${a.index} without CONCURRENTLY: writes to existing table ${a.table} are blocked until it finishes; ` +
        `write \`CREATE INDEX CONCURRENTLY\` and run it inside \`with op.get_context().autocommit_block():\``,
      nonConcurrent: (a: { index: string; table: string; call: string }) =>
        `index ${a.index} is built without CONCURRENTLY: writes to existing table ${a.table} are blocked until it finishes; ` +
        `build it concurrently outside the transaction: \`with op.get_context().autocommit_block(): ${a.call}\``,
    },
    options: CHECK_DOWNGRADE_OPTION,
  },
  check(m, ctx) {
    if (ctx.dialect !== "postgresql") return;
    for (const s of checkedSections(m, ctx.options)) {
      const created = newObjects(s);
      for (const op of s.ops) {
        if (op.name === "execute") {
          if (!mayReport(m, s, op, { needTable: false })) continue;
          const here = new Set<string>();
          for (const st of sqlStatements(op)) {
            if (st.kind === "create_table") here.add(`${st.schema ?? ""}.${st.table}`);
            if (st.kind !== "create_index" || st.concurrently) continue;
            if (here.has(`${st.schema ?? ""}.${st.table}`) || created.tableCreatedInSection(st.schema, st.table)) continue;
            ctx.report({
              at: op,
              message: "nonConcurrentSql",
              data: { index: st.index !== null ? `"${st.index}"` : "(unnamed)", table: tableLabel(st.schema, st.table) },
            });
          }
          continue;
        }
        if (op.name !== "create_index") continue;
        const conc = op.args.postgresql_concurrently;
        if (conc !== undefined && conc !== false && conc !== null) continue; // concurrent, or not a literal
        if (!mayReport(m, s, op)) continue;
        if (created.tableCreatedInSection(op.schema, op.table)) continue;
        const name = op.args.index_name;
        const call =
          `op.create_index(${py(name)}, ${py(op.table)}, ${py(op.args.columns)}` +
          `${restKwargs(op, ["index_name", "table_name", "columns", "postgresql_concurrently"])}` +
          `${op.batch ? schemaKw(op) : ""}, postgresql_concurrently=True)`;
        ctx.report({
          at: op,
          message: "nonConcurrent",
          data: { index: typeof name === "string" ? `"${name}"` : name == null ? "(unnamed)" : py(name), table: tableLabel(op.schema, op.table), call },
        });
      }
    }
  },
});
