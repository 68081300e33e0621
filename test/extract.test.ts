// Extraction: every shape real projects write, checked against reviewed snapshots of
// the `inspect` model and by explicit assertions on the facts rules rely on.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseMigration } from "../src/parse/index.js";
import { migrationJson } from "../src/commands/inspect.js";
import type { Migration, Op } from "../src/model.js";

const MODEL = path.resolve(import.meta.dirname, "..", "fixtures", "_model");

async function load(name: string): Promise<Migration> {
  return parseMigration(readFileSync(path.join(MODEL, name), "utf8"), `fixtures/_model/${name}`);
}

function ops(m: Migration, section: string): string[] {
  const s = m.sections.find((x) => x.name === section);
  if (!s) throw new Error(`no section ${section}`);
  return s.ops.map((o) => `${o.span.line}:${o.name}${o.table ? ` ${o.schema ? o.schema + "." : ""}${o.table}` : ""}${o.batch ? " [batch]" : ""}${o.conditional ? " [cond]" : ""}`);
}

function op(m: Migration, section: string, index: number): Op {
  return m.sections.find((x) => x.name === section)!.ops[index]!;
}

describe("extraction snapshots (inspect --json model)", () => {
  for (const file of readdirSync(MODEL).filter((f) => f.endsWith(".py")).sort()) {
    it(file, async () => {
      const m = await load(file);
      await expect(JSON.stringify(migrationJson(m), null, 2) + "\n").toMatchFileSnapshot(`__snapshots__/model/${file.replace(/\.py$/, ".json")}`);
    });
  }
});

