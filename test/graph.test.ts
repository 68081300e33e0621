// Unit tests for src/graph.ts (expectations checked against Alembic 1.20's RevisionMap; see
// test/integration/graph-alembic.test.ts for the automated comparison), src/scripts.ts and
// the tree-level behaviour of ALM001-ALM010 (pre-commit mode, scripts, non-literal headers).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseMigration } from "../src/parse/index.js";
import { buildGraph, mayBind, resolveIdent, resolveTarget, splitSequence, topoOrder, type RevisionGraph } from "../src/graph.js";
import { findRevisionTargets, scanScripts, type MigrationSetWithScripts } from "../src/scripts.js";
import { runRules } from "../src/engine/run.js";
import { resolveSelection } from "../src/engine/registry.js";
import type { Migration } from "../src/model.js";
import { branchPointsOf } from "../rules/alm001-multiple-heads.js";

interface Spec {
  rev: string | null;
  down?: string | string[] | null;
  labels?: string[] | string;
  deps?: string[] | string;
  name?: string;
  raw?: string;
}

const py = (v: string | string[] | null | undefined): string =>
  v === null || v === undefined ? "None" : typeof v === "string" ? (v.startsWith("=") ? v.slice(1) : `'${v}'`) : v.length === 0 ? "()" : `(${v.map((x) => (x.startsWith("=") ? x.slice(1) : `'${x}'`)).join(", ")},)`;

function source(s: Spec): string {
  if (s.raw !== undefined) return s.raw;
  return [
    `"""${s.rev}\n\nRevision ID: ${s.rev}\nRevises: ${Array.isArray(s.down) ? s.down.join(", ") : s.down ?? ""}\n"""`,
    "from alembic import op",
    "import sqlalchemy as sa",
    "",
    ...(s.rev === null ? [] : [`revision = ${py(s.rev)}`]),
    `down_revision = ${py(s.down)}`,
    `branch_labels = ${py(s.labels)}`,
    `depends_on = ${py(s.deps)}`,
    "",
    "",
    "def upgrade():",
    "    pass",
    "",
    "",
    "def downgrade():",
    "    pass",
    "",
  ].join("\n");
}

async function migrations(specs: Spec[], dir = "versions"): Promise<Migration[]> {
  const out: Migration[] = [];
  for (const s of specs) {
    const name = s.name ?? `${s.rev}_m.py`;
    const p = `${dir}/${name}`;
    out.push(await parseMigration(source(s), p, path.resolve(p)));
  }
  return out;
}

