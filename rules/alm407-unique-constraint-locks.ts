import { defineRule } from "../src/engine/rule.js";
import { CHECK_DOWNGRADE_OPTION, checkedSections, mayReport, newObjects, py, schemaKw, sqlIdent, sqlTable, tableLabel, alterActions } from "../src/analysis/online-safety.js";
import { suggestedConstraintName } from "../src/analysis/names.js";

export default defineRule({
  meta: {
    code: "ALM407",
    name: "unique-constraint-locks",
    severity: "warning",
    category: "online-safety",
    precision: "high",
    docs: {
      summary: "create_unique_constraint on an existing table builds its index while blocking reads and writes",
      rationale:
        "`ALTER TABLE ... ADD CONSTRAINT ... UNIQUE` builds the underlying unique index inside the `ALTER TABLE`, " +
        "holding an `ACCESS EXCLUSIVE` lock on PostgreSQL for the whole build: nothing can read or write the table. " +
        "Build the unique index concurrently first, then attach it as the constraint, which only takes a brief lock:\n\n" +
        "```python\nwith op.get_context().autocommit_block():\n" +
        "    op.create_index(\"uq_user_email\", \"user\", [\"email\"], unique=True, postgresql_concurrently=True)\n" +
        "op.execute(\"ALTER TABLE \\\"user\\\" ADD CONSTRAINT uq_user_email UNIQUE USING INDEX uq_user_email\")\n```\n\n" +
        "(or keep just the unique index if nothing needs a constraint, e.g. no foreign key or `ON CONFLICT ON CONSTRAINT`). " +
        "`ALTER TABLE ... ADD ... UNIQUE (...)` in literal SQL passed to `op.execute()` is checked too. " +
        "Tables created earlier in the same migration are not reported. PostgreSQL only: MySQL adds unique " +
        "indexes online (`ALGORITHM=INPLACE`); on any database the statement fails if duplicates already exist.",
      bad:
        'from alembic import op\n\n\ndef upgrade():\n    op.create_unique_constraint("uq_user_email", "user", ["email"])\n\n\n' +
        'def downgrade():\n    op.drop_constraint("uq_user_email", "user", type_="unique")\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n' +
        '        op.create_index("uq_user_email", "user", ["email"], unique=True, postgresql_concurrently=True)\n' +
        '    op.execute(\'ALTER TABLE "user" ADD CONSTRAINT uq_user_email UNIQUE USING INDEX uq_user_email\')\n\n\n' +
        'def downgrade():\n    op.drop_constraint("uq_user_email", "user", type_="unique")\n',
      peers:
        'squawk: `disallowed-unique-constraint`; strong_migrations: "Adding a unique constraint"; ' +
        "django-migration-linter: `ADD_UNIQUE`",
    },
    messages: {
      uniqueSql: (a: { table: string; name: string }) =>
        `ADD CONSTRAINT ${a.name} UNIQUE on existing table ${a.table} builds its index under an ACCESS EXCLUSIVE lock ` +
        `(reads and writes blocked); run \`CREATE UNIQUE INDEX CONCURRENTLY\` inside \`with op.get_context().autocommit_block():\` ` +
        `first, then \`ADD CONSTRAINT ... UNIQUE USING INDEX ...\``,
      unique: (a: { table: string; name: string; bare: string; columns: string; t: string; schemaKw: string; sqlTable: string; sqlName: string }) =>
        `adding unique constraint ${a.name} to existing table ${a.table} builds its index under an ACCESS EXCLUSIVE lock ` +
        `(reads and writes blocked); build the index first with \`with op.get_context().autocommit_block(): ` +
        `op.create_index(${a.name}, "${a.t}", ${a.columns}, unique=True${a.schemaKw}, postgresql_concurrently=True)\`, then ` +
        `attach it: \`op.execute('ALTER TABLE ${a.sqlTable} ADD CONSTRAINT ${a.sqlName} UNIQUE USING INDEX ${a.sqlName}')\``,
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
            if (action.kind !== "add_unique" || action.usingIndex) continue;
            if (!mayReport(m, s, op, { needTable: false }) || created.tableCreatedInSection(schema, table)) continue;
            ctx.report({ at: op, message: "uniqueSql", data: { table: tableLabel(schema, table), name: action.name ? JSON.stringify(action.name) : "(unnamed)" } });
          }
          continue;
        }
        if (op.name !== "create_unique_constraint") continue;
        if (!mayReport(m, s, op)) continue;
        if (created.tableCreatedInSection(op.schema, op.table)) continue;
        const name = op.args.constraint_name;
        const bare = typeof name === "string" ? name : suggestedConstraintName("unique", op.table, op.args.columns);
        ctx.report({
          at: op,
          message: "unique",
          data: { table: tableLabel(op.schema, op.table), name: JSON.stringify(bare), bare, columns: py(op.args.columns), t: op.table!,
            schemaKw: schemaKw(op), sqlTable: sqlTable(op.schema, op.table!), sqlName: sqlIdent(bare) },
        });
      }
    }
  },
});
