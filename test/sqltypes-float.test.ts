// Float narrowing as SQLAlchemy renders the types on each dialect (ALM303).
import { describe, expect, it } from "vitest";
import { parseMigration } from "../src/parse/index.js";
import { floatBitsOn, isNarrowing, normalizeType, pgRewriteFree, sameType } from "../src/analysis/sqltypes.js";
import type { Dialect } from "../src/engine/rule.js";
import type { Value } from "../src/model.js";

const HEADER = `from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, mysql, mssql, oracle
`;

async function types(...sources: string[]): Promise<Value[]> {
  const body = sources.map((s) => `    op.alter_column("t", "c", type_=${s})`).join("\n");
  const m = await parseMigration(`${HEADER}\ndef upgrade():\n${body}\n`, "m.py");
  return m.sections[0]!.ops.map((o) => o.args.type_!);
}

async function narrowing(from: string, to: string, dialect?: Dialect) {
  const [a, b] = await types(from, to);
  return isNarrowing(a, b, dialect);
}

async function bits(src: string, dialect: Dialect) {
  const [t] = await types(src);
  return floatBitsOn(normalizeType(t)!, dialect);
}

describe("floatBitsOn", () => {
  const cases: [string, Dialect, number | undefined][] = [
    ["sa.Float()", "postgresql", 53],
    ["sa.Float(asdecimal=True)", "postgresql", 53],
    ["sa.Float(precision=24)", "postgresql", 24],
    ["sa.Float(24)", "postgresql", 24],
    ["sa.Float(precision=25)", "postgresql", 53],
    ["sa.Float(precision=0)", "postgresql", 53],
    ["sa.REAL()", "postgresql", 24],
    ["postgresql.REAL()", "postgresql", 24],
    ["postgresql.DOUBLE_PRECISION()", "postgresql", 53],
    ["sa.DOUBLE_PRECISION()", "postgresql", 53],
    ["sa.Double()", "postgresql", 53],
    ["sa.Float()", "mssql", 53],
    ["sa.REAL()", "mssql", 24],
    ["sa.Float()", "mysql", 24],
    ["sa.Float(precision=30)", "mysql", 53],
    ["sa.REAL()", "mysql", 53],
    ["mysql.DOUBLE()", "postgresql", 53],
    ["mysql.REAL()", "postgresql", 53],
    ["mysql.FLOAT()", "postgresql", 24],
    ["sa.REAL()", "sqlite", 53],
    ["sa.Float(precision=24)", "sqlite", 53],
    ["sa.Float()", "oracle", undefined],
    ["sa.REAL()", "oracle", undefined],
    ["oracle.BINARY_FLOAT()", "oracle", 24],
    ["oracle.BINARY_DOUBLE()", "postgresql", 53],
    ["sa.Numeric(10, 2)", "postgresql", undefined],
  ];
  for (const [src, d, want] of cases) {
    it(`${src} on ${d}: ${want ?? "unknown"}`, async () => {
      expect(await bits(src, d)).toBe(want);
    });
  }
});

