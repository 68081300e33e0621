import { defineRule } from "../src/engine/rule.js";
import type { Op, Section } from "../src/model.js";
import { CHECK_DOWNGRADE_OPTION, checkedSections, mayReport, newObjects, sqlStatements, sqlTable, alterActions } from "../src/analysis/online-safety.js";
import { FileCache } from "../src/analysis/file-cache.js";
import { renameAwayRebuilds } from "../src/analysis/data-loss.js";
import { escapeRegExp } from "../src/analysis/schema.js";

const viewCache = new FileCache<Section, { order: number; text: string }[]>();

/** `CREATE VIEW` statements of a section, with their op's order. */
function viewStatements(s: Section): { order: number; text: string }[] {
  let out = viewCache.get(s);
  if (!out) {
    out = s.ops.flatMap((o) => sqlStatements(o).filter((st) => /^create\s+(or\s+replace\s+)?view\b/i.test(st.text)).map((st) => ({ order: o.order, text: st.text })));
    viewCache.set(s, out);
  }
  return out;
}

/** `CREATE [OR REPLACE] VIEW <old name>` later in the same function: the transitional shim. */
function viewUnderOldName(s: Section, op: Op, old: string, afterStmt = -1): boolean {
  const re = new RegExp(`^create\\s+(?:or\\s+replace\\s+)?view\\s+(?:[\\w$]+\\.|"[^"]+"\\.)?"?${escapeRegExp(old)}"?(?![\\w$])`, "i");
  if (afterStmt >= 0 && sqlStatements(op).some((st, i) => i > afterStmt && re.test(st.text))) return true;
  return viewStatements(s).some((v) => v.order > op.order && re.test(v.text));
}

export default defineRule({
  meta: {
    code: "ALM404",
    name: "rename-table",
    severity: "warning",
    category: "online-safety",
    precision: "high",
    docs: {
      summary: "rename_table renames a table that the running application still uses",
      rationale:
        "While the new code rolls out, the old version keeps querying the old table name, and it fails from the " +
        "moment the rename commits. Either rename in expand/contract steps (create the new table, write to both, " +
        "backfill, move reads, stop writing the old one, drop it later), or keep a compatibility view under the old " +
        "name in the same migration, e.g. `op.execute('CREATE VIEW old_name AS SELECT * FROM new_name')` (a simple " +
        "view is updatable on PostgreSQL and MySQL), and drop the view once no deployed code uses the old name.\n\n" +
        "`ALTER TABLE ... RENAME TO` in literal SQL passed to `op.execute()` is checked too. " +
        "A table created earlier in the same migration is not reported, nor a rename followed by such a view. " +
        "The hazard is the same on every database, so the rule is not dialect-specific.",
      bad:
        'from alembic import op\n\n\ndef upgrade():\n    op.rename_table("user_account", "account")\n\n\n' +
        'def downgrade():\n    op.rename_table("account", "user_account")\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n    op.rename_table("user_account", "account")\n' +
        '    op.execute("CREATE VIEW user_account AS SELECT * FROM account")\n\n\n' +
        'def downgrade():\n    op.execute("DROP VIEW user_account")\n    op.rename_table("account", "user_account")\n',
      peers: 'squawk: `renaming-table`; strong_migrations: "Renaming a table"; django-migration-linter: `RENAME_TABLE`',
    },
    messages: {
      rename: (a: { from: string; to: string; sqlFrom: string; sqlTo: string }) =>
        `renaming table "${a.from}" to "${a.to}" breaks the running application, which still queries "${a.from}"; ` +
        `keep a view under the old name (\`op.execute('CREATE VIEW ${a.sqlFrom} AS SELECT * FROM ${a.sqlTo}')\`) until no ` +
        `deployed code uses it, or move to "${a.to}" in expand/contract steps (create, write both, backfill, switch reads, drop)`,
    },
    options: CHECK_DOWNGRADE_OPTION,
  },
  check(m, ctx) {
    for (const s of checkedSections(m, ctx.options)) {
      const created = newObjects(s);
      for (const op of s.ops) {
        if (op.name === "execute") {
          for (const { schema, table, action, stmt, probe } of alterActions(op)) {
            if (action.kind !== "rename_table" || action.to === table) continue;
            if (!mayReport(m, s, op, { needTable: false })) continue;
            if (created.tableCreatedBefore(probe) || viewUnderOldName(s, op, table, stmt)) continue;
            ctx.report({
              at: op,
              message: "rename",
              data: { from: schema ? `${schema}.${table}` : table, to: action.to, sqlFrom: sqlTable(schema, table), sqlTo: sqlTable(schema, action.to) },
            });
          }
          continue;
        }
        if (op.name !== "rename_table") continue;
        const from = op.table;
        const to = op.args.new_table_name;
        if (from === null || typeof to !== "string" || from === to) continue;
        if (!mayReport(m, s, op)) continue;
        if (created.tableCreatedBefore(op)) continue;
        if (viewUnderOldName(s, op, from)) continue;
        // Renamed away to rebuild it: the function creates the table under its name again.
        if (renameAwayRebuilds(s).ops.has(op)) continue;
        ctx.report({
          at: op,
          message: "rename",
          data: { from: op.schema ? `${op.schema}.${from}` : from, to, sqlFrom: sqlTable(op.schema, from), sqlTo: sqlTable(op.schema, to) },
        });
      }
    }
  },
});
