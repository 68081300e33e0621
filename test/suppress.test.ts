// In-source suppressions: every form, where they apply, require_reason, ALM902, graph
// findings, and the pre-commit file mode.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules } from "../src/engine/registry.js";
import { defineRule, type Diagnostic } from "../src/engine/rule.js";
import { parseSuppressions } from "../src/engine/suppress.js";
import { lintPaths, type LintOptions } from "../src/lint.js";
import { main } from "../src/cli.js";
import { parseMigration } from "../src/parse/index.js";
import { asString } from "../src/model.js";

// Test-only rules (this file's own module graph: vitest isolates test files).
const dropRule = defineRule({
  meta: {
    code: "ALM998",
    name: "test-drop-column",
    severity: "error",
    category: "data-loss",
    docs: { summary: "test", rationale: "test" },
    messages: { drop: (a: { table: string; column: string }) => `drop of ${a.table}.${a.column}` },
  },
  check(m, ctx) {
    for (const s of m.sections) {
      if (s.role !== "upgrade") continue;
      for (const op of s.ops) {
        if (op.name === "drop_column") ctx.report({ at: op, message: "drop", data: { table: op.table ?? "?", column: asString(op.args.column_name) ?? "?" } });
      }
    }
  },
});
const defRule = defineRule({
  meta: {
    code: "ALM997",
    name: "test-empty-downgrade",
    severity: "error",
    category: "reversibility",
    docs: { summary: "test", rationale: "test" },
    messages: { empty: () => "downgrade() does nothing" },
  },
  check(m, ctx) {
    for (const s of m.sections) if (s.role === "downgrade" && s.ops.length === 0) ctx.report({ at: s, message: "empty", data: {} });
  },
});
// A graph rule: reports at the `revision =` line of every revision whose id starts with
// "dead", even when that file is not among the files passed (like ALM001's heads).
const graphRule = defineRule({
  meta: {
    code: "ALM996",
    name: "test-graph",
    severity: "error",
    category: "revision-graph",
    docs: { summary: "test", rationale: "test" },
    messages: { dead: (a: { rev: string }) => `revision ${a.rev} is dead` },
  },
  checkProject(set, ctx) {
    for (const m of set.migrations) {
      const v = m.header.revision?.value;
      if (typeof v === "string" && v.startsWith("dead")) ctx.reportIn(m, { at: m.header.revision!.span, message: "dead", data: { rev: v }, fingerprint: `dead:${v}`, evenOutsideTargets: true });
    }
  },
});

let tmp: string;
beforeAll(() => {
  allRules.push(dropRule as never, defRule as never, graphRule as never);
  tmp = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-suppress-"));
});
afterAll(() => {
  allRules.splice(allRules.indexOf(dropRule as never), 3);
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
/** Writes files into a fresh versions directory; returns its path. */
function tree(files: Record<string, string>): string {
  const dir = path.join(tmp, `t${n++}`, "versions");
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const HEAD = (rev: string, down: string | null = null) => `"""test\n\nRevision ID: ${rev}\nRevises: ${down ?? ""}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${rev}"\ndown_revision = ${down ? `"${down}"` : "None"}\n`;
// HEAD occupies lines 1-10; bodies start at line 11.

const SELECT = ["ALM998", "ALM997", "ALM996", "ALM902", "ALM900"];

async function lint(files: Record<string, string>, opts: LintOptions & { only?: string[] } = {}): Promise<Diagnostic[]> {
  const dir = tree(files);
  const paths = opts.only ? opts.only.map((f) => path.join(dir, f)) : [dir];
  const res = await lintPaths(paths, { select: SELECT, cwd: dir, ...opts });
  expect(res.internalErrors).toEqual([]);
  return res.diagnostics;
}

/** "line CODE" for the findings that fail, "line CODE (suppressed: reason)" for the others. */
function show(ds: Diagnostic[]): string[] {
  const sorted = [...ds].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.span.line - b.span.line || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)));
  return sorted.map((d) => `${path.basename(d.path)}:${d.span.line} ${d.code}${d.suppressed ? ` (${d.suppressed.kind}: ${d.suppressed.justification})` : ""}`);
}

