// Unit tests for the symbolic schema simulator (src/analysis/schema.ts).
import { describe, expect, it } from "vitest";
import { parseMigration } from "../src/parse/index.js";
import {
  classifyExpression, classifySql, columnRef, executionOrder, indexRef, mentions, sectionRange, simulateMigration, tableRef, typeRef,
  type Simulation,
} from "../src/analysis/schema.js";
import type { Migration, Op } from "../src/model.js";

const HEAD = "from alembic import op\nimport sqlalchemy as sa\n\n";

async function load(body: string): Promise<Migration> {
  return parseMigration(HEAD + body, "m.py");
}

async function simOf(body: string, fn = "upgrade", enumTypes = true): Promise<{ m: Migration; sim: Simulation; ops: Op[] }> {
  const m = await load(body);
  const s = simulateMigration(m, { enumTypes }).find((x) => x.section.name === fn)!;
  return { m, sim: s.sim, ops: s.section.ops };
}

describe("execution order", () => {
  it("places queued batch ops at the end of their block and execute where it appears", async () => {
    const { sim } = await simOf(
      "def upgrade():\n" +
        "    with op.batch_alter_table('t') as b:\n" +
        "        b.add_column(sa.Column('x', sa.Integer()))\n" +
        "        b.execute('UPDATE t SET x = 1')\n" +
        "        op.execute('UPDATE t SET x = 2')\n" +
        "        b.alter_column('x', nullable=False)\n" +
        "    op.drop_table('u')\n",
    );
    const names = sim.steps.map((s) => (s.kind === "op" ? `${s.op.name}${s.op.batch ? "*" : ""}` : s.event.kind));
    expect(names).toEqual(["execute*", "execute", "add_column*", "alter_column*", "drop_table"]);
    expect(sim.steps.map((s) => s.pos)).toEqual([0, 1, 2, 3, 4]);
  });

  it("puts enum type events between the ops they were written between", async () => {
    const m = await load(
      "def upgrade():\n    op.create_table('a', sa.Column('id', sa.Integer()))\n    sa.Enum('x', name='e').create(op.get_bind())\n    op.add_column('a', sa.Column('k', sa.Enum('x', name='e')))\n",
    );
    const steps = executionOrder(m.sections[0]!);
    expect(steps.map((s) => (s.kind === "op" ? s.op.name : `type:${s.event.kind}`))).toEqual(["create_table", "type:create", "add_column"]);
  });
});

