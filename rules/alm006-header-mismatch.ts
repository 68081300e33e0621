import { defineRule } from "../src/engine/rule.js";
import { graphOf, lineSpan } from "../src/graph.js";

const file = (docRev: string, docRevises: string, rev: string, down: string, col = "email") =>
  `"""add ${col}\n\nRevision ID: ${docRev}\nRevises: ${docRevises}\nCreate Date: 2024-03-02 10:00:00.123456\n\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n` +
  `# revision identifiers, used by Alembic.\nrevision = "${rev}"\ndown_revision = ${down}\nbranch_labels = None\ndepends_on = None\n\n\n` +
  `def upgrade():\n    op.add_column("account", sa.Column("${col}", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column("account", "${col}")\n`;

const show = (ids: string[]) => (ids.length === 0 ? "(none: a base)" : ids.join(", "));

export default defineRule({
  meta: {
    code: "ALM006",
    name: "header-mismatch",
    severity: "warning",
    category: "revision-graph",
    precision: "high",
    docs: {
      summary: "The docstring's Revision ID / Revises lines disagree with the revision / down_revision variables",
      rationale:
        "Alembic never reads the docstring, only the variables, but people do: reviewers, `git grep`, and whoever " +
        "resolves the next merge conflict. A docstring that still shows the pre-rebase parent (or the id of the file " +
        "it was copied from) sends them to the wrong revision.\n\nUpdate the `Revision ID:` and `Revises:` lines to " +
        "match `revision` and `down_revision` (a merge lists its parents comma-separated; a base leaves `Revises:` blank).",
      bad: {
        "0f1e2d3c4b5a_create_account.py": file("0f1e2d3c4b5a", "", "0f1e2d3c4b5a", "None", "login"),
        "1a2b3c4d5e6f_add_name.py": file("1a2b3c4d5e6f", "0f1e2d3c4b5a", "1a2b3c4d5e6f", '"0f1e2d3c4b5a"', "name"),
        "2b3c4d5e6f70_add_email.py": file("2b3c4d5e6f70", "0f1e2d3c4b5a", "2b3c4d5e6f70", '"1a2b3c4d5e6f"'),
      },
      good: {
        "0f1e2d3c4b5a_create_account.py": file("0f1e2d3c4b5a", "", "0f1e2d3c4b5a", "None", "login"),
        "1a2b3c4d5e6f_add_name.py": file("1a2b3c4d5e6f", "0f1e2d3c4b5a", "1a2b3c4d5e6f", '"0f1e2d3c4b5a"', "name"),
        "2b3c4d5e6f70_add_email.py": file("2b3c4d5e6f70", "1a2b3c4d5e6f", "2b3c4d5e6f70", '"1a2b3c4d5e6f"'),
      },
    },
    messages: {
      revision: (a: { doc: string; actual: string }) =>
        `docstring says "Revision ID: ${a.doc}" but \`revision = "${a.actual}"\`; change the line to "Revision ID: ${a.actual}"`,
      revises: (a: { doc: string; actual: string; fix: string }) =>
        `docstring says "Revises: ${a.doc}" but \`down_revision\` is ${a.actual}; change the line to "Revises: ${a.fix}"`,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    // One finding, not a cascade: a down_revision that ALM002 (missing parent) or ALM004
    // (cycle) reports is not reported again for disagreeing with the docstring.
    const broken = new Set<string>();
    for (const d of g.dangling) if (d.via === "down_revision") broken.add(d.node.migration.path);
    for (const c of g.cycles) if (!c.viaDeps) for (const n of g.all) if (c.ids.includes(n.id)) broken.add(n.migration.path);
    for (const n of g.all) {
      const m = n.migration;
      const doc = m.header.docstring;
      if (!doc || n.opaque) continue;
      if (doc.revision !== null && doc.revision !== "" && doc.revisionLine !== null && !n.legacy && doc.revision !== n.id) {
        ctx.reportIn(m, { at: lineSpan(m, doc.revisionLine), message: "revision", data: { doc: doc.revision, actual: n.id }, fingerprint: `doc-revision:${doc.revision}` });
      }
      if (doc.revises !== null && doc.revisesLine !== null && n.down !== null && !n.down.includes("") && !broken.has(m.path)) {
        // A trailing `# ...` on the line is not part of the list.
        const cut = doc.revises.findIndex((x) => x.startsWith("#"));
        // Words that cannot be ids ("Revises: 1a2b3c4d5e6f (merge)") are prose, not parents.
        const idLike = (x: string) => g.nodes.has(x) || n.down!.includes(x) || /\d/.test(x) || /^[0-9a-f]{6,}$/.test(x);
        const revises = (cut < 0 ? doc.revises : doc.revises.slice(0, cut)).filter(idLike);
        const a = new Set(revises);
        const b = new Set(n.down);
        const same = a.size === b.size && [...a].every((x) => b.has(x));
        if (!same) {
          ctx.reportIn(m, {
            at: lineSpan(m, doc.revisesLine),
            message: "revises",
            data: { doc: revises.join(", "), actual: show(n.down), fix: n.down.join(", ") },
            fingerprint: `doc-revises:${revises.join(",")}`,
          });
        }
      }
    }
  },
});