async function sups(src: string) {
  return parseSuppressions(await parseMigration(src, "m.py", path.join(tmp, "m.py")));
}

describe("parsing suppression comments", () => {
  it("reads the ignore form with codes, names, spaces and a reason", async () => {
    const [s] = await sups(`def upgrade():\n    op.drop_column("u", "x")  # alembic-lint: ignore[ALM998, test-empty-downgrade] column unused since 2024\n`);
    expect(s).toMatchObject({ line: 2, scope: "line", lines: [2], codes: ["ALM998", "ALM997"], unknown: [], reason: "column unused since 2024", form: "alembic-lint" });
  });

  it("is case-insensitive and tolerant of spacing", async () => {
    const [s] = await sups(`x = 1  #alembic-lint:IGNORE [alm998,Test-Drop-Column]:  the reason\n`);
    expect(s).toMatchObject({ codes: ["ALM998"], reason: "the reason" });
  });

  it("an own-line comment covers the next line, skipping comment lines but not blank lines", async () => {
    const list = await sups(`# alembic-lint: ignore[ALM998] a\n# alembic-lint: ignore[ALM997] b\nop.drop_column("u", "x")\n# alembic-lint: ignore[ALM998] c\n\nop.drop_column("u", "y")\n`);
    expect(list.map((s) => s.lines)).toEqual([[1, 3], [2, 3], [4]]);
  });

  it("reads ignore-file anywhere", async () => {
    const [s] = await sups(`def upgrade():\n    pass\n# alembic-lint: ignore-file[ALM997] this project never downgrades\n`);
    expect(s).toMatchObject({ scope: "file", codes: ["ALM997"], reason: "this project never downgrades" });
  });

  it("reads noqa with our codes only, and leaves other tools' codes alone", async () => {
    const list = await sups(
      [
        `a = 1  # noqa: ALM998`,
        `b = 2  #NOQA:ALM998,E501 reason here`,
        `c = 3  # noqa: E501, F401`,
        `d = 4  # noqa`,
        `e = 5  # noqa:`,
        `f = 6  # noqa: test-drop-column`,
        `g = 7  # noqa: E501 ALM998 ALM997 see JIRA-12`,
      ].join("\n") + "\n",
    );
    expect(list.map((s) => [s.line, s.codes, s.reason, s.form])).toEqual([
      [1, ["ALM998"], "", "noqa"],
      [2, ["ALM998"], "reason here", "noqa"],
      [6, ["ALM998"], "", "noqa"],
      [7, ["ALM998", "ALM997"], "see JIRA-12", "noqa"],
    ]);
  });

  it("an own-line noqa covers only its own line (as in ruff)", async () => {
    const [s] = await sups(`# noqa: ALM998\nop.drop_column("u", "x")\n`);
    expect(s!.lines).toEqual([1]);
  });

  it("ignores text inside strings and docstrings", async () => {
    const list = await sups(`"""Docstring # alembic-lint: ignore-file[ALM998] no"""\nx = "# alembic-lint: ignore[ALM998] no"\ny = '# noqa: ALM998'\n`);
    expect(list).toEqual([]);
  });

  it("ends the reason at another directive in the same comment, and reads several", async () => {
    const list = await sups(`x = 1  # type: ignore  # alembic-lint: ignore[ALM998] legacy table  # noqa: ALM997 other\n`);
    expect(list.map((s) => [s.form, s.codes, s.reason])).toEqual([
      ["alembic-lint", ["ALM998"], "legacy table"],
      ["noqa", ["ALM997"], "other"],
    ]);
  });

  it("keeps unknown codes and names apart, and flags malformed directives", async () => {
    const list = await sups(`a = 1  # alembic-lint: ignore[ALM777, no-such-rule, ALM998]\nb = 2  # alembic-lint: ignore ALM998\nc = 3  # alembic-lint: ignore[]\nd = 4  # alembic-lint: disable[ALM998]\n`);
    expect(list[0]).toMatchObject({ codes: ["ALM998"], unknown: ["ALM777", "no-such-rule"] });
    expect(list.slice(1).map((s) => s.malformed !== undefined)).toEqual([true, true, true]);
    expect(list[1]!.malformed).toContain("ignore[ALM302]");
  });
});

