// A model of SQLAlchemy column types as they appear in migration source, for the
// data-loss (ALM303) and online-safety (ALM405) rules.
//
// Public API (stable; other rules import it):
//   normalizeType(t)        TypeSpec | Value (as in `op.args.type_`) → SqlType | undefined (unknown type)
//   isNarrowing(from, to, dialect?)
//                           {narrowing, reason?} | undefined — undefined when either side is unknown
//                           or the change cannot be judged; callers must never fire on undefined.
//                           `dialect` decides what dialect-dependent types mean, e.g. `Float()`
//                           (double precision on PostgreSQL, single on MySQL); without it such
//                           types are judged only where the generic reading is unambiguous
//   floatBitsOn(t, dialect) mantissa bits of a floating-point type as the dialect stores it
//   pgRewriteFree(from, to) true when Postgres changes the column without a table rewrite
//                           (same type; longer or unbounded VARCHAR; VARCHAR↔TEXT; higher NUMERIC
//                           precision with the same scale); false when a rewrite happens;
//                           undefined when either side is unknown
//   sameType(from, to)      true / false / undefined (unknown)
//   typeText(t)             the type as written, for messages
//
// Inputs may be a decoded `TypeSpec` (`ColumnDef.type`), a raw argument value such as
// `op.args.type_` / `op.args.existing_type` (an ExprValue), or null/undefined.
// Only types resolved to SQLAlchemy (`sqlalchemy.*`, `sqlmodel.sql.sqltypes.AutoString`)
// or written as bare names are recognised; anything else (custom types, `with_variant`
// chains, non-literal lengths) is unknown.
import { decodeType } from "../parse/columns.js";
import { isExpr, type TypeSpec, type Value } from "../model.js";
import { FileCache } from "./file-cache.js";
import { DIALECTS, type Dialect } from "../engine/rule.js";

export type TypeFamily =
  | "string"
  | "integer"
  | "numeric"
  | "float"
  | "boolean"
  | "datetime"
  | "date"
  | "time"
  | "interval"
  | "json"
  | "uuid"
  | "enum"
  | "binary"
  | "array"
  | "other";

/** A normalised column type. Parameters are `null` when unbounded/unspecified. */
export interface SqlType {
  family: TypeFamily;
  /** The type's class name as written (`VARCHAR`, `String`, `JSONB`...). */
  name: string;
  /** Source text. */
  text: string;
  /** Dialect module when written as `postgresql.X`, `mysql.X`, ... */
  dialect: string | null;
  /** string/binary: max length; null = unbounded (TEXT, `String()` on Postgres). */
  length?: number | null;
  /** string: TEXT-like (Text, UnicodeText, CLOB, mysql TEXT variants, CITEXT). */
  textual?: boolean;
  /** string/binary: fixed width (CHAR, NCHAR, BINARY). */
  fixed?: boolean;
  /** string: case-insensitive CITEXT. */
  citext?: boolean;
  /** integer: width in bits. */
  bits?: number;
  unsigned?: boolean;
  /** integer: `TINYINT(1)`, MySQL's boolean. */
  boolLike?: boolean;
  /** numeric: total digits / digits after the point; null = unconstrained. */
  precision?: number | null;
  scale?: number | null;
  /** float: mantissa bits (24 single, 53 double); null = unknown. */
  floatBits?: number | null;
  /** datetime/time: timezone-aware. */
  timezone?: boolean;
  /** datetime/time: fractional-second digits; null = default. */
  fsp?: number | null;
  /** json: binary JSONB. */
  jsonb?: boolean;
  /** enum: literal labels, or null when not literal (e.g. a Python Enum class). */
  labels?: string[] | null;
  /** array: element type (undefined when unknown). */
  item?: SqlType;
}

export type TypeInput = TypeSpec | Value | null | undefined;

export interface Narrowing {
  narrowing: boolean;
  /** Why data may be lost, e.g. "length 255 → 50". Present when narrowing. */
  reason?: string;
}

// ---------------------------------------------------------------------------------
// Normalisation

const UNBOUNDED = 0x7fffffff;

