// The GitHub Action's logic (scripts/action/run.mjs) run locally, the way action.yml
// runs it: inputs as INPUT_* variables, a fake GITHUB_OUTPUT and GITHUB_STEP_SUMMARY,
// and the CLI built with tsc (into .build-report-action).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { splitArgs } from "../scripts/action/run.mjs";

const REPO = path.resolve(import.meta.dirname, "..");
const SCRIPT = path.join(REPO, "scripts", "action", "run.mjs");
const CLI = path.join(REPO, ".build-report-action", "src", "cli.js");
let workspace = "";

const FLAGGED =
  '"""index\n\nRevision ID: 0002\nRevises: 0001\n"""\nfrom alembic import op\n\nrevision = "0002"\ndown_revision = "0001"\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("email", sa.String(255))\n\n\ndef downgrade():\n    op.drop_column("account", "email")\n';
const CLEAN =
  '"""create\n\nRevision ID: 0001\nRevises:\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "0001"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("account")\n';

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
  writeFileSync(path.join(workspace, rel), text);
}

function action(inputs: Record<string, string>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-action-run-"));
  const outputFile = path.join(dir, "output");
  const summaryFile = path.join(dir, "summary");
  writeFileSync(outputFile, "");
  const env: NodeJS.ProcessEnv = { ...process.env, ALEMBIC_LINT_CLI: CLI, GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTIONS: "true", CI: "true" };
  for (const k of Object.keys(env)) if (k.startsWith("INPUT_") || k === "NO_COLOR" || k === "FORCE_COLOR") delete env[k];
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase().replace(/-/g, "_")}`] = v;
  const r = spawnSync(process.execPath, [SCRIPT], { cwd: workspace, env, encoding: "utf8" });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs, summary: existsSync(summaryFile) ? readFileSync(summaryFile, "utf8") : "" };
}

describe("splitArgs", () => {
  it("splits like a shell: words, quotes, escapes", () => {
    expect(splitArgs("")).toEqual([]);
    expect(splitArgs("  --select ALL\n--dialect mysql ")).toEqual(["--select", "ALL", "--dialect", "mysql"]);
    expect(splitArgs(`--baseline "my baseline.json" 'a b' c\\ d ""`)).toEqual(["--baseline", "my baseline.json", "a b", "c d", ""]);
    expect(() => splitArgs(`"open`)).toThrow(/unterminated/);
  });
});

describe("action.yml", () => {
  it("maps every input to the script and declares the outputs it writes", () => {
    const yml = readFileSync(path.join(REPO, "action.yml"), "utf8");
    const inputs = [...yml.slice(yml.indexOf("\ninputs:"), yml.indexOf("\noutputs:")).matchAll(/^  ([a-z-]+):$/gm)].map((m) => m[1]);
    expect(inputs).toEqual(["path", "args", "sarif-file", "category", "working-directory", "fail-on-findings", "annotations", "include-suppressed"]);
    for (const i of inputs) expect(yml).toContain(`INPUT_${i!.toUpperCase().replace(/-/g, "_")}: \${{ inputs.${i} }}`);
    for (const o of ["sarif-file", "exit-code", "results"]) expect(yml).toContain(`value: \${{ steps.lint.outputs.${o} }}`);
    expect(yml).toContain("using: composite");
  });
});

