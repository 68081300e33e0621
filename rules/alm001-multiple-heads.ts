import { defineRule } from "../src/engine/rule.js";
import type { RelatedLocation } from "../src/engine/rule.js";
import { ancestors, graphOf, labelTokens, revisionSpan, type RevisionGraph } from "../src/graph.js";
import type { MigrationSetWithScripts } from "../src/scripts.js";

/** Heads whose lineage is fully known (no missing parent, no cycle, no unresolved header). */
function trustworthyHeads(g: RevisionGraph): string[] {
  const broken = new Set<string>();
  for (const d of g.dangling) if (d.via === "down_revision") broken.add(d.node.id);
  for (const c of g.cycles) for (const id of c.ids) broken.add(id);
  for (const id of g.duplicates.keys()) broken.add(id);
  return g.heads.filter((h) => {
    if (h.startsWith("?")) return false;
    for (const a of ancestors(g, [h], false)) if (broken.has(a)) return false;
    return true;
  });
}

/** Groups of heads that conflict: unlabelled heads together, and heads sharing a label. */
export function conflictingHeadGroups(g: RevisionGraph, others: RevisionGraph[] = [], allowLabelled = true): string[][] {
  if (g.hasOpaqueDown) return [];
  // A revision in another versions tree of the run (another version location) may continue a head.
  const continued = new Set(others.flatMap((o) => o.all.flatMap((n) => [...(n.down ?? []), ...(n.deps ?? [])])));
  const heads = trustworthyHeads(g).filter((h) => !continued.has(h));
  // Labels declared twice (or equal to an id) are ALM007's finding; renaming one of them is
  // what separates those branches, so their heads are not reported as conflicting too.
  const declaredBy = new Map<string, Set<string>>();
  for (const n of g.all) for (const l of n.declaredLabels) declaredBy.set(l, (declaredBy.get(l) ?? new Set()).add(n.id));
  const broken = new Set([...declaredBy].filter(([l, ids]) => ids.size > 1 || g.nodes.has(l)).map(([l]) => l));
  const unlabelled: string[] = [];
  const labelled: { id: string; labels: string[] }[] = [];
  for (const h of heads) {
    const tokens = labelTokens(g, h);
    if (tokens.some((t) => t.startsWith("expr:"))) continue; // an unknown label: never guess
    if (tokens.some((t) => broken.has(t))) continue;
    if (tokens.length === 0 || !allowLabelled) unlabelled.push(h);
    else labelled.push({ id: h, labels: tokens });
  }
  const groups: string[][] = [];
  if (unlabelled.length > 1) groups.push(unlabelled.sort());
  // Union heads that share a label.
  const parent = new Map(labelled.map((h) => [h.id, h.id]));
  const find = (x: string): string => (parent.get(x) === x ? x : find(parent.get(x)!));
  const byLabel = new Map<string, string>();
  for (const h of labelled) {
    for (const l of h.labels) {
      const other = byLabel.get(l);
      if (other === undefined) byLabel.set(l, h.id);
      else parent.set(find(h.id), find(other));
    }
  }
  const comp = new Map<string, string[]>();
  for (const h of labelled) {
    const r = find(h.id);
    comp.set(r, [...(comp.get(r) ?? []), h.id]);
  }
  for (const c of comp.values()) if (c.length > 1) groups.push(c.sort());
  return groups;
}

/**
 * The revisions where the heads' histories part: two of its children lead to different
 * heads (aaaa → {bbbb, cccc}, bbbb → {dddd, eeee} with heads cccc, dddd, eeee: aaaa and
 * bbbb). A fork that merges again before any head is not one.
 */
export function branchPointsOf(g: RevisionGraph, heads: string[]): string[] {
  const lineage = heads.map((h) => new Set([h, ...ancestors(g, [h], false)]));
  /** Which heads a revision leads to, as a bit set over `heads`. */
  const reaches = (id: string) => lineage.reduce((bits, l, i) => (l.has(id) ? bits | (1n << BigInt(i)) : bits), 0n);
  const out = new Set<string>();
  for (const l of lineage) {
    for (const id of l) {
      if (out.has(id)) continue;
      const sets = [...(g.children.get(id) ?? [])].map(reaches).filter((b) => b !== 0n);
      // Two children each reaching a head the other does not.
      if (sets.some((a, i) => sets.some((b, j) => j > i && (a & ~b) !== 0n && (b & ~a) !== 0n))) out.add(id);
    }
  }
  return [...out].sort();
}

