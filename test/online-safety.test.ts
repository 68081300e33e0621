// ALM401-ALM409: docs examples, dialect awareness and the check_downgrade option
// (the fixture harness runs with the default dialect and options only).
import { describe, expect, it } from "vitest";
import { lintSource } from "../src/index.js";
import { allRules } from "../rules/index.js";

const online = allRules.filter((r) => /^ALM40\d$/.test(r.meta.code));
const PG_ONLY = ["ALM401", "ALM402", "ALM405", "ALM406", "ALM407", "ALM408", "ALM409"];

const codes = async (text: string, code: string, opts: Parameters<typeof lintSource>[1] = {}) =>
  (await lintSource(text, { select: [code], ...opts })).filter((d) => d.code === code).map((d) => d.span.line);

describe("ALM4xx metadata and docs examples", () => {
  it("has all nine rules", () => {
    expect(online.map((r) => r.meta.code)).toEqual(["ALM401", "ALM402", "ALM403", "ALM404", "ALM405", "ALM406", "ALM407", "ALM408", "ALM409"]);
  });
  for (const r of online) {
    it(`${r.meta.code} docs: bad fires, good is silent, peers and option declared`, async () => {
      expect(r.meta.docs.peers).toMatch(/squawk: `[a-z-]+`/);
      expect(r.meta.options?.check_downgrade).toEqual(expect.objectContaining({ type: "boolean", default: false }));
      expect(r.meta.category).toBe("online-safety");
      expect(await codes(r.meta.docs.bad as string, r.meta.code)).not.toEqual([]);
      expect(await codes(r.meta.docs.good as string, r.meta.code)).toEqual([]);
    });
  }
});

describe("ALM4xx dialects", () => {
  for (const r of online) {
    const pgOnly = PG_ONLY.includes(r.meta.code);
    it(`${r.meta.code} is ${pgOnly ? "silent" : "still reported"} on mysql and sqlite`, async () => {
      for (const dialect of ["mysql", "sqlite"] as const) {
        const found = await codes(r.meta.docs.bad as string, r.meta.code, { dialect });
        if (pgOnly) expect(found).toEqual([]);
        else expect(found).not.toEqual([]);
      }
    });
  }
});

describe("ALM4xx check_downgrade", () => {
  const src = `from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_index("ix_user_email", "user", ["email"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_user_email", table_name="user")
    op.create_index("ix_user_email_old", "user", ["email"])
    op.alter_column("user", "email", new_column_name="mail")
    op.rename_table("user", "account")
    op.alter_column("account", "age", existing_type=sa.Integer(), type_=sa.BigInteger())
    op.alter_column("account", "mail", existing_type=sa.Text(), nullable=False)
    op.create_unique_constraint("uq_account_mail", "account", ["mail"])
    op.create_foreign_key("fk_account_org", "account", "org", ["org_id"], ["id"])
`;
  const expected: Record<string, number> = {
    ALM401: 11, ALM403: 12, ALM404: 13, ALM405: 14, ALM406: 15, ALM407: 16, ALM408: 17, ALM409: 10,
  };
  for (const [code, line] of Object.entries(expected)) {
    it(`${code} checks downgrade() only when asked`, async () => {
      expect(await codes(src, code)).toEqual([]);
      expect(await codes(src, code, { ruleOptions: { [code]: { check_downgrade: true } } })).toEqual([line]);
    });
  }
  it("ALM402 reports the upgrade op when not in autocommit_block (and the downgrade with the option)", async () => {
    expect(await codes(src, "ALM402")).toEqual([6]);
  });
});

describe("ALM4xx literal SQL classifier", async () => {
  const { splitSql, classifySql, parseAlterAction } = await import("../src/analysis/online-safety.js");
  it("splits statements, keeping quotes, comments and dollar quoting intact", () => {
    expect(splitSql("-- c;\nCREATE INDEX a ON t (x); SELECT ';'; DO $$ BEGIN; END $$; /* ; */ COMMIT")).toEqual([
      "CREATE INDEX a ON t (x)", "SELECT ';'", "DO $$ BEGIN; END $$", "COMMIT",
    ]);
  });
  it("classifies index, table and transaction statements", () => {
    expect(classifySql("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY public.\"User\" (email)")).toMatchObject({
      kind: "create_index", index: "ix", schema: "public", table: "User", unique: true, concurrently: true,
    });
    expect(classifySql("create index on orders (status)")).toMatchObject({ kind: "create_index", index: null, table: "orders", concurrently: false });
    expect(classifySql("DROP INDEX IF EXISTS a, s.b CASCADE")).toMatchObject({ kind: "drop_index", concurrently: false, indexes: [{ schema: null, name: "a" }, { schema: "s", name: "b" }] });
    expect(classifySql("REINDEX INDEX CONCURRENTLY ix")).toMatchObject({ kind: "reindex", concurrently: true });
    expect(classifySql("DROP TABLE IF EXISTS visit")).toMatchObject({ kind: "drop_table", tables: [{ schema: null, name: "visit" }] });
    expect(classifySql("CREATE UNLOGGED TABLE IF NOT EXISTS s.t (id int)")).toMatchObject({ kind: "create_table", schema: "s", table: "t" });
    expect(classifySql("END")).toMatchObject({ kind: "commit" });
    expect(classifySql("ALTER TABLE ONLY \"order\" ADD COLUMN a int, ALTER COLUMN b SET NOT NULL")).toMatchObject({
      kind: "alter_table", table: "order", actions: ["ADD COLUMN a int", "ALTER COLUMN b SET NOT NULL"],
    });
  });
  it("parses ALTER TABLE actions", () => {
    expect(parseAlterAction("RENAME COLUMN a TO b")).toEqual({ kind: "rename_column", from: "a", to: "b" });
    expect(parseAlterAction("RENAME a TO b")).toEqual({ kind: "rename_column", from: "a", to: "b" });
    expect(parseAlterAction("RENAME CONSTRAINT a TO b")).toEqual({ kind: "other" });
    expect(parseAlterAction("RENAME TO accounts")).toEqual({ kind: "rename_table", to: "accounts" });
    expect(parseAlterAction("ALTER COLUMN \"Email\" SET NOT NULL")).toEqual({ kind: "set_not_null", column: "Email" });
    expect(parseAlterAction("ALTER COLUMN v SET DATA TYPE double precision USING v::double precision")).toEqual({
      kind: "set_type", column: "v", type: "double precision", using: true,
    });
    expect(parseAlterAction("ALTER v TYPE varchar(20)")).toEqual({ kind: "set_type", column: "v", type: "varchar(20)", using: false });
    expect(parseAlterAction("ADD CONSTRAINT uq UNIQUE (a, b)")).toEqual({ kind: "add_unique", name: "uq", usingIndex: false });
    expect(parseAlterAction("ADD CONSTRAINT uq UNIQUE USING INDEX uq")).toEqual({ kind: "add_unique", name: "uq", usingIndex: true });
    expect(parseAlterAction("ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES s.p (id) NOT VALID")).toEqual({
      kind: "add_foreign_key", name: "fk", notValid: true, referent: { schema: "s", name: "p" },
    });
  });
});
