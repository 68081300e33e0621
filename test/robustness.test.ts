// Inputs a repository really holds: symlink loops, links out of the tree, vanished
// files, directories named like modules, huge files. Clear messages, no crash.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadMigration } from "../src/load.js";
import { rng } from "./bench/corpus.js";
import { mutate, seedSources } from "./fuzz/mutate.js";

const CLI = path.resolve(import.meta.dirname, "..", "dist", "bin", "cli.js");
const REV = (id: string, down: string | null) => `revision = "${id}"\ndown_revision = ${down ? `"${down}"` : "None"}\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`;

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("robustness", () => {
  it("does not follow symlink loops or directory links, and names a looping PATH", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-robust-"));
    mkdirSync(path.join(dir, "versions", "sub"), { recursive: true });
    writeFileSync(path.join(dir, "versions", "a1_init.py"), REV("a1", null));
    symlinkSync(path.join(dir, "versions"), path.join(dir, "versions", "sub", "loop"));
    symlinkSync("self.py", path.join(dir, "versions", "self.py"));
    mkdirSync(path.join(dir, "versions", "dir_named.py"));
    const r = run(["versions"], dir);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect([0, 1]).toContain(r.code);
    const loop = run(["versions/self.py"], dir);
    expect(loop.code).toBe(2);
    expect(loop.stderr).toBe('alembic-lint: path "versions/self.py" is a symbolic link loop\n');
  });

  it("ends every run over hundreds of mutated migrations with exit 0 or 1, valid output and no stack trace", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-mutants-"));
    mkdirSync(path.join(dir, "versions"));
    const random = rng(99);
    const seeds = seedSources(path.resolve(import.meta.dirname, ".."), 10);
    let n = 0;
    for (const seed of seeds) {
      if (n >= 300) break;
      const bytes = random() < 0.1 ? Buffer.from(mutate(seed.text, random), "latin1") : Buffer.from(mutate(mutate(seed.text, random), random));
      writeFileSync(path.join(dir, "versions", `m${String(n++).padStart(4, "0")}_${path.basename(seed.name)}`), bytes);
    }
    for (const format of ["json", "sarif", "friendly", "github"]) {
      const r = run(["versions", "--select", "ALL", "--format", format], dir);
      expect([0, 1], `${format}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      if (format !== "friendly" && format !== "github") expect(() => JSON.parse(r.stdout)).not.toThrow();
    }
  }, 300_000);

  it("reports a file that vanished between listing and reading, and goes on", async () => {
    const loaded = await loadMigration("/nonexistent/versions/gone.py", "versions/gone.py");
    expect(loaded).toMatchObject({ kind: "error", message: "cannot read file: file vanished while reading" });
  });

  it("lints a 10 MB migration within seconds", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-big-"));
    mkdirSync(path.join(dir, "versions"));
    const rows = Array.from({ length: 120_000 }, (_, i) => `        {"id": ${i}, "name": "item number ${i} with a fairly long description"},`).join("\n");
    writeFileSync(path.join(dir, "versions", "b1_seed.py"), `revision = "b1"\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\n\nitems = sa.table("item", sa.column("id"), sa.column("name"))\n\ndef upgrade():\n    op.bulk_insert(items, [\n${rows}\n    ])\n\ndef downgrade():\n    op.execute("DELETE FROM item")\n`);
    const started = Date.now();
    const r = run(["versions", "--format", "json"], dir);
    expect(r.stderr).toBe("");
    expect([0, 1]).toContain(r.code);
    expect(JSON.parse(r.stdout).summary.files).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000); // a hang guard, not a benchmark
  }, 90_000);
});