const MYSQL_TEXT: Record<string, number> = { TINYTEXT: 255, TEXT: 65535, MEDIUMTEXT: 16777215, LONGTEXT: 4294967295 };
const MYSQL_BLOB: Record<string, number> = { TINYBLOB: 255, BLOB: 65535, MEDIUMBLOB: 16777215, LONGBLOB: 4294967295 };

const INT_BITS: Record<string, number> = {
  TINYINT: 8, SMALLINT: 16, SmallInteger: 16, MEDIUMINT: 24, INTEGER: 32, INT: 32, Integer: 32, BIGINT: 64, BigInteger: 64,
};

function isTypeSpec(t: TypeInput): t is TypeSpec {
  return typeof t === "object" && t !== null && !Array.isArray(t) && "name" in t && "args" in t && "kwargs" in t && !("expr" in t);
}

function toSpec(t: TypeInput): TypeSpec | null {
  if (t === null || t === undefined) return null;
  if (isTypeSpec(t)) return t;
  if (isExpr(t)) return decodeType(t);
  return null;
}

/** `sqlalchemy.dialects.postgresql.JSONB` → "postgresql"; generic → null; undefined when not SQLAlchemy. */
function dialectOf(ref: string): string | null | undefined {
  if (!ref.includes(".")) return null; // bare name (star import or builtin-looking)
  if (ref === "sqlmodel.sql.sqltypes.AutoString" || ref === "sqlmodel.AutoString") return null;
  if (!ref.startsWith("sqlalchemy.")) return undefined;
  const m = /^sqlalchemy\.dialects\.(\w+)\./.exec(ref);
  return m ? m[1]! : null;
}

/** A literal non-negative integer, null when absent or `None`, undefined when not literal. */
function intParam(v: Value | undefined): number | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  return undefined;
}

function param(spec: TypeSpec, pos: number, kw: string): Value | undefined {
  if (kw in spec.kwargs) return spec.kwargs[kw];
  return spec.args[pos];
}

function boolParam(spec: TypeSpec, pos: number, kw: string, dflt: boolean): boolean | undefined {
  const v = param(spec, pos, kw);
  if (v === undefined || v === null) return dflt;
  return typeof v === "boolean" ? v : undefined;
}

/** Results by input object (TypeSpec or ExprValue of the model): rules ask about the same types again. */
const NORMALIZED = new FileCache<object, SqlType | null>();

/**
 * The normalised type, or undefined when it is not a SQLAlchemy type this model knows.
 * The result is shared between callers: never modify it.
 */
export function normalizeType(t: TypeInput): SqlType | undefined {
  // Only objects can be types (strings, numbers, lists are not).
  if (typeof t !== "object" || t === null) return undefined;
  const hit = NORMALIZED.get(t);
  if (hit !== undefined) return hit ?? undefined;
  const out = normalizeUncached(t);
  NORMALIZED.set(t, out ?? null);
  return out;
}

