// Baseline: keys that survive line shifts and renames, counts, merging on refresh, file
// format and errors, and the end-to-end adoption scenario (in process and spawned).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { readBaseline, serialize, type Baseline } from "../src/engine/baseline.js";
import { allRules } from "../src/engine/registry.js";
import { defineRule } from "../src/engine/rule.js";
import { asString } from "../src/model.js";

// A test-only rule (this file's own module graph): every drop_column in upgrade().
const dropRule = defineRule({
  meta: {
    code: "ALM998",
    name: "test-drop-column",
    severity: "error",
    category: "data-loss",
    docs: { summary: "test", rationale: "test" },
    messages: { drop: (a: { table: string; column: string }) => `drop of ${a.table}.${a.column}` },
  },
  check(m, ctx) {
    for (const s of m.sections) {
      if (s.role !== "upgrade") continue;
      for (const op of s.ops) if (op.name === "drop_column") ctx.report({ at: op, message: "drop", data: { table: op.table ?? "?", column: asString(op.args.column_name) ?? "?" } });
    }
  },
});

// A rule that crashes on revisions named "boom".
const crashRule = defineRule({
  meta: { code: "ALM994", name: "test-crash", severity: "error", category: "tool", docs: { summary: "test", rationale: "test" }, messages: { x: () => "x" } },
  check(m) {
    if (m.header.revision?.value === "boom") throw new Error("boom");
  },
});

let root: string;
beforeAll(() => {
  allRules.push(dropRule as never, crashRule as never);
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), "alembic-lint-baseline-")));
});
afterAll(() => {
  allRules.splice(allRules.indexOf(dropRule as never), 2);
  rmSync(root, { recursive: true, force: true });
});

const migration = (rev: string, down: string | null, upgrade: string[], downgrade: string[] = ["pass"]) =>
  `"""migration ${rev}

Revision ID: ${rev}
Revises: ${down ?? ""}
"""
from alembic import op
import sqlalchemy as sa
from myapp.helpers import audit

revision = "${rev}"
down_revision = ${down ? `"${down}"` : "None"}


def upgrade():
${upgrade.map((l) => `    ${l}`).join("\n")}


def downgrade():
${downgrade.map((l) => `    ${l}`).join("\n")}
`;

let n = 0;
/** An Alembic project (alembic.ini + migrations/versions) with these migration files. */
function project(versions: Record<string, string>, extra: Record<string, string> = {}): string {
  const dir = path.join(root, `p${n++}`);
  const files = { "alembic.ini": "[alembic]\nscript_location = migrations\n", "migrations/env.py": "", ...Object.fromEntries(Object.entries(versions).map(([k, v]) => [`migrations/versions/${k}`, v])), ...extra };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const V = (dir: string, name: string) => path.join(dir, "migrations", "versions", name);

interface Run {
  code: number;
  out: string;
  err: string;
  /** Findings that fail or show, as "file:line CODE". */
  shown: string[];
  hidden: string[];
}

async function run(dir: string, args: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const code = await main(["--format", "json", ...args], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd: dir, env: {}, isTTY: false });
  const doc = out ? (JSON.parse(out) as { diagnostics: { path: string; line: number; code: string; suppressed: { kind: string } | null }[] }) : { diagnostics: [] };
  const fmt = (d: { path: string; line: number; code: string }) => `${path.basename(d.path)}:${d.line} ${d.code}`;
  return {
    code,
    out,
    err,
    shown: doc.diagnostics.filter((d) => !d.suppressed).map(fmt),
    hidden: doc.diagnostics.filter((d) => d.suppressed?.kind === "baseline").map(fmt),
  };
}

const SEL = ["--select", "ALM998"];

