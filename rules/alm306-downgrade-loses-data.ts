import { defineRule } from "../src/engine/rule.js";
import type { Op, Section } from "../src/model.js";
import { mayReport, otherSection, statementsOf, sqlNameMatches, tableLabel } from "../src/analysis/data-loss.js";

const sameTable = (a: Op, schema: string | null, table: string) => a.table === table && (a.schema ?? null) === (schema ?? null);

/** The upgrade op that created the table (create_table, or rename_table into it). */
function tableCreator(up: Section, schema: string | null, table: string): Op | undefined {
  return up.ops.find(
    (o) =>
      !o.conditional &&
      ((o.name === "create_table" && sameTable(o, schema, table)) ||
        (o.name === "rename_table" && o.args.new_table_name === table && (o.schema ?? null) === (schema ?? null))),
  );
}

/** The upgrade op that added the column. */
function columnCreator(up: Section, schema: string | null, table: string, column: string): Op | undefined {
  return up.ops.find(
    (o) =>
      !o.conditional &&
      ((o.name === "add_column" && sameTable(o, schema, table) && o.column?.name === column) ||
        (o.name === "alter_column" && sameTable(o, schema, table) && o.args.new_column_name === column)),
  );
}

export default defineRule({
  meta: {
    code: "ALM306",
    name: "downgrade-loses-data",
    severity: "note",
    category: "data-loss",
    optIn: true,
    precision: "very-high",
    docs: {
      summary: "The downgrade drops a table or column the upgrade created, losing the rows written since",
      rationale:
        "Rolling back a migration that created a table or column drops it again, together with everything " +
        "written to it since the upgrade ran. That is usually the intended inverse, so this rule is off by " +
        "default: enable it (`--select ALM306`) when every data-losing rollback must be documented. Each " +
        "finding is then either accepted with a reason (`# alembic-lint: ignore[ALM306] rows are re-derivable " +
        "from events`) or the downgrade is changed to keep the data (e.g. rename the table to an archive name, " +
        "or copy the column's values elsewhere before dropping it).",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.add_column("account", sa.Column("nickname", sa.String(length=64), nullable=True))\n\n\n' +
        'def downgrade():\n    op.drop_column("account", "nickname")\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.create_index("ix_account_email", "account", ["email"])\n\n\n' +
        'def downgrade():\n    op.drop_index("ix_account_email", table_name="account")\n',
    },
    messages: {
      dropTable: (a: { table: string }) =>
        `rolling back drops table ${a.table}, which the upgrade created: every row written since the upgrade is lost; ` +
        `export or archive the rows first if they matter (e.g. rename the table instead of dropping it), ` +
        `and record the decision with # alembic-lint: ignore[ALM306] <reason>`,
      dropColumn: (a: { table: string; column: string }) =>
        `rolling back drops column "${a.column}" of ${a.table}, which the upgrade added: the values written since the upgrade are lost; ` +
        `copy them elsewhere first if they matter, and record the decision with # alembic-lint: ignore[ALM306] <reason>`,
    },
  },
  check(m, ctx) {
    for (const s of m.sections) {
      if (s.role !== "downgrade") continue;
      const up = otherSection(m, s);
      if (!up) continue;
      for (const op of s.ops) {
        if (!mayReport(m, s, op, { needTable: op.name !== "execute" })) continue;
        if (op.name === "drop_table") {
          const creator = tableCreator(up, op.schema, op.table!);
          if (!creator) continue;
          ctx.report({
            at: op,
            message: "dropTable",
            data: { table: tableLabel(op.schema, op.table) },
            related: [{ span: creator.span, message: "created by the upgrade here" }],
          });
        } else if (op.name === "drop_column" && typeof op.args.column_name === "string") {
          const column = op.args.column_name;
          const creator = columnCreator(up, op.schema, op.table!, column);
          if (!creator) continue;
          ctx.report({
            at: op,
            message: "dropColumn",
            data: { table: tableLabel(op.schema, op.table), column },
            related: [{ span: creator.span, message: "added by the upgrade here" }],
          });
        } else if (op.name === "execute") {
          for (const st of statementsOf(op)) {
            if (st.kind === "drop" && st.object === "TABLE") {
              const t = st.targets.map((n) => ({ n, c: up.ops.find((o) => !o.conditional && o.name === "create_table" && o.table !== null && sqlNameMatches(n, o.schema, o.table)) })).find((x) => x.c);
              if (!t) continue;
              ctx.report({ at: op, message: "dropTable", data: { table: tableLabel(t.n.schema, t.n.name) }, related: [{ span: t.c!.span, message: "created by the upgrade here" }] });
              break;
            }
          }
        }
      }
    }
  },
});
