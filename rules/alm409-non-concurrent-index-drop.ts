import { defineRule } from "../src/engine/rule.js";
import type { Migration, Op, Section } from "../src/model.js";
import { CHECK_DOWNGRADE_OPTION, checkedSections, mayReport, newObjects, otherSection, restKwargs, sqlStatements, tableLabel } from "../src/analysis/online-safety.js";

interface IndexInfo {
  table: string | null;
  schema: string | null;
  columns: string[];
}

/** What the file says about indexes: table and columns, from the `create_index` of each name in either function. */
function indexCatalog(m: Migration, s: Section): Map<string, IndexInfo> {
  const out = new Map<string, IndexInfo>();
  for (const sec of [s, otherSection(m, s)]) {
    for (const o of sec?.ops ?? []) {
      const name = o.args.index_name;
      if (o.name === "create_index" && typeof name === "string" && !out.has(name)) {
        const cols = Array.isArray(o.args.columns) ? o.args.columns.filter((c): c is string => typeof c === "string") : [];
        out.set(name, { table: o.table, schema: o.schema, columns: cols });
      }
      for (const st of sqlStatements(o)) {
        if (st.kind === "create_index" && st.index !== null && !out.has(st.index)) out.set(st.index, { table: st.table, schema: st.schema, columns: [] });
      }
    }
  }
  return out;
}

interface Drop {
  order: number;
  /** Statement index inside an execute op (-1 for op calls). */
  stmt: number;
  table: string;
  column: string | null;
}

/** Tables and columns the section drops (also under a condition: when unsure, stay silent), in execution order. */
function dropsIn(s: Section): Drop[] {
  const out: Drop[] = [];
  for (const o of s.ops) {
    if (o.name === "drop_table" && o.table !== null) out.push({ order: o.order, stmt: -1, table: o.table, column: null });
    if (o.name === "drop_column" && o.table !== null && typeof o.args.column_name === "string") out.push({ order: o.order, stmt: -1, table: o.table, column: o.args.column_name });
    sqlStatements(o).forEach((st, i) => {
      if (st.kind === "drop_table") for (const t of st.tables) out.push({ order: o.order, stmt: i, table: t.name, column: null });
    });
  }
  return out;
}

/**
 * The table (or the indexed column) is dropped later in the same function: the drop
 * takes the same lock anyway and the index goes with it. Autogenerate writes exactly
 * this (`drop_index` before `drop_table` / `drop_column`).
 */
function goesAwayLater(drops: Drop[], op: Op, table: string | null, name: string, info: IndexInfo | undefined, afterStmt = -1): boolean {
  const later = drops.filter((d) => d.order > op.order || (d.order === op.order && afterStmt >= 0 && d.stmt > afterStmt));
  if (table === null) return later.some((d) => d.column === null);
  if (later.some((d) => d.column === null && d.table === table)) return true;
  const dropped = later.filter((d) => d.column !== null && d.table === table).map((d) => d.column!);
  if (dropped.length === 0) return false;
  if (info && info.columns.length > 0) return info.columns.some((c) => dropped.includes(c));
  return dropped.some((c) => name.toLowerCase().includes(c.toLowerCase()));
}