const DROP3 = HEAD("a1") + `

def upgrade():
    op.drop_column(
        "user",
        "legacy",
    )


def downgrade():
    op.add_column("user", sa.Column("legacy", sa.Text()))
`;
// The drop_column call starts on line 14.

describe("applying suppressions", () => {
  it("reports the unsuppressed finding (control)", async () => {
    expect(show(await lint({ "a1.py": DROP3 }))).toEqual(["a1.py:14 ALM998"]);
  });

  it("a trailing comment on the first line of a multi-line call suppresses it", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM998] approved in PR 12\n`);
    expect(show(await lint({ "a1.py": src }))).toEqual(["a1.py:14 ALM998 (inSource: approved in PR 12)"]);
  });

  it("a comment on the line above suppresses it", async () => {
    const src = DROP3.replace(`    op.drop_column(\n`, `    # alembic-lint: ignore[test-drop-column] approved\n    op.drop_column(\n`);
    expect(show(await lint({ "a1.py": src }))).toEqual(["a1.py:15 ALM998 (inSource: approved)"]);
  });

  it("noqa on the first line suppresses it", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # noqa: ALM998\n`);
    expect(show(await lint({ "a1.py": src }))).toEqual(["a1.py:14 ALM998 (inSource: )"]);
  });

  it("a bare noqa does not suppress alembic-lint findings", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # noqa\n`);
    expect(show(await lint({ "a1.py": src }))).toEqual(["a1.py:14 ALM998"]);
  });

  it("a comment on a later line of the call does not apply (the finding is on the first line); ALM902 says so", async () => {
    const src = DROP3.replace(`    )\n`, `    )  # alembic-lint: ignore[ALM998] too late\n`);
    expect(show(await lint({ "a1.py": src }))).toEqual(["a1.py:14 ALM998", "a1.py:17 ALM902"]);
  });

  it("ignore-file suppresses every finding of that code in the file", async () => {
    const src = `# alembic-lint: ignore-file[ALM998] legacy cleanup, data archived\n` + HEAD("a1") + `\n\ndef upgrade():\n    op.drop_column("a", "x")\n    op.drop_column("b", "y")\n\n\ndef downgrade():\n    pass\n`;
    expect(show(await lint({ "a1.py": src }, { select: ["ALM998", "ALM902"] }))).toEqual([
      "a1.py:15 ALM998 (inSource: legacy cleanup, data archived)",
      "a1.py:16 ALM998 (inSource: legacy cleanup, data archived)",
    ]);
  });

  it("a function-level finding is suppressed at its def line or the line above", async () => {
    const src = HEAD("a1") + `\n\ndef upgrade():\n    op.drop_column("a", "x")  # alembic-lint: ignore[ALM998] ok\n\n\n# alembic-lint: ignore[ALM997] irreversible by design\ndef downgrade():\n    pass\n`;
    expect(show(await lint({ "a1.py": src }))).toEqual(["a1.py:14 ALM998 (inSource: ok)", "a1.py:18 ALM997 (inSource: irreversible by design)"]);
  });

  it("does not suppress other codes on the same line", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM997] wrong code\n`);
    expect(show(await lint({ "a1.py": src }))).toEqual(["a1.py:14 ALM902", "a1.py:14 ALM998"]);
  });

  it("ALM900 (parse error) cannot be suppressed, and a broken file gets no ALM902", async () => {
    const src = HEAD("a1") + `\n\ndef upgrade():  # alembic-lint: ignore[ALM900] no\n    op.drop_column("a", "x"\n`;
    const out = show(await lint({ "a1.py": src }));
    expect(out.some((l) => / ALM900$/.test(l))).toBe(true);
    expect(out.some((l) => l.includes("ALM902"))).toBe(false);
  });
});

