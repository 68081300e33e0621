import { describe, expect, it } from "vitest";
import { classifySql, classifyStatement, splitSql, tokenize } from "../src/analysis/sql.js";

describe("splitSql", () => {
  it("splits at top-level semicolons only", () => {
    const sql = `UPDATE t SET a = 'x;y'; -- comment; here
      /* block; /* nested; */ still; */ DELETE FROM "we;ird" WHERE id = 1;
      CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN DELETE FROM x; RETURN NEW; END $body$ LANGUAGE plpgsql;
      SELECT $$a;b$$;`;
    const parts = splitSql(sql).map((c) => c.text);
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe("UPDATE t SET a = 'x;y'");
    expect(parts[1]).toMatch(/^DELETE FROM "we;ird" WHERE id = 1$/);
    expect(parts[2]).toMatch(/^CREATE FUNCTION/);
    expect(parts[3]).toBe("SELECT $$a;b$$");
  });

  it("drops empty statements and trailing comments", () => {
    expect(splitSql(";;  -- nothing\n").length).toBe(0);
    expect(splitSql("DELETE FROM a;\n\n").map((c) => c.text)).toEqual(["DELETE FROM a"]);
  });

  it("keeps a MySQL trigger body (BEGIN ... END without dollar quotes) in one statement", () => {
    const sql = "CREATE TRIGGER trg BEFORE DELETE ON a FOR EACH ROW BEGIN DELETE FROM b WHERE b.a_id = OLD.id; DELETE FROM c; END";
    const st = classifySql(sql);
    expect(st).toHaveLength(1);
    expect(st[0]!.kind).toBe("create");
    expect(st[0]!.object).toBe("TRIGGER");
  });

  it("handles doubled quotes and E-strings", () => {
    expect(splitSql("UPDATE t SET a = 'it''s;'; UPDATE t SET b = E'x\\';y'").map((c) => c.text)).toHaveLength(2);
  });

  it("tokenizes keywords case-insensitively and unquotes identifiers", () => {
    const t = tokenize('delete from "My Table" where `x` = [y]');
    expect(t.map((x) => x.upper)).toEqual(["DELETE", "FROM", "My Table", "WHERE", "x", "=", "y"]);
  });
});

