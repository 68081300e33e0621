// Decodes SQLAlchemy schema constructs, already evaluated to model values, into
// column, constraint and index definitions: `sa.Column("email", sa.String(255), nullable=False)`.
import { asString, asStringList, baseName, isExpr, type ColumnDef, type ConstraintDef, type ExprValue, type ForeignKeyRef, type IndexDef, type TableDef, type TypeSpec, type Value } from "../model.js";

const NOT_A_TYPE = new Set([
  "ForeignKey", "Sequence", "Computed", "Identity", "CheckConstraint", "UniqueConstraint", "PrimaryKeyConstraint",
  "ForeignKeyConstraint", "Index", "DefaultClause", "FetchedValue", "text",
]);

function callee(v: Value | undefined): string | undefined {
  if (!isExpr(v)) return undefined;
  if (v.call) return baseName(v.call.callee);
  if (v.ref !== undefined && v.ref !== null) return baseName(v.ref);
  // The text before the first "(" (what `expr.split("(")[0].trim()` gives, without the array).
  const paren = v.expr.indexOf("(");
  return baseName((paren < 0 ? v.expr : v.expr.slice(0, paren)).trim());
}

export function decodeType(v: Value | undefined): TypeSpec | null {
  if (!isExpr(v)) return null;
  if (v.call) {
    const name = baseName(v.call.callee);
    if (!name || NOT_A_TYPE.has(name)) return null;
    return { name, ref: v.call.callee, args: v.call.args, kwargs: v.call.kwargs, text: v.expr };
  }
  const ref = v.ref ?? v.expr;
  const name = baseName(ref);
  if (!name || !/^[A-Za-z_][\w.]*$/.test(v.expr) || NOT_A_TYPE.has(name)) return null;
  return { name, ref, args: [], kwargs: {}, text: v.expr };
}

function foreignKey(v: ExprValue): ForeignKeyRef {
  const target = asString(v.call?.args[0]);
  const parts = target?.split(".") ?? [];
  const fk: ForeignKeyRef = { table: null, column: null, schema: null, name: asString(v.call?.kwargs.name) ?? null, ondelete: v.call?.kwargs.ondelete };
  if (parts.length >= 2) {
    fk.column = parts[parts.length - 1]!;
    fk.table = parts[parts.length - 2]!;
    if (parts.length >= 3) fk.schema = parts.slice(0, -2).join(".");
  }
  return fk;
}

export function decodeColumn(v: Value | undefined): ColumnDef | null {
  if (!isExpr(v) || !v.call || callee(v) !== "Column") return null;
  const { args, kwargs } = v.call;
  const col: ColumnDef = {
    name: null, type: null, nullable: null, primaryKey: false, unique: false, index: false, serverDefault: undefined,
    hasDefault: false, generated: false, opaqueKwargs: "**" in kwargs, foreignKeys: [], comment: undefined, enumName: null,
    enumCreateType: true, text: v.expr,
  };
  let from = 0;
  if (typeof args[0] === "string") {
    col.name = args[0];
    from = 1;
  } else if (typeof kwargs.name === "string") {
    col.name = kwargs.name;
  }
  for (let i = from; i < args.length; i++) {
    const a = args[i];
    const n = callee(a);
    if (n === "ForeignKey" && isExpr(a)) col.foreignKeys.push(foreignKey(a));
    else if (n === "DefaultClause" || n === "FetchedValue") col.serverDefault = a;
    else if (n === "Identity" || n === "Computed" || n === "Sequence") col.generated = true;
    else if (!col.type) col.type = decodeType(a);
  }
  if (!col.type && kwargs.type_ !== undefined) col.type = decodeType(kwargs.type_);
  if (typeof kwargs.nullable === "boolean") col.nullable = kwargs.nullable;
  col.primaryKey = kwargs.primary_key === true;
  col.unique = kwargs.unique === true;
  col.index = kwargs.index === true;
  if ("server_default" in kwargs && kwargs.server_default !== null) col.serverDefault = kwargs.server_default;
  col.hasDefault = "default" in kwargs && kwargs.default !== null;
  if ("comment" in kwargs) col.comment = kwargs.comment;
  const sd = kwargs.server_default;
  if (isExpr(sd)) {
    const n = callee(sd);
    if (n === "Computed" || n === "Identity") col.generated = true;
  }
  if (col.type && (col.type.name === "Enum" || col.type.name === "ENUM")) {
    col.enumName = asString(col.type.kwargs.name) ?? null;
    col.enumCreateType = col.type.kwargs.create_type !== false;
  }
  return col;
}

function columnNames(values: Value[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) out.push(...columnNames(v));
  }
  return out;
}

export function decodeConstraint(v: Value): ConstraintDef | null {
  if (!isExpr(v) || !v.call) return null;
  const { args, kwargs } = v.call;
  const name = asString(kwargs.name) ?? null;
  switch (callee(v)) {
    case "PrimaryKeyConstraint":
      return { kind: "primary", name, columns: columnNames(args), text: v.expr };
    case "UniqueConstraint":
      return { kind: "unique", name, columns: columnNames(args), text: v.expr };
    case "CheckConstraint":
      return { kind: "check", name, columns: [], text: v.expr };
    case "ForeignKeyConstraint": {
      const local = asStringList(args[0] ?? kwargs.columns) ?? [];
      const remote = asStringList(args[1] ?? kwargs.refcolumns) ?? [];
      const first = remote[0]?.split(".") ?? [];
      return {
        kind: "foreignkey",
        name,
        columns: local,
        referent: {
          table: first.length >= 2 ? first[first.length - 2]! : null,
          schema: first.length >= 3 ? first.slice(0, -2).join(".") : null,
          columns: remote.map((r) => r.split(".").pop()!),
        },
        text: v.expr,
      };
    }
    case "ExcludeConstraint":
      return { kind: "exclude", name, columns: [], text: v.expr };
    default:
      return null;
  }
}

export function decodeIndex(v: Value): IndexDef | null {
  if (!isExpr(v) || !v.call || callee(v) !== "Index") return null;
  const { args, kwargs } = v.call;
  return { name: asString(args[0]) ?? null, columns: columnNames(args.slice(1)), unique: kwargs.unique === true, text: v.expr };
}

/** The columns, constraints and indexes passed to `op.create_table(name, *items)`. */
export function decodeTableDef(items: Value[]): TableDef {
  const def: TableDef = { columns: [], constraints: [], indexes: [] };
  for (const item of items) {
    const col = decodeColumn(item);
    if (col) {
      def.columns.push(col);
      continue;
    }
    const con = decodeConstraint(item);
    if (con) {
      def.constraints.push(con);
      continue;
    }
    const ix = decodeIndex(item);
    if (ix) def.indexes.push(ix);
  }
  return def;
}
