import { defineRule } from "../src/engine/rule.js";
import { analyzeReversibility } from "../src/analysis/inverse.js";

export default defineRule({
  meta: {
    code: "ALM106",
    name: "incomplete-inverse",
    severity: "error",
    category: "reversibility",
    precision: "high",
    docs: {
      summary: "A downgrade operation answers the upgrade but does not restore the previous state",
      rationale:
        "The pair exists but the schema after `alembic downgrade` is not the schema before the upgrade: an " +
        "`alter_column` that does not set each changed attribute (`type_`, `nullable`, `server_default`, `comment`) " +
        "back to its previous value (the upgrade's `existing_*`), a rename back to a different name, or an object of " +
        "the wrong kind (`drop_index` for a unique constraint). Write the downgrade so it restores exactly what the " +
        "upgrade changed.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.alter_column("account", "name", existing_type=sa.String(50), type_=sa.String(200), existing_nullable=True, nullable=False)\n\n\ndef downgrade():\n    op.alter_column("account", "name", existing_type=sa.String(200), type_=sa.String(50))\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.alter_column("account", "name", existing_type=sa.String(50), type_=sa.String(200), existing_nullable=True, nullable=False)\n\n\ndef downgrade():\n    op.alter_column("account", "name", existing_type=sa.String(200), type_=sa.String(50), existing_nullable=False, nullable=True)\n',
    },
    messages: {
      incomplete: (a: { problem: string; fix: string }) => `${a.problem}: ${a.fix}`,
    },
  },
  check(m, ctx) {
    for (const p of analyzeReversibility(m, ctx.dialect)) {
      for (const f of p.incomplete) {
        ctx.report({
          at: f.op,
          message: "incomplete",
          data: { problem: f.problem, fix: f.fix },
          related: [{ span: f.upgradeOp.span, message: "the upgrade operation it should undo" }],
          fingerprint: `incomplete:${f.problem}`,
        });
      }
    }
  },
});