function normalizeUncached(t: TypeInput): SqlType | undefined {
  const spec = toSpec(t);
  if (!spec) return undefined;
  const dialect = dialectOf(spec.ref);
  if (dialect === undefined) return undefined;
  const name = spec.name;
  // Literals below spell out `name, text, dialect` first: a spread followed by new keys is slow in V8.
  const U = name.toUpperCase();

  // Strings
  if (name === "AutoString" || ["String", "Unicode", "VARCHAR", "NVARCHAR", "CHAR", "NCHAR", "VARCHAR2", "NVARCHAR2"].includes(name)) {
    const len = intParam(param(spec, 0, "length"));
    if (len === undefined) return undefined;
    const fixed = name === "CHAR" || name === "NCHAR";
    // `CHAR()` without length is CHAR(1).
    return { name, text: spec.text, dialect, family: "string", length: fixed && len === null ? 1 : len, textual: false, fixed };
  }
  if (name === "Text" || name === "UnicodeText" || name === "CLOB" || name === "NCLOB" || name === "NTEXT" || (name === "TEXT" && dialect !== "mysql")) {
    const len = intParam(param(spec, 0, "length"));
    if (len === undefined) return undefined;
    return { name, text: spec.text, dialect, family: "string", length: len, textual: true, fixed: false };
  }
  if (dialect === "mysql" && name in MYSQL_TEXT) {
    return { name, text: spec.text, dialect, family: "string", length: MYSQL_TEXT[name]!, textual: true, fixed: false };
  }
  if (name === "CITEXT") return { name, text: spec.text, dialect, family: "string", length: null, textual: true, fixed: false, citext: true };

  // Integers
  if (name in INT_BITS) {
    let bits = INT_BITS[name]!;
    let unsigned = boolParam(spec, -1, "unsigned", false);
    if (unsigned === undefined) return undefined;
    if (dialect === "mssql" && name === "TINYINT") unsigned = true;
    if (name === "TINYINT" && dialect === null) bits = 8;
    const width = param(spec, 0, "display_width");
    const boolLike = name === "TINYINT" && width === 1;
    return { name, text: spec.text, dialect, family: "integer", bits, unsigned, boolLike };
  }

  // Exact numerics
  if (["Numeric", "NUMERIC", "DECIMAL", "NUMBER"].includes(name)) {
    const precision = intParam(param(spec, 0, "precision"));
    const scale = intParam(param(spec, 1, "scale"));
    if (precision === undefined || scale === undefined) return undefined;
    return { name, text: spec.text, dialect, family: "numeric", precision, scale: precision !== null && scale === null ? 0 : scale };
  }
  if (name === "Double" || name === "DOUBLE" || name === "DOUBLE_PRECISION" || name === "BINARY_DOUBLE") {
    return { name, text: spec.text, dialect, family: "float", floatBits: 53 };
  }
  // REAL is single precision except on MySQL (where it is DOUBLE).
  if (name === "REAL") return { name, text: spec.text, dialect, family: "float", floatBits: dialect === "mysql" ? 53 : 24 };
  if (name === "BINARY_FLOAT") return { name, text: spec.text, dialect, family: "float", floatBits: 24 };
  if (name === "Float" || name === "FLOAT") {
    const p = intParam(param(spec, 0, "precision"));
    if (p === undefined) return undefined;
    // Float(p): p <= 24 is single precision; without p (or p = 0, which SQLAlchemy renders as a
    // bare FLOAT) the width depends on the dialect: see floatBitsOn().
    return { name, text: spec.text, dialect, family: "float", floatBits: p === null || p === 0 ? null : p <= 24 ? 24 : 53 };
  }

  if (name === "Boolean" || name === "BOOLEAN" || (name === "BIT" && (dialect === "mssql" || (dialect === "mysql" && (spec.args[0] ?? 1) === 1)))) {
    return { name, text: spec.text, dialect, family: "boolean" };
  }

  // Date and time
  if (name === "DateTime" || name === "DATETIME" || name === "TIMESTAMP" || name === "DATETIME2" || name === "DATETIMEOFFSET" || name === "SMALLDATETIME") {
    const timezone = name === "DATETIMEOFFSET" ? true : boolParam(spec, 0, "timezone", false);
    if (timezone === undefined) return undefined;
    const fspV = dialect === "mysql" ? param(spec, 1, "fsp") : dialect === "postgresql" ? param(spec, 1, "precision") : dialect === "mssql" ? param(spec, 0, "precision") : undefined;
    const fsp = intParam(fspV);
    if (fsp === undefined) return undefined;
    return { name, text: spec.text, dialect, family: "datetime", timezone, fsp };
  }
  if (name === "Date" || name === "DATE") return { name, text: spec.text, dialect, family: "date" };
  if (name === "Time" || name === "TIME") {
    const timezone = boolParam(spec, 0, "timezone", false);
    if (timezone === undefined) return undefined;
    const fsp = intParam(dialect === "mysql" || dialect === "postgresql" ? param(spec, 1, dialect === "mysql" ? "fsp" : "precision") : undefined);
    if (fsp === undefined) return undefined;
    return { name, text: spec.text, dialect, family: "time", timezone, fsp };
  }
  if (name === "Interval" || name === "INTERVAL") return { name, text: spec.text, dialect, family: "interval" };

  if (name === "JSON" || name === "JSONB") return { name, text: spec.text, dialect, family: "json", jsonb: name === "JSONB" };
  if (name === "Uuid" || name === "UUID" || name === "UNIQUEIDENTIFIER") return { name, text: spec.text, dialect, family: "uuid" };

  if (name === "Enum" || name === "ENUM") {
    const labels = spec.args.every((a) => typeof a === "string") && spec.args.length > 0 ? (spec.args as string[]) : null;
    return { name, text: spec.text, dialect, family: "enum", labels };
  }

  if (name === "LargeBinary" || name === "BYTEA" || name === "BLOB" || name === "LONGBLOB" || name === "MEDIUMBLOB" || name === "TINYBLOB" || name === "VARBINARY" || name === "BINARY" || name === "_Binary" || name === "PickleType") {
    if (dialect === "mysql" && name in MYSQL_BLOB) return { name, text: spec.text, dialect, family: "binary", length: MYSQL_BLOB[name]!, fixed: false };
    if (name === "VARBINARY" || name === "BINARY" || name === "LargeBinary") {
      const len = intParam(param(spec, 0, "length"));
      if (len === undefined) return undefined;
      return { name, text: spec.text, dialect, family: "binary", length: name === "BINARY" && len === null ? 1 : len, fixed: name === "BINARY" };
    }
    return { name, text: spec.text, dialect, family: "binary", length: null, fixed: false };
  }

  if (name === "ARRAY") {
    const item = normalizeType(param(spec, 0, "item_type"));
    return { name, text: spec.text, dialect, family: "array", item };
  }

  void U;
  return { name, text: spec.text, dialect, family: "other" };
}