describe("isNarrowing: floats by dialect", () => {
  const narrow: [string, string, Dialect][] = [
    ["sa.Float()", "sa.Float(precision=24)", "postgresql"],
    ["sa.Float()", "sa.REAL()", "postgresql"],
    ["sa.Float()", "postgresql.REAL()", "postgresql"],
    ["sa.Double()", "sa.REAL()", "postgresql"],
    ["sa.DOUBLE_PRECISION()", "sa.Float(10)", "postgresql"],
    ["postgresql.DOUBLE_PRECISION(precision=53)", "sa.REAL()", "mysql"], // written for PostgreSQL
    ["sa.Float(precision=53, asdecimal=True)", "sa.Float(precision=24, asdecimal=True)", "postgresql"],
    ["sa.Float()", "sa.REAL()", "mssql"],
    ["sa.Double()", "sa.Float()", "mysql"],
    ["mysql.DOUBLE()", "mysql.FLOAT()", "postgresql"],
    ["oracle.BINARY_DOUBLE()", "oracle.BINARY_FLOAT()", "postgresql"],
    ["sa.Numeric(12, 2)", "sa.REAL()", "postgresql"],
    ["sa.Numeric(20, 4)", "sa.Float()", "postgresql"],
    ["sa.Numeric(10, 2)", "sa.Float()", "mysql"],
  ];
  for (const [from, to, d] of narrow) {
    it(`${from} → ${to} narrows on ${d}`, async () => {
      const r = await narrowing(from, to, d);
      expect(r?.narrowing).toBe(true);
      expect(r?.reason).toMatch(/significant digits/);
    });
  }

  const clean: [string, string, Dialect][] = [
    ["sa.Float(precision=24)", "sa.Float()", "postgresql"],
    ["sa.REAL()", "sa.DOUBLE_PRECISION()", "postgresql"],
    ["sa.REAL()", "sa.Float(precision=24)", "postgresql"],
    ["sa.Float()", "postgresql.DOUBLE_PRECISION()", "postgresql"],
    ["sa.Float(asdecimal=True)", "sa.Float(asdecimal=False)", "postgresql"],
    ["sa.Float(precision=53)", "sa.Float(asdecimal=True)", "postgresql"],
    ["sa.Float()", "sa.Float(precision=24)", "mysql"],
    ["sa.Double()", "sa.REAL()", "mysql"],
    ["mysql.DOUBLE(asdecimal=True)", "mysql.REAL()", "postgresql"],
    ["sa.Double()", "sa.REAL()", "sqlite"],
    ["sa.Float()", "sa.Float(precision=24)", "sqlite"],
    ["sa.Numeric(6, 2)", "sa.REAL()", "postgresql"],
    ["sa.Numeric(15, 2)", "sa.Float()", "postgresql"],
  ];
  for (const [from, to, d] of clean) {
    it(`${from} → ${to} does not narrow on ${d}`, async () => {
      expect(await narrowing(from, to, d)).toEqual({ narrowing: false });
    });
  }

  const unknown: [string, string, Dialect | undefined][] = [
    ["sa.Float()", "sa.REAL()", undefined],
    ["sa.Float()", "sa.REAL()", "oracle"],
    ["sa.Double()", "sa.REAL()", "oracle"],
    ["oracle.FLOAT(binary_precision=126)", "oracle.BINARY_FLOAT()", "postgresql"],
    ["mysql.DOUBLE()", "postgresql.REAL()", "postgresql"],
    ["sa.Numeric()", "sa.REAL()", "postgresql"],
    ["sa.Numeric(12, 2)", "sa.REAL()", "sqlite"],
    ["sa.Float()", "sa.Numeric(10, 2)", "postgresql"],
  ];
  for (const [from, to, d] of unknown) {
    it(`${from} → ${to} is not judged on ${d ?? "no dialect"}`, async () => {
      expect(await narrowing(from, to, d)).toBeUndefined();
    });
  }
});

describe("float types for the other rules (unchanged by the dialect)", () => {
  it("sameType and pgRewriteFree ignore asdecimal and still see a float change as a rewrite", async () => {
    const [f, fd, f24, real, dbl] = await types("sa.Float()", "sa.Float(asdecimal=True)", "sa.Float(precision=24)", "sa.REAL()", "sa.DOUBLE_PRECISION()");
    expect(sameType(f, fd)).toBe(true);
    expect(sameType(f24, real)).toBe(true);
    expect(sameType(f, f24)).toBe(false);
    expect(pgRewriteFree(f, fd)).toBe(true);
    expect(pgRewriteFree(f, f24)).toBe(false);
    expect(pgRewriteFree(real, dbl)).toBe(false);
    expect(pgRewriteFree(dbl, real)).toBe(false);
  });
});
