import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    code: "ALM901",
    name: "partial-analysis",
    severity: "note",
    category: "tool",
    precision: "very-high",
    docs: {
      summary: "Part of upgrade()/downgrade() could not be analyzed statically",
      rationale:
        "alembic-lint never imports or runs your code. Operations behind a helper imported from your application, " +
        "a dynamic table name, `op.invoke`, `op.run_async` or a loop over a non-literal collection cannot be seen, " +
        "so the other rules stay silent about them rather than guess. This note names what was skipped, once per " +
        "file, so you know which checks were limited there.",
      bad: "from myapp.migration_helpers import add_audit_columns\n\ndef upgrade():\n    add_audit_columns('invoice')\n\ndef downgrade():\n    pass\n",
      good: "def upgrade():\n    op.add_column('invoice', sa.Column('created_at', sa.DateTime()))\n\ndef downgrade():\n    op.drop_column('invoice', 'created_at')\n",
    },
    messages: {
      partial: (a: { what: string; more: number }) =>
        `not analyzed: ${a.what}${a.more > 0 ? ` (and ${a.more} more)` : ""}; checks that depend on it were skipped`,
    },
  },
  check(m, ctx) {
    const items = m.sections.flatMap((s) => s.unanalyzed.map((u) => ({ ...u, section: s.name })));
    const first = items[0];
    if (!first) return;
    const what = `${first.reason} in ${first.section}()`;
    ctx.report({ at: first.span, message: "partial", data: { what, more: items.length - 1 }, fingerprint: "partial" });
  },
});
