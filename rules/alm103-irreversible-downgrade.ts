import { defineRule } from "../src/engine/rule.js";
import { pairStatus } from "../src/analysis/inverse.js";

export default defineRule({
  meta: {
    code: "ALM103",
    name: "irreversible-downgrade",
    severity: "warning",
    category: "reversibility",
    precision: "very-high",
    docs: {
      summary: "downgrade() only raises: the migration is declared irreversible",
      rationale:
        "A `downgrade()` that raises (`NotImplementedError`, a custom exception) blocks `alembic downgrade` past this " +
        "revision. That can be the right decision (data was deleted, a type was narrowed), but it should be an explicit, " +
        "reviewed one: record the reason in a suppression comment, e.g. " +
        "`def downgrade():  # alembic-lint: ignore[ALM103] rows are deleted, restore from backup`. " +
        "If the migration can be reversed, write the inverse operations instead.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.drop_column("account", "legacy_code")\n\n\ndef downgrade():\n    raise NotImplementedError()\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.drop_column("account", "legacy_code")\n\n\ndef downgrade():\n    op.add_column("account", sa.Column("legacy_code", sa.String(16), nullable=True))\n',
    },
    messages: {
      raises: (a: { down: string; up: string }) =>
        `${a.down}() only raises, so ${a.up}() cannot be rolled back: if that is intended, record why in a suppression ` +
        `(\`# alembic-lint: ignore[ALM103] <reason>\` on the def line); otherwise write the inverse operations`,
    },
  },
  check(m, ctx) {
    for (const pair of m.pairs) {
      if (pairStatus(pair) !== "raises") continue;
      ctx.report({ at: pair.downgrade!.span, message: "raises", data: { down: pair.downgrade!.name, up: pair.upgrade!.name }, fingerprint: `raises:${pair.downgrade!.name}` });
    }
  },
});
