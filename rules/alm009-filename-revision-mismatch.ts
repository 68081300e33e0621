import path from "node:path";
import { defineRule } from "../src/engine/rule.js";
import { graphOf, lineSpan } from "../src/graph.js";

const body = (id: string) =>
  `"""add email\n\nRevision ID: ${id}\nRevises: 1a2b3c4d5e6f\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${id}"\ndown_revision = "1a2b3c4d5e6f"\n\n\n` +
  `def upgrade():\n    op.add_column("account", sa.Column("email", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column("account", "email")\n`;
const base = `"""create account\n\nRevision ID: 1a2b3c4d5e6f\nRevises: \n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "1a2b3c4d5e6f"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("account")\n`;

/**
 * The revision id a file name carries: Alembic's `%(rev)s`, the first token of the stem after an
 * optional all-digit date prefix, when it is 12 hexadecimal characters. Ids later in the name are
 * the slug's (a merge's message names its parents) and a name without one is a template without it.
 */
export function nameRevision(stem: string): string | null {
  const first = stem.split(/[^0-9a-zA-Z]+/).find((t) => t !== "" && !/^\d+$/.test(t));
  return first !== undefined && /^[0-9a-f]{12}$/.test(first) ? first : null;
}

export default defineRule({
  meta: {
    code: "ALM009",
    name: "filename-revision-mismatch",
    severity: "note",
    category: "revision-graph",
    precision: "medium",
    docs: {
      summary: "The file name carries a revision id that differs from the declared revision",
      rationale:
        "Alembic names files `<rev>_<slug>.py` (possibly after a date prefix) but only reads the `revision` " +
        "variable. A file copied from another migration, or renumbered during a rebase, ends up with a name " +
        "that points people at the wrong revision.\n\nRename the file to match its `revision`, or fix the variable " +
        "if the name is right.",
      bad: { "1a2b3c4d5e6f_create_account.py": base, "9f8e7d6c5b4a_add_email.py": body("2b3c4d5e6f70") },
      good: { "1a2b3c4d5e6f_create_account.py": base, "2b3c4d5e6f70_add_email.py": body("2b3c4d5e6f70") },
    },
    messages: {
      mismatch: (a: { file: string; token: string; id: string }) =>
        `file name ${a.file} carries revision ${a.token} but the file declares revision ${a.id}; rename the file ` +
        `(e.g. ${a.file.replace(a.token, a.id)}) or fix \`revision\``,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    for (const n of g.all) {
      if (n.opaque || n.legacy) continue;
      const file = path.basename(n.migration.path);
      const stem = file.replace(/\.py$/, "");
      if (stem.includes(n.id)) continue;
      const token = nameRevision(stem);
      if (token === null) continue;
      ctx.reportIn(n.migration, {
        at: lineSpan(n.migration, 1),
        message: "mismatch",
        data: { file, token, id: n.id },
        fingerprint: `filename:${token}`,
      });
    }
  },
});
