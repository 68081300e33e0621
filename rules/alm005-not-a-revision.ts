import path from "node:path";
import { defineRule } from "../src/engine/rule.js";
import { graphOf, lineSpan, mayBind } from "../src/graph.js";

const good =
  '"""add email\n\nRevision ID: 2b3c4d5e6f70\nRevises: \n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "2b3c4d5e6f70"\ndown_revision = None\n\n\n' +
  'def upgrade():\n    op.add_column("account", sa.Column("email", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column("account", "email")\n';

export default defineRule({
  meta: {
    code: "ALM005",
    name: "not-a-revision",
    severity: "error",
    category: "revision-graph",
    precision: "high",
    docs: {
      summary: "A .py file in a versions directory is not a revision (no module-level revision)",
      rationale:
        "Alembic imports every `.py` file in a versions directory (except `__init__.py`) as a revision. A helper " +
        "module, a leftover draft or a revision whose `revision` (or `down_revision`) variable is missing makes " +
        "every Alembic command fail (\"Could not determine revision id from filename\"); `revision: str` without " +
        "a value does not count either.\n\nMove helpers out of the versions directory (e.g. into your package), or " +
        "declare `revision = \"<id>\"` and `down_revision = ...` at module level.",
      bad: {
        "2b3c4d5e6f70_add_email.py": good,
        "helpers.py": "import sqlalchemy as sa\nfrom alembic import op\n\n\ndef add_audit_columns(table):\n    op.add_column(table, sa.Column(\"created_at\", sa.DateTime()))\n",
      },
      good: { "2b3c4d5e6f70_add_email.py": good },
    },
    messages: {
      noRevision: (a: { file: string }) =>
        `${a.file} is in a versions directory but declares no module-level \`revision\`; Alembic imports it as a ` +
        `revision and fails ("Could not determine revision id"). Move it out of the versions directory, or add ` +
        `\`revision = "<id>"\` and \`down_revision = ...\``,
      noDownRevision: (a: { id: string }) =>
        `revision ${a.id} declares no module-level \`down_revision\`; Alembic fails with AttributeError. ` +
        `Add \`down_revision = None\` (first revision) or the id of the revision it follows`,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    for (const m of g.notRevisions) {
      if (m.parseError || m.errorRegions.length > 0) continue;
      if (path.basename(m.path).startsWith("__init__")) continue;
      if (mayBind(m.source, "revision")) continue;
      ctx.reportIn(m, { at: lineSpan(m, 1), message: "noRevision", data: { file: path.basename(m.path) }, fingerprint: "no-revision" });
    }
    for (const n of g.all) {
      const m = n.migration;
      if (!n.downMissing || n.opaque || m.parseError || m.errorRegions.length > 0) continue;
      if (mayBind(m.source, "down_revision")) continue;
      ctx.reportIn(m, { at: lineSpan(m, 1), message: "noDownRevision", data: { id: n.id }, fingerprint: "no-down-revision" });
    }
  },
});
