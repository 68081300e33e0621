// The friendly, json and github reporters, called directly with constructed inputs,
// and the built CLI spawned for what depends on the process: colour, TTY, NO_COLOR,
// --output-file, exit codes.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import github, { escapeData, escapeProperty } from "../src/report/github.js";
import json, { JSON_FORMAT_VERSION, jsonChunks } from "../src/report/json.js";
import { createRequire } from "node:module";
import friendly, { friendlyChunks } from "../src/report/friendly.js";
import { loadReporter, FORMATS, writeReport, type ReportInput } from "../src/report/types.js";
import { writeAtomically } from "../src/fsutil.js";
import { ExitError } from "../src/errors.js";
import { allRules, resolveSelection } from "../src/engine/registry.js";
import type { Diagnostic } from "../src/engine/rule.js";
import type { LintedFile } from "../src/lint.js";

const REPO = path.resolve(import.meta.dirname, "..");
const CWD = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-reporters-"));
const ESC = "\u001b";
const ANSI = /\u001b\[[0-9;]*m/;
const ITERM = "\u001b]1337;";

const SRC = 'from alembic import op\n\n\ndef upgrade():\n    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])\n\n\ndef downgrade():\n    op.drop_index("ix_orders_customer_id", table_name="orders")\n';
const PATH = "migrations/versions/0002_index.py";

function diag(p: Partial<Diagnostic> & { code: string }): Diagnostic {
  const rule = allRules.find((r) => r.meta.code === p.code)!;
  return {
    name: rule.meta.name,
    severity: rule.meta.severity,
    path: PATH,
    span: { line: 5, column: 5, endLine: 5, endColumn: 72 },
    message: "index is built without CONCURRENTLY",
    related: [],
    fingerprint: "fp",
    ...p,
  };
}

function file(rel: string, source: string | null): LintedFile {
  return { path: rel, absPath: path.join(CWD, rel), source, migration: null };
}

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    diagnostics: [],
    files: [file(PATH, SRC)],
    rules: resolveSelection({}),
    cwd: CWD,
    color: false,
    toFile: false,
    toolVersion: "1.2.3",
    executionSuccessful: true,
    warn: () => {},
    ...over,
  };
}

describe("loadReporter", () => {
  it("loads every format", async () => {
    for (const f of FORMATS) expect(typeof (await loadReporter(f))).toBe("function");
  });
});

describe("github reporter", () => {
  it("escapes data and properties per actions/toolkit", () => {
    expect(escapeData("50% done\r\nnext")).toBe("50%25 done%0D%0Anext");
    expect(escapeProperty("a:b,c%d\ne")).toBe("a%3Ab%2Cc%25d%0Ae");
  });

  it("one command per unsuppressed finding, notes as notice, locations in the message", () => {
    const out = github(
      input({
        diagnostics: [
          diag({ code: "ALM401", message: "multi\nline: 100%, really" }),
          diag({ code: "ALM901", severity: "note", span: { line: 7, column: 1, endLine: 9, endColumn: 4 }, message: "not analyzed" }),
          diag({ code: "ALM401", span: { line: 8, column: 1, endLine: 8, endColumn: 3 }, suppressed: { kind: "inSource", justification: "ok" } }),
        ],
      }),
    );
    expect(out.split("\n").filter(Boolean)).toEqual([
      "::warning file=migrations/versions/0002_index.py,line=5,endLine=5,col=5,endColumn=72,title=ALM401 non-concurrent-index::migrations/versions/0002_index.py:5:5: ALM401 multi%0Aline: 100%25, really",
      // multi-line range: no endColumn
      "::notice file=migrations/versions/0002_index.py,line=7,endLine=9,col=1,title=ALM901 partial-analysis::migrations/versions/0002_index.py:7:1: ALM901 not analyzed",
    ]);
  });

  it("escapes commas and colons in file names", () => {
    const out = github(input({ diagnostics: [diag({ code: "ALM401", path: "migrations/versions/a,b:c.py" })] }));
    expect(out).toContain("file=migrations/versions/a%2Cb%3Ac.py,");
  });

  it("paths are relative to the Git root when run from a subdirectory", () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-gh-"));
    mkdirSync(path.join(repo, ".git"));
    mkdirSync(path.join(repo, "backend"));
    const out = github(input({ cwd: path.join(repo, "backend"), diagnostics: [diag({ code: "ALM401" })] }));
    expect(out).toMatch(/^::warning file=backend\/migrations\/versions\/0002_index.py,/);
  });

  it("says so (in a plain log line) when GitHub will not show every annotation", () => {
    const ds = Array.from({ length: 12 }, (_, i) => diag({ code: "ALM401", span: { line: i + 1, column: 1, endLine: i + 1, endColumn: 2 } }));
    const lines = github(input({ diagnostics: ds })).trimEnd().split("\n");
    expect(lines).toHaveLength(13);
    expect(lines[12]).toMatch(/^alembic-lint: 12 warnings; GitHub shows at most 10 annotations/);
  });

  it("nothing to say: empty output", () => {
    expect(github(input())).toBe("");
  });
});