// ---------------------------------------------------------------------------------
// Comparison

const lenText = (n: number | null | undefined) => (n === null || n === undefined || n >= UNBOUNDED ? "unbounded" : String(n));
const effLen = (t: SqlType) => (t.length === null || t.length === undefined ? Infinity : t.length);

function intMax(t: SqlType): number {
  const bits = t.bits ?? 32;
  return t.unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
}
function intMin(t: SqlType): number {
  return t.unsigned ? 0 : -(2 ** ((t.bits ?? 32) - 1));
}
/** Decimal digits of the largest magnitude. */
function intDigits(t: SqlType): number {
  return String(Math.max(intMax(t), -intMin(t))).length;
}
/** Characters needed to print any value. */
function intWidth(t: SqlType): number {
  return String(intMin(t)).length > String(intMax(t)).length ? String(intMin(t)).length : String(intMax(t)).length;
}
function intName(t: SqlType): string {
  return `${t.unsigned ? "unsigned " : ""}${t.bits}-bit integer`;
}

const familyWord: Record<TypeFamily, string> = {
  string: "string", integer: "integer", numeric: "numeric", float: "floating-point", boolean: "boolean",
  datetime: "date-time", date: "date", time: "time", interval: "interval", json: "JSON", uuid: "UUID", enum: "enum",
  binary: "binary", array: "array", other: "other",
};

/** Minimum string width that holds every textual value of a type (undefined: unknown). */
function textWidth(t: SqlType): number | undefined {
  switch (t.family) {
    case "integer": return intWidth(t);
    case "boolean": return 5;
    case "uuid": return 36;
    case "date": return 10;
    case "enum": return t.labels ? Math.max(...t.labels.map((l) => l.length)) : undefined;
    default: return undefined;
  }
}

function yes(reason: string): Narrowing {
  return { narrowing: true, reason };
}
const NO: Narrowing = { narrowing: false };

/**
 * Whether changing a column from `from` to `to` can lose or reject existing values.
 * undefined when either type is unknown or the change is not one this model judges.
 */
export function isNarrowing(fromT: TypeInput | SqlType, toT: TypeInput | SqlType, dialect?: Dialect): Narrowing | undefined {
  const a = asSqlType(fromT);
  const b = asSqlType(toT);
  if (!a || !b) return undefined;
  return compare(a, b, dialect);
}