async function graph(specs: Spec[]): Promise<RevisionGraph> {
  return buildGraph(await migrations(specs));
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe("graph: heads, bases, branch points, merges", () => {
  it("linear history", async () => {
    const g = await graph([{ rev: "aaaa1", down: null }, { rev: "bbbb2", down: "aaaa1" }, { rev: "cccc3", down: "bbbb2" }]);
    expect(g.heads).toEqual(["cccc3"]);
    expect(g.bases).toEqual(["aaaa1"]);
    expect(g.branchpoints).toEqual([]);
    expect(g.merges).toEqual([]);
    expect(topoOrder(g)).toEqual(["aaaa1", "bbbb2", "cccc3"]);
  });

  it("branch and merge (tuple and list forms, () as base, ('x',) as 'x')", async () => {
    const g = await graph([
      { rev: "aaaa1", down: [] },
      { rev: "bbbb2", down: ["aaaa1"] },
      { rev: "cccc3", down: "aaaa1" },
      { rev: "dddd4", down: ["bbbb2", "cccc3"] },
    ]);
    expect(g.heads).toEqual(["dddd4"]);
    expect(g.bases).toEqual(["aaaa1"]);
    expect(g.branchpoints).toEqual(["aaaa1"]);
    expect(g.merges).toEqual(["dddd4"]);
    const order = topoOrder(g);
    expect(order[0]).toBe("aaaa1");
    expect(order[3]).toBe("dddd4");
  });

  it("a duplicated parent makes a merge point, as in Alembic", async () => {
    const g = await graph([{ rev: "aaaa1", down: null }, { rev: "bbbb2", down: ["aaaa1", "aaaa1"] }]);
    expect(g.merges).toEqual(["bbbb2"]);
    expect(g.heads).toEqual(["bbbb2"]);
  });

  it("effective heads: only depended on", async () => {
    const g = await graph([
      { rev: "aaaa1", down: null },
      { rev: "bbbb2", down: "aaaa1", labels: ["expand"] },
      { rev: "cccc3", down: "aaaa1", labels: ["contract"], deps: "bbbb2" },
    ]);
    expect(sorted(g.heads)).toEqual(["bbbb2", "cccc3"]);
    expect(g.realHeads).toEqual(["cccc3"]);
    expect(g.resolvedDeps.get("cccc3")).toEqual(["bbbb2"]);
  });

  it("real bases exclude roots with dependencies", async () => {
    const g = await graph([{ rev: "aaaa1", down: null }, { rev: "bbbb2", down: null, labels: "net", deps: "aaaa1" }]);
    expect(sorted(g.bases)).toEqual(["aaaa1", "bbbb2"]);
    expect(g.realBases).toEqual(["aaaa1"]);
  });

  it("dangling references, '' is not a base, labels in depends_on resolve", async () => {
    const g = await graph([
      { rev: "aaaa1", down: "" },
      { rev: "bbbb2", down: "aaaa1", labels: "lab" },
      { rev: "cccc3", down: "bbbb", deps: ["lab", "nope"] },
    ]);
    expect(g.bases).toEqual([]);
    expect(g.dangling.map((d) => `${d.node.id}:${d.via}:${d.ref}`)).toEqual(["aaaa1:down_revision:", "cccc3:down_revision:bbbb", "cccc3:depends_on:nope"]);
    expect(g.resolvedDeps.get("cccc3")).toEqual(["bbbb2"]);
  });

  it("duplicates and cycles", async () => {
    const g = await graph([
      { rev: "aaaa1", down: null, name: "1.py" },
      { rev: "aaaa1", down: null, name: "2.py" },
      { rev: "bbbb2", down: "cccc3" },
      { rev: "cccc3", down: "bbbb2" },
      { rev: "dddd4", down: "dddd4" },
    ]);
    expect([...g.duplicates.keys()]).toEqual(["aaaa1"]);
    expect(g.cycles.map((c) => c.ids)).toEqual([["bbbb2", "cccc3"], ["dddd4"]]);
    expect(g.cycles.every((c) => !c.viaDeps)).toBe(true);
    expect(new Set(topoOrder(g))).toEqual(new Set(["aaaa1", "bbbb2", "cccc3", "dddd4"]));
  });

  it("dependency cycles", async () => {
    const g = await graph([
      { rev: "aaaa1", down: null },
      { rev: "bbbb2", down: "aaaa1", deps: "cccc3" },
      { rev: "cccc3", down: "aaaa1", deps: "bbbb2" },
    ]);
    expect(g.cycles).toEqual([{ ids: ["bbbb2", "cccc3"], viaDeps: true }]);
  });

  it("a 300-revision linear history is fast and ordered", async () => {
    const specs: Spec[] = [];
    for (let i = 0; i < 300; i++) specs.push({ rev: `r${String(i).padStart(4, "0")}`, down: i === 0 ? null : `r${String(i - 1).padStart(4, "0")}` });
    const g = await graph(specs);
    expect(g.heads).toEqual(["r0299"]);
    expect(topoOrder(g)).toEqual(specs.map((s) => s.rev));
  });

  it("legacy pre-0.2 files take their id from the file name; non-revisions are listed", async () => {
    const g = await graph([
      { rev: null, down: null, name: "4a7b9c1d2e3f.py" },
      { rev: "bbbb2", down: "4a7b9c1d2e3f" },
      { rev: null, raw: "def helper():\n    return 1\n", name: "helpers.py" },
    ]);
    expect(g.heads).toEqual(["bbbb2"]);
    expect(g.nodes.get("4a7b9c1d2e3f")?.legacy).toBe(true);
    expect(g.notRevisions.map((m) => path.basename(m.path))).toEqual(["helpers.py"]);
  });

  it("non-literal values are opaque, never guessed", async () => {
    const g = await graph([
      { rev: "aaaa1", down: null },
      { rev: "=ids.B", down: "aaaa1", name: "b.py" },
      { rev: "cccc3", down: "=prev.revision" },
      { rev: "dddd4", down: "aaaa1", labels: ["=cli.EXPAND_BRANCH", "plain"] },
    ]);
    expect(g.hasOpaqueIds).toBe(true);
    expect(g.hasOpaqueDown).toBe(true);
    expect(g.hasOpaqueLabels).toBe(true);
    expect(g.nodes.get("dddd4")?.declaredLabels).toEqual(["plain"]);
    expect(g.nodes.get("dddd4")?.exprLabels).toEqual(["cli.EXPAND_BRANCH"]);
  });
});

describe("ALM001's branch points (where the heads' histories part)", () => {
  it("a fork inside a fork: both revisions are named, not only the inner one", async () => {
    const g = await graph([
      { rev: "aaaa", down: null },
      { rev: "bbbb", down: "aaaa" },
      { rev: "cccc", down: "aaaa" },
      { rev: "dddd", down: "bbbb" },
      { rev: "eeee", down: "bbbb" },
    ]);
    expect(branchPointsOf(g, ["cccc", "dddd", "eeee"])).toEqual(["aaaa", "bbbb"]);
    expect(branchPointsOf(g, ["dddd", "eeee"])).toEqual(["bbbb"]);
  });

  it("a fork merged again before the heads part is not a branch point", async () => {
    const g = await graph([
      { rev: "aaaa", down: null },
      { rev: "bbbb", down: "aaaa" },
      { rev: "cccc", down: "aaaa" },
      { rev: "dddd", down: ["bbbb", "cccc"] },
      { rev: "eeee", down: "dddd" },
      { rev: "ffff", down: "dddd" },
    ]);
    expect(branchPointsOf(g, ["eeee", "ffff"])).toEqual(["dddd"]);
  });
});

describe("graph: branch labels spread as in Alembic's _add_branches", () => {
  it("a -> b(label) -> c: all three carry the label", async () => {
    const g = await graph([{ rev: "aaaa1", down: null }, { rev: "bbbb2", down: "aaaa1", labels: "x" }, { rev: "cccc3", down: "bbbb2" }]);
    expect(sorted(g.labels.get("aaaa1")!)).toEqual(["x"]);
    expect(sorted(g.labels.get("cccc3")!)).toEqual(["x"]);
  });

  it("stops at branch points and merge points", async () => {
    const g = await graph([
      { rev: "aaaa1", down: null },
      { rev: "bbbb2", down: "aaaa1", labels: "x" },
      { rev: "cccc3", down: "aaaa1", labels: "y" },
      { rev: "dddd4", down: "bbbb2" },
    ]);
    expect(g.labels.get("aaaa1")!.size).toBe(0);
    expect(sorted(g.labels.get("dddd4")!)).toEqual(["x"]);
    expect(sorted(g.labels.get("cccc3")!)).toEqual(["y"]);
  });

  it("a dependency makes a real branch point", async () => {
    const g = await graph([
      { rev: "aaaa1", down: null },
      { rev: "bbbb2", down: "aaaa1", labels: "x" },
      { rev: "cccc3", down: null, labels: "y", deps: "aaaa1" },
    ]);
    expect(g.labels.get("aaaa1")!.size).toBe(0);
  });
});

describe("graph: resolution like RevisionMap.get_revisions", () => {
  const specs: Spec[] = [
    { rev: "ae1027a6acf1", down: null },
    { rev: "ae10b2c3d4e5", down: "ae1027a6acf1", labels: "billing" },
    { rev: "1975ea83b712", down: "ae10b2c3d4e5" },
    { rev: "27c6a30d7c24", down: "ae1027a6acf1" },
  ];

  it("ids, unique prefixes, labels", async () => {
    const g = await graph(specs);
    expect(resolveIdent(g, "1975ea83b712")).toEqual({ ok: true, ids: ["1975ea83b712"] });
    expect(resolveIdent(g, "1975")).toEqual({ ok: true, ids: ["1975ea83b712"] });
    expect(resolveIdent(g, "19")).toEqual({ ok: true, ids: ["1975ea83b712"] }); // Alembic matches any prefix of ids longer than 3
    expect(resolveIdent(g, "billing")).toEqual({ ok: true, ids: ["ae10b2c3d4e5"] });
    expect(resolveIdent(g, "bill")).toEqual({ ok: true, ids: ["ae10b2c3d4e5"] });
  });

  it("ambiguous prefix and unknown id are distinct errors", async () => {
    const g = await graph(specs);
    const amb = resolveIdent(g, "ae10");
    expect(amb.ok).toBe(false);
    expect(!amb.ok && amb.kind).toBe("ambiguous");
    expect(!amb.ok && amb.candidates).toEqual(["ae1027a6acf1", "ae10b2c3d4e5"]);
    const unk = resolveIdent(g, "ffff0000");
    expect(!unk.ok && unk.kind).toBe("unknown");
    const short = resolveIdent(g, "zz");
    expect(!short.ok && short.message).toMatch(/at least four characters/);
  });

  it("symbols and branch@head", async () => {
    const g = await graph(specs);
    expect(resolveTarget(g, "heads")).toEqual({ ok: true, ids: ["1975ea83b712", "27c6a30d7c24"] });
    expect(resolveTarget(g, "base")).toEqual({ ok: true, ids: [] });
    const head = resolveTarget(g, "head");
    expect(!head.ok && head.kind).toBe("multiple-heads");
    expect(resolveTarget(g, "billing@head")).toEqual({ ok: true, ids: ["1975ea83b712"] });
    expect(resolveTarget(g, "27c6@head")).toEqual({ ok: true, ids: ["27c6a30d7c24"] });
    const nb = resolveTarget(g, "nosuch@head");
    expect(!nb.ok && nb.kind).toBe("unknown");
    const rel = resolveTarget(g, "+1");
    expect(!rel.ok && rel.kind).toBe("unsupported");
    const notIn = resolveTarget(g, "billing@27c6a30d7c24");
    expect(!notIn.ok && notIn.kind).toBe("not-in-branch");
  });
});

describe("splitSequence", () => {
  it("splits tuple and list displays at top level", () => {
    expect(splitSequence("(cli.EXPAND_BRANCH,)")).toEqual(["cli.EXPAND_BRANCH"]);
    expect(splitSequence("[a.B, 'x', f(1, 2)]")).toEqual(["a.B", "'x'", "f(1, 2)"]);
    expect(splitSequence("cli.EXPAND_BRANCH")).toBeNull();
  });
});

describe("scripts: literal targets", () => {
  const text = [
    "#!/bin/sh",
    "# alembic stamp deadbeef1234  (a comment)",
    "alembic -c alembic.ini upgrade ae1027a6acf1 --sql",
    "alembic stamp head",
    "alembic downgrade -1",
    "alembic upgrade expand@head",
    "alembic upgrade $REV && alembic stamp ${REV}",
    "poetry run alembic stamp --purge 1975ea83b712 # prod",
    "alembic upgrade ae10:bd20c3a1 --sql > out.sql",
    'RUN ["alembic", "upgrade", "ffff00001111"]',
    'subprocess.run(["alembic", "upgrade", target_rev])',
    'command.stamp(cfg, "c0ffee123456")',
    'command.upgrade(alembic_cfg, revision="abc123def456")',
    'command.downgrade(cfg, "-1")',
    "You can run alembic upgrade later.",
    'command.upgrade(cfg, f"{rev}")',
    "alembic upgrade ae10+2",
  ].join("\n");

  it("finds CLI and API literals with their line and column", () => {
    const got = findRevisionTargets(text).map((t) => `${t.line}:${t.column}:${t.literal}:${t.command}:${t.form}`);
    expect(got).toEqual([
      "3:32:ae1027a6acf1:upgrade:cli",
      "8:34:1975ea83b712:stamp:cli",
      "9:17:ae10:upgrade:cli",
      "9:22:bd20c3a1:upgrade:cli",
      "10:29:ffff00001111:upgrade:cli",
      "12:21:c0ffee123456:stamp:api",
      "13:40:abc123def456:upgrade:api",
      "17:17:ae10:upgrade:cli",
    ]);
  });

  it("reports unknown and ambiguous literals against the graph", async () => {
    const g = await graph([
      { rev: "ae1027a6acf1", down: null },
      { rev: "ae10b2c3d4e5", down: "ae1027a6acf1" },
      { rev: "1975ea83b712", down: "ae10b2c3d4e5" },
    ]);
    const found = scanScripts([{ path: "deploy.sh", text }], g).map((f) => `${f.line}:${f.literal}:${f.kind}`);
    expect(found).toEqual([
      "9:ae10:ambiguous",
      "9:bd20c3a1:unknown",
      "10:ffff00001111:unknown",
      "12:c0ffee123456:unknown",
      "13:abc123def456:unknown",
      "17:ae10:ambiguous",
    ]);
  });

  it("a revision of another versions tree of the run is known", async () => {
    const a = await graph([{ rev: "aaaa11112222", down: null }]);
    const b = await graph([{ rev: "bbbb33334444", down: null }]);
    const files = [{ path: "Makefile", text: "migrate:\n\talembic -n db2 upgrade bbbb33334444\n\talembic -n db1 stamp cccc55556666\n" }];
    expect(scanScripts(files, [a, b]).map((f) => f.literal)).toEqual(["cccc55556666"]);
  });

  it("unknowns are not reported when some id or label is not a literal", async () => {
    const g = await graph([{ rev: "aaaa11112222", down: null }, { rev: "=ids.NEXT", down: "aaaa11112222", name: "b.py" }]);
    expect(scanScripts([{ path: "x.sh", text: "alembic stamp 0123456789ab\n" }], g)).toEqual([]);
  });
});

async function lintTree(specs: Spec[], opts: { targets?: string[]; scripts?: { path: string; text: string }[]; select?: string[] } = {}) {
  const ms = await migrations(specs);
  const targets = new Set(ms.filter((m) => !opts.targets || opts.targets.includes(path.basename(m.path))).map((m) => m.absPath));
  const set: MigrationSetWithScripts = { root: path.resolve("versions"), path: "versions", migrations: ms, targets };
  if (opts.scripts) Object.assign(set, { scripts: opts.scripts, allSets: [set] });
  const { diagnostics, internalErrors } = runRules([set], { rules: resolveSelection({ select: opts.select ?? ["ALM0"] }), dialect: "postgresql" });
  expect(internalErrors).toEqual([]);
  return diagnostics.map((d) => `${path.basename(d.path)}:${d.span.line}:${d.code}`);
}

describe("ALM002's hint never points a revision at itself or a later one", () => {
  it("a prefix that matches only the file itself and its child gets the plain hint", async () => {
    const ms = await migrations([
      { rev: "main_0000a", down: "main_0000" },
      { rev: "main_0000b", down: "main_0000a" },
    ]);
    const set: MigrationSetWithScripts = { root: path.resolve("versions"), path: "versions", migrations: ms, targets: new Set(ms.map((m) => m.absPath)) };
    const { diagnostics } = runRules([set], { rules: resolveSelection({ select: ["ALM002"] }), dialect: "postgresql" });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).not.toContain("prefix matches");
    expect(diagnostics[0]!.message).not.toContain("main_0000b");
    expect(diagnostics[0]!.message).toContain("point it at the revision this one was generated on");
  });

  it("a truncated id of an earlier revision still gets the full id", async () => {
    const ms = await migrations([
      { rev: "aaaa11112222", down: null },
      { rev: "bbbb33334444", down: "aaaa1111" },
    ]);
    const set: MigrationSetWithScripts = { root: path.resolve("versions"), path: "versions", migrations: ms, targets: new Set(ms.map((m) => m.absPath)) };
    const { diagnostics } = runRules([set], { rules: resolveSelection({ select: ["ALM002"] }), dialect: "postgresql" });
    expect(diagnostics.map((d) => d.message).join("\n")).toContain('write the full id "aaaa11112222"');
  });
});