describe("json reporter", () => {
  it("has the documented, stable shape", () => {
    const src = SRC;
    const start = src.indexOf("op.create_index");
    const ds = [
      diag({
        code: "ALM401",
        related: [{ span: { line: 9, column: 5, endLine: 9, endColumn: 20 }, message: "the downgrade" }],
        fix: { description: "build it concurrently", edits: [{ start, end: start + 2, text: "op" }] },
      }),
      diag({ code: "ALM901", severity: "note", span: { line: 1, column: 1, endLine: 1, endColumn: 5 }, message: "partial", suppressed: { kind: "inSource", justification: "known" } }),
    ];
    const doc = JSON.parse(json(input({ diagnostics: ds, rules: resolveSelection({ select: ["ALM401", "ALM901"] }) })));
    expect(doc).toEqual({
      version: JSON_FORMAT_VERSION,
      tool: { name: "alembic-lint", version: "1.2.3" },
      summary: { files: 1, errors: 0, warnings: 1, notes: 0, suppressed: 1, executionSuccessful: true },
      diagnostics: [
        {
          code: "ALM901",
          name: "partial-analysis",
          severity: "note",
          path: PATH,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 5,
          message: "partial",
          related: [],
          fixable: false,
          fix: null,
          fingerprint: "fp",
          suppressed: { kind: "inSource", justification: "known" },
        },
        {
          code: "ALM401",
          name: "non-concurrent-index",
          severity: "warning",
          path: PATH,
          line: 5,
          column: 5,
          endLine: 5,
          endColumn: 72,
          message: "index is built without CONCURRENTLY",
          related: [{ path: PATH, line: 9, column: 5, endLine: 9, endColumn: 20, message: "the downgrade" }],
          fixable: true,
          fix: { description: "build it concurrently", edits: [{ start, end: start + 2, text: "op", line: 5, column: 5, endLine: 5, endColumn: 7 }] },
          fingerprint: "fp",
          suppressed: null,
        },
      ],
      rules: expect.any(Array),
    });
    expect(doc.rules.map((r: { code: string }) => r.code)).toEqual(["ALM401", "ALM900", "ALM901"]);
    expect(Object.keys(doc.rules[0])).toEqual(["code", "name", "severity", "defaultSeverity", "category", "precision", "fixable", "summary", "helpUri"]);
  });

  it("is printed in pieces that join to exactly JSON.stringify(document, null, 2)", () => {
    const long = (i: number) => `finding ${i}: "quoted", a backslash \\ and a newline\nin the message ${"x".repeat(i % 50)}`;
    const many = manyFindings();
    const diagnostics = Array.from({ length: 3000 }, (_, i) => ({ ...many.diagnostics[i % many.diagnostics.length]!, message: long(i) }));
    for (const inp of [input(), many, { ...many, diagnostics }]) {
      const pieces = [...jsonChunks(inp)];
      const text = pieces.join("");
      expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + "\n");
      expect(text).toBe(json(inp));
      if (inp.diagnostics.length === 3000) {
        expect(pieces.length).toBeGreaterThan(3); // not one string
        expect(JSON.parse(text).diagnostics).toHaveLength(3000);
      }
    }
  });

  it("prints a plain finding (written directly) with the same keys and values as the general shape", () => {
    const many = manyFindings();
    const doc = JSON.parse(json(many));
    const plain = doc.diagnostics.find((d: { suppressed: unknown }) => d.suppressed === null);
    const general = doc.diagnostics.find((d: { suppressed: unknown }) => d.suppressed !== null);
    expect(Object.keys(plain)).toEqual(Object.keys(general));
    const source = many.diagnostics.find((d) => d.message === plain.message)!;
    expect(plain).toEqual({
      code: source.code, name: source.name, severity: source.severity, path: source.path,
      line: source.span.line, column: source.span.column, endLine: source.span.endLine, endColumn: source.span.endColumn,
      message: source.message, related: [], fixable: false, fix: null, fingerprint: source.fingerprint, suppressed: null,
    });
  });

  it("no findings: still a full document", () => {
    const doc = JSON.parse(json(input()));
    expect(doc.diagnostics).toEqual([]);
    expect(doc.summary.errors + doc.summary.warnings + doc.summary.notes).toBe(0);
  });
});

