import { defineRule } from "../src/engine/rule.js";
import { isExpr, type Migration, type Op, type Section, type Value } from "../src/model.js";
import { CHECK_DOWNGRADE_OPTION, checkedSections, mayReport, newObjects, schemaKw, sqlIdent, tableLabel, alterActions } from "../src/analysis/online-safety.js";
import { FileCache } from "../src/analysis/file-cache.js";
import { descendants, graphOf } from "../src/graph.js";
import { escapeRegExp } from "../src/analysis/schema.js";

function text(v: Value | undefined): string {
  if (typeof v === "string") return v;
  if (isExpr(v)) return v.expr;
  return "";
}

/** A constraint name like `ck_user_email_not_null` / `user_email_nn`. */
function notNullName(name: string, column: string): boolean {
  return name.toLowerCase().includes(column.toLowerCase()) && /not_?null|_nn\b|\bnn_/i.test(name);
}

/** Explicit, so that refineInTree can read the table and column back. */
function fingerprintOf(table: string, column: string): string {
  return `set_not_null:${table}.${column}`;
}

/**
 * Another revision's text shows the recipe for this column: a `CHECK (column IS NOT NULL)`
 * constraint (SQL or create_check_constraint) or the VALIDATE of a not-null constraint,
 * in a file that names the table. Postgres 12+ then sets NOT NULL without a scan.
 */
const MAY_HOLD_RECIPE = /not\s+null|not_?null|_nn\b/i;

