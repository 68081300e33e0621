// End to end: spawn the built CLI (dist/, built by `npm test`) as a user would.
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const CLI = path.join(ROOT, "dist", "bin", "cli.js");

function run(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempTree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-cli-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const CLEAN = `"""add email

Revision ID: aaaa00000001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "aaaa00000001"
down_revision = None


def upgrade():
    op.create_table("user", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("user")
`;

const BROKEN = `revision = "bbbb00000002"
down_revision = "aaaa00000001"

def upgrade():
    op.add_column("user", sa.Column("email", sa.String(255))

def downgrade():
    op.drop_column("user", "email")
`;

describe("cli", () => {
  it("prints its version and help", () => {
    expect(run(["--version"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^alembic-lint \d+\.\d+\.\d+\n$/) });
    const help = run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Exit codes: 0 no failing findings, 1 failing findings, 2 usage, config or internal error.");
  });

  it("exits 2 with one line and no stack trace on bad usage", () => {
    for (const args of [["--bogus"], ["--format", "xml", "."], ["no/such/path"], ["explain", "ALM999"], ["--select", "ALM9999", "."], ["--severity", "ALM900", "."]]) {
      const r = run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr).toMatch(/^alembic-lint: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("exits 0 on a clean tree and 1 when a file does not parse", () => {
    const dir = tempTree({ "migrations/versions/aaaa00000001_user.py": CLEAN });
    expect(run(["migrations/versions"], { cwd: dir })).toMatchObject({ code: 0, stdout: "" });
    writeFileSync(path.join(dir, "migrations/versions/bbbb00000002_email.py"), BROKEN);
    const r = run(["migrations/versions"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ALM900");
    expect(r.stdout).toContain("migrations/versions/bbbb00000002_email.py:5:");
  });

  it("finds versions through alembic.ini and pyproject.toml [tool.alembic]", () => {
    const ini = tempTree({
      "alembic.ini": "[alembic]\nscript_location = %(here)s/db\n",
      "db/env.py": "",
      "db/versions/aaaa00000001_user.py": CLEAN,
      "db/versions/__init__.py": "",
    });
    const r = run(["inspect", ".", "--json"], { cwd: ini });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files.map((f: { path: string }) => f.path)).toEqual(["db/versions/aaaa00000001_user.py"]);
    const py = tempTree({
      "pyproject.toml": '[tool.alembic]\nscript_location = "%(here)s/alembic"\n',
      "alembic/versions/aaaa00000001_user.py": CLEAN,
    });
    expect(JSON.parse(run(["inspect", ".", "--json"], { cwd: py }).stdout).files).toHaveLength(1);
  });

  it("reads all version_locations of a project as one revision graph", () => {
    const child = CLEAN.replace(/aaaa00000001/g, "cccc00000003").replace("down_revision = None", 'down_revision = "aaaa00000001"').replace('"user"', '"audit"');
    const dir = tempTree({
      "alembic.ini": "[alembic]\nscript_location = %(here)s/db\nversion_locations = %(here)s/db/core %(here)s/db/plugin\n",
      "db/core/aaaa00000001_user.py": CLEAN,
      "db/plugin/cccc00000003_audit.py": child,
    });
    const r = run([".", "--select", "ALM001,ALM002,ALM008", "--format", "json"], { cwd: dir });
    expect(JSON.parse(r.stdout).diagnostics).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("inspect --json follows the contract", () => {
    const r = run(["inspect", "fixtures/_model/batch_mode.py", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const f = doc.files[0];
    expect(Object.keys(f)).toEqual(["path", "revision", "down_revision", "branch_labels", "depends_on", "header", "sections"]);
    expect(f).toMatchObject({ path: "fixtures/_model/batch_mode.py", revision: "a1b2c3d4e5f6", down_revision: ["0f3b2c1a9d8e"], branch_labels: [], depends_on: [] });
    expect(f.sections.upgrade.ops[0]).toEqual({
      op: "add_column", line: 22, column: 9, batch: true, table: "account", schema: null,
      args: { column: { expr: "sa.Column('vat_number', sa.String(length=32), nullable=True)" } },
    });
    expect(f.sections.downgrade.line).toBe(33);
  });

  it("lists and explains rules from their metadata", () => {
    const list = JSON.parse(run(["rules", "--json"]).stdout) as { code: string; helpUri: string }[];
    expect(list.find((r) => r.code === "ALM900")).toMatchObject({ code: "ALM900", helpUri: expect.stringContaining("#alm900-parse-error") });
    const explain = run(["explain", "partial-analysis"]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/^ALM901 partial-analysis/);
  });

  it("writes --format json to --output-file atomically and prints nothing", () => {
    const dir = tempTree({ "versions/aaaa00000001_user.py": CLEAN, "versions/bbbb00000002_email.py": BROKEN });
    const r = run(["versions", "--format", "json", "-o", "out.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const doc = JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8"));
    expect(doc.diagnostics.map((d: { code: string; line: number }) => [d.code, d.line])).toContainEqual(["ALM900", 5]);
  });

  it("skips binary files with a note and reports undecodable ones as ALM900", () => {
    const dir = tempTree({ "versions/aaaa00000001_user.py": CLEAN });
    writeFileSync(path.join(dir, "versions/blob.py"), Buffer.from([0x00, 0x01, 0x02]));
    writeFileSync(path.join(dir, "versions/latin.py"), Buffer.concat([Buffer.from('revision = "cccc"\ndown_revision = None\n# caf'), Buffer.from([0xe9]), Buffer.from("\n")]));
    const r = run(["versions"], { cwd: dir });
    expect(r.stderr).toContain("skipped versions/blob.py: binary file");
    expect(r.stdout).toContain("not valid utf-8");
    expect(r.code).toBe(1);
    writeFileSync(path.join(dir, "versions/latin.py"), Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nrevision = "cccc"\ndown_revision = None\n# caf'), Buffer.from([0xe9]), Buffer.from("\n")]));
    expect(run(["versions/latin.py"], { cwd: dir }).stdout).not.toContain("ALM900");
  });
});

describe("every command runs from the shipped bundle (dist/bin)", () => {
  const shop = path.join(ROOT, "examples", "shop");

  it("graph --json", () => {
    const r = run(["graph", "--json"], { cwd: shop });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty("trees");
  });

  it("plan", () => {
    const r = run(["plan", "--from", "3e4f5a6b7c8d", "--to", "5a6b7c8d9e0f"], { cwd: shop });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("upgrade from 3e4f5a6b7c8d to 5a6b7c8d9e0f: 2 migrations");
  });

  it("rules, explain and inspect", () => {
    expect(run(["rules"]).code).toBe(0);
    expect(run(["explain", "ALM302"]).stdout).toContain("ALM302 drop-column");
    const r = run(["inspect", "--json", path.join(shop, "migrations", "versions", "2024_04_19_0900-4f5a6b7c8d9e_drop_legacy_fax.py")]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty("files");
  });
});

describe("a versions directory whose files sit in subdirectories", () => {
  it("reads them (keystone's <release>/expand|contract layout), as recursive_version_locations does", () => {
    const dir = tempTree({ "migrations/versions/2024.01/expand/aaaa00000001_user.py": CLEAN });
    const r = run(["check", path.join(dir, "migrations", "versions"), "--format", "json", "--exit-zero"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.files).toBe(1);
  });
});