export default defineRule({
  meta: {
    code: "ALM409",
    name: "non-concurrent-index-drop",
    severity: "note",
    category: "online-safety",
    precision: "medium",
    docs: {
      summary: "drop_index without postgresql_concurrently=True takes an ACCESS EXCLUSIVE lock on the table",
      rationale:
        "A plain `DROP INDEX` on PostgreSQL needs an `ACCESS EXCLUSIVE` lock on the index's table. The drop itself is " +
        "quick, but it has to wait for every running query on the table, and every query that arrives meanwhile " +
        "queues behind it: a long report query turns a millisecond drop into an outage. Drop it concurrently, outside " +
        "the transaction:\n\n" +
        "```python\nwith op.get_context().autocommit_block():\n" +
        "    op.drop_index(\"ix_orders_status\", table_name=\"orders\", postgresql_concurrently=True)\n```\n\n" +
        "Not reported for indexes of tables created in the same migration, for indexes this migration created, nor " +
        "when the same function then drops the table or the indexed column (autogenerate's `drop_index` before " +
        "`drop_table`: that statement takes the same lock anyway). `DROP INDEX` in literal SQL passed to " +
        "`op.execute()` is checked too. PostgreSQL only: MySQL drops secondary indexes " +
        "in place without blocking writes.",
      bad:
        'from alembic import op\n\n\ndef upgrade():\n    op.drop_index("ix_orders_status", table_name="orders")\n\n\n' +
        'def downgrade():\n    op.create_index("ix_orders_status", "orders", ["status"])\n',
      good:
        'from alembic import op\n\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n' +
        '        op.drop_index("ix_orders_status", table_name="orders", postgresql_concurrently=True)\n\n\n' +
        'def downgrade():\n    op.create_index("ix_orders_status", "orders", ["status"])\n',
      peers:
        'squawk: `require-concurrent-index-deletion`; strong_migrations: "Removing an index non-concurrently" (opt-in check); ' +
        "django-migration-linter: `DROP_INDEX`",
    },
    messages: {
      dropSql: (a: { index: string; table: string }) =>
        `DROP INDEX ${a.index} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on ${a.table}, which waits for ` +
        `running queries and blocks every new one meanwhile; write \`DROP INDEX CONCURRENTLY\` and run it inside ` +
        `\`with op.get_context().autocommit_block():\``,
      drop: (a: { index: string; table: string; call: string }) =>
        `dropping index ${a.index} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on ${a.table}, which waits for ` +
        `running queries and blocks every new one meanwhile; drop it concurrently: ` +
        `\`with op.get_context().autocommit_block(): ${a.call}\``,
    },
    options: CHECK_DOWNGRADE_OPTION,
  },
  check(m, ctx) {
    if (ctx.dialect !== "postgresql") return;
    for (const s of checkedSections(m, ctx.options)) {
      const created = newObjects(s);
      const catalog = indexCatalog(m, s);
      const drops = dropsIn(s);
      for (const op of s.ops) {
        if (op.name === "execute") {
          if (!mayReport(m, s, op, { needTable: false })) continue;
          for (const [i, st] of sqlStatements(op).entries()) {
            if (st.kind !== "drop_index" || st.concurrently) continue;
            for (const ix of st.indexes) {
              if (created.indexCreatedBefore(ix.name, op.order)) continue;
              const info = catalog.get(ix.name);
              const table = info?.table ?? null;
              const schema = info?.schema ?? ix.schema;
              if (table !== null && created.tableNameCreatedBefore(schema, table, op.order)) continue;
              if (goesAwayLater(drops, op, table, ix.name, info, i)) continue;
              ctx.report({ at: op, message: "dropSql", data: { index: JSON.stringify(ix.name), table: table !== null ? `table ${tableLabel(schema, table)}` : "its table" } });
            }
          }
          continue;
        }
        if (op.name !== "drop_index") continue;
        const conc = op.args.postgresql_concurrently;
        if (conc !== undefined && conc !== false && conc !== null) continue;
        const name = op.args.index_name;
        if (typeof name !== "string") continue;
        if (!mayReport(m, s, op, { needTable: false })) continue;
        if (created.indexCreatedBefore(name, op.order)) continue;
        const info = catalog.get(name);
        const table = op.table ?? info?.table ?? null;
        const schema = op.table !== null ? op.schema : info?.schema ?? null;
        if (table !== null && created.tableNameCreatedBefore(schema, table, op.order)) continue;
        if (goesAwayLater(drops, op, table, name, info)) continue;
        const tableKw = table !== null ? `, table_name=${JSON.stringify(table)}` : "";
        const schemaKw = schema !== null ? `, schema=${JSON.stringify(schema)}` : "";
        const call =
          `op.drop_index(${JSON.stringify(name)}${tableKw}${schemaKw}` +
          `${restKwargs(op, ["index_name", "table_name", "schema", "postgresql_concurrently"])}, postgresql_concurrently=True)`;
        ctx.report({
          at: op,
          message: "drop",
          data: { index: JSON.stringify(name), table: table !== null ? `table ${tableLabel(schema, table)}` : "its table", call },
        });
      }
    }
  },
});
