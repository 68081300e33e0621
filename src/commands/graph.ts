// `alembic-lint graph [PATH] [--json|--dot]`: the revision graph of each versions tree
// (heads, bases, branch points, merges, labels, order), computed from the headers alone.
import { parseArgs } from "node:util";
import { discover, type VersionsTree } from "../discover.js";
import { loadMigration } from "../load.js";
import { displayPath } from "../discover.js";
import type { Migration, MigrationSet } from "../model.js";
import { isExpr } from "../model.js";
import { buildGraph, docMessage, exprLabelText, topoOrder, type RevisionGraph } from "../graph.js";

export interface CommandIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

export interface LoadedTree {
  tree: VersionsTree;
  set: MigrationSet;
  graph: RevisionGraph;
  /** Files that could not be read or decoded (not in the graph). */
  unreadable: { path: string; message: string }[];
}

/** Discovers the versions trees under `paths` and reads every file's header. */
export async function loadTrees(paths: string[], cwd: string): Promise<LoadedTree[]> {
  const trees = discover(paths, { cwd });
  const out: LoadedTree[] = [];
  for (const tree of trees) {
    const migrations: Migration[] = [];
    const unreadable: { path: string; message: string }[] = [];
    for (const abs of tree.files) {
      const loaded = await loadMigration(abs, displayPath(abs, cwd));
      if (loaded.kind === "migration") migrations.push(loaded.migration);
      else unreadable.push({ path: loaded.path, message: loaded.kind === "error" ? loaded.message : loaded.reason });
    }
    const set: MigrationSet = { root: tree.root, path: tree.display, migrations, targets: tree.targets };
    out.push({ tree, set, graph: buildGraph(set), unreadable });
  }
  return out;
}

export type IdJson = string | { expr: string };

/** An id for output: the literal, or `{"expr": source}` for a non-literal revision. */
export function idJson(g: RevisionGraph, id: string): IdJson {
  if (!id.startsWith("?")) return id;
  const v = g.nodes.get(id)?.migration.header.revision?.value;
  return { expr: isExpr(v ?? undefined) ? (v as { expr: string }).expr : v === null ? "None" : "(not a literal)" };
}

function sortIds(xs: IdJson[]): IdJson[] {
  const str = xs.filter((x): x is string => typeof x === "string").sort();
  const ex = xs.filter((x): x is { expr: string } => typeof x !== "string").sort((a, b) => (a.expr < b.expr ? -1 : a.expr > b.expr ? 1 : 0));
  return [...str, ...ex];
}

export function labelsOf(g: RevisionGraph, id: string): IdJson[] {
  const lits: IdJson[] = [...(g.labels.get(id) ?? [])];
  const exprs: IdJson[] = [...(g.exprLabels.get(id) ?? [])].map((k) => ({ expr: exprLabelText(k) }));
  return sortIds([...lits, ...exprs]);
}

export function idText(x: IdJson): string {
  return typeof x === "string" ? x : `{${x.expr}}`;
}

export function treeJson(t: LoadedTree): Record<string, unknown> {
  const g = t.graph;
  const ids = (xs: Iterable<string>) => sortIds([...xs].map((x) => idJson(g, x)));
  const labels: Record<string, IdJson[]> = {};
  for (const id of [...g.nodes.keys()].sort()) {
    const ls = labelsOf(g, id);
    if (ls.length > 0) labels[idText(idJson(g, id))] = ls;
  }
  return {
    path: t.tree.display,
    revisions: g.nodes.size,
    heads: ids(g.heads),
    bases: ids(g.bases),
    branchpoints: ids(g.branchpoints),
    merges: ids(g.merges),
    labels,
    order: topoOrder(g).map((id) => idJson(g, id)),
  };
}

