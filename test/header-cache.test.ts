// The header cache (src/header-cache.ts): a partial run reads the other files of the tree
// from it while they are unchanged, and never trusts it after a change.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const CLI = path.resolve(import.meta.dirname, "..", "dist", "bin", "cli.js");
const IDS = ["1a0001", "1a0002", "1a0003", "1a0004", "1a0005", "1a0006"];

function migration(i: number, down: string | null): string {
  return `"""step ${i}\n\nRevision ID: ${IDS[i]}\nRevises: ${down ?? ""}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${IDS[i]}"\ndown_revision = ${down ? `"${down}"` : "None"}\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("c${i}", sa.Integer(), nullable=True))\n\n\ndef downgrade():\n    op.drop_column("account", "c${i}")\n`;
}

let versions = "";
const file = (i: number) => path.join(versions, `${IDS[i]}_step.py`);

function lint(cacheDir: string | null, ...extra: string[]) {
  const env = { ...process.env, NO_COLOR: "1" };
  delete env.ALEMBIC_LINT_CACHE_DIR;
  if (cacheDir) env.ALEMBIC_LINT_CACHE_DIR = cacheDir;
  const r = spawnSync(process.execPath, [CLI, file(5), "--format", "json", ...extra], { encoding: "utf8", env, cwd: versions });
  expect(r.stderr).toBe("");
  return { code: r.status, report: JSON.parse(r.stdout) as { diagnostics: { code: string; path: string; message: string }[] } };
}

const cacheFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".json")) : []);

describe("header cache", () => {
  beforeAll(async () => {
    versions = path.join(mkdtempSync(path.join(os.tmpdir(), "alembic-lint-cache-")), "versions");
    mkdirSync(versions);
    IDS.forEach((_, i) => writeFileSync(file(i), migration(i, i ? IDS[i - 1]! : null)));
    // Files changed in the last 1.5 s are never stored ("racy", as in Git).
    await new Promise((r) => setTimeout(r, 1700));
  });

  it("stores the other files, reuses them, and gives the same findings as a run without it", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-cache-dir-"));
    const plain = lint(null, "--no-cache");
    const first = lint(dir);
    expect(cacheFiles(dir)).toHaveLength(1);
    const stored = JSON.parse(readFileSync(path.join(dir, cacheFiles(dir)[0]!), "utf8"));
    expect(Object.keys(stored.entries).sort()).toEqual([0, 1, 2, 3, 4].map((i) => path.join(versions, `${IDS[i]}_step.py`)).map((f) => realpathSync(f)).sort());
    const second = lint(dir);
    expect(first).toEqual(plain);
    expect(second).toEqual(plain);
  });

  it("is really read: a doctored entry shows (and an edit of the file replaces it)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-cache-dir-"));
    lint(dir);
    const name = path.join(dir, cacheFiles(dir)[0]!);
    const data = JSON.parse(readFileSync(name, "utf8"));
    const key = Object.keys(data.entries).find((k) => k.includes(IDS[2]!))!;
    data.entries[key].header.downRevision.value = [IDS[0]]; // 1a0003 now claims 1a0001 as parent: a fork
    writeFileSync(name, JSON.stringify(data));
    expect(lint(dir).report.diagnostics.map((d) => d.code)).toContain("ALM001");
    expect(lint(dir, "--no-cache").report.diagnostics.map((d) => d.code)).not.toContain("ALM001");
    // Rewriting the file (same text, same size) changes its ctime: the doctored entry is dropped.
    writeFileSync(file(2), readFileSync(file(2), "utf8"));
    expect(lint(dir).report.diagnostics.map((d) => d.code)).not.toContain("ALM001");
  });

  it("sees an edit of the same size at once", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-cache-dir-"));
    expect(lint(dir).report.diagnostics.map((d) => d.code)).not.toContain("ALM001");
    const before = readFileSync(file(3), "utf8");
    const forked = before.replace(`down_revision = "${IDS[2]}"`, `down_revision = "${IDS[1]}"`).replace(`Revises: ${IDS[2]}`, `Revises: ${IDS[1]}`);
    expect(forked.length).toBe(before.length);
    writeFileSync(file(3), forked);
    try {
      expect(lint(dir).report.diagnostics.map((d) => d.code)).toContain("ALM001");
    } finally {
      writeFileSync(file(3), before);
    }
    expect(lint(dir).report.diagnostics.map((d) => d.code)).not.toContain("ALM001");
  });

  it("ignores a corrupt or unwritable cache, and --no-cache writes none", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-cache-dir-"));
    const plain = lint(null, "--no-cache");
    lint(dir);
    const name = path.join(dir, cacheFiles(dir)[0]!);
    writeFileSync(name, "{ not json");
    expect(lint(dir)).toEqual(plain);
    const blocked = path.join(dir, "a-file");
    writeFileSync(blocked, "");
    expect(lint(path.join(blocked, "cache"))).toEqual(plain);
    const unused = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-cache-dir-"));
    lint(unused, "--no-cache");
    expect(cacheFiles(unused)).toHaveLength(0);
  });
});
