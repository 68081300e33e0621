// Python's indentation errors, which tree-sitter's grammar accepts. Each expectation is
// what CPython 3.11's ast.parse raises for the same text (message and line); the
// integration suite compares the two on mutated real migrations
// (test/integration/indentation-python.test.ts).
import { describe, expect, it } from "vitest";
import { indentationError } from "../src/parse/indentation.js";
import { parseMigration } from "../src/parse/index.js";

function lineOf(src: string, offset: number): number {
  return src.slice(0, offset).split("\n").length;
}

function verdict(src: string): [number, string] | null {
  const e = indentationError(src);
  return e ? [lineOf(src, e.start), e.message] : null;
}

describe("indentationError", () => {
  it.each([
    ["a line deeper than its block", "def upgrade():\n  op.drop_table('t')\n    op.drop_table('u')\n", [3, "unexpected indent"]],
    ["an indented first line", "  x = 1\n", [1, "unexpected indent"]],
    ["a line after a one-line block", "def f():\n    if x: pass\n        y = 1\n", [3, "unexpected indent"]],
    ["a dedent to no enclosing level", "def upgrade():\n        x = 1\n    y = 2\n", [3, "unindent does not match any outer indentation level"]],
    ["a dedent between two levels", "if True:\n    x = 1\n  y = 2\n", [3, "unindent does not match any outer indentation level"]],
    ["a header with nothing indented", "def upgrade():\nop.drop_table('t')\n", [2, "expected an indented block after function definition on line 1"]],
    ["an if header with nothing indented", "def f():\n    if x:\n    y = 1\n", [3, "expected an indented block after 'if' statement on line 2"]],
    ["a tab and eight spaces at one level", "def f():\n\tx = 1\n        y = 2\n", [3, "inconsistent use of tabs and spaces in indentation"]],
  ] as const)("%s", (_name, src, expected) => {
    expect(verdict(src)).toEqual(expected);
  });

  it("a header at the end of the file is reported at the header", () => {
    expect(verdict("x = 1\nclass A:\n    # only a comment\n")).toEqual([2, "expected an indented block after class definition on line 2"]);
  });

  it.each([
    ["comments at any indentation", "def f():\n    x = 1\n# c\n        # c2\n    y = 2\n"],
    ["continuation lines inside brackets", "def f():\n    x = (1,\n  2)\n    y = 3\n"],
    ["a multi-line string", 'def f():\n    y = """\n  a\n"""\n    z = 1\n'],
    ["consistent tabs", "def f():\n\tif x:\n\t\ty = 1\n\tz = 2\n"],
    ["one-line blocks", "if x: y = 1\nelse: y = 2\nclass A: pass\n"],
    ["decorators and async", "@dec\nasync def f():\n    async with a:\n        pass\n"],
    ["a dict and a slice ending a bracketed line", "x = {\n    'a':\n        1,\n}\ny = z[1:\n]\n"],
  ])("valid: %s", (_name, src) => {
    expect(indentationError(src)).toBeNull();
  });

  it("says nothing when a backslash continues a line into another's indentation", () => {
    expect(indentationError("x = 1 + \\\n        2\ny = 3\n")).toBeNull();
  });

  it("makes the migration's parse error ALM900's, with the rest of the file an error region", async () => {
    const src = "from alembic import op\n\ndef upgrade():\n    op.drop_table('t')\n        op.drop_table('u')\n\ndef downgrade():\n    pass\n";
    const m = await parseMigration(src, "v.py");
    expect(m.parseError).toEqual({ line: 5, column: 9, message: "invalid Python syntax: unexpected indent" });
    expect(m.errorRegions.at(-1)).toMatchObject({ line: 5, column: 1, start: src.indexOf("        op.drop_table('u')"), end: src.length });
  });
});