describe("ALM902", () => {
  it("reports each unused code of a suppression, at the comment", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM998, ALM997] reason\n`);
    const ds = await lint({ "a1.py": src });
    expect(show(ds)).toEqual(["a1.py:14 ALM902", "a1.py:14 ALM998 (inSource: reason)"]);
    const w = ds.find((d) => d.code === "ALM902")!;
    expect(w.message).toContain("ALM997");
    expect(w.message).not.toContain("ALM998");
    expect(w.span.column).toBe(DROP3.split("\n")[13]!.length + 3);
  });

  it("reports unknown codes and names", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM998, ALM777] reason\n`);
    const ds = await lint({ "a1.py": src });
    expect(show(ds)).toEqual(["a1.py:14 ALM902", "a1.py:14 ALM998 (inSource: reason)"]);
    expect(ds.find((d) => d.code === "ALM902")!.message).toContain('"ALM777"');
  });

  it("reports malformed alembic-lint comments", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore ALM998\n`);
    const ds = await lint({ "a1.py": src });
    expect(show(ds)).toEqual(["a1.py:14 ALM902", "a1.py:14 ALM998"]);
    expect(ds.find((d) => d.code === "ALM902")!.message).toMatch(/unrecognised suppression comment.*ignore\[ALM302\]/);
  });

  it("does not report suppressions of rules that are not active in this run", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM998, ALM997] reason\n`);
    expect(show(await lint({ "a1.py": src }, { select: ["ALM998", "ALM902"] }))).toEqual(["a1.py:14 ALM998 (inSource: reason)"]);
  });

  it("is silent when ALM902 is not active", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM997, ALM777] reason\n`);
    expect(show(await lint({ "a1.py": src }, { select: ["ALM998", "ALM997"] }))).toEqual(["a1.py:14 ALM998"]);
  });

  it("can itself be suppressed", async () => {
    const src = `# alembic-lint: ignore-file[ALM902] kept for the next release\n` + DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM997]\n`);
    expect(show(await lint({ "a1.py": src }))).toEqual(["a1.py:15 ALM902 (inSource: kept for the next release)", "a1.py:15 ALM998"]);
  });
});

describe("require_reason", () => {
  const bare = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM998]\n`);

  it("without it, a suppression needs no reason", async () => {
    expect(show(await lint({ "a1.py": bare }))).toEqual(["a1.py:14 ALM998 (inSource: )"]);
  });

  for (const requireReason of [true, ["ALM998"], ["test-drop-column"], ["ALM99"]] as const) {
    it(`with requireReason=${JSON.stringify(requireReason)}, a reasonless suppression does not suppress and says why`, async () => {
      const ds = await lint({ "a1.py": bare }, { requireReason: requireReason as boolean | string[] });
      expect(show(ds)).toEqual(["a1.py:14 ALM998"]);
      expect(ds[0]!.message).toBe("drop of user.legacy [not suppressed: the suppression on line 14 gives no reason and ALM998 requires one; write `# alembic-lint: ignore[ALM998] <why>`]");
    });
  }

  it("applies only to the listed rules", async () => {
    expect(show(await lint({ "a1.py": bare }, { requireReason: ["ALM997"] }))).toEqual(["a1.py:14 ALM998 (inSource: )"]);
  });

  it("a suppression with a reason still suppresses", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # alembic-lint: ignore[ALM998] approved by DBA\n`);
    expect(show(await lint({ "a1.py": src }, { requireReason: true }))).toEqual(["a1.py:14 ALM998 (inSource: approved by DBA)"]);
  });

  it("noqa without a reason is refused too, with a noqa-shaped hint", async () => {
    const src = DROP3.replace(`op.drop_column(\n`, `op.drop_column(  # noqa: ALM998\n`);
    const ds = await lint({ "a1.py": src }, { requireReason: true });
    expect(ds[0]!.suppressed).toBeUndefined();
    expect(ds[0]!.message).toContain("write `# noqa: ALM998 <why>`");
  });

  it("a file-wide suppression with a reason covers a line suppression without one", async () => {
    const src = `# alembic-lint: ignore-file[ALM998] archived table\n` + bare;
    expect(show(await lint({ "a1.py": src }, { requireReason: true }))).toEqual(["a1.py:15 ALM998 (inSource: archived table)"]);
  });

  it("a refused suppression is not also reported as unused", async () => {
    const ds = await lint({ "a1.py": bare }, { requireReason: true });
    expect(ds.filter((d) => d.code === "ALM902")).toEqual([]);
  });
});

