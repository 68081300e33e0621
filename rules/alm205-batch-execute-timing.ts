import { defineRule } from "../src/engine/rule.js";
import { asString, type Section } from "../src/model.js";
import { executeText, mentions, opLabel, simulateMigration } from "../src/analysis/schema.js";

export default defineRule({
  meta: {
    code: "ALM205",
    name: "batch-execute-timing",
    severity: "error",
    category: "ordering",
    precision: "high",
    docs: {
      summary: "An execute inside a batch_alter_table block touches a column the block adds or alters, but runs before the block's operations",
      rationale:
        "Operations called on `batch_op` are queued and run when the `with op.batch_alter_table(...)` block exits. " +
        "`batch_op.execute(...)` and `op.execute(...)` inside the block are not queued: they run immediately, before every " +
        "queued operation of the block. An `UPDATE` that fills a column the same block adds therefore runs before the " +
        "column exists, and SQL that relies on a rename or type change in the block sees the old column.\n\n" +
        "Move the `execute` after the `with` block (and, when the block also tightens the column, put that `alter_column` " +
        "in a second batch block after the `execute`).",
      bad:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    with op.batch_alter_table(\"project\") as batch_op:\n" +
        "        batch_op.add_column(sa.Column(\"archived\", sa.Boolean(), nullable=True))\n" +
        "        batch_op.execute(\"UPDATE project SET archived = false\")\n\n\n" +
        "def downgrade():\n    with op.batch_alter_table(\"project\") as batch_op:\n        batch_op.drop_column(\"archived\")\n",
      good:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    with op.batch_alter_table(\"project\") as batch_op:\n" +
        "        batch_op.add_column(sa.Column(\"archived\", sa.Boolean(), nullable=True))\n" +
        "    op.execute(\"UPDATE project SET archived = false\")\n\n\n" +
        "def downgrade():\n    with op.batch_alter_table(\"project\") as batch_op:\n        batch_op.drop_column(\"archived\")\n",
    },
    messages: {
      early: (a: { exec: string; column: string; queued: string; line: number; table: string; what: string }) =>
        `${a.exec} inside \`batch_alter_table("${a.table}")\` runs immediately, before the queued ${a.queued} on line ${a.line} ${a.what} column "${a.column}" at the end of the block; move the execute after the \`with\` block`,
    },
  },
  check(m, ctx) {
    // Only an execute inside a batch block can be reported: nothing to do without one.
    const batchExecute = (s: Section | null): boolean => !!s && s.ops.some((o) => o.name === "execute" && o.batchBlock !== null);
    if (!m.pairs.some((p) => batchExecute(p.upgrade) || batchExecute(p.downgrade))) return;
    for (const { section, sim } of simulateMigration(m, { enumTypes: ctx.dialect === "postgresql" })) {
      for (const block of section.batchBlocks) {
        if (!block.table) continue;
        const queued = section.ops.filter((o) => o.batchBlock === block.id && o.batch && o.name !== "execute" && !o.conditional);
        const candidates: { column: string; op: typeof queued[number]; what: string; onlyIfBefore: boolean }[] = [];
        for (const q of queued) {
          if (q.name === "add_column" && q.column?.name) candidates.push({ column: q.column.name, op: q, what: "adds", onlyIfBefore: false });
          if (q.name === "alter_column") {
            const c = asString(q.args.column_name);
            const n = asString(q.args.new_column_name);
            // A rename: SQL using the new name runs while only the old one exists. A type change
            // written before the SQL: the SQL still sees the old type. (Nullability, default and
            // comment changes work either way round, so they are not reported.)
            if (c && n && n !== c) candidates.push({ column: n, op: q, what: "renames to", onlyIfBefore: false });
            else if (c && q.args.type_ !== undefined && q.args.type_ !== null) candidates.push({ column: c, op: q, what: "changes the type of", onlyIfBefore: true });
          }
        }
        if (candidates.length === 0) continue;
        for (const ex of section.ops) {
          if (ex.name !== "execute" || ex.batchBlock !== block.id || !sim.reportable(ex)) continue;
          const { literal, text } = executeText(ex);
          if (!text) continue;
          if (literal && !mentions(text, block.table)) continue;
          const hit = candidates.find((c) => (!c.onlyIfBefore || c.op.order < ex.order) && mentions(text, c.column));
          if (!hit) continue;
          ctx.report({
            at: ex,
            message: "early",
            data: { exec: `${ex.batch ? "batch_op" : "op"}.execute(...)`, column: hit.column, queued: opLabel(hit.op), line: hit.op.span.line, table: block.table, what: hit.what },
            related: [{ span: hit.op.span, message: `queued until the end of the batch block` }],
          });
        }
      }
    }
  },
});
