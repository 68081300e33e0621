import { defineRule } from "../src/engine/rule.js";
import type { Migration, Op, Section } from "../src/model.js";
import { Creations, createsTablesOutsideOps, mayReport, otherSection, statementsOf, sqlNameMatches, tableLabel } from "../src/analysis/data-loss.js";

/** Columns whose values the database generates: they do not need a server default. */
const GENERATED = /\b(Identity|Computed|Sequence|DefaultClause|FetchedValue)\s*\(|autoincrement\s*=\s*True/;
/** `sa.Column(..., **kw)` / `*args`: arguments we cannot see (a server default may hide there). */
const SPREAD = /[(,]\s*\*{1,2}\s*[\w({[]/;

/** An earlier statement in the section empties the table (DELETE without WHERE, TRUNCATE). */
function emptiedBefore(s: Section, op: Op): boolean {
  return s.ops.some(
    (o) =>
      o.order < op.order &&
      statementsOf(o).some(
        (st) => (st.kind === "truncate" || (st.kind === "delete" && !st.hasWhere)) && st.targets.some((t) => sqlNameMatches(t, op.schema, op.table!)),
      ),
  );
}

function consequence(dialect: string): string {
  switch (dialect) {
    case "mysql":
      return "MySQL silently fills existing rows with the type's implicit default ('' or 0), which is rarely the intended value";
    case "sqlite":
      return "SQLite refuses it even on an empty table (Cannot add a NOT NULL column with default value NULL)";
    default:
      return "it fails as soon as the table has a row (column contains null values)";
  }
}

export default defineRule({
  meta: {
    code: "ALM304",
    name: "not-null-without-default",
    severity: "error",
    category: "data-loss",
    precision: "very-high",
    docs: {
      summary: "add_column adds a NOT NULL column without server_default to an existing table",
      rationale:
        "Adding a `NOT NULL` column to a table that already has rows needs a value for those rows. Without " +
        "`server_default` the database has none: PostgreSQL fails with `column contains null values`, SQLite " +
        "refuses the statement outright, and MySQL silently stores the type's implicit default (`''`, `0`). A " +
        "Python-side `default=` does not help: it only applies to rows inserted later by SQLAlchemy.\n\n" +
        "Either give the column a server default (`server_default=sa.text(\"false\")`, `server_default=\"0\"`), " +
        "or do it in three steps: add the column nullable, backfill it (`op.execute(\"UPDATE ...\")`), then " +
        "`op.alter_column(..., nullable=False)`.\n\n" +
        "Tables created by the same migration, tables emptied just before (`DELETE`/`TRUNCATE`), primary-key, " +
        "identity and computed columns are not reported. Downgrades are checked too: re-adding a dropped " +
        "`NOT NULL` column fails the rollback the same way.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.add_column("account", sa.Column("is_verified", sa.Boolean(), nullable=False))\n\n\n' +
        'def downgrade():\n    op.drop_column("account", "is_verified")\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.add_column("account", sa.Column("is_verified", sa.Boolean(), nullable=False, server_default=sa.false()))\n\n\n' +
        'def downgrade():\n    op.drop_column("account", "is_verified")\n',
      peers: 'strong_migrations: "Adding a column with a non-null default" (older PG); django-migration-linter: `NOT_NULL`; squawk: `adding-required-field`',
    },
    messages: {
      notNull: (a: { table: string; column: string; consequence: string; withDefault: string; nullableCall: string; tighten: string }) =>
        `adding NOT NULL column "${a.column}" to existing table ${a.table} without server_default: ${a.consequence}; ` +
        `give it a server default (${a.withDefault}), or add it nullable (${a.nullableCall}), backfill it with an UPDATE, ` +
        `then ${a.tighten}`,
    },
  },
  check(m: Migration, ctx) {
    if (createsTablesOutsideOps(m)) return;
    for (const s of m.sections) {
      const here = new Creations(s);
      const other = s.role === "downgrade" ? new Creations(otherSection(m, s)) : null;
      for (const op of s.ops) {
        if (op.name !== "add_column" || !op.column) continue;
        const col = op.column;
        if (col.nullable !== false || col.serverDefault !== undefined || col.primaryKey || col.name === null) continue;
        if (GENERATED.test(col.text) || SPREAD.test(col.text)) continue;
        if (!mayReport(m, s, op, { hidden: true })) continue;
        if (here.table(op.schema, op.table!, op.order) || other?.table(op.schema, op.table!)) continue;
        if (emptiedBefore(s, op)) continue;
        const schemaKw = op.schema ? `, schema=${JSON.stringify(op.schema)}` : "";
        const colText = col.text.replace(/\s+/g, " ");
        const nullableCol = colText.replace(/nullable\s*=\s*False/, "nullable=True");
        const withDefault = colText.replace(/nullable\s*=\s*False/, 'nullable=False, server_default=...');
        const prefix = op.batch ? "batch_op." : "op.";
        const tableArg = op.batch ? "" : `${JSON.stringify(op.table)}, `;
        ctx.report({
          at: op,
          message: "notNull",
          data: {
            table: tableLabel(op.schema, op.table),
            column: col.name,
            consequence: consequence(ctx.dialect),
            withDefault: `${prefix}add_column(${tableArg}${withDefault}${op.batch ? "" : schemaKw})`,
            nullableCall: `${prefix}add_column(${tableArg}${nullableCol}${op.batch ? "" : schemaKw})`,
            tighten: `${prefix}alter_column(${tableArg}${JSON.stringify(col.name)}, ${col.type ? `existing_type=${col.type.text.replace(/\s+/g, " ")}, ` : ""}nullable=False${op.batch ? "" : schemaKw})`,
          },
          fingerprint: `not_null:${s.name}:${op.schema ?? ""}.${op.table}.${col.name}`,
        });
      }
    }
  },
});
