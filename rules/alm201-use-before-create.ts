import { defineRule } from "../src/engine/rule.js";
import { describeRef, eventLabel, opLabel, simulateMigration, spanOfStep, stepLine } from "../src/analysis/schema.js";

export default defineRule({
  meta: {
    code: "ALM201",
    name: "use-before-create",
    severity: "error",
    category: "ordering",
    precision: "high",
    docs: {
      summary: "An operation uses a table, column, index or type before the same function creates it",
      rationale:
        "Alembic runs the operations of `upgrade()`/`downgrade()` in the order they are written (batch operations at the end " +
        "of their `with` block). An operation that refers to an object the same function only creates further down fails on " +
        "a real database: `create_foreign_key` to a table created later, `create_index` on a column added later, an " +
        "`add_column` with a Postgres enum type whose `CREATE TYPE` comes afterwards.\n\n" +
        "Move the creating operation above the one that uses it (autogenerate orders new tables parent first, then their " +
        "indexes and constraints). Only objects the function itself creates are considered; objects from earlier " +
        "migrations are unknown and never reported.",
      bad:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.create_index(\"ix_account_email\", \"account\", [\"email\"])\n" +
        "    op.add_column(\"account\", sa.Column(\"email\", sa.String(255), nullable=True))\n\n\n" +
        "def downgrade():\n    op.drop_index(\"ix_account_email\", table_name=\"account\")\n    op.drop_column(\"account\", \"email\")\n",
      good:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column(\"account\", sa.Column(\"email\", sa.String(255), nullable=True))\n" +
        "    op.create_index(\"ix_account_email\", \"account\", [\"email\"])\n\n\n" +
        "def downgrade():\n    op.drop_index(\"ix_account_email\", table_name=\"account\")\n    op.drop_column(\"account\", \"email\")\n",
      peers: "None of squawk, strong_migrations or django-migration-linter simulate operation order; a database run finds it.",
    },
    messages: {
      useBeforeCreate: (a: { op: string; object: string; creator: string; line: number }) =>
        `${a.op} uses ${a.object} before ${a.creator} on line ${a.line} creates it; move ${a.creator} above this operation`,
    },
  },
  check(m, ctx) {
    for (const { sim } of simulateMigration(m, { enumTypes: ctx.dialect === "postgresql" })) {
      for (const step of sim.steps) {
        if (step.kind !== "op") continue;
        const op = step.op;
        if (!sim.reportable(op)) continue;
        const pos = step.pos;
        for (const ref of sim.usesOf(op)) {
          const h = sim.history(ref);
          // Never created, dropped or renamed in this function: nothing to report.
          if (h.length === 0) continue;
          let last: (typeof h)[number] | undefined;
          for (const e of h) if (e.pos < pos) last = e;
          if (last) {
            // Known (or maybe) earlier: use-after-drop and friends are other rules.
            if (last.action === "drop" || last.action === "rename-from") break;
            continue;
          }
          if (sim.barrierBetween(-1, pos, [ref.name, ...(ref.table ? [ref.table] : [])])) continue;
          const nx = sim.next(ref, pos);
          if (!nx || nx.pos <= pos || nx.maybe || nx.guarded) continue;
          if (nx.action !== "create" && nx.action !== "rename-to") continue;
          // ALM205 reports SQL that runs before its own batch block's queued operations.
          if (op.name === "execute" && op.batchBlock !== null && nx.step.kind === "op" && nx.step.queued && nx.step.op.batchBlock === op.batchBlock) break;
          ctx.report({
            at: op,
            message: "useBeforeCreate",
            data: { op: opLabel(op), object: describeRef(ref), creator: eventLabel(nx, m.source), line: stepLine(nx.step) },
            related: [{ span: spanOfStep(nx.step), message: `${describeRef(ref)} is created here` }],
          });
          break;
        }
      }
    }
  },
});
