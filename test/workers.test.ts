// The worker pool must not change results: the built CLI (dist/, built by `npm test`)
// lints generated trees with --jobs 1 (this thread) and --jobs 2 (the pool, forced on
// for small inputs with ALEMBIC_LINT_POOL_MIN_FILES) and the reports must be identical.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeCorpus } from "./bench/corpus.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const CLI = process.env.ALEMBIC_LINT_CLI ?? path.join(ROOT, "dist", "bin", "cli.js");

function run(args: string[], env: Record<string, string> = {}, cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ALEMBIC_LINT_TRACE_POOL: "1", ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SUPPRESSED = `"""suppressed

Revision ID: ffff00000001
Revises: 10000000f75b
"""
from alembic import op
import sqlalchemy as sa

revision = "ffff00000001"
down_revision = "10000000f75b"


def upgrade():
    op.drop_column("account", "email")  # alembic-lint: ignore[ALM302] -- reason given


def downgrade():
    pass
`;

const BROKEN = `"""broken

Revision ID: ffff00000002
Revises: ffff00000001
"""
from alembic import op

revision = "ffff00000002"
down_revision = "ffff00000001"


def upgrade(:
    op.add_column("t", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t", "c")
`;

const UNREVERSED = `"""unreversed

Revision ID: ffff00000005
Revises: ffff00000002
"""
from alembic import op
import sqlalchemy as sa

revision = "ffff00000005"
down_revision = "ffff00000002"


def upgrade():
    op.add_column("account", sa.Column("nickname", sa.String(length=40), nullable=True))
    op.create_index("ix_account_nickname", "account", ["nickname"])


def downgrade():
    op.drop_index("ix_account_nickname", table_name="account")
`;

let dir: string;
let versions: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-workers-"));
  versions = writeCorpus(dir, 120, 7);
  // Files the pool must handle like this thread does: findings, a suppression, a syntax
  // error, undecodable bytes, a binary file, a second head.
  writeFileSync(path.join(versions, "ffff00000001_suppressed.py"), SUPPRESSED);
  writeFileSync(path.join(versions, "ffff00000002_broken.py"), BROKEN);
  writeFileSync(path.join(versions, "ffff00000003_latin1.py"), Buffer.concat([Buffer.from('revision = "ffff00000003"\ndown_revision = None\n# caf'), Buffer.from([0xe9, 0x0a])]));
  writeFileSync(path.join(versions, "ffff00000004_binary.py"), Buffer.from([0x00, 0x01, 0x02]));
  writeFileSync(path.join(versions, "ffff00000005_unreversed.py"), UNREVERSED);
});

function same(args: string[], opts: { pool?: boolean } = {}) {
  const one = run([...args, "--jobs", "1"]);
  const two = run([...args, "--jobs", "2"], { ALEMBIC_LINT_POOL_MIN_FILES: "1" });
  expect(one.stderr).not.toMatch(/internal error/);
  expect(one.stderr).not.toMatch(/pool:/);
  if (opts.pool !== false) expect(two.stderr).toMatch(/pool: 2 threads \(1 workers\)/);
  expect(two.code).toBe(one.code);
  expect(two.stdout).toBe(one.stdout);
  expect(two.stderr.replace(/^alembic-lint: pool:.*\n/m, "")).toBe(one.stderr);
  return one;
}

describe("worker pool", () => {
  it("JSON output is identical with and without workers (default rules)", () => {
    const r = same(["check", versions, "--format", "json"]);
    const report = JSON.parse(r.stdout) as { diagnostics: { code: string; suppressed?: unknown }[] };
    expect(report.diagnostics.length).toBeGreaterThan(100);
    expect(report.diagnostics.some((d) => d.code === "ALM900")).toBe(true);
    expect(report.diagnostics.some((d) => d.suppressed)).toBe(true);
  });

  it("identical with every rule selected", () => {
    same(["check", versions, "--format", "json", "--select", "ALL"]);
  });

  it("identical SARIF (fixes included) for a few changed files in a larger tree", () => {
    const some = readdirSync(versions).sort().filter((f, i) => i % 9 === 0 || f.startsWith("ffff")).map((f) => path.join(versions, f));
    expect(some.length).toBeGreaterThan(10);
    const r = same(["check", ...some, "--format", "sarif"]);
    expect(r.stdout).toMatch(/"fixes"/);
  });

  it("lintPaths gives the same models (function bodies included) and findings with and without workers and deferral", () => {
    const lint = path.join(ROOT, "dist", "src", "lint.js"); // the library API
    const script = `
      const { lintPaths } = await import(${JSON.stringify(lint)});
      const dump = async (jobs, poolMinFiles) => {
        const r = await lintPaths([${JSON.stringify(versions)}], { jobs, poolMinFiles, select: ["ALL"] });
        return JSON.stringify({ files: r.files, diagnostics: r.diagnostics, internalErrors: r.internalErrors, skipped: r.skipped, migrations: [...r.migrations] });
      };
      const plain = await dump(1, 1e9);
      const one = await dump(1, 1);
      const two = await dump(2, 1);
      process.stdout.write(one === two && one === plain ? "same " + one.length : "different");
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", maxBuffer: 1 << 28 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^same \d{6,}/);
  });

  it("stays in this thread below the threshold", () => {
    const r = run(["check", path.join(versions, readdirSync(versions).sort()[3]!), "--format", "json", "--jobs", "2"]);
    expect(r.stderr).not.toMatch(/pool:/);
  });

  it("rejects a bad --jobs", () => {
    const r = run(["check", versions, "--jobs", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jobs expects/);
  });
});

describe("pool threshold", () => {
  it("falls with the number of threads, from 7,000 files on two cores (measured break-even)", async () => {
    const { defaultPoolMinFiles, poolSize } = await import("../src/engine/pool.js");
    expect(defaultPoolMinFiles(1)).toBe(7000);
    expect(defaultPoolMinFiles(2)).toBe(7000);
    expect(defaultPoolMinFiles(4)).toBe(3500);
    expect(defaultPoolMinFiles(8)).toBe(1750);
    expect(poolSize(6999, { jobs: 2, poolMinFiles: 7000 })).toBe(0);
    expect(poolSize(7000, { jobs: 2, poolMinFiles: 7000 })).toBe(2);
    expect(poolSize(7000, { jobs: 1, poolMinFiles: 7000 })).toBe(1); // one worker checks, this thread collects
  });
});
