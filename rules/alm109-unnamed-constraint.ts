import { defineRule } from "../src/engine/rule.js";
import { CREATE_CONSTRAINT_KIND, describeOp } from "../src/analysis/inverse.js";
import { suggestedConstraintName, type ConstraintKind } from "../src/analysis/names.js";
import { pairOf, type Migration, type Op, type Section } from "../src/model.js";

const KINDS: Record<string, ConstraintKind> = {
  create_foreign_key: "foreignkey",
  create_unique_constraint: "unique",
  create_check_constraint: "check",
  create_primary_key: "primary",
};

/** The naming-convention form: the other function targets a named constraint of this kind on the table. */
function namedCounterpart(op: Op, other: Section | null): boolean {
  const kind = KINDS[op.name];
  for (const o of other?.ops ?? []) {
    if (o.table !== op.table || typeof o.args.constraint_name !== "string") continue;
    if (o.name === "drop_constraint" && (o.args.type_ === undefined || o.args.type_ === null || o.args.type_ === kind)) return true;
  }
  return false;
}

function batchHasNamingConvention(m: Migration, section: Section, op: Op): boolean {
  if (op.batchBlock === null) return false;
  const b = section.batchBlocks[op.batchBlock];
  if (!b || b.span.start === undefined || b.span.end === undefined) return false;
  return /naming_convention\s*=/.test(m.source.slice(b.span.start, b.span.end));
}

export default defineRule({
  meta: {
    code: "ALM109",
    name: "unnamed-constraint",
    severity: "error",
    category: "reversibility",
    precision: "high",
    docs: {
      summary: "A constraint is created or dropped with the name None",
      rationale:
        "Autogenerate writes `op.create_foreign_key(None, ...)` when the model gives no name, and pairs it with " +
        "`op.drop_constraint(None, ...)`. The database then picks a name the downgrade cannot know, and " +
        "`drop_constraint(None, ...)` always fails at run time (`Can't emit DROP CONSTRAINT for constraint ... it has " +
        "no name`). Give the constraint an explicit name on both sides (or configure a naming convention on the " +
        "metadata and use the generated name with `op.f(...)`).",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.create_foreign_key(None, "invoice", "customer", ["customer_id"], ["id"])\n\n\ndef downgrade():\n    op.drop_constraint(None, "invoice", type_="foreignkey")\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.create_foreign_key("fk_invoice_customer_id_customer", "invoice", "customer", ["customer_id"], ["id"])\n\n\ndef downgrade():\n    op.drop_constraint("fk_invoice_customer_id_customer", "invoice", type_="foreignkey")\n',
    },
    messages: {
      create: (a: { call: string; example: string }) =>
        `${a.call} creates a constraint without a name: the database picks one that the downgrade cannot target; ` +
        `name it explicitly, e.g. ${a.example}, and drop it by that name`,
      drop: (a: { call: string }) =>
        `${a.call} has no constraint name and always fails at run time ("it has no name"): pass the constraint's real name`,
    },
  },
  check(m, ctx) {
    for (const section of m.sections) {
      if (section.dispatcher) continue;
      const pair = pairOf(m, section);
      const other = (section.role === "upgrade" ? pair?.downgrade : pair?.upgrade) ?? null;
      for (const op of section.ops) {
        if (op.conditional || op.dynamicTable) continue;
        if (op.args.constraint_name !== null) continue;
        if (op.name === "drop_constraint") {
          ctx.report({ at: op, message: "drop", data: { call: describeOp(op) }, fingerprint: `drop:${op.table}` });
        } else if (op.name in KINDS && op.name in CREATE_CONSTRAINT_KIND) {
          if (namedCounterpart(op, other) || batchHasNamingConvention(m, section, op)) continue;
          const cols = op.args.local_cols ?? op.args.columns;
          const example = JSON.stringify(suggestedConstraintName(KINDS[op.name]!, op.table, cols, op.args.referent_table));
          ctx.report({ at: op, message: "create", data: { call: describeOp(op), example }, fingerprint: `create:${op.name}:${op.table}` });
        }
      }
    }
  },
});
