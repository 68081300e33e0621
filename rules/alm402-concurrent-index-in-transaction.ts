import { defineRule } from "../src/engine/rule.js";
import type { Migration, Op, Section } from "../src/model.js";
import { CHECK_DOWNGRADE_OPTION, checkedSections, insideOtherWith, mayReport, sqlStatements } from "../src/analysis/online-safety.js";

/** `op.execute("COMMIT")` (the pre-1.2 way out of the migration transaction). */
const COMMIT_SQL = /^\s*(commit|end)\b/i;
/** Connection-level autocommit set up in the migration itself. */
const AUTOCOMMIT_SOURCE = /isolation_level\s*=\s*["']AUTOCOMMIT["']|\.commit\(\s*\)/i;

function committedBefore(s: Section, op: Op): boolean {
  return s.ops.some((o) => o.order < op.order && o.name === "execute" && typeof o.sql === "string" && (COMMIT_SQL.test(o.sql) || sqlStatements(o).some((st) => st.kind === "commit")));
}

function escapesTransaction(m: Migration, s: Section, op: Op): boolean {
  return committedBefore(s, op) || AUTOCOMMIT_SOURCE.test(m.source) || insideOtherWith(m, op);
}

export default defineRule({
  meta: {
    code: "ALM402",
    name: "concurrent-index-in-transaction",
    severity: "error",
    category: "online-safety",
    precision: "high",
    docs: {
      summary: "postgresql_concurrently=True outside autocommit_block(): Postgres rejects CONCURRENTLY inside a transaction",
      rationale:
        "Alembic runs each migration inside a transaction on PostgreSQL, and Postgres refuses " +
        "`CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY` there (\"cannot run inside a transaction block\"): " +
        "the migration fails. Put the call inside `with op.get_context().autocommit_block():` (Alembic 1.2+), which " +
        "commits the current transaction, runs the block in autocommit mode and starts a new transaction afterwards. " +
        "Keep only the concurrent operations in that block: whatever ran before it is already committed when it starts.\n\n" +
        "Not reported when the migration ends the transaction itself (`op.execute(\"COMMIT\")` before the call, a " +
        "connection set to `isolation_level=\"AUTOCOMMIT\"`) or when the call sits in another `with` block that may " +
        "provide autocommit. `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY` and `REINDEX ... CONCURRENTLY` in " +
        "literal SQL passed to `op.execute()` are checked too. PostgreSQL only: other dialects ignore `postgresql_concurrently`.",
      bad:
        'from alembic import op\n\n\ndef upgrade():\n' +
        '    op.create_index("ix_orders_created_at", "orders", ["created_at"], postgresql_concurrently=True)\n\n\n' +
        'def downgrade():\n    op.drop_index("ix_orders_created_at", table_name="orders")\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n' +
        '        op.create_index("ix_orders_created_at", "orders", ["created_at"], postgresql_concurrently=True)\n\n\n' +
        'def downgrade():\n    op.drop_index("ix_orders_created_at", table_name="orders")\n',
      peers:
        "squawk: `ban-concurrent-index-creation-in-transaction`; strong_migrations: no separate check (its " +
        '"Adding an index non-concurrently" recipe requires `disable_ddl_transaction!` for the same reason)',
    },
    messages: {
      inTransactionSql: (a: { what: string }) =>
        `${a.what} in op.execute() runs inside the migration transaction and Postgres rejects it ` +
        `("cannot run inside a transaction block"); move the call into \`with op.get_context().autocommit_block():\``,
      inTransaction: (a: { what: string }) =>
        `${a.what} with postgresql_concurrently=True runs inside the migration transaction and Postgres rejects it ` +
        `("cannot run inside a transaction block"); move the call into \`with op.get_context().autocommit_block():\``,
    },
    options: CHECK_DOWNGRADE_OPTION,
  },
  check(m, ctx) {
    if (ctx.dialect !== "postgresql") return;
    for (const s of checkedSections(m, ctx.options)) {
      for (const op of s.ops) {
        if (op.name === "execute" && !op.autocommit) {
          const stmts = sqlStatements(op);
          const first = stmts.findIndex((st) => (st.kind === "create_index" || st.kind === "drop_index" || st.kind === "reindex") && st.concurrently);
          if (first < 0 || stmts.slice(0, first).some((st) => st.kind === "commit")) continue;
          if (!mayReport(m, s, op, { needTable: false, ignoreUnanalyzed: true }) || escapesTransaction(m, s, op)) continue;
          const kind = stmts[first]!.kind;
          const what = kind === "create_index" ? "CREATE INDEX CONCURRENTLY" : kind === "drop_index" ? "DROP INDEX CONCURRENTLY" : "REINDEX ... CONCURRENTLY";
          ctx.report({ at: op, message: "inTransactionSql", data: { what } });
          continue;
        }
        if (op.name !== "create_index" && op.name !== "drop_index") continue;
        if (op.args.postgresql_concurrently !== true || op.autocommit) continue;
        if (!mayReport(m, s, op, { needTable: false, ignoreUnanalyzed: true })) continue;
        if (escapesTransaction(m, s, op)) continue;
        const name = op.args.index_name;
        const what = `${op.batch ? "batch_op" : "op"}.${op.name}(${typeof name === "string" ? JSON.stringify(name) : "..."}, ...)`;
        ctx.report({ at: op, message: "inTransaction", data: { what } });
      }
    }
  },
});
