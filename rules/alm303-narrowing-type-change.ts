import { defineRule } from "../src/engine/rule.js";
import { isNarrowing, normalizeType, typeText } from "../src/analysis/sqltypes.js";
import type { Migration, Op, Section, Value } from "../src/model.js";
import { Creations, mayReport, otherSection, tableLabel } from "../src/analysis/data-loss.js";

const given = (v: Value | undefined): v is Value => v !== undefined && v !== null;

const sameColumn = (a: Op, b: Op) =>
  a.name === "alter_column" && a.table === b.table && (a.schema ?? null) === (b.schema ?? null) && a.args.column_name === b.args.column_name;

/**
 * The column's type before this op: `existing_type`; else the type an earlier
 * alter_column in this function set; else the type the other function sets for it
 * (the downgrade restores the type the upgrade started from, and vice versa).
 */
function previousType(m: Migration, s: Section, op: Op): Value | undefined {
  if (given(op.args.existing_type)) return op.args.existing_type;
  const earlier = s.ops.filter((o) => o.order < op.order && !o.conditional && sameColumn(o, op) && given(o.args.type_));
  if (earlier.length > 0) return earlier[earlier.length - 1]!.args.type_;
  const other = otherSection(m, s);
  const there = (other?.ops ?? []).filter((o) => !o.conditional && sameColumn(o, op) && given(o.args.type_));
  return there.length > 0 ? there[there.length - 1]!.args.type_ : undefined;
}

export default defineRule({
  meta: {
    code: "ALM303",
    name: "narrowing-type-change",
    severity: "warning",
    category: "data-loss",
    precision: "high",
    docs: {
      summary: "alter_column changes a column to a narrower type that can truncate or reject existing values",
      rationale:
        "Changing a column to a narrower type (a shorter `String`/`VARCHAR`, `Text` → `String(n)`, `BigInteger` → " +
        "`Integer`, lower `Numeric` precision or scale, `Float` → integer, a double-precision float → a single-precision one " +
        "(`Float()` → `Float(precision=24)` or `REAL` on PostgreSQL), timezone-aware → naive, string → " +
        "number/boolean/date, `JSON` → a sized string, fewer enum values) either fails on existing rows " +
        "(PostgreSQL: `value too long for type character varying(50)`) or silently truncates them (MySQL without " +
        "strict mode). Reverting a widening narrows too, so downgrades are checked as well.\n\n" +
        "Check the data before narrowing (`SELECT max(length(email)) FROM account`), or keep the wider type. " +
        "When the conversion is intended, do it expand/contract: add a new column with the new type, backfill it " +
        "with an explicit conversion that handles the values that do not fit, switch the application over, then " +
        "drop the old column.\n\n" +
        "The old type comes from `existing_type` (or, when it is missing, from the type the other function sets " +
        "back). Unknown or custom types are never judged, and columns added in the same function are not reported.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.alter_column("account", "email", existing_type=sa.String(length=255), type_=sa.String(length=50))\n\n\n' +
        'def downgrade():\n    op.alter_column("account", "email", existing_type=sa.String(length=50), type_=sa.String(length=255))\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.alter_column("account", "email", existing_type=sa.String(length=255), type_=sa.Text())\n\n\n' +
        'def downgrade():\n    # keep the wider type: narrowing it back could truncate emails written since\n    pass\n',
      peers: "django-migration-linter: `ALTER_COLUMN` (any type change); squawk and strong_migrations report type changes as locking, not as data loss",
    },
    messages: {
      narrowing: (a: { table: string; column: string; from: string; to: string; reason: string; fn: string }) =>
        `${a.fn}() changes column "${a.column}" of ${a.table} from ${a.from} to ${a.to}, a narrower type (${a.reason}); ` +
        `check the existing data first or keep the wider type, ` +
        `or add a new ${a.to} column, backfill it with an explicit conversion and switch over (expand/contract)`,
    },
  },
  check(m, ctx) {
    for (const s of m.sections) {
      const created = new Creations(s);
      for (const op of s.ops) {
        if (op.name !== "alter_column" || !given(op.args.type_)) continue;
        const column = op.args.column_name;
        if (typeof column !== "string") continue;
        if (!mayReport(m, s, op, { hidden: true })) continue;
        if (created.column(op.schema, op.table!, column, op.order)) continue;
        const prev = previousType(m, s, op);
        if (prev === undefined) continue;
        const verdict = isNarrowing(prev, op.args.type_, ctx.dialect);
        if (!verdict?.narrowing) continue;
        // SQLite does not enforce string lengths: a shorter VARCHAR loses nothing there.
        if (ctx.dialect === "sqlite" && normalizeType(prev)?.family === "string" && normalizeType(op.args.type_)?.family === "string") continue;
        ctx.report({
          at: op,
          message: "narrowing",
          data: {
            table: tableLabel(op.schema, op.table),
            column,
            from: typeText(prev) ?? "?",
            to: typeText(op.args.type_) ?? "?",
            reason: verdict.reason ?? "narrower",
            fn: s.name,
          },
          fingerprint: `narrowing:${s.name}:${op.schema ?? ""}.${op.table}.${column}:${typeText(prev)}->${typeText(op.args.type_)}`,
        });
      }
    }
  },
});
