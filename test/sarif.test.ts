// SARIF output: valid against the official SARIF 2.1.0 schema (ajv, draft-04) and
// meeting what GitHub code scanning requires beyond the schema
// (shared/reference/sarif-and-integrations.md §1).
import { createRequire } from "node:module";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type Ajv04Type from "ajv-draft-04";
import type addFormatsType from "ajv-formats";
import sarif, { MAX_RESULTS, automationId, rootUri } from "../src/report/sarif.js";
import type { ReportInput } from "../src/report/types.js";
import { allRules, resolveSelection } from "../src/engine/registry.js";
import type { Diagnostic } from "../src/engine/rule.js";
import { lintPaths } from "../src/lint.js";
import type { LintedFile } from "../src/lint.js";

const require = createRequire(import.meta.url);
// CommonJS packages: `require` gives the class/function itself under both vitest and tsc.
const Ajv04 = require("ajv-draft-04") as typeof Ajv04Type.default;
const addFormats = require("ajv-formats") as typeof addFormatsType.default;
const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object;
// The schema's patterns use \p{...}-free ECMAScript syntax that Ajv's `u` flag rejects.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSchema = ajv.compile(schema);

// A directory that is not inside any Git work tree, so the SARIF root is the cwd.
const CWD = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-sarif-"));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** GitHub's "required" properties and limits, which the schema cannot express. */
export function githubProblems(log: Json): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, what: string) => {
    if (!ok) problems.push(what);
  };
  const text = (v: unknown) => typeof v === "string" && v.trim() !== "";
  need(text(log.$schema), "$schema");
  need(log.version === "2.1.0", "version 2.1.0");
  need(Array.isArray(log.runs) && log.runs.length === 1, "exactly one run");
  for (const run of log.runs ?? []) {
    const driver = run.tool?.driver;
    need(text(driver?.name), "tool.driver.name");
    need(Array.isArray(driver?.rules), "tool.driver.rules[]");
    need(run.columnKind === "utf16CodeUnits", "columnKind utf16CodeUnits");
    need(Array.isArray(run.results), "results[] (present even when empty)");
    need((run.results ?? []).length <= 25_000, "at most 25,000 results");
    need(typeof run.invocations?.[0]?.executionSuccessful === "boolean", "invocations[0].executionSuccessful");
    const base = run.originalUriBaseIds?.["%SRCROOT%"]?.uri;
    need(typeof base === "string" && /^file:\/\/\/.*[^/]\/$|^file:\/\/\/$/.test(base), `%SRCROOT% is an absolute file: URI ending in one / (${base})`);
    const ids = new Set<string>();
    for (const r of driver?.rules ?? []) {
      need(text(r.id) && !ids.has(r.id), `unique rule id ${r.id}`);
      ids.add(r.id);
      need(text(r.shortDescription?.text) && r.shortDescription.text.length <= 1024, `${r.id} shortDescription.text <= 1024`);
      need(text(r.fullDescription?.text) && r.fullDescription.text.length <= 1024, `${r.id} fullDescription.text <= 1024`);
      need(text(r.help?.text), `${r.id} help.text`);
      need(text(r.help?.markdown), `${r.id} help.markdown`);
      need(typeof r.helpUri === "string" && r.helpUri.startsWith("https://"), `${r.id} absolute helpUri`);
      need(!r.name || r.name.length <= 255, `${r.id} name <= 255`);
      need(["note", "warning", "error"].includes(r.defaultConfiguration?.level), `${r.id} defaultConfiguration.level`);
      need((r.properties?.tags ?? []).length <= 20, `${r.id} at most 20 tags`);
      need(["error", "warning", "recommendation"].includes(r.properties?.["problem.severity"]), `${r.id} problem.severity`);
      need(r.properties?.["security-severity"] === undefined, `${r.id} no security-severity`);
    }
    const withSuppressions = (run.results ?? []).filter((r: Json) => r.suppressions !== undefined).length;
    need(withSuppressions === 0 || withSuppressions === run.results.length, "suppressions on every result or on none (SARIF 3.27.23)");
    for (const res of run.results ?? []) {
      const where = `${res.ruleId} at ${res.locations?.[0]?.physicalLocation?.artifactLocation?.uri}:${res.locations?.[0]?.physicalLocation?.region?.startLine}`;
      need(text(res.ruleId) && ids.has(res.ruleId), `${where}: ruleId names a rule`);
      need(driver.rules[res.ruleIndex]?.id === res.ruleId, `${where}: ruleIndex matches ruleId`);
      need(["note", "warning", "error"].includes(res.level), `${where}: level`);
      need(text(res.message?.text), `${where}: message.text`);
      need(Array.isArray(res.locations) && res.locations.length === 1, `${where}: exactly one location`);
      for (const loc of [...(res.locations ?? []), ...(res.relatedLocations ?? [])]) {
        const a = loc.physicalLocation?.artifactLocation;
        need(text(a?.uri), `${where}: artifactLocation.uri`);
        need(a?.uriBaseId === "%SRCROOT%", `${where}: uriBaseId %SRCROOT%`);
        need(!/^[a-z][a-z0-9+.-]*:/i.test(a?.uri ?? "") && !(a?.uri ?? "").startsWith("/"), `${where}: relative uri (${a?.uri})`);
        const g = loc.physicalLocation?.region ?? {};
        need([g.startLine, g.startColumn, g.endLine, g.endColumn].every((n) => Number.isInteger(n) && n >= 1), `${where}: full 1-based region`);
        need(g.endLine > g.startLine || (g.endLine === g.startLine && g.endColumn >= g.startColumn), `${where}: region end after start`);
      }
      for (const [i, rl] of (res.relatedLocations ?? []).entries()) need(rl.id === i + 1 && text(rl.message?.text), `${where}: related location ${i} id and message`);
      for (const fix of res.fixes ?? []) need(Array.isArray(fix.artifactChanges) && fix.artifactChanges.length > 0 && text(fix.description?.text), `${where}: fix with artifactChanges`);
    }
  }
  return problems;
}