describe("object states", () => {
  it("knows only what the function creates or drops", async () => {
    const { sim, ops } = await simOf(
      "def upgrade():\n" +
        "    op.add_column('user', sa.Column('email', sa.String()))\n" +
        "    op.create_index('ix_user_email', 'user', ['email'])\n" +
        "    op.drop_column('user', 'name')\n" +
        "    op.alter_column('user', 'age', nullable=True)\n",
    );
    const [, ix, , alter] = ops;
    expect(sim.state(columnRef(null, "user", "email"), sim.posOf(ix!)).state).toBe("exists");
    expect(sim.state(tableRef(null, "user"), sim.posOf(ix!)).state).toBe("unknown");
    expect(sim.state(columnRef(null, "user", "name"), sim.posOf(alter!)).state).toBe("gone");
    expect(sim.state(columnRef(null, "user", "age"), sim.posOf(alter!)).state).toBe("unknown");
    expect(sim.columnCreatedBefore(ix!, "email")).toBe(true);
    expect(sim.tableCreatedBefore(ix!)).toBe(false);
  });

  it("creates a table with its columns, inline indexes and named constraints, and drops them with it", async () => {
    const { sim, ops } = await simOf(
      "def upgrade():\n" +
        "    op.create_table('p', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('code', sa.String()),\n" +
        "        sa.UniqueConstraint('code', name='uq_p_code'), sa.Index('ix_p_code', 'code'))\n" +
        "    op.drop_table('p')\n" +
        "    op.drop_index('ix_p_code')\n",
    );
    const last = ops[2]!;
    const pos = sim.posOf(last);
    expect(sim.state(tableRef(null, "p"), pos).state).toBe("gone");
    expect(sim.state(columnRef(null, "p", "code"), pos).state).toBe("gone");
    const ix = sim.state(indexRef(null, "ix_p_code"), pos);
    expect(ix.state).toBe("gone");
    expect(ix.event?.cascade).toBe("table");
    expect(sim.usesOf(last).map((r) => r.kind)).toEqual(["table", "index"]);
  });

  it("follows table and column renames", async () => {
    const { sim, ops } = await simOf(
      "def upgrade():\n" +
        "    op.create_table('a', sa.Column('id', sa.Integer()), sa.Column('n', sa.String()))\n" +
        "    op.rename_table('a', 'b')\n" +
        "    op.alter_column('b', 'n', new_column_name='name')\n" +
        "    op.create_index('ix_b_name', 'b', ['name'])\n",
    );
    const pos = sim.posOf(ops[3]!);
    expect(sim.state(tableRef(null, "a"), pos).state).toBe("gone");
    expect(sim.state(tableRef(null, "b"), pos).state).toBe("exists");
    expect(sim.state(columnRef(null, "b", "id"), pos).state).toBe("exists");
    expect(sim.state(columnRef(null, "b", "n"), pos).state).toBe("gone");
    expect(sim.state(columnRef(null, "b", "name"), pos).state).toBe("exists");
    expect(sim.state(tableRef(null, "a"), pos).event?.otherName).toBe("b");
  });

  it("treats conditional events as unknown and opaque SQL as a barrier", async () => {
    const { sim, ops } = await simOf(
      "def upgrade():\n" +
        "    if op.get_context().dialect.name == 'postgresql':\n" +
        "        op.drop_table('a')\n" +
        "    op.drop_table('b')\n" +
        "    op.execute(some_sql)\n" +
        "    op.create_index('ix', 'b', ['x'])\n",
    );
    const pos = sim.posOf(ops[3]!);
    expect(sim.state(tableRef(null, "a"), pos).state).toBe("unknown");
    expect(sim.state(tableRef(null, "b"), pos).state).toBe("unknown");
    expect(sim.state(tableRef(null, "b"), sim.posOf(ops[2]!)).state).toBe("gone");
  });

  it("tracks enum types from create_table, .create() calls and SQL", async () => {
    const { sim, ops } = await simOf(
      "def upgrade():\n" +
        "    op.create_table('a', sa.Column('s', sa.Enum('x', name='status')))\n" +
        "    op.execute('CREATE TYPE mood AS ENUM (\\'ok\\')')\n" +
        "    sa.Enum(name='kind').create(op.get_bind())\n" +
        "    op.execute('DROP TYPE status')\n" +
        "    op.drop_table('z')\n",
    );
    const pos = sim.posOf(ops[ops.length - 1]!);
    expect(sim.state(typeRef("status"), pos).state).toBe("gone");
    expect(sim.state(typeRef("mood"), pos).state).toBe("exists");
    expect(sim.state(typeRef("kind"), pos).state).toBe("exists");
  });

  it("ignores enum types when asked (non-Postgres dialects)", async () => {
    const { sim } = await simOf("def upgrade():\n    op.create_table('a', sa.Column('s', sa.Enum('x', name='status')))\n", "upgrade", false);
    expect(sim.history(typeRef("status"))).toEqual([]);
  });
});

describe("foreign keys", () => {
  it("starts a downgrade with the FK edges the upgrade leaves behind", async () => {
    const { sim, ops } = await simOf(
      "def upgrade():\n" +
        "    op.create_table('parent', sa.Column('id', sa.Integer(), primary_key=True))\n" +
        "    op.create_table('child', sa.Column('id', sa.Integer()), sa.Column('pid', sa.Integer(), sa.ForeignKey('parent.id')))\n" +
        "    op.add_column('other', sa.Column('pid', sa.Integer()))\n" +
        "    op.create_foreign_key('fk_other_parent', 'other', 'parent', ['pid'], ['id'])\n" +
        "def downgrade():\n" +
        "    op.drop_constraint('fk_other_parent', 'other', type_='foreignkey')\n" +
        "    op.drop_table('child')\n" +
        "    op.drop_table('parent')\n",
      "downgrade",
    );
    const at = (i: number) => sim.liveForeignKeys(sim.posOf(ops[i]!)).map((e) => `${e.table}->${e.refTable}`).sort();
    expect(at(0)).toEqual(["child->parent", "other->parent"]);
    expect(at(1)).toEqual(["child->parent"]);
    expect(at(2)).toEqual([]);
  });

  it("drops unnamed edges when a constraint with an unknown name is dropped from their table", async () => {
    const { sim, ops } = await simOf(
      "def upgrade():\n" +
        "    op.create_table('child', sa.Column('pid', sa.Integer(), sa.ForeignKey('parent.id')))\n" +
        "    op.drop_constraint('child_pid_fkey', 'child', type_='foreignkey')\n" +
        "    op.drop_table('parent')\n",
    );
    expect(sim.liveForeignKeys(sim.posOf(ops[1]!)).length).toBe(1);
    expect(sim.liveForeignKeys(sim.posOf(ops[2]!)).length).toBe(0);
  });
});

