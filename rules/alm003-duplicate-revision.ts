import { defineRule } from "../src/engine/rule.js";
import { graphOf, revisionSpan } from "../src/graph.js";

const head = (id: string, parent: string | null, msg: string) =>
  `"""${msg}\n\nRevision ID: ${id}\nRevises: ${parent ?? ""}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${id}"\ndown_revision = ${parent ? `"${parent}"` : "None"}\n\n\n`;

export default defineRule({
  meta: {
    code: "ALM003",
    name: "duplicate-revision",
    severity: "error",
    category: "revision-graph",
    precision: "very-high",
    docs: {
      summary: "Two files declare the same revision id",
      rationale:
        "Alembic keys revisions by id: with a duplicate it only warns (\"Revision X is present more than once\"), " +
        "keeps the file loaded last and silently ignores the other one, so its operations never run; `alembic " +
        "history` and `upgrade` then fail with \"Requested revision ... overlaps\". It usually comes from copying a " +
        "migration file as a template.\n\nGive one of the files a fresh id (`uuid.uuid4().hex[-12:]`), update its " +
        "docstring and every `down_revision` that should point at it.",
      bad: {
        "1a2b3c4d5e6f_create_account.py": head("1a2b3c4d5e6f", null, "create account") + "def upgrade():\n    op.create_table(\"account\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"account\")\n",
        "2b3c4d5e6f70_add_email.py": head("2b3c4d5e6f70", "1a2b3c4d5e6f", "add email") + "def upgrade():\n    op.add_column(\"account\", sa.Column(\"email\", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"email\")\n",
        "2b3c4d5e6f70_add_phone.py": head("2b3c4d5e6f70", "1a2b3c4d5e6f", "add phone") + "def upgrade():\n    op.add_column(\"account\", sa.Column(\"phone\", sa.String(32)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"phone\")\n",
      },
      good: {
        "1a2b3c4d5e6f_create_account.py": head("1a2b3c4d5e6f", null, "create account") + "def upgrade():\n    op.create_table(\"account\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"account\")\n",
        "2b3c4d5e6f70_add_email.py": head("2b3c4d5e6f70", "1a2b3c4d5e6f", "add email") + "def upgrade():\n    op.add_column(\"account\", sa.Column(\"email\", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"email\")\n",
        "3c4d5e6f7081_add_phone.py": head("3c4d5e6f7081", "2b3c4d5e6f70", "add phone") + "def upgrade():\n    op.add_column(\"account\", sa.Column(\"phone\", sa.String(32)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"phone\")\n",
      },
    },
    messages: {
      duplicate: (a: { id: string; others: string[] }) =>
        `revision id ${a.id} is also declared in ${a.others.join(", ")}; Alembic keeps only one of these files and ` +
        `silently skips the other. Give this file a fresh revision id and update the down_revision that should point at it`,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    for (const [id, files] of g.duplicates) {
      for (const n of files) {
        const others = files.filter((o) => o !== n).map((o) => o.migration.path);
        ctx.reportIn(n.migration, {
          at: revisionSpan(n),
          message: "duplicate",
          data: { id, others },
          related: files.filter((o) => o !== n).map((o) => ({ path: o.migration.path, span: revisionSpan(o), message: `also declares ${id}` })),
          fingerprint: `duplicate:${id}`,
        });
      }
    }
  },
});