function expectValid(out: string): Json {
  const log = JSON.parse(out) as Json;
  const ok = validateSchema(log);
  expect(ok ? [] : validateSchema.errors).toEqual([]);
  expect(githubProblems(log)).toEqual([]);
  return log;
}

function diag(p: Partial<Diagnostic> & { code: string }): Diagnostic {
  const rule = allRules.find((r) => r.meta.code === p.code)!;
  return {
    name: rule.meta.name,
    severity: rule.meta.severity,
    path: "migrations/versions/0001_init.py",
    span: { line: 1, column: 1, endLine: 1, endColumn: 2 },
    message: "something is wrong; write this instead",
    related: [],
    fingerprint: "fp",
    ...p,
  };
}

function file(rel: string, source: string | null): LintedFile {
  return { path: rel, absPath: path.join(CWD, rel), source, migration: null };
}

function input(over: Partial<ReportInput> = {}): ReportInput & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    diagnostics: [],
    files: [],
    rules: resolveSelection({}),
    cwd: CWD,
    color: false,
    toFile: true,
    toolVersion: "1.2.3",
    executionSuccessful: true,
    warn: (m) => warnings.push(m),
    warnings,
    ...over,
  };
}

const SRC = 'from alembic import op\n\n\ndef upgrade():\n    op.drop_column("user", "legacy")\n\n\ndef downgrade():\n    pass\n';

