// The header-only reader must agree with the full extraction wherever it answers.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseMigration, normalizeSource, loadParser } from "../src/parse/index.js";
import { readHeaderOnly } from "../src/parse/header.js";
import { textComments } from "../src/parse/comments.js";
import { LineIndex } from "../src/parse/lines.js";
import { parseWith } from "../src/parse/syntax.js";
import { generateMigration, rng } from "./bench/corpus.js";
import { mutate } from "./fuzz/mutate.js";

const ROOT = path.resolve(import.meta.dirname, "..");

function pyFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const full = path.join(dir, e);
    return statSync(full).isDirectory() ? pyFiles(full) : e.endsWith(".py") ? [full] : [];
  });
}

describe("header-only reading", () => {
  it("agrees with the full extraction on every fixture, generated and mutated file it answers for", async () => {
    const sources = pyFiles(path.join(ROOT, "fixtures")).map((f) => normalizeSource(readFileSync(f, "utf8")));
    const random = rng(11);
    for (let i = 0; i < 40; i++) sources.push(generateMigration(i + 1, random));
    for (let i = 0; i < 300; i++) sources.push(normalizeSource(mutate(sources[i % sources.length]!, random)));
    let answered = 0;
    for (const src of sources) {
      const fast = readHeaderOnly(src, "x.py", "/x.py");
      if (!fast) continue;
      const full = await parseMigration(src, "x.py", "/x.py");
      if (full.parseError) continue; // a broken file's header is the full parser's call
      answered++;
      expect(fast.header, src.slice(0, 400)).toEqual(full.header);
      expect(fast.comments, "comments").toEqual(full.comments);
    }
    expect(answered).toBeGreaterThan(sources.length * 0.6);
  });

  it("finds the comments tree-sitter finds, reading the text (used by the full parse of clean files)", async () => {
    const parser = await loadParser();
    const sources = pyFiles(path.join(ROOT, "fixtures")).map((f) => normalizeSource(readFileSync(f, "utf8")));
    const random = rng(12);
    for (let i = 0; i < 40; i++) sources.push(generateMigration(i + 1, random));
    for (let i = 0; i < 400; i++) sources.push(normalizeSource(mutate(sources[i % sources.length]!, random)));
    sources.push('x = "# not a comment"  # one\ny = """\n# not one either\n"""\ndef f():\n    # two\n    return (1,  # three\n    2)\n');
    sources.push('a = f"{x}"  # one\n', 'b = rf\'{{x}}\' "it\'s" \'\'\'q\'\'\'  # one\r\n# two\r\n', 'c = "\\" + \'\\\'\'  # one\n', 'd = F"""{{\n#no\n}}"""  # one\n');
    let answered = 0;
    for (const src of sources) {
      const reference = parseWith(parser, src, { fastExpressions: false });
      if (reference.error) continue; // the full parse reads a broken file's comments from its tree
      const fromText = textComments(src, new LineIndex(src));
      if (!fromText) continue;
      answered++;
      expect(fromText, src.slice(0, 400)).toEqual(reference.comments);
    }
    expect(answered).toBeGreaterThan(sources.length * 0.6);
    const texts = (src: string) => textComments(src, new LineIndex(src))?.map((c) => c.text);
    expect(texts('x = "# not a comment"  # one\ny = """\n# not one either\n"""\ndef f():\n    # two\n    return (1,  # three\n    2)\n')).toEqual(["# one", "# two", "# three"]);
    expect(texts('a = f"{x}"  # one\n')).toEqual(["# one"]); // a plain field
    expect(texts('a = f"{x[\'#\']}"  # one\n')).toBeUndefined(); // quotes in a field: the tree decides
    expect(texts('d = F"""{{\n#no\n}}"""  # one\n')).toEqual(["# one"]);
  });

  it("declines what it cannot be sure of", () => {
    for (const src of [
      'REV = "a"\nrevision = REV\ndown_revision = None\n',
      'revision = "a"\ndown_revision = ("b"\n',
      'revision = down_revision = "a"\n',
      'from other import revision\ndown_revision = None\n',
      '"""unterminated\nrevision = "a"\n',
    ]) {
      expect(readHeaderOnly(src, "x.py", "/x.py"), src).toBeNull();
    }
  });

  it("reads the usual shapes", () => {
    const m = readHeaderOnly('"""msg\n\nRevision ID: ab12\nRevises: cd34, ef56\n"""\nfrom alembic import op\n\n# ids\nrevision: str = "ab12"  # the id\ndown_revision: Union[str, Sequence[str], None] = (\n    "cd34",\n    "ef56",\n)\nbranch_labels = None; depends_on = "lbl"\n\ndef upgrade():\n    revision = "not me"\n', "x.py", "/x.py")!;
    expect(m.header.revision).toMatchObject({ value: "ab12", span: { line: 9 } });
    expect(m.header.downRevision).toMatchObject({ value: ["cd34", "ef56"], span: { line: 10, endLine: 13 } });
    expect(m.header.branchLabels?.value).toEqual([]);
    expect(m.header.dependsOn?.value).toEqual(["lbl"]);
    expect(m.header.docstring).toMatchObject({ revision: "ab12", revises: ["cd34", "ef56"], revisionLine: 3 });
  });
});