describe("graph-rule findings and the pre-commit file mode", () => {
  const files = {
    "a1.py": HEAD("a1") + `\n\ndef upgrade():\n    op.drop_column("a", "x")  # alembic-lint: ignore[ALM998] ok\n\n\ndef downgrade():\n    op.add_column("a", sa.Column("x", sa.Text()))\n`,
    "b2.py": HEAD("deadbeef", "a1").replace(`revision = "deadbeef"`, `revision = "deadbeef"  # alembic-lint: ignore[ALM996] kept for history`) + `\n\ndef upgrade():\n    op.drop_column("b", "y")\n\n\ndef downgrade():\n    op.add_column("b", sa.Column("y", sa.Text()))\n`,
    "c3.py": HEAD("deadc0de", "deadbeef") + `\n\ndef upgrade():\n    op.drop_column("c", "z")  # alembic-lint: ignore[ALM997]\n\n\ndef downgrade():\n    op.add_column("c", sa.Column("z", sa.Text()))\n`,
  };

  it("a graph finding is suppressed at the line it is reported", async () => {
    expect(show(await lint(files))).toEqual([
      "a1.py:14 ALM998 (inSource: ok)",
      "b2.py:9 ALM996 (inSource: kept for history)",
      "b2.py:14 ALM998",
      "c3.py:9 ALM996",
      "c3.py:14 ALM902",
      "c3.py:14 ALM998",
    ]);
  });

  it("pre-commit mode: suppressions work in the files passed", async () => {
    expect(show(await lint(files, { only: ["a1.py"] }))).toEqual([
      "a1.py:14 ALM998 (inSource: ok)",
      // Graph findings outside the files passed stay visible (evenOutsideTargets), and their suppressions apply.
      "b2.py:9 ALM996 (inSource: kept for history)",
      "c3.py:9 ALM996",
    ]);
  });

  it("pre-commit mode: no ALM902 for files not passed", async () => {
    const out = show(await lint(files, { only: ["b2.py"] }));
    expect(out).toEqual(["b2.py:9 ALM996 (inSource: kept for history)", "b2.py:14 ALM998", "c3.py:9 ALM996"]);
  });
});

describe("findings inside the module docstring (ALM006, ALM009 at line 1)", () => {
  const body = `from alembic import op\n\nrevision = "aaaaaaaaaaaa"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;
  const doc = `"""add email\n\nRevision ID: ffffffffffff\nRevises:\n"""`;
  it("are reported (control)", async () => {
    expect(show(await lint({ "1234567890ab_x.py": `${doc}\n${body}` }, { select: ["ALM006", "ALM009", "ALM902"] }))).toEqual(["1234567890ab_x.py:1 ALM009", "1234567890ab_x.py:3 ALM006"]);
  });
  it("a comment after the closing quotes suppresses them", async () => {
    const src = `${doc}  # alembic-lint: ignore[ALM006, filename-revision-mismatch] copied from a template\n${body}`;
    expect(show(await lint({ "1234567890ab_x.py": src }, { select: ["ALM006", "ALM009", "ALM902"] }))).toEqual([
      "1234567890ab_x.py:1 ALM009 (inSource: copied from a template)",
      "1234567890ab_x.py:3 ALM006 (inSource: copied from a template)",
    ]);
  });
  it("a comment above the docstring suppresses them", async () => {
    const src = `# alembic-lint: ignore[ALM006] copied from a template\n${doc}\n${body}`;
    expect(show(await lint({ "1234567890ab_x.py": src }, { select: ["ALM006", "ALM902"] }))).toEqual(["1234567890ab_x.py:4 ALM006 (inSource: copied from a template)"]);
  });
  it("docstring bounds", async () => {
    const { moduleDocstringLines } = await import("../src/engine/suppress.js");
    expect(moduleDocstringLines(`# c\n\nr'''one'''\nx = 1\n`)).toEqual([3, 3]);
    expect(moduleDocstringLines(`"""a\nb\n"""\n`)).toEqual([1, 3]);
    expect(moduleDocstringLines(`x = """a\n"""\n`)).toBeNull();
  });
});