function humanTree(t: LoadedTree): string {
  const g = t.graph;
  const show = (xs: string[]) => (xs.length === 0 ? "(none)" : sortIds(xs.map((x) => idJson(g, x))).map(idText).join(", "));
  const lines: string[] = [];
  lines.push(`${t.tree.display}: ${g.nodes.size} revision${g.nodes.size === 1 ? "" : "s"}`);
  const effective = g.heads.filter((h) => !g.realHeads.includes(h));
  lines.push(`  heads:         ${show(g.heads)}${effective.length > 0 ? `  (effective heads, only depended on: ${show(effective)})` : ""}`);
  lines.push(`  bases:         ${show(g.bases)}`);
  lines.push(`  branch points: ${show(g.branchpoints)}`);
  lines.push(`  merges:        ${show(g.merges)}`);
  const declared = g.all.filter((n) => n.declaredLabels.length > 0 || n.exprLabels.length > 0);
  lines.push(`  labels:        ${declared.length === 0 ? "(none)" : declared.map((n) => `${[...n.declaredLabels, ...n.exprLabels.map((e) => `{${e}}`)].join(", ")} (${idText(idJson(g, n.id))})`).join("; ")}`);
  const problems: string[] = [];
  if (g.dangling.length > 0) problems.push(`missing parents: ${g.dangling.map((d) => `${d.node.id} -> ${d.ref || '""'}`).join(", ")}`);
  if (g.duplicates.size > 0) problems.push(`duplicate ids: ${[...g.duplicates.keys()].join(", ")}`);
  if (g.cycles.length > 0) problems.push(`cycles: ${g.cycles.map((c) => c.ids.join(" ")).join("; ")}`);
  if (g.notRevisions.length > 0) problems.push(`not revisions: ${g.notRevisions.map((m) => m.path).join(", ")}`);
  for (const u of t.unreadable) problems.push(`unreadable: ${u.path} (${u.message})`);
  for (const p of problems) lines.push(`  ! ${p}`);
  lines.push("  history (base first):");
  const heads = new Set(g.heads);
  const bps = new Set(g.branchpoints);
  const merges = new Set(g.merges);
  for (const id of topoOrder(g)) {
    const n = g.nodes.get(id)!;
    const down = n.down === null ? `{${n.downExpr ?? "?"}}` : n.down.length === 0 ? "<base>" : n.down.join(", ");
    const tags = [heads.has(id) ? "(head)" : "", bps.has(id) ? "(branchpoint)" : "", merges.has(id) ? "(mergepoint)" : ""].filter(Boolean).join(" ");
    const ls = labelsOf(g, id);
    const msg = docMessage(n.migration);
    lines.push(`    ${down} -> ${idText(idJson(g, id))}${ls.length > 0 ? ` (${ls.map(idText).join(", ")})` : ""}${tags ? ` ${tags}` : ""}${msg ? `, ${msg}` : ""}`);
  }
  return lines.join("\n") + "\n";
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

export function dot(trees: LoadedTree[]): string {
  const out = ["digraph alembic {", "  rankdir=BT;", '  node [shape=box, fontname="Helvetica", fontsize=10];'];
  trees.forEach((t, i) => {
    const g = t.graph;
    const key = (id: string) => dotString(`${i}:${id}`);
    out.push(`  subgraph cluster_${i} {`, `    label=${dotString(t.tree.display)};`);
    const heads = new Set(g.heads);
    for (const id of topoOrder(g)) {
      const n = g.nodes.get(id)!;
      const ls = labelsOf(g, id).map(idText);
      const label = [idText(idJson(g, id)), docMessage(n.migration), ls.length > 0 ? `[${ls.join(", ")}]` : ""].filter(Boolean).join("\n");
      const attrs = [`label=${dotString(label)}`];
      if (heads.has(id)) attrs.push("peripheries=2");
      if (g.merges.includes(id)) attrs.push('style="rounded"');
      out.push(`    ${key(id)} [${attrs.join(", ")}];`);
    }
    for (const id of g.nodes.keys()) {
      for (const p of g.nodes.get(id)!.down ?? []) {
        if (g.nodes.has(p)) out.push(`    ${key(id)} -> ${key(p)};`);
        else {
          out.push(`    ${key(`missing:${p}`)} [label=${dotString(`${p || '""'} (missing)`)}, color=red, fontcolor=red];`);
          out.push(`    ${key(id)} -> ${key(`missing:${p}`)} [color=red];`);
        }
      }
      for (const d of g.resolvedDeps.get(id) ?? []) out.push(`    ${key(id)} -> ${key(d)} [style=dashed, label="depends_on"];`);
    }
    out.push("  }");
  });
  out.push("}");
  return out.join("\n") + "\n";
}

const HELP = `Usage: alembic-lint graph [PATH ...] [--json | --dot]

Prints the revision graph of each versions tree found under PATH (default: .): heads,
bases, branch points, merges, branch labels and the history from the bases, computed
from the migration headers without importing them.

  --json   {"trees": [{"path", "revisions", "heads", "bases", "branchpoints", "merges",
           "labels", "order"}]}
  --dot    Graphviz (pipe into \`dot -Tsvg\`)
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  let values: { json?: boolean; dot?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: "boolean" }, dot: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.stderr(`alembic-lint graph: ${(err as Error).message.split("\n")[0]} (see --help)\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (values.json && values.dot) {
    io.stderr("alembic-lint graph: --json and --dot are exclusive\n");
    return 2;
  }
  let trees: LoadedTree[];
  try {
    trees = await loadTrees(positionals, io.cwd);
  } catch (err) {
    io.stderr(`alembic-lint graph: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.json) io.stdout(JSON.stringify({ trees: trees.map(treeJson) }, null, 2) + "\n");
  else if (values.dot) io.stdout(dot(trees));
  else io.stdout(trees.map(humanTree).join("\n"));
  return 0;
}
