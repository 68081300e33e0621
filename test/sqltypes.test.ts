import { describe, expect, it } from "vitest";
import { parseMigration } from "../src/parse/index.js";
import { isNarrowing, normalizeType, pgRewriteFree, sameType } from "../src/analysis/sqltypes.js";
import type { Value } from "../src/model.js";

const HEADER = `from alembic import op
import sqlalchemy as sa
from sqlalchemy import String, Integer, Text
from sqlalchemy.dialects import postgresql, mysql
import sqlmodel
from myapp.types import GUID
`;

/** The evaluated `type_` values of `op.alter_column("t", "c", type_=<each source>)`. */
async function types(...sources: string[]): Promise<Value[]> {
  const body = sources.map((s) => `    op.alter_column("t", "c", type_=${s})`).join("\n");
  const m = await parseMigration(`${HEADER}\ndef upgrade():\n${body}\n`, "m.py");
  return m.sections[0]!.ops.map((o) => o.args.type_!);
}

async function narrowing(from: string, to: string) {
  const [a, b] = await types(from, to);
  return isNarrowing(a, b);
}
async function rewriteFree(from: string, to: string) {
  const [a, b] = await types(from, to);
  return pgRewriteFree(a, b);
}

describe("normalizeType", () => {
  it("decodes families and parameters", async () => {
    const [s1, s2, s3, t, i, n, dt, ts, js, uu, my, tiny, en, auto] = await types(
      "sa.String(255)", "sa.String(length=255)", "sa.VARCHAR(64)", "sa.Text()", "mysql.INTEGER(display_width=11)",
      "sa.Numeric(10, 2)", "sa.DateTime(timezone=True)", "postgresql.TIMESTAMP(timezone=False)", "postgresql.JSONB()",
      "postgresql.UUID(as_uuid=True)", "mysql.VARCHAR(charset='utf8', length=40)", "mysql.TINYINT(display_width=1)",
      "sa.Enum('a', 'b', name='kind')", "sqlmodel.sql.sqltypes.AutoString(length=20)",
    );
    expect(normalizeType(s1)).toMatchObject({ family: "string", length: 255, textual: false });
    expect(normalizeType(s2)).toMatchObject({ family: "string", length: 255 });
    expect(normalizeType(s3)).toMatchObject({ family: "string", length: 64 });
    expect(normalizeType(t)).toMatchObject({ family: "string", length: null, textual: true });
    expect(normalizeType(i)).toMatchObject({ family: "integer", bits: 32, unsigned: false });
    expect(normalizeType(n)).toMatchObject({ family: "numeric", precision: 10, scale: 2 });
    expect(normalizeType(dt)).toMatchObject({ family: "datetime", timezone: true });
    expect(normalizeType(ts)).toMatchObject({ family: "datetime", timezone: false, dialect: "postgresql" });
    expect(normalizeType(js)).toMatchObject({ family: "json", jsonb: true });
    expect(normalizeType(uu)).toMatchObject({ family: "uuid" });
    expect(normalizeType(my)).toMatchObject({ family: "string", length: 40, dialect: "mysql" });
    expect(normalizeType(tiny)).toMatchObject({ family: "integer", bits: 8, boolLike: true });
    expect(normalizeType(en)).toMatchObject({ family: "enum", labels: ["a", "b"] });
    expect(normalizeType(auto)).toMatchObject({ family: "string", length: 20 });
  });

  it("accepts bare names imported from sqlalchemy and classes without a call", async () => {
    const [a, b, c, d] = await types("String(30)", "Integer", "sa.Unicode", "sa.UnicodeText");
    expect(normalizeType(a)).toMatchObject({ family: "string", length: 30 });
    expect(normalizeType(b)).toMatchObject({ family: "integer", bits: 32 });
    expect(normalizeType(c)).toMatchObject({ family: "string", length: null });
    expect(normalizeType(d)).toMatchObject({ family: "string", textual: true });
  });

  it("does not know custom types, variants or non-literal lengths", async () => {
    const [a, b, c] = await types("GUID()", "sa.String(255).with_variant(mysql.VARCHAR(255), 'mysql')", "sa.String(get_len())");
    expect(normalizeType(a)).toBeUndefined();
    expect(normalizeType(b)).toBeUndefined();
    expect(normalizeType(c)).toBeUndefined();
    expect(normalizeType(null)).toBeUndefined();
    expect(normalizeType(undefined)).toBeUndefined();
  });
});

