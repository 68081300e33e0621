// src/analysis/inverse.ts: inverses, their Python rendering, and the pair matcher;
// src/analysis/sql-targets.ts: what data statements write.
import { describe, expect, it } from "vitest";
import { parseMigration } from "../src/parse/index.js";
import { analyzeReversibility, defaultText, inverseOf, pairStatus, renderInverse } from "../src/analysis/inverse.js";
import { dataTargets, sqlTargets } from "../src/analysis/sql-targets.js";
import type { Migration, Op } from "../src/model.js";

const HEAD = 'from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\nrevision = "a1"\ndown_revision = None\n\n';

async function mig(up: string, down?: string): Promise<Migration> {
  const body = (s: string) => s.split("\n").map((l) => `    ${l}`).join("\n");
  const src = `${HEAD}def upgrade():\n${body(up)}\n${down === undefined ? "" : `\n\ndef downgrade():\n${body(down)}\n`}`;
  return parseMigration(src, "m.py");
}

async function upOps(code: string): Promise<{ m: Migration; ops: Op[] }> {
  const m = await mig(code, "pass");
  return { m, ops: m.sections.find((s) => s.name === "upgrade")!.ops };
}

async function render(code: string, batchAlias?: string) {
  const { m, ops } = await upOps(code);
  return renderInverse(ops[ops.length - 1]!, { source: m.source, ...(batchAlias ? { batchAlias } : {}) });
}

describe("inverseOf / renderInverse", () => {
  it("add_column → drop_column, derivable", async () => {
    expect(await render('op.add_column("account", sa.Column("vat_number", sa.String(32)))')).toEqual({ derivable: true, code: 'op.drop_column("account", "vat_number")' });
  });
  it("keeps schema and carries if_not_exists over as if_exists", async () => {
    expect((await render('op.add_column("account", sa.Column("vat", sa.String(32)), schema="billing", if_not_exists=True)'))!.code).toBe(
      'op.drop_column("account", "vat", schema="billing", if_exists=True)',
    );
  });
  it("keeps op.f() and the file's quote style", async () => {
    expect((await render("op.create_index(op.f('ix_invoice_customer_id'), 'invoice', ['customer_id'], unique=False)"))!.code).toBe(
      "op.drop_index(op.f('ix_invoice_customer_id'), table_name='invoice')",
    );
  });
  it("renders the batch form on the alias, without table and schema", async () => {
    const r = await render('with op.batch_alter_table("task", schema=None) as batch_op:\n    batch_op.create_index(batch_op.f("ix_task_due"), ["due"])', "batch_op");
    expect(r!.code).toBe('batch_op.drop_index(batch_op.f("ix_task_due"))');
  });
  it("create_foreign_key → drop_constraint on the source table with schema=source_schema", async () => {
    expect((await render('op.create_foreign_key("fk_a_b", "a", "b", ["b_id"], ["id"], source_schema="s")'))!.code).toBe(
      'op.drop_constraint("fk_a_b", "a", type_="foreignkey", schema="s")',
    );
  });
  it("unnamed constraints are not derivable", async () => {
    const r = await render('op.create_unique_constraint(None, "a", ["x"])');
    expect(r!.derivable).toBe(false);
  });
  it("rename_table and column renames are reversed (Alembic's own reverse() is not)", async () => {
    expect((await render('op.rename_table("customer", "client")'))!.code).toBe('op.rename_table("client", "customer")');
    expect((await render('op.alter_column("user", "fullname", new_column_name="name")'))!.code).toBe(
      'op.alter_column("user", "name", new_column_name="fullname")',
    );
  });
  it("alter_column swaps every changed attribute with its existing_* value", async () => {
    const r = await render(
      'op.alter_column("t", "c", existing_type=sa.String(50), type_=sa.Text(), existing_nullable=True, nullable=False, server_default="x", existing_server_default=None)',
    );
    expect(r).toEqual({
      derivable: true,
      code: 'op.alter_column("t", "c", existing_type=sa.Text(), type_=sa.String(50), nullable=True, existing_nullable=False, server_default=None, existing_server_default="x")',
    });
  });
  it("alter_column without existing_type is not derivable", async () => {
    const r = await render('op.alter_column("t", "c", type_=sa.Text())');
    expect(r!.derivable).toBe(false);
    expect(r!.missing).toContain("existing_type");
  });
  it("drops need the original definition", async () => {
    for (const code of ['op.drop_column("t", "c")', 'op.drop_table("t")', 'op.drop_index("ix", table_name="t")', 'op.drop_constraint("fk", "t", type_="foreignkey")']) {
      const r = await render(code);
      expect(r!.derivable, code).toBe(false);
    }
    expect((await render('op.drop_constraint("uq_x", "t", type_="unique")'))!.code).toBe('op.create_unique_constraint("uq_x", "t", [...])');
  });
  it("execute and bulk_insert have no inverse", async () => {
    const { ops } = await upOps('op.execute("UPDATE t SET x = 1")');
    expect(inverseOf(ops[0]!)).toBeNull();
  });
  it("server defaults compare by SQL text", () => {
    expect(defaultText("x")).toBe(defaultText({ expr: "sa.text(\"'x'\")", call: { callee: "sqlalchemy.text", args: ["'x'"], kwargs: {} } }));
    expect(defaultText({ expr: "sa.text(\"'x'::character varying\")", call: { callee: "sqlalchemy.text", args: ["'x'::character varying"], kwargs: {} } })).toBe("'x'");
    expect(defaultText(null)).toBe("<none>");
  });
});