function recipeInSource(source: string, table: string, column: string): boolean {
  const lower = source.toLowerCase();
  if (!lower.includes(table.toLowerCase()) || !lower.includes(column.toLowerCase())) return false;
  const col = escapeRegExp(column);
  if (/\bcheck\b|create_check_constraint/i.test(source) && new RegExp(`(?<![\\w$])["'\\\\]*${col}["'\\\\]*\\s*\\)?\\s+is\\s+not\\s+null\\b`, "i").test(source)) return true;
  for (const v of source.matchAll(/\bvalidate\s+constraint\s+["'\\]*([\w$]+)/gi)) if (notNullName(v[1]!, column)) return true;
  return false;
}

const recipeCache = new FileCache<Section, Op[]>();

/** The ops of a section that can be part of the CHECK-constraint recipe. */
function recipeOps(s: Section): Op[] {
  let out = recipeCache.get(s);
  if (!out) {
    out = s.ops.filter(
      (o) =>
        o.name === "create_check_constraint" ||
        o.name === "drop_constraint" ||
        (o.name === "execute" && typeof o.sql === "string" && /\bis\s+not\s+null\b|\bvalidate\b/i.test(o.sql)),
    );
    recipeCache.set(s, out);
  }
  return out;
}

/**
 * The safe recipe is visible in this function: a `CHECK (col IS NOT NULL)` constraint
 * (created, validated, or dropped after Postgres 12 used it to skip the scan).
 */
function notNullCheckNearby(s: Section, op: Op, column: string, table: string | null = op.table): boolean {
  const col = escapeRegExp(column);
  const isNotNull = new RegExp(`(?<![\\w$])"?${col}"?\\s*\\)?\\s+is\\s+not\\s+null\\b`, "i");
  const pyNotNull = new RegExp(`["']${col}["'][^\\n]*\\.(isnot|is_not)\\(\\s*None\\s*\\)`, "i");
  for (const o of recipeOps(s)) {
    if (o.table !== null && o.table !== table && o.name !== "execute") continue;
    if (o.name === "create_check_constraint") {
      const c = text(o.args.condition);
      if (isNotNull.test(c) || pyNotNull.test(c)) return true;
    } else if (o.name === "execute" && typeof o.sql === "string") {
      if (/\bcheck\b/i.test(o.sql) && isNotNull.test(o.sql)) return true;
      const v = /\bvalidate\s+constraint\s+"?([\w$]+)/i.exec(o.sql);
      if (v && notNullName(v[1]!, column)) return true;
    } else if (o.name === "drop_constraint" && o.order > op.order) {
      const n = o.args.constraint_name;
      if (typeof n === "string" && notNullName(n, column)) return true;
    }
  }
  return false;
}

export default defineRule({
  meta: {
    code: "ALM406",
    name: "set-not-null",
    severity: "warning",
    category: "online-safety",
    precision: "high",
    docs: {
      summary: "alter_column(nullable=False) on an existing column scans the whole table under an exclusive lock",
      rationale:
        "`ALTER TABLE ... ALTER COLUMN ... SET NOT NULL` takes an `ACCESS EXCLUSIVE` lock on PostgreSQL and keeps it " +
        "while every row is checked: reads and writes stop for the whole scan, and the statement fails if a `NULL` " +
        "is left. The safe recipe:\n\n" +
        "1. backfill the column (in batches) and make the application always write it;\n" +
        "2. add `op.create_check_constraint(\"ck_t_c_not_null\", \"t\", \"c IS NOT NULL\", postgresql_not_valid=True)` " +
        "(a brief lock, no scan);\n" +
        "3. in a later migration `op.execute(\"ALTER TABLE t VALIDATE CONSTRAINT ck_t_c_not_null\")` (scans under a " +
        "lock that allows reads and writes);\n" +
        "4. then `op.alter_column(\"t\", \"c\", nullable=False)`: Postgres 12+ uses the validated constraint and " +
        "skips the scan; drop the check constraint afterwards.\n\n" +
        "`ALTER TABLE ... ALTER COLUMN ... SET NOT NULL` in literal SQL passed to `op.execute()` is checked too. " +
        "Not reported for columns added (or tables created) in the same migration: filling a new column before " +
        "setting it `NOT NULL` is ALM206's business. Also silent when the function shows the recipe (a " +
        "`CHECK (c IS NOT NULL)` constraint on the column), or an earlier revision of the tree does (its CHECK " +
        "constraint or the VALIDATE of a not-null constraint on that column). PostgreSQL only: on MySQL, `MODIFY ... NOT NULL` " +
        "rebuilds the table (online, `ALGORITHM=INPLACE`, in strict mode) and still fails on existing `NULL`s.",
      bad:
        'from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n' +
        '    op.alter_column("invoice", "currency", existing_type=sa.String(length=3), nullable=False)\n\n\n' +
        'def downgrade():\n    op.alter_column("invoice", "currency", existing_type=sa.String(length=3), nullable=True)\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n' +
        '    op.create_check_constraint(\n        "ck_invoice_currency_not_null", "invoice", "currency IS NOT NULL", postgresql_not_valid=True\n    )\n\n\n' +
        'def downgrade():\n    op.drop_constraint("ck_invoice_currency_not_null", "invoice", type_="check")\n',
      peers:
        'squawk: `adding-not-nullable-field`; strong_migrations: "Setting NOT NULL on an existing column"; ' +
        "django-migration-linter: `NOT_NULL`",
    },
    messages: {
      setNotNull: (a: { table: string; column: string; t: string; schemaKw: string; sqlColumn: string }) =>
        `setting NOT NULL on existing column "${a.column}" of ${a.table} scans every row under an ACCESS EXCLUSIVE lock ` +
        `(reads and writes blocked); instead backfill, add \`op.create_check_constraint("ck_${a.t}_${a.column}_not_null", ` +
        `"${a.t}", "${a.sqlColumn} IS NOT NULL"${a.schemaKw}, postgresql_not_valid=True)\`, VALIDATE it in a later migration, then set ` +
        `NOT NULL (Postgres 12+ skips the scan) and drop the check`,
    },
    options: CHECK_DOWNGRADE_OPTION,
  },
  check(m, ctx) {
    if (ctx.dialect !== "postgresql") return;
    for (const s of checkedSections(m, ctx.options)) {
      const created = newObjects(s);
      for (const op of s.ops) {
        if (op.name === "execute") {
          for (const { schema, table, action, probe } of alterActions(op)) {
            if (action.kind !== "set_not_null") continue;
            if (!mayReport(m, s, op, { needTable: false })) continue;
            if (created.columnCreatedBefore(probe, action.column) || created.tableCreatedInSection(schema, table) || notNullCheckNearby(s, op, action.column, table)) continue;
            ctx.report({
              at: op,
              message: "setNotNull",
              data: { table: tableLabel(schema, table), column: action.column, t: table, schemaKw: schema ? `, schema=${JSON.stringify(schema)}` : "", sqlColumn: sqlIdent(action.column) },
              fingerprint: fingerprintOf(table, action.column),
            });
          }
          continue;
        }
        if (op.name !== "alter_column" || op.args.nullable !== false) continue;
        if (op.args.existing_nullable === false) continue; // already NOT NULL: nothing changes
        const column = op.args.column_name;
        if (typeof column !== "string") continue;
        if (!mayReport(m, s, op)) continue;
        if (created.columnCreatedBefore(op, column) || created.tableCreatedInSection(op.schema, op.table)) continue;
        if (notNullCheckNearby(s, op, column)) continue;
        ctx.report({
          at: op,
          message: "setNotNull",
          data: { table: tableLabel(op.schema, op.table), column, t: op.table!, schemaKw: schemaKw(op), sqlColumn: sqlIdent(column) },
          fingerprint: fingerprintOf(op.table!, column),
        });
      }
    }
  },
  refineInTree(findings, set) {
    const g = graphOf(set);
    const nodeOf = new Map<string, string>();
    for (const [id, n] of g.nodes) nodeOf.set(n.migration.path, id);
    // Files that may hold a recipe at all (read once), and the revisions that come after each.
    const candidates = set.migrations.filter((m) => MAY_HOLD_RECIPE.test(m.source));
    const later = new Map<Migration, Set<string> | null>();
    const laterOf = (m: Migration) => {
      if (!later.has(m)) {
        const id = nodeOf.get(m.path);
        later.set(m, id !== undefined ? descendants(g, [id]) : null);
      }
      return later.get(m)!;
    };
    return findings.filter((d) => {
      const f = /^set_not_null:(.*)\.([^.]*)$/.exec(d.fingerprint);
      if (!f) return true;
      const [, table, column] = f as unknown as [string, string, string];
      const id = nodeOf.get(d.path);
      // A recipe in an earlier revision (or anywhere when either place in the graph is unknown).
      return !candidates.some((m) => {
        if (m.path === d.path || !recipeInSource(m.source, table, column)) return false;
        const after = laterOf(m);
        return id === undefined || after === null || after.has(id);
      });
    });
  },
});
