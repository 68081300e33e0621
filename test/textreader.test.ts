// The text reader must build exactly what tree-sitter's tree converts to, wherever it
// answers, and must never answer for a file tree-sitter finds an error in.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Parser } from "web-tree-sitter";
import { loadParser, normalizeSource, parseWith } from "../src/parse/syntax.js";
import { readModuleText } from "../src/parse/textreader.js";
import { generateMigration, rng } from "./bench/corpus.js";
import { mutate } from "./fuzz/mutate.js";

const ROOT = path.resolve(import.meta.dirname, "..");

function pyFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const full = path.join(dir, e);
    return statSync(full).isDirectory() ? pyFiles(full) : e.endsWith(".py") ? [full] : [];
  });
}

/** Compares both readings where the text reader answers; returns whether it did. */
function agrees(parser: Parser, src: string): boolean {
  const fromText = readModuleText(src);
  if (!fromText) return false;
  const fromTree = parseWith(parser, src);
  expect(fromTree.error, `accepted a file tree-sitter rejects:\n${src.slice(0, 600)}`).toBeNull();
  expect(fromText, src.slice(0, 600)).toEqual(fromTree);
  return true;
}

describe("text reader", () => {
  it("reads every fixture and example it answers for exactly as tree-sitter's tree, and answers for most", async () => {
    const parser = await loadParser();
    const files = [...pyFiles(path.join(ROOT, "fixtures")), ...pyFiles(path.join(ROOT, "examples"))];
    let answered = 0;
    for (const f of files) {
      const src = normalizeSource(readFileSync(f, "utf8"));
      if (agrees(parser, src)) answered++;
      agrees(parser, src.replace(/\r?\n/g, "\r\n")); // the same file with Windows line ends
    }
    // Fixtures are full of traps (syntax errors, lambdas, decorators): most must still be read.
    expect(answered).toBeGreaterThan(files.length * 0.9);
  });

  it("agrees on generated migrations and on mutated ones", async () => {
    const parser = await loadParser();
    // TEXTREADER_FUZZ=N TEXTREADER_SEED=S for a longer run.
    const random = rng(Number(process.env.TEXTREADER_SEED ?? 21));
    const generated = Array.from({ length: 80 }, (_, i) => generateMigration(i + 1, random));
    for (const src of generated) expect(agrees(parser, src)).toBe(true);
    const seeds = [...generated, ...pyFiles(path.join(ROOT, "fixtures")).map((f) => normalizeSource(readFileSync(f, "utf8")))];
    let answered = 0;
    for (let i = 0; i < Number(process.env.TEXTREADER_FUZZ ?? 1500); i++) {
      const src = normalizeSource(mutate(seeds[i % seeds.length]!, random));
      if (agrees(parser, src)) answered++;
    }
    expect(answered).toBeGreaterThan(300); // mutations that keep the file valid are still read
  });

  it("agrees on random nests of statements and expressions", async () => {
    const parser = await loadParser();
    const random = rng(Number(process.env.TEXTREADER_SEED ?? 31));
    let answered = 0;
    for (let i = 0; i < Number(process.env.TEXTREADER_FUZZ ?? 3000); i++) if (agrees(parser, statementMix(random))) answered++;
    expect(answered).toBeGreaterThan(800);
  });

  it("counts trailing comments into the blocks tree-sitter's scanner puts them in", async () => {
    const parser = await loadParser();
    const random = rng(5);
    const comment = (indent: number) => `${" ".repeat(indent)}# c\n`;
    // Nested blocks with comments at every indentation after their last statements.
    for (let n = 0; n < 400; n++) {
      let src = "";
      const depth = 1 + Math.floor(random() * 4);
      for (let d = 0; d < depth; d++) {
        src += `${" ".repeat(4 * d)}${["if a:", "for x in y:", "with w as v:", "def f():", "while b:"][Math.floor(random() * 5)]}${random() < 0.2 ? "  # h" : ""}\n`;
        if (random() < 0.3) src += comment(4 * d + 4);
        if (random() < 0.5) src += `${" ".repeat(4 * d + 4)}s${d} = 1\n`;
      }
      src += `${" ".repeat(4 * depth)}last()${random() < 0.3 ? "  # same line" : ""}\n`;
      for (let k = Math.floor(random() * 4); k > 0; k--) src += random() < 0.2 ? "\n" : comment(Math.floor(random() * (4 * depth + 6)));
      const next = Math.floor(random() * (depth + 1));
      if (next < depth || random() < 0.5) src += `${" ".repeat(4 * Math.min(next, depth))}${random() < 0.3 && next > 0 ? "else:\n" + " ".repeat(4 * next + 4) + "pass" : "after()"}\n`;
      if (random() < 0.5) src += comment(Math.floor(random() * 9));
      agrees(parser, src);
    }
    const src = "def f():\n    if x:\n        y()\n            # deep\n      # mid\n  # two\n# zero\nz = 1\n";
    expect(agrees(parser, src)).toBe(true);
    const def = readModuleText(src)!.body[0]!;
    expect(src.slice(def.span.start, def.span.end).endsWith("# mid")).toBe(true);
  });

  it("reads the statements migrations are made of", async () => {
    const parser = await loadParser();
    const sources = [
      'from alembic import op\nimport sqlalchemy as sa, os.path\nfrom . import models\nfrom ..x.y import (a as b, c,)\nfrom x import *\nfrom __future__ import annotations\n',
      'revision: str = "abc"\ndown_revision: Union[str, Sequence[str], None] = None\nbranch_labels = depends_on = None\n',
      'def upgrade(engine_name: str = "", *args, key=None, **kw) -> None:\n    globals()["upgrade_%s" % engine_name]()\n',
      'def f(a, /, b: int, *, c: "x" = 3):\n    global g, h\n    x, y = y, x\n    x += 1, 2\n    return x, y\n',
      'class Base(DeclarativeBase, metaclass=M):\n    __tablename__ = "t"\n    id = sa.Column(sa.Integer)\n    def f(self):\n        pass\n',
      'def g():\n    try:\n        op.drop_index("ix")\n    except (KeyError, sa.exc.OperationalError) as e:\n        raise RuntimeError("x") from e\n    except Exception:\n        pass\n    else:\n        a = 1\n    finally:\n        b = 2\n',
      'for a, b in [(1, 2)]:\n    continue\nelse:\n    break\nwhile not done:\n    done = True\n',
      'with op.batch_alter_table("t", schema=None) as batch_op, ctx():\n    batch_op.drop_column("c")\n',
      'if a:\n    x()\nelif b:  # why\n    y()\nelif c:\n    z()\nelse:\n    w()\n',
      'x = (\n    1,  # one\n    2,\n)\ny = [\n]\n"""doc"""\nnot x\n',
      'for a, in b:\n    pass\nx = 1,\na, = b\ndef f():\n    return 1,\n',
      'del a\ndel a, b\ndel d["k"], e,\nassert x\nassert x, "m"\n',
      '@decorator\ndef f():\n    pass\nclass A:\n    @property\n    # c\n    @x.setter(1)\n    def g(self):\n        return 1\n@dataclass\nclass B:\n    a: int\n',
      'q = session \\\n    .query(M.a) \\\n    .count()\n',
    ];
    for (const src of sources) expect(agrees(parser, src), src).toBe(true);
  });

  it("reads f-strings with plain fields and leaves the others to tree-sitter", async () => {
    const parser = await loadParser();
    const fields = [
      "{a}", "{a.b!r:>10}", "{{a}}", "}", "{}", "{a b}", "{if}", "{1}", "{a:{w}}", "{a['k']}", "{a=}", "{ a }", "{a!x}", "{a.}", "{a}}", "{{",
      "{a:%Y-%m}", "{a!r}", "{len(x)}", "{a + b}", "{a != b}", "{a == b}", "{f(a, b=1)}", "{x[0]}", "{x[1:2]}", "{a!r:>10}", "{(a)}", "{a:=1}",
      "{lambda: 1}", "{a if b else c}", "{[i for i in y]}", "{x!r=}", "{ }", "{a!}", "{a:}", "{f(}", "{a)}", "{a]}", "{-a}", "{a,}", "{a, b}",
    ];
    let answered = 0;
    for (const field of fields) {
      for (const quote of ['"', "'", '"""', "'''"]) {
        for (const prefix of ["f", "rf", "F", "fR"]) {
          if (agrees(parser, `op.execute(${prefix}${quote}UPDATE ${field} SET x = 1${quote})  # c\n`)) answered++;
        }
      }
    }
    expect(answered).toBeGreaterThan(250);
    expect(readModuleText('op.execute(f"UPDATE {schema}.{table} SET a = 1")\n')?.body[0]).toMatchObject({ k: "expr", expr: { k: "call", args: [{ k: "fstr" }] } });
  });

  it("leaves to tree-sitter what it cannot be sure of", () => {
    const declined = [
      'print "x"\n', "exec code\n", "def f():\n\tpass\n", "@decorator\nx = 1\n", "@a b\ndef f():\n    pass\n",
      "a = 1; b = 2\n", "if x: pass\n", "async def f():\n    pass\n", "  x = 1\n", "def f():\n    x = 1\n      y = 2\n",
      'op.execute(f"UPDATE {d[\'table\']}")\n', "while x:\n    pass\nelse:\n    pass\n", "try:\n    pass\n", "assert x,\n",
      "match x:\n    case 1:\n        pass\n", "x = (1\n", "with (a as b):\n    pass\n", "from x import a,\n", "a, b,\n", "x = a,,\n",
    ];
    for (const src of declined) expect(readModuleText(src), src).toBeNull();
  });
});

