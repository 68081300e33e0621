import { defineRule } from "../src/engine/rule.js";
import { normalizeType, pgRewriteFree, typeText } from "../src/analysis/sqltypes.js";
import { isExpr, type Migration, type Op, type Section, type Value } from "../src/model.js";
import { CHECK_DOWNGRADE_OPTION, alterActions, checkedSections, mayReport, newObjects, otherSection, tableLabel } from "../src/analysis/online-safety.js";
import { FileCache } from "../src/analysis/file-cache.js";

const given = (v: Value | undefined): v is Value => v !== undefined && v !== null;

/** Both sides name the same Postgres enum type (`sa.Enum(..., name="status")`): no new column type. */
function sameNamedEnum(a: Value, b: Value): boolean {
  const name = (v: Value): string | undefined => {
    if (!isExpr(v) || !v.call || !/(^|\.)(Enum|ENUM)$/.test(v.call.callee)) return undefined;
    const n = v.call.kwargs.name;
    return typeof n === "string" ? n : undefined;
  };
  const x = name(a);
  return x !== undefined && x === name(b);
}

/**
 * The column's type before this op: `existing_type`, else the type an earlier
 * alter_column in this function set, else the type the other function sets back.
 */
const typeCache = new FileCache<Section, Map<string, Op[]>>();

/** alter_column ops that set `type_`, by (schema, table, column), in execution order. */
function typeChanges(s: Section): Map<string, Op[]> {
  let out = typeCache.get(s);
  if (!out) {
    out = new Map();
    for (const o of s.ops) {
      if (o.name !== "alter_column" || o.conditional || !given(o.args.type_)) continue;
      const k = columnKey(o);
      out.set(k, [...(out.get(k) ?? []), o]);
    }
    typeCache.set(s, out);
  }
  return out;
}

const columnKey = (o: Op) => `${o.schema ?? ""}\0${o.table}\0${String(o.args.column_name)}`;

/**
 * The column's type before this op: `existing_type`, else the type an earlier
 * alter_column in this function set, else the type the other function sets back.
 */
function previousType(m: Migration, s: Section, op: Op): Value | undefined {
  if (given(op.args.existing_type)) return op.args.existing_type;
  const k = columnKey(op);
  const earlier = (typeChanges(s).get(k) ?? []).filter((o) => o.order < op.order);
  if (earlier.length > 0) return earlier[earlier.length - 1]!.args.type_;
  const other = otherSection(m, s);
  const back = other ? typeChanges(other).get(k) : undefined;
  return back?.[0]?.args.type_;
}

