import { defineRule } from "../src/engine/rule.js";
import { graphOf, revisionSpan, type RevNode } from "../src/graph.js";
import type { Span } from "../src/model.js";

const file = (id: string, parent: string | null, label: string | null, table: string) =>
  `"""create ${table}\n\nRevision ID: ${id}\nRevises: ${parent ?? ""}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${id}"\ndown_revision = ${parent ? `"${parent}"` : "None"}\n` +
  `branch_labels = ${label ? `("${label}",)` : "None"}\ndepends_on = None\n\n\n` +
  `def upgrade():\n    op.create_table("${table}", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("${table}")\n`;

const labelSpan = (n: RevNode): Span => n.migration.header.branchLabels?.span ?? revisionSpan(n);

export default defineRule({
  meta: {
    code: "ALM007",
    name: "duplicate-branch-label",
    severity: "error",
    category: "revision-graph",
    precision: "very-high",
    docs: {
      summary: "The same branch label is declared by two revisions (or equals a revision id)",
      rationale:
        "Branch labels share one namespace with revision ids: a label declared by two revisions, or equal to an " +
        "existing revision id, makes Alembic raise \"Branch name 'X' in revision A already used by revision B\" on " +
        "every command. It typically comes from copying the first file of a branch to start another one.\n\n" +
        "Declare each label once, on the first revision of its branch (later revisions inherit it); give the other " +
        "branch its own label.",
      bad: {
        "1a2b3c4d5e6f_create_account.py": file("1a2b3c4d5e6f", null, null, "account"),
        "2b3c4d5e6f70_create_invoice.py": file("2b3c4d5e6f70", "1a2b3c4d5e6f", "billing", "invoice"),
        "3c4d5e6f7081_create_audit.py": file("3c4d5e6f7081", "1a2b3c4d5e6f", "billing", "audit"),
      },
      good: {
        "1a2b3c4d5e6f_create_account.py": file("1a2b3c4d5e6f", null, null, "account"),
        "2b3c4d5e6f70_create_invoice.py": file("2b3c4d5e6f70", "1a2b3c4d5e6f", "billing", "invoice"),
        "3c4d5e6f7081_create_audit.py": file("3c4d5e6f7081", "1a2b3c4d5e6f", "audit", "audit"),
      },
    },
    messages: {
      duplicate: (a: { label: string; id: string; others: string[] }) =>
        `branch label "${a.label}" of ${a.id} is also declared by ${a.others.join(", ")}; Alembic raises ` +
        `"Branch name '${a.label}' ... already used". Declare it once, on the first revision of the branch, and ` +
        `give the other branch its own label`,
      clashesWithId: (a: { label: string; id: string; path: string }) =>
        `branch label "${a.label}" of ${a.id} equals the revision id declared in ${a.path}; labels and ids share one ` +
        `namespace and Alembic refuses it. Choose another label`,
      repeated: (a: { label: string; id: string }) =>
        `branch label "${a.label}" is listed twice in ${a.id}'s branch_labels; Alembic refuses it. List it once`,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    const byLabel = new Map<string, RevNode[]>();
    for (const n of g.all) {
      if (n.opaque) continue;
      const seen = new Set<string>();
      for (const l of n.declaredLabels) {
        if (seen.has(l)) {
          ctx.reportIn(n.migration, { at: labelSpan(n), message: "repeated", data: { label: l, id: n.id }, fingerprint: `label-repeated:${l}` });
          continue;
        }
        seen.add(l);
        byLabel.set(l, [...(byLabel.get(l) ?? []), n]);
      }
    }
    for (const [label, decl] of byLabel) {
      // One file read twice (a duplicate id with identical content) is ALM003's business.
      const distinct = decl.filter((n, i) => decl.findIndex((o) => o.migration === n.migration) === i);
      if (distinct.length > 1 && new Set(distinct.map((n) => n.id)).size > 1) {
        for (const n of distinct) {
          const others = distinct.filter((o) => o !== n);
          ctx.reportIn(n.migration, {
            at: labelSpan(n),
            message: "duplicate",
            data: { label, id: n.id, others: others.map((o) => o.id) },
            related: others.map((o) => ({ path: o.migration.path, span: labelSpan(o), message: `also declares "${label}"` })),
            fingerprint: `label:${label}`,
          });
        }
      }
      const idOwner = g.nodes.get(label);
      if (idOwner && !idOwner.opaque) {
        for (const n of distinct) {
          ctx.reportIn(n.migration, {
            at: labelSpan(n),
            message: "clashesWithId",
            data: { label, id: n.id, path: idOwner.migration.path },
            related: [{ path: idOwner.migration.path, span: revisionSpan(idOwner), message: `revision ${label}` }],
            fingerprint: `label-id:${label}`,
          });
        }
      }
    }
  },
});
