// The fast expression reader must read exactly what the tree conversion reads: the
// whole syntax of every fixture and of generated corpora is converted both ways.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadParser, parseWith } from "../src/parse/syntax.js";
import { normalizeSource } from "../src/parse/index.js";
import { readExpression, Unsupported } from "../src/parse/fastexpr.js";
import { generateMigration, rng } from "./bench/corpus.js";
import { mutate } from "./fuzz/mutate.js";

const ROOT = path.resolve(import.meta.dirname, "..");

function pyFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const full = path.join(dir, e);
    return statSync(full).isDirectory() ? pyFiles(full) : e.endsWith(".py") ? [full] : [];
  });
}

describe("fast expression reader", () => {
  it("agrees with the tree conversion on every fixture, generated and mutated migration", async () => {
    const parser = await loadParser();
    const sources = pyFiles(path.join(ROOT, "fixtures")).map((f) => normalizeSource(readFileSync(f, "utf8")));
    const random = rng(3);
    for (let i = 0; i < 60; i++) sources.push(generateMigration(i + 1, random));
    for (let i = 0; i < 200; i++) sources.push(mutate(sources[i % 60]!, random));
    for (const src of sources) {
      const fast = parseWith(parser, src);
      const reference = parseWith(parser, src, { fastExpressions: false });
      expect(fast.body).toEqual(reference.body);
    }
    expect(sources.length).toBeGreaterThan(300);
  });

  it("agrees with the tree conversion on operator precedence, associativity and punctuation", async () => {
    const parser = await loadParser();
    const exprs = [
      "a | b ^ c & d << e >> f + g - h * i / j // k % l @ m",
      "a * b + c * d - e / f", "a - b - c", "a // b // c % d", "2 ** -3 ** 4", "-a ** b", "~a + -b * +c",
      "a << b + c", "a | b | c & d", "(a + b) * c", "a < b <= c != d == e > f >= g", "not a == b and c or not d",
      "a.b.c(d)[e](f=g, *h, **i).j", "x[1, 2][...]", "{'a': b == c, 'd': e := 1}" , "f(a=b == c, d=(e := 2))",
      "'%s' % (a,) + \"x\" * 3", "a @ b @ c", "[a, b,][0]", "{1, 2, 3}", "f(a)(b)(c)",
      "(a).b", "(f)(x)", "(a)[0]", "not (a)", "-(a)", "(a) or (b)", "(a) and (b) or (c)", "(a) < (b) < (c)",
      "a if b else c", "a if b else c if d else e", "(a if b else c).d", "f(a if b else c, d=e if f else g)", "not a if b or c else d",
      "lambda: 0", "lambda a, b=1, *c, d, e=2, **f: a + b", "lambda *, k: k", "lambda a, /, b: a", "lambda x: lambda y: x if y else 0",
      "[f(i) for i in z if i if j]", "[a for b in c for d in e]", "{k: v for k, v in d.items()}", "{i for (i, j) in z}",
      "[(a, b) for [a, b] in c]", "f(i for i in z)", "f((i for i in z))", "g(1, (i for i in z))", "(x for x in y if x)",
      "sorted(x for x in y)", "[x for x in (lambda: y)()]", "[x for x in y if (a if b else c)]",
      "x[1:2]", "x[:2]", "x[1:]", "x[:]", "x[::2]", "x[1:2:3]", "x[a:b, c]", "x[:, None]", "x[f(a):]", "x[-1:]",
      "f(*(a), **(b))", "(a) ** (b)", "(a) + (b) * (c)", "((a))", "(a, b)[0].c", "a ^ b & c", "(a ^ b) & c",
    ];
    // The newer shapes must really be read by the fast reader, not handed to the tree.
    for (const e of exprs.slice(exprs.indexOf("a if b else c"), exprs.indexOf("x[-1:]") + 1)) expect(() => readExpression(e, 0, e.length), e).not.toThrow();
    for (const e of exprs) {
      const src = `x = ${e}\n`;
      const fast = parseWith(parser, src);
      if (fast.error) continue; // not valid Python: nothing to compare
      expect(fast.body, e).toEqual(parseWith(parser, src, { fastExpressions: false }).body);
    }
  });

  it("decodes a backslash line continuation inside a CRLF string the same way both ways", async () => {
    const parser = await loadParser();
    const src = 'x = "a\\\r\nb"\r\n';
    for (const fastExpressions of [true, false]) {
      const body = parseWith(parser, src, { fastExpressions }).body;
      expect(body[0]).toMatchObject({ k: "assign", value: { k: "str", value: "ab" } });
    }
  });

  it("reads the shapes migrations use", () => {
    const read = (s: string) => readExpression(s, 0, s.length);
    expect(read('op.f("ix_a")')).toMatchObject({ k: "call", fn: { k: "attr", attr: "f" }, args: [{ k: "str", value: "ix_a" }] });
    expect(read("sa.Column('a', sa.String(length=255), nullable=False)")).toMatchObject({ k: "call", kwargs: [{ name: "nullable", value: { k: "const", value: false } }] });
    expect(read('"a" "b" \'c\'')).toMatchObject({ k: "str", value: "abc" });
    expect(read('r"\\d+" "\\n"')).toMatchObject({ k: "str", value: "\\d+\n" });
    expect(read('f"x{y}"')).toMatchObject({ k: "fstr" });
    expect(read('f"x{{y}}"')).toMatchObject({ k: "str", value: "x{y}" });
    expect(read("-0x1F + 2 * 3")).toMatchObject({ k: "binop", op: "+", left: { k: "unary", operand: { k: "num", value: 31 } } });
    expect(read("a not in b")).toMatchObject({ k: "compare", ops: ["not in"] });
    expect(read("x is not None")).toMatchObject({ k: "compare", ops: ["is not"] });
    expect(read("{'a': 1, **b}")).toMatchObject({ k: "dict", entries: [{ key: { k: "str" } }, { key: null }] });
    expect(read("(1,)")).toMatchObject({ k: "list", tuple: true, items: [{ k: "num" }] });
    expect(read("[\n  1,  # one\n  2,\n]")).toMatchObject({ k: "list", tuple: false, items: [{ k: "num" }, { k: "num" }] });
    for (const unsupported of ["(yield)", "await x", "[x async for x in y]", "f(x for x in y, 1)", "a if b"]) {
      expect(() => read(unsupported), unsupported).toThrow(Unsupported);
    }
  });
});