/** A type as the message shows it: cut when long (an Enum with all its values). */
function shortType(t: string): string {
  const one = t.replace(/\s+/g, " ");
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/** A type written in SQL: keywords upper-cased, quoted names as written. */
const sqlTypeLabel = (type: string) => shortType(/["`]/.test(type) ? type : type.toUpperCase());

export default defineRule({
  meta: {
    code: "ALM405",
    name: "changing-column-type",
    severity: "warning",
    category: "online-safety",
    precision: "high",
    docs: {
      summary: "alter_column(type_=...) on an existing column rewrites the table under an exclusive lock",
      rationale:
        "On PostgreSQL `ALTER COLUMN ... TYPE` rewrites the whole table and rebuilds its indexes while holding an " +
        "`ACCESS EXCLUSIVE` lock: no reads, no writes until it finishes. The old application may also fail on the " +
        "new type. Only a few changes are made without a rewrite, and those are not reported: a longer or unbounded " +
        "`VARCHAR`, `VARCHAR` → `TEXT`, a higher `NUMERIC` precision with the same scale (or an unconstrained " +
        "`NUMERIC`). For anything else, change the type in expand/contract steps:\n\n" +
        "1. add a new column with the new type;\n2. write to both columns;\n3. backfill the new column in batches;\n" +
        "4. move reads to the new column;\n5. stop writing the old column and drop it (rename the new one only " +
        "through the same steps, see ALM403).\n\n" +
        "`ALTER TABLE ... ALTER COLUMN ... TYPE` in literal SQL passed to `op.execute()` is checked too (to types other " +
        "than `VARCHAR`/`TEXT`/`NUMERIC`, since the old type is not known there). " +
        "Columns added and tables created in the same migration are not reported. When the old type is unknown " +
        "(no `existing_type`, and the downgrade does not say) the rule only fires if no rewrite-free change could " +
        "lead to the new type. PostgreSQL only; on MySQL most type changes also copy the table " +
        "(`ALGORITHM=COPY`, writes blocked) except extending a `VARCHAR` within the same length-byte size.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.alter_column("event", "id", existing_type=sa.Integer(), type_=sa.BigInteger())\n\n\n' +
        'def downgrade():\n    op.alter_column("event", "id", existing_type=sa.BigInteger(), type_=sa.Integer())\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.alter_column("event", "title", existing_type=sa.String(length=100), type_=sa.String(length=255))\n\n\n' +
        'def downgrade():\n    op.alter_column("event", "title", existing_type=sa.String(length=255), type_=sa.String(length=100))\n',
      peers: 'squawk: `changing-column-type`; strong_migrations: "Changing the type of a column"; django-migration-linter: `ALTER_COLUMN`',
    },
    messages: {
      changeType: (a: { table: string; column: string; from: string; to: string }) =>
        `changing column "${a.column}" of ${a.table}${a.from ? ` from ${a.from}` : ""} to ${a.to} rewrites the table under an ` +
        `ACCESS EXCLUSIVE lock (reads and writes blocked); instead add a new ${a.to} column, write both, backfill it ` +
        `in batches, switch reads, then drop the old column`,
    },
    options: CHECK_DOWNGRADE_OPTION,
  },
  check(m, ctx) {
    if (ctx.dialect !== "postgresql") return;
    for (const s of checkedSections(m, ctx.options)) {
      const created = newObjects(s);
      for (const op of s.ops) {
        if (op.name === "execute") {
          for (const { schema, table, action, probe } of alterActions(op)) {
            if (action.kind !== "set_type") continue;
            // The old type is unknown: only targets no rewrite-free change can lead to.
            if (/^(character\s+varying|varchar|text|numeric|decimal|citext)\b/i.test(action.type)) continue;
            if (!mayReport(m, s, op, { needTable: false })) continue;
            if (created.columnCreatedBefore(probe, action.column) || created.tableCreatedInSection(schema, table)) continue;
            ctx.report({ at: op, message: "changeType", data: { table: tableLabel(schema, table), column: action.column, from: "", to: sqlTypeLabel(action.type) } });
          }
          continue;
        }
        if (op.name !== "alter_column" || !given(op.args.type_)) continue;
        const column = op.args.column_name;
        if (typeof column !== "string") continue;
        if (!mayReport(m, s, op)) continue;
        if (created.columnCreatedBefore(op, column) || created.tableCreatedInSection(op.schema, op.table)) continue;
        const to = normalizeType(op.args.type_);
        if (!to) continue;
        const prev = previousType(m, s, op);
        if (prev !== undefined && sameNamedEnum(prev, op.args.type_)) continue; // the type itself is altered elsewhere
        if (prev !== undefined) {
          if (pgRewriteFree(prev, op.args.type_) !== false) continue;
        } else if (to.family === "string" || to.family === "numeric" || to.family === "other") {
          continue; // could be a rewrite-free widening from an unknown type
        }
        ctx.report({
          at: op,
          message: "changeType",
          data: {
            table: tableLabel(op.schema, op.table),
            column,
            from: prev !== undefined ? shortType(typeText(prev) ?? "") : "",
            to: shortType(typeText(op.args.type_) ?? to.text),
          },
        });
      }
    }
  },
});