describe("the baseline file", () => {
  it("is sorted, stable JSON with a version field, keyed by revision + code + fingerprint", async () => {
    const dir = project({
      "b2_second.py": migration("b2", "a1", [`op.drop_column("t", "y")`]),
      "a1_first.py": migration("a1", null, [`op.drop_column("t", "x")`, `op.drop_column("s", "x")`]),
    });
    const r = await run(dir, [...SEL, "--write-baseline", "baseline.json"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("alembic-lint: wrote baseline.json: 3 findings in 3 entries\n");
    const text = readFileSync(path.join(dir, "baseline.json"), "utf8");
    expect(JSON.parse(text)).toEqual({
      version: 1,
      entries: [
        { revision: "a1", path: "migrations/versions/a1_first.py", code: "ALM998", fingerprint: "drop:drop of s.x", count: 1 },
        { revision: "a1", path: "migrations/versions/a1_first.py", code: "ALM998", fingerprint: "drop:drop of t.x", count: 1 },
        { revision: "b2", path: "migrations/versions/b2_second.py", code: "ALM998", fingerprint: "drop:drop of t.y", count: 1 },
      ],
    });
    expect(text.endsWith("}\n")).toBe(true);
    // Writing again changes nothing, byte for byte, and reports no change.
    const again = await run(dir, [...SEL, "--write-baseline", "baseline.json"]);
    expect(again.err).toBe("alembic-lint: wrote baseline.json: 3 findings in 3 entries (0 added, 0 dropped)\n");
    expect(readFileSync(path.join(dir, "baseline.json"), "utf8")).toBe(text);
    // No temporary file is left behind.
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("serialize/readBaseline round-trip", () => {
    const b: Baseline = { version: 1, entries: [{ revision: null, path: "v/x.py", code: "ALM005", fingerprint: "f", count: 2 }, { revision: "a", path: "v/a.py", code: "ALM001", fingerprint: "g", count: 1 }] };
    const file = path.join(root, "rt.json");
    writeFileSync(file, serialize(b));
    expect(readBaseline(file, "rt.json").entries).toEqual([b.entries[1], b.entries[0]]);
  });

  const bad: [string, string, RegExp][] = [
    ["not JSON", "{", /^alembic-lint: bad\.json: not a valid baseline file: /],
    ["not an object", "[]", /^alembic-lint: bad\.json: not a valid baseline file: expected a JSON object \(write a new one with --write-baseline\)\n$/],
    ["another version", `{"version": 9, "entries": []}`, /^alembic-lint: bad\.json: unsupported baseline version 9 \(this alembic-lint reads and writes version 1\)\n$/],
    ["no version", `{"entries": []}`, /^alembic-lint: bad\.json: not a valid baseline file: no "version": 1/],
    ["no entries", `{"version": 1}`, /^alembic-lint: bad\.json: not a valid baseline file: no "entries" list/],
    ["bad entry", `{"version": 1, "entries": [{"revision": "a", "path": "x", "code": "ALM998", "fingerprint": 3}]}`, /entries\[0\]\.fingerprint must be a string/],
    ["bad count", `{"version": 1, "entries": [{"revision": "a", "path": "x", "code": "ALM998", "fingerprint": "f", "count": 0}]}`, /entries\[0\]\.count must be a positive integer/],
  ];
  for (const [what, text, message] of bad) {
    it(`a broken baseline file (${what}) ends with exit 2 and names the file`, async () => {
      const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`]) }, { "bad.json": text });
      const r = await run(dir, [...SEL, "--baseline", "bad.json"]);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(message);
    });
  }

  it("a missing --baseline file: exit 2", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`]) });
    const r = await run(dir, [...SEL, "--baseline", "nope.json"]);
    expect([r.code, r.err]).toEqual([2, "alembic-lint: nope.json: baseline file not found (create it with --write-baseline nope.json)\n"]);
  });

  it("a missing baseline named in the config: exit 2 naming the config file and key", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`]) }, { "pyproject.toml": `[tool.alembic-lint]\nbaseline = "lint/baseline.json"\n` });
    const r = await run(dir, SEL);
    expect([r.code, r.err]).toEqual([2, "alembic-lint: lint/baseline.json (pyproject.toml: tool.alembic-lint.baseline): baseline file not found (create it with --write-baseline baseline.json)\n"]);
  });

  it("an unwritable baseline path: exit 2", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`]) });
    const r = await run(dir, [...SEL, "--write-baseline", "no/such/dir/b.json"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^alembic-lint: cannot write .*b\.json: ENOENT\n$/);
  });

  it("is not written when a rule crashed (its findings would be missing)", async () => {
    const dir = project({ "a1.py": migration("boom", null, [`op.drop_column("t", "x")`]) });
    const r = await run(dir, ["--select", "ALM998,ALM994", "--write-baseline", "b.json"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("alembic-lint: not writing b.json: some rules failed with internal errors, so the findings are incomplete\n");
    expect(existsSync(path.join(dir, "b.json"))).toBe(false);
  });

  it("a corrupt old file is replaced on --write-baseline, with a note", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`]) }, { "b.json": "garbage" });
    const r = await run(dir, [...SEL, "--write-baseline", "b.json"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/b\.json: not a valid baseline file: .*; replacing it\nalembic-lint: wrote b\.json: 1 finding in 1 entry\n$/);
  });
});

describe("matching", () => {
  it("counts identical findings: with 2 recorded, a third fails", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`, `op.drop_column("t", "x")`]) });
    await run(dir, [...SEL, "--write-baseline", "b.json"]);
    expect(JSON.parse(readFileSync(path.join(dir, "b.json"), "utf8")).entries[0].count).toBe(2);
    expect((await run(dir, [...SEL, "--baseline", "b.json"])).code).toBe(0);
    writeFileSync(V(dir, "a1.py"), migration("a1", null, [`op.drop_column("t", "x")`, `op.drop_column("t", "x")`, `op.drop_column("t", "x")`]));
    const r = await run(dir, [...SEL, "--baseline", "b.json"]);
    expect(r.code).toBe(1);
    expect(r.hidden).toHaveLength(2);
    expect(r.shown).toEqual(["a1.py:17 ALM998"]);
  });

  it("survives line shifts, edits elsewhere in the file and renames (keyed by revision id)", async () => {
    const dir = project({ "a1_old.py": migration("a1", null, [`op.drop_column("t", "x")`]) });
    await run(dir, [...SEL, "--write-baseline", "b.json"]);
    const moved = migration("a1", null, [`# a comment`, `op.add_column("t", sa.Column("z", sa.Text()))`, ``, `op.drop_column("t", "x")`]).replace("from alembic import op", "from alembic import op\nimport logging\nlog = logging.getLogger(__name__)");
    rmSync(V(dir, "a1_old.py"));
    writeFileSync(V(dir, "a1_renamed.py"), moved);
    const r = await run(dir, [...SEL, "--baseline", "b.json"]);
    expect([r.code, r.shown, r.hidden]).toEqual([0, [], ["a1_renamed.py:20 ALM998"]]);
  });

  it("a message that names another line (ALM201 '... on line N creates it') still matches after a line shift", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.add_column("t", sa.Column("x", sa.Text()))`, `op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True))`], [`op.drop_table("t")`]) });
    const w = await run(dir, ["--select", "ALM201", "--write-baseline", "b.json"]);
    expect(w.err).toContain("1 finding in 1 entry");
    expect(readFileSync(path.join(dir, "b.json"), "utf8")).toContain("on line N creates it");
    writeFileSync(V(dir, "a1.py"), migration("a1", null, [`op.add_column("t", sa.Column("x", sa.Text()))`, `# moved down`, ``, `op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True))`], [`op.drop_table("t")`]));
    const r = await run(dir, ["--select", "ALM201", "--baseline", "b.json"]);
    expect([r.code, r.shown, r.hidden]).toEqual([0, [], ["a1.py:15 ALM201"]]);
  });

  it("graph findings in files not passed (pre-commit mode) are matched by their revision", async () => {
    const dir = project({
      "a1.py": migration("a1", null, [`pass`]),
      "b2.py": migration("b2", "a1", [`pass`]),
      "c3.py": migration("c3", "a1", [`pass`]),
    });
    const w = await run(dir, ["--select", "ALM001", "--write-baseline", "b.json"]);
    expect(w.err).toBe("alembic-lint: wrote b.json: 2 findings in 2 entries\n");
    const r = await run(dir, ["--select", "ALM001", "--baseline", "b.json", "migrations/versions/b2.py"]);
    expect([r.code, r.shown, r.hidden]).toEqual([0, [], ["b2.py:10 ALM001", "c3.py:10 ALM001"]]);
    // A new head changes the finding: it fails.
    writeFileSync(V(dir, "d4.py"), migration("d4", "a1", [`pass`]));
    expect((await run(dir, ["--select", "ALM001", "--baseline", "b.json", "migrations/versions/d4.py"])).code).toBe(1);
  });

  it("the same finding in another revision is new", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`]) });
    await run(dir, [...SEL, "--write-baseline", "b.json"]);
    writeFileSync(V(dir, "b2.py"), migration("b2", "a1", [`op.drop_column("t", "x")`]));
    const r = await run(dir, [...SEL, "--baseline", "b.json"]);
    expect([r.code, r.shown, r.hidden]).toEqual([1, ["b2.py:15 ALM998"], ["a1.py:15 ALM998"]]);
  });

  it("a file without a literal revision id is keyed by its path", async () => {
    const dir = project({ "odd.py": migration("x", null, [`op.drop_column("t", "x")`]).replace(`revision = "x"`, `revision = make_id()`) });
    await run(dir, [...SEL, "--write-baseline", "b.json"]);
    expect(JSON.parse(readFileSync(path.join(dir, "b.json"), "utf8")).entries[0]).toMatchObject({ revision: null, path: "migrations/versions/odd.py" });
    expect((await run(dir, [...SEL, "--baseline", "b.json"])).code).toBe(0);
  });

  it("never records parse errors (ALM900) or findings suppressed in the source", async () => {
    const dir = project({
      "a1.py": migration("a1", null, [`op.drop_column("t", "x")  # alembic-lint: ignore[ALM998] approved`]),
      "b2.py": migration("b2", "a1", [`op.drop_column("t", "x"`]),
    });
    const r = await run(dir, [...SEL, "--write-baseline", "b.json"]);
    expect(JSON.parse(readFileSync(path.join(dir, "b.json"), "utf8")).entries).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.shown.every((s) => s.endsWith("ALM900"))).toBe(true);
  });

  it("says on stderr when recorded findings are gone (without failing)", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`, `op.drop_column("t", "y")`]) });
    await run(dir, [...SEL, "--write-baseline", "b.json"]);
    writeFileSync(V(dir, "a1.py"), migration("a1", null, [`op.drop_column("t", "x")`]));
    const r = await run(dir, [...SEL, "--baseline", "b.json"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("alembic-lint: 1 finding recorded in b.json no longer occurs; refresh it with --write-baseline\n");
    expect((await run(dir, [...SEL, "--baseline", "b.json", "--quiet"])).err).toBe("");
  });
});

describe("refreshing with --write-baseline", () => {
  it("reports added and dropped findings", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`, `op.drop_column("t", "y")`]) });
    await run(dir, [...SEL, "--write-baseline", "b.json"]);
    writeFileSync(V(dir, "a1.py"), migration("a1", null, [`op.drop_column("t", "x")`, `op.drop_column("t", "z")`, `op.drop_column("t", "z")`]));
    const r = await run(dir, [...SEL, "--write-baseline", "b.json"]);
    expect(r.err).toBe("alembic-lint: wrote b.json: 3 findings in 2 entries (2 added, 1 dropped)\n");
    expect(r.code).toBe(0);
  });

  it("in pre-commit mode (some files) keeps the entries of the files not passed", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`]), "b2.py": migration("b2", "a1", [`op.drop_column("t", "y")`]) });
    await run(dir, [...SEL, "--write-baseline", "b.json"]);
    writeFileSync(V(dir, "b2.py"), migration("b2", "a1", [`pass`]));
    const r = await run(dir, [...SEL, "--write-baseline", "b.json", "migrations/versions/b2.py"]);
    expect(r.err).toBe("alembic-lint: wrote b.json: 1 finding in 1 entry (0 added, 1 dropped, 1 kept for files or rules not checked in this run)\n");
    expect(JSON.parse(readFileSync(path.join(dir, "b.json"), "utf8")).entries.map((e: { revision: string }) => e.revision)).toEqual(["a1"]);
  });

  it("records ALM010 findings in scripts by path, and drops them once fixed", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`pass`]) }, { "deploy/stamp.sh": "#!/bin/sh\nalembic stamp 9f8e7d6c5b4a\n", ".alembic-lint.toml": `scripts = ["deploy/*.sh"]\n` });
    const w = await run(dir, ["--select", "ALM010", "--write-baseline", "b.json"]);
    expect(w.err).toBe("alembic-lint: wrote b.json: 1 finding in 1 entry\n");
    expect(JSON.parse(readFileSync(path.join(dir, "b.json"), "utf8")).entries[0]).toMatchObject({ revision: null, path: "deploy/stamp.sh", code: "ALM010" });
    expect((await run(dir, ["--select", "ALM010", "--baseline", "b.json"])).code).toBe(0);
    writeFileSync(path.join(dir, "deploy/stamp.sh"), "#!/bin/sh\nalembic stamp a1\n");
    const r = await run(dir, ["--select", "ALM010", "--write-baseline", "b.json"]);
    expect(r.err).toBe("alembic-lint: wrote b.json: 0 findings in 0 entries (0 added, 1 dropped)\n");
  });

  it("with a narrower --select keeps the entries of the other rules", async () => {
    const dir = project({ "a1.py": migration("a1", null, [`op.drop_column("t", "x")`, `audit("t")`]) }, { ".alembic-lint.toml": `severity = { ALM901 = "error" }\n` });
    await run(dir, ["--select", "ALM998,ALM901", "--write-baseline", "b.json"]);
    const r = await run(dir, ["--select", "ALM998", "--write-baseline", "b.json"]);
    expect(r.err).toContain("(0 added, 0 dropped, 1 kept for files or rules not checked in this run)");
    expect((await run(dir, ["--select", "ALM998,ALM901", "--baseline", "b.json"])).code).toBe(0);
  });
});

describe("adoption, end to end", () => {
  // Legacy history with findings; the config names the baseline (as a team would commit it).
  const legacy = () =>
    project(
      {
        "1a2b3c4d5e6f_create_user.py": migration("1a2b3c4d5e6f", null, [`op.drop_column("user", "legacy")`, `audit("user")`]),
        "2b3c4d5e6f7a_more.py": migration("2b3c4d5e6f7a", "1a2b3c4d5e6f", [`op.drop_column("user", "fax")`, `op.drop_column("user", "fax")`]),
        "3c4d5e6f7a8b_clean.py": migration("3c4d5e6f7a8b", "2b3c4d5e6f7a", [`op.add_column("user", sa.Column("email", sa.Text()))`], [`op.drop_column("user", "email")`]),
      },
      { "pyproject.toml": `[tool.alembic-lint]\nselect = ["ALM998", "ALM901"]\nseverity = { ALM901 = "error" }\nbaseline = "alembic-lint-baseline.json"\n` },
    );

  it("write the baseline → exit 0 → a new defective migration fails alone → edits above old findings stay hidden", async () => {
    const dir = legacy();
    // Before: the config names a baseline that does not exist yet.
    expect((await run(dir, [])).code).toBe(2);
    expect((await run(dir, ["--baseline", "/dev/null/x"])).code).toBe(2);
    // Legacy findings fail without the baseline.
    const before = await run(dir, ["--no-config", "--select", "ALM998,ALM901", "--severity", "ALM901=error"]);
    expect(before.code).toBe(1);
    expect(before.shown.sort()).toEqual(["1a2b3c4d5e6f_create_user.py:15 ALM998", "1a2b3c4d5e6f_create_user.py:16 ALM901", "2b3c4d5e6f7a_more.py:15 ALM998", "2b3c4d5e6f7a_more.py:16 ALM998"].sort());

    // Adopt.
    const w = await run(dir, ["--write-baseline", "alembic-lint-baseline.json"]);
    expect(w.code).toBe(0);
    expect(w.err).toBe("alembic-lint: wrote alembic-lint-baseline.json: 4 findings in 3 entries\n");
    const clean = await run(dir, []);
    expect([clean.code, clean.shown, clean.hidden.length, clean.err]).toEqual([0, [], 4, ""]);

    // A new migration with a defect: only its finding shows, and it fails.
    writeFileSync(V(dir, "4d5e6f7a8b9c_new.py"), migration("4d5e6f7a8b9c", "3c4d5e6f7a8b", [`op.drop_column("user", "email")`], [`op.add_column("user", sa.Column("email", sa.Text()))`]));
    const added = await run(dir, []);
    expect([added.code, added.shown]).toEqual([1, ["4d5e6f7a8b9c_new.py:15 ALM998"]]);

    // The same through the pre-commit file mode (only the new file passed).
    const pre = await run(dir, ["migrations/versions/4d5e6f7a8b9c_new.py"]);
    expect([pre.code, pre.shown]).toEqual([1, ["4d5e6f7a8b9c_new.py:15 ALM998"]]);
    expect((await run(dir, ["migrations/versions/2b3c4d5e6f7a_more.py"])).code).toBe(0);

    // Edit an old file: lines inserted above its findings; they stay hidden.
    const old = V(dir, "1a2b3c4d5e6f_create_user.py");
    writeFileSync(old, readFileSync(old, "utf8").replace("def upgrade():\n", "def upgrade():\n    # Reviewed 2025: kept as is.\n    # See ticket OPS-12.\n\n"));
    const edited = await run(dir, []);
    expect([edited.code, edited.shown]).toEqual([1, ["4d5e6f7a8b9c_new.py:15 ALM998"]]);
    expect(edited.hidden).toContain("1a2b3c4d5e6f_create_user.py:18 ALM998");

    // Fix the new migration: back to green.
    writeFileSync(V(dir, "4d5e6f7a8b9c_new.py"), migration("4d5e6f7a8b9c", "3c4d5e6f7a8b", [`op.add_column("user", sa.Column("phone", sa.Text()))`], [`op.drop_column("user", "phone")`]));
    expect((await run(dir, [])).code).toBe(0);
  });

  // The built CLI: dist/bin/cli.js (built by `npm test`), or ALEMBIC_LINT_CLI.
  const CLI = process.env.ALEMBIC_LINT_CLI ? path.resolve(process.env.ALEMBIC_LINT_CLI) : path.resolve(import.meta.dirname, "..", "dist", "bin", "cli.js");
  const spawn = (dir: string, args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("the same with the built CLI (spawned), with rules that ship", () => {
    expect(existsSync(CLI), `${CLI} not found: run \`npm run build\` or set ALEMBIC_LINT_CLI`).toBe(true);
    const dir = project(
      {
        "1a2b3c4d5e6f_legacy.py": migration("1a2b3c4d5e6f", null, [`audit("user")`]),
        "2b3c4d5e6f7a_legacy.py": migration("2b3c4d5e6f7a", "1a2b3c4d5e6f", [`audit("account")`]),
      },
      { ".alembic-lint.toml": `select = ["ALM901"]\nseverity = { ALM901 = "error" }\n` },
    );
    expect(spawn(dir, []).code).toBe(1);
    const w = spawn(dir, ["--write-baseline", "baseline.json"]);
    expect([w.code, w.err]).toEqual([0, "alembic-lint: wrote baseline.json: 2 findings in 2 entries\n"]);
    expect(spawn(dir, ["--baseline", "baseline.json"]).code).toBe(0);
    // Move an old file and shift its lines: still hidden.
    const a = V(dir, "1a2b3c4d5e6f_legacy.py");
    writeFileSync(a, "# header comment\n\n" + readFileSync(a, "utf8"));
    renameSync(a, V(dir, "1a2b3c4d5e6f_renamed.py"));
    expect(spawn(dir, ["--baseline", "baseline.json"]).code).toBe(0);
    // A new finding fails, and only it is shown.
    writeFileSync(V(dir, "3c4d5e6f7a8b_new.py"), migration("3c4d5e6f7a8b", "2b3c4d5e6f7a", [`audit("invoice")`]));
    const r = spawn(dir, ["--baseline", "baseline.json", "--format", "json"]);
    expect(r.code).toBe(1);
    const shown = (JSON.parse(r.out) as { diagnostics: { path: string; suppressed: unknown }[] }).diagnostics.filter((d) => !d.suppressed).map((d) => d.path);
    expect(shown).toEqual(["migrations/versions/3c4d5e6f7a8b_new.py"]);
    // Pre-commit file mode: only the changed files are passed.
    expect(spawn(dir, ["--baseline", "baseline.json", "migrations/versions/2b3c4d5e6f7a_legacy.py"]).code).toBe(0);
    expect(spawn(dir, ["--baseline", "baseline.json", "migrations/versions/3c4d5e6f7a8b_new.py"]).code).toBe(1);
    // An in-source suppression with a reason in the new file: green.
    const nf = V(dir, "3c4d5e6f7a8b_new.py");
    writeFileSync(nf, readFileSync(nf, "utf8").replace(`audit("invoice")`, `audit("invoice")  # alembic-lint: ignore[ALM901] audit helper reviewed`));
    expect(spawn(dir, ["--baseline", "baseline.json", "migrations/versions/3c4d5e6f7a8b_new.py"]).code).toBe(0);
  });
});