/** Random nests of every statement and expression shape the text reader knows, and some it must decline. */
function statementMix(random: () => number): string {
  const pick = <T,>(a: T[]): T => a[Math.floor(random() * a.length)]!;
  const exprs = [
    "a", "a.b", "f(x)", "f(x, y=1, *z, **w)", '"s"', "'t' 'u'", 'f"v{a}"', 'f"{a!r:>3}"', "1", "1.5", "-1", "None", "[1, 2,]", "(1,)", "()", "{}", '{"k": 1}', "{1, 2}",
    "a + b * c", "a if b else c", "lambda x: x", "[i for i in y if i]", "{k: v for k, v in d}", "x[1:2]", "not a", "a and b or c", "a < b <= c", "a is not None", "a not in b",
    'op.add_column("t", sa.Column("c", sa.Integer(), nullable=False))', "(\n    a,\n    b,\n)", "f(\n    x,  # c\n    y)", 'sa.text("""\nSELECT 1\n""")', "x \\\n    + y", "g(i for i in y)",
    "*a", "a,", "yield a", "await a", "a := 1", 'b"x"', 'r"\\d"', "...", "x[::2]", "f(a=\n  b)", "f(a,\nb)", 'Rf"{a}"', 'f"{a["k"]}"', 'f"{a:{b}}"', "1.e5", "x.if", "a.\nb", "café",
  ];
  const targets = ["a", "a.b", "a[0]", "a, b", "(a, b)", "[a, b]", "a,", "f(x)", "1", "*a, b"];
  const block = (indent: number, depth: number): string => {
    let s = "";
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      s += statement(indent, depth);
      if (random() < 0.25) s += `${" ".repeat(Math.floor(random() * (indent + 6)))}# c\n`;
      if (random() < 0.1) s += "\n";
    }
    return s;
  };
  const statement = (indent: number, depth: number): string => {
    const pad = " ".repeat(indent);
    const body = () => block(indent + pick([4, 4, 4, 2, 8]), depth + 1);
    if (depth < 3 && random() < 0.25) {
      switch (pick(["if", "for", "while", "with", "try", "def", "class", "decorated"])) {
        case "if":
          return `${pad}if ${pick(exprs)}:\n${body()}` + (random() < 0.4 ? `${pad}elif ${pick(exprs)}:\n${body()}` : "") + (random() < 0.4 ? `${pad}else:\n${body()}` : "");
        case "for":
          return `${pad}for ${pick(targets)} in ${pick(exprs)}:\n${body()}` + (random() < 0.2 ? `${pad}else:\n${body()}` : "");
        case "while":
          return `${pad}while ${pick(exprs)}:\n${body()}` + (random() < 0.1 ? `${pad}else:\n${body()}` : "");
        case "with":
          return `${pad}with ${pick(exprs)}${random() < 0.5 ? ` as ${pick(["b", "b.c", "(b, c)"])}` : ""}${random() < 0.3 ? `, ${pick(exprs)}` : ""}:\n${body()}`;
        case "try": {
          let s = `${pad}try:\n${body()}`;
          const handlers = Math.floor(random() * 3);
          for (let i = 0; i < handlers; i++) s += `${pad}except${pick(["", " Exception", " (A, B) as e", " A as e.f", "* E"])}:\n${body()}`;
          if (random() < 0.3) s += `${pad}else:\n${body()}`;
          return handlers === 0 || random() < 0.4 ? `${s}${pad}finally:\n${body()}` : s;
        }
        case "def":
          return `${pad}def ${pick(["f", "upgrade"])}(${pick(["", "a, b=1", "a: int = 2, *args, **kw", "*, k", "a, /, b", 'x: "T"', "a=(1, 2)"])})${pick(["", " -> None", " -> a == b"])}:\n${body()}`;
        case "class":
          return `${pad}class A${pick(["", "(B)", "(B, metaclass=M)"])}:\n${body()}`;
        default:
          return `${pad}@${pick(["d", "d.e", "d(1)"])}\n${pad}${pick(["def f():", "class C:", "x = 1"])}\n${body()}`;
      }
    }
    const simple = pick([
      () => `${pick(targets)} = ${pick(exprs)}`, () => `${pick(targets)} = ${pick(targets)} = ${pick(exprs)}`,
      () => `a: ${pick(["int", "List[int]", "a | None", '"X"', "a == b"])}${random() < 0.5 ? ` = ${pick(exprs)}` : ""}`,
      () => `${pick(targets)} ${pick(["+=", "|=", "**="])} ${pick(exprs)}`, () => pick(exprs), () => `${pick(exprs)}, ${pick(exprs)}`, () => "pass",
      () => `return${random() < 0.5 ? ` ${pick(exprs)}` : ""}`, () => `raise${random() < 0.5 ? ` ${pick(exprs)}${random() < 0.3 ? " from e" : ""}` : ""}`,
      () => `import ${pick(["a", "a.b", "a as b", "a.b as c, d"])}`, () => `from ${pick(["a", ".", "..a", "__future__"])} import ${pick(["b", "b as c", "(b, c,)", "*", "b, c"])}`,
      () => "global a, b", () => `del ${pick(targets)}`, () => `assert ${pick(exprs)}${random() < 0.5 ? ', "m"' : ""}`, () => "break", () => `${pick(exprs)}; ${pick(exprs)}`,
      () => `print ${pick(exprs)}`, () => `print(${pick(exprs)})`,
    ])();
    return `${pad}${simple}${random() < 0.2 ? "  # t" : ""}\n`;
  };
  const src = block(0, 0);
  return random() < 0.15 ? src.replace(/\n/g, "\r\n") : src;
}