describe("extraction facts", () => {
  it("reads autogenerate output: ops, op.f names, columns, constraints", async () => {
    const m = await load("autogenerate_typed.py");
    expect(m.header.revision?.value).toBe("0f3b2c1a9d8e");
    expect(m.header.downRevision?.value).toEqual(["8c7d6e5f4a3b"]);
    expect(m.header.branchLabels?.value).toEqual([]);
    expect(m.header.docstring).toMatchObject({ revision: "0f3b2c1a9d8e", revises: ["8c7d6e5f4a3b"], revisionLine: 3 });
    expect(ops(m, "upgrade")).toEqual(["24:create_table project", "32:create_table task", "39:create_index task", "40:add_column user", "41:create_foreign_key user", "42:alter_column user"]);
    const project = op(m, "upgrade", 0).tableDef!;
    expect(project.columns.map((c) => [c.name, c.type?.name, c.nullable])).toEqual([["id", "Integer", false], ["name", "String", false], ["settings", "JSONB", false], ["created_at", "DateTime", false]]);
    expect(project.constraints.map((c) => [c.kind, c.name, c.columns])).toEqual([["primary", "pk_project", ["id"]], ["unique", "uq_project_name", ["name"]]]);
    const task = op(m, "upgrade", 1).tableDef!;
    expect(task.columns[2]).toMatchObject({ name: "state", enumName: "task_state" });
    expect(task.constraints[0]).toMatchObject({ kind: "foreignkey", name: "fk_task_project_id_project", columns: ["project_id"], referent: { table: "project", columns: ["id"] } });
    expect(op(m, "upgrade", 2).args).toMatchObject({ index_name: "ix_task_project_id", table_name: "task", columns: ["project_id"], unique: false });
    expect(op(m, "upgrade", 4).args).toMatchObject({ constraint_name: "fk_user_last_project_id_project", source_table: "user", referent_table: "project", local_cols: ["last_project_id"], remote_cols: ["id"] });
    const alter = op(m, "upgrade", 5);
    expect(alter.args.column_name).toBe("email");
    expect(alter.args.existing_nullable).toBe(false);
    expect(alter.args.type_).toMatchObject({ expr: "sa.String(length=255)", call: { callee: "sqlalchemy.String", kwargs: { length: 255 } } });
    expect(ops(m, "downgrade")).toEqual(["52:alter_column user", "56:drop_constraint user", "57:drop_column user", "58:drop_index task", "59:drop_table task", "60:drop_table project"]);
    expect(op(m, "downgrade", 3).args).toMatchObject({ index_name: "ix_task_project_id", table_name: "task" });
  });

  it("resolves batch blocks: table and schema from the header (keyword or positional), flush order", async () => {
    const m = await load("batch_mode.py");
    expect(ops(m, "upgrade")).toEqual([
      "22:add_column account [batch]", "23:create_index account [batch]", "24:create_foreign_key account [batch]",
      "27:alter_column billing.invoice [batch]", "28:execute billing.invoice [batch]", "29:drop_constraint billing.invoice [batch]",
    ]);
    const up = m.sections.find((s) => s.name === "upgrade")!;
    expect(up.batchBlocks.map((b) => [b.table, b.schema, b.flushOrder])).toEqual([["account", null, 3], ["invoice", "billing", 6]]);
    expect(op(m, "upgrade", 1).args).toMatchObject({ index_name: "ix_account_vat_number", columns: ["vat_number"] });
    expect(op(m, "upgrade", 2).args).toMatchObject({ constraint_name: "fk_account_owner", referent_table: "user", local_cols: ["owner_id"] });
    expect(op(m, "upgrade", 4).sql).toBe("UPDATE billing.invoice SET amount = 0 WHERE amount IS NULL");
    expect(op(m, "upgrade", 0).column).toMatchObject({ name: "vat_number", nullable: true, type: { name: "String", kwargs: { length: 32 } } });
  });

  it("inlines local helpers with arguments, folds literal conditions, unrolls literal loops", async () => {
    const m = await load("helpers.py");
    expect(ops(m, "upgrade")).toEqual([
      "20:add_column billing.invoice", "21:add_column billing.invoice", "20:add_column billing.payment", "21:add_column billing.payment",
      "35:create_index billing.invoice", "35:create_index billing.payment", "26:add_column billing.invoice",
    ]);
    expect(op(m, "upgrade", 0).via).toEqual(["schema_upgrades", "_audit_columns"]);
    expect(op(m, "upgrade", 4).args).toMatchObject({ index_name: "ix_invoice_due", columns: ["due_on"] });
    expect(op(m, "upgrade", 6).column?.name).toBe("archived");
    expect(ops(m, "downgrade")[0]).toBe("28:drop_column billing.invoice");
    expect(ops(m, "downgrade").slice(3)).toEqual(["44:drop_column billing.payment", "45:drop_column billing.payment", "44:drop_column billing.invoice", "45:drop_column billing.invoice"]);
    expect(m.sections.every((s) => s.unanalyzed.length === 0)).toBe(true);
  });

  it("pairs the multi-db template by suffix and recognises the dispatcher", async () => {
    const m = await load("multidb.py");
    expect(m.sections.map((s) => [s.name, s.role, s.suffix, s.dispatcher])).toEqual([
      ["upgrade", "upgrade", "", true], ["downgrade", "downgrade", "", true],
      ["upgrade_engine1", "upgrade", "engine1", false], ["downgrade_engine1", "downgrade", "engine1", false],
      ["upgrade_engine2", "upgrade", "engine2", false], ["downgrade_engine2", "downgrade", "engine2", false],
    ]);
    expect(m.pairs.map((p) => [p.suffix, p.upgrade?.name, p.downgrade?.name])).toEqual([["", "upgrade", "downgrade"], ["engine1", "upgrade_engine1", "downgrade_engine1"], ["engine2", "upgrade_engine2", "downgrade_engine2"]]);
    expect(m.sections.find((s) => s.name === "downgrade_engine2")!.body).toBe("empty");
    expect(m.sections.every((s) => s.unanalyzed.length === 0)).toBe(true);
  });

  it("accepts op as a parameter (quay style)", async () => {
    const m = await load("quay_style.py");
    expect(ops(m, "upgrade")).toEqual(["17:create_table repositorykind", "23:bulk_insert", "24:add_column repository"]);
    expect(ops(m, "downgrade")).toEqual(["29:drop_column repository", "30:drop_table repositorykind"]);
  });

  it("marks ops under runtime conditions, early returns and try blocks conditional", async () => {
    const m = await load("conditionals.py");
    expect(ops(m, "upgrade")).toEqual(["16:add_column report", "18:execute [cond]", "22:create_index report [cond]", "25:create_table report_archive [cond]", "27:drop_constraint report [cond]"]);
    expect(ops(m, "downgrade")).toEqual(["36:drop_index report [cond]", "37:drop_column report [cond]"]);
  });

  it("reads SQL text and connection use", async () => {
    const m = await load("sql_and_bind.py");
    const up = m.sections.find((s) => s.name === "upgrade")!;
    expect(up.ops.map((o) => o.name)).toEqual(["create_table", "bulk_insert", "bulk_insert", "execute", "execute", "execute", "execute", "execute", "execute"]);
    expect(up.ops[1]!.table).toBe("status"); // the create_table result
    expect(up.ops[2]!.table).toBe("status"); // a module-level sa.table()
    expect(up.ops[3]!.sql).toBe("UPDATE ticket SET status_id = 1 WHERE status_id IS NULL");
    expect(up.ops[4]!.sql).toContain("SET priority = 'normal'");
    expect(up.ops[5]!.sql).toMatch(/^DELETE FROM ticket_draft/);
    expect(up.ops[6]!.sql).toBe("ANALYZE ticket");
    expect(up.ops[7]!.sql).toBe("DROP TABLE IF EXISTS tmp_ticket"); // f-string whose field is a known string
    expect(up.ops[8]!.sql).toBe("UPDATE ticket SET owner = :owner"); // text(...).bindparams(...)
  });

  it("folds f-strings and %-formatting of known strings; a name assigned in a branch is unknown after it", async () => {
    const m = await parseMigration(
      [
        "from alembic import op",
        "",
        "",
        "def upgrade():",
        "    for table in ('vnf', 'ns'):",
        "        op.create_unique_constraint(f'uq_{table}_name', table, ['name'])",
        "        op.create_index('ix_%s_%s' % (table, 'name'), table, ['name'])",
        "        op.create_index(f'ix_{table!r}', table, ['name'])",
        "    if op.get_context().dialect.name == 'postgresql':",
        "        suffix = 'pg'",
        "        op.drop_table(f'tmp_{suffix}')",
        "    else:",
        "        suffix = 'other'",
        "    op.drop_table(f'tmp_{suffix}')",
        "    op.drop_table(suffix)",
        "",
      ].join("\n"),
      "versions/x.py",
    );
    const up = m.sections.find((s) => s.name === "upgrade")!;
    const names = up.ops.map((o) => o.args.constraint_name ?? o.args.index_name ?? o.args.table_name);
    expect(names.slice(0, 6)).toEqual(["uq_vnf_name", "ix_vnf_name", { expr: "f'ix_{table!r}'" }, "uq_ns_name", "ix_ns_name", { expr: "f'ix_{table!r}'" }]);
    expect(names[6]).toBe("tmp_pg"); // inside the branch
    expect(names[7]).toEqual({ expr: "f'tmp_{suffix}'" }); // after it: either
    expect(names[8]).toEqual({ expr: "suffix" });
  });

  it("a helper with a return inside a loop or branch has no single value: ops under `if` on it stay conditional", async () => {
    const m = await parseMigration(
      [
        "from alembic import op",
        "",
        "",
        "def _unique_constraint(inspector):",
        "    for c in inspector.get_unique_constraints('users'):",
        "        if c['column_names'] == ['email']:",
        "            return True, c['name']",
        "    return False, None",
        "",
        "",
        "def _flag():",
        "    return True",
        "",
        "",
        "def upgrade():",
        "    exists, name = _unique_constraint(op.get_bind())",
        "    if exists:",
        "        op.drop_constraint(name or 'uq_users_email', 'users', type_='unique')",
        "",
        "",
        "def downgrade():",
        "    exists, _ = _unique_constraint(op.get_bind())",
        "    if not exists:",
        "        op.create_unique_constraint('uq_users_email', 'users', ['email'])",
        "    flag = _flag()",
        "    if flag:",
        "        op.drop_index('ix_users_email', table_name='users')",
        "",
      ].join("\n"),
      "versions/x.py",
    );
    expect(ops(m, "upgrade")).toEqual(["18:drop_constraint users [cond]"]);
    // A helper with one top-level return still folds.
    expect(ops(m, "downgrade")).toEqual(["24:create_unique_constraint users [cond]", "27:drop_index users"]);
  });

  it("a batch op given the op API's table argument (a TypeError in Alembic) is not analyzed, not read as another column", async () => {
    const m = await parseMigration(
      [
        "from alembic import op",
        "",
        "",
        "def upgrade():",
        "    with op.batch_alter_table('fetch') as batch:",
        "        batch.drop_column('fetch', 'folders')",
        "        batch.drop_column('received')",
        "",
      ].join("\n"),
      "versions/x.py",
    );
    expect(ops(m, "upgrade")).toEqual(["7:drop_column fetch [batch]"]);
    const up = m.sections.find((s) => s.name === "upgrade")!;
    expect(up.unanalyzed.map((u) => `${u.span.line}: ${u.reason}`)).toEqual(["6: `batch.drop_column()` with more positional arguments than Alembic accepts (a TypeError when it runs)"]);
  });

  it("an imported module is not a value mutated by sa.update(...): later sa.* calls keep their library", async () => {
    const m = await parseMigration(
      [
        "from alembic import op",
        "import sqlalchemy as sa",
        "",
        "",
        "def upgrade():",
        "    conn = op.get_bind()",
        "    inspector = sa.inspect(conn)",
        "    for row in inspector.get_columns('chat'):",
        "        conn.execute(sa.update(sa.table('chat')).values(x=row))",
        "",
      ].join("\n"),
      "versions/x.py",
    );
    const up = m.sections.find((s) => s.name === "upgrade")!;
    expect(up.unanalyzed.map((u) => u.reason)).toEqual(["a loop over `inspector.get_columns('chat')`"]);
  });

  it("reads merge and label headers, keeping non-literal labels as expressions", async () => {
    const m = await load("headers_merge.py");
    expect(m.header.downRevision?.value).toEqual(["f6a7b8c9d0e1", "9e8d7c6b5a4f"]);
    expect(m.header.branchLabels?.value).toEqual({ expr: "(cli.EXPAND_BRANCH,)" });
    expect(m.header.dependsOn?.value).toEqual(["c3d4e5f6a7b8", "billing"]);
    expect(m.header.docstring?.revises).toEqual(["f6a7b8c9d0e1", "9e8d7c6b5a4f"]);
    expect(m.sections.map((s) => s.body)).toEqual(["empty", "empty"]);
  });

  it("handles pre-0.2 files without a revision variable", async () => {
    const m = await load("legacy_prerev.py");
    expect(m.header.revision).toBeNull();
    expect(m.header.downRevision?.value).toEqual([]);
  });

  it("strips a BOM, counts CRLF lines and reports UTF-16 columns after non-ASCII text", async () => {
    const m = await load("unicode_bom_crlf.py");
    const add = op(m, "upgrade", 0);
    expect([add.span.line, add.span.column]).toEqual([14, 26]);
    expect(op(m, "upgrade", 1).sql).toBe("UPDATE cv SET title = '中文'");
    expect(add.column?.comment).toBe("Tïtle");
  });

  it("records what it cannot analyze, and never guesses dynamic names", async () => {
    const m = await load("opaque.py");
    const up = m.sections.find((s) => s.name === "upgrade")!;
    expect(up.unanalyzed.map((u) => u.reason)).toEqual([
      "`op.invoke(...)`", "`op.run_async(...)`", "`create_view()`, imported from `myapp.db.migration_utils`",
      "`migration_utils.add_audit_trigger()`, imported from `myapp.db`",
      'a dynamic table name in `op.add_column(...)` (`TABLE_PREFIX + "user"`)', "a dynamic table name in `op.drop_table(...)` (`name`)",
      "a loop over `get_partition_names()`",
    ]);
    expect(up.ops.find((o) => o.name === "add_column")).toMatchObject({ table: null, dynamicTable: true });
    expect(up.ops.find((o) => o.name === "create_sequence")).toBeDefined(); // custom ops are kept
  });

  it("binds legacy keyword names and pre-1.11 positional arguments", async () => {
    const m = await load("legacy_args.py");
    expect(op(m, "upgrade", 0).column).toMatchObject({ name: "owner_id", foreignKeys: [{ table: "user", column: "id", ondelete: "SET NULL" }] });
    expect(op(m, "upgrade", 1).args).toMatchObject({ constraint_name: "fk_widget_owner", source_table: "widget", referent_table: "user" });
    expect(op(m, "upgrade", 2)).toMatchObject({ table: "widget", schema: "inventory" });
    expect(op(m, "upgrade", 3)).toMatchObject({ table: "widget_old", schema: "inventory" });
    expect(op(m, "upgrade", 5).args).toMatchObject({ index_name: "ix_widget_owner", table_name: "widget" });
    expect(op(m, "downgrade", 0).args).toMatchObject({ index_name: "ix_widget_owner", table_name: "widget" });
    expect(op(m, "downgrade", 2).args).toMatchObject({ constraint_name: "uq_widget_name", type_: "unique", schema: "inventory" });
    expect(op(m, "downgrade", 3).args).toMatchObject({ constraint_name: "fk_widget_owner", type_: "foreignkey" });
  });

  it("notes autocommit blocks and enum type events", async () => {
    const m = await load("autocommit_enum.py");
    const up = m.sections.find((s) => s.name === "upgrade")!;
    expect(up.ops.map((o) => [o.name, o.autocommit])).toEqual([["add_column", false], ["create_index", true]]);
    expect(up.typeEvents.map((e) => [e.kind, e.name, e.order])).toEqual([["create", "priority", 0]]);
    expect(up.ops[0]!.column).toMatchObject({ enumName: "priority", enumCreateType: false });
    expect(up.ops[1]!.args.postgresql_concurrently).toBe(true);
    const down = m.sections.find((s) => s.name === "downgrade")!;
    expect(down.typeEvents.map((e) => [e.kind, e.name, e.order])).toEqual([["drop", "priority", 2]]);
  });

  it("keeps analyzing after a syntax error and reports where it is", async () => {
    const m = await parseMigration('revision = "x"\ndown_revision = None\n\ndef upgrade():\n    op.add_column("t", sa.Column("c", sa.Integer())\n\ndef downgrade():\n    op.drop_column("t", "c")\n', "broken.py");
    expect(m.parseError?.line).toBe(5);
    expect(m.header.revision?.value).toBe("x");
  });

  it("treats mutated lists as unknown rather than as their initial literal", async () => {
    const m = await parseMigration(
      'revision = "x"\ndown_revision = None\nEXTRA = []\nEXTRA.append("b")\n\ndef tables():\n    out = []\n    for t in ["a"]:\n        out.append(t)\n    return out\n\n' +
        'def upgrade():\n    for t in tables():\n        op.drop_table(t)\n    for t in EXTRA:\n        op.drop_table(t)\n    names = ["c"]\n    names += ["d"]\n    for t in names:\n        op.drop_table(t)\n',
      "mutated.py",
    );
    const up = m.sections[0]!;
    expect(up.ops.map((o) => [o.name, o.table, o.conditional])).toEqual([["drop_table", null, true], ["drop_table", null, true], ["drop_table", null, true]]);
    expect(up.unanalyzed.map((u) => u.reason)).toContain("a loop over `tables()`");
  });

  it("reads SQL through DDL(), textwrap.dedent() and Core chains, and server-side column values", async () => {
    const m = await parseMigration(
      'revision = "x"\ndown_revision = None\nimport textwrap\nfrom sqlalchemy.schema import DDL\n\ndef upgrade():\n' +
        '    op.execute(DDL("DROP VIEW v"))\n    op.execute(textwrap.dedent("""\n        UPDATE t\n           SET a = 1\n    """))\n' +
        '    op.execute(sa.table("t", sa.column("a")).delete())\n' +
        '    op.add_column("t", sa.Column("n", sa.Integer(), sa.Identity(), nullable=False))\n' +
        '    op.add_column("t", sa.Column("d", sa.DateTime(), sa.DefaultClause(sa.text("now()")), nullable=False))\n' +
        '    op.add_column("t", sa.Column("k", sa.String(), **KW))\n',
      "sql.py",
    );
    const ops = m.sections[0]!.ops;
    expect(ops.map((o) => o.sql ?? null)).toEqual(["DROP VIEW v", "\nUPDATE t\n   SET a = 1\n", null, null, null, null]);
    expect(ops[2]!.args.sqltext).toMatchObject({ call: { callee: "sa.table(\"t\", sa.column(\"a\")).delete", receiver: { call: { callee: "sa.table", args: ["t", {}] } } } }); // no `import sqlalchemy as sa` in this snippet
    expect(ops[3]!.column).toMatchObject({ generated: true, nullable: false });
    expect(ops[4]!.column?.serverDefault).toMatchObject({ call: { callee: "sa.DefaultClause" } });
    expect(ops[5]!.column?.opaqueKwargs).toBe(true);
  });

  it("notes the connection handed to application code, not to SQLAlchemy or ORM sessions", async () => {
    const m = await parseMigration(
      'revision = "x"\ndown_revision = None\nimport sqlalchemy as sa\nfrom sqlalchemy import orm\nfrom myapp.migrations import utils\n\ndef upgrade():\n' +
        '    bind = op.get_bind()\n    insp = sa.inspect(bind)\n    session = orm.Session(bind=bind)\n    utils.rebuild(bind)\n',
      "bind.py",
    );
    expect(m.sections[0]!.unanalyzed.map((u) => u.reason)).toEqual(["`utils.rebuild(...)`, which receives the connection"]);
  });

  it("pairs the empty-named multi-db functions upgrade_()/downgrade_()", async () => {
    const m = await parseMigration('revision = "x"\ndown_revision = None\n\ndef upgrade(engine_name):\n    globals()["upgrade_%s" % engine_name]()\n\ndef downgrade(engine_name):\n    globals()["downgrade_%s" % engine_name]()\n\ndef upgrade_():\n    op.create_table("t")\n\ndef downgrade_():\n    op.drop_table("t")\n', "multidb_empty.py");
    expect(m.pairs.map((p) => [p.upgrade?.name, p.downgrade?.name])).toEqual([["upgrade", "downgrade"], ["upgrade_", "downgrade_"]]);
  });

  it("survives pathological nesting without a stack overflow", async () => {
    const deep = "x = " + "(".repeat(3000) + "1" + ")".repeat(3000) + "\n";
    const m = await parseMigration(`revision = "a"\ndown_revision = None\n${deep}def upgrade():\n    op.drop_table("t")\n`, "deep.py");
    expect(m.sections[0]!.ops.map((o) => o.name)).toEqual(["drop_table"]);
  });
});