describe("scripts checked by ALM010", () => {
  it("a # comment in a shell script suppresses ALM010 there; an unused one is ALM902", async () => {
    const dir = tree({ "a1.py": HEAD("a1") + `\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n` });
    const script = path.join(dir, "..", "stamp.sh");
    writeFileSync(script, "#!/bin/sh\n# alembic-lint: ignore[ALM010] the production database, squashed since\nalembic stamp 9f8e7d6c5b4a\nalembic stamp 8e7d6c5b4a3f\nalembic upgrade head  # noqa: ALM010\n");
    const res = await lintPaths([dir], { select: ["ALM010", "ALM902"], cwd: dir, scripts: [script] });
    expect(show(res.diagnostics)).toEqual(["stamp.sh:3 ALM010 (inSource: the production database, squashed since)", "stamp.sh:4 ALM010", "stamp.sh:5 ALM902"]);
  });
});

describe("through the CLI", () => {
  it("keeps suppressed findings in the JSON output with their justification, and exits by what is left", async () => {
    const dir = tree({ "a1.py": HEAD("a1") + `\nfrom myapp import helper\n\n\ndef upgrade():\n    helper()  # alembic-lint: ignore[partial-analysis] helper is reviewed\n\n\ndef downgrade():\n    pass\n` });
    let out = "";
    let err = "";
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), cwd: dir, env: {}, isTTY: false };
    const code = await main([".", "--no-config", "--format", "json", "--severity", "ALM901=error", "--select", "ALM901,ALM902"], io);
    expect(err).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(out) as { diagnostics: { code: string; suppressed: unknown }[] };
    expect(doc.diagnostics).toEqual([expect.objectContaining({ code: "ALM901", suppressed: { kind: "inSource", justification: "helper is reviewed" } })]);
  });

  it("keeps suppressed findings in SARIF as inSource suppressions with the reason", async () => {
    const dir = tree({ "a1.py": HEAD("a1") + `\nfrom myapp import helper\n\n\ndef upgrade():\n    helper()  # alembic-lint: ignore[ALM901] helper is reviewed\n\n\ndef downgrade():\n    pass\n` });
    let out = "";
    const io = { stdout: (s: string) => void (out += s), stderr: () => {}, cwd: dir, env: {}, isTTY: false };
    expect(await main([".", "--no-config", "--format", "sarif", "--select", "ALM901"], io)).toBe(0);
    const results = (JSON.parse(out) as { runs: { results: { ruleId: string; suppressions: unknown }[] }[] }).runs[0]!.results;
    expect(results.map((r) => [r.ruleId, r.suppressions])).toEqual([["ALM901", [{ kind: "inSource", justification: "helper is reviewed" }]]]);
  });

  it("require_reason from the config file refuses a reasonless suppression (exit 1)", async () => {
    const dir = tree({ "a1.py": HEAD("a1") + `\nfrom myapp import helper\n\n\ndef upgrade():\n    helper()  # alembic-lint: ignore[ALM901]\n\n\ndef downgrade():\n    pass\n` });
    writeFileSync(path.join(dir, ".alembic-lint.toml"), `select = ["ALM901"]\nseverity = { ALM901 = "error" }\n\n[rules.ALM901]\nrequire_reason = true\n`);
    let out = "";
    const io = { stdout: (s: string) => void (out += s), stderr: () => {}, cwd: dir, env: {}, isTTY: false };
    expect(await main([".", "--format", "json"], io)).toBe(1);
    expect(out).toContain("gives no reason and ALM901 requires one");
  });
});
