// A light, conservative classifier for literal SQL passed to `op.execute(...)`,
// `op.get_bind().execute(...)` and `text(...)` (the extractor gives it as `op.sql`;
// null means the SQL is not a literal and must not be guessed at).
//
// Public API (stable; used by ALM305 and, later, the reversibility rules):
//   splitSql(sql)        → SqlChunk[]      statements, split at top-level `;` (quotes, `--` and
//                                           nested `/* */` comments, $tag$ dollar quoting respected;
//                                           a MySQL/SQLite `CREATE TRIGGER|FUNCTION|PROCEDURE ... BEGIN`
//                                           body without dollar quotes swallows the rest of the text)
//   classifyStatement(s) → SqlStatement    one statement
//   classifySql(sql)     → SqlStatement[]  every non-empty statement, in order
//   tokenize(sql)        → SqlToken[]      comments dropped
// Keywords are matched case-insensitively; identifiers are returned unquoted, as written
// (compare unquoted names case-insensitively: `sameIdent`).
//
// What a statement is:
//   kind      "delete" | "update" | "insert" | "truncate" | "drop" | "create" | "alter-table"
//             | "alter" (ALTER of anything but a table) | "select" | "other"
//   keyword   the leading keywords as normalised text: "DELETE", "DROP TABLE", "CREATE UNIQUE INDEX",
//             "ALTER TABLE", "ALTER TYPE", "TRUNCATE", "COMMENT", ...
//   object    for drop/create/alter: the object kind, e.g. "TABLE", "TYPE", "SCHEMA", "INDEX",
//             "MATERIALIZED VIEW", "COLUMN"; null otherwise
//   targets   names the statement acts on: the DML target table; every table of TRUNCATE /
//             DROP TABLE; every object a DROP or CREATE names; the ALTERed object
//   table     the table the statement changes (DML target, ALTER TABLE table, CREATE TABLE name,
//             the `ON t` of CREATE/DROP INDEX|TRIGGER|POLICY), or null when not read
//   hasWhere  a top-level WHERE (not one inside a sub-query) — DELETE/UPDATE
//   hasJoin   a top-level JOIN — DELETE/UPDATE (MySQL multi-table form restricts rows like WHERE)
//   setColumns UPDATE: the assigned column names (unqualified), or null when they cannot be read
//   actions   ALTER TABLE: its comma-separated actions, e.g. {verb: "DROP", what: "COLUMN", name: "c"}
//   ifExists  `IF EXISTS` given (DROP / ALTER TABLE ... DROP COLUMN)

import { memoByText } from "./memo.js";

export type SqlKind = "delete" | "update" | "insert" | "truncate" | "drop" | "create" | "alter-table" | "alter" | "select" | "other";

export interface SqlName {
  schema: string | null;
  name: string;
  /** Written with quotes ("x", `x`, [x]): compare case-sensitively. */
  quoted: boolean;
}

export interface AlterAction {
  /** First keyword of the action: DROP, ADD, ALTER, MODIFY, CHANGE, RENAME, SET, ... */
  verb: string;
  /** COLUMN, CONSTRAINT, INDEX, KEY, PRIMARY KEY, FOREIGN KEY, CHECK, PARTITION, DEFAULT, ... ("COLUMN" for `DROP c`;
   *  "TO" for `RENAME TO new_name`, with the new table name in `name`). */
  what: string | null;
  /** The object name (column/constraint/index), unquoted; null when not read. */
  name: string | null;
  ifExists: boolean;
}

export interface SqlStatement {
  text: string;
  /** Offsets of the statement in the SQL text given to classifySql. */
  start: number;
  end: number;
  kind: SqlKind;
  keyword: string;
  object: string | null;
  targets: SqlName[];
  table: SqlName | null;
  hasWhere: boolean;
  /** DELETE/UPDATE: a top-level JOIN (MySQL multi-table form), which restricts the rows like a WHERE. */
  hasJoin: boolean;
  setColumns: string[] | null;
  actions: AlterAction[];
  ifExists: boolean;
}

export interface SqlChunk {
  text: string;
  start: number;
  end: number;
}

export type SqlTokenType = "word" | "qident" | "string" | "number" | "punct" | "param";

