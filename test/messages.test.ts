// Messages whose advice depends on more than the reported op (the fixture harness checks
// codes and lines only).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lintSources } from "../src/index.js";

describe("ALM110: where the type's drop goes", () => {
  it("after the last table or column that uses the type, not after the first", async () => {
    const file = "fixtures/alm110-enum-type-leak/several_users.py";
    const { diagnostics } = await lintSources([{ path: file, text: readFileSync(file, "utf8") }], { select: ["ALM110"] });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.span.line).toBe(31);
    expect(diagnostics[0]!.message).toContain('after op.drop_table("project_version") (line 32)');
  });

  it("after the reported op when it is the only user dropped", async () => {
    const file = "fixtures/alm110-enum-type-leak/create_table_enum.py";
    const { diagnostics } = await lintSources([{ path: file, text: readFileSync(file, "utf8") }], { select: ["ALM110"] });
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const d of diagnostics) expect(d.message).toMatch(/checkfirst=False\)` after it$/);
  });
});

describe("ALM302: a drop after SQL that read the column", () => {
  it("says the values may have been copied, instead of 'gone for good'", async () => {
    const file = "fixtures/alm302-drop-column/copied_before_drop.py";
    const { diagnostics } = await lintSources([{ path: file, text: readFileSync(file, "utf8") }], { select: ["ALM302"] });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toContain("once the upgrade's SQL on line 17 has read it");
  });

  it("keeps the plain message when nothing read the column first", async () => {
    const file = "fixtures/alm302-drop-column/" + "plain_drop.py";
    const text = 'from alembic import op\n\n\ndef upgrade():\n    op.execute("UPDATE account SET fax = NULL")\n    op.drop_column("customer", "fax")\n\n\ndef downgrade():\n    pass\n';
    const { diagnostics } = await lintSources([{ path: file, text }], { select: ["ALM302"] });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toContain("deletes its value in every row");
  });
});

describe("ALM301: a drop after SQL copied the table's rows elsewhere", () => {
  it("says so instead of 'can only re-create it empty'", async () => {
    const text =
      'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
      '    op.create_table("workouts", sa.Column("id", sa.Integer(), primary_key=True))\n' +
      '    op.execute("INSERT INTO workouts (id) SELECT id FROM activities")\n' +
      '    op.drop_table("activities")\n\n\ndef downgrade():\n' +
      '    op.create_table("activities", sa.Column("id", sa.Integer(), primary_key=True))\n' +
      '    op.execute("INSERT INTO activities (id) SELECT id FROM workouts")\n' +
      '    op.drop_table("workouts")\n';
    const { diagnostics } = await lintSources([{ path: "versions/ddd444_split.py", text }], { select: ["ALM301"] });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toContain("after the upgrade's SQL on line 7 copied its rows elsewhere");
  });
});

describe("ALM305: an UPDATE the other function answers with its own UPDATE", () => {
  it("no longer says the old values cannot be restored", async () => {
    const text =
      'from alembic import op\n\n\ndef upgrade():\n    op.execute("UPDATE secret_acls SET project_access = NOT project_access")\n\n\n' +
      'def downgrade():\n    op.execute("UPDATE secret_acls SET project_access = NOT project_access")\n';
    const { diagnostics } = await lintSources([{ path: "versions/6a4457517a3_acl.py", text }], { select: ["ALM305"] });
    expect(diagnostics.map((d) => d.span.line)).toEqual([5, 9]);
    for (const d of diagnostics) expect(d.message).toMatch(/the old values come back only if (downgrade|upgrade)\(\)'s UPDATE on line (9|5) computes each of them exactly/);
  });

  it("keeps the plain claim when nothing updates those columns back", async () => {
    const text = 'from alembic import op\n\n\ndef upgrade():\n    op.execute("UPDATE account SET plan = \'free\'")\n\n\ndef downgrade():\n    pass\n';
    const { diagnostics } = await lintSources([{ path: "versions/7b_plan.py", text }], { select: ["ALM305"] });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toContain("the old values cannot be restored");
  });
});

describe("advice never writes a call that cannot work", () => {
  const check = async (text: string, select: string[]) => (await lintSources([{ path: "versions/a1_x.py", text }], { select })).diagnostics;

  it("an unnamed constraint's drop shows a name to fill in, not None", async () => {
    const ds = await check('from alembic import op\n\n\ndef upgrade():\n    op.create_foreign_key(None, "consumer", "projects", ["project_id"], ["id"])\n', ["ALM101"]);
    expect(ds[0]!.message).toContain('op.drop_constraint(<constraint name>, "consumer", type_="foreignkey")');
  });

  it("an unknown previous server default is a placeholder, not None", async () => {
    const ds = await check('from alembic import op\n\n\ndef upgrade():\n    op.alter_column("sp", "prefix", server_default=None)\n', ["ALM101"]);
    expect(ds[0]!.message).toContain("server_default=<previous server default>");
  });

  it("previews are one line per call", async () => {
    const ds = await check(
      'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.create_table(\n        "t",\n        sa.Column("id", sa.Integer()),\n    )\n    op.create_index(\n        "ix_t_id",\n        "t",\n        ["id"],\n    )\n',
      ["ALM101"],
    );
    expect(ds[0]!.message).not.toContain("\n");
  });

  it("an index created with name None is '(unnamed)' in ALM401", async () => {
    const ds = await check('from alembic import op\n\n\ndef upgrade():\n    op.create_index(None, "users", ["email"])\n\n\ndef downgrade():\n    pass\n', ["ALM401"]);
    expect(ds[0]!.message).toMatch(/^index \(unnamed\) is built without CONCURRENTLY/);
  });

  it("ALM107 suggests the nullability the other function states, not the opposite of this one", async () => {
    const alter = (nullable: string, dflt: string) => `    op.alter_column("host", "is_marketplace", existing_type=sa.Boolean, server_default=${dflt}, nullable=${nullable})\n`;
    const text = `from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n${alter("True", "None")}\n\ndef downgrade():\n${alter("True", 'sa.false()')}`;
    const ds = await check(text, ["ALM107"]);
    expect(ds).toHaveLength(2);
    for (const d of ds) expect(d.message).toContain("`existing_nullable=True`");
    // Nothing to go by: a nullable restated next to a default change is not assumed to flip.
    const [alone] = await check(`from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n${alter("True", "None")}`, ["ALM107"]);
    expect(alone!.message).toContain("`existing_nullable=<the current nullability: True or False>`");
    // The downgrade starts from the upgrade's nullability and keeps it: it was the same before.
    const [kept] = await check(
      'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.alter_column("q", "options", existing_type=sa.Text(), type_=sa.JSON(), nullable=True)\n\n\n' +
        'def downgrade():\n    op.alter_column("q", "options", existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=True)\n',
      ["ALM107"],
    );
    expect(kept!.message).toContain("`existing_nullable=True`");
    const [tighten] = await check('from alembic import op\n\n\ndef upgrade():\n    op.alter_column("host", "name", nullable=False)\n', ["ALM107"]);
    expect(tighten!.message).toContain("`existing_nullable=True`");
  });

  it("ALM202: a drop of the object just renamed is told to go, not to use the new name", async () => {
    const text =
      'from alembic import op\n\n\ndef upgrade():\n    op.alter_column("builds", "build_submitted_time", new_column_name="submitted_time")\n\n\n' +
      'def downgrade():\n    op.alter_column("builds", "submitted_time", new_column_name="build_submitted_time")\n    op.drop_column("builds", "submitted_time")\n';
    const [d] = await check(text, ["ALM202"]);
    expect(d!.message).toContain("remove this drop if the rename is what you meant");
    expect(d!.message).not.toContain('use "build_submitted_time" here');
  });

  it("SQL quoted in a message stays valid Python, and SQL names keep their case (ALM108, ALM405)", async () => {
    const [q] = await check('from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.create_index("ix_user_active", "user", ["active"])\n    op.execute(\'UPDATE "user" SET active = true\')\n\n\ndef downgrade():\n    op.drop_index("ix_user_active", table_name="user")\n', ["ALM108"]);
    expect(q!.message).toContain(`op.execute('UPDATE "user" SET active = true')`);
    const [t] = await check('from alembic import op\n\n\ndef upgrade():\n    op.execute(\'alter table "public"."instruments" alter column api type "public"."apis" using api::text::"public"."apis"\')\n\n\ndef downgrade():\n    pass\n', ["ALM405"]);
    expect(t!.message).toContain('to "public"."apis" rewrites');
  });

  it("a helper handed the connection is said to receive the connection (ALM901)", async () => {
    const ds = await check('from alembic import op\n\n\ndef upgrade():\n    backfill(op.get_bind())\n\n\ndef downgrade():\n    pass\n', ["ALM901"]);
    expect(ds[0]!.message).toContain("`backfill()`, which receives the connection");
  });
});