/**
 * Mantissa bits (24 single, 53 double) of a floating-point type as SQLAlchemy renders it on
 * `dialect` and the database stores it; undefined when not a float or not known. A type written
 * from a dialect module (`mysql.REAL`) is read on that dialect.
 *   PostgreSQL, SQL Server: `Float()` → FLOAT = double precision; `Float(p)`: p ≤ 24 → REAL,
 *     25–53 → DOUBLE PRECISION; `REAL` single; `Double`/`DOUBLE_PRECISION` double.
 *   MySQL: `Float()` → FLOAT, single precision; `FLOAT(p)` as above; `REAL` is DOUBLE.
 *   SQLite: every float is an 8-byte REAL.
 *   Oracle: `FLOAT`/`REAL`/`DOUBLE PRECISION` are decimal NUMBER-like types: only
 *     `BINARY_FLOAT`/`BINARY_DOUBLE` are known.
 */
export function floatBitsOn(t: SqlType, dialect: Dialect): number | undefined {
  if (t.family !== "float") return undefined;
  const d = t.dialect ?? dialect;
  const upper = t.name.toUpperCase();
  switch (d) {
    case "sqlite":
      return 53;
    case "oracle":
      return upper === "BINARY_FLOAT" ? 24 : upper === "BINARY_DOUBLE" ? 53 : undefined;
    case "mysql":
      if (upper === "REAL") return 53;
      return t.floatBits === null ? 24 : (t.floatBits ?? undefined);
    case "postgresql":
    case "mssql":
      if (upper === "BINARY_FLOAT" || upper === "BINARY_DOUBLE") return undefined;
      return t.floatBits === null ? 53 : (t.floatBits ?? undefined);
    default:
      return undefined;
  }
}

/** Significant decimal digits every value of a float with this many mantissa bits keeps. */
const FLOAT_DIGITS: Record<number, number> = { 24: 6, 53: 15 };

/** The dialect both types are read on: a dialect module written on either side wins; undefined when they disagree. */
function commonDialect(a: SqlType, b: SqlType, dialect: Dialect | undefined): Dialect | undefined {
  if (a.dialect && b.dialect && a.dialect !== b.dialect) return undefined;
  const d = a.dialect ?? b.dialect ?? dialect;
  return d !== undefined && (DIALECTS as readonly string[]).includes(d) ? (d as Dialect) : undefined;
}

function fromFloat(a: SqlType, b: SqlType, dialect: Dialect | undefined): Narrowing | undefined {
  if (b.family === "integer") return yes(`floating-point → ${intName(b)} drops the fractional part`);
  if (b.family === "float") {
    if (dialect === undefined && a.dialect === null && b.dialect === null) {
      // No dialect given: the generic reading (REAL and Float(p ≤ 24) single, Double and Float(p > 24)
      // double); a bare Float() is single or double depending on the dialect.
      if (a.floatBits === 53 && b.floatBits === 24) return yes("double precision → single precision: values are rounded to about 6 significant digits");
      if (a.floatBits == null || b.floatBits == null) return a.floatBits === b.floatBits || b.floatBits === 53 ? NO : undefined;
      return NO;
    }
    const d = commonDialect(a, b, dialect);
    const ba = d && floatBitsOn(a, d);
    const bb = d && floatBitsOn(b, d);
    if (ba && bb) return ba > bb ? yes(`double precision → single precision (${d === "mysql" ? "FLOAT" : "REAL"}): values are rounded to about ${FLOAT_DIGITS[bb] ?? 6} significant digits`) : NO;
    // Not known on this dialect (Oracle's decimal FLOAT, types of two different dialects): not judged.
    return undefined;
  }
  if (b.family === "string" && b.textual) return NO;
  return undefined;
}

function asSqlType(t: TypeInput | SqlType): SqlType | undefined {
  if (typeof t === "object" && t !== null && !Array.isArray(t) && "family" in t) return t as SqlType;
  return normalizeType(t as TypeInput);
}

