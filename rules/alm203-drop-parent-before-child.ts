import { defineRule } from "../src/engine/rule.js";
import { asString } from "../src/model.js";
import { executeText, opLabel, simulateMigration, type ForeignKeyEdge } from "../src/analysis/schema.js";

function fkText(e: ForeignKeyEdge): string {
  const name = e.name ? `"${e.name}" ` : "";
  return `foreign key ${name}from "${e.table}"${e.columns.length ? ` (${e.columns.join(", ")})` : ""}`;
}

export default defineRule({
  meta: {
    code: "ALM203",
    name: "drop-parent-before-child",
    severity: "error",
    category: "ordering",
    precision: "high",
    docs: {
      summary: "A table or referenced column is dropped while a foreign key created in this file still references it",
      rationale:
        "A database refuses to drop a table (or the column or primary key a foreign key points at) while another table's " +
        "foreign key still references it (Postgres: `cannot drop table ... because other objects depend on it`). This " +
        "typically happens in a downgrade written in upgrade order: the upgrade creates the parent, then the child; the " +
        "downgrade must drop the child first (or drop its foreign key), exactly as autogenerate's mirrored downgrade does.\n\n" +
        "Only foreign keys this file declares are considered (in either function: the other function's final state is " +
        "this function's starting state).",
      bad:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n" +
        "    op.create_table(\"author\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n" +
        "    op.create_table(\"book\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"author_id\", sa.Integer(), sa.ForeignKey(\"author.id\")))\n\n\n" +
        "def downgrade():\n    op.drop_table(\"author\")\n    op.drop_table(\"book\")\n",
      good:
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n" +
        "    op.create_table(\"author\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n" +
        "    op.create_table(\"book\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"author_id\", sa.Integer(), sa.ForeignKey(\"author.id\")))\n\n\n" +
        "def downgrade():\n    op.drop_table(\"book\")\n    op.drop_table(\"author\")\n",
    },
    messages: {
      dropParent: (a: { op: string; object: string; fk: string; fix: string; more: number }) =>
        `${a.op} drops ${a.object} while the ${a.fk} still references it${a.more > 0 ? ` (and ${a.more} more)` : ""}; ` +
        `remove the reference first: ${a.fix} must come before ${a.op}`,
    },
  },
  check(m, ctx) {
    for (const { sim } of simulateMigration(m, { enumTypes: false })) {
      // Position of the first execute that switches foreign key checks off (computed once, on demand).
      let checksOffAt: number | undefined;
      const firstChecksOff = (): number => {
        if (checksOffAt === undefined) {
          const s = sim.steps.find(
            (s) => s.kind === "op" && s.op.name === "execute" && /foreign_key_checks\s*=\s*(0|off|false)|foreign_keys\s*=\s*(0|off|false)/i.test(executeText(s.op).text),
          );
          checksOffAt = s ? s.pos : Infinity;
        }
        return checksOffAt;
      };
      for (const step of sim.steps) {
        if (step.kind !== "op") continue;
        const op = step.op;
        if (!op.table || !sim.reportable(op)) continue;
        const P = op.table;
        const schema = op.schema;
        let matches: (e: ForeignKeyEdge) => boolean;
        let object: string;
        if (op.name === "drop_table") {
          matches = () => true;
          object = `table "${P}"`;
        } else if (op.name === "drop_column") {
          const c = asString(op.args.column_name);
          if (!c) continue;
          matches = (e) => e.refColumns.includes(c);
          object = `column "${P}.${c}"`;
        } else if (op.name === "drop_constraint" && op.args.type_ === "primary") {
          matches = () => true;
          object = `the primary key of "${P}"`;
        } else continue;
        // MySQL/SQLite: foreign key checks switched off before the drops.
        if (firstChecksOff() < step.pos) continue;
        const edges = sim
          .liveForeignKeys(step.pos)
          .filter((e) => !e.maybe && e.refTable === P && e.refSchema === schema && !(e.table === P && e.schema === schema) && matches(e))
          .filter((e) => !sim.barrierBetween(e.created, step.pos, [e.table, P, ...(e.name ? [e.name] : [])]));
        const first = edges[0];
        if (!first) continue;
        const col = first.columns.length === 1 ? first.columns[0] : undefined;
        const fix =
          first.op.name === "create_table"
            ? `op.drop_table("${first.table}")`
            : first.name
              ? `op.drop_constraint("${first.name}", "${first.table}", type_="foreignkey")`
              : col
                ? `op.drop_column("${first.table}", "${col}")`
                : `dropping the foreign key of "${first.table}"`;
        ctx.report({
          at: op,
          message: "dropParent",
          data: { op: opLabel(op), object, fk: fkText(first), fix, more: edges.length - 1 },
          related: edges.map((e) => ({ span: e.op.span, message: `${fkText(e)} to "${e.refTable}" is declared here` })),
        });
      }
    }
  },
});
