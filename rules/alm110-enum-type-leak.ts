import { defineRule } from "../src/engine/rule.js";
import { checkedPairs } from "../src/analysis/inverse.js";
import { classifySql } from "../src/analysis/sql.js";
import type { ColumnDef, Op, Section, Span } from "../src/model.js";

const low = (s: string) => s.toLowerCase();

function createsType(c: ColumnDef): boolean {
  if (!c.enumName || !c.enumCreateType) return false;
  return c.type?.kwargs.native_enum !== false;
}

function usesType(c: ColumnDef | undefined, name: string): boolean {
  return c?.enumName !== undefined && c.enumName !== null && low(c.enumName) === name;
}

function sqlNames(op: Op, kind: "CREATE" | "DROP"): string[] | null {
  if (op.name !== "execute") return [];
  if (typeof op.sql !== "string") return null;
  try {
    return classifySql(op.sql)
      .filter((s) => s.keyword.startsWith(kind) && s.object === "TYPE")
      .flatMap((s) => s.targets.map((t) => low(t.name)));
  } catch {
    return null;
  }
}

function sqlDropsTable(sql: string, tables: Set<string>): boolean {
  try {
    return classifySql(sql).some((st) => st.kind === "drop" && st.object === "TABLE" && st.targets.some((t) => tables.has(low(t.name))));
  } catch {
    return false;
  }
}

interface Created {
  name: string;
  /** Where the upgrade creates it. */
  span: Span | null;
  /** Tables (lower-cased) whose drop takes the type's users with it. */
  tables: Set<string>;
  /** "table\0column" (lower-cased) of columns of this type. */
  columns: Set<string>;
}

function createdTypes(up: Section): Map<string, Created> {
  const out = new Map<string, Created>();
  const get = (n: string, span: Span) => {
    const k = low(n);
    if (!out.has(k)) out.set(k, { name: n, span, tables: new Set(), columns: new Set() });
    return out.get(k)!;
  };
  for (const op of up.ops) {
    if (op.conditional) continue;
    if (op.name === "create_table" && op.table) {
      for (const c of op.tableDef?.columns ?? []) if (createsType(c)) get(c.enumName!, op.span).tables.add(low(op.table));
    } else if (op.name === "execute") {
      for (const n of sqlNames(op, "CREATE") ?? []) get(n, op.span);
    }
  }
  for (const ev of up.typeEvents) if (ev.kind === "create" && !ev.conditional) get(ev.name, ev.span);
  // Users of explicitly created types (each op names its types: no scan of every type per op).
  if (out.size === 0) return out;
  for (const op of up.ops) {
    if (op.conditional || !op.table) continue;
    if (op.name === "create_table") {
      const used = new Set<string>();
      for (const col of op.tableDef?.columns ?? []) if (col.enumName !== undefined && col.enumName !== null) used.add(low(col.enumName));
      for (const k of used) out.get(k)?.tables.add(low(op.table));
    }
    if (op.name === "add_column" && op.column && op.column.enumName !== undefined && op.column.enumName !== null && op.column.name) {
      out.get(low(op.column.enumName))?.columns.add(`${low(op.table)}\0${low(op.column.name)}`);
    }
  }
  return out;
}

export default defineRule({
  meta: {
    code: "ALM110",
    name: "enum-type-leak",
    severity: "warning",
    category: "reversibility",
    precision: "high",
    docs: {
      summary: "The downgrade drops the table or column of a PostgreSQL enum the upgrade created, but not the type",
      rationale:
        "On PostgreSQL, `op.create_table` with a named `sa.Enum` (or `postgresql.ENUM`) also runs `CREATE TYPE`, but " +
        "`op.drop_table` / `op.drop_column` never drop the type. After a downgrade the type stays behind, and running " +
        "the upgrade again fails with `type \"...\" already exists`. Drop it after the table: " +
        "`sa.Enum(name=\"order_status\").drop(op.get_bind(), checkfirst=False)` or `op.execute(\"DROP TYPE order_status\")`.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.create_table(\n        "order",\n        sa.Column("id", sa.Integer(), primary_key=True),\n        sa.Column("status", sa.Enum("new", "paid", name="order_status"), nullable=False),\n    )\n\n\ndef downgrade():\n    op.drop_table("order")\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.create_table(\n        "order",\n        sa.Column("id", sa.Integer(), primary_key=True),\n        sa.Column("status", sa.Enum("new", "paid", name="order_status"), nullable=False),\n    )\n\n\ndef downgrade():\n    op.drop_table("order")\n    sa.Enum(name="order_status").drop(op.get_bind(), checkfirst=False)\n',
    },
    messages: {
      leak: (a: { call: string; type: string; after: string }) =>
        `${a.call} leaves the PostgreSQL type "${a.type}" behind (the upgrade created it): re-running the upgrade fails ` +
        `with "type already exists"; add \`sa.Enum(name="${a.type}").drop(op.get_bind(), checkfirst=False)\` ${a.after}`,
    },
  },
  check(m, ctx) {
    if (ctx.dialect !== "postgresql") return;
    for (const { up, down } of checkedPairs(m)) {
      if (down.unanalyzed.length > 0) continue;
      const created = createdTypes(up);
      if (created.size === 0) continue;
      const dropped = new Set<string>();
      let unknown = false;
      for (const ev of down.typeEvents) if (ev.kind === "drop") dropped.add(low(ev.name));
      for (const op of down.ops) {
        const names = sqlNames(op, "DROP");
        if (names === null) unknown = true;
        else for (const n of names) dropped.add(n);
      }
      if (unknown) continue;
      for (const [k, c] of created) {
        if (dropped.has(k)) continue;
        const dropsUser = (op: Op) =>
          !op.conditional && op.table !== null &&
          ((op.name === "drop_table" && c.tables.has(low(op.table))) ||
            (op.name === "drop_column" && typeof op.args.column_name === "string" && c.columns.has(`${low(op.table)}\0${low(op.args.column_name)}`)));
        const at = down.ops.find(dropsUser);
        // The type can only go once nothing uses it: after the last table or column dropped.
        const last = [...down.ops].reverse().find(dropsUser);
        const sqlDrop = at
          ? undefined
          : down.ops.find((op) => !op.conditional && op.name === "execute" && typeof op.sql === "string" && sqlDropsTable(op.sql, c.tables));
        const target = at ?? sqlDrop;
        if (!target) continue;
        if (!at) {
          ctx.report({
            at: target,
            message: "leak",
            data: { call: "this DROP TABLE", type: c.name, after: "after it" },
            related: [{ span: c.span ?? up.span, message: `the upgrade creates type "${c.name}" here` }],
            fingerprint: `enum:${k}`,
          });
          continue;
        }
        const callOf = (op: Op) => (op.name === "drop_table" ? `op.drop_table("${op.table}")` : `op.drop_column("${op.table}", "${String(op.args.column_name)}")`);
        const after = last && last !== at ? `after ${callOf(last)} (line ${last.span.line}), the last operation that drops a user of the type` : "after it";
        ctx.report({
          at,
          message: "leak",
          data: { call: callOf(at), type: c.name, after },
          related: [{ span: c.span ?? up.span, message: `the upgrade creates type "${c.name}" here` }],
          fingerprint: `enum:${k}`,
        });
      }
    }
  },
});