function compare(a: SqlType, b: SqlType, dialect: Dialect | undefined): Narrowing | undefined {
  switch (a.family) {
    case "string":
      return fromString(a, b);
    case "integer":
      return fromInteger(a, b);
    case "numeric":
      return fromNumeric(a, b, dialect);
    case "float":
      return fromFloat(a, b, dialect);
    case "boolean":
      if (b.family === "boolean" || b.family === "integer" || b.family === "numeric") return NO;
      if (b.family === "string") return effLen(b) >= 5 ? NO : undefined;
      return undefined;
    case "datetime":
      if (b.family === "datetime") {
        if (a.timezone && !b.timezone) return yes("timezone-aware → naive timestamp drops the UTC offset");
        if (a.fsp !== null && a.fsp !== undefined && b.fsp !== null && b.fsp !== undefined && b.fsp < a.fsp) return yes(`fractional seconds ${a.fsp} → ${b.fsp} digits`);
        if ((a.fsp === null || a.fsp === undefined) && b.fsp !== null && b.fsp !== undefined && b.fsp < 6 && a.dialect === b.dialect) return yes(`fractional seconds rounded to ${b.fsp} digits`);
        return NO;
      }
      if (b.family === "date") return yes("date-time → date drops the time of day");
      if (b.family === "time") return yes("date-time → time drops the date");
      if (b.family === "string") return b.textual || b.length === null ? NO : effLen(b) < 19 ? yes(`date-time → ${b.text} truncates the value`) : undefined;
      return undefined;
    case "date":
      if (b.family === "date" || b.family === "datetime") return NO;
      if (b.family === "string") return effLen(b) >= 10 ? NO : yes(`date → ${b.text} truncates the value`);
      return undefined;
    case "time":
      if (b.family === "time") {
        if (a.timezone && !b.timezone) return yes("timezone-aware → naive time drops the UTC offset");
        if (a.fsp != null && b.fsp != null && b.fsp < a.fsp) return yes(`fractional seconds ${a.fsp} → ${b.fsp} digits`);
        return NO;
      }
      if (b.family === "string" && (b.textual || b.length === null)) return NO;
      return undefined;
    case "json":
      if (b.family === "json") return NO;
      if (b.family === "string") {
        if (b.textual && b.dialect !== "mysql") return NO;
        if (b.length === null && !b.fixed) return NO;
        return yes(`JSON → ${b.text}: documents longer than ${lenText(b.length)} characters are truncated or rejected`);
      }
      if (b.family === "integer" || b.family === "numeric" || b.family === "float" || b.family === "boolean") return yes(`JSON → ${familyWord[b.family]}: documents that are not a single ${familyWord[b.family]} are lost`);
      return undefined;
    case "uuid":
      if (b.family === "uuid") return NO;
      if (b.family === "string") {
        if (effLen(b) >= 36) return NO;
        if (effLen(b) < 32) return yes(`UUID → ${b.text}: 32+ characters do not fit in ${lenText(b.length)}`);
        return undefined;
      }
      return undefined;
    case "enum":
      if (b.family === "enum") {
        if (!a.labels || !b.labels) return undefined;
        const gone = a.labels.filter((l) => !b.labels!.includes(l));
        return gone.length ? yes(`enum values ${gone.map((g) => `'${g}'`).join(", ")} are no longer allowed`) : NO;
      }
      if (b.family === "string") {
        if (b.textual || b.length === null) return NO;
        const w = textWidth(a);
        if (w === undefined) return undefined;
        return effLen(b) >= w ? NO : yes(`enum → ${b.text}: the longest value has ${w} characters`);
      }
      return undefined;
    case "binary":
      if (b.family === "binary") {
        if (effLen(b) < effLen(a)) return yes(`binary length ${lenText(a.length)} → ${lenText(b.length)}`);
        return NO;
      }
      return undefined;
    case "array":
      if (b.family === "array" && a.item && b.item) return compare(a.item, b.item, dialect);
      return undefined;
    case "interval":
      return b.family === "interval" ? NO : undefined;
    case "other":
      return b.family === "other" && a.name === b.name && a.text.replace(/\s+/g, "") === b.text.replace(/\s+/g, "") ? NO : undefined;
  }
}