describe("friendly reporter", () => {
  it("no findings: prints nothing", () => {
    expect(friendly(input())).toBe("");
  });

  it("prints code, message, location and a code frame; suppressed findings are not shown", () => {
    const out = friendly(
      input({
        diagnostics: [diag({ code: "ALM401" }), diag({ code: "ALM403", span: { line: 9, column: 5, endLine: 9, endColumn: 9 }, message: "hidden one", suppressed: { kind: "inSource", justification: "" } })],
      }),
    );
    expect(out).toContain("ALM401");
    expect(out).toContain("index is built without CONCURRENTLY");
    expect(out).toContain(`${PATH}:5:5`);
    expect(out).toContain('op.create_index("ix_orders_customer_id"');
    expect(out).not.toContain("hidden one");
    expect(out).not.toMatch(ANSI);
    expect(out).not.toContain("eslint.org");
  });

  it("a finding in a file it has no source for (unreadable): no crash", () => {
    const out = friendly(input({ files: [file(PATH, null)], diagnostics: [diag({ code: "ALM900", message: "cannot read" })] }));
    expect(out).toContain("cannot read");
  });
});

// The formatter called once over every finding: what friendly.ts did before it rendered in
// chunks (issue 9). The chunked report must join to exactly this.
const formatterRequire = createRequire(createRequire(import.meta.url).resolve("eslint-formatter-friendly"));
function oneCall(inp: ReportInput): string {
  const format = formatterRequire("./index.js") as (results: unknown[]) => string;
  const files = new Map(inp.files.map((f) => [f.path, f]));
  const byPath = new Map<string, { filePath: string; source: string; messages: unknown[]; errorCount: number; warningCount: number }>();
  for (const d of inp.diagnostics) {
    if (d.suppressed) continue;
    let r = byPath.get(d.path);
    if (!r) {
      const f = files.get(d.path);
      const abs = f?.absPath ?? path.resolve(inp.cwd, d.path);
      let source = f?.source;
      if (!source) {
        try {
          source = readFileSync(abs, "utf8") || "\n";
        } catch {
          source = "\n";
        }
      }
      r = { filePath: abs, source, messages: [], errorCount: 0, warningCount: 0 };
      byPath.set(d.path, r);
    }
    const error = d.severity === "error";
    r.messages.push({ ruleId: d.code, severity: error ? 2 : 1, message: d.severity === "note" ? `(note) ${d.message}` : d.message, line: d.span.line, column: d.span.column, endLine: d.span.endLine, endColumn: d.span.endColumn });
    if (error) r.errorCount++;
    else r.warningCount++;
  }
  if (byPath.size === 0) return "";
  let out = format([...byPath.values()]).replace(/\u001b\]1337;CurrentDir=[^\u0007]*\u0007/g, "");
  if (!inp.color) out = out.replace(/\u001b\[[0-9;]*m/g, "");
  return out.endsWith("\n") ? out : out + "\n";
}

