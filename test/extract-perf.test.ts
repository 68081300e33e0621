// The extractor's cheaper code paths (issue 9) give what the straightforward code gave:
// docstring headers and spans against reference copies of the old implementations, and
// argument binding / call values on the edge cases the allocation-free versions handle.
import { describe, expect, it } from "vitest";
import { parseDocstringHeader } from "../src/parse/docstring.js";
import { LineIndex } from "../src/parse/lines.js";
import { parseMigration } from "../src/parse/index.js";
import type { Header, Migration, Op } from "../src/model.js";

/** The docstring reader as it was before: every line sliced and matched. */
function referenceDocstringHeader(doc: string, docLine: number, src: string, docStart: number): Header["docstring"] {
  const limit = doc.split("\n").length + 1;
  const lines: string[] = [];
  for (let at = docStart; lines.length < limit; ) {
    const nl = src.indexOf("\n", at);
    lines.push(src.slice(at, nl < 0 ? src.length : nl));
    if (nl < 0) break;
    at = nl + 1;
  }
  let revision: string | null = null;
  let revisionLine: number | null = null;
  let revises: string[] | null = null;
  let revisesLine: number | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^\s*(?:[rRuU]?"""|[rRuU]?''')?/, "");
    let m = /^\s*Revision ID:\s*(\S*)/.exec(line);
    if (m && revision === null) {
      revision = m[1]!.replace(/["']+$/, "");
      revisionLine = docLine + i;
      continue;
    }
    m = /^\s*Revises:\s*(.*?)\s*(?:"""|''')?\s*$/.exec(line);
    if (m && revises === null) {
      const v = m[1]!.trim();
      revises = v === "" || v === "None" ? [] : v.split(/[,\s]+/).map((x) => x.replace(/^[("'[]+|[)"'\]]+$/g, "")).filter((x) => x !== "");
      revisesLine = docLine + i;
    }
  }
  if (revision === null && revises === null) return null;
  return { revision, revisionLine, revises, revisesLine };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  "Revision ID: ", "Revises: ", "abc123", "def456", ", ", " ", "\n", "\n", "\n", '"""', "'''", "r", "(", ")", "'", '"',
  "None", "Create Date: 2024", "  ", "\t", "Revision ID:", "Revises:", "x", "é", "[", "]",
];

function randomText(random: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(random() * PIECES.length)];
  return s;
}

describe("docstring header (lines without a field are skipped unread)", () => {
  const cases = [
    '"""Add things\n\nRevision ID: abc123\nRevises: def456\nCreate Date: 2024-01-01\n\n"""\n',
    '"""Revision ID: one_line"""\n',
    "r'''Revision ID: r_prefixed\nRevises: (a, 'b')'''\n",
    '"""\n   Revision ID:    \n   Revision ID: second\n   Revises: None   """\n',
    '"""Revises: a b\nRevision ID: q"""\n"""Revision ID: later\n"""\n',
    '"""x\nRevises:\n"""\n# Revision ID: after the docstring\n',
    '"""no header at all\n"""\nrevision = "x"\n',
    '"""Revision ID: a Revises: b\nRevises: c Revision ID: d\n"""',
    '"""Revision ID: last line without newline',
  ];
  it("agrees with the reference on hand-written docstrings", () => {
    for (const src of cases) {
      const end = src.indexOf('"""', 3);
      const doc = src.slice(3, end < 0 ? src.length : end);
      for (const docStart of [0, 1]) {
        expect(parseDocstringHeader(doc, 1, src, docStart), src).toEqual(referenceDocstringHeader(doc, 1, src, docStart));
      }
    }
  });
  it("agrees with the reference on random texts (fields anywhere, docstrings of any length)", () => {
    const random = rng(9);
    for (let i = 0; i < 3000; i++) {
      const src = randomText(random, Math.floor(random() * 60));
      const docStart = Math.floor(random() * (src.length + 1));
      const doc = randomText(random, Math.floor(random() * 20));
      const docLine = 1 + Math.floor(random() * 5);
      expect(parseDocstringHeader(doc, docLine, src, docStart), JSON.stringify({ src, doc, docStart })).toEqual(referenceDocstringHeader(doc, docLine, src, docStart));
    }
  });
});

describe("LineIndex.span", () => {
  it("is the two positions of its offsets, with the same keys in the same order", () => {
    const random = rng(4);
    for (let n = 0; n < 200; n++) {
      let src = "";
      const len = Math.floor(random() * 200);
      for (let i = 0; i < len; i++) src += random() < 0.15 ? "\n" : random() < 0.05 ? "\r\n" : "a";
      const lines = new LineIndex(src);
      for (let k = 0; k < 20; k++) {
        const a = Math.floor(random() * (src.length + 2)) - 1;
        const b = random() < 0.9 ? a + Math.floor(random() * (src.length + 1 - Math.max(a, 0))) : Math.floor(random() * (src.length + 1));
        const pa = lines.position(a);
        const pb = lines.position(b);
        const span = lines.span(a, b);
        expect(Object.keys(span)).toEqual(["line", "column", "endLine", "endColumn", "start", "end"]);
        expect(span).toEqual({ line: pa.line, column: pa.column, endLine: pb.line, endColumn: pb.column, start: a, end: b });
      }
    }
  });
});