describe("classifyStatement", () => {
  it("DELETE with and without WHERE", () => {
    expect(classifyStatement("DELETE FROM users")).toMatchObject({ kind: "delete", hasWhere: false, table: { name: "users", schema: null } });
    expect(classifyStatement("delete from public.users where id in (select id from x where y)")).toMatchObject({ kind: "delete", hasWhere: true, table: { name: "users", schema: "public" } });
    expect(classifyStatement("DELETE FROM ONLY audit_log")).toMatchObject({ hasWhere: false, table: { name: "audit_log" } });
    expect(classifyStatement("WITH old AS (SELECT id FROM t WHERE x) DELETE FROM t")).toMatchObject({ kind: "delete", hasWhere: false, table: { name: "t" } });
    expect(classifyStatement("DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id")).toMatchObject({ kind: "delete", hasWhere: false, hasJoin: true, table: { name: "t1" } });
    expect(classifyStatement("UPDATE t1 INNER JOIN t2 ON t1.id = t2.t1_id SET t1.a = t2.b")).toMatchObject({ kind: "update", hasWhere: false, hasJoin: true, setColumns: ["a"] });
  });

  it("UPDATE: target, WHERE and the columns it sets", () => {
    expect(classifyStatement("UPDATE account SET status = 'active', score = score + 1")).toMatchObject({
      kind: "update", hasWhere: false, table: { name: "account" }, setColumns: ["status", "score"],
    });
    expect(classifyStatement("UPDATE account a SET a.flag = (SELECT 1 FROM b WHERE b.id = a.id)")).toMatchObject({ hasWhere: false, setColumns: ["flag"] });
    expect(classifyStatement("UPDATE t SET (a, b) = (1, 2) WHERE c IS NULL")).toMatchObject({ hasWhere: true, setColumns: ["a", "b"] });
    expect(classifyStatement('UPDATE "user" SET "isActive" = true FROM x')).toMatchObject({ setColumns: ["isActive"], table: { name: "user", quoted: true } });
    expect(classifyStatement("UPDATE t SET x = coalesce(y, 'a,b'), z = 1 RETURNING id")).toMatchObject({ setColumns: ["x", "z"] });
  });

  it("TRUNCATE lists every table", () => {
    const s = classifyStatement("TRUNCATE TABLE ONLY a, s.b RESTART IDENTITY CASCADE");
    expect(s.kind).toBe("truncate");
    expect(s.targets.map((t) => t.name)).toEqual(["a", "b"]);
    expect(classifyStatement("truncate sessions").targets.map((t) => t.name)).toEqual(["sessions"]);
  });

  it("DROP of tables, schemas, types, indexes and others", () => {
    expect(classifyStatement("DROP TABLE IF EXISTS a, b CASCADE")).toMatchObject({ kind: "drop", object: "TABLE", ifExists: true });
    expect(classifyStatement("DROP TABLE IF EXISTS a, b CASCADE").targets.map((t) => t.name)).toEqual(["a", "b"]);
    expect(classifyStatement("drop schema legacy cascade")).toMatchObject({ kind: "drop", object: "SCHEMA", targets: [{ name: "legacy" }] });
    expect(classifyStatement("DROP TYPE IF EXISTS order_status")).toMatchObject({ object: "TYPE", targets: [{ name: "order_status" }] });
    expect(classifyStatement("DROP INDEX CONCURRENTLY IF EXISTS ix_a")).toMatchObject({ object: "INDEX", targets: [{ name: "ix_a" }] });
    expect(classifyStatement("DROP INDEX ix_a ON users")).toMatchObject({ object: "INDEX", table: { name: "users" } });
    expect(classifyStatement("DROP MATERIALIZED VIEW mv")).toMatchObject({ object: "MATERIALIZED VIEW", targets: [{ name: "mv" }] });
    expect(classifyStatement("DROP FUNCTION IF EXISTS f(integer, text)")).toMatchObject({ object: "FUNCTION", targets: [{ name: "f" }] });
    expect(classifyStatement("DROP TEMPORARY TABLE tmp")).toMatchObject({ object: "TABLE", targets: [{ name: "tmp" }] });
  });

  it("CREATE statements name what they create", () => {
    expect(classifyStatement("CREATE TABLE IF NOT EXISTS s.t (id int)")).toMatchObject({ kind: "create", object: "TABLE", table: { name: "t", schema: "s" } });
    expect(classifyStatement("CREATE TYPE status AS ENUM ('a', 'b')")).toMatchObject({ object: "TYPE", targets: [{ name: "status" }] });
    expect(classifyStatement("CREATE UNIQUE INDEX CONCURRENTLY ix ON t (a)")).toMatchObject({ object: "INDEX", targets: [{ name: "ix" }], table: { name: "t" } });
    expect(classifyStatement("create or replace view v as select 1")).toMatchObject({ object: "VIEW", targets: [{ name: "v" }] });
    expect(classifyStatement("CREATE TEMP TABLE tmp AS SELECT * FROM a")).toMatchObject({ object: "TABLE", targets: [{ name: "tmp" }] });
    expect(classifyStatement("CREATE SCHEMA archive")).toMatchObject({ object: "SCHEMA", targets: [{ name: "archive" }] });
  });

  it("ALTER TABLE actions", () => {
    const s = classifyStatement("ALTER TABLE users DROP COLUMN IF EXISTS legacy, DROP CONSTRAINT fk_x, ADD COLUMN y int, ALTER COLUMN z DROP DEFAULT");
    expect(s.kind).toBe("alter-table");
    expect(s.table).toMatchObject({ name: "users" });
    expect(s.actions).toEqual([
      { verb: "DROP", what: "COLUMN", name: "legacy", ifExists: true },
      { verb: "DROP", what: "CONSTRAINT", name: "fk_x", ifExists: false },
      { verb: "ADD", what: "COLUMN", name: "y", ifExists: false },
      { verb: "ALTER", what: "COLUMN", name: "z", ifExists: false },
    ]);
    expect(classifyStatement("alter table `t` drop `c`").actions).toEqual([{ verb: "DROP", what: "COLUMN", name: "c", ifExists: false }]);
    expect(classifyStatement("ALTER TABLE t DROP FOREIGN KEY fk").actions[0]).toMatchObject({ what: "FOREIGN KEY", name: "fk" });
    expect(classifyStatement("ALTER TABLE t_new RENAME TO t").actions[0]).toMatchObject({ verb: "RENAME", what: "TO", name: "t" });
    expect(classifyStatement("ALTER TABLE t DROP PRIMARY KEY").actions[0]).toMatchObject({ what: "PRIMARY KEY" });
    expect(classifyStatement("ALTER TABLE IF EXISTS ONLY s.t RENAME COLUMN a TO b")).toMatchObject({ table: { name: "t", schema: "s" }, actions: [{ verb: "RENAME", what: "COLUMN", name: "a" }] });
  });

  it("other statements", () => {
    expect(classifyStatement("ALTER TYPE status ADD VALUE 'c'")).toMatchObject({ kind: "alter", object: "TYPE", targets: [{ name: "status" }] });
    expect(classifyStatement("INSERT INTO roles (name) VALUES ('admin')")).toMatchObject({ kind: "insert", table: { name: "roles" } });
    expect(classifyStatement("COMMENT ON TABLE t IS 'x'")).toMatchObject({ kind: "other", keyword: "COMMENT" });
    expect(classifyStatement("SELECT 1")).toMatchObject({ kind: "select" });
    expect(classifyStatement("")).toMatchObject({ kind: "other" });
  });
});

