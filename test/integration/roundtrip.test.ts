// Ground truth for the reversibility rules: real Alembic on SQLite.
// For every case under fixtures/_roundtrip/<case>/ (base.py creates tables, target.py is
// the revision under test), roundtrip.py runs `upgrade <base>`, `upgrade head`,
// `downgrade -1` and `upgrade head` again, and compares SQLAlchemy inspections of the
// schema before and after. The linter must agree with what actually happened:
//  - no ALM101-ALM106 finding on target.py  → the revision must round-trip;
//  - an ALM104/ALM106 finding               → it must not (different schema, or a failing
//                                               downgrade / re-upgrade).
// case.json states the findings the case is written to produce, so the cases cannot
// drift silently. Needs python3 with alembic and sqlalchemy: missing them is a failure.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lintSources } from "../../src/index.js";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const CASES = path.join(ROOT, "fixtures", "_roundtrip");
const DRIVER = path.join(import.meta.dirname, "roundtrip.py");
const PYTHON = process.env.PYTHON ?? "python3";
const REVERSIBILITY = ["ALM101", "ALM102", "ALM103", "ALM104", "ALM105", "ALM106"];

const tmp = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-roundtrip-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface DriverResult {
  case: string;
  roundtrip: boolean;
  before?: unknown;
  after_upgrade?: unknown;
  after_downgrade?: unknown;
  upgrade_error?: string;
  downgrade_error?: string | null;
  reupgrade_error?: string | null;
  fatal?: string;
}

function runDriver(caseDir: string): DriverResult {
  const work = path.join(tmp, path.basename(caseDir));
  const r = spawnSync(PYTHON, [DRIVER, caseDir, work], { encoding: "utf8", timeout: 120_000 });
  if (r.error) throw new Error(`cannot run ${PYTHON}: ${r.error.message} (python3 with alembic and sqlalchemy is required: pip install alembic sqlalchemy)`);
  const out = r.stdout.trim().split("\n").pop() ?? "";
  let parsed: DriverResult;
  try {
    parsed = JSON.parse(out) as DriverResult;
  } catch {
    throw new Error(`roundtrip.py failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  if (parsed.fatal) throw new Error(`roundtrip.py: ${parsed.fatal}`);
  return parsed;
}

const cases = existsSync(CASES) ? readdirSync(CASES).filter((d) => statSync(path.join(CASES, d)).isDirectory()).sort() : [];

describe("reversibility ground truth (real Alembic, SQLite)", () => {
  it("has python3 with alembic and sqlalchemy", () => {
    const r = spawnSync(PYTHON, ["-c", "import alembic, sqlalchemy; print(alembic.__version__, sqlalchemy.__version__)"], { encoding: "utf8" });
    expect(r.error, `cannot run ${PYTHON}`).toBeUndefined();
    expect(r.status, `alembic/sqlalchemy missing for ${PYTHON}: pip install alembic sqlalchemy\n${r.stderr}`).toBe(0);
  });

  it("has at least 10 cases, both reversible and not", () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const expects = cases.map((c) => (JSON.parse(readFileSync(path.join(CASES, c, "case.json"), "utf8")) as { expect: string[] }).expect);
    expect(expects.some((e) => e.length === 0)).toBe(true);
    expect(expects.some((e) => e.length > 0)).toBe(true);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = path.join(CASES, name);
      const spec = JSON.parse(readFileSync(path.join(dir, "case.json"), "utf8")) as { expect: string[]; description?: string };
      const files = ["base.py", "target.py"].map((f) => ({ path: path.join(dir, f), text: readFileSync(path.join(dir, f), "utf8") }));
      const { diagnostics } = await lintSources(files, { select: ["ALM1"] });
      const target = diagnostics.filter((d) => d.path === files[1]!.path && !d.suppressed);
      const codes = [...new Set(target.map((d) => d.code).filter((c) => REVERSIBILITY.includes(c)))].sort();
      const findings = target.map((d) => `${d.span.line} ${d.code} ${d.message}`).join("\n");
      expect(codes, `linter findings on ${name}/target.py:\n${findings}`).toEqual([...spec.expect].sort());
      // The base revision is written to be clean.
      expect(diagnostics.filter((d) => d.path === files[0]!.path && REVERSIBILITY.includes(d.code))).toEqual([]);

      const result = runDriver(dir);
      expect(result.upgrade_error, "the revision under test must upgrade").toBeUndefined();
      const detail = JSON.stringify(
        { downgrade_error: result.downgrade_error, reupgrade_error: result.reupgrade_error, before: result.before, after_downgrade: result.after_downgrade },
        null,
        1,
      );
      if (codes.length === 0) {
        expect(result.roundtrip, `linter says reversible, Alembic disagrees:\n${detail}`).toBe(true);
      }
      if (codes.includes("ALM104") || codes.includes("ALM106")) {
        expect(result.roundtrip, `linter says not reversible (${codes.join(", ")}), but Alembic round-trips:\n${findings}`).toBe(false);
      }
    });
  }
});
