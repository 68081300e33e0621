// SQLAlchemy Core copies (`t.insert().from_select(...)`) read by data-loss.ts for ALM301/ALM302.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lintSources, parseMigration } from "../src/index.js";
import { coreCopy } from "../src/analysis/data-loss.js";

const HEAD = "from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy import select\n\n";

/** The copy the first execute of upgrade() makes: target and what it reads, or null. */
async function copyIn(body: string, prelude = ""): Promise<{ target: string; reads: Record<string, string[] | "all"> } | null> {
  const m = await parseMigration(`${HEAD}${prelude}\n\ndef upgrade():\n${body.replace(/^/gm, "    ")}\n`, "m.py");
  const op = m.sections.find((s) => s.name === "upgrade")!.ops.find((o) => o.name === "execute")!;
  const c = coreCopy(m, op);
  if (!c) return null;
  const label = (t: { schema: string | null; name: string }) => (t.schema ? `${t.schema}.${t.name}` : t.name);
  return { target: label(c.target), reads: Object.fromEntries(c.reads.map((r) => [label(r.table), r.columns === "all" ? "all" : [...r.columns]])) };
}

const TABLES = [
  'old = sa.table("invoice", sa.column("id"), sa.column("total"))',
  'new = sa.Table("invoice_v2", sa.MetaData(), sa.Column("id", sa.Integer()), sa.Column("total", sa.Numeric()))',
].join("\n");

describe("coreCopy: what reads as a copy", () => {
  it("method and function forms, inline and named tables, named statements", async () => {
    const want = { target: "invoice_v2", reads: { invoice: ["id", "total"] } };
    expect(await copyIn('op.execute(new.insert().from_select(["id", "total"], sa.select(old.c.id, old.c.total)))', TABLES)).toEqual(want);
    expect(await copyIn('op.get_bind().execute(sa.insert(new).from_select(["id", "total"], select([old.c.id, old.c["total"]])))', TABLES)).toEqual(want);
    expect(await copyIn('stmt = sa.select(old.c.id, old.c.total).where(old.c.total > 0)\nop.execute(new.insert().from_select(["id", "total"], stmt))', TABLES)).toEqual(want);
    expect(await copyIn('copy = new.insert().from_select(["id", "total"], sa.select(old.c.id, old.c.total))\nop.execute(copy)', TABLES)).toEqual(want);
    expect(
      await copyIn('op.execute(sa.table("invoice_v2", sa.column("id")).insert().from_select(["id"], sa.select(sa.table("invoice", sa.column("id")).c.id)))'),
    ).toEqual({ target: "invoice_v2", reads: { invoice: ["id"] } });
  });

  it("whole-table selects, loose columns with one FROM, schemas, where clauses not counted as read", async () => {
    expect(await copyIn('op.execute(new.insert().from_select(["id", "total"], sa.select(old)))', TABLES)).toEqual({ target: "invoice_v2", reads: { invoice: "all" } });
    expect(await copyIn('op.execute(new.insert().from_select(["id", "total"], old.select()))', TABLES)).toEqual({ target: "invoice_v2", reads: { invoice: "all" } });
    expect(await copyIn('op.execute(new.insert().from_select(["id"], sa.select(sa.column("id")).select_from(old)))', TABLES)).toEqual({ target: "invoice_v2", reads: { invoice: ["id"] } });
    expect(await copyIn('op.execute(new.insert().from_select(["id"], sa.select(arch.c.id).where(arch.c.paid == True)))', `${TABLES}\narch = sa.table("invoice", sa.column("id"), schema="archive")`))
      .toEqual({ target: "invoice_v2", reads: { "archive.invoice": ["id"] } });
  });

  it("stays unknown when a table or a name cannot be read statically", async () => {
    const unknown = [
      ['op.execute(new.insert().from_select(["id"], sa.select(old.c.id)))', 'old = sa.table(f"{PREFIX}_invoice", sa.column("id"))'],
      ['op.execute(new.insert().from_select(["id"], sa.select(old.c.id)))', 'old = sa.table(TABLE_NAME, sa.column("id"))'],
      ['op.execute(new.insert().from_select(["id"], sa.select(Invoice.__table__.c.id)))', ""],
      ['a = old.alias("a")\nop.execute(new.insert().from_select(["id"], sa.select(a.c.id)))', ""],
      ['op.execute(new.insert().from_select(["id"], sa.select(sa.text("id FROM invoice"))))', ""],
      ['op.execute(new.insert().from_select(["id"], sa.select(sa.literal_column("id")).select_from(old)))', ""],
      ['op.execute(new.insert().from_select(["id"], build_select()))', ""],
      ['op.execute(new.insert().from_select(["id"], sa.select(old.c.id).where(old.c.id.in_(ids()))))', ""],
      ['op.execute(new.insert().values(id=1))', ""],
      ['op.execute(new.insert().from_select(["id"], sa.select(*old.c)))', ""],
    ];
    for (const [body, prelude] of unknown) expect(await copyIn(body!, `${TABLES}\n${prelude}`), body).toBeNull();
    // A table bound as a parameter or a loop variable is not the module-level one.
    expect(await copyIn('for old in tables:\n    pass\nop.execute(new.insert().from_select(["id"], sa.select(old.c.id)))', TABLES)).toBeNull();
    expect(await copyIn('op.execute(new.insert().from_select(["id"], sa.select(old.c.id)))', `${TABLES}\n\ndef helper(old):\n    pass`)).toBeNull();
    // Assigned two different tables: which one runs is not known.
    expect(await copyIn('op.execute(new.insert().from_select(["id"], sa.select(old.c.id)))', `${TABLES}\nold = sa.table("invoice_archive", sa.column("id"))`)).toBeNull();
    // `sa` that is not SQLAlchemy.
    expect(await copyIn('op.execute(new.insert().from_select(["id"], sa2.select(old.c.id)))', `${TABLES}\nimport mylib as sa2`)).toBeNull();
  });
});

describe("ALM301/ALM302 messages with a Core copy", () => {
  it("the drop after a Core copy gets the copy's message, with its line", async () => {
    const file = "fixtures/alm301-drop-table/core_copy_split_with_copy_back.py";
    const { diagnostics } = await lintSources([{ path: file, text: readFileSync(file, "utf8") }], { select: ["ALM301"] });
    expect(diagnostics.map((d) => d.span.line)).toEqual([45, 47]);
    expect(diagnostics[0]!.message).toMatch(/^dropping table "request_bundle" deletes it after the upgrade's SQL on line 52 copied its rows elsewhere/);
    expect(diagnostics[1]!.message).toMatch(/^dropping table "request_operator" deletes all of its rows and downgrade\(\) can only re-create it empty/);
  });

  it("a column the Core copy selects gets the copy's message; one it does not select keeps the plain one", async () => {
    const file = "fixtures/alm302-drop-column/core_copy_before_drop.py";
    const { diagnostics } = await lintSources([{ path: file, text: readFileSync(file, "utf8") }], { select: ["ALM302"] });
    expect(diagnostics.map((d) => [d.span.line, d.message.includes("once the upgrade's SQL on line 42 has read it")])).toEqual([
      [45, true],
      [46, true],
      [48, false],
    ]);
  });
});