export default defineRule({
  meta: {
    code: "ALM001",
    name: "multiple-heads",
    severity: "error",
    category: "revision-graph",
    precision: "very-high",
    docs: {
      summary: "The versions tree has several heads that no branch label separates",
      rationale:
        "Two revisions were created on the same parent (typically on two feature branches) and nobody ran " +
        "`alembic merge`. `alembic upgrade head` and `alembic revision` then fail with \"Multiple head revisions " +
        "are present\", usually at deploy time, while `alembic heads` still exits 0.\n\n" +
        "Create a merge revision: `alembic merge -m \"merge heads\" <head1> <head2>` (the message names the exact " +
        "ids), or rebase one branch by pointing its first revision's `down_revision` at the other head. " +
        "Deliberate parallel branches (e.g. `expand`/`contract`, one branch per plugin) are fine when each head " +
        "carries its own branch label.",
      bad: {
        "1a2b3c4d5e6f_create_account.py": "\"\"\"create account\n\nRevision ID: 1a2b3c4d5e6f\nRevises: \nCreate Date: 2024-03-01 10:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"1a2b3c4d5e6f\"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.create_table(\"account\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"account\")\n",
        "2b3c4d5e6f70_add_email.py": "\"\"\"add email\n\nRevision ID: 2b3c4d5e6f70\nRevises: 1a2b3c4d5e6f\nCreate Date: 2024-03-02 10:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"2b3c4d5e6f70\"\ndown_revision = \"1a2b3c4d5e6f\"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.add_column(\"account\", sa.Column(\"email\", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"email\")\n",
        "3c4d5e6f7081_add_phone.py": "\"\"\"add phone\n\nRevision ID: 3c4d5e6f7081\nRevises: 1a2b3c4d5e6f\nCreate Date: 2024-03-02 11:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"3c4d5e6f7081\"\ndown_revision = \"1a2b3c4d5e6f\"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.add_column(\"account\", sa.Column(\"phone\", sa.String(32)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"phone\")\n",
      },
      good: {
        "1a2b3c4d5e6f_create_account.py": "\"\"\"create account\n\nRevision ID: 1a2b3c4d5e6f\nRevises: \nCreate Date: 2024-03-01 10:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"1a2b3c4d5e6f\"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.create_table(\"account\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"account\")\n",
        "2b3c4d5e6f70_add_email.py": "\"\"\"add email\n\nRevision ID: 2b3c4d5e6f70\nRevises: 1a2b3c4d5e6f\nCreate Date: 2024-03-02 10:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"2b3c4d5e6f70\"\ndown_revision = \"1a2b3c4d5e6f\"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.add_column(\"account\", sa.Column(\"email\", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"email\")\n",
        "3c4d5e6f7081_add_phone.py": "\"\"\"add phone\n\nRevision ID: 3c4d5e6f7081\nRevises: 2b3c4d5e6f70\nCreate Date: 2024-03-02 11:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"3c4d5e6f7081\"\ndown_revision = \"2b3c4d5e6f70\"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.add_column(\"account\", sa.Column(\"phone\", sa.String(32)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"phone\")\n",
      },
    },
    options: {
      allow_labelled_branches: {
        type: "boolean",
        default: true,
        description: "Heads that carry different branch labels (expand/contract, one branch per plugin) are legitimate; set to false to require a single head.",
      },
    },
    messages: {
      heads: (a: { id: string; others: string[]; from: string; command: string }) =>
        `multiple heads: ${a.id} and ${a.others.join(", ")} ${a.from}; \`alembic upgrade head\` will fail. ` +
        `Merge them with \`${a.command}\` (or point one branch's first revision at the other head)`,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    const others = ((set as MigrationSetWithScripts).allSets ?? []).filter((s) => s !== set).map(graphOf);
    if (others.some((o) => o.hasOpaqueDown)) return;
    for (const group of conflictingHeadGroups(g, others, ctx.options.allow_labelled_branches !== false)) {
      const bps = branchPointsOf(g, group);
      const from = bps.length > 0 ? `branch from ${bps.join(", ")}` : "start from separate bases";
      const command = `alembic merge -m "merge heads" ${group.join(" ")}`;
      for (const id of group) {
        const node = g.nodes.get(id)!;
        const related: RelatedLocation[] = [];
        for (const o of group) {
          if (o === id) continue;
          const on = g.nodes.get(o)!;
          related.push({ path: on.migration.path, span: revisionSpan(on), message: `other head ${o}` });
        }
        for (const b of bps) {
          const bn = g.nodes.get(b)!;
          related.push({ path: bn.migration.path, span: revisionSpan(bn), message: `branch point ${b}` });
        }
        ctx.reportIn(node.migration, {
          at: revisionSpan(node),
          message: "heads",
          data: { id, others: group.filter((o) => o !== id), from, command },
          related,
          fingerprint: `heads:${group.join(",")}`,
          evenOutsideTargets: true,
        });
      }
    }
  },
});