describe("pairStatus", () => {
  it("missing / empty / raises / checked / merge", async () => {
    expect(pairStatus((await mig('op.add_column("t", sa.Column("c", sa.Integer()))')).pairs[0]!)).toBe("missing");
    expect(pairStatus((await mig('op.add_column("t", sa.Column("c", sa.Integer()))', "pass")).pairs[0]!)).toBe("empty");
    expect(pairStatus((await mig('op.add_column("t", sa.Column("c", sa.Integer()))', "raise NotImplementedError()")).pairs[0]!)).toBe("raises");
    expect(pairStatus((await mig('op.add_column("t", sa.Column("c", sa.Integer()))', 'op.drop_column("t", "c")')).pairs[0]!)).toBe("checked");
    expect(pairStatus((await mig("pass", "pass")).pairs[0]!)).toBe("skip");
  });
});

describe("analyzeReversibility", () => {
  const analyze = async (up: string, down: string) => analyzeReversibility(await mig(up, down))[0]!;

  it("matches through renames in either order", async () => {
    const r = await analyze(
      'op.rename_table("a", "b")\nop.add_column("b", sa.Column("x", sa.Integer()))',
      'op.rename_table("b", "a")\nop.drop_column("a", "x")',
    );
    expect([r.missing, r.unmatched, r.incomplete]).toEqual([[], [], []]);
  });
  it("a column added then renamed is undone by dropping it under its new name", async () => {
    const r = await analyze('op.add_column("t", sa.Column("a", sa.Integer()))\nop.alter_column("t", "a", new_column_name="b")', 'op.drop_column("t", "b")');
    expect([r.missing, r.unmatched, r.incomplete]).toEqual([[], [], []]);
  });
  it("reports the missing inverse with its code", async () => {
    const r = await analyze('op.add_column("t", sa.Column("a", sa.Integer()))\nop.add_column("t", sa.Column("b", sa.Integer()))', 'op.drop_column("t", "b")');
    expect(r.missing.map((x) => x.code)).toEqual(['op.drop_column("t", "a")']);
  });
  it("drop_index without table_name and drop_constraint without type_ match", async () => {
    const r = await analyze(
      'op.create_index("ix_t_a", "t", ["a"])\nop.create_check_constraint("ck_t", "t", "a > 0")',
      'op.drop_constraint("ck_t", "t")\nop.drop_index("ix_t_a")',
    );
    expect([r.missing, r.unmatched, r.incomplete]).toEqual([[], [], []]);
  });
  it("a drop inside the downgrade's unanalyzed helper silences ALM104", async () => {
    const m = await parseMigration(`${HEAD}from app.helpers import undo\n\ndef upgrade():\n    op.add_column("t", sa.Column("a", sa.Integer()))\n\ndef downgrade():\n    undo(op)\n`, "m.py");
    expect(analyzeReversibility(m)[0]!.missing).toEqual([]);
  });
  it("conditional upgrade ops need no inverse; conditional downgrade ops satisfy", async () => {
    const r = await analyze(
      'if op.get_context().dialect.name == "postgresql":\n    op.create_index("ix_pg", "t", ["a"])\nop.create_index("ix_all", "t", ["b"])',
      'if op.get_context().dialect.name == "postgresql":\n    op.drop_index("ix_all", table_name="t")',
    );
    expect([r.missing, r.unmatched, r.incomplete]).toEqual([[], [], []]);
  });
});

describe("sql-targets", () => {
  it("reads DML targets and UPDATE columns", () => {
    expect(sqlTargets("UPDATE account SET status = 'x', plan = 'y' WHERE id > 3")).toEqual([
      expect.objectContaining({ kind: "update", table: "account", columns: ["status", "plan"] }),
    ]);
    expect(sqlTargets("INSERT INTO role (id, name) VALUES (1, 'a'); SELECT 1")!.map((t) => t.kind)).toEqual(["insert", "read"]);
    expect(sqlTargets("SET lock_timeout = '5s'")!.map((t) => t.kind)).toEqual(["read"]);
  });
  it("reads Core constructs through the sa.table variable", async () => {
    const m = await mig('acct = sa.table("account", sa.column("vat"))\nop.execute(acct.update().values(vat="x"))', "pass");
    const op = m.sections[0]!.ops[0]!;
    expect(dataTargets(op, m.source)).toEqual([{ kind: "update", table: "account", schema: null, columns: ["vat"] }]);
  });
  it("f-strings with an interpolated table are unknown", async () => {
    const m = await mig('t = get_name()\nop.execute(f"UPDATE {t} SET x = 1")', "pass");
    expect(dataTargets(m.sections[0]!.ops[0]!, m.source)).toBeNull();
  });
});