describe("action script (scripts/action/run.mjs)", () => {
  beforeAll(() => {
    try {
      execFileSync(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--outDir", ".build-report-action"], { cwd: REPO, stdio: "pipe" });
    } catch {
      // type errors in files under development elsewhere still emit JavaScript
    }
    expect(existsSync(CLI)).toBe(true);
    workspace = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-action-"));
    mkdirSync(path.join(workspace, ".git"));
    write("backend/migrations/versions/0001_create.py", CLEAN);
    write("backend/migrations/versions/0002_broken.py", FLAGGED);
    write("clean/versions/0001_create.py", CLEAN);
  }, 240_000);

  it("findings: writes the SARIF, the outputs and a summary, then fails (exit 1)", () => {
    const r = action({ path: "backend/migrations/versions" });
    expect(r.code).toBe(1);
    const sarifFile = path.join(workspace, "alembic-lint.sarif");
    expect(r.outputs).toEqual({ "sarif-file": sarifFile, "exit-code": "1", results: "1" });
    const log = JSON.parse(readFileSync(sarifFile, "utf8"));
    expect(log.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(["ALM900"]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("backend/migrations/versions/0002_broken.py");
    expect(log.runs[0].automationDetails).toBeUndefined();
    expect(r.stdout).toContain("::group::alembic-lint findings");
    expect(r.stdout).toContain("ALM900"); // the human report in the log
    expect(r.stderr).toMatch(/::error title=alembic-lint::alembic-lint found failing findings/);
    expect(r.summary).toContain("| ALM900 | error | 1 |");
  });

  it("fail-on-findings: false reports without failing; exit-code still says 1", () => {
    const r = action({ path: "backend/migrations/versions", "fail-on-findings": "false", "sarif-file": "out/lint.sarif" });
    expect(r.code).toBe(0);
    expect(r.outputs["exit-code"]).toBe("1");
    expect(r.outputs["sarif-file"]).toBe(path.join(workspace, "out", "lint.sarif"));
    expect(existsSync(path.join(workspace, "out", "lint.sarif"))).toBe(true); // the directory is created
  });

  it("clean tree: exit 0, zero results, SARIF with an empty results array", () => {
    const r = action({ path: "clean/versions", "sarif-file": "clean.sarif" });
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ "sarif-file": path.join(workspace, "clean.sarif"), "exit-code": "0", results: "0" });
    expect(JSON.parse(readFileSync(path.join(workspace, "clean.sarif"), "utf8")).runs[0].results).toEqual([]);
    expect(r.summary).toContain("No findings.");
  });

  it("category, args and annotations; working-directory keeps repo-relative paths", () => {
    const r = action({ path: "migrations/versions", "working-directory": "backend", category: "backend", args: "--select ALM9 --ignore ALM902", annotations: "true", "fail-on-findings": "false" });
    expect(r.code).toBe(0);
    const sarifFile = path.join(workspace, "backend", "alembic-lint.sarif");
    const log = JSON.parse(readFileSync(sarifFile, "utf8"));
    expect(log.runs[0].automationDetails).toEqual({ id: "backend/" });
    expect(log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(["ALM900", "ALM901"]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("backend/migrations/versions/0002_broken.py");
    expect(r.stdout).toMatch(/^::error file=backend\/migrations\/versions\/0002_broken.py,line=\d+,/m);
  });

  it("results suppressed in the source are left out of the SARIF unless include-suppressed: true", () => {
    // ALM901 (partial analysis: an imported helper) suppressed with a reason.
    write(
      "suppressed/versions/0001_x.py",
      '"""x\n\nRevision ID: 0001\nRevises:\n"""\nfrom alembic import op\nfrom myapp.db.helpers import add_audit_columns\n\nrevision = "0001"\ndown_revision = None\n\n\ndef upgrade():\n    add_audit_columns("account")  # alembic-lint: ignore[ALM901] known\n\n\ndef downgrade():\n    op.drop_column("account", "created_at")\n',
    );
    const dropped = action({ path: "suppressed/versions", "sarif-file": "s1.sarif" });
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toContain("left 1 result(s) suppressed in the source out of");
    expect(JSON.parse(readFileSync(path.join(workspace, "s1.sarif"), "utf8")).runs[0].results).toEqual([]);
    const kept = action({ path: "suppressed/versions", "sarif-file": "s2.sarif", "include-suppressed": "true" });
    const results = JSON.parse(readFileSync(path.join(workspace, "s2.sarif"), "utf8")).runs[0].results;
    expect(results.map((r: { suppressions: unknown }) => r.suppressions)).toEqual([[{ kind: "inSource", justification: "known" }]]);
    expect(kept.outputs.results).toBe("0"); // the output counts unsuppressed results
  });

  it("alembic-lint cannot run (bad option): exit 2, no SARIF output", () => {
    const r = action({ path: "clean/versions", args: "--no-such-option", "sarif-file": "bad.sarif" });
    expect(r.code).toBe(2);
    expect(r.outputs).toEqual({ "sarif-file": "", "exit-code": "2", results: "0" });
    expect(existsSync(path.join(workspace, "bad.sarif"))).toBe(false);
    expect(r.stderr).toContain("no SARIF file was written");
  });

  it("bad boolean input: exit 2 with a clear message", () => {
    const r = action({ "fail-on-findings": "maybe" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad action input: expected true or false, got "maybe"');
  });
});