const EDGE = `"""Edge cases

Revision ID: abc123
Revises: def456
"""
from alembic import op
import sqlalchemy as sa
from app.helpers import do_stuff

revision = "abc123"
down_revision = "def456"
COLS = [sa.Column("a", sa.Integer()), sa.Column("b", sa.String(10))]


def helper(table, *cols, schema=None):
    op.create_table(table, *cols, schema=schema)


def upgrade():
    op.create_table("t", *COLS)
    op.create_table("t2", *make_cols())
    op.create_table(name="t3")
    op.drop_table("t", "s", "extra", 4)
    op.custom_op(1, 2, x=3)
    op.add_column(__proto__=None, table_name="t", column=sa.Column("c", sa.Integer()))
    foo(op.get_bind(), k=op)
    helper("t4", sa.Column("e", sa.Integer()), schema="s4")
    op.bulk_insert(sa.table("t5", sa.column("a"), schema="s5"), [{"a": 1}])
    t6 = op.create_table("t6", sa.Column("id", sa.Integer()))
    op.bulk_insert(t6, [{"id": 1}])
    with op.batch_alter_table("bt", recreate="always") as b:
        b.create_exclude_constraint("ex", ("a", "="), ("b", "&&"))
        b.drop_column("z")


def downgrade():
    pass
`;

describe("argument binding and call values (built without intermediate copies)", () => {
  let m: Migration;
  const ops = (): Op[] => m.sections[0]!.ops;
  it("parses the edge-case migration", async () => {
    m = await parseMigration(EDGE, "edge.py");
    expect(ops().map((o) => o.name)).toEqual([
      "create_table", "create_table", "create_table", "drop_table", "custom_op", "add_column", "create_table", "bulk_insert",
      "create_table", "bulk_insert", "create_exclude_constraint", "drop_column",
    ]);
  });
  it("spreads literal lists into positional arguments, in order, and keeps non-literal spreads", () => {
    expect(Object.keys(ops()[0]!.args)).toEqual(["table_name", "columns"]);
    expect((ops()[0]!.args.columns as unknown[]).length).toBe(2);
    expect(ops()[0]!.tableDef!.columns.map((c) => c.name)).toEqual(["a", "b"]);
    expect(ops()[1]!.args).toEqual({ table_name: "t2", columns: [{ expr: "*make_cols()" }] });
    expect(m.sections[0]!.unanalyzed.map((u) => u.reason)).toContain("a `*make_cols()` argument");
  });
  it("binds legacy keywords, keeps varargs before keywords, extras past the signature, indexes without one", () => {
    expect(Object.keys(ops()[2]!.args)).toEqual(["columns", "table_name"]);
    expect(ops()[2]!.table).toBe("t3");
    expect(ops()[3]!.args).toEqual({ table_name: "t", schema: "s" });
    expect(ops()[3]!.extraArgs).toEqual(["extra", 4]);
    expect(Object.keys(ops()[4]!.args)).toEqual(["0", "1", "x"]);
  });
  it("never binds `__proto__` as an argument", () => {
    const args = ops()[5]!.args;
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(Object.keys(args)).toEqual(["table_name", "column"]);
    expect(ops()[5]!.column?.name).toBe("c");
  });
  it("inlines helpers with varargs and keyword defaults", () => {
    const op = ops()[6]!;
    expect(op.via).toEqual(["helper"]);
    expect(op.table).toBe("t4");
    expect(op.schema).toBe("s4");
    expect(op.tableDef!.columns.map((c) => c.name)).toEqual(["e"]);
  });
  it("resolves bulk_insert's table from sa.table(...) and from a created table", () => {
    expect([ops()[7]!.table, ops()[7]!.schema]).toEqual(["t5", "s5"]);
    expect(ops()[9]!.table).toBe("t6");
    expect(ops()[9]!.args.table).toEqual({ expr: "t6" });
  });
  it("collects batch varargs and reads the batch header", () => {
    expect(ops()[10]!.args).toEqual({ constraint_name: "ex", elements: [["a", "="], ["b", "&&"]] });
    expect(m.sections[0]!.batchBlocks[0]).toMatchObject({ table: "bt", recreate: "always" });
    expect([ops()[11]!.table, ops()[11]!.batch]).toEqual(["bt", true]);
  });
  it("reads the docstring header", () => {
    expect(m.header.docstring).toEqual({ revision: "abc123", revisionLine: 3, revises: ["def456"], revisesLine: 4 });
  });
});