describe("catalog and helpers", () => {
  it("describes indexes from the other function", async () => {
    const { sim } = await simOf(
      "def upgrade():\n    op.drop_column('t', 'c')\n    op.drop_index('ix_t_c', table_name='t')\n" +
        "def downgrade():\n    op.add_column('t', sa.Column('c', sa.Integer()))\n    op.create_index('ix_t_c', 't', ['c'])\n",
    );
    expect(sim.catalog.indexes.get("ix_t_c")?.[0]?.columns).toEqual(["c"]);
  });

  it("reports hidden parts before an op", async () => {
    const { sim, ops } = await simOf(
      "from app.helpers import magic\n" +
        "def upgrade():\n    op.drop_table('a')\n    magic(op)\n    op.drop_table('b')\n" +
        "def downgrade():\n    pass\n",
    );
    expect(sim.hiddenBefore(ops[0]!)).toBe(false);
    expect(sim.hiddenBefore(ops[1]!)).toBe(true);
    expect(sim.reportable(ops[1]!)).toBe(false);
  });

  it("knows when hidden code may run after an op (entries are recorded once per call)", async () => {
    const { sim, ops } = await simOf(
      "from app.helpers import magic\n" +
        "def upgrade():\n    magic(op)\n    op.drop_table('a')\n    magic(op)\n    op.drop_table('b')\n" +
        "def downgrade():\n    pass\n",
    );
    expect(sim.hiddenAfter(ops[0]!)).toBe(true);
    expect(sim.hiddenAfter(ops[1]!)).toBe(false);
  });

  it("finds the extent of a function body", async () => {
    const m = await load("def upgrade():\n    op.drop_table('a')\n\n    # trailing comment\n    op.drop_table('b')\n\n\ndef downgrade():\n    pass\n");
    const r = sectionRange(m, m.sections[0]!)!;
    const body = m.source.slice(r.start, r.end);
    expect(body).toContain("drop_table('b')");
    expect(body).not.toContain("downgrade");
  });

  it("classifies SQL", () => {
    expect(classifySql("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON public.t USING btree (a, b DESC)").events).toEqual([
      { action: "create", object: "index", schema: "public", table: "t", name: "ix_a", columns: ["a", "b"], guarded: true, cascade: false },
    ]);
    expect(classifySql("DROP TABLE IF EXISTS a, b CASCADE").events.map((e) => [e.action, e.name, e.cascade])).toEqual([
      ["drop", "a", true],
      ["drop", "b", true],
    ]);
    expect(classifySql('ALTER TABLE "User" RENAME COLUMN Mail TO email').events[0]).toMatchObject({ object: "column", table: "User", name: "mail", newName: "email" });
    expect(classifySql("UPDATE t SET x = 1; -- DROP TABLE t").writesData).toBe(true);
    expect(classifySql("UPDATE t SET x = 1; -- DROP TABLE t").events).toEqual([]);
    expect(classifySql("COMMENT ON TABLE t IS 'x'")).toEqual({ events: [], uses: [], tainted: [], writesData: false });
    expect(classifySql("UPDATE \"order\" o SET currency = 'EUR', total = coalesce(total, 0) WHERE currency IS NULL").uses).toEqual([
      { schema: null, table: "order", columns: ["currency", "total"] },
    ]);
    expect(classifySql("INSERT INTO billing.plan (code, name) VALUES ('a', 'b')").uses).toEqual([{ schema: "billing", table: "plan", columns: ["code", "name"] }]);
    expect(classifySql("DELETE FROM session WHERE expired").uses).toEqual([{ schema: null, table: "session", columns: [] }]);
    expect(classifySql("ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int").tainted).toContain("t");
    expect(classifySql("DO $$ BEGIN CREATE TYPE s AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN null; END $$;").tainted).toContain("s");
  });

  it("classifies non-literal execute arguments", () => {
    expect(classifyExpression("t.update().values(x=1)")).toBe("dml");
    expect(classifyExpression("sa.insert(t).values(rows)")).toBe("dml");
    expect(classifyExpression('f"UPDATE {table} SET x = 1"')).toBe("dml");
    expect(classifyExpression('f"DROP TABLE {table}"')).toBe("opaque");
    expect(classifyExpression("sql")).toBe("opaque");
  });

  it("matches whole identifiers only", () => {
    expect(mentions("UPDATE t SET user_id = 1", "user")).toBe(false);
    expect(mentions('UPDATE "user" SET x = 1', "user")).toBe(true);
    expect(mentions("values(archived=True)", "archived")).toBe(true);
  });
});