describe("isNarrowing", () => {
  const narrow: [string, string][] = [
    ["sa.String(255)", "sa.String(50)"],
    ["sa.VARCHAR(length=100)", "sa.String(length=50)"],
    ["sa.Text()", "sa.String(255)"],
    ["sa.String()", "sa.String(40)"],
    ["sa.BigInteger()", "sa.Integer()"],
    ["sa.BIGINT()", "sa.SmallInteger()"],
    ["sa.Integer()", "mysql.TINYINT()"],
    ["mysql.INTEGER(unsigned=True)", "mysql.INTEGER()"],
    ["sa.Integer()", "mysql.INTEGER(unsigned=True)"],
    ["sa.Numeric(10, 2)", "sa.Numeric(8, 2)"],
    ["sa.Numeric(precision=10, scale=4)", "sa.Numeric(precision=10, scale=2)"],
    ["sa.Numeric(10, 2)", "sa.Numeric(10, 4)"],
    ["sa.Numeric()", "sa.Numeric(12, 2)"],
    ["sa.Float()", "sa.Integer()"],
    ["sa.Numeric(10, 2)", "sa.Integer()"],
    ["sa.DateTime(timezone=True)", "sa.DateTime()"],
    ["postgresql.TIMESTAMP(timezone=True)", "sa.DateTime(timezone=False)"],
    ["sa.DateTime()", "sa.Date()"],
    ["sa.String(20)", "sa.Integer()"],
    ["sa.Text()", "sa.Boolean()"],
    ["sa.VARCHAR(10)", "sa.Date()"],
    ["sa.JSON()", "sa.String(255)"],
    ["postgresql.JSONB()", "sa.VARCHAR(1000)"],
    ["sa.Enum('a', 'b', 'c', name='k')", "sa.Enum('a', 'b', name='k')"],
    ["mysql.LONGTEXT()", "mysql.TEXT()"],
    ["mysql.VARCHAR(length=255)", "mysql.VARCHAR(length=191)"],
    ["sa.Integer()", "sa.String(5)"],
    ["sa.Float(precision=53)", "sa.REAL()"],
    ["postgresql.DOUBLE_PRECISION()", "sa.Float(precision=24)"],
  ];
  for (const [from, to] of narrow) {
    it(`${from} → ${to} narrows`, async () => {
      const r = await narrowing(from, to);
      expect(r?.narrowing).toBe(true);
      expect(r?.reason).toBeTruthy();
    });
  }

  const widen: [string, string][] = [
    ["sa.String(50)", "sa.String(255)"],
    ["sa.String(255)", "sa.Text()"],
    ["sa.VARCHAR(64)", "sa.String(64)"],
    ["sa.Integer()", "sa.BigInteger()"],
    ["sa.Numeric(8, 2)", "sa.Numeric(10, 2)"],
    ["sa.Numeric(10, 2)", "sa.Numeric()"],
    ["sa.DateTime()", "sa.DateTime(timezone=True)"],
    ["sa.Date()", "sa.DateTime()"],
    ["sa.Integer()", "sa.Numeric(12, 2)"],
    ["sa.Integer()", "sa.String(20)"],
    ["sa.JSON()", "postgresql.JSONB()"],
    ["sa.JSON()", "sa.Text()"],
    ["mysql.TINYINT(display_width=1)", "sa.Boolean()"],
    ["sa.Boolean()", "sa.Integer()"],
    ["sa.Enum('a', 'b', name='k')", "sa.Enum('a', 'b', 'c', name='k')"],
    ["sa.Enum('draft', 'live', name='k')", "sa.String(20)"],
    ["postgresql.UUID()", "sa.String(36)"],
    ["mysql.INTEGER(display_width=11)", "sa.Integer()"],
  ];
  for (const [from, to] of widen) {
    it(`${from} → ${to} does not narrow`, async () => {
      expect(await narrowing(from, to)).toEqual({ narrowing: false });
    });
  }

  const unknown: [string, string][] = [
    ["GUID()", "sa.String(10)"],
    ["sa.String(255)", "GUID()"],
    ["sa.String(36)", "sa.Uuid()"],
    ["sa.Enum(MyEnum, name='k')", "sa.Enum('a', name='k')"],
    ["sa.Text()", "mysql.TEXT()"],
    ["sa.Float()", "sa.Numeric(10, 2)"],
    ["sa.Float()", "sa.REAL()"],
  ];
  for (const [from, to] of unknown) {
    it(`${from} → ${to} is not judged`, async () => {
      expect(await narrowing(from, to)).toBeUndefined();
    });
  }

  it("accepts decoded TypeSpecs (ColumnDef.type)", async () => {
    const m = await parseMigration(`${HEADER}\ndef upgrade():\n    op.add_column("t", sa.Column("a", sa.String(10)))\n    op.add_column("t", sa.Column("b", sa.String(5)))\n`, "m.py");
    const [a, b] = m.sections[0]!.ops.map((o) => o.column!.type);
    expect(isNarrowing(a, b)).toMatchObject({ narrowing: true });
    expect(sameType(a, a)).toBe(true);
    expect(sameType(a, b)).toBe(false);
  });
});

describe("pgRewriteFree", () => {
  const free: [string, string][] = [
    ["sa.String(50)", "sa.String(255)"],
    ["sa.VARCHAR(50)", "sa.String()"],
    ["sa.String(50)", "sa.Text()"],
    ["sa.Text()", "sa.String()"],
    ["sa.Numeric(10, 2)", "sa.Numeric(12, 2)"],
    ["sa.Numeric(10, 2)", "sa.Numeric()"],
    ["sa.String(64)", "sa.VARCHAR(length=64)"],
    // PostgreSQL's view of dialect types spelled for MySQL: VARCHAR → TEXT all the same.
    ["mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=255)", "mysql.TEXT(collation='utf8mb4_bin')"],
  ];
  for (const [from, to] of free) {
    it(`${from} → ${to} needs no rewrite`, async () => {
      expect(await rewriteFree(from, to)).toBe(true);
    });
  }
  const rewrite: [string, string][] = [
    ["sa.String(255)", "sa.String(50)"],
    ["sa.Text()", "sa.String(255)"],
    ["sa.Integer()", "sa.BigInteger()"],
    ["sa.Numeric(10, 2)", "sa.Numeric(12, 4)"],
    ["sa.Numeric()", "sa.Numeric(12, 2)"],
    ["sa.CHAR(10)", "sa.String(20)"],
    ["sa.JSON()", "postgresql.JSONB()"],
    ["sa.DateTime()", "sa.DateTime(timezone=True)"],
    ["sa.String(36)", "postgresql.UUID()"],
  ];
  for (const [from, to] of rewrite) {
    it(`${from} → ${to} rewrites`, async () => {
      expect(await rewriteFree(from, to)).toBe(false);
    });
  }
  it("is undefined for unknown types", async () => {
    expect(await rewriteFree("GUID()", "sa.String(10)")).toBeUndefined();
    expect(pgRewriteFree(null, undefined)).toBeUndefined();
  });
});
