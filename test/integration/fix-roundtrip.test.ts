// Ground truth for --fix: the downgrade it writes must really undo the upgrade.
// For every fixtures/_fix/<case>/ whose case.json says `"roundtrip": true`, before.py is
// fixed with --fix's own code path (lint → runFix → write), then the round-trip driver of the
// reversibility tests (test/integration/roundtrip.py, used as is) runs it with real Alembic on
// SQLite after fixtures/_fix/base.py: upgrade, downgrade -1, upgrade again, and compares the
// schema before and after. Cases marked `"roundtrip": "multidb"` (Alembic's multidb template,
// with their own base.py) run with fix-roundtrip.py instead: the same steps on two databases.
// Needs python3 with alembic and sqlalchemy: missing them is a failure.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lintPaths } from "../../src/lint.js";
import { runFix } from "../../src/fix/index.js";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const CASES = path.join(ROOT, "fixtures", "_fix");
const DRIVER = path.join(import.meta.dirname, "roundtrip.py");
const MULTIDB_DRIVER = path.join(import.meta.dirname, "fix-roundtrip.py");
const PYTHON = process.env.PYTHON ?? "python3";

const tmp = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-fix-roundtrip-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface DriverResult {
  roundtrip: boolean;
  before?: unknown;
  after_downgrade?: unknown;
  upgrade_error?: string;
  downgrade_error?: string | null;
  reupgrade_error?: string | null;
  fatal?: string;
}

function runDriver(driver: string, caseDir: string, work: string): DriverResult {
  const r = spawnSync(PYTHON, [driver, caseDir, work], { encoding: "utf8", timeout: 120_000 });
  if (r.error) throw new Error(`cannot run ${PYTHON}: ${r.error.message} (python3 with alembic and sqlalchemy is required: pip install alembic sqlalchemy)`);
  const out = r.stdout.trim().split("\n").pop() ?? "";
  let parsed: DriverResult;
  try {
    parsed = JSON.parse(out) as DriverResult;
  } catch {
    throw new Error(`${path.basename(driver)} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  if (parsed.fatal) throw new Error(`${path.basename(driver)}: ${parsed.fatal}`);
  return parsed;
}

const mode = (d: string) => (JSON.parse(readFileSync(path.join(CASES, d, "case.json"), "utf8")) as { roundtrip?: boolean | "multidb" }).roundtrip;
const cases = readdirSync(CASES)
  .filter((d) => statSync(path.join(CASES, d)).isDirectory())
  .filter((d) => mode(d) === true || mode(d) === "multidb")
  .sort();

describe("--fix round trip (real Alembic, SQLite)", () => {
  it("has python3 with alembic and sqlalchemy", () => {
    const r = spawnSync(PYTHON, ["-c", "import alembic, sqlalchemy; print(alembic.__version__, sqlalchemy.__version__)"], { encoding: "utf8" });
    expect(r.error, `cannot run ${PYTHON}`).toBeUndefined();
    expect(r.status, `alembic/sqlalchemy missing for ${PYTHON}: pip install alembic sqlalchemy\n${r.stderr}`).toBe(0);
  });

  it("has round-trip cases for ALM101, ALM102 and ALM104 fixes, multi-db included", () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    expect(cases.some((c) => mode(c) === "multidb")).toBe(true);
  });

  for (const name of cases) {
    it(name, async () => {
      const caseDir = path.join(tmp, name);
      mkdirSync(caseDir, { recursive: true });
      const multidb = mode(name) === "multidb";
      copyFileSync(multidb ? path.join(CASES, name, "base.py") : path.join(CASES, "base.py"), path.join(caseDir, "base.py"));
      const target = path.join(caseDir, "target.py");
      copyFileSync(path.join(CASES, name, "before.py"), target);

      const before = await lintPaths([target], { select: ["ALM1"], cwd: caseDir });
      expect(before.diagnostics.some((d) => ["ALM101", "ALM102", "ALM104"].includes(d.code))).toBe(true);
      const outcome = await runFix(before, { write: true });
      expect(outcome.files.length, `nothing fixed in ${name}: ${JSON.stringify(outcome.refused)}`).toBe(1);
      const after = await lintPaths([target], { select: ["ALM1"], cwd: caseDir });
      expect(after.diagnostics.filter((d) => d.code.startsWith("ALM10")).map((d) => `${d.span.line} ${d.code} ${d.message}`)).toEqual([]);

      // The unfixed revision does not round-trip: the fix is what makes the difference.
      const unfixedDir = path.join(tmp, `${name}-unfixed`);
      mkdirSync(unfixedDir, { recursive: true });
      copyFileSync(path.join(caseDir, "base.py"), path.join(unfixedDir, "base.py"));
      copyFileSync(path.join(CASES, name, "before.py"), path.join(unfixedDir, "target.py"));
      expect(runDriver(multidb ? MULTIDB_DRIVER : DRIVER, unfixedDir, path.join(tmp, `${name}-unfixed-work`)).roundtrip, "before.py already round-trips").toBe(false);

      const result = runDriver(multidb ? MULTIDB_DRIVER : DRIVER, caseDir, path.join(tmp, `${name}-work`));
      expect(result.upgrade_error, "the fixed revision must upgrade").toBeUndefined();
      const detail = JSON.stringify({ downgrade_error: result.downgrade_error, reupgrade_error: result.reupgrade_error, before: result.before, after_downgrade: result.after_downgrade }, null, 1);
      expect(result.roundtrip, `the written downgrade does not restore the schema:\n${readFileSync(target, "latin1")}\n${detail}`).toBe(true);
    });
  }
});
