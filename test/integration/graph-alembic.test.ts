// Compares src/graph.ts with the real Alembic RevisionMap on every graph fixture tree and on
// generated histories (linear, branched, merged, labelled, with depends_on). Needs python3
// with alembic installed (`pip install alembic`); fails when it is missing.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseMigration } from "../../src/parse/index.js";
import { buildGraph, resolveTarget, topoOrder, type RevisionGraph } from "../../src/graph.js";

const FIXTURES = path.resolve(import.meta.dirname, "..", "..", "fixtures");
const work = mkdtempSync(path.join(tmpdir(), "graph-alembic-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PY = String.raw`
import json, sys, warnings
warnings.simplefilter("ignore")
from alembic.script import ScriptDirectory
def view(d, targets):
  sd = ScriptDirectory(d)
  try:
      m = sd.revision_map
      revs = list(sd.walk_revisions())
      out = {
          "heads": sorted(m.heads),
          "realHeads": sorted(m._real_heads),
          "bases": sorted(m.bases),
          "branchpoints": sorted(r.revision for r in revs if r.is_branch_point),
          "merges": sorted(r.revision for r in revs if r.is_merge_point),
          "labels": {r.revision: sorted(r.branch_labels) for r in revs if r.branch_labels},
          "order": [r.revision for r in reversed(revs)],
          "deps": any(r.dependencies for r in revs),
      }
      res = {}
      for t in targets:
          try:
              res[t] = sorted(r.revision for r in m.get_revisions(t) if r is not None)
          except Exception as e:
              res[t] = type(e).__name__
      out["resolve"] = res
  except Exception as e:
      out = {"error": type(e).__name__ + ": " + str(e)}
  return out

jobs = json.load(sys.stdin)
print(json.dumps([view(d, t) for d, t in jobs]))
`;

function python(): string {
  for (const bin of ["python3", "python"]) {
    try {
      execFileSync(bin, ["-c", "import alembic"], { stdio: "pipe" });
      return bin;
    } catch {
      // try the next one
    }
  }
  throw new Error("python3 with alembic is required for this test: pip install alembic");
}

interface AlembicView {
  error?: string;
  heads: string[];
  realHeads: string[];
  bases: string[];
  branchpoints: string[];
  merges: string[];
  labels: Record<string, string[]>;
  order: string[];
  deps: boolean;
  resolve: Record<string, string[] | string>;
}

let counter = 0;
/** Writes a tree into a fresh script directory and returns the directory. */
function writeTree(files: { name: string; text: string }[]): string {
  const dir = path.join(work, `t${counter++}`);
  mkdirSync(path.join(dir, "versions"), { recursive: true });
  for (const f of files) writeFileSync(path.join(dir, "versions", f.name), f.text);
  return dir;
}

/** One Python process for all trees (importing alembic is slow). */
function alembicViews(jobs: [string, string[]][]): AlembicView[] {
  const out = execFileSync(python(), ["-c", PY], { input: JSON.stringify(jobs), encoding: "utf8", maxBuffer: 256 << 20 });
  return JSON.parse(out) as AlembicView[];
}

async function ourGraph(files: { name: string; text: string }[]): Promise<RevisionGraph> {
  const ms = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) ms.push(await parseMigration(f.text, `versions/${f.name}`, `/v/${f.name}`));
  return buildGraph(ms);
}

function ourResolution(g: RevisionGraph, t: string): string[] | string {
  const r = resolveTarget(g, t);
  if (r.ok) return [...r.ids].sort();
  return r.kind === "multiple-heads" ? "MultipleHeads" : r.kind === "unsupported" ? "unsupported" : "ResolutionError";
}

function isTopological(g: RevisionGraph, order: string[]): boolean {
  const pos = new Map(order.map((id, i) => [id, i]));
  for (const id of order) {
    for (const p of g.nodes.get(id)?.down ?? []) if (pos.has(p) && pos.get(p)! > pos.get(id)!) return false;
    for (const p of g.resolvedDeps.get(id) ?? []) if (pos.has(p) && pos.get(p)! > pos.get(id)!) return false;
  }
  return true;
}

function targetsFor(g: RevisionGraph): string[] {
  const ids = [...g.nodes.keys()].filter((k) => !k.startsWith("?"));
  return ["heads", "base", "head", ...ids.slice(0, 3), ...ids.slice(0, 3).map((i) => i.slice(0, 4)), ...ids.slice(0, 2).map((i) => i.slice(0, 2)), "zzzz9999", ...[...g.labelMap.keys()].map((l) => `${l}@head`), ...g.labelMap.keys()];
}

function compare(g: RevisionGraph, alembic: AlembicView): void {
  if (alembic.error) return;
  expect([...g.heads].sort(), "heads").toEqual(alembic.heads);
  expect([...g.realHeads].sort(), "real heads").toEqual(alembic.realHeads);
  expect([...g.bases].sort(), "bases").toEqual(alembic.bases);
  expect([...g.branchpoints].sort(), "branch points").toEqual(alembic.branchpoints);
  expect([...g.merges].sort(), "merges").toEqual(alembic.merges);
  const labels: Record<string, string[]> = {};
  for (const [id, ls] of g.labels) if (ls.size > 0) labels[id] = [...ls].sort();
  expect(labels, "labels").toEqual(alembic.labels);
  const order = topoOrder(g);
  expect(isTopological(g, order), "order is topological").toBe(true);
  expect(new Set(order)).toEqual(new Set(alembic.order));
  if (!alembic.deps) expect(order, "order (alembic history, reversed)").toEqual(alembic.order);
  for (const [t, want] of Object.entries(alembic.resolve)) {
    const ours = ourResolution(g, t);
    if (ours === "unsupported") continue;
    const w = Array.isArray(want) ? want : want === "MultipleHeads" ? "MultipleHeads" : "ResolutionError";
    expect(ours, `resolve ${t}`).toEqual(w);
  }
}

function fixtureTrees(): { name: string; files: { name: string; text: string }[] }[] {
  const out = [];
  for (const folder of readdirSync(FIXTURES).filter((d) => /^alm00\d-/.test(d)).sort()) {
    for (const t of readdirSync(path.join(FIXTURES, folder)).sort()) {
      const dir = path.join(FIXTURES, folder, t);
      if (!statSync(dir).isDirectory()) continue;
      const files = readdirSync(dir).filter((f) => f.endsWith(".py") && !f.startsWith("__init__")).map((f) => ({ name: f, text: readFileSync(path.join(dir, f), "utf8") }));
      out.push({ name: `${folder}/${t}`, files });
    }
  }
  return out;
}

// ---- generated histories ----------------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function file(rev: string, down: string[] | null, opts: { labels?: string[]; deps?: string[] } = {}): { name: string; text: string } {
  const d = down === null || down.length === 0 ? "None" : down.length === 1 ? `'${down[0]}'` : `(${down.map((x) => `'${x}'`).join(", ")})`;
  const l = opts.labels && opts.labels.length > 0 ? `(${opts.labels.map((x) => `'${x}'`).join(", ")},)` : "None";
  const dp = opts.deps && opts.deps.length > 0 ? `(${opts.deps.map((x) => `'${x}'`).join(", ")},)` : "None";
  return {
    name: `${rev}_step.py`,
    text: `"""step\n\nRevision ID: ${rev}\nRevises: ${(down ?? []).join(", ")}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '${rev}'\ndown_revision = ${d}\nbranch_labels = ${l}\ndepends_on = ${dp}\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`,
  };
}

export function linearHistory(n: number): { name: string; text: string }[] {
  const out = [];
  let prev: string | null = null;
  for (let i = 0; i < n; i++) {
    const rev = (0x100000000000 + i * 7919 * 104729).toString(16).slice(-12);
    out.push(file(rev, prev ? [prev] : null));
    prev = rev;
  }
  return out;
}

function randomHistory(seed: number, n: number, withDeps: boolean): { name: string; text: string }[] {
  const r = rng(seed);
  const ids: string[] = [];
  const heads = new Set<string>();
  const files = [];
  let labelNo = 0;
  for (let i = 0; i < n; i++) {
    const rev = Math.floor(r() * 2 ** 48).toString(16).padStart(12, "0");
    let down: string[] | null;
    let labels: string[] = [];
    let deps: string[] = [];
    const hs = [...heads];
    if (ids.length === 0 || r() < 0.04) down = null;
    else if (hs.length >= 2 && r() < 0.25) {
      const a = hs[Math.floor(r() * hs.length)]!;
      const b = hs.filter((x) => x !== a)[Math.floor(r() * (hs.length - 1))]!;
      down = [a, b];
    } else if (r() < 0.2) down = [ids[Math.floor(r() * ids.length)]!];
    else down = [hs.length > 0 ? hs[Math.floor(r() * hs.length)]! : ids[ids.length - 1]!];
    if (r() < 0.12) labels = [`branch${labelNo++}`];
    if (withDeps && ids.length > 3 && r() < 0.15) deps = [ids[Math.floor(r() * (ids.length - 1))]!];
    if (deps.length > 0 && down && down.includes(deps[0]!)) deps = [];
    for (const d of down ?? []) heads.delete(d);
    heads.add(rev);
    ids.push(rev);
    files.push(file(rev, down, { labels, deps }));
  }
  return files;
}

interface Case {
  name: string;
  kind: "fixture" | "linear" | "random" | "random-deps";
  g: RevisionGraph;
  view: AlembicView;
}

const cases: Case[] = [];
{
  const pending: { name: string; kind: Case["kind"]; files: { name: string; text: string }[] }[] = [];
  for (const t of fixtureTrees()) {
    // Trees importing the application cannot be imported by Alembic here; unit tests cover them.
    if (t.files.some((f) => /^from (myapp|myproject|\.)/m.test(f.text))) continue;
    pending.push({ name: `fixture ${t.name}`, kind: "fixture", files: t.files });
  }
  pending.push({ name: "a 300-revision linear history", kind: "linear", files: linearHistory(300) });
  for (let seed = 1; seed <= 10; seed++) {
    pending.push({ name: `random branched/merged/labelled history #${seed}`, kind: "random", files: randomHistory(seed, 60, false) });
    pending.push({ name: `random history with depends_on #${seed}`, kind: "random-deps", files: randomHistory(seed + 100, 60, true) });
  }
  let views: AlembicView[] = [];
  let error: unknown = null;
  const graphs: RevisionGraph[] = [];
  for (const p of pending) graphs.push(await ourGraph(p.files));
  try {
    views = alembicViews(pending.map((p, i) => [writeTree(p.files), targetsFor(graphs[i]!)]));
  } catch (e) {
    error = e;
  }
  if (!error) pending.forEach((p, i) => cases.push({ name: p.name, kind: p.kind, g: graphs[i]!, view: views[i]! }));
}

describe("graph.ts agrees with Alembic's RevisionMap", () => {
  it("python3 with alembic is available", () => {
    expect(python()).toMatch(/python/);
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const c of cases) {
    it(c.name, () => {
      const { g, view } = c;
      if (g.hasOpaqueIds) return; // deliberately unreadable headers
      if (g.duplicates.size > 0) {
        // Alembic lists a duplicated id once per file (or fails); the ids are the same.
        if (!view.error) expect(new Set(view.heads)).toEqual(new Set(g.heads));
        return;
      }
      if (view.error) {
        // Alembic refuses the tree: it must be a graph defect our rules see.
        const labels = g.all.flatMap((n) => n.declaredLabels);
        const defect = g.dangling.length > 0 || g.cycles.length > 0 || g.notRevisions.length > 0 || g.all.some((n) => n.downMissing) ||
          labels.length !== new Set(labels).size || labels.some((l) => g.nodes.has(l));
        expect(defect, view.error).toBe(true);
        if (c.kind === "random-deps") expect(view.error).toMatch(/Cycle/);
        expect(c.kind === "fixture" || c.kind === "random-deps", view.error).toBe(true);
        return;
      }
      compare(g, view);
    });
  }
});