describe("classifySql", () => {
  it("classifies each statement of a multi-statement text, with offsets", () => {
    const sql = "\n  DELETE FROM a;\n  UPDATE b SET c = 1 WHERE d;\n";
    const st = classifySql(sql);
    expect(st.map((s) => [s.kind, s.hasWhere])).toEqual([["delete", false], ["update", true]]);
    expect(sql.slice(st[0]!.start, st[0]!.start + 6)).toBe("DELETE");
  });
});

describe("robustness", () => {
  it("never throws on malformed or unusual SQL", () => {
    const samples = [
      "", ";", "'", "\"", "$$", "$tag$ unterminated", "/* unterminated", "-- only a comment", "((((", "))))",
      "DELETE", "DELETE FROM", "UPDATE SET", "UPDATE t SET", "UPDATE t SET (a, b", "ALTER TABLE", "ALTER TABLE t DROP",
      "DROP", "DROP TABLE", "DROP TABLE IF EXISTS", "TRUNCATE", "CREATE", "CREATE OR REPLACE", "WITH x AS (SELECT 1)",
      "E'\\", "[unterminated", "`x", "DELETE FROM :param", "UPDATE %(t)s SET a = 1", "DELETE FROM t WHERE a = $1",
    ];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ["DELETE ", "FROM ", "t ", "WHERE ", "(", ")", "'", '"', ";", "$$", "--", "\n", "/*", "*/", "SET ", "a = 1", ",", "DROP ", "TABLE ", "ALTER ", "CASCADE "];
    for (let i = 0; i < 300; i++) {
      let s = "";
      for (let j = 0; j < 12; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      samples.push(s);
    }
    for (const s of samples) {
      expect(() => classifySql(s)).not.toThrow();
      for (const st of classifySql(s)) expect(st.start).toBeGreaterThanOrEqual(0);
    }
  });

  it("statement offsets point into the original text", () => {
    const sql = "/* head */ DELETE FROM a; -- x\n  UPDATE b SET c = 1";
    for (const st of classifySql(sql)) expect(sql.slice(st.start, st.start + 6)).toMatch(/^(DELETE|UPDATE)$/);
  });
});
