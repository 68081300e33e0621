import { defineRule } from "../src/engine/rule.js";
import { analyzeReversibility } from "../src/analysis/inverse.js";

export default defineRule({
  meta: {
    code: "ALM105",
    name: "unmatched-downgrade-operation",
    severity: "warning",
    category: "reversibility",
    precision: "high",
    docs: {
      summary: "A downgrade operation undoes nothing the upgrade did",
      rationale:
        "Every operation in `downgrade()` should undo one in `upgrade()`. One that matches nothing is usually a typo " +
        "(`drop_column(\"account\", \"emial\")`) or a line copied from another revision: at best it fails at run time, " +
        "at worst it drops data the upgrade never created. Fix the name, or remove the operation.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("email", sa.String(255), nullable=True))\n\n\ndef downgrade():\n    op.drop_column("account", "emial")\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("email", sa.String(255), nullable=True))\n\n\ndef downgrade():\n    op.drop_column("account", "email")\n',
    },
    messages: {
      unmatched: (a: { what: string; hint: string }) =>
        `this downgrade operation ${a.what}${a.hint ? ` (${a.hint})` : ""}: fix the name to the object the upgrade changed, or remove it`,
    },
  },
  check(m, ctx) {
    for (const p of analyzeReversibility(m, ctx.dialect)) {
      for (const f of p.unmatched) {
        ctx.report({
          at: f.op,
          message: "unmatched",
          data: { what: f.what.replace(/upgrade\(\)/, `${p.up.name}()`), hint: f.hint ?? "" },
          related: [{ span: p.up.span, message: `${p.up.name}() has no matching operation` }],
          fingerprint: `unmatched:${f.what}`,
        });
      }
    }
  },
});