describe("SARIF reporter", () => {
  it("the schema itself compiles and rejects broken logs", () => {
    expect(validateSchema({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, results: [{ message: {} , level: "fatal" }] }] })).toBe(false);
  });

  it("no findings: a run with rules[] and an empty results array", () => {
    const log = expectValid(sarif(input({ files: [file("migrations/versions/0001_init.py", SRC)] })));
    const run = log.runs[0];
    expect(run.results).toEqual([]);
    expect(run.tool.driver.name).toBe("alembic-lint");
    expect(run.tool.driver.semanticVersion).toBe("1.2.3");
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    expect(run.tool.driver.rules.map((r: Json) => r.id)).toEqual(resolveSelection({}).map((a) => a.rule.meta.code).sort());
    expect(run.originalUriBaseIds["%SRCROOT%"].uri).toBe(rootUri(CWD));
    expect(run.originalUriBaseIds["%SRCROOT%"].uri.endsWith("/")).toBe(true);
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
    expect(run.automationDetails).toBeUndefined();
  });

  it("every rule of the registry gets a complete descriptor (all rules selected)", () => {
    const rules = resolveSelection({ select: ["ALL"] });
    const log = expectValid(sarif(input({ rules })));
    const byId = new Map(log.runs[0].tool.driver.rules.map((r: Json) => [r.id, r]));
    expect(byId.size).toBe(allRules.length);
    for (const a of rules) {
      const r = byId.get(a.rule.meta.code) as Json;
      expect(r.name).toBe(a.rule.meta.name);
      expect(r.defaultConfiguration.level).toBe(a.severity);
      expect(r.properties.tags).toContain(a.rule.meta.category);
      if (a.rule.meta.precision) expect(r.properties.precision).toBe(a.rule.meta.precision);
      expect(r.help.markdown).toContain(r.helpUri);
      expect(r.fullDescription.markdown).toBeTruthy();
    }
  });

  it("a finding: ruleId/ruleIndex/level/message, repo-relative percent-encoded URI, 1-based region", () => {
    const p = "migrations/versions/0002 add café.py";
    const d = diag({ code: "ALM901", path: p, span: { line: 5, column: 5, endLine: 5, endColumn: 37 }, message: "not analyzed: x" });
    const log = expectValid(sarif(input({ diagnostics: [d], files: [file(p, SRC)] })));
    const [res] = log.runs[0].results;
    expect(res.ruleId).toBe("ALM901");
    expect(log.runs[0].tool.driver.rules[res.ruleIndex].id).toBe("ALM901");
    expect(res.level).toBe("note");
    expect(res.message.text).toBe("not analyzed: x");
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "migrations/versions/0002%20add%20caf%C3%A9.py", uriBaseId: "%SRCROOT%" },
      region: { startLine: 5, startColumn: 5, endLine: 5, endColumn: 37 },
    });
    expect(res.suppressions).toEqual([]);
    expect(res.fixes).toBeUndefined();
    expect(res.relatedLocations).toBeUndefined();
  });

  it("related locations, also in another file, with ids and messages", () => {
    const d = diag({
      code: "ALM900",
      span: { line: 8, column: 1, endLine: 8, endColumn: 16 },
      related: [
        { span: { line: 5, column: 5, endLine: 5, endColumn: 37 }, message: "the upgrade op" },
        { path: "migrations/versions/0003_other.py", span: { line: 2, column: 1, endLine: 2, endColumn: 10 }, message: "the other head" },
      ],
    });
    const log = expectValid(sarif(input({ diagnostics: [d], files: [file(d.path, SRC)] })));
    const [res] = log.runs[0].results;
    expect(res.locations).toHaveLength(1);
    expect(res.relatedLocations).toEqual([
      { id: 1, physicalLocation: { artifactLocation: { uri: "migrations/versions/0001_init.py", uriBaseId: "%SRCROOT%" }, region: { startLine: 5, startColumn: 5, endLine: 5, endColumn: 37 } }, message: { text: "the upgrade op" } },
      { id: 2, physicalLocation: { artifactLocation: { uri: "migrations/versions/0003_other.py", uriBaseId: "%SRCROOT%" }, region: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 10 } }, message: { text: "the other head" } },
    ]);
  });

  it("in-source suppressions become suppressions[]; baseline-hidden findings are left out", () => {
    const ds = [
      diag({ code: "ALM901", span: { line: 5, column: 5, endLine: 5, endColumn: 10 }, suppressed: { kind: "inSource", justification: "column unused since 2024" } }),
      diag({ code: "ALM901", span: { line: 6, column: 5, endLine: 6, endColumn: 10 }, suppressed: { kind: "inSource", justification: "" } }),
      diag({ code: "ALM901", span: { line: 7, column: 5, endLine: 7, endColumn: 10 }, suppressed: { kind: "baseline", justification: "baseline" } }),
      diag({ code: "ALM901", span: { line: 8, column: 5, endLine: 8, endColumn: 10 } }),
    ];
    const log = expectValid(sarif(input({ diagnostics: ds, files: [file(ds[0]!.path, SRC)] })));
    const results = log.runs[0].results;
    expect(results.map((r: Json) => [r.locations[0].physicalLocation.region.startLine, r.suppressions])).toEqual([
      [5, [{ kind: "inSource", justification: "column unused since 2024" }]],
      [6, [{ kind: "inSource" }]],
      [8, []],
    ]);
  });

  it("fixes: edit offsets become line/column replacement regions", () => {
    const src = 'def upgrade():\n    op.drop_column("user", "legacy")\n\n\ndef downgrade():\n    pass\n';
    const at = (s: string) => src.indexOf(s);
    const d = diag({
      code: "ALM901",
      span: { line: 5, column: 1, endLine: 5, endColumn: 16 },
      fix: {
        description: "Add the inverse to downgrade()",
        edits: [
          // out of order on purpose: replacements are sorted by offset
          { start: at("pass"), end: at("pass") + 4, text: 'op.add_column("user", sa.Column("legacy", sa.Text()))' },
          { start: 0, end: 0, text: "import sqlalchemy as sa\n" },
          { start: at("\n\n\ndef downgrade"), end: at("\n\n\ndef downgrade") + 1, text: "" },
        ],
      },
    });
    const log = expectValid(sarif(input({ diagnostics: [d], files: [file(d.path, src)] })));
    const [res] = log.runs[0].results;
    expect(res.fixes).toEqual([
      {
        description: { text: "Add the inverse to downgrade()" },
        artifactChanges: [
          {
            artifactLocation: { uri: "migrations/versions/0001_init.py", uriBaseId: "%SRCROOT%" },
            replacements: [
              { deletedRegion: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }, insertedContent: { text: "import sqlalchemy as sa\n" } },
              { deletedRegion: { startLine: 2, startColumn: 37, endLine: 3, endColumn: 1 } },
              { deletedRegion: { startLine: 6, startColumn: 5, endLine: 6, endColumn: 9 }, insertedContent: { text: 'op.add_column("user", sa.Column("legacy", sa.Text()))' } },
            ],
          },
        ],
      },
    ]);
  });

  it("non-ASCII source: columns stay in UTF-16 code units (columnKind utf16CodeUnits)", () => {
    // "é" is one UTF-16 unit, "🚀" two: the column of `op` after them counts units, not bytes or code points.
    const src = '# café 🚀\ndef upgrade():\n    x = "🚀é"; op.drop_column("t", "c")\n';
    const line3 = src.split("\n")[2]!;
    const col = line3.indexOf("op.") + 1; // 1-based UTF-16 column
    expect(col).toBe(16);
    const start = src.indexOf("op.drop");
    const d = diag({
      code: "ALM901",
      path: "migrations/versions/0004_ünïcode.py",
      span: { line: 3, column: col, endLine: 3, endColumn: col + 'op.drop_column("t", "c")'.length },
      fix: { description: "rename", edits: [{ start, end: start + 2, text: "ops" }] },
    });
    const log = expectValid(sarif(input({ diagnostics: [d], files: [file(d.path, src)] })));
    const run = log.runs[0];
    expect(run.columnKind).toBe("utf16CodeUnits");
    const [res] = run.results;
    expect(res.locations[0].physicalLocation.region).toEqual({ startLine: 3, startColumn: 16, endLine: 3, endColumn: 40 });
    expect(res.locations[0].physicalLocation.artifactLocation.uri).toBe("migrations/versions/0004_%C3%BCn%C3%AFcode.py");
    expect(res.fixes[0].artifactChanges[0].replacements[0].deletedRegion).toEqual({ startLine: 3, startColumn: 16, endLine: 3, endColumn: 18 });
  });

  it("an empty span is widened to the end of its line; CRLF line ends are not counted", () => {
    const src = "from alembic import op\r\nx = 1\r\n";
    const d = diag({ code: "ALM900", span: { line: 2, column: 1, endLine: 2, endColumn: 1 } });
    const log = expectValid(sarif(input({ diagnostics: [d], files: [file(d.path, src)] })));
    expect(log.runs[0].results[0].locations[0].physicalLocation.region).toEqual({ startLine: 2, startColumn: 1, endLine: 2, endColumn: 6 });
  });

  it("category: automationDetails.id only when --sarif-category is given", () => {
    expect(automationId("alembic-lint")).toBe("alembic-lint/");
    expect(automationId("migrations/backend")).toBe("migrations/backend");
    const log = expectValid(sarif(input({ sarifCategory: "alembic-lint" })));
    expect(log.runs[0].automationDetails).toEqual({ id: "alembic-lint/" });
    expect(JSON.parse(sarif(input())).runs[0].automationDetails).toBeUndefined();
  });

  it("executionSuccessful reflects internal errors", () => {
    const log = expectValid(sarif(input({ executionSuccessful: false })));
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
  });

  it("deterministic: the same findings in any order give the same bytes", () => {
    const ds = [3, 1, 2].map((line) => diag({ code: "ALM901", span: { line, column: 1, endLine: line, endColumn: 5 }, message: `m${line}` }));
    const a = sarif(input({ diagnostics: ds, files: [file(ds[0]!.path, SRC)] }));
    const b = sarif(input({ diagnostics: [...ds].reverse(), files: [file(ds[0]!.path, SRC)] }));
    expect(a).toBe(b);
    expect(JSON.parse(a).runs[0].results.map((r: Json) => r.message.text)).toEqual(["m1", "m2", "m3"]);
    expect(a).not.toMatch(/"(startTimeUtc|endTimeUtc)"/);
  });

  it("a file outside the project root keeps a ../ URI (never absolute) and warns", () => {
    const outside = path.join(path.dirname(CWD), "elsewhere", "0001_x.py");
    const d = diag({ code: "ALM901", path: outside });
    const i = input({ diagnostics: [d] });
    const log = expectValid(sarif(i));
    const uri = log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
    expect(uri).toBe("../elsewhere/0001_x.py");
    expect(i.warnings.join("\n")).toMatch(/outside/);
  });

  it(`more than ${MAX_RESULTS} results: cut, most severe first, with a warning`, () => {
    const ds: Diagnostic[] = [];
    for (let i = 0; i < MAX_RESULTS + 5; i++) ds.push(diag({ code: "ALM901", severity: "note", span: { line: i + 1, column: 1, endLine: i + 1, endColumn: 2 } }));
    ds.push(diag({ code: "ALM900", severity: "error", span: { line: 99_999, column: 1, endLine: 99_999, endColumn: 2 } }));
    const i = input({ diagnostics: ds });
    const log = expectValid(sarif(i));
    const results = log.runs[0].results;
    expect(results).toHaveLength(MAX_RESULTS);
    expect(results.some((r: Json) => r.level === "error")).toBe(true);
    expect(i.warnings).toHaveLength(1);
    expect(i.warnings[0]).toMatch(/25000 of 25006/);
    expect(log.runs[0].invocations[0].toolExecutionNotifications[0].level).toBe("warning");
  });

  it("real trees: every fixture folder and the bundled example, all rules selected", async () => {
    const root = path.resolve(import.meta.dirname, "..");
    const { readdirSync } = await import("node:fs");
    const pyFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pyFiles(path.join(dir, e.name)) : e.name.endsWith(".py") ? [path.join(dir, e.name)] : []));
    const runs = [[path.join(root, "examples")], ...readdirSync(path.join(root, "fixtures")).map((f) => pyFiles(path.join(root, "fixtures", f))).filter((fs) => fs.length > 0)];
    let total = 0;
    for (const paths of runs) {
      const result = await lintPaths(paths, { select: ["ALL"], cwd: root });
      const out = sarif(input({ diagnostics: result.diagnostics, files: result.files, rules: resolveSelection({ select: ["ALL"] }), cwd: root }));
      const log = expectValid(out);
      for (const r of log.runs[0].results) expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^(examples|fixtures)\//);
      total += log.runs[0].results.length;
    }
    expect(total).toBeGreaterThan(0);
  });

  it("inside a Git work tree, URIs are relative to its root even from a subdirectory", () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-sarif-git-"));
    mkdirSync(path.join(repo, ".git"));
    mkdirSync(path.join(repo, "backend", "migrations", "versions"), { recursive: true });
    writeFileSync(path.join(repo, "backend", "migrations", "versions", "0001_init.py"), SRC);
    const cwd = path.join(repo, "backend");
    const d = diag({ code: "ALM901", path: "migrations/versions/0001_init.py" });
    const log = expectValid(sarif(input({ diagnostics: [d], cwd })));
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("backend/migrations/versions/0001_init.py");
    expect(log.runs[0].originalUriBaseIds["%SRCROOT%"].uri).toBe(rootUri(repo));
  });
});
