import { defineRule } from "../src/engine/rule.js";
import { normalizeType, sameType } from "../src/analysis/sqltypes.js";
import type { Migration, Op, Section, TypeSpec } from "../src/model.js";
import { Creations, literalSql, mayReport, otherSection, tableLabel } from "../src/analysis/data-loss.js";
import { mentions } from "../src/analysis/schema.js";

const sameTable = (a: Op, b: Op) => a.table === b.table && (a.schema ?? null) === (b.schema ?? null);

/** The dropped column's type, from the other function re-adding it (what autogenerate writes). */
function droppedType(m: Migration, s: Section, drop: Op, column: string): TypeSpec | null {
  const other = otherSection(m, s);
  for (const o of other?.ops ?? []) {
    if (o.name === "add_column" && sameTable(o, drop) && o.column?.name === column) return o.column.type;
  }
  return null;
}

/** 2: same type; 1: compatible or unknown; 0: different kinds of data (not a rename). */
function typeScore(a: TypeSpec | null, b: TypeSpec | null): number {
  const na = normalizeType(a);
  const nb = normalizeType(b);
  if (!na || !nb) return 1;
  if (sameType(na, nb)) return 2;
  return na.family === nb.family ? 1 : 0;
}

/** Longest common prefix + suffix, a cheap name similarity. */
function similarity(a: string, b: string): number {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let q = 0;
  while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
  return p + q;
}

export default defineRule({
  meta: {
    code: "ALM307",
    name: "drop-and-add-column",
    severity: "warning",
    category: "data-loss",
    precision: "medium",
    docs: {
      summary: "The upgrade drops a column and adds another to the same table: likely a rename that discards the data",
      rationale:
        "Alembic autogenerate cannot detect renames: renaming `email_address` to `email` in the model produces " +
        "`op.add_column(\"user\", sa.Column(\"email\", ...))` plus `op.drop_column(\"user\", \"email_address\")`, " +
        "which creates an empty column and deletes the old values. Write the rename instead:\n\n" +
        "```python\nop.alter_column(\"user\", \"email_address\", new_column_name=\"email\")\n```\n\n" +
        "and `op.alter_column(\"user\", \"email\", new_column_name=\"email_address\")` in `downgrade()`. If the " +
        "new column really is different, copy or convert the data before dropping the old one (an `UPDATE` " +
        "between the two silences this rule), or record the decision with a suppression.\n\n" +
        "Each dropped column is paired with at most one added column of the same kind of type (string with " +
        "string, number with number...), preferring the same type and a similar name; the finding is at the " +
        "`drop_column`, with the `add_column` as related location.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.add_column("user", sa.Column("email", sa.String(length=255), nullable=True))\n' +
        '    op.drop_column("user", "email_address")\n\n\n' +
        'def downgrade():\n    op.add_column("user", sa.Column("email_address", sa.VARCHAR(length=255), nullable=True))\n' +
        '    op.drop_column("user", "email")\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n    op.alter_column("user", "email_address", new_column_name="email")\n\n\n' +
        'def downgrade():\n    op.alter_column("user", "email", new_column_name="email_address")\n',
      peers: "django's makemigrations asks \"Did you rename ...?\"; Alembic autogenerate does not",
    },
    messages: {
      dropAndAdd: (a: { table: string; dropped: string; added: string; rename: string }) =>
        `the upgrade drops column "${a.dropped}" of ${a.table} and adds "${a.added}" to the same table: if this is a rename, ` +
        `the values of "${a.dropped}" are discarded; write ${a.rename} instead (and the reverse rename in downgrade()), ` +
        `or copy the data into "${a.added}" before the drop`,
    },
  },
  check(m, ctx) {
    for (const s of m.sections) {
      if (s.role !== "upgrade" || s.unanalyzed.length > 0) continue;
      const created = new Creations(s);
      const sqlTexts: string[] = [];
      let opaqueData = false;
      for (const o of s.ops) {
        if (o.name === "execute") {
          const sql = literalSql(o);
          if (sql !== null) sqlTexts.push(sql);
          else opaqueData = true;
        } else if (o.name === "bulk_insert") opaqueData = true;
      }
      if (opaqueData) continue;
      const copied = (name: string) => sqlTexts.some((t) => mentions(t, name));
      const drops = s.ops.filter((op) => {
        if (op.name !== "drop_column" || !mayReport(m, s, op)) return false;
        const c = op.args.column_name;
        return typeof c === "string" && !created.column(op.schema, op.table!, c, op.order);
      });
      const droppedNames = (op: Op) => drops.filter((d) => sameTable(d, op)).map((d) => d.args.column_name as string);
      const adds = s.ops.filter(
        (op) => op.name === "add_column" && !op.conditional && !op.dynamicTable && op.table !== null && op.column?.name && !droppedNames(op).includes(op.column.name),
      );
      const used = new Set<Op>();
      for (const drop of drops) {
        const column = drop.args.column_name as string;
        if (copied(column)) continue;
        const oldType = droppedType(m, s, drop, column);
        let best: { add: Op; score: number; sim: number } | null = null;
        for (const add of adds) {
          if (used.has(add) || !sameTable(add, drop) || copied(add.column!.name!)) continue;
          const score = typeScore(oldType, add.column!.type);
          if (score === 0) continue;
          const sim = similarity(column, add.column!.name!);
          // Without the same known type on both sides only a name resemblance suggests a
          // rename (`email` → `email_address`); `job_id` INTEGER vs `last_heartbeat_at` of an
          // application-defined type is two unrelated changes.
          if (score < 2 && sim < Math.max(3, Math.ceil(0.4 * Math.min(column.length, add.column!.name!.length)))) continue;
          if (!best || score > best.score || (score === best.score && sim > best.sim)) best = { add, score, sim };
        }
        if (!best) continue;
        used.add(best.add);
        const added = best.add.column!.name!;
        const schemaKw = drop.schema ? `, schema=${JSON.stringify(drop.schema)}` : "";
        ctx.report({
          at: drop,
          message: "dropAndAdd",
          data: {
            table: tableLabel(drop.schema, drop.table),
            dropped: column,
            added,
            rename: `op.alter_column(${JSON.stringify(drop.table)}, ${JSON.stringify(column)}, new_column_name=${JSON.stringify(added)}${schemaKw})`,
          },
          related: [{ span: best.add.span, message: `"${added}" is added here` }],
          fingerprint: `drop_and_add:${drop.schema ?? ""}.${drop.table}.${column}->${added}`,
        });
      }
    }
  },
});
