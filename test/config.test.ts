// Configuration: discovery, every key, every error (naming the file and the key),
// --config / --no-config, and command-line-over-config precedence (in process and by
// spawning the built CLI).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anchorGlob, ConfigError, loadConfig, mergeSelection, type Config } from "../src/config.js";
import { allRules, resolveSelection } from "../src/engine/registry.js";
import { defineRule } from "../src/engine/rule.js";
import { main } from "../src/cli.js";

// A test-only rule with options (this file's own module graph: vitest isolates test files).
const optionRule = defineRule({
  meta: {
    code: "ALM995",
    name: "test-options",
    severity: "warning",
    category: "tool",
    docs: { summary: "test", rationale: "test" },
    messages: { x: () => "x" },
    options: {
      allow_labelled_branches: { type: "boolean", default: false, description: "b" },
      max_rows: { type: "number", default: 10, description: "n" },
      table_prefix: { type: "string", default: "", description: "s" },
      tables: { type: "string[]", default: [], description: "l" },
    },
  },
});

let root: string;
beforeAll(() => {
  allRules.push(optionRule as never);
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), "alembic-lint-config-")));
});
afterAll(() => {
  allRules.splice(allRules.indexOf(optionRule as never), 1);
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh directory with these files (paths may contain sub-directories). */
function project(files: Record<string, string>): string {
  const dir = path.join(root, `p${n++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const py = (body: string) => `[project]\nname = "app"\n\n[tool.alembic-lint]\n${body}\n`;

async function load(files: Record<string, string>, opts: { cwd?: string; configFile?: string; noConfig?: boolean } = {}): Promise<Config> {
  const dir = project(files);
  return loadConfig({ cwd: path.join(dir, opts.cwd ?? ""), ...(opts.configFile ? { configFile: opts.configFile } : {}), ...(opts.noConfig ? { noConfig: true } : {}) });
}

async function error(files: Record<string, string>, opts: { cwd?: string; configFile?: string; noConfig?: boolean } = {}): Promise<string> {
  try {
    await load(files, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("discovery", () => {
  it("finds [tool.alembic-lint] in pyproject.toml, walking up from a sub-directory", async () => {
    const cfg = await load({ "pyproject.toml": py(`select = ["ALM9"]`), "a/b/.keep": "" }, { cwd: "a/b" });
    expect(cfg.file).toMatch(/pyproject\.toml$/);
    expect(cfg.shown).toBe("../../pyproject.toml");
    expect(cfg.select).toEqual(["ALM9"]);
  });

  it("finds .alembic-lint.toml", async () => {
    const cfg = await load({ ".alembic-lint.toml": `select = ["ALM901"]\n` });
    expect(cfg.file).toMatch(/\.alembic-lint\.toml$/);
    expect(cfg.keyPrefix).toBe("");
  });

  it("skips a pyproject.toml without the table (even one that mentions alembic-lint) and keeps walking", async () => {
    const cfg = await load(
      {
        ".alembic-lint.toml": `select = ["ALM901"]\n`,
        "app/pyproject.toml": `[project]\nname = "app"\ndependencies = ["alembic-lint-helpers"]\n\n[tool.alembic]\nscript_location = "migrations"\n`,
      },
      { cwd: "app" },
    );
    expect(cfg.shown).toBe("../.alembic-lint.toml");
  });

  it("in one directory, .alembic-lint.toml wins over pyproject.toml, with a warning", async () => {
    const cfg = await load({ ".alembic-lint.toml": `select = ["ALM901"]\n`, "pyproject.toml": py(`select = ["ALM902"]`) });
    expect(cfg.select).toEqual(["ALM901"]);
    expect(cfg.warnings).toEqual(["pyproject.toml also has a [tool.alembic-lint] table; it is ignored because .alembic-lint.toml takes precedence"]);
  });

  it("no warning when the pyproject.toml beside it has no table", async () => {
    const cfg = await load({ ".alembic-lint.toml": `select = ["ALM901"]\n`, "pyproject.toml": `[project]\nname = "x"\n` });
    expect(cfg.warnings).toEqual([]);
  });

  it("the nearest directory wins; files are not merged", async () => {
    const cfg = await load({ ".alembic-lint.toml": `select = ["ALM901"]\ndialect = "mysql"\n`, "svc/pyproject.toml": py(`select = ["ALM902"]`) }, { cwd: "svc" });
    expect(cfg.select).toEqual(["ALM902"]);
    expect(cfg.dialect).toBeUndefined();
  });

  it("no config file: defaults", async () => {
    const cfg = await load({ "x/.keep": "" }, { cwd: "x" });
    if (cfg.file !== null) return; // a config file above the temp directory; nothing to assert
    expect(cfg).toMatchObject({ file: null, ruleOptions: {}, warnings: [] });
  });

  it("--config names any file; a pyproject.toml given must have the table", async () => {
    const cfg = await load({ "ci/lint.toml": `select = ["ALM901"]\n` }, { configFile: "ci/lint.toml" });
    expect(cfg.select).toEqual(["ALM901"]);
    expect(await error({ "pyproject.toml": `[project]\nname = "x"\n` }, { configFile: "pyproject.toml" })).toBe(
      "pyproject.toml: no [tool.alembic-lint] table (pass a file with one, or a dedicated .alembic-lint.toml)",
    );
    expect(await error({}, { configFile: "nope.toml" })).toBe("--config nope.toml: file not found");
    expect(await error({ "d/x": "" }, { configFile: "d" })).toBe("d: cannot read config file (it is a directory)");
  });

  it("--config wins over discovery", async () => {
    const cfg = await load({ ".alembic-lint.toml": `select = ["ALM901"]\n`, "other.toml": `select = ["ALM902"]\n` }, { configFile: "other.toml" });
    expect(cfg.select).toEqual(["ALM902"]);
  });

  it("--no-config ignores every file, even a broken one", async () => {
    const cfg = await load({ ".alembic-lint.toml": `select = [\n` }, { noConfig: true });
    expect(cfg.file).toBeNull();
    expect(await error({}, { noConfig: true, configFile: "x.toml" })).toBe("--config and --no-config cannot be used together");
  });

  it("a dedicated file may wrap its keys in [tool.alembic-lint]", async () => {
    const cfg = await load({ ".alembic-lint.toml": `[tool.alembic-lint]\nselect = ["ALM901"]\n` });
    expect(cfg.select).toEqual(["ALM901"]);
    expect(cfg.keyPrefix).toBe("tool.alembic-lint.");
  });
});

describe("every key", () => {
  it("select, extend-select, ignore: codes, names, prefixes, ALL", async () => {
    const cfg = await load({ "pyproject.toml": py(`select = ["ALL"]\nextend-select = ["partial-analysis"]\nignore = ["ALM90", "alm902"]`) });
    expect(cfg).toMatchObject({ select: ["ALL"], extendSelect: ["partial-analysis"], ignore: ["ALM90", "alm902"] });
    expect((await load({ ".alembic-lint.toml": `extend_select = "ALM901"\n` })).extendSelect).toEqual(["ALM901"]);
  });

  it("severity: a table of selector = level, and rules.CODE.severity", async () => {
    const cfg = await load({ "pyproject.toml": py(`severity = { ALM901 = "error", ALM90 = "note", "unused-suppression" = "off" }\n\n[tool.alembic-lint.rules.ALM995]\nseverity = "error"`) });
    expect(cfg.severity).toEqual({ ALM901: "error", ALM90: "note", "unused-suppression": "off", ALM995: "error" });
  });

  it("dialect", async () => {
    for (const d of ["postgresql", "mysql", "sqlite", "mssql", "oracle"]) expect((await load({ ".alembic-lint.toml": `dialect = "${d}"\n` })).dialect).toBe(d);
  });

  it("exclude and scripts: globs anchored at the config file's directory", async () => {
    const dir = project({ "pyproject.toml": py(`exclude = ["migrations/versions/legacy_*.py", "*_old.py", "./top.py", "build/"]\nscripts = ["scripts/*.sh", "deploy.sh"]`), "sub/.keep": "" });
    const cfg = await loadConfig({ cwd: path.join(dir, "sub") });
    expect(cfg.exclude).toEqual([`${dir}/migrations/versions/legacy_*.py`, `${dir}/**/*_old.py`, `${dir}/top.py`, `${dir}/**/build/**`]);
    expect(cfg.scripts).toEqual([`${dir}/scripts/*.sh`, `${dir}/deploy.sh`]);
  });

  it("escapes glob characters in the directory", () => {
    expect(anchorGlob("a/*.py", "/x/(y)")).toBe("/x/\\(y\\)/a/*.py");
  });

  it("baseline: resolved against the config file's directory", async () => {
    const dir = project({ "pyproject.toml": py(`baseline = "lint/baseline.json"`), "a/.keep": "" });
    expect((await loadConfig({ cwd: path.join(dir, "a") })).baseline).toBe(path.join(dir, "lint", "baseline.json"));
  });

  it("require_reason: true, false, a list, per-rule (per-rule wins in either direction)", async () => {
    const all = allRules.map((r) => r.meta.code);
    expect((await load({ ".alembic-lint.toml": `require_reason = true\n` })).requireReason).toEqual(all);
    expect((await load({ ".alembic-lint.toml": `require_reason = false\n` })).requireReason).toEqual([]);
    expect((await load({ ".alembic-lint.toml": `require-reason = ["ALM90", "test-options"]\n` })).requireReason).toEqual(["ALM900", "ALM901", "ALM902", "ALM995"].filter((c) => all.includes(c)));
    expect((await load({ ".alembic-lint.toml": `[rules.ALM995]\nrequire_reason = true\n` })).requireReason).toEqual(["ALM995"]);
    // Order in the file does not matter: a per-rule false exempts that rule from a global true.
    expect((await load({ ".alembic-lint.toml": `rules.ALM901.require_reason = false\nrequire_reason = true\n` })).requireReason).toEqual(all.filter((c) => c !== "ALM901"));
    expect((await load({ ".alembic-lint.toml": `select = ["ALM901"]\n` })).requireReason).toBeUndefined();
  });

  it("per-rule options by code or name, with their declared types", async () => {
    const cfg = await load({
      "pyproject.toml": py(`[tool.alembic-lint.rules.ALM995]\nallow_labelled_branches = true\nmax_rows = 5\n\n[tool.alembic-lint.rules.test-options]\ntable_prefix = "tmp_"\ntables = ["a", "b"]`),
    });
    expect(cfg.ruleOptions).toEqual({ ALM995: { allow_labelled_branches: true, max_rows: 5, table_prefix: "tmp_", tables: ["a", "b"] } });
  });

  it("an empty [tool.alembic-lint] table is a valid, empty config", async () => {
    const cfg = await load({ "pyproject.toml": py("") });
    expect(cfg.file).toMatch(/pyproject\.toml$/);
    expect(cfg.select).toBeUndefined();
  });
});

describe("errors name the file, the key and what is allowed", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["unknown key", { "pyproject.toml": py(`selct = ["ALM1"]`) }, 'pyproject.toml: tool.alembic-lint.selct: unknown key (allowed: select, extend-select, ignore, severity, dialect, exclude, baseline, scripts, require_reason, rules) (did you mean "select"?)'],
    ["unknown key in a dedicated file", { ".alembic-lint.toml": `colour = true\n` }, ".alembic-lint.toml: colour: unknown key (allowed: select, extend-select, ignore, severity, dialect, exclude, baseline, scripts, require_reason, rules)"],
    ["unknown code in select", { "pyproject.toml": py(`select = ["ALM901", "ALM777"]`) }, 'pyproject.toml: tool.alembic-lint.select[1]: unknown rule selector "ALM777" (expected a code like ALM104, a name like unreversed-operation, a prefix like ALM1, or ALL); see `alembic-lint rules`'],
    ["unknown name in ignore", { ".alembic-lint.toml": `ignore = "no-such-rule"\n` }, '.alembic-lint.toml: ignore: unknown rule selector "no-such-rule" (expected a code like ALM104, a name like unreversed-operation, a prefix like ALM1, or ALL); see `alembic-lint rules`'],
    ["empty selector", { ".alembic-lint.toml": `select = [""]\n` }, ".alembic-lint.toml: select[0]: empty rule selector; see `alembic-lint rules`"],
    ["select of the wrong type", { "pyproject.toml": py(`select = 3`) }, 'pyproject.toml: tool.alembic-lint.select: expected a list of rule codes, names or prefixes (e.g. ["ALM1", "ALM302", "unreversed-operation"], or ["ALL"]), got number 3'],
    ["select list of the wrong type", { "pyproject.toml": py(`select = [1]`) }, 'pyproject.toml: tool.alembic-lint.select: expected a list of rule codes, names or prefixes (e.g. ["ALM1", "ALM302", "unreversed-operation"], or ["ALL"]), got a list ([1])'],
    ["severity not a table", { ".alembic-lint.toml": `severity = "error"\n` }, '.alembic-lint.toml: severity: expected a table of CODE = "error" | "warning" | "note" | "off", got string "error"'],
    ["severity unknown code", { ".alembic-lint.toml": `severity = { ALM777 = "error" }\n` }, '.alembic-lint.toml: severity.ALM777: unknown rule selector "ALM777" (expected a code like ALM104, a name like unreversed-operation, a prefix like ALM1, or ALL); see `alembic-lint rules`'],
    ["severity bad level", { ".alembic-lint.toml": `severity = { ALM901 = "fatal" }\n` }, '.alembic-lint.toml: severity.ALM901: expected one of "error", "warning", "note", "off", got string "fatal"'],
    ["dialect", { "pyproject.toml": py(`dialect = "postgres"`) }, 'pyproject.toml: tool.alembic-lint.dialect: expected one of "postgresql", "mysql", "sqlite", "mssql", "oracle", got string "postgres"'],
    ["exclude", { ".alembic-lint.toml": `exclude = [true]\n` }, ".alembic-lint.toml: exclude: expected a list of glob patterns (relative to the config file), got a list ([true])"],
    ["scripts", { ".alembic-lint.toml": `scripts = {}\n` }, ".alembic-lint.toml: scripts: expected a list of glob patterns of scripts checked by ALM010 (relative to the config file), got a table"],
    ["baseline", { ".alembic-lint.toml": `baseline = ["a"]\n` }, '.alembic-lint.toml: baseline: expected the path of a baseline file (relative to the config file), got a list (["a"])'],
    ["baseline empty", { ".alembic-lint.toml": `baseline = ""\n` }, '.alembic-lint.toml: baseline: expected the path of a baseline file (relative to the config file), got string ""'],
    ["require_reason", { ".alembic-lint.toml": `require_reason = "yes"\n` }, '.alembic-lint.toml: require_reason: unknown rule selector "yes" (expected a code like ALM104, a name like unreversed-operation, a prefix like ALM1, or ALL); see `alembic-lint rules`'],
    ["require_reason number", { ".alembic-lint.toml": `require_reason = 1\n` }, ".alembic-lint.toml: require_reason: expected true, false, or a list of rule codes, names or prefixes, got number 1"],
    ["a key given twice through its alias", { ".alembic-lint.toml": `extend-select = ["ALM901"]\nextend_select = ["ALM902"]\n` }, ".alembic-lint.toml: extend_select: given twice (also as extend-select)"],
    ["rules not a table", { ".alembic-lint.toml": `rules = ["ALM901"]\n` }, '.alembic-lint.toml: rules: expected a table of per-rule tables, e.g. [tool.alembic-lint.rules.ALM001], got a list (["ALM901"])'],
    ["rules unknown code", { "pyproject.toml": py(`[tool.alembic-lint.rules.ALM777]\nx = 1`) }, 'pyproject.toml: tool.alembic-lint.rules.ALM777: unknown rule "ALM777" (expected a rule code like ALM001 or a rule name; see `alembic-lint rules`)'],
    ["rules prefix", { "pyproject.toml": py(`[tool.alembic-lint.rules.ALM9]\nseverity = "off"`) }, 'pyproject.toml: tool.alembic-lint.rules.ALM9: unknown rule "ALM9" (expected a rule code like ALM001 or a rule name; see `alembic-lint rules`)'],
    ["rules entry not a table", { ".alembic-lint.toml": `rules = { ALM995 = true }\n` }, ".alembic-lint.toml: rules.ALM995: expected a table of options for ALM995, got boolean true"],
    ["unknown option", { "pyproject.toml": py(`[tool.alembic-lint.rules.ALM995]\nallow_labeled_branches = true`) }, 'pyproject.toml: tool.alembic-lint.rules.ALM995.allow_labeled_branches: unknown option for ALM995 (allowed: severity, require_reason, allow_labelled_branches, max_rows, table_prefix, tables) (did you mean "allow_labelled_branches"?)'],
    ["option of the wrong type", { "pyproject.toml": py(`[tool.alembic-lint.rules.ALM995]\nallow_labelled_branches = "yes"`) }, 'pyproject.toml: tool.alembic-lint.rules.ALM995.allow_labelled_branches: expected true or false, got string "yes"'],
    ["list option of the wrong type", { ".alembic-lint.toml": `[rules.test-options]\ntables = "a"\n` }, '.alembic-lint.toml: rules.test-options.tables: expected a list of strings, got string "a"'],
    ["number option", { ".alembic-lint.toml": `[rules.ALM995]\nmax_rows = "5"\n` }, '.alembic-lint.toml: rules.ALM995.max_rows: expected a number, got string "5"'],
    ["per-rule severity", { ".alembic-lint.toml": `[rules.ALM995]\nseverity = "loud"\n` }, '.alembic-lint.toml: rules.ALM995.severity: expected one of "error", "warning", "note", "off", got string "loud"'],
    ["per-rule require_reason", { ".alembic-lint.toml": `[rules.ALM995]\nrequire_reason = "yes"\n` }, '.alembic-lint.toml: rules.ALM995.require_reason: expected true or false, got string "yes"'],
    ["the table is not a table", { "pyproject.toml": `[tool]\nalembic-lint = 3\n` }, "pyproject.toml: tool.alembic-lint must be a table, got number 3"],
    ["TOML syntax error", { "pyproject.toml": `[tool.alembic-lint]\nselect = ["ALM901"\nignore = []\n` }, "pyproject.toml:3:1: invalid TOML: "],
    ["TOML duplicate key", { ".alembic-lint.toml": `select = []\nselect = []\n` }, ".alembic-lint.toml:2:1: invalid TOML: trying to redefine an already defined table or value"],
  ];
  for (const [what, files, message] of cases) {
    it(what, async () => {
      const got = await error(files);
      if (message.endsWith(": ")) expect(got.startsWith(message)).toBe(true);
      else expect(got).toBe(message);
    });
  }

  it("a config file found in a parent directory is named by its relative path", async () => {
    expect(await error({ "pyproject.toml": py(`selct = 1`), "a/.keep": "" }, { cwd: "a" })).toMatch(/^\.\.\/pyproject\.toml: tool\.alembic-lint\.selct: unknown key/);
  });
});

describe("command line over config (in process)", () => {
  const base = (over: Partial<Config>): Config => ({ file: "x", shown: "x", keyPrefix: "", ruleOptions: {}, warnings: [], ...over });
  const codes = (c: Config, cli: Parameters<typeof mergeSelection>[1]) =>
    resolveSelection(mergeSelection(c, cli))
      .map((a) => `${a.rule.meta.code}=${a.severity}`)
      .filter((s) => /^ALM90/.test(s));

  it("--select replaces the file's select, extend-select and ignore", () => {
    expect(codes(base({ select: ["ALM902"], ignore: ["ALM901"] }), { select: ["ALM901"] })).toEqual(["ALM900=error", "ALM901=note"]);
  });
  it("--select keeps the file's levels for the rules selected, without switching others on", () => {
    expect(codes(base({ severity: { ALM901: "error", ALM902: "note" } }), { select: ["ALM901"] })).toEqual(["ALM900=error", "ALM901=error"]);
  });
  it("--extend-select re-enables a rule the file ignores", () => {
    expect(codes(base({ ignore: ["ALM90"] }), { extendSelect: ["ALM901"] })).toEqual(["ALM900=error", "ALM901=note"]);
  });
  it("--ignore adds to the file's ignore", () => {
    expect(codes(base({ ignore: ["ALM901"] }), { ignore: ["ALM902"] })).toEqual(["ALM900=error"]);
  });
  it("an ignored rule stays off even when a severity names it", () => {
    expect(codes(base({ severity: { ALM901: "error" } }), { ignore: ["ALM901"] })).toEqual(["ALM900=error", "ALM902=warning"]);
    expect(codes(base({ ignore: ["ALM901"] }), { severity: { ALM901: "error" } })).toEqual(["ALM900=error", "ALM902=warning"]);
  });
  it("--severity wins per key", () => {
    expect(codes(base({ severity: { ALM901: "error", ALM902: "note" } }), { severity: { ALM901: "warning" } })).toEqual(["ALM900=error", "ALM901=warning", "ALM902=note"]);
  });
});

// ---------------------------------------------------------------------------------------
// Through the CLI: in process (main) and spawned (the built CLI, as users run it).

const MIGRATION = `"""with a helper

Revision ID: a1b2c3d4e5f6
Revises:
"""
from alembic import op
from myapp.helpers import add_audit_columns

revision = "a1b2c3d4e5f6"
down_revision = None


def upgrade():
    add_audit_columns("invoice")


def downgrade():
    pass
`;

function alembicProject(extra: Record<string, string> = {}): string {
  return project({ "alembic.ini": "[alembic]\nscript_location = migrations\n", "migrations/env.py": "", "migrations/versions/a1b2c3d4e5f6_helper.py": MIGRATION, ...extra });
}

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd, env: {}, isTTY: false });
  return { code, out, err };
}

describe("the CLI with a config file (in process)", () => {
  it("bad config: exit 2, one line on stderr naming file and key, no stack trace", async () => {
    const dir = alembicProject({ "pyproject.toml": py(`select = ["ALM901"]\n\n[tool.alembic-lint.rules.ALM901]\nfoo = 1`) });
    const r = await run([], dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe("alembic-lint: pyproject.toml: tool.alembic-lint.rules.ALM901.foo: unknown option for ALM901 (allowed: severity, require_reason)\n");
  });

  it("TOML syntax error: exit 2 with file, line and column", async () => {
    const r = await run([], alembicProject({ ".alembic-lint.toml": `select = ["ALM901"\n` }));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^alembic-lint: \.alembic-lint\.toml:2:1: invalid TOML: [^\n]+\n$/);
  });

  it("the config's severity makes a note fail; --severity on the command line wins", async () => {
    const dir = alembicProject({ "pyproject.toml": py(`select = ["ALM901"]\nseverity = { ALM901 = "error" }`) });
    expect((await run(["--format", "json"], dir)).code).toBe(1);
    expect((await run(["--format", "json", "--severity", "ALM901=note"], dir)).code).toBe(0);
    expect((await run(["--format", "json", "--ignore", "ALM901"], dir)).code).toBe(0);
    expect((await run(["--format", "json", "--no-config", "--select", "ALM901"], dir)).code).toBe(0);
  });

  it("prints the shadowing warning on stderr", async () => {
    const dir = alembicProject({ "pyproject.toml": py(`select = ["ALM901"]`), ".alembic-lint.toml": `select = ["ALM901"]\n` });
    const r = await run(["--format", "json"], dir);
    expect(r.err).toContain("alembic-lint: pyproject.toml also has a [tool.alembic-lint] table; it is ignored because .alembic-lint.toml takes precedence\n");
  });

  it("scripts from a config file in a parent directory are found relative to that file (ALM010)", async () => {
    const dir = alembicProject({ "pyproject.toml": py(`scripts = ["deploy/*.sh"]`), "deploy/stamp.sh": "#!/bin/sh\nalembic stamp 9f8e7d6c5b4a\n", "sub/.keep": "" });
    const r = await run(["..", "--select", "ALM010", "--format", "json"], path.join(dir, "sub"));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).diagnostics.map((d: { path: string; code: string }) => `${d.path} ${d.code}`)).toEqual(["../deploy/stamp.sh ALM010"]);
  });

  it("exclude from the config keeps a file out of the run", async () => {
    const dir = alembicProject({ "pyproject.toml": py(`select = ["ALM901"]\nseverity = { ALM901 = "error" }\nexclude = ["migrations/versions/a1b2*.py"]`), "migrations/versions/b2_clean.py": `revision = "b2"\ndown_revision = "a1b2c3d4e5f6"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n` });
    const r = await run(["--format", "json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).diagnostics).toEqual([]);
  });
});

// The spawned CLI: dist/bin/cli.js (built by `npm test`), or ALEMBIC_LINT_CLI.
const CLI = process.env.ALEMBIC_LINT_CLI ? path.resolve(process.env.ALEMBIC_LINT_CLI) : path.resolve(import.meta.dirname, "..", "dist", "bin", "cli.js");

function spawn(args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("the built CLI (spawned)", () => {
  it("exists (run `npm run build`, or set ALEMBIC_LINT_CLI)", () => {
    expect(existsSync(CLI), `${CLI} not found`).toBe(true);
  });

  it("command-line flags override the config file", () => {
    const dir = alembicProject({ "pyproject.toml": py(`select = ["ALM902"]\nignore = ["ALM901"]\nseverity = { ALM901 = "error" }`) });
    // The config selects only ALM902: the partial-analysis finding is not reported.
    const a = spawn(["--format", "json"], dir);
    expect([a.code, a.err]).toEqual([0, ""]);
    expect(JSON.parse(a.out).diagnostics).toEqual([]);
    // --select on the command line replaces the config's select and ignore; its severity still applies.
    const b = spawn(["--format", "json", "--select", "ALM901"], dir);
    expect(b.code).toBe(1);
    expect(JSON.parse(b.out).diagnostics.map((d: { code: string; severity: string }) => `${d.code}=${d.severity}`)).toEqual(["ALM901=error"]);
    // ...and --severity overrides the config's level.
    const c = spawn(["--format", "json", "--select", "ALM901", "--severity", "ALM901=note"], dir);
    expect(c.code).toBe(0);
    // --no-config: defaults (ALM901 is a note).
    const d = spawn(["--format", "json", "--no-config", "--select", "ALM901"], dir);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.out).diagnostics.map((x: { code: string }) => x.code)).toEqual(["ALM901"]);
    // --config picks another file.
    writeFileSync(path.join(dir, "strict.toml"), `select = ["ALM901"]\nseverity = { ALM901 = "warning" }\n`);
    expect(spawn(["--format", "json", "--config", "strict.toml"], dir).code).toBe(1);
  });

  it("bad config: exit 2, one line naming file and key, never a stack trace", () => {
    const dir = alembicProject({ ".alembic-lint.toml": `dialect = "postgres"\n` });
    const r = spawn([], dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe('alembic-lint: .alembic-lint.toml: dialect: expected one of "postgresql", "mysql", "sqlite", "mssql", "oracle", got string "postgres"\n');
  });

  it("--config and --no-config together: exit 2", () => {
    const r = spawn(["--config", "x.toml", "--no-config"], alembicProject());
    expect(r.code).toBe(2);
    expect(r.err).toBe("alembic-lint: --config and --no-config cannot be used together\n");
  });
});