function fromString(a: SqlType, b: SqlType): Narrowing | undefined {
  switch (b.family) {
    case "string": {
      if (a.citext || b.citext) return a.citext === b.citext && effLen(b) >= effLen(a) ? NO : undefined;
      // Generic Text vs MySQL-sized text: dialect-dependent, do not judge.
      if (a.textual && b.textual && a.dialect !== b.dialect && (a.dialect === "mysql" || b.dialect === "mysql")) return undefined;
      const la = effLen(a);
      const lb = effLen(b);
      if (lb < la) {
        if (a.textual && !b.textual) return yes(`${a.text} → ${b.text}: text longer than ${lenText(b.length)} characters is truncated or rejected`);
        return yes(`length ${lenText(a.length)} → ${lenText(b.length)}: longer values are truncated or rejected`);
      }
      return NO;
    }
    case "integer":
    case "numeric":
    case "float":
    case "boolean":
    case "date":
    case "datetime":
    case "time":
      return yes(`string → ${familyWord[b.family]}: values that do not parse as ${/^[aeiou]/.test(familyWord[b.family]) ? "an" : "a"} ${familyWord[b.family]} are lost or make the cast fail`);
    default:
      return undefined;
  }
}

function fromInteger(a: SqlType, b: SqlType): Narrowing | undefined {
  switch (b.family) {
    case "integer": {
      if (intMax(b) < intMax(a)) return yes(`${intName(a)} → ${intName(b)}: values above ${intMax(b)} do not fit`);
      if (intMin(b) > intMin(a)) return yes(`${intName(a)} → ${intName(b)}: ${intMin(b) === 0 ? "negative values" : `values below ${intMin(b)}`} do not fit`);
      return NO;
    }
    case "numeric": {
      if (b.precision === null || b.precision === undefined) return NO;
      const room = b.precision - (b.scale ?? 0);
      return room >= intDigits(a) ? NO : yes(`${intName(a)} → ${b.text}: only ${room} integer digits`);
    }
    case "float":
      return undefined;
    case "boolean":
      // MySQL reflects BOOLEAN as TINYINT (with or without a display width) and SQLite stores
      // booleans as integers: not judged.
      return a.boolLike ? NO : undefined;
    case "string":
      if (b.textual || b.length === null) return NO;
      return effLen(b) >= intWidth(a) ? NO : yes(`${intName(a)} → ${b.text}: numbers wider than ${lenText(b.length)} characters do not fit`);
    default:
      return undefined;
  }
}

function fromNumeric(a: SqlType, b: SqlType, dialect: Dialect | undefined): Narrowing | undefined {
  switch (b.family) {
    case "float": {
      // NUMERIC(p, s) → float: values with more significant digits than the float keeps are
      // rounded. Unconstrained NUMERIC is dialect-dependent (DECIMAL(10, 0) on MySQL): not judged;
      // neither is SQLite, which already stores such numbers as 8-byte REAL.
      if (a.precision === null || a.precision === undefined) return undefined;
      const d = commonDialect(a, b, dialect);
      if (!d || d === "sqlite") return undefined;
      const bits = floatBitsOn(b, d);
      const digits = bits === undefined ? undefined : FLOAT_DIGITS[bits];
      if (digits === undefined) return undefined;
      return a.precision <= digits ? NO : yes(`${a.text} → ${b.text}: a ${bits === 24 ? "single" : "double"}-precision float keeps only about ${digits} significant digits of ${a.precision}`);
    }
    case "numeric": {
      if (b.precision === null || b.precision === undefined) return NO;
      if (a.precision === null || a.precision === undefined) return yes(`unconstrained NUMERIC → ${b.text}: values beyond precision ${b.precision} are rounded or rejected`);
      const sa = a.scale ?? 0;
      const sb = b.scale ?? 0;
      if (b.precision < a.precision) return yes(`precision ${a.precision} → ${b.precision}`);
      if (sb < sa) return yes(`scale ${sa} → ${sb}: digits after the point are rounded away`);
      if (b.precision - sb < a.precision - sa) return yes(`integer digits ${a.precision - sa} → ${b.precision - sb}`);
      return NO;
    }
    case "integer": {
      if (a.precision === null || a.precision === undefined || (a.scale ?? 0) > 0) return yes(`numeric → ${intName(b)} drops the fractional part`);
      // NUMERIC(p, 0) → integer: Oracle's INTEGER is NUMBER(38); only judge what surely fits.
      return a.precision - (a.scale ?? 0) < intDigits(b) ? NO : undefined;
    }
    case "string":
      if (b.textual || b.length === null) return NO;
      if (a.precision === null || a.precision === undefined) return undefined;
      return effLen(b) >= a.precision + 2 ? NO : yes(`${a.text} → ${b.text}: numbers wider than ${lenText(b.length)} characters do not fit`);
    default:
      return undefined;
  }
}

