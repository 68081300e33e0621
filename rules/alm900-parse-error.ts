import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    code: "ALM900",
    name: "parse-error",
    severity: "error",
    category: "tool",
    alwaysOn: true,
    precision: "very-high",
    docs: {
      summary: "The file is not valid Python, or cannot be read or decoded",
      rationale:
        "Alembic imports every `.py` file of a versions directory, so a file that does not parse breaks every " +
        "`alembic` command. The finding points at the first syntax error, indentation errors included (a line " +
        "indented deeper than its block, a dedent to no enclosing level, tabs and spaces mixed: Python's " +
        "`IndentationError` and `TabError`). The other rules still run on the parts " +
        "that parsed, but nothing inside the broken region is analyzed, and `--fix` never writes to such a file.",
      bad: "def upgrade():\n    op.add_column('user', sa.Column('email', sa.String(255))\n\ndef downgrade():\n    op.drop_column('user', 'email')\n",
      good: "def upgrade():\n    op.add_column('user', sa.Column('email', sa.String(255)))\n\ndef downgrade():\n    op.drop_column('user', 'email')\n",
    },
    messages: {
      syntax: (a: { detail: string }) => a.detail,
    },
  },
  check(m, ctx) {
    const e = m.parseError;
    if (!e) return;
    ctx.report({ at: { line: e.line, column: e.column, endLine: e.line, endColumn: e.column + 1 }, message: "syntax", data: { detail: e.message }, fingerprint: "syntax" });
  },
});