describe("graph rules over a tree", () => {
  const twoHeads: Spec[] = [
    { rev: "aaaa11112222", down: null },
    { rev: "bbbb33334444", down: "aaaa11112222" },
    { rev: "cccc55556666", down: "aaaa11112222" },
  ];

  it("pre-commit mode: ALM001 is reported even outside the passed files", async () => {
    const got = await lintTree(twoHeads, { targets: ["aaaa11112222_m.py"] });
    expect(got).toEqual(["bbbb33334444_m.py:9:ALM001", "cccc55556666_m.py:9:ALM001"]);
  });

  it("pre-commit mode: other graph findings only in the passed files", async () => {
    const specs: Spec[] = [
      { rev: "aaaa11112222", down: null },
      { rev: "bbbb33334444", down: "aaaa1111" },
      { rev: "cccc55556666", down: "bbbb3333" },
    ];
    expect(await lintTree(specs, { targets: ["cccc55556666_m.py"] })).toEqual(["cccc55556666_m.py:10:ALM002"]);
  });

  it("ALM001 message names the heads, the branch point and the merge command; related locations", async () => {
    const ms = await migrations(twoHeads);
    const set = { root: path.resolve("versions"), path: "versions", migrations: ms, targets: new Set(ms.map((m) => m.absPath)) };
    const { diagnostics } = runRules([set], { rules: resolveSelection({ select: ["ALM001"] }), dialect: "postgresql" });
    expect(diagnostics).toHaveLength(2);
    const d = diagnostics[0]!;
    expect(d.message).toContain('alembic merge -m "merge heads" bbbb33334444 cccc55556666');
    expect(d.message).toContain("aaaa11112222");
    expect(d.related.map((r) => `${path.basename(r.path!)}:${r.span.line}`)).toEqual(["cccc55556666_m.py:9", "aaaa11112222_m.py:9"]);
  });

  it("ALM010 reports script lines through the engine hook", async () => {
    const scripts = [{ path: "deploy/stamp.sh", text: "set -e\nalembic stamp aaaa1111\nalembic stamp dddd77778888\nalembic upgrade heads\n" }];
    const got = await lintTree(twoHeads, { scripts, select: ["ALM010"] });
    expect(got).toEqual(["stamp.sh:3:ALM010"]);
  });

  it("ALM010 is silent without scripts", async () => {
    expect(await lintTree(twoHeads, { select: ["ALM010"] })).toEqual([]);
  });
});

