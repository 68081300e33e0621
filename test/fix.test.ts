// --fix / --diff / SARIF fixes for ALM101, ALM102, ALM104 (src/fix/).
// Every case under fixtures/_fix/<case>/ is a before.py/after.py pair with case.json
// ({remaining: codes left after the fix, roundtrip: checked by test/integration/fix-roundtrip}).
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lintPaths } from "../src/lint.js";
import { runFix } from "../src/fix/index.js";
import { applyEdits, unifiedDiff } from "../src/fix/text.js";
import { decodeForFix } from "../src/fix/write.js";
import { parseMigration } from "../src/parse/index.js";
import { main } from "../src/cli.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const CASES = path.join(ROOT, "fixtures", "_fix");
const FIXABLE = ["ALM101", "ALM102", "ALM104"];
const tmp = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-fix-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cases = readdirSync(CASES).filter((d) => statSync(path.join(CASES, d)).isDirectory()).sort();
let n = 0;

/** A private copy of a fixture file: `<tmp>/<k>/<name>.py`. */
function copy(file: string, name = "migration.py"): string {
  const dir = path.join(tmp, String(n++));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, name);
  copyFileSync(file, dest);
  return dest;
}

function write(text: string | Buffer, name = "migration.py"): string {
  const dir = path.join(tmp, String(n++));
  mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, name);
  writeFileSync(dest, text);
  return dest;
}

const lint = (file: string) => lintPaths([file], { select: ["ALM1"], cwd: path.dirname(file) });
const codes = async (file: string) => (await lint(file)).diagnostics.filter((d) => FIXABLE.includes(d.code) && !d.suppressed).map((d) => d.code).sort();

/** Applies a unified diff (as printed by --diff) to a text. */
function patch(text: string, diff: string): string {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const out: string[] = [];
  let pos = 0;
  const dl = diff.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let i = 0;
  while (i < dl.length) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(dl[i]!);
    if (!h) {
      i++;
      continue;
    }
    const aStart = Number(h[1]) - (h[2] === "0" ? 0 : 1);
    while (pos < aStart) out.push(lines[pos++]!);
    i++;
    while (i < dl.length && !dl[i]!.startsWith("@@") && !dl[i]!.startsWith("--- ")) {
      const l = dl[i]!;
      let body = l.slice(1);
      if (dl[i + 1]?.startsWith("\\ No newline")) {
        body = body.replace(/\n$/, "");
        i++;
      }
      if (l[0] === " ") {
        expect(lines[pos]).toBe(body);
        out.push(body);
        pos++;
      } else if (l[0] === "-") {
        expect(lines[pos]).toBe(body);
        pos++;
      } else if (l[0] === "+") out.push(body);
      i++;
    }
  }
  while (pos < lines.length) out.push(lines[pos++]!);
  return out.join("");
}

const decode = (b: Buffer) => {
  const d = decodeForFix(b);
  if ("error" in d) throw new Error(d.error);
  return d.text;
};

