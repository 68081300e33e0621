import { defineRule } from "../src/engine/rule.js";
import { graphOf, labelTokens, revisionSpan, type RevisionGraph } from "../src/graph.js";

const file = (id: string, parent: string | null, label: string | null, table: string) =>
  `"""create ${table}\n\nRevision ID: ${id}\nRevises: ${parent ?? ""}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${id}"\ndown_revision = ${parent ? `"${parent}"` : "None"}\n` +
  `branch_labels = ${label ? `("${label}",)` : "None"}\ndepends_on = None\n\n\n` +
  `def upgrade():\n    op.create_table("${table}", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("${table}")\n`;

/** Groups of roots that nothing tells apart: unlabelled roots together, and roots sharing a label. */
function conflictingBases(g: RevisionGraph): string[][] {
  const unlabelled: string[] = [];
  const byLabel = new Map<string, string[]>();
  for (const b of g.bases) {
    const n = g.nodes.get(b)!;
    if (n.opaque || n.deps === null || n.deps.length > 0) continue; // tied to another branch by depends_on
    const tokens = labelTokens(g, b);
    if (tokens.some((t) => t.startsWith("expr:"))) continue;
    if (tokens.length === 0) unlabelled.push(b);
    for (const t of tokens) byLabel.set(t, [...(byLabel.get(t) ?? []), b]);
  }
  const groups: string[][] = [];
  if (unlabelled.length > 1) groups.push(unlabelled.sort());
  for (const ids of byLabel.values()) if (ids.length > 1) groups.push(ids.sort());
  return groups;
}

export default defineRule({
  meta: {
    code: "ALM008",
    name: "multiple-bases",
    severity: "warning",
    category: "revision-graph",
    precision: "high",
    docs: {
      summary: "More than one root revision without branch labels to tell them apart",
      rationale:
        "Several revisions with `down_revision = None` make independent histories. That is legitimate for " +
        "deliberate multi-root layouts (one branch per plugin or database), which Alembic expects to be named with " +
        "branch labels. Unlabelled, it is usually a revision generated against an empty versions directory or a " +
        "`down_revision` lost in a merge conflict: `downgrade base` and `get_base()` become ambiguous.\n\n" +
        "Point the extra root at the revision it should follow, or give each independent branch a branch label " +
        "(`alembic revision --head=base --branch-label=<name>`).",
      bad: {
        "1a2b3c4d5e6f_create_account.py": file("1a2b3c4d5e6f", null, null, "account"),
        "2b3c4d5e6f70_create_invoice.py": file("2b3c4d5e6f70", null, null, "invoice"),
      },
      good: {
        "1a2b3c4d5e6f_create_account.py": file("1a2b3c4d5e6f", null, null, "account"),
        "2b3c4d5e6f70_create_invoice.py": file("2b3c4d5e6f70", null, "billing", "invoice"),
      },
    },
    messages: {
      bases: (a: { id: string; others: string[] }) =>
        `${a.id} is a root (down_revision is None) like ${a.others.join(", ")}, and no branch label tells these ` +
        `histories apart; point down_revision at the revision this one follows, or give each independent branch ` +
        `its own branch label`,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    for (const group of conflictingBases(g)) {
      for (const id of group) {
        const n = g.nodes.get(id)!;
        ctx.reportIn(n.migration, {
          at: n.migration.header.downRevision?.span ?? revisionSpan(n),
          message: "bases",
          data: { id, others: group.filter((o) => o !== id) },
          related: group.filter((o) => o !== id).map((o) => ({ path: g.nodes.get(o)!.migration.path, span: revisionSpan(g.nodes.get(o)!), message: `root ${o}` })),
          fingerprint: `bases:${group.join(",")}`,
        });
      }
    }
  },
});