describe("graph rules on long histories", () => {
  const linear = (n: number): Spec[] => {
    const out: Spec[] = [];
    for (let i = 0; i < n; i++) {
      const rev = (0x100000000000 + i * 7919 * 104729).toString(16).slice(-12);
      out.push({ rev, down: i === 0 ? null : out[i - 1]!.rev });
    }
    return out;
  };

  it("a clean 300-revision history has no graph finding", async () => {
    const started = Date.now();
    expect(await lintTree(linear(300))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("a fork deep inside a 300-revision history is found once per head", async () => {
    const specs = linear(300);
    specs.push({ rev: "f0f0f0f0f0f0", down: specs[150]!.rev });
    const got = await lintTree(specs);
    expect(got).toEqual([`${specs[299]!.rev}_m.py:9:ALM001`, "f0f0f0f0f0f0_m.py:9:ALM001"].sort());
  });
});

describe("several version locations in one run", () => {
  it("a reference into another tree is neither dangling nor leaves a head behind", async () => {
    const a = await migrations([{ rev: "aaaa11112222", down: null }, { rev: "bbbb33334444", down: "aaaa11112222" }, { rev: "cccc55556666", down: "aaaa11112222" }], "main");
    const b = await migrations([{ rev: "dddd77778888", down: "cccc55556666", deps: "bbbb33334444" }], "plugin");
    const mk = (ms: Migration[], p: string): MigrationSetWithScripts => ({ root: path.resolve(p), path: p, migrations: ms, targets: new Set(ms.map((m) => m.absPath)) });
    const sa = mk(a, "main");
    const sb = mk(b, "plugin");
    for (const s of [sa, sb]) Object.assign(s, { allSets: [sa, sb], scripts: [] });
    const { diagnostics } = runRules([sa, sb], { rules: resolveSelection({ select: ["ALM001", "ALM002"] }), dialect: "postgresql" });
    expect(diagnostics.map((d) => `${d.path}:${d.code}`)).toEqual([]);
  });
});

describe("mayBind: module-level bindings the header reader cannot see", () => {
  it("counts conditional, imported, unpacked and chained bindings, not function bodies, comments or docstrings", () => {
    const yes = ["if X:\n    revision = 'a'\nelse:\n    revision = 'b'\n", "from .ids import revision\n", "revision, down_revision = ids()\n", "x = revision = 'a'\n", "try:\n    revision: str = 'a'\nexcept Exception:\n    pass\n", "from .common import *\n", "import revision\n"];
    const no = ["def current(conn):\n    revision = conn.scalar('x')\n    return revision\n", "# revision = 'abc'\n", '"""\nrevision = "abc"\n"""\nimport os\n', "revision: str\n", "command.upgrade(cfg, revision='abc')\n", "down_revision = None\n", "class A:\n    revision = 1\n"];
    for (const s of yes) expect(mayBind(s, "revision"), s).toBe(true);
    for (const s of no) expect(mayBind(s, "revision"), s).toBe(false);
  });
});

describe("ALM001 option allow_labelled_branches", () => {
  it("false: labelled parallel heads conflict too", async () => {
    const ms = await migrations([
      { rev: "aaaa11112222", down: null },
      { rev: "bbbb33334444", down: "aaaa11112222", labels: "expand" },
      { rev: "cccc55556666", down: "aaaa11112222", labels: "contract" },
    ]);
    const set = { root: path.resolve("versions"), path: "versions", migrations: ms, targets: new Set(ms.map((m) => m.absPath)) };
    const rules = resolveSelection({ select: ["ALM001"] });
    expect(runRules([set], { rules, dialect: "postgresql" }).diagnostics).toHaveLength(0);
    const strict = runRules([set], { rules, dialect: "postgresql", ruleOptions: { ALM001: { allow_labelled_branches: false } } });
    expect(strict.diagnostics.map((d) => path.basename(d.path))).toEqual(["bbbb33334444_m.py", "cccc55556666_m.py"]);
  });
});

describe("relative targets", () => {
  it("walks up and down along down_revision", async () => {
    const g = await graph([
      { rev: "aaaa11112222", down: null },
      { rev: "bbbb33334444", down: "aaaa11112222" },
      { rev: "cccc55556666", down: "bbbb33334444" },
      { rev: "dddd77778888", down: "bbbb33334444" },
    ]);
    expect(resolveTarget(g, "aaaa+1")).toEqual({ ok: true, ids: ["bbbb33334444"] });
    expect(resolveTarget(g, "cccc55556666-2")).toEqual({ ok: true, ids: ["aaaa11112222"] });
    expect(resolveTarget(g, "cccc55556666-3")).toEqual({ ok: true, ids: [] });
    expect(resolveTarget(g, "+1", ["aaaa11112222"])).toEqual({ ok: true, ids: ["bbbb33334444"] });
    expect(resolveTarget(g, "+1", [])).toEqual({ ok: true, ids: ["aaaa11112222"] });
    const amb = resolveTarget(g, "bbbb+1");
    expect(!amb.ok && amb.message).toMatch(/Ambiguous walk/);
    const far = resolveTarget(g, "cccc55556666-5");
    expect(!far.ok && far.message).toMatch(/Walked too far/);
    const bare = resolveTarget(g, "-1");
    expect(!bare.ok && bare.kind).toBe("unsupported");
  });
});
