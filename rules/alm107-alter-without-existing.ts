import { defineRule } from "../src/engine/rule.js";
import { createdObjects } from "../src/analysis/created.js";
import { describeOp, pyValue } from "../src/analysis/inverse.js";
import { asString, pairOf, type Migration, type Op, type Section, type Value } from "../src/model.js";

const given = (a: Record<string, Value>, k: string) => k in a && a[k] !== false;

interface Need {
  attr: "type_" | "nullable" | "server_default";
  existing: string;
}

function needs(op: Op): Need[] {
  const a = op.args;
  const out: Need[] = [];
  if (a.type_ !== undefined && a.type_ !== null && (a.existing_type === undefined || a.existing_type === null)) out.push({ attr: "type_", existing: "existing_type" });
  if (typeof a.nullable === "boolean" && typeof a.existing_nullable !== "boolean") out.push({ attr: "nullable", existing: "existing_nullable" });
  if (given(a, "server_default") && !given(a, "existing_server_default")) out.push({ attr: "server_default", existing: "existing_server_default" });
  return out;
}

function sameColumn(a: Op, b: Op): boolean {
  if (a.table !== b.table || (a.schema ?? null) !== (b.schema ?? null)) return false;
  const col = asString(a.args.column_name);
  return col !== undefined && (asString(b.args.column_name) === col || asString(b.args.new_column_name) === col);
}

/** A value the other function (or an earlier op) states for the attribute, as a suggestion. */
function suggestion(m: Migration, op: Op, need: Need, other: Section | null): string {
  const a = op.args;
  for (const o of other?.ops ?? []) {
    if (o.name !== "alter_column" || o.table !== op.table) continue;
    const col = asString(a.column_name);
    const ocol = asString(o.args.column_name);
    const onew = asString(o.args.new_column_name);
    if (col === undefined || (ocol !== col && onew !== col)) continue;
    // The other function sets the value this call started from.
    const v = o.args[need.attr];
    if (need.attr === "nullable" ? typeof v === "boolean" : v !== undefined && v !== false && (v !== null || need.attr === "server_default")) return `${need.existing}=${pyValue(v)}`;
    // It starts from this call's nullability and leaves it alone: the column had it before too.
    if (need.attr === "nullable" && v === undefined && typeof a.nullable === "boolean" && o.args.existing_nullable === a.nullable) return `${need.existing}=${pyValue(a.nullable)}`;
  }
  void m;
  if (need.attr === "nullable") {
    // Alone, nullable=X most likely flips the column; next to a type or default change it is
    // often restated unchanged (MySQL needs it), so the current state is not known.
    const alone = (a.type_ === undefined || a.type_ === null) && !given(a, "server_default");
    return `${need.existing}=${alone && typeof a.nullable === "boolean" ? pyValue(!a.nullable) : "<the current nullability: True or False>"}`;
  }
  return `${need.existing}=<the current ${need.attr === "type_" ? "type" : "server default"}>`;
}

export default defineRule({
  meta: {
    code: "ALM107",
    name: "alter-without-existing",
    severity: "warning",
    category: "reversibility",
    precision: "high",
    docs: {
      summary: "alter_column changes type_, nullable or server_default without the matching existing_* argument",
      rationale:
        "`alter_column` only knows the column's previous state through `existing_type`, `existing_nullable` and " +
        "`existing_server_default`. Without them the change cannot be reversed mechanically (Alembic's own reverse " +
        "turns it into a no-op), a reviewer cannot tell what the downgrade must restore, and MySQL needs " +
        "`existing_type` (and resets nullability and default unless told) for every `ALTER ... MODIFY`. Pass the " +
        "previous values on the call itself. Not reported when the column was added or altered earlier in the " +
        "same function, where its state is known.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.alter_column("account", "name", type_=sa.String(200))\n\n\ndef downgrade():\n    op.alter_column("account", "name", type_=sa.String(50), existing_type=sa.String(200))\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.alter_column("account", "name", type_=sa.String(200), existing_type=sa.String(50))\n\n\ndef downgrade():\n    op.alter_column("account", "name", type_=sa.String(50), existing_type=sa.String(200))\n',
    },
    messages: {
      missing: (a: { call: string; attrs: string; existing: string; add: string; mysql: string }) =>
        `${a.call} changes ${a.attrs} without ${a.existing}: the previous state is unknown, so the change cannot be ` +
        `reversed mechanically${a.mysql}; add ${a.add}`,
    },
  },
  check(m, ctx) {
    for (const section of m.sections) {
      if (section.dispatcher) continue;
      const created = createdObjects(section);
      const pair = pairOf(m, section);
      const other = (section.role === "upgrade" ? pair?.downgrade : pair?.upgrade) ?? null;
      for (const op of section.ops) {
        if (op.name !== "alter_column" || op.conditional || op.dynamicTable || op.table === null) continue;
        const col = asString(op.args.column_name);
        if (col === undefined) continue;
        if (created.columnCreatedBefore(op, col)) continue;
        // Altered earlier in this function: its state is known there (the catalog: "added or altered there").
        if (section.ops.some((o) => o.order < op.order && o.name === "alter_column" && !o.conditional && sameColumn(op, o))) continue;
        const list = needs(op);
        if (list.length === 0) continue;
        ctx.report({
          at: op,
          message: "missing",
          data: {
            call: describeOp(op),
            attrs: list.map((n) => n.attr).join(", "),
            existing: list.map((n) => n.existing).join(", "),
            add: list.map((n) => `\`${suggestion(m, op, n, other)}\``).join(", "),
            mysql: list.some((n) => n.attr === "type_")
              ? " (and MySQL refuses an alter without existing_type)"
              : " (and MySQL resets what the call does not restate)",
          },
          fingerprint: `alter:${op.table}.${col}:${list.map((n) => n.attr).join(",")}`,
        });
      }
    }
  },
});
