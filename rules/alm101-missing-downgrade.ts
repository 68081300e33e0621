import { defineRule } from "../src/engine/rule.js";
import { pairStatus, renderInverse } from "../src/analysis/inverse.js";
import type { Migration, Section } from "../src/model.js";

/** The inverses of an upgrade, in reverse order, as a short preview for messages. */
export function expectedDowngrade(m: Migration, up: Section, max = 3): string {
  const calls: string[] = [];
  for (const op of [...up.ops].reverse()) {
    if (op.conditional) continue;
    const r = renderInverse(op, { source: m.source });
    // One line per call in a message (the source of an argument may span several).
    if (r) calls.push(r.code.replace(/\s*\n\s*/g, " "));
  }
  if (calls.length === 0) return "";
  const shown = calls.slice(0, max).map((c) => `\`${c}\``).join(", ");
  return calls.length > max ? `${shown} and ${calls.length - max} more` : shown;
}

export default defineRule({
  meta: {
    code: "ALM101",
    name: "missing-downgrade",
    severity: "error",
    category: "reversibility",
    precision: "very-high",
    fixable: true,
    docs: {
      summary: "The migration defines upgrade() with operations but no downgrade()",
      rationale:
        "`alembic downgrade` calls the revision's `downgrade()`; without it the command fails with an `AttributeError` " +
        "and the database cannot be rolled back past this revision. Write a `downgrade()` that undoes the upgrade's " +
        "operations in reverse order (what `alembic revision --autogenerate` produces). If the migration really cannot " +
        "be reversed, write a `downgrade()` that raises with the reason (ALM103 then asks you to document it).",
      bad:
        '"""add vat number\n\nRevision ID: 3f2a1b4c5d6e\nRevises: 1a2b3c4d5e6f\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("vat_number", sa.String(32), nullable=True))\n',
      good:
        '"""add vat number\n\nRevision ID: 3f2a1b4c5d6e\nRevises: 1a2b3c4d5e6f\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("vat_number", sa.String(32), nullable=True))\n\n\ndef downgrade():\n    op.drop_column("account", "vat_number")\n',
    },
    messages: {
      missing: (a: { up: string; down: string; body: string }) =>
        `${a.up}() has operations but the file defines no ${a.down}(): \`alembic downgrade\` fails here; ` +
        `add \`def ${a.down}():\` that undoes them in reverse order${a.body ? ` (${a.body})` : ""}`,
    },
  },
  check(m, ctx) {
    for (const pair of m.pairs) {
      if (pairStatus(pair) !== "missing") continue;
      const up = pair.upgrade!;
      const down = pair.suffix ? `downgrade_${pair.suffix}` : "downgrade";
      ctx.report({ at: up.span, message: "missing", data: { up: up.name, down, body: expectedDowngrade(m, up) }, fingerprint: `missing:${down}` });
    }
  },
});
