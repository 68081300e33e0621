// Round 2 of the analyses' speed work kept every answer; these pin the identities the new
// lookups rely on:
// - simulate finds an object's history by name and identity parts (no refKey string): the
//   parts refKey ignores (an index's table, a type's schema) and null vs "" must not split
//   an object, and a column name many tables share must not merge them;
// - created.ts answers by name (tableBefore / columnBefore) exactly as by op.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtureFiles } from "./fixtures-harness.js";
import { parseMigration } from "../src/parse/index.js";
import { columnRef, constraintRef, indexRef, refKey, simulate, tableRef, typeRef, type ObjRef } from "../src/analysis/schema.js";
import { createdObjects } from "../src/analysis/created.js";
import type { Migration } from "../src/model.js";


const HEAD = "from alembic import op\nimport sqlalchemy as sa\n\n";

async function migration(body: string): Promise<Migration> {
  return parseMigration(HEAD + body, "m.py");
}

describe("simulate: history lookups by identity", async () => {
  const m = await migration(
    "def upgrade():\n" +
      "    op.create_table('a', sa.Column('id', sa.Integer()), sa.Column('status', sa.Enum('x', 'y', name='st')))\n" +
      "    op.create_table('b', sa.Column('id', sa.Integer()))\n" +
      "    op.create_index('ix_b_id', 'b', ['id'])\n" +
      "    op.create_unique_constraint('uq_id', 'a', ['id'])\n" +
      "    op.create_unique_constraint('uq_id', 'b', ['id'])\n" +
      "    op.drop_column('b', 'id')\n" +
      "    op.drop_index('ix_b_id')\n\n\n" +
      "def downgrade():\n    op.drop_table('b')\n    op.drop_table('a')\n",
  );
  const up = m.pairs[0]!.upgrade!;
  const sim = simulate(up, { other: m.pairs[0]!.downgrade, migration: m, enumTypes: true });
  const actions = (r: ObjRef) => sim.history(r).map((e) => `${e.action}@${e.pos}`);

  it("keeps same-named columns and constraints of different tables apart", () => {
    expect(actions(columnRef(null, "a", "id"))).toEqual(["create@0"]);
    expect(actions(columnRef(null, "b", "id"))).toEqual(["create@1", "drop@5"]);
    expect(actions(constraintRef(null, "a", "uq_id"))).toEqual(["create@3"]);
    expect(actions(constraintRef(null, "b", "uq_id"))).toEqual(["create@4", "drop@5"]);
  });

  it("ignores the parts refKey ignores and treats a null schema as an empty one", () => {
    expect(actions(indexRef(null, "ix_b_id", "b"))).toEqual(actions(indexRef(null, "ix_b_id", null)));
    expect(actions(indexRef(null, "ix_b_id"))).toEqual(["create@2", "drop@5", "drop@6"]);
    expect(actions({ kind: "type", schema: "public", table: "x", name: "st" })).toEqual(actions(typeRef("st")));
    expect(actions(typeRef("st"))).toEqual(["create@0"]);
    expect(actions({ kind: "column", schema: "", table: "b", name: "id" })).toEqual(actions(columnRef(null, "b", "id")));
    expect(actions(tableRef("other", "a"))).toEqual([]);
    expect(actions(columnRef(null, "c", "id"))).toEqual([]);
  });

  it("answers like a refKey index of the events", () => {
    const byKey = new Map<string, string[]>();
    for (const e of sim.events) byKey.set(refKey(e.ref), [...(byKey.get(refKey(e.ref)) ?? []), `${e.action}@${e.pos}`]);
    for (const e of sim.events) expect(actions(e.ref)).toEqual(byKey.get(refKey(e.ref)));
  });
});

describe("created.ts: by name as by op", () => {
  const files = fixtureFiles(/^alm(1|3|4)\d\d-/);

  it("finds fixtures", () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it("tableBefore/columnBefore agree with tableCreatedBefore/columnCreatedBefore", async () => {
    let checked = 0;
    for (const f of files) {
      const m = await parseMigration(readFileSync(f, "utf8"), f, f);
      for (const s of m.sections) {
        for (const includeConditional of [false, true]) {
          const c = createdObjects(s, { includeConditional });
          const columns = new Set<string>(["id"]);
          for (const op of s.ops) {
            if (op.column?.name) columns.add(op.column.name);
            if (typeof op.args.column_name === "string") columns.add(op.args.column_name);
          }
          for (const op of s.ops) {
            if (op.table === null) continue;
            expect(c.tableBefore(op.schema, op.table, op.order)).toBe(c.tableCreatedBefore(op));
            for (const col of columns) expect(c.columnBefore(op.schema, op.table, col, op.order)).toBe(c.columnCreatedBefore(op, col));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
