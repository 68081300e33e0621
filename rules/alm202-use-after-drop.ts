import { defineRule } from "../src/engine/rule.js";
import { describeRef, eventLabel, opLabel, simulateMigration, spanOfStep, stepLine } from "../src/analysis/schema.js";

export default defineRule({
  meta: {
    code: "ALM202",
    name: "use-after-drop",
    severity: "error",
    category: "ordering",
    precision: "high",
    docs: {
      summary: "An operation uses an object after the same function dropped or renamed it",
      rationale:
        "Once a function has dropped a table, column, index or type, later operations on it fail; after `rename_table` or " +
        "`alter_column(..., new_column_name=...)` the old name no longer exists. Typical causes: a downgrade that drops the " +
        "table before dropping its indexes (autogenerate drops indexes first), operations copied from before a rename, a " +
        "Postgres enum type dropped before the column that uses it.\n\n" +
        "Move the operation before the drop, or use the new name after a rename. Dropping a table already drops its " +
        "indexes and constraints, so an explicit drop of those, if kept, must come first.",
      bad:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.create_table(\"invoice\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"number\", sa.String(32)))\n" +
        "    op.create_index(\"ix_invoice_number\", \"invoice\", [\"number\"])\n\n\n" +
        "def downgrade():\n    op.drop_table(\"invoice\")\n    op.drop_index(\"ix_invoice_number\", table_name=\"invoice\")\n",
      good:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.create_table(\"invoice\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"number\", sa.String(32)))\n" +
        "    op.create_index(\"ix_invoice_number\", \"invoice\", [\"number\"])\n\n\n" +
        "def downgrade():\n    op.drop_index(\"ix_invoice_number\", table_name=\"invoice\")\n    op.drop_table(\"invoice\")\n",
    },
    messages: {
      useAfterDrop: (a: { op: string; object: string; dropper: string; line: number; how: string }) =>
        `${a.op} uses ${a.object} after ${a.dropper} on line ${a.line} ${a.how}; move this operation above ${a.dropper}`,
      useAfterRename: (a: { op: string; object: string; renamer: string; line: number; newName: string }) =>
        `${a.op} uses ${a.object} after ${a.renamer} on line ${a.line} renamed it to "${a.newName}"; use "${a.newName}" here (or move this operation above the rename)`,
      dropAfterRename: (a: { op: string; object: string; renamer: string; line: number; newName: string }) =>
        `${a.op} drops ${a.object} after ${a.renamer} on line ${a.line} renamed it to "${a.newName}": as written it fails, and dropping "${a.newName}" ` +
        `instead would throw away what the rename keeps; remove this drop if the rename is what you meant, or remove the rename if the object is meant to go`,
    },
  },
  check(m, ctx) {
    for (const { sim } of simulateMigration(m, { enumTypes: ctx.dialect === "postgresql" })) {
      for (const step of sim.steps) {
        if (step.kind !== "op") continue;
        const op = step.op;
        if (!sim.reportable(op)) continue;
        // `drop_*(..., if_exists=True)` of something already gone is a no-op, not an error.
        if (op.name.startsWith("drop_") && op.args.if_exists === true) continue;
        for (const ref of sim.usesOf(op)) {
          const st = sim.state(ref, step.pos);
          if (st.state === "exists") continue;
          if (st.state === "unknown") {
            // A maybe-dropped table makes everything on it unknown too.
            if (sim.prev(ref, step.pos) || sim.history(ref).some((e) => e.pos < step.pos)) break;
            continue;
          }
          const e = st.event!;
          if (e.cascade === "column") break; // ALM204 reports the late drop of an index or constraint
          const related = [{ span: spanOfStep(e.step), message: `${describeRef(ref)} is ${e.action === "rename-from" ? "renamed" : "dropped"} here` }];
          if (e.action === "rename-from" && e.otherName) {
            // Dropping the very object just renamed: neither name nor place makes it right.
            const dropsIt = op.name === `drop_${ref.kind}`;
            ctx.report({ at: op, message: dropsIt ? "dropAfterRename" : "useAfterRename", data: { op: opLabel(op), object: describeRef(ref), renamer: eventLabel(e, m.source), line: stepLine(e.step), newName: e.otherName }, related });
          } else {
            let how = e.cascade === "table" ? `dropped it together with its table` : `dropped it`;
            if (ref.kind === "table" && (op.name === "drop_index" || op.name === "drop_constraint")) how += ` (and with it its indexes and constraints, so this drop can also simply be removed)`;
            ctx.report({ at: op, message: "useAfterDrop", data: { op: opLabel(op), object: describeRef(ref), dropper: eventLabel(e, m.source), line: stepLine(e.step), how }, related });
          }
          break;
        }
      }
    }
  },
});
