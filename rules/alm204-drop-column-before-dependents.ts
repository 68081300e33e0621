import { defineRule } from "../src/engine/rule.js";
import { asString } from "../src/model.js";
import { columnRef, describedConstraint, describedIndex, indexRef, constraintRef, opLabel, simulateMigration, tableRef, type LifeEvent } from "../src/analysis/schema.js";

export default defineRule({
  meta: {
    code: "ALM204",
    name: "drop-column-before-dependents",
    severity: "error",
    category: "ordering",
    precision: "high",
    docs: {
      summary: "An index or constraint on a column is dropped after the column itself",
      rationale:
        "Dropping a column takes the indexes and constraints over it along (Postgres, MySQL) or is refused while they exist " +
        "(SQLite: `error in index ... after drop column`). Either way a `drop_index`/`drop_constraint` that comes after " +
        "`drop_column` of a column it covers fails: the object is already gone, or the column drop never succeeds.\n\n" +
        "Drop the index or constraint first, then the column, as autogenerate's mirrored downgrade does. Which columns an " +
        "index or constraint covers is taken from its definition anywhere in the file (e.g. the upgrade's `create_index`).",
      bad:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column(\"customer\", sa.Column(\"vat_number\", sa.String(32), nullable=True))\n" +
        "    op.create_index(\"ix_customer_vat_number\", \"customer\", [\"vat_number\"])\n\n\n" +
        "def downgrade():\n    op.drop_column(\"customer\", \"vat_number\")\n    op.drop_index(\"ix_customer_vat_number\", table_name=\"customer\")\n",
      good:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column(\"customer\", sa.Column(\"vat_number\", sa.String(32), nullable=True))\n" +
        "    op.create_index(\"ix_customer_vat_number\", \"customer\", [\"vat_number\"])\n\n\n" +
        "def downgrade():\n    op.drop_index(\"ix_customer_vat_number\", table_name=\"customer\")\n    op.drop_column(\"customer\", \"vat_number\")\n",
    },
    messages: {
      lateDrop: (a: { op: string; object: string; column: string; dropper: string; line: number }) =>
        `${a.op} drops ${a.object} over column "${a.column}" after ${a.dropper} on line ${a.line} already dropped that column; move ${a.op} above ${a.dropper}`,
    },
  },
  check(m, ctx) {
    for (const { sim } of simulateMigration(m, { enumTypes: false })) {
      for (const step of sim.steps) {
        if (step.kind !== "op") continue;
        const op = step.op;
        if ((op.name !== "drop_index" && op.name !== "drop_constraint") || !sim.reportable(op)) continue;
        if (op.args.if_exists === true) continue; // a no-op once the column took it along
        const name = asString(op.name === "drop_index" ? op.args.index_name : op.args.constraint_name);
        if (!name) continue;
        const schema = op.schema;
        let table: string | null = op.table;
        let columns: string[] | null = null;
        let object: string;
        if (op.name === "drop_index") {
          object = `index "${name}"`;
          const own = sim.history(indexRef(schema, name)).filter((e) => e.pos < step.pos && e.action === "create").pop();
          if (own && own.step.kind === "op" && own.step.op.name === "create_index") {
            table = table ?? own.step.op.table;
            columns = own.step.op.args.columns ? (Array.isArray(own.step.op.args.columns) ? own.step.op.args.columns.filter((c): c is string => typeof c === "string") : typeof own.step.op.args.columns === "string" ? [own.step.op.args.columns] : null) : null;
          }
          if (!columns) {
            const d = describedIndex(sim.catalog, name, table);
            if (d) {
              table = table ?? d.table;
              columns = d.columns;
            }
          }
        } else {
          object = `constraint "${name}"`;
          if (!table) continue;
          const d = describedConstraint(sim.catalog, table, name);
          if (d) columns = d.columns;
          const own = sim.history(constraintRef(schema, table, name)).filter((e) => e.pos < step.pos && e.action === "create").pop();
          if (!columns && own && own.step.kind === "op") {
            const o = own.step.op;
            const v = o.name === "create_foreign_key" ? o.args.local_cols : o.args.columns;
            columns = Array.isArray(v) ? v.filter((c): c is string => typeof c === "string") : null;
          }
        }
        if (!table || !columns || columns.length === 0) continue;
        if (sim.state(tableRef(schema, table), step.pos).state === "gone") continue; // ALM202
        let hit: { column: string; e: LifeEvent } | null = null;
        for (const c of columns) {
          const st = sim.state(columnRef(schema, table, c), step.pos);
          if (st.state === "gone" && st.event && st.event.action === "drop" && !st.event.cascade && !st.event.maybe) {
            hit = { column: c, e: st.event };
            break;
          }
        }
        if (!hit || hit.e.step.kind !== "op") continue;
        const dropper = opLabel(hit.e.step.op);
        ctx.report({
          at: op,
          message: "lateDrop",
          data: { op: opLabel(op), object, column: hit.column, dropper, line: hit.e.step.op.span.line },
          related: [{ span: hit.e.step.op.span, message: `column "${table}.${hit.column}" is dropped here` }],
        });
      }
    }
  },
});
