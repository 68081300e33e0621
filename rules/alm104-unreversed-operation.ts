import { defineRule } from "../src/engine/rule.js";
import { analyzeReversibility } from "../src/analysis/inverse.js";

export default defineRule({
  meta: {
    code: "ALM104",
    name: "unreversed-operation",
    severity: "error",
    category: "reversibility",
    precision: "high",
    fixable: true,
    docs: {
      summary: "An upgrade operation has no inverse in downgrade()",
      rationale:
        "The expected `downgrade()` is the upgrade's operations inverted, in reverse order (what autogenerate writes). " +
        "An operation without its inverse leaves its change behind after `alembic downgrade`: the next upgrade then " +
        "fails (`column already exists`) or the schema silently drifts from what the revision table says. Objects are " +
        "matched after normalisation (`op.f(\"x\")` equals `\"x\"`, batch and non-batch forms are interchangeable, " +
        "renames are followed), and dropping a table covers everything the upgrade created on it. The message shows " +
        "the exact call to add; for drops it needs the original definition (type, nullability, columns of an index...).",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("vat_number", sa.String(32), nullable=True))\n    op.create_index("ix_account_vat_number", "account", ["vat_number"])\n\n\ndef downgrade():\n    op.drop_index("ix_account_vat_number", table_name="account")\n',
      good:
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b4c5d6e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n    op.add_column("account", sa.Column("vat_number", sa.String(32), nullable=True))\n    op.create_index("ix_account_vat_number", "account", ["vat_number"])\n\n\ndef downgrade():\n    op.drop_index("ix_account_vat_number", table_name="account")\n    op.drop_column("account", "vat_number")\n',
    },
    messages: {
      derivable: (a: { what: string; down: string; code: string }) =>
        `${a.what} is not undone in ${a.down}(): add \`${a.code}\``,
      needsDefinition: (a: { what: string; down: string; code: string; missing: string }) =>
        `${a.what} is not undone in ${a.down}(): add \`${a.code}\`, written with ${a.missing}`,
    },
  },
  check(m, ctx) {
    for (const p of analyzeReversibility(m, ctx.dialect)) {
      for (const f of p.missing) {
        const related = [{ span: p.down.span, message: `${p.down.name}() lacks the inverse` }];
        if (f.derivable) {
          ctx.report({ at: f.op, message: "derivable", data: { what: f.what, down: p.down.name, code: f.code }, related, fingerprint: `missing:${f.code}` });
        } else {
          ctx.report({
            at: f.op,
            message: "needsDefinition",
            data: { what: f.what, down: p.down.name, code: f.code, missing: f.missing ?? "the original definition" },
            related,
            fingerprint: `missing:${f.what}`,
          });
        }
      }
    }
  },
});