/** Findings over several files, in no particular order, with ties, all severities, equal counts. */
function manyFindings(): ReportInput {
  const src = (n: number) => Array.from({ length: 40 }, (_, i) => `    op.execute("statement ${n}.${i + 1}")`).join("\n") + "\n";
  const paths = ["migrations/versions/0003_c.py", "migrations/versions/0001_a.py", "migrations/versions/0002_b.py", "migrations/versions/0010_z.py"];
  const files = paths.map((p, i) => file(p, src(i)));
  // Not among `files`: the reporter reads it from disk.
  const onDisk = "migrations/versions/0004_disk.py";
  mkdirSync(path.join(CWD, "migrations", "versions"), { recursive: true });
  writeFileSync(path.join(CWD, onDisk), src(9));
  const codes = ["ALM401", "ALM101", "ALM901", "ALM403", "ALM202"];
  const diagnostics: Diagnostic[] = [];
  for (let i = 0; i < 57; i++) {
    const code = codes[(i * 7) % codes.length]!;
    const line = ((i * 13) % 40) + 1;
    diagnostics.push(
      diag({
        code,
        path: i % 11 === 5 ? onDisk : paths[(i * 3) % paths.length]!,
        severity: i % 5 === 0 ? "error" : i % 7 === 0 ? "note" : "warning",
        span: { line, column: i % 3 === 0 ? 5 : 1, endLine: line, endColumn: 12 },
        message: `finding ${i}.`,
        ...(i % 13 === 0 ? { suppressed: { kind: "inSource" as const, justification: "" } } : {}),
      }),
    );
  }
  // An exact tie (same file, line and column): input order decides.
  diagnostics.push(diag({ code: "ALM401", path: paths[0]!, span: { line: 3, column: 5, endLine: 3, endColumn: 9 }, message: "tie one" }));
  diagnostics.push(diag({ code: "ALM403", path: paths[0]!, span: { line: 3, column: 5, endLine: 3, endColumn: 9 }, message: "tie two" }));
  return input({ files, diagnostics });
}

describe("friendly reporter in chunks (bounded memory)", () => {
  it("joins to exactly what one formatter call prints, whatever the chunk size", () => {
    const inp = manyFindings();
    const expected = oneCall(inp);
    expect(expected).toContain("tie one");
    expect(expected).toContain("✘ 54 problems (11 errors, 43 warnings)");
    for (const size of [1, 2, 3, 7, 50, 100, 1000]) {
      const pieces = [...friendlyChunks(inp, size)];
      expect(pieces.join(""), `chunk size ${size}`).toBe(expected);
      if (size === 1) expect(pieces.length).toBe(55); // one per finding + the summary
    }
    expect(friendly(inp)).toBe(expected);
  });

  it("only warnings, only errors, a single finding: same as one call", () => {
    const inp = manyFindings();
    for (const keep of [(d: Diagnostic) => d.severity !== "error", (d: Diagnostic) => d.severity === "error", (_: Diagnostic, i: number) => i === 4]) {
      const sub = { ...inp, diagnostics: inp.diagnostics.filter(keep) };
      expect([...friendlyChunks(sub, 2)].join("")).toBe(oneCall(sub));
    }
  });

  it("with colour on (chalk forced in this process): same bytes, and chalk's stylers are reused", () => {
    const chalk = formatterRequire("chalk") as { level: number; enabled: boolean; red: { bold: unknown }; yellow: unknown };
    const { level, enabled } = chalk;
    try {
      chalk.level = 1;
      chalk.enabled = true;
      const inp = { ...manyFindings(), color: true };
      const expected = oneCall(inp);
      expect(expected).toMatch(ANSI);
      expect([...friendlyChunks(inp, 3)].join("")).toBe(expected);
      expect(chalk.red).toBe(chalk.red);
      expect(chalk.red.bold).toBe(chalk.red.bold);
      // A styler reads the level when called, not when made.
      const red = chalk.red as unknown as (s: string) => string;
      expect(red("x")).toBe("\u001b[31mx\u001b[39m");
      chalk.enabled = false;
      expect(red("x")).toBe("x");
    } finally {
      chalk.level = level;
      chalk.enabled = enabled;
    }
  });

  it("EFF_BY_ISSUE (one finding's text depends on the previous one): one call, same output", () => {
    process.env.EFF_BY_ISSUE = "true";
    try {
      const inp = manyFindings();
      const pieces = [...friendlyChunks(inp, 2)];
      expect(pieces).toHaveLength(1);
      expect(pieces[0]).toBe(oneCall(inp));
    } finally {
      delete process.env.EFF_BY_ISSUE;
    }
  });

  it("nothing to report: no pieces", () => {
    expect([...friendlyChunks(input())]).toEqual([]);
  });
});