export interface SqlToken {
  type: SqlTokenType;
  /** word: upper-cased keyword form in `upper`; qident: unquoted name; string: raw text. */
  text: string;
  upper: string;
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------------
// Lexing

// Character classes by code unit (the regex forms, run once per character, were the lexer's main cost).
function wordStartCode(k: number): boolean {
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k >= 0x80;
}
function isWordStart(c: string): boolean {
  if (c.length !== 1) return /[A-Za-z_\u0080-\uffff]/.test(c);
  return wordStartCode(c.charCodeAt(0));
}
function isWordChar(c: string): boolean {
  if (c.length !== 1) return /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
  const k = c.charCodeAt(0);
  return wordStartCode(k) || (k >= 48 && k <= 57) || k === 36;
}
/** `/\s/` for one code unit. */
function isSpace(c: string): boolean {
  if (c.length !== 1) return /\s/.test(c);
  const k = c.charCodeAt(0);
  if (k <= 32) return k === 32 || (k >= 9 && k <= 13);
  if (k < 0xa0) return false;
  return k === 0xa0 || k === 0x1680 || (k >= 0x2000 && k <= 0x200a) || k === 0x2028 || k === 0x2029 || k === 0x202f || k === 0x205f || k === 0x3000 || k === 0xfeff;
}

/** Tokens of a SQL text; comments are skipped. Unterminated quotes run to the end. */
export function tokenize(sql: string): SqlToken[] {
  const out: SqlToken[] = [];
  let i = 0;
  const n = sql.length;
  const push = (type: SqlTokenType, start: number, end: number, text = sql.slice(start, end)) => {
    out.push({ type, text, upper: type === "word" ? text.toUpperCase() : text, start, end });
  };
  while (i < n) {
    const c = sql[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === "-" && sql[i + 1] === "-") {
      while (i < n && sql[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    // Strings: '...', E'...', N'...', B'...', X'...'
    if (c === "'" || (/[EeNnBbXxUu]/.test(c) && sql[i + 1] === "'" && (i === 0 || !isWordChar(sql[i - 1]!)))) {
      const start = i;
      const escapes = c === "E" || c === "e";
      i += c === "'" ? 1 : 2;
      while (i < n) {
        if (escapes && sql[i] === "\\") {
          i += 2;
          continue;
        }
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      push("string", start, i);
      continue;
    }
    // Dollar quoting: $$...$$ or $tag$...$tag$ (not $1 parameters).
    if (c === "$") {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (m) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        const end = close < 0 ? n : close + tag.length;
        push("string", i, end);
        i = end;
        continue;
      }
    }
    // Quoted identifiers: "x" (with "" escapes), `x`, [x]
    if (c === '"' || c === "`" || c === "[") {
      const closeCh = c === "[" ? "]" : c;
      const start = i;
      let name = "";
      i++;
      while (i < n) {
        if (sql[i] === closeCh) {
          if (closeCh !== "]" && sql[i + 1] === closeCh) {
            name += closeCh;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += sql[i];
        i++;
      }
      out.push({ type: "qident", text: name, upper: name, start, end: i });
      continue;
    }
    if (isWordStart(c)) {
      const start = i;
      while (i < n && isWordChar(sql[i]!)) i++;
      push("word", start, i);
      continue;
    }
    if (/[0-9]/.test(c)) {
      const start = i;
      while (i < n && /[0-9.eE]/.test(sql[i]!)) i++;
      push("number", start, i);
      continue;
    }
    if (c === ":" && sql[i + 1] !== ":" && i + 1 < n && isWordStart(sql[i + 1]!) && sql[i - 1] !== ":") {
      const start = i;
      i++;
      while (i < n && isWordChar(sql[i]!)) i++;
      push("param", start, i);
      continue;
    }
    if (c === "%" && (sql[i + 1] === "s" || sql[i + 1] === "(")) {
      const m = /^%(\([^)]*\))?s/.exec(sql.slice(i));
      if (m) {
        push("param", i, i + m[0].length);
        i += m[0].length;
        continue;
      }
    }
    push("punct", i, i + 1);
    i++;
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Splitting

const ROUTINE_OBJECTS = new Set(["TRIGGER", "FUNCTION", "PROCEDURE", "EVENT"]);

/** Statements of a SQL text, split at top-level semicolons; empty statements are dropped. */
export function splitSql(sql: string): SqlChunk[] {
  return splitWithTokens(sql).chunks;
}

/**
 * splitSql, plus each chunk's tokens: those of the whole text from the chunk's first token
 * on (a chunk starts at a token and ends before a `;` token or at the end, so lexing it
 * alone gives the same tokens when none runs into the trimmed end; only their offsets
 * differ, and classification ignores them).
 */
function splitWithTokens(sql: string): { chunks: SqlChunk[]; tokens: SqlToken[][] } {
  const tokens = tokenize(sql);
  const chunks: SqlChunk[] = [];
  const chunkTokens: SqlToken[][] = [];
  let first = 0; // index of the statement's first token
  const flush = (endTok: number, endOffset: number) => {
    if (endTok > first) {
      const start = tokens[first]!.start;
      chunks.push({ text: sql.slice(start, endOffset).trim(), start, end: endOffset });
      chunkTokens.push(tokens.slice(first, endTok));
    }
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    // A routine body written without dollar quotes (MySQL / SQLite `BEGIN ... END`):
    // its inner semicolons do not end the statement; stop splitting there.
    if (t.type === "word" && t.upper === "BEGIN" && k > first && tokens[first]!.upper === "CREATE") {
      const head = tokens.slice(first, k);
      if (head.some((h) => h.type === "word" && ROUTINE_OBJECTS.has(h.upper))) {
        flush(tokens.length, sql.length);
        return { chunks, tokens: chunkTokens };
      }
    }
    if (t.type === "punct" && t.text === ";") {
      flush(k, t.start);
      first = k + 1;
    }
  }
  flush(tokens.length, sql.length);
  return { chunks, tokens: chunkTokens };
}

// ---------------------------------------------------------------------------------
// Classification

/** Unquoted names compare case-insensitively (Postgres folds them, MySQL/SQLite ignore case). */
export function sameIdent(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

const OBJECT_MODIFIERS = new Set([
  "TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL", "LOCAL", "UNIQUE", "MATERIALIZED", "FOREIGN", "OR", "REPLACE", "RECURSIVE",
  "ONLINE", "OFFLINE", "CLUSTERED", "NONCLUSTERED", "FULLTEXT", "SPATIAL", "DEFINER", "ALGORITHM", "SQL", "SECURITY",
  "AGGREGATE", "CONSTRAINT", "EVENT", "PROCEDURAL", "TRUSTED", "DATA", "ACCESS", "TEXT", "SEARCH",
]);
/** Two-word object kinds whose second word is the real object. */
const OBJECT_WORDS = new Set([
  "TABLE", "VIEW", "INDEX", "TYPE", "SCHEMA", "DATABASE", "SEQUENCE", "FUNCTION", "PROCEDURE", "TRIGGER", "EXTENSION",
  "DOMAIN", "POLICY", "RULE", "ROLE", "USER", "COLLATION", "SERVER", "OPERATOR", "CAST", "LANGUAGE", "PUBLICATION",
  "SUBSCRIPTION", "STATISTICS", "TABLESPACE", "WRAPPER", "CONVERSION", "DICTIONARY", "CONFIGURATION", "PARSER",
  "TEMPLATE", "GROUP", "OWNED", "SYNONYM", "PACKAGE", "COLUMN",
]);

class Cursor {
  k = 0;
  constructor(readonly toks: SqlToken[]) {}
  peek(o = 0): SqlToken | undefined {
    return this.toks[this.k + o];
  }
  isWord(w: string, o = 0): boolean {
    const t = this.peek(o);
    return t !== undefined && t.type === "word" && t.upper === w;
  }
  eat(w: string): boolean {
    if (this.isWord(w)) {
      this.k++;
      return true;
    }
    return false;
  }
  eatSeq(...ws: string[]): boolean {
    if (ws.every((w, i) => this.isWord(w, i))) {
      this.k += ws.length;
      return true;
    }
    return false;
  }
  isPunct(p: string, o = 0): boolean {
    const t = this.peek(o);
    return t !== undefined && t.type === "punct" && t.text === p;
  }
  done(): boolean {
    return this.k >= this.toks.length;
  }
}

const NAME_STOP = new Set([
  "WHERE", "SET", "USING", "FROM", "AS", "ON", "CASCADE", "RESTRICT", "RESTART", "CONTINUE", "IDENTITY", "VALUES",
  "SELECT", "DEFAULT", "RETURNING", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "ORDER", "LIMIT", "WITH",
  "OUTPUT", "OVERRIDING", "ADD", "DROP", "ALTER", "RENAME", "OWNER", "TO", "IF", "NOT", "EXISTS",
]);

/** A possibly qualified name (`schema.table`, `"s"."t"`) at the cursor, or null. */
function readName(c: Cursor): SqlName | null {
  const parts: { text: string; quoted: boolean }[] = [];
  for (;;) {
    const t = c.peek();
    if (!t) break;
    if (t.type === "qident") parts.push({ text: t.text, quoted: true });
    else if (t.type === "word" && !(parts.length === 0 && NAME_STOP.has(t.upper))) parts.push({ text: t.text, quoted: false });
    else break;
    c.k++;
    if (c.isPunct(".") && c.peek(1) && (c.peek(1)!.type === "word" || c.peek(1)!.type === "qident")) {
      c.k++;
      continue;
    }
    break;
  }
  if (parts.length === 0) return null;
  // A name followed by `(`, `:` or another odd token is still a name; callers decide.
  const last = parts[parts.length - 1]!;
  return { schema: parts.length > 1 ? parts[parts.length - 2]!.text : null, name: last.text, quoted: last.quoted };
}

/** Comma-separated names (DROP TABLE a, b; TRUNCATE a, b). Skips `*` and ONLY. */
function readNameList(c: Cursor): SqlName[] {
  const out: SqlName[] = [];
  for (;;) {
    c.eat("ONLY");
    const n = readName(c);
    if (!n) break;
    out.push(n);
    if (c.isPunct("*")) c.k++;
    // DROP FUNCTION f(int, text): skip the argument list.
    if (c.isPunct("(")) skipParens(c);
    if (c.isPunct(",")) {
      c.k++;
      continue;
    }
    break;
  }
  return out;
}

function skipParens(c: Cursor): void {
  let depth = 0;
  while (!c.done()) {
    const t = c.peek()!;
    c.k++;
    if (t.type === "punct" && t.text === "(") depth++;
    else if (t.type === "punct" && t.text === ")" && --depth <= 0) return;
  }
}

/** Index of the first top-level word in `words` at or after the cursor, or -1. */
function findTopLevel(c: Cursor, words: Set<string>, from = c.k): number {
  let depth = 0;
  for (let k = from; k < c.toks.length; k++) {
    const t = c.toks[k]!;
    if (t.type === "punct" && t.text === "(") depth++;
    else if (t.type === "punct" && t.text === ")") depth--;
    else if (depth === 0 && t.type === "word" && words.has(t.upper)) return k;
  }
  return -1;
}

function blank(chunk: SqlChunk, kind: SqlKind, keyword: string): SqlStatement {
  return {
    text: chunk.text, start: chunk.start, end: chunk.end, kind, keyword, object: null, targets: [], table: null,
    hasWhere: false, hasJoin: false, setColumns: null, actions: [], ifExists: false,
  };
}

const WHERE = new Set(["WHERE"]);
const JOIN = new Set(["JOIN"]);

/** Classifies one statement (text without the trailing `;`). */
export function classifyStatement(text: string, start = 0): SqlStatement {
  return classifyTokens(text, start, tokenize(text));
}

function classifyTokens(text: string, start: number, toks: SqlToken[]): SqlStatement {
  const chunk: SqlChunk = { text, start, end: start + text.length };
  const c = new Cursor(toks);
  // Leading parentheses: `(SELECT ...)`.
  while (c.isPunct("(")) c.k++;
  // WITH [RECURSIVE] a AS (...), b AS (...) <main statement>
  if (c.isWord("WITH")) {
    const main = findTopLevel(c, new Set(["DELETE", "UPDATE", "INSERT", "SELECT", "MERGE"]), c.k + 1);
    if (main < 0) return blank(chunk, "other", "WITH");
    c.k = main;
  }
  const first = c.peek();
  if (!first || first.type !== "word") return blank(chunk, "other", first?.text ?? "");
  switch (first.upper) {
    case "DELETE":
      return classifyDelete(c, chunk);
    case "UPDATE":
      return classifyUpdate(c, chunk);
    case "INSERT":
    case "REPLACE":
    case "UPSERT":
      return classifyInsert(c, chunk);
    case "TRUNCATE":
      return classifyTruncate(c, chunk);
    case "DROP":
      return classifyDropOrCreate(c, chunk, "drop");
    case "CREATE":
      return classifyDropOrCreate(c, chunk, "create");
    case "ALTER":
      return classifyAlter(c, chunk);
    case "SELECT":
    case "VALUES":
    case "TABLE":
      return blank(chunk, "select", first.upper);
    default:
      return blank(chunk, "other", first.upper);
  }
}

function classifyDelete(c: Cursor, chunk: SqlChunk): SqlStatement {
  const s = blank(chunk, "delete", "DELETE");
  c.k++;
  // MySQL multi-table form `DELETE t1 FROM t1 JOIN ...`: the target is before FROM.
  if (!c.isWord("FROM")) {
    c.eat("LOW_PRIORITY");
    c.eat("QUICK");
    c.eat("IGNORE");
    const n = readName(c);
    if (n) s.targets.push(n);
  }
  if (c.eat("FROM")) {
    c.eat("ONLY");
    const n = readName(c);
    if (n && s.targets.length === 0) s.targets.push(n);
  }
  s.table = s.targets[0] ?? null;
  s.hasWhere = findTopLevel(c, WHERE) >= 0;
  s.hasJoin = findTopLevel(c, JOIN) >= 0;
  return s;
}

const SET_END = new Set(["FROM", "WHERE", "RETURNING", "ORDER", "LIMIT", "OUTPUT"]);

function classifyUpdate(c: Cursor, chunk: SqlChunk): SqlStatement {
  const s = blank(chunk, "update", "UPDATE");
  c.k++;
  c.eat("LOW_PRIORITY");
  c.eat("IGNORE");
  c.eat("ONLY");
  const n = readName(c);
  if (n) {
    s.targets.push(n);
    s.table = n;
  }
  s.hasWhere = findTopLevel(c, WHERE) >= 0;
  s.hasJoin = findTopLevel(c, JOIN) >= 0;
  const set = findTopLevel(c, new Set(["SET"]));
  if (set >= 0) {
    c.k = set + 1;
    const cols: string[] = [];
    let ok = true;
    // Each item: col = expr | t.col = expr | (a, b) = (...)
    for (;;) {
      if (c.isPunct("(")) {
        c.k++;
        for (;;) {
          const col = readName(c);
          if (!col) {
            ok = false;
            break;
          }
          cols.push(col.name);
          if (c.isPunct(",")) c.k++;
          else break;
        }
        if (!c.isPunct(")")) ok = false;
        else c.k++;
      } else {
        const col = readName(c);
        if (!col) ok = false;
        else cols.push(col.name);
      }
      if (!ok || !c.isPunct("=")) {
        ok = false;
        break;
      }
      // Skip the expression up to the next top-level comma or the end of SET.
      let depth = 0;
      let next = false;
      while (!c.done()) {
        const t = c.peek()!;
        if (t.type === "punct" && t.text === "(") depth++;
        else if (t.type === "punct" && t.text === ")") depth--;
        else if (depth === 0 && t.type === "punct" && t.text === ",") {
          c.k++;
          next = true;
          break;
        } else if (depth === 0 && t.type === "word" && SET_END.has(t.upper)) break;
        c.k++;
      }
      if (!next) break;
    }
    s.setColumns = ok && cols.length > 0 ? cols : null;
  }
  return s;
}

function classifyInsert(c: Cursor, chunk: SqlChunk): SqlStatement {
  const s = blank(chunk, "insert", c.peek()!.upper);
  c.k++;
  while (c.eat("LOW_PRIORITY") || c.eat("DELAYED") || c.eat("HIGH_PRIORITY") || c.eat("IGNORE") || c.eat("OR") || c.eat("REPLACE") || c.eat("INTO")) {
    /* modifiers */
  }
  const n = readName(c);
  if (n) {
    s.targets.push(n);
    s.table = n;
  }
  return s;
}

function classifyTruncate(c: Cursor, chunk: SqlChunk): SqlStatement {
  const s = blank(chunk, "truncate", "TRUNCATE");
  c.k++;
  c.eat("TABLE");
  s.targets = readNameList(c);
  s.table = s.targets[0] ?? null;
  s.object = "TABLE";
  return s;
}

function classifyDropOrCreate(c: Cursor, chunk: SqlChunk, kind: "drop" | "create"): SqlStatement {
  const verb = c.peek()!.upper;
  c.k++;
  const words: string[] = [verb];
  // Modifiers and the object kind: CREATE OR REPLACE TEMP TABLE, DROP MATERIALIZED VIEW, CREATE UNIQUE INDEX...
  let object: string | null = null;
  const objParts: string[] = [];
  for (let guard = 0; guard < 8 && !c.done(); guard++) {
    const t = c.peek()!;
    if (t.type !== "word") break;
    // MySQL `CREATE DEFINER=user@host TRIGGER`: skip `= value`.
    if (t.upper === "DEFINER" || t.upper === "ALGORITHM" || t.upper === "SECURITY") {
      words.push(t.upper);
      c.k++;
      while (!c.done() && !(c.peek()!.type === "word" && (OBJECT_WORDS.has(c.peek()!.upper) || OBJECT_MODIFIERS.has(c.peek()!.upper)))) c.k++;
      continue;
    }
    if (OBJECT_WORDS.has(t.upper)) {
      objParts.push(t.upper);
      words.push(t.upper);
      c.k++;
      // FOREIGN DATA WRAPPER, TEXT SEARCH CONFIGURATION: keep reading kind words.
      if (t.upper === "DATA" || t.upper === "SEARCH") continue;
      object = objParts.join(" ");
      break;
    }
    if (OBJECT_MODIFIERS.has(t.upper)) {
      words.push(t.upper);
      if (t.upper === "MATERIALIZED" || t.upper === "FOREIGN" || t.upper === "EVENT") objParts.push(t.upper);
      c.k++;
      if (t.upper === "EVENT" && !c.isWord("TRIGGER")) {
        object = "EVENT";
        break;
      }
      continue;
    }
    break;
  }
  const s = blank(chunk, kind, words.join(" "));
  s.object = object;
  if (!object) return s;
  // Options between the kind and the names.
  for (;;) {
    if (c.eatSeq("IF", "NOT", "EXISTS")) continue;
    if (c.eatSeq("IF", "EXISTS")) {
      s.ifExists = true;
      continue;
    }
    if (c.eat("CONCURRENTLY")) continue;
    break;
  }
  if (object === "INDEX" && kind === "create" && c.isWord("ON")) {
    // CREATE INDEX ON t (...): unnamed.
  } else if (kind === "create") {
    const n = readName(c);
    if (n) s.targets.push(n);
  } else {
    s.targets = readNameList(c);
  }
  if (object === "TABLE" && kind === "create") s.table = s.targets[0] ?? null;
  if (object === "TABLE" && kind === "drop") s.table = s.targets[0] ?? null;
  // `... ON table` for indexes (MySQL DROP INDEX ix ON t), triggers, policies, rules.
  if (object === "INDEX" || object === "TRIGGER" || object === "POLICY" || object === "RULE") {
    const on = findTopLevel(c, new Set(["ON"]));
    if (on >= 0) {
      c.k = on + 1;
      c.eat("ONLY");
      s.table = readName(c);
    }
  }
  return s;
}

const ACTION_WHAT = new Set(["COLUMN", "CONSTRAINT", "INDEX", "KEY", "PARTITION", "DEFAULT", "CHECK", "UNIQUE", "TRIGGER", "EXPRESSION", "IDENTITY", "NOT", "ROW", "PERIOD", "SYSTEM", "FULLTEXT", "SPATIAL"]);

function classifyAlter(c: Cursor, chunk: SqlChunk): SqlStatement {
  c.k++;
  if (!c.isWord("TABLE")) {
    // ALTER TYPE / ALTER INDEX / ALTER SEQUENCE ... : read the object and name only.
    const t = c.peek();
    const s = blank(chunk, "alter", `ALTER${t && t.type === "word" ? ` ${t.upper}` : ""}`);
    if (t && t.type === "word") {
      s.object = t.upper;
      c.k++;
      c.eatSeq("IF", "EXISTS");
      const n = readName(c);
      if (n) s.targets.push(n);
    }
    return s;
  }
  c.k++;
  const s = blank(chunk, "alter-table", "ALTER TABLE");
  s.object = "TABLE";
  if (c.eatSeq("IF", "EXISTS")) s.ifExists = true;
  c.eat("ONLY");
  const n = readName(c);
  if (!n) return s;
  if (c.isPunct("*")) c.k++;
  s.targets.push(n);
  s.table = n;
  // Actions separated by top-level commas.
  while (!c.done()) {
    const t = c.peek()!;
    if (t.type !== "word") break;
    const action: AlterAction = { verb: t.upper, what: null, name: null, ifExists: false };
    c.k++;
    if (action.verb === "DROP") {
      const w = c.peek();
      if (w && w.type === "word" && (ACTION_WHAT.has(w.upper) || w.upper === "PRIMARY" || w.upper === "FOREIGN")) {
        if (w.upper === "PRIMARY" || w.upper === "FOREIGN") {
          c.k++;
          c.eat("KEY");
          action.what = `${w.upper} KEY`;
        } else {
          c.k++;
          action.what = w.upper;
        }
      } else {
        action.what = "COLUMN"; // `DROP c` (column is the default object)
      }
      if (c.eatSeq("IF", "EXISTS")) action.ifExists = true;
      if (action.what === "COLUMN" || action.what === "CONSTRAINT" || action.what === "INDEX" || action.what === "KEY" || action.what === "PARTITION" || action.what === "CHECK" || action.what === "FOREIGN KEY" || action.what === "TRIGGER") {
        const nm = readName(c);
        action.name = nm ? nm.name : null;
        if (action.what === "COLUMN" && !nm) action.what = null;
      }
    } else if ((action.verb === "RENAME" && c.isWord("TO")) || (action.verb === "RENAME" && c.isWord("AS"))) {
      // RENAME TO new_name: the table's new name.
      c.k++;
      action.what = "TO";
      const nm = readName(c);
      action.name = nm ? nm.name : null;
    } else {
      const w = c.peek();
      if (w && w.type === "word" && ACTION_WHAT.has(w.upper)) {
        action.what = w.upper;
        c.k++;
      } else if (action.verb === "ADD" || action.verb === "ALTER" || action.verb === "MODIFY" || action.verb === "CHANGE") {
        action.what = "COLUMN";
      }
      if (action.what === "COLUMN") {
        c.eatSeq("IF", "NOT", "EXISTS");
        c.eatSeq("IF", "EXISTS");
        const nm = readName(c);
        action.name = nm ? nm.name : null;
      }
    }
    s.actions.push(action);
    // Skip to the next top-level comma.
    let depth = 0;
    let more = false;
    while (!c.done()) {
      const x = c.peek()!;
      c.k++;
      if (x.type === "punct" && x.text === "(") depth++;
      else if (x.type === "punct" && x.text === ")") depth--;
      else if (depth === 0 && x.type === "punct" && x.text === ",") {
        more = true;
        break;
      }
    }
    if (!more) break;
  }
  s.ifExists = s.ifExists || s.actions.some((a) => a.ifExists);
  return s;
}

/**
 * Every statement of a literal SQL text, in order (cached by text: several rules and
 * analyses classify the same execute). The result is shared: never modify it.
 */
export const classifySql: (sql: string) => SqlStatement[] = memoByText(classifyUncached);

function classifyUncached(sql: string): SqlStatement[] {
  const { chunks, tokens } = splitWithTokens(sql);
  return chunks.map((ch, i) => {
    // The whole text's tokens, unless the last one runs into the whitespace trim() removed
    // (an unterminated quote, or Unicode spaces the lexer reads as word characters).
    // Likewise at the start when the character before the chunk is one the lexer reads as a
    // word character (a Unicode space): `E'x'` right after it is no string in the whole text.
    const toks = tokens[i]!;
    const last = toks[toks.length - 1];
    const reuse = last !== undefined && last.end <= ch.start + ch.text.length && (ch.start === 0 || !isWordChar(sql[ch.start - 1]!));
    const st = classifyTokens(ch.text, ch.start, reuse ? toks : tokenize(ch.text));
    return { ...st, end: ch.end };
  });
}
