import { defineRule } from "../src/engine/rule.js";

// Findings are produced by the suppression pass (src/engine/suppress.ts), which is the
// only place that knows which suppressions matched; this module holds the metadata.
export default defineRule({
  meta: {
    code: "ALM902",
    name: "unused-suppression",
    severity: "warning",
    category: "tool",
    precision: "very-high",
    docs: {
      summary: "A suppression comment suppresses nothing",
      rationale:
        "A stale `# alembic-lint: ignore[...]` or `# noqa: ALM...` comment hides nothing today but would silently " +
        "hide a future finding on that line. Remove it, as ruff's RUF100 and ESLint's " +
        "`--report-unused-disable-directives` ask.",
      bad: "def upgrade():\n    op.add_column('user', sa.Column('email', sa.String(255)))  # alembic-lint: ignore[ALM302] legacy\n\ndef downgrade():\n    op.drop_column('user', 'email')\n",
      good: "def upgrade():\n    op.add_column('user', sa.Column('email', sa.String(255)))\n\ndef downgrade():\n    op.drop_column('user', 'email')\n",
    },
    messages: {
      unused: (a: { codes: string }) => `suppression of ${a.codes} matches no finding; remove it`,
    },
  },
});