describe("writing a report", () => {
  it("writes the pieces in order; --quiet drops a report that is only whitespace", () => {
    const got: string[] = [];
    writeReport(["a", "", "b"], (s) => got.push(s));
    expect(got.join("")).toBe("ab");
    const quiet: string[] = [];
    writeReport(["\n", " ", ""], (s) => quiet.push(s), true);
    writeReport("  \n", (s) => quiet.push(s), true);
    expect(quiet).toEqual([]);
    writeReport(["\n", "x", "\n"], (s) => quiet.push(s), true);
    expect(quiet.join("")).toBe("\nx\n");
  });

  it("to a file: atomically, piece by piece; a failing report leaves the old file and no temp file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-report-file-"));
    const out = path.join(dir, "report.txt");
    writeAtomically(out, ["one ", "two ", "naïve 🚀\n"]);
    expect(readFileSync(out, "utf8")).toBe("one two naïve 🚀\n");
    // Pieces of every size around the reused buffer's (256 KB): each ends up whole and in order.
    // ("é🚀x" is 4 UTF-16 units and up to 3 bytes each: 21,844 repeats fit the buffer, 21,845 do not.)
    const sized = [2, 21_844, 21_845, 50_000, 75_000, 0].map((n, i) => "é🚀x".repeat(n) + `|${i}|`);
    writeAtomically(out, sized);
    expect(readFileSync(out, "utf8") === sized.join("")).toBe(true);
    writeAtomically(out, "plain string\n");
    expect(readFileSync(out, "utf8")).toBe("plain string\n");
    function* failing(): Generator<string> {
      yield "partial";
      throw new Error("boom");
    }
    expect(() => writeAtomically(out, failing())).toThrow("boom");
    expect(readFileSync(out, "utf8")).toBe("plain string\n");
    expect(readdirSync(dir)).toEqual(["report.txt"]);
    const missing = path.join(dir, "no-such-dir", "r.txt");
    expect(() => writeAtomically(missing, ["x"])).toThrow(ExitError);
    expect(() => writeAtomically(missing, ["x"])).toThrow(/^cannot write .*r\.txt: ENOENT$/);
  });
});

// ---------------------------------------------------------------------------------
// The built CLI, for what depends on the process (chalk decides colour at load time).

const CLI = path.join(REPO, ".build-report", "src", "cli.js");
let project = "";

const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
  writeFileSync(path.join(project, rel), text);
}

/** Environment without the colour/CI variables of whoever runs the tests. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e = { ...process.env };
  for (const k of ["NO_COLOR", "FORCE_COLOR", "CI", "GITHUB_ACTIONS", "TERM", "FORCE_ITERM_HINT"]) delete e[k];
  return { ...e, TERM: "xterm-256color", ...extra };
}

function run(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: project, env: env(extra), encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI with stdout on a pseudo-terminal (util-linux `script`). */
function runTTY(args: string[], extra: Record<string, string> = {}) {
  const cmd = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { cwd: project, env: env(extra), encoding: "utf8" });
  return { code: r.status, stdout: r.stdout.replace(/\r\n/g, "\n") };
}