/** True / false when both types are known: the same type with the same parameters. */
export function sameType(fromT: TypeInput | SqlType, toT: TypeInput | SqlType): boolean | undefined {
  const a = asSqlType(fromT);
  const b = asSqlType(toT);
  if (!a || !b) return undefined;
  return signature(a) === signature(b);
}

const SIGNATURES = new FileCache<SqlType, string>();

function signature(t: SqlType): string {
  let sig = SIGNATURES.get(t);
  if (sig === undefined) {
    sig = signatureUncached(t);
    SIGNATURES.set(t, sig);
  }
  return sig;
}

function signatureUncached(t: SqlType): string {
  // Every field but text, name, dialect and item, in order, then name (kept for "other") and item.
  // Spellings of the same Postgres type: String(n) == VARCHAR(n) == Unicode(n).
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(t)) if (k !== "text" && k !== "name" && k !== "dialect" && k !== "item") o[k] = t[k as keyof SqlType];
  o.name = t.family === "other" ? t.name : undefined;
  o.item = t.item ? signature(t.item) : undefined;
  return JSON.stringify(o);
}

/**
 * Postgres: can the type change be made without rewriting the table? Only the changes
 * Postgres documents as binary-coercible without a rewrite: a longer or unbounded
 * VARCHAR, VARCHAR↔TEXT, higher NUMERIC precision with the same scale (or dropping the
 * NUMERIC constraint), and no change at all. undefined when either type is unknown.
 */
export function pgRewriteFree(fromT: TypeInput | SqlType, toT: TypeInput | SqlType): boolean | undefined {
  const a = asSqlType(fromT);
  const b = asSqlType(toT);
  if (!a || !b) return undefined;
  if (a.family === "other" || b.family === "other") return signature(a) === signature(b) && a.name === b.name ? true : undefined;
  if (signature(a) === signature(b)) return true;
  if (a.family === "string" && b.family === "string") {
    if (a.fixed || b.fixed || a.citext || b.citext) return false;
    // TEXT, VARCHAR and VARCHAR(n) → TEXT / unbounded VARCHAR: binary coercible.
    if (b.length === null || b.textual) return true;
    if (a.textual || a.length === null) return false;
    return (b.length ?? 0) >= (a.length ?? Infinity);
  }
  if (a.family === "numeric" && b.family === "numeric") {
    if (b.precision === null || b.precision === undefined) return true;
    if (a.precision === null || a.precision === undefined) return false;
    return b.precision >= a.precision && (b.scale ?? 0) === (a.scale ?? 0);
  }
  // `Float()` → `DOUBLE_PRECISION`: one PostgreSQL type spelled two ways.
  if (a.family === "float" && b.family === "float") {
    const bits = floatBitsOn(a, "postgresql");
    return bits !== undefined && bits === floatBitsOn(b, "postgresql");
  }
  return false;
}

/** The type as written in the source, for messages. */
export function typeText(t: TypeInput | SqlType): string | undefined {
  if (t === null || t === undefined) return undefined;
  if (typeof t === "object" && !Array.isArray(t)) {
    if ("family" in t) return (t as SqlType).text;
    if (isTypeSpec(t)) return t.text;
    if (isExpr(t)) return t.expr;
  }
  return typeof t === "string" ? t : undefined;
}
