// Per-file caches (src/analysis/file-cache.ts) and the shared read buffer (src/load.ts):
// both exist for the garbage collector's sake, and both must stay invisible in results.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FileCache, startFileGeneration } from "../src/analysis/file-cache.js";
import { loadMigration } from "../src/load.js";
import { resolveSelection } from "../src/engine/registry.js";
import { runFileRules } from "../src/engine/run.js";

const ROOT = path.resolve(import.meta.dirname, "..");

describe("FileCache", () => {
  it("keeps entries within a file and forgets them when the next file starts", () => {
    const cache = new FileCache<object, number>();
    const a = {};
    cache.set(a, 1);
    expect(cache.get(a)).toBe(1);
    expect(cache.get({})).toBeUndefined();
    startFileGeneration();
    expect(cache.get(a)).toBeUndefined();
    cache.set(a, 2);
    expect(cache.get(a)).toBe(2);
  });

  it("is started afresh by the engine for every file it checks", async () => {
    const cache = new FileCache<object, string>();
    const key = {};
    cache.set(key, "before");
    const loaded = await loadMigration(path.join(ROOT, "examples/shop/migrations/versions", readdirSync(path.join(ROOT, "examples/shop/migrations/versions")).find((f) => f.endsWith(".py"))!), "x.py");
    if (loaded.kind !== "migration") throw new Error("example did not load");
    runFileRules(loaded.migration, { rules: resolveSelection({}), dialect: "postgresql" });
    expect(cache.get(key)).toBeUndefined();
  });

  it("replaces every module-level WeakMap keyed by a file's objects in analyses and rules", () => {
    // A module-level WeakMap's table ends up in V8's old generation, and the scavenger then
    // keeps every entry alive: a file's whole model and analyses got promoted. Only caches
    // keyed by run-wide objects may stay WeakMaps.
    const offenders: string[] = [];
    for (const dir of ["src/analysis", "rules"]) {
      for (const f of readdirSync(path.join(ROOT, dir))) {
        if (!f.endsWith(".ts") || f === "file-cache.ts") continue;
        const text = readFileSync(path.join(ROOT, dir, f), "utf8");
        if (/^(export )?const \w+ = new WeakMap/m.test(text)) offenders.push(`${dir}/${f}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe("reading files through the shared buffer", () => {
  it("reads files larger than the buffer whole, and each read is independent of the next", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-read-"));
    const big = path.join(dir, "b1_big.py");
    const small = path.join(dir, "a1_small.py");
    const rows = Array.from({ length: 6000 }, (_, i) => `    op.execute("UPDATE t SET v = ${i} WHERE id = ${i}")  # é ${i}`).join("\n");
    writeFileSync(big, `revision = "b1"\ndown_revision = "a1"\nfrom alembic import op\n\ndef upgrade():\n${rows}\n\ndef downgrade():\n    pass\n`);
    writeFileSync(small, `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`);
    expect(readFileSync(big).length).toBeGreaterThan(1 << 18);
    const first = await loadMigration(big, "b1_big.py");
    const second = await loadMigration(small, "a1_small.py");
    if (first.kind !== "migration" || second.kind !== "migration") throw new Error("did not load");
    expect(first.migration.source).toBe(readFileSync(big, "utf8"));
    expect(second.migration.source).toBe(readFileSync(small, "utf8"));
    expect(first.migration.header.revision?.value).toEqual("b1");
  });
});