describe("CLI output (built with tsc into .build-report)", () => {
  beforeAll(() => {
    try {
      execFileSync(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--outDir", ".build-report"], { cwd: REPO, stdio: "pipe" });
    } catch {
      // type errors elsewhere still emit JavaScript; the check below is what matters
    }
    expect(existsSync(CLI)).toBe(true);
    project = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-cli-"));
    write(
      "migrations/versions/0001_create_orders.py",
      '"""create orders\n\nRevision ID: 0001\nRevises:\nCreate Date: 2024-01-01 10:00:00\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "0001"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.create_table(\n        "orders",\n        sa.Column("id", sa.Integer(), primary_key=True),\n        sa.Column("customer_id", sa.Integer(), nullable=True),\n    )\n\n\ndef downgrade():\n    op.drop_table("orders")\n',
    );
    write(
      "migrations/versions/0002_index_customer.py",
      '"""index customer, naïve 🚀\n\nRevision ID: 0002\nRevises: 0001\nCreate Date: 2024-01-02 10:00:00\n"""\nfrom alembic import op\n\nrevision = "0002"\ndown_revision = "0001"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])\n\n\ndef downgrade():\n    op.drop_index("ix_orders_customer_id", table_name="orders")\n',
    );
  }, 240_000);

  const target = "migrations/versions";

  it("friendly, piped: no colour, no iTerm escape (even when forced), exit 1", () => {
    const r = run([target], { FORCE_ITERM_HINT: "true" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ALM401");
    expect(r.stdout).toContain("migrations/versions/0002_index_customer.py:16:5");
    expect(r.stdout).not.toContain(ESC);
  });

  it("--color forces colour when piped", () => {
    expect(run([target, "--color"]).stdout).toMatch(ANSI);
  });

  it("FORCE_COLOR=1 colours, NO_COLOR beats FORCE_COLOR, --no-color beats FORCE_COLOR", () => {
    expect(run([target], { FORCE_COLOR: "1" }).stdout).toMatch(ANSI);
    expect(run([target], { FORCE_COLOR: "1", NO_COLOR: "1" }).stdout).not.toContain(ESC);
    expect(run([target, "--no-color"], { FORCE_COLOR: "1" }).stdout).not.toContain(ESC);
    // NO_COLOR counts when present, whatever its value
    expect(run([target], { FORCE_COLOR: "1", NO_COLOR: "" }).stdout).not.toContain(ESC);
  });

  it.runIf(HAS_SCRIPT)("on a terminal: colour by default, none with NO_COLOR or --no-color, never the iTerm escape", () => {
    const tty = runTTY([target]);
    expect(tty.code).toBe(1);
    expect(tty.stdout).toMatch(ANSI);
    expect(tty.stdout).not.toContain(ITERM);
    expect(runTTY([target], { NO_COLOR: "1" }).stdout).not.toContain(ESC);
    expect(runTTY([target, "--no-color"]).stdout).not.toContain(ESC);
    expect(runTTY([target], { TERM: "dumb" }).stdout).not.toContain(ESC);
  });

  it.runIf(HAS_SCRIPT)("--output-file from a terminal: the file is plain text, stdout stays empty", () => {
    const out = path.join(project, "report.txt");
    const r = runTTY([target, "-o", "report.txt"]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe("");
    const text = readFileSync(out, "utf8");
    expect(text).toContain("ALM401");
    expect(text).not.toContain(ESC);
  });

  it("friendly -o file: the same bytes as on stdout, written in one go (no temp file left)", () => {
    const piped = run([target], { FORCE_COLOR: "1" });
    const r = run([target, "-o", "friendly.txt"], { FORCE_COLOR: "1" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(readFileSync(path.join(project, "friendly.txt"), "utf8")).toBe(piped.stdout);
    expect(piped.stdout).toMatch(/✘ 1 problem \(0 errors, 1 warning\)/);
    expect(readdirSync(project).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("--format json -o file writes the JSON document", () => {
    const r = run([target, "--format", "json", "--output-file", "out.json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const doc = JSON.parse(readFileSync(path.join(project, "out.json"), "utf8"));
    expect(doc.diagnostics.map((d: Diagnostic) => `${d.path}:${(d as unknown as { line: number }).line}:${d.code}`)).toEqual(["migrations/versions/0002_index_customer.py:16:ALM401"]);
  });

  it("--format github prints workflow commands, and GITHUB_ACTIONS does not switch the format", () => {
    const r = run([target, "--format", "github"]);
    expect(r.stdout).toMatch(/^::warning file=migrations\/versions\/0002_index_customer.py,line=16,/);
    const plain = run([target], { GITHUB_ACTIONS: "true", CI: "true" });
    expect(plain.stdout).not.toContain("::warning");
    expect(plain.stdout).toContain("ALM401");
  });

  it("--format sarif with --sarif-category: valid JSON with the category and repo-relative URIs", () => {
    const r = run([target, "--format", "sarif", "--sarif-category", "migrations", "-o", "out.sarif"]);
    expect(r.code).toBe(1);
    const log = JSON.parse(readFileSync(path.join(project, "out.sarif"), "utf8"));
    const run0 = log.runs[0];
    expect(run0.automationDetails).toEqual({ id: "migrations/" });
    expect(run0.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "migrations/versions/0002_index_customer.py", uriBaseId: "%SRCROOT%" });
    expect(run0.results[0].ruleId).toBe("ALM401");
  });
});
