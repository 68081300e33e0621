// "Was this object created by this migration?" — shared by the data-loss and
// online-safety rules: new tables have no rows and no readers yet.
import type { Op, Section } from "../model.js";
import { FileCache } from "./file-cache.js";

const key = (schema: string | null, table: string) => `${schema ?? ""}\0${table}`;

export interface CreatedObjects {
  /** Tables created (or renamed into existence) before a given op. */
  tableCreatedBefore(op: Op): boolean;
  /** Columns added (or created with their table) before a given op. */
  columnCreatedBefore(op: Op, column: string): boolean;
}

/** The same questions by name, for callers without an op at hand (no probe objects). */
export interface CreatedNames {
  /** The table (schema, table) was created (or renamed into existence) before `order`. */
  tableBefore(schema: string | null, table: string, order: number): boolean;
  /** The column was added (or created with its table) before `order`. */
  columnBefore(schema: string | null, table: string, column: string, order: number): boolean;
}

const CACHE = new FileCache<Section, CreatedObjects & CreatedNames>();
const CACHE_WITH_CONDITIONAL = new FileCache<Section, CreatedObjects & CreatedNames>();

/**
 * Objects the section creates, in execution order. Cached per section. With
 * `includeConditional`, ops under a condition count as if they always ran.
 */
export function createdObjects(section: Section | null, opts: { includeConditional?: boolean } = {}): CreatedObjects & CreatedNames {
  if (!section) return build([], false);
  const withConditional = opts.includeConditional === true;
  const cache = withConditional ? CACHE_WITH_CONDITIONAL : CACHE;
  let out = cache.get(section);
  if (!out) {
    out = build(section.ops, withConditional);
    cache.set(section, out);
  }
  return out;
}

function build(ops: Op[], withConditional: boolean): CreatedObjects & CreatedNames {
  const tables = new Map<string, number>();
  // Columns per table key, then by name (no `table\0column` string per column).
  const columns = new Map<string, Map<string, number>>();
  const columnsOf = (t: string): Map<string, number> => {
    let cs = columns.get(t);
    if (!cs) columns.set(t, (cs = new Map()));
    return cs;
  };
  for (const op of ops) {
    if ((op.conditional && !withConditional) || op.table === null) continue;
    const t = key(op.schema, op.table);
    if (op.name === "create_table") {
      if (!tables.has(t)) tables.set(t, op.order);
      const defs = op.tableDef?.columns;
      if (defs && defs.length > 0) {
        const cs = columnsOf(t);
        for (const c of defs) if (c.name) cs.set(c.name, op.order);
      }
    } else if (op.name === "rename_table") {
      const to = op.args.new_table_name;
      if (typeof to === "string" && tables.has(t)) tables.set(key(op.schema, to), op.order);
    } else if (op.name === "add_column" && op.column?.name) {
      const cs = columnsOf(t);
      if (!cs.has(op.column.name)) cs.set(op.column.name, op.order);
    }
  }
  const tableBefore = (schema: string | null, table: string, order: number): boolean => (tables.get(key(schema, table)) ?? Infinity) < order;
  const columnBefore = (schema: string | null, table: string, column: string, order: number): boolean => {
    const t = key(schema, table);
    return (tables.get(t) ?? Infinity) < order || (columns.get(t)?.get(column) ?? Infinity) < order;
  };
  return {
    tableCreatedBefore: (op) => op.table !== null && tableBefore(op.schema, op.table, op.order),
    columnCreatedBefore: (op, column) => op.table !== null && columnBefore(op.schema, op.table, column, op.order),
    tableBefore,
    columnBefore,
  };
}