describe("fix fixtures (fixtures/_fix)", () => {
  it("has the shapes the issue lists", () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of cases) {
    describe(name, () => {
      const dir = path.join(CASES, name);
      const spec = JSON.parse(readFileSync(path.join(dir, "case.json"), "utf8")) as { remaining: string[]; roundtrip: boolean };
      const before = readFileSync(path.join(dir, "before.py"));
      const after = readFileSync(path.join(dir, "after.py"));

      it("--fix writes after.py byte for byte, and the rest is what cannot be derived", async () => {
        const file = copy(path.join(dir, "before.py"));
        const pre = await lint(file);
        const fixable = pre.diagnostics.filter((d) => FIXABLE.includes(d.code));
        expect(fixable.length, "before.py must have a fixable finding").toBeGreaterThan(0);
        const outcome = await runFix(pre, { write: true });
        // Findings left alone are named with the reason; only cases that keep findings have any.
        if (spec.remaining.length === 0) expect(outcome.refused).toEqual([]);
        for (const r of outcome.refused) expect(r.path).toMatch(/^migration\.py:\d+ ALM10[124]$/);
        expect(readFileSync(file).equals(after), `fixed ${name} differs from after.py:\n${unifiedDiff("after.py", decode(after), decode(readFileSync(file)))}`).toBe(true);
        const m = await parseMigration(decode(readFileSync(file)), file);
        expect(m.parseError).toBeNull();
        expect(await codes(file)).toEqual([...spec.remaining].sort());
        // The count says how many of the findings went away.
        const post = (await lint(file)).diagnostics;
        const gone = fixable.filter((d) => !post.some((x) => x.code === d.code && x.fingerprint === d.fingerprint));
        expect(outcome.fixed).toBe(gone.length);
      });

      it("the same file with CRLF line endings gets the same fix, in CRLF", async () => {
        const crlf = (b: Buffer) => Buffer.from(b.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
        const file = write(crlf(before));
        await runFix(await lint(file), { write: true });
        expect(readFileSync(file).toString("latin1")).toBe(crlf(after).toString("latin1"));
      });

      it("is idempotent: a second --fix changes nothing", async () => {
        const file = copy(path.join(dir, "after.py"));
        const outcome = await runFix(await lint(file), { write: true });
        expect(outcome.files).toEqual([]);
        expect(readFileSync(file).equals(after)).toBe(true);
      });

      it("--diff shows exactly what --fix writes, and writes nothing", async () => {
        const file = copy(path.join(dir, "before.py"));
        const outcome = await runFix(await lint(file), { write: false });
        expect(readFileSync(file).equals(before)).toBe(true);
        if (before.equals(after)) {
          expect(outcome.diff).toBe("");
          return;
        }
        expect(patch(decode(before), outcome.diff)).toBe(decode(after));
      });

      it("SARIF fixes: each attached fix removes its finding on its own", async () => {
        const file = copy(path.join(dir, "before.py"));
        const res = await lint(file);
        const m = res.files[0]!.migration!;
        for (const d of res.diagnostics.filter((x) => FIXABLE.includes(x.code))) {
          if (!d.fix) {
            expect(spec.remaining.length, `${d.code} at line ${d.span.line} has no fix`).toBeGreaterThan(0);
            continue;
          }
          const fixed = write(applyEdits(m.source, d.fix.edits));
          const left = (await lint(fixed)).diagnostics.filter((x) => x.code === d.code && x.fingerprint === d.fingerprint);
          expect(left, `${d.code} at line ${d.span.line} survives its own fix`).toEqual([]);
        }
        if (spec.remaining.length === 0) expect(res.diagnostics.filter((x) => FIXABLE.includes(x.code)).every((x) => x.fix)).toBe(true);
      });
    });
  }
});

const ALM102_FILE = `"""add a column

Revision ID: aaaa00000001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "aaaa00000001"
down_revision = None


def upgrade():
    op.add_column("account", sa.Column("vat", sa.String(20), nullable=True))


def downgrade():
    pass
`;

describe("what --fix never touches", () => {
  it("a file with a parse error (ALM900)", async () => {
    const text = ALM102_FILE + "\n\ndef broken(:\n    pass\n";
    const file = write(text);
    const res = await lint(file);
    expect(res.diagnostics.some((d) => d.code === "ALM900")).toBe(true);
    const outcome = await runFix(res, { write: true });
    expect(outcome.files).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(res.diagnostics.every((d) => !d.fix)).toBe(true);
  });

  it("an upgrade with unanalyzed parts (an imported helper may hold more operations)", async () => {
    const text = ALM102_FILE.replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\nfrom myapp.migrations import add_audit_columns\n").replace(
      '    op.add_column("account", sa.Column("vat", sa.String(20), nullable=True))\n',
      '    op.add_column("account", sa.Column("vat", sa.String(20), nullable=True))\n    add_audit_columns(op, "account")\n',
    );
    const file = write(text);
    const res = await lint(file);
    const m = res.files[0]!.migration!;
    expect(m.sections.find((s) => s.name === "upgrade")!.unanalyzed.length).toBeGreaterThan(0);
    const outcome = await runFix(res, { write: true });
    expect(outcome.files).toEqual([]);
    expect(outcome.refused).toEqual([{ path: "migration.py:19 ALM102", reason: expect.stringMatching(/^upgrade\(\) has parts that could not be analyzed/) }]);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("an upgrade with conditional operations: the finding is named with the reason", async () => {
    const file = copy(path.join(CASES, "conditional_upgrade", "before.py"));
    const outcome = await runFix(await lint(file), { write: true });
    expect(outcome.refused).toEqual([{ path: "migration.py:24 ALM102", reason: expect.stringMatching(/under a condition \(line 21\)/) }]);
  });

  it("a file whose encoding cannot be written back byte for byte", async () => {
    const bytes = Buffer.from(new Uint8Array([...Buffer.from("# -*- coding: shift_jis -*-\n# "), 0x8c, 0xda, 0x8b, 0x71, 0x0a, ...Buffer.from(ALM102_FILE)]));
    const file = write(bytes);
    const res = await lint(file);
    const outcome = await runFix(res, { write: true });
    expect(outcome.files).toEqual([]);
    expect(outcome.refused.map((r) => r.reason).join()).toMatch(/byte for byte/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe("what --fix leaves to the user", () => {
  it("a suppressed finding", async () => {
    const text = ALM102_FILE.replace("def downgrade():\n", "def downgrade():  # alembic-lint: ignore[ALM102] reverted by the restore job\n");
    const file = write(text);
    const res = await lint(file);
    const alm102 = res.diagnostics.filter((d) => d.code === "ALM102");
    expect(alm102.length).toBe(1);
    expect(alm102[0]!.suppressed).toBeDefined();
    const outcome = await runFix(res, { write: true });
    expect(outcome.files).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("counts findings and files over a versions directory", async () => {
    const dir = path.join(tmp, String(n++));
    mkdirSync(dir, { recursive: true });
    for (const c of ["autogenerate_missing", "partial_mirrored", "not_derivable_only"]) copyFileSync(path.join(CASES, c, "before.py"), path.join(dir, `${c}.py`));
    copyFileSync(path.join(CASES, "base.py"), path.join(dir, "base.py"));
    const res = await lintPaths([dir], { select: ["ALM1"], cwd: dir });
    const outcome = await runFix(res, { write: true });
    expect(outcome.files.sort()).toEqual(["autogenerate_missing.py", "not_derivable_only.py", "partial_mirrored.py"]);
    expect(outcome.fixed).toBe(2);
    expect(outcome.todos).toBe(1);
  });
});

describe("empty bodies", () => {
  const fixText = async (text: string) => {
    const file = write(text);
    await runFix(await lint(file), { write: true });
    return readFileSync(file, "utf8");
  };
  const tail = (body: string) => ALM102_FILE.replace("def downgrade():\n    pass\n", `def downgrade():\n${body}`);

  it("`pass` with a comment: the comment stays on its own line", async () => {
    expect(await fixText(tail("    pass  # nothing yet\n"))).toBe(tail('    # nothing yet\n    op.drop_column("account", "vat")\n'));
  });

  it("`...`, `return` and extra `pass` lines", async () => {
    expect(await fixText(tail("    ...\n"))).toBe(tail('    op.drop_column("account", "vat")\n'));
    expect(await fixText(tail("    return\n"))).toBe(tail('    op.drop_column("account", "vat")\n'));
    expect(await fixText(tail('    """Undo."""\n    pass\n    pass\n'))).toBe(tail('    """Undo."""\n    op.drop_column("account", "vat")\n'));
  });
});

describe("ALM104 placement", () => {
  it("never after a final return", async () => {
    const text = ALM102_FILE.replace("def downgrade():\n    pass\n", 'def downgrade():\n    op.execute("UPDATE account SET name = NULL")\n    return\n');
    const file = write(text);
    await runFix(await lint(file), { write: true });
    expect(readFileSync(file, "utf8")).toBe(text.replace("    return\n", '    op.drop_column("account", "vat")\n    return\n'));
  });
});

describe("writing", () => {
  it("keeps the file's permissions", async () => {
    const file = write(ALM102_FILE);
    chmodSync(file, 0o640);
    const outcome = await runFix(await lint(file), { write: true });
    expect(outcome.files.length).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(file, "utf8")).toContain('    op.drop_column("account", "vat")\n');
  });

  it("a file without a final line break", async () => {
    const text = ALM102_FILE.replace(/\n\n\ndef downgrade\(\):\n    pass\n$/, "\n");
    const file = write(text.replace(/\n$/, ""));
    const dry = await runFix(await lint(file), { write: false });
    expect(dry.diff).toContain("\\ No newline at end of file");
    await runFix(await lint(file), { write: true });
    expect(patch(text.replace(/\n$/, ""), dry.diff)).toBe(readFileSync(file, "utf8"));
    const fixed = readFileSync(file, "utf8");
    expect(fixed.endsWith('\n\n\ndef downgrade():\n    op.drop_column("account", "vat")\n')).toBe(true);
    expect(await codes(file)).toEqual([]);
  });
});

describe("CLI", () => {
  async function cli(args: string[], cwd: string) {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd, env: { NO_COLOR: "1" }, isTTY: false });
    return { code, stdout, stderr };
  }

  it("--diff prints the diff, writes nothing and exits 1; --fix writes, reports the count and exits 0 when all is fixed", async () => {
    const file = write(ALM102_FILE);
    const cwd = path.dirname(file);
    const d = await cli(["check", "migration.py", "--select", "ALM1", "--diff"], cwd);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain('+    op.drop_column("account", "vat")');
    expect(d.stdout).toContain("--- a/migration.py");
    expect(readFileSync(file, "utf8")).toBe(ALM102_FILE);
    const f = await cli(["check", "migration.py", "--select", "ALM1", "--fix"], cwd);
    expect(f.stderr).toContain("fixed 1 finding in 1 file");
    expect(f.code).toBe(0);
    expect(patch(ALM102_FILE, d.stdout)).toBe(readFileSync(file, "utf8"));
    const again = await cli(["check", "migration.py", "--select", "ALM1", "--diff"], cwd);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("");
  });

  it("--fix exits 1 when findings remain (inverses that cannot be derived)", async () => {
    const file = copy(path.join(CASES, "not_derivable", "before.py"));
    const f = await cli(["check", path.basename(file), "--select", "ALM1", "--fix"], path.dirname(file));
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/fixed 0 findings in 1 file/);
    expect(f.stderr).toMatch(/left 4 TODO\(alembic-lint\) lines/);
    expect(f.stdout).toContain("ALM104");
  });

  it("--format sarif carries the fix of each fixable finding", async () => {
    const file = copy(path.join(CASES, "partial_mirrored", "before.py"));
    const r = await cli(["check", path.basename(file), "--select", "ALM1", "--format", "sarif"], path.dirname(file));
    const results = (JSON.parse(r.stdout) as { runs: { results: { ruleId: string; fixes?: { artifactChanges: { replacements: { insertedContent?: { text: string } }[] }[] }[] }[] }[] }).runs[0]!.results;
    const alm104 = results.filter((x) => x.ruleId === "ALM104");
    expect(alm104.length).toBe(1);
    expect(alm104[0]!.fixes![0]!.artifactChanges[0]!.replacements[0]!.insertedContent!.text).toBe('    op.drop_index("ix_project_budget", table_name="project")\n');
  });

  it("--help lists both options", async () => {
    const h = await cli(["--help"], tmp);
    expect(h.stdout).toMatch(/--fix {2,}\S/);
    expect(h.stdout).toMatch(/--diff {2,}\S/);
  });
});
