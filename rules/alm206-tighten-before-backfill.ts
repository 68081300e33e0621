import { defineRule } from "../src/engine/rule.js";
import { asString, type Migration, type Op } from "../src/model.js";
import { classifySql, columnRef, executeText, mentions, opLabel, sectionRange, simulateMigration, tableRef, type Simulation } from "../src/analysis/schema.js";

const DATA_OPS = new Set(["execute", "bulk_insert"]);
const SCHEMA_OPS = new Set([
  "create_table", "drop_table", "rename_table", "add_column", "drop_column", "alter_column", "create_index", "drop_index",
  "create_unique_constraint", "create_primary_key", "create_foreign_key", "create_check_constraint", "create_exclude_constraint",
  "drop_constraint", "create_table_comment", "drop_table_comment",
]);
/** Code that may write rows without an `op.*` call: ORM sessions, connections. */
const DATA_CODE = /\b(Session|session|sessionmaker|orm|connection|conn|bind|engine)\b|\.(execute|exec_driver_sql|query|add_all|add|merge|commit|flush|bulk_save_objects|bulk_insert_mappings|bulk_update_mappings|scalars|scalar|update|insert)\s*\(|get_bind|run_async/;

function isBackfill(op: Op, table: string, column: string): boolean {
  if (op.name === "bulk_insert") return true;
  if (op.name !== "execute") return !SCHEMA_OPS.has(op.name); // custom ops: may do anything
  const { literal, text } = executeText(op);
  if (!literal) return true;
  return classifySql(text).writesData || mentions(text, column) || mentions(text, table);
}

/** Non-op code between two ops (source order) that could write rows. */
function dataCodeBetween(m: Migration, sim: Simulation, a: Op, b: Op): boolean {
  let start: number;
  let end: number;
  const range = sectionRange(m, sim.section);
  if (a.via.length === 0 && b.via.length === 0 && a.span.end !== undefined && b.span.start !== undefined && a.span.end <= b.span.start) {
    start = a.span.end;
    end = b.span.start;
  } else if (range) {
    // Helpers involved: look at the whole function and every helper it inlined.
    start = range.start;
    end = range.end;
    if (a.via.length || b.via.length) return DATA_CODE.test(stripCode(m.source, 0, m.source.length, sim));
  } else return true;
  const code = stripCode(m.source, start, end, sim);
  if (DATA_CODE.test(code)) return true;
  // A local helper called in between may fill the column through an ORM session or a
  // connection the model does not see.
  for (const fn of m.source.matchAll(/^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)/gm)) {
    if (new RegExp(`(?<![\\w.])${fn[1]}\\s*\\(`).test(code)) return true;
  }
  return false;
}

function stripCode(src: string, start: number, end: number, sim: Simulation): string {
  const chars = src.slice(start, end).split("");
  for (const op of sim.section.ops) {
    const s = op.span.start;
    const e = op.span.end;
    if (s === undefined || e === undefined) continue;
    for (let i = Math.max(s, start); i < Math.min(e, end); i++) chars[i - start] = " ";
  }
  return chars.join("").replace(/#[^\n]*/g, "");
}

export default defineRule({
  meta: {
    code: "ALM206",
    name: "tighten-before-backfill",
    severity: "warning",
    category: "ordering",
    precision: "high",
    docs: {
      summary: "A column added in this upgrade is made NOT NULL before anything fills it",
      rationale:
        "Adding a nullable column and then tightening it with `alter_column(..., nullable=False)` is the safe three-step " +
        "pattern only when a backfill runs in between: existing rows get NULL in the new column, so `SET NOT NULL` fails on " +
        "any non-empty table (the migration passes on an empty development database and fails in production).\n\n" +
        "Fill the column between the two steps (`op.execute(\"UPDATE t SET c = ... WHERE c IS NULL\")`, `bulk_insert`, or a " +
        "Core update through `op.get_bind()`), or add the column with a `server_default`. Batch blocks count in execution " +
        "order: an `execute` inside the block that adds the column runs before the column exists.",
      bad:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column(\"order\", sa.Column(\"currency\", sa.String(3), nullable=True))\n" +
        "    op.alter_column(\"order\", \"currency\", existing_type=sa.String(3), nullable=False)\n\n\n" +
        "def downgrade():\n    op.drop_column(\"order\", \"currency\")\n",
      good:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column(\"order\", sa.Column(\"currency\", sa.String(3), nullable=True))\n" +
        "    op.execute(\"UPDATE \\\"order\\\" SET currency = 'EUR' WHERE currency IS NULL\")\n" +
        "    op.alter_column(\"order\", \"currency\", existing_type=sa.String(3), nullable=False)\n\n\n" +
        "def downgrade():\n    op.drop_column(\"order\", \"currency\")\n",
      peers: "strong_migrations suggests the same add / backfill / validate sequence for NOT NULL columns.",
    },
    messages: {
      noBackfill: (a: { op: string; table: string; column: string; adder: string; line: number }) =>
        `${a.op} makes "${a.table}.${a.column}" NOT NULL, but ${a.adder} on line ${a.line} added it without a server_default and nothing fills it in between, ` +
        `so existing rows hold NULL and this fails on a non-empty table; backfill between them, e.g. op.execute("UPDATE ${a.table} SET ${a.column} = ... WHERE ${a.column} IS NULL"), or give the column a server_default`,
    },
  },
  check(m, ctx) {
    for (const { section, sim } of simulateMigration(m, { enumTypes: ctx.dialect === "postgresql" })) {
      if (section.role !== "upgrade") continue;
      for (const step of sim.steps) {
        if (step.kind !== "op") continue;
        const op = step.op;
        if (op.name !== "alter_column" || op.args.nullable !== false || !op.table || !sim.reportable(op)) continue;
        const column = asString(op.args.column_name);
        if (!column) continue;
        const T = op.table;
        const st = sim.state(columnRef(op.schema, T, column), step.pos);
        const add = st.state === "exists" ? st.event?.origin : undefined;
        if (!add || add.name !== "add_column" || add.conditional || !add.column) continue;
        const col = add.column;
        if (col.serverDefault !== undefined || col.nullable === false || col.primaryKey) continue;
        if (/\b(Identity|Computed|Sequence)\s*\(/.test(col.text)) continue;
        const addPos = sim.posOf(add);
        if (addPos < 0 || addPos >= step.pos) continue;
        const addTable = add.table ?? T;
        if (sim.state(tableRef(add.schema, addTable), addPos).state === "exists") continue; // new table: no rows
        if (sim.barrierBetween(addPos, step.pos, [T, column])) continue;
        const between = sim.steps.filter((s) => s.pos > addPos && s.pos < step.pos);
        if (between.some((s) => s.kind === "op" && (DATA_OPS.has(s.op.name) || !SCHEMA_OPS.has(s.op.name)) && isBackfill(s.op, T, column))) continue;
        if (dataCodeBetween(m, sim, add, op)) continue;
        ctx.report({
          at: op,
          message: "noBackfill",
          data: { op: opLabel(op), table: T, column, adder: opLabel(add), line: add.span.line },
          related: [{ span: add.span, message: `column "${T}.${column}" is added here without server_default` }],
        });
      }
    }
  },
});
