// ast.ts → Migration. Interprets upgrade()/downgrade() abstractly: local helpers are
// inlined with their arguments, loops over literal lists unrolled, `with
// op.batch_alter_table(...)` blocks resolved, branches marked conditional. Anything
// whose effect cannot be known statically is recorded as `unanalyzed` (ALM901).
import { childBlocks, type Expr, type ParsedModule, type Span as AstSpan, type Stmt } from "./ast.js";
import { BATCH_SIGNATURES, NON_OPERATIONS, OPAQUE_OPERATIONS, OP_SIGNATURES, SCHEMA_ARG, TABLE_ARG, type Signature } from "./signatures.js";
import { decodeColumn, decodeTableDef } from "./columns.js";
import { LineIndex } from "./lines.js";
import { parseDocstringHeader } from "./docstring.js";
import type {
  BatchBlock, BodyKind, CallValue, ExprValue, FunctionPair, Header, HeaderVar, Migration, Op, Section, Span, TypeEvent, Unanalyzed, Value,
} from "../model.js";

type Special =
  | { sp: "op" }
  | { sp: "bind" }
  | { sp: "context" }
  | { sp: "batch"; block: BatchBlock; dynamic: boolean }
  | { sp: "table"; name: string | null; schema: string | null }
  | { sp: "func"; def: Extract<Stmt, { k: "def" }>; scope: Scope };

/**
 * The specials without data, shared: specials are never mutated and never reach the model
 * (toValue turns them into fresh `{expr}` values).
 */
const OP: Special = { sp: "op" };
const BIND: Special = { sp: "bind" };
const CONTEXT: Special = { sp: "context" };

/** What evaluating an expression yields: a model value or an object the interpreter tracks. */
type EV = Value | Special;

function isSpecial(v: EV | undefined): v is Special {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "sp" in v;
}

/** Top-level packages whose functions never run migration operations. */
const LIBRARY_PACKAGES = new Set([
  "sqlalchemy", "alembic", "typing", "typing_extensions", "collections", "datetime", "uuid", "json", "logging", "os",
  "re", "sys", "enum", "decimal", "textwrap", "itertools", "functools", "time", "hashlib", "random", "string",
  "pathlib", "math", "warnings", "copy", "dataclasses", "contextlib", "__future__", "base64", "csv", "io", "operator",
  "pprint", "secrets", "zoneinfo", "pytz", "dateutil", "sqlmodel", "geoalchemy2", "sqlalchemy_utils", "builtins",
  "abc", "inspect", "traceback", "shutil", "tempfile", "glob", "fnmatch", "struct", "binascii", "codecs", "locale",
  "calendar", "numbers", "fractions", "statistics", "types", "weakref", "ipaddress", "urllib", "html", "xml", "yaml",
  "psycopg2", "psycopg", "pymysql", "MySQLdb", "asyncpg", "sqlite3", "click", "tqdm", "attr", "attrs", "pydantic",
  "orjson", "ujson", "simplejson", "arrow", "pendulum", "citext", "sqlalchemy_json", "sqlalchemy_jsonfield",
  "sqlalchemy_utc", "geoalchemy", "ulid", "shortuuid", "nanoid", "passlib", "bcrypt", "cryptography", "requests",
  "numpy", "pandas", "six", "future", "past", "asyncio", "threading", "subprocess", "argparse", "configparser",
  "getpass", "platform", "socket", "heapq", "bisect", "array", "queue", "unicodedata", "difflib", "gettext",
]);

const BUILTINS_SILENT = new Set([
  "print", "len", "range", "list", "dict", "set", "tuple", "str", "int", "float", "bool", "sorted", "reversed",
  "enumerate", "zip", "map", "filter", "min", "max", "sum", "any", "all", "isinstance", "getattr", "setattr",
  "hasattr", "format", "repr", "open", "iter", "next", "type", "super", "object", "vars", "locals", "id", "hash",
  "abs", "round", "divmod", "pow", "chr", "ord", "hex", "oct", "bin", "frozenset", "bytes", "bytearray",
  "memoryview", "callable", "issubclass", "property", "staticmethod", "classmethod", "Exception", "ValueError",
  "NotImplementedError", "RuntimeError", "TypeError", "KeyError", "AssertionError", "globals",
]);

const GLOBALS_SUBSCRIPT = /\bglobals\s*\(\s*\)\s*\[/;
/** `op.batch_alter_table(...)`'s parameters. */
const BATCH_ALTER_TABLE_SIGNATURE: Signature = { positional: ["table_name", "schema", "recreate", "partial_reordering", "copy_from"] };

const MAX_INLINE_DEPTH = 8;
const MAX_UNROLL = 1000;
const MAX_OPS_PER_SECTION = 10000;
/** Statements one section may walk (inlining and unrolling multiply work). */
const MAX_STEPS_PER_SECTION = 200000;

class Scope {
  readonly vars = new Map<string, EV>();
  constructor(readonly parent: Scope | null) {}
  lookup(name: string): EV | undefined {
    // Bound values are never undefined: one `get` per scope instead of `has` + `get`.
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

interface WalkState {
  conditional: boolean;
  via: string[];
  autocommit: boolean;
  scope: Scope;
  /** Innermost batch block (for ops on `op.*` inside a batch `with`). */
  batchBlock: number | null;
}

type Flow = "falls-through" | "maybe-exits" | "exits";

/** What bindArgs yields: the bound arguments and positional extras. */
class ArgBinding {
  readonly args: Record<string, Value> = {};
  readonly extra: Value[] = [];
  /** The raw (unconverted) value bound to `table` (bulk_insert's table may be a special). */
  rawTable: EV | undefined = undefined;
  readonly positional: string[];
  /** Extra positional values collected under `sig.varargs`. */
  readonly varargs: Value[] = [];
  count = 0;

  constructor(sig: Signature | null) {
    this.positional = sig?.positional ?? [];
  }

  set(key: string, v: EV): void {
    if (key === "table") this.rawTable = v;
    // A `__proto__` binding never became an own key of the converted arguments.
    if (key === "__proto__") return;
    this.args[key] = isSpecial(v) ? { expr: specialText(v) } : v;
  }
}

interface SectionBuilder {
  steps: number;
  reasons: Set<string>;
  ops: Op[];
  batchBlocks: BatchBlock[];
  typeEvents: TypeEvent[];
  unanalyzed: Unanalyzed[];
  dispatcher: boolean;
}

export interface ExtractOptions {
  path: string;
  absPath: string;
}

export function extractMigration(mod: ParsedModule, opts: ExtractOptions): Migration {
  return new Extractor(mod).run(opts);
}

class Extractor {
  private readonly src: string;
  /** Local alias → dotted module path, from import statements. */
  private readonly imports = new Map<string, string>();
  private readonly moduleExprs = new Map<string, Expr>();
  private readonly moduleValues = new Map<string, EV>();
  private readonly evaluating = new Set<string>();
  private readonly functions = new Map<string, Extract<Stmt, { k: "def" }>>();
  private readonly moduleScope = new Scope(null);
  private appStarImport = false;
  private opAliases = new Set<string>();
  private section: SectionBuilder = newBuilder();
  private inlineStack: string[] = [];

  private readonly lines: LineIndex;

  constructor(private readonly mod: ParsedModule) {
    this.src = mod.source;
    this.lines = new LineIndex(mod.source);
  }

  run(opts: ExtractOptions): Migration {
    const body = this.mod.body;
    for (const s of body) this.indexModuleStatement(s);
    // (Imported modules are not values: `sa.update(t)` builds a statement, it mutates no `sa`.)
    for (const name of mutatedNames(body)) if (!this.imports.has(name)) this.moduleValues.set(name, { expr: name });
    if (this.opAliases.size === 0) this.opAliases.add("op");

    const header = this.header(body);
    const sections = this.sections();
    const pairs = pairSections(sections);
    return {
      path: opts.path,
      absPath: opts.absPath,
      source: this.src,
      header,
      sections,
      pairs,
      comments: this.mod.comments,
      parseError: this.mod.error,
      errorRegions: this.mod.errorRegions.map((r) => this.span(r)),
    };
  }

  // ---- module level -------------------------------------------------------------

  private indexModuleStatement(s: Stmt): void {
    switch (s.k) {
      case "import":
        for (const n of s.names) this.addImport(n.module, n.name, n.alias);
        break;
      case "assign":
        if (s.value) {
          for (const t of s.targets) if (t.k === "name") this.moduleExprs.set(t.id, s.value);
        }
        break;
      case "def":
        this.functions.set(s.name, s);
        break;
      case "if":
      case "try":
        // Imports guarded by `if TYPE_CHECKING:` or `try:` still name what they import.
        for (const inner of [...(s.k === "if" ? [...s.body, ...s.orelse] : [...s.body, ...s.handlers.flat()])]) {
          if (inner.k === "import" || inner.k === "def") this.indexModuleStatement(inner);
        }
        break;
      default:
        break;
    }
  }

  private addImport(module: string, name: string | null, alias: string): void {
    if (name === "*") {
      if (!LIBRARY_PACKAGES.has(module.split(".")[0]!)) this.appStarImport = true;
      return;
    }
    const full = name ? `${module}.${name}` : module;
    this.imports.set(alias, full);
    if (full === "alembic.op") this.opAliases.add(alias);
  }

  private header(body: Stmt[]): Header {
    const header: Header = { revision: null, downRevision: null, branchLabels: null, dependsOn: null, docstring: null };
    const first = body[0];
    if (first && first.k === "expr" && first.expr.k === "str") header.docstring = parseDocstringHeader(first.expr.value, this.lines.position(first.expr.span.start).line, this.src, first.expr.span.start);
    for (const s of body) {
      if (s.k !== "assign" || !s.value) continue;
      for (const t of s.targets) {
        if (t.k !== "name") continue;
        // (span() is pure: computed only for the header variables.)
        switch (t.id) {
          case "revision": {
            const span = this.span(s.span);
            const v = this.evalModuleExpr(s.value);
            header.revision = { value: typeof v === "string" ? v : v === null ? null : this.exprValueOf(s.value), span };
            break;
          }
          case "down_revision":
            header.downRevision = this.headerVar(s.value, this.span(s.span));
            break;
          case "branch_labels":
            header.branchLabels = this.headerVar(s.value, this.span(s.span));
            break;
          case "depends_on":
            header.dependsOn = this.headerVar(s.value, this.span(s.span));
            break;
          default:
            break;
        }
      }
    }
    return header;
  }

  private headerVar(e: Expr, span: Span): HeaderVar {
    const v = this.evalModuleExpr(e);
    if (v === null) return { value: [], span };
    if (typeof v === "string") return { value: [v], span };
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return { value: v as string[], span };
    return { value: this.exprValueOf(e), span };
  }

  private evalModuleExpr(e: Expr): EV {
    return this.evaluate(e, this.detachedState(this.moduleScope));
  }

  private sections(): Section[] {
    const sections: Section[] = [];
    const up = this.functions.get("upgrade");
    const down = this.functions.get("downgrade");
    const multidb = this.src.includes("globals") && (this.callsGlobals(up) || this.callsGlobals(down));
    if (up) sections.push(this.section_(up, up.name as "upgrade" | "downgrade", ""));
    if (down) sections.push(this.section_(down, down.name as "upgrade" | "downgrade", ""));
    if (multidb) {
      for (const [name, def] of this.functions) {
        const m = /^(upgrade|downgrade)_(\w*)$/.exec(name);
        if (m) sections.push(this.section_(def, m[1] as "upgrade" | "downgrade", m[2]!));
      }
    }
    return sections;
  }

  /** `globals()[...]` in a function's text (the multi-db template's dispatcher). */
  private callsGlobals(d: Extract<Stmt, { k: "def" }> | undefined): boolean {
    if (!d) return false;
    // The pattern needs the word: most functions are ruled out without slicing their text.
    const at = this.src.indexOf("globals", d.span.start);
    if (at < 0 || at + 7 > d.span.end) return false;
    return GLOBALS_SUBSCRIPT.test(this.text(d.span));
  }

  private section_(def: Extract<Stmt, { k: "def" }>, role: "upgrade" | "downgrade", suffix: string): Section {
    this.section = newBuilder();
    const scope = new Scope(this.moduleScope);
    for (const p of def.params) scope.vars.set(p.name, this.opAliases.has(p.name) || p.name === "op" ? OP : { expr: p.name });
    const st: WalkState = { conditional: false, via: [], autocommit: false, scope, batchBlock: null };
    this.inlineStack = [def.name];
    this.walkBlock(def.body, st);
    const b = this.section;
    b.ops.forEach((op, i) => (op.order = i));
    return {
      name: def.name,
      role,
      suffix,
      span: this.span(def.nameSpan),
      ops: b.ops,
      batchBlocks: b.batchBlocks,
      typeEvents: b.typeEvents,
      unanalyzed: b.unanalyzed,
      body: bodyKind(def.body),
      dispatcher: b.dispatcher,
    };
  }

  // ---- statements -----------------------------------------------------------------

  private walkBlock(stmts: Stmt[], st: WalkState): Flow {
    let state = st;
    let result: Flow = "falls-through";
    for (const s of stmts) {
      const flow = this.walkStmt(s, state);
      if (flow === "exits") return result === "maybe-exits" ? "maybe-exits" : "exits";
      if (flow === "maybe-exits") {
        // Early-return guard (`if dialect != "postgresql": return`): the rest is conditional.
        result = "maybe-exits";
        if (!state.conditional) state = { ...state, conditional: true };
      }
    }
    return result;
  }

  private walkStmt(s: Stmt, st: WalkState): Flow {
    if (++this.section.steps > MAX_STEPS_PER_SECTION) {
      this.unanalyzed("the rest of the function (too large to analyze)", s.span);
      return "exits";
    }
    switch (s.k) {
      case "expr":
        this.evaluate(s.expr, st, true);
        return "falls-through";
      case "assign":
        this.assign(s, st);
        return "falls-through";
      case "if":
        return this.walkIf(s, st);
      case "for":
        this.walkFor(s, st);
        return "falls-through";
      case "while": {
        this.evaluate(s.cond, st);
        const before = this.section.ops.length;
        this.walkBranches(st, [() => this.walkBlock(s.body, { ...st, conditional: true })], true);
        if (this.section.ops.length > before) this.unanalyzed(`a \`while\` loop`, s.span);
        return "falls-through";
      }
      case "with":
        return this.walkWith(s, st);
      case "try": {
        const cond = { ...st, conditional: true };
        this.walkBranches(st, [
          () => (this.walkBlock(s.body, cond) === "exits" ? "exits" : this.walkBlock(s.orelse, cond)),
          ...s.handlers.map((h) => () => this.walkBlock(h, cond)),
        ], false);
        return this.walkBlock(s.finalbody, st);
      }
      case "return":
        if (s.value) this.evaluate(s.value, st);
        return "exits";
      case "raise":
        return "exits";
      case "def":
        st.scope.vars.set(s.name, { sp: "func", def: s, scope: st.scope });
        return "falls-through";
      case "import":
        for (const n of s.names) this.addImport(n.module, n.name, n.alias);
        return "falls-through";
      case "pass":
        return "falls-through";
      case "augassign":
        this.evaluate(s.value, st);
        this.bindTarget(s.target, { expr: this.text(s.target.span) }, st.scope);
        return "falls-through";
      case "global":
        return "falls-through";
      case "other":
        for (const e of s.exprs) this.evaluate(e, st);
        return "falls-through";
    }
  }

  /**
   * Walks the branches of conditional code, each from the same variables. Afterwards a
   * variable keeps its value only if every way on (each branch that does not exit, and no
   * branch at all when `skippable`) leaves the same one; otherwise it is unknown. So a name
   * assigned in one branch of an `if` is not taken as certain after it.
   */
  private walkBranches(st: WalkState, branches: (() => Flow)[], skippable: boolean): Flow[] {
    const vars = st.scope.vars;
    const before = new Map(vars);
    const flows: Flow[] = [];
    const ways: Map<string, EV>[] = skippable ? [before] : [];
    for (const walk of branches) {
      vars.clear();
      for (const [k, v] of before) vars.set(k, v);
      const flow = walk();
      flows.push(flow);
      if (flow !== "exits") ways.push(new Map(vars));
    }
    vars.clear();
    if (ways.length === 0) ways.push(before);
    for (const k of new Set(ways.flatMap((w) => [...w.keys()]))) {
      const first = ways[0]!.get(k);
      const same = ways.every((w) => {
        const v = w.get(k);
        return v === first || (v !== undefined && first !== undefined && isLiteral(v) && isLiteral(first) && JSON.stringify(v) === JSON.stringify(first));
      });
      vars.set(k, same && first !== undefined ? first : { expr: k });
    }
    return flows;
  }

  private assign(s: Extract<Stmt, { k: "assign" }>, st: WalkState): void {
    if (!s.value) return;
    const v = this.evaluate(s.value, st, true);
    for (const t of s.targets) this.bindTarget(t, v, st.scope);
  }

  private bindTarget(t: Expr, v: EV, scope: Scope): void {
    if (t.k === "name") {
      scope.vars.set(t.id, v);
    } else if (t.k === "list") {
      const items = Array.isArray(v) && v.length === t.items.length ? v : null;
      for (let i = 0; i < t.items.length; i++) {
        const item = t.items[i]!;
        this.bindTarget(item, items ? items[i]! : { expr: this.text(item.span) }, scope);
      }
    }
  }

  private walkIf(s: Extract<Stmt, { k: "if" }>, st: WalkState): Flow {
    const decided = this.decide(s.cond, st);
    if (decided === true) return this.walkBlock(s.body, st);
    if (decided === false) return this.walkBlock(s.orelse, st);
    const cond = { ...st, conditional: true };
    const [a, b] = this.walkBranches(st, [() => this.walkBlock(s.body, cond), () => this.walkBlock(s.orelse, cond)], false) as [Flow, Flow];
    if (a === "exits" && b === "exits") return "exits";
    return a !== "falls-through" || b !== "falls-through" ? "maybe-exits" : "falls-through";
  }

  /** Static truth of a condition when it only involves literals (e.g. helper parameters). */
  private decide(e: Expr, st: WalkState): boolean | undefined {
    switch (e.k) {
      case "not": {
        const d = this.decide(e.operand, st);
        return d === undefined ? undefined : !d;
      }
      case "boolop": {
        const l = this.decide(e.left, st);
        const r = this.decide(e.right, st);
        if (e.op === "and") return l === false || r === false ? false : l === true && r === true ? true : undefined;
        return l === true || r === true ? true : l === false && r === false ? false : undefined;
      }
      case "compare": {
        if (e.ops.length !== 1 || e.operands.length !== 2) return undefined;
        const l = this.evaluate(e.operands[0]!, this.detachedState(st.scope));
        const r = this.evaluate(e.operands[1]!, this.detachedState(st.scope));
        if (!isLiteral(l) || !isLiteral(r)) return undefined;
        switch (e.ops[0]) {
          case "==":
          case "is":
            return JSON.stringify(l) === JSON.stringify(r);
          case "!=":
          case "is not":
            return JSON.stringify(l) !== JSON.stringify(r);
          case "in":
            return Array.isArray(r) ? r.some((x) => JSON.stringify(x) === JSON.stringify(l)) : typeof r === "string" && typeof l === "string" ? r.includes(l) : undefined;
          case "not in":
            return Array.isArray(r) ? !r.some((x) => JSON.stringify(x) === JSON.stringify(l)) : typeof r === "string" && typeof l === "string" ? !r.includes(l) : undefined;
          default:
            return undefined;
        }
      }
      case "const":
        return e.value === true;
      case "num":
        return e.value !== 0;
      case "str":
        return e.value !== "";
      case "name": {
        const v = st.scope.lookup(e.id) ?? this.moduleValue(e.id);
        if (v === undefined || !isLiteral(v)) return undefined;
        return truthy(v);
      }
      default:
        return undefined;
    }
  }

  private walkFor(s: Extract<Stmt, { k: "for" }>, st: WalkState): void {
    const iter = this.evaluate(s.iter, st);
    if (Array.isArray(iter) && iter.length <= MAX_UNROLL && isLiteral(iter)) {
      for (const item of iter) {
        this.bindTarget(s.target, item, st.scope);
        const flow = this.walkBlock(s.body, st);
        if (flow === "exits") return;
      }
      this.walkBlock(s.orelse, st);
      return;
    }
    // Not unrollable: walk the body once, with the loop variables unknown.
    this.bindTarget(s.target, { expr: this.text(s.target.span) }, st.scope);
    const before = this.section.ops.length;
    const reasons = this.section.unanalyzed.length;
    const cond = { ...st, conditional: true };
    this.walkBranches(st, [
      () => {
        this.walkBlock(s.body, cond);
        return this.walkBlock(s.orelse, cond);
      },
    ], true);
    if (this.section.ops.length > before || this.section.unanalyzed.length > reasons) {
      this.unanalyzed(`a loop over \`${clip(this.text(s.iter.span))}\``, s.span);
    }
  }

  private walkWith(s: Extract<Stmt, { k: "with" }>, st: WalkState): Flow {
    let inner: WalkState = st;
    const blocks: BatchBlock[] = [];
    for (const item of s.items) {
      const batch = this.batchHeader(item.expr, inner);
      if (batch) {
        blocks.push(batch.block);
        if (item.alias) {
          inner = { ...inner, scope: new Scope(inner.scope) };
          inner.scope.vars.set(item.alias, { sp: "batch", block: batch.block, dynamic: batch.dynamic });
        }
        inner = { ...inner, batchBlock: batch.block.id };
        continue;
      }
      if (isAutocommitBlock(item.expr, (e) => this.evaluate(e, this.detachedState(inner.scope)))) {
        inner = { ...inner, autocommit: true };
        continue;
      }
      // `with contextlib.suppress(...)` is a try/except: its body may stop anywhere.
      if (item.expr.k === "call") {
        const fnv = this.evaluate(item.expr.fn, this.detachedState(inner.scope));
        if (isExprV(fnv) && fnv.ref === "contextlib.suppress") {
          this.evalArgs(item.expr, inner);
          inner = { ...inner, conditional: true };
          continue;
        }
      }
      const v = this.evaluate(item.expr, inner);
      if (item.alias) inner.scope.vars.set(item.alias, isSpecial(v) ? v : { expr: item.alias });
    }
    const flow = this.walkBlock(s.body, inner);
    for (const b of blocks) b.flushOrder = this.section.ops.length;
    // Variables assigned inside the block stay visible after it, as in Python.
    if (inner.scope !== st.scope) for (const [k, v] of inner.scope.vars) if (!isSpecial(v) || v.sp !== "batch") st.scope.vars.set(k, v);
    return flow;
  }

  private batchHeader(e: Expr, st: WalkState): { block: BatchBlock; dynamic: boolean } | null {
    if (e.k !== "call" || e.fn.k !== "attr" || e.fn.attr !== "batch_alter_table") return null;
    const owner = this.evaluate(e.fn.obj, this.detachedState(st.scope));
    if (!isSpecial(owner) || owner.sp !== "op") return null;
    const { args } = this.bindArgs(e, BATCH_ALTER_TABLE_SIGNATURE, st);
    const table = args.table_name;
    const schema = args.schema;
    const block: BatchBlock = {
      id: this.section.batchBlocks.length,
      table: typeof table === "string" ? table : null,
      schema: typeof schema === "string" ? schema : null,
      span: this.span(e.span),
      flushOrder: 0,
      recreate: args.recreate,
    };
    this.section.batchBlocks.push(block);
    const dynamic = table !== undefined && typeof table !== "string";
    if (dynamic) this.unanalyzed(`a dynamic table name in \`batch_alter_table(${clip(this.text(e.args[0]?.span ?? e.span))})\``, e.span);
    return { block, dynamic };
  }

  // ---- expressions ----------------------------------------------------------------

  /** A state that records nothing: for evaluating values without side effects twice. */
  private detachedState(scope: Scope): WalkState & { detached: true } {
    return { conditional: true, via: [], autocommit: false, scope, batchBlock: null, detached: true };
  }

  private evaluate(e: Expr, st: WalkState, statementLevel = false): EV {
    switch (e.k) {
      case "str":
        return e.value;
      case "num":
        return e.value;
      case "const":
        return e.value;
      case "fstr": {
        const text = this.text(e.span);
        return foldFString(text, (id) => this.evaluate({ k: "name", id, span: e.span }, st)) ?? { expr: text };
      }
      case "name": {
        const local = st.scope.lookup(e.id);
        if (local !== undefined) return local;
        if (this.opAliases.has(e.id)) return OP;
        const mv = this.moduleValue(e.id);
        if (mv !== undefined) return mv;
        const fn = this.functions.get(e.id);
        if (fn) return { sp: "func", def: fn, scope: this.moduleScope };
        const ref = this.imports.get(e.id);
        return ref ? { expr: e.id, ref } : { expr: e.id };
      }
      case "attr": {
        const obj = this.evaluate(e.obj, st);
        if (isSpecial(obj)) return { expr: this.text(e.span) };
        const ref = isExprV(obj) && obj.ref ? `${obj.ref}.${e.attr}` : undefined;
        return ref ? { expr: this.text(e.span), ref } : { expr: this.text(e.span) };
      }
      case "list": {
        const out: Value[] = [];
        for (const i of e.items) {
          const v = this.evaluate(i, st);
          // toValue(v, text of i), slicing the text only for the specials that need it.
          out.push(isSpecial(v) ? { expr: this.text(i.span) || specialText(v) } : v);
        }
        return out;
      }
      case "binop": {
        const l = this.evaluate(e.left, st);
        const r = this.evaluate(e.right, st);
        if (e.op === "+" && typeof l === "string" && typeof r === "string") return l + r;
        if (e.op === "%" && typeof l === "string") {
          const folded = percentFormat(l, typeof r === "string" ? [r] : Array.isArray(r) ? r : null);
          if (folded !== null) return folded;
        }
        if (e.op === "+" && Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
        if (typeof l === "number" && typeof r === "number") {
          switch (e.op) {
            case "+": return l + r;
            case "-": return l - r;
            case "*": return l * r;
            default: break;
          }
        }
        return { expr: this.text(e.span) };
      }
      case "unary": {
        const v = this.evaluate(e.operand, st);
        if (e.op === "-" && typeof v === "number") return -v;
        return { expr: this.text(e.span) };
      }
      case "dict": {
        const dict: Record<string, Value> = {};
        for (const ent of e.entries) {
          const ev = this.evaluate(ent.value, st);
          const v = isSpecial(ev) ? { expr: this.text(ent.value.span) || specialText(ev) } : ev;
          if (ent.key && ent.key.k === "str") dict[ent.key.value] = v;
          else if (ent.key) this.evaluate(ent.key, st);
        }
        return { expr: this.text(e.span), dict };
      }
      case "call":
        return this.evaluateCall(e, st, statementLevel);
      case "subscript": {
        const v = this.evaluate(e.value, st);
        for (const i of e.index) this.evaluate(i, st);
        const idx = e.index.length === 1 ? this.evaluate(e.index[0]!, this.detachedState(st.scope)) : undefined;
        if (Array.isArray(v) && typeof idx === "number" && Number.isInteger(idx)) {
          const item = v[idx < 0 ? v.length + idx : idx];
          if (item !== undefined) return item;
        }
        if (isExprV(v) && v.dict && typeof idx === "string" && idx in v.dict) return v.dict[idx]!;
        return { expr: this.text(e.span) };
      }
      case "compare":
        for (const o of e.operands) this.evaluate(o, st);
        return { expr: this.text(e.span) };
      case "boolop":
        this.evaluate(e.left, st);
        this.evaluate(e.right, st);
        return { expr: this.text(e.span) };
      case "not":
        this.evaluate(e.operand, st);
        return { expr: this.text(e.span) };
      case "starred":
        this.evaluate(e.value, st);
        return { expr: this.text(e.span) };
      case "other":
        if (e.children.length > 0) {
          const cond = { ...st, conditional: true };
          for (const c of e.children) this.evaluate(c, cond);
        }
        return { expr: this.text(e.span) };
    }
  }

  private moduleValue(name: string): EV | undefined {
    const known = this.moduleValues.get(name); // never undefined once set
    if (known !== undefined) return known;
    const e = this.moduleExprs.get(name);
    if (!e || this.evaluating.has(name)) return undefined;
    this.evaluating.add(name);
    const saved = this.section;
    this.section = newBuilder(); // module-level expressions record nothing into sections
    let v: EV;
    try {
      v = this.evaluate(e, this.detachedState(this.moduleScope));
    } finally {
      this.section = saved;
      this.evaluating.delete(name);
    }
    if (isExprV(v) && !v.ref && !v.call) v = { ...v, expr: name };
    this.moduleValues.set(name, v);
    return v;
  }

  private evaluateCall(e: Extract<Expr, { k: "call" }>, st: WalkState, statementLevel: boolean): EV {
    const fn = e.fn;
    // globals()["upgrade_%s" % engine_name]() — the multi-db template's dispatcher.
    if (fn.k === "subscript" && fn.value.k === "call" && fn.value.fn.k === "name" && fn.value.fn.id === "globals") {
      this.section.dispatcher = true;
      return { expr: this.text(e.span) };
    }
    if (fn.k === "attr") {
      const owner = this.evaluate(fn.obj, st);
      if (isSpecial(owner)) return this.callOnSpecial(owner, fn.attr, e, st);
      // `context.get_context()` (from alembic import context) is the migration context too.
      if ((fn.attr === "get_context" || fn.attr === "get_bind") && isExprV(owner) && owner.ref === "alembic.context") {
        this.evalArgs(e, st);
        return fn.attr === "get_bind" ? BIND : CONTEXT;
      }
      // `CONFIG.items()` over a literal dict, for loops.
      if (isExprV(owner) && owner.dict && e.args.length === 0 && (fn.attr === "items" || fn.attr === "keys" || fn.attr === "values")) {
        const entries = Object.entries(owner.dict);
        return fn.attr === "items" ? entries.map(([k, v]) => [k, v]) : fn.attr === "keys" ? entries.map(([k]) => k) : entries.map(([, v]) => v);
      }
      // `sa.Enum(..., name="x").create(op.get_bind())` creates or drops a PG type.
      if ((fn.attr === "create" || fn.attr === "drop") && isExprV(owner) && owner.call && /(^|\.)(Enum|ENUM)$/.test(owner.call.callee)) {
        const { args, kwargs } = this.evalArgs(e, st);
        const name = owner.call.kwargs.name;
        if (typeof name === "string" && [...args, ...Object.values(kwargs)].some((a) => isSpecial(a) && a.sp === "bind")) {
          this.typeEvent(fn.attr, name, e.span, st, kwargs.checkfirst === true);
        }
        return { expr: this.text(e.span) };
      }
      const { args, kwargs } = this.evalArgs(e, st);
      // `tables.append(...)`: the list is no longer the literal it started as.
      if (MUTATORS.has(fn.attr) && fn.obj.k === "name" && !("detached" in st) && !(this.imports.has(fn.obj.id) && st.scope.lookup(fn.obj.id) === undefined)) {
        st.scope.vars.set(fn.obj.id, { expr: fn.obj.id });
      }
      if (fn.attr === "dedent" && isExprV(owner) && owner.ref === "textwrap") {
        const { args: a } = this.evalArgs(e, st);
        if (typeof a[0] === "string") return dedent(a[0]);
      }
      // `text("...").bindparams(...)` / `.execution_options(...)` is still that SQL text.
      if ((fn.attr === "bindparams" || fn.attr === "execution_options" || fn.attr === "columns") && isExprV(owner) && owner.call && /(^|\.)text$/.test(owner.call.callee)) return owner;
      const callee = isExprV(owner) && owner.ref ? `${owner.ref}.${fn.attr}` : this.text(fn.span);
      this.checkForeignCall(callee, isExprV(owner) ? owner.ref : undefined, args, kwargs, e, statementLevel);
      return callValue(this.text(e.span), callee, args, kwargs, isExprV(owner) && (owner.call || owner.dict) ? owner : undefined);
    }
    if (fn.k === "name") {
      const target = this.evaluate(fn, st);
      if (isSpecial(target) && target.sp === "func") return this.inline(target.def, target.scope, e, st);
      // `from alembic.op import add_column`: the same operation as `op.add_column`.
      if (isExprV(target) && target.ref?.startsWith("alembic.op.")) return this.callOnSpecial(OP, target.ref.slice("alembic.op.".length), e, st);
      const { args, kwargs } = this.evalArgs(e, st);
      if (isExprV(target) && !target.ref) {
        const folded = foldBuiltin(fn.id, args);
        if (folded !== undefined) return folded;
      }
      const ref = isExprV(target) ? target.ref : undefined;
      if (ref === "textwrap.dedent" && typeof args[0] === "string") return dedent(args[0]);
      const callee = ref ?? fn.id;
      if (ref) this.checkForeignCall(callee, ref, args, kwargs, e, statementLevel);
      else if (!BUILTINS_SILENT.has(fn.id) && statementLevel && this.appStarImport) {
        this.unanalyzed(`\`${fn.id}()\` (from a star import)`, e.span);
      } else if (!BUILTINS_SILENT.has(fn.id) && passesMigrationObjects(args, kwargs)) {
        this.unanalyzed(`\`${fn.id}()\`, which receives ${handedWhat(args, kwargs)}`, e.span);
      }
      return callValue(this.text(e.span), callee, args, kwargs);
    }
    const callee = this.evaluate(fn, st);
    const { args, kwargs } = this.evalArgs(e, st);
    if (passesMigrationObjects(args, kwargs)) this.unanalyzed(`\`${clip(this.text(fn.span))}(...)\``, e.span);
    return callValue(this.text(e.span), isExprV(callee) && callee.ref ? callee.ref : this.text(fn.span), args, kwargs);
  }

  /** Calls into application code may run operations we cannot see. */
  private checkForeignCall(callee: string, ref: string | undefined, args: EV[], kwargs: Record<string, EV>, e: Extract<Expr, { k: "call" }>, statementLevel: boolean): void {
    // `Session(bind=op.get_bind())`, `pd.read_sql(..., conn)`: data work through the connection.
    // Application code handed the connection may run DDL we cannot see; libraries
    // (SQLAlchemy reflection, ORM sessions, pandas) only read or change rows.
    const own = ref ?? callee;
    const full = callee.includes(".") ? callee : own;
    const top = firstSegment(own);
    const topLibrary = LIBRARY_PACKAGES.has(top);
    // `callee` is usually `<ref>.<attr>`: then its first segment is `top` (no second slice).
    const library = full === own || (full.startsWith(top) && full.charCodeAt(top.length) === 46) ? topLibrary : LIBRARY_PACKAGES.has(firstSegment(full));
    // `sa.Column(...)`, `sa.String(...)`: the common case, nothing to say.
    if (library && topLibrary && !(ref !== undefined && ref.startsWith("."))) return;
    if (!library && ref !== undefined && passesBind(args, kwargs)) {
      this.unanalyzed(`\`${clip(this.text(e.fn.span))}(...)\`, which receives the connection`, e.span);
      return;
    }
    const imported = ref !== undefined && !topLibrary && !top.startsWith("_") ? true : ref !== undefined && top.startsWith(".");
    const relative = ref !== undefined && ref.startsWith(".");
    if ((imported || relative) && (statementLevel || passesMigrationObjects(args, kwargs))) {
      this.unanalyzed(`\`${clip(this.text(e.fn.span))}()\`, imported from \`${ref!.split(".").slice(0, -1).join(".") || ref}\``, e.span);
    } else if (!imported && passesMigrationObjects(args, kwargs) && !topLibrary) {
      this.unanalyzed(`\`${clip(this.text(e.fn.span))}()\`, which receives ${handedWhat(args, kwargs)}`, e.span);
    }
  }

  private callOnSpecial(owner: Special, method: string, e: Extract<Expr, { k: "call" }>, st: WalkState): EV {
    switch (owner.sp) {
      case "op":
      case "batch": {
        if (method === "f") {
          const v = e.args[0] ? this.evaluate(e.args[0], st) : undefined;
          return typeof v === "string" ? v : { expr: this.text(e.span) };
        }
        if (method === "get_bind") return BIND;
        if (method === "get_context") return CONTEXT;
        if (NON_OPERATIONS.has(method)) {
          this.evalArgs(e, st);
          return { expr: this.text(e.span) };
        }
        if (OPAQUE_OPERATIONS.has(method)) {
          this.evalArgs(e, st);
          this.unanalyzed(`\`op.${method}(...)\``, e.span);
          return { expr: this.text(e.span) };
        }
        if (owner.sp === "op" && method === "create_table") {
          const op = this.recordOp(method, null, e, st);
          return { sp: "table", name: op?.table ?? null, schema: op?.schema ?? null };
        }
        this.recordOp(method, owner.sp === "batch" ? owner : null, e, st);
        return { expr: this.text(e.span) };
      }
      case "bind":
        if (method === "execute" || method === "exec_driver_sql") {
          this.recordOp("execute", null, e, st);
        } else {
          this.evalArgs(e, st);
        }
        return { expr: this.text(e.span) };
      case "context":
        this.evalArgs(e, st);
        return { expr: this.text(e.span) };
      case "table":
      case "func":
        this.evalArgs(e, st);
        return { expr: this.text(e.span) };
    }
  }

  private evalArgs(e: Extract<Expr, { k: "call" }>, st: WalkState): { args: EV[]; kwargs: Record<string, EV> } {
    const args: EV[] = [];
    for (const a of e.args) args.push(this.evaluate(a, st));
    const kwargs: Record<string, EV> = {};
    for (const kw of e.kwargs) {
      const v = this.evaluate(kw.value, st);
      kwargs[kw.name ?? "**"] = kw.name ? v : { expr: this.text(kw.value.span) };
    }
    return { args, kwargs };
  }

  private inline(def: Extract<Stmt, { k: "def" }>, defScope: Scope, e: Extract<Expr, { k: "call" }>, st: WalkState): EV {
    const { args, kwargs } = this.evalArgs(e, st);
    if ("detached" in st) return { expr: this.text(e.span) };
    if (this.inlineStack.includes(def.name)) {
      this.unanalyzed(`the recursive helper \`${def.name}()\``, e.span);
      return { expr: this.text(e.span) };
    }
    if (this.inlineStack.length > MAX_INLINE_DEPTH) {
      this.unanalyzed(`\`${def.name}()\`, nested more than ${MAX_INLINE_DEPTH} helpers deep`, e.span);
      return { expr: this.text(e.span) };
    }
    const scope = new Scope(defScope);
    let i = 0;
    for (const p of def.params) {
      if (p.kind === "args") {
        scope.vars.set(p.name, args.slice(i).map((a) => toValue(a, "")));
        i = args.length;
      } else if (p.kind === "kwargs") {
        scope.vars.set(p.name, { expr: p.name });
      } else if (i < args.length) {
        scope.vars.set(p.name, args[i++]!);
      } else if (p.name in kwargs) {
        scope.vars.set(p.name, kwargs[p.name]!);
      } else if (p.default) {
        scope.vars.set(p.name, this.evaluate(p.default, this.detachedState(defScope)));
      } else {
        scope.vars.set(p.name, { expr: p.name });
      }
    }
    if (e.starred) this.unanalyzed(`\`${def.name}()\` called with \`*args\`/\`**kwargs\``, e.span);
    this.inlineStack.push(def.name);
    try {
      this.walkBlock(def.body, { ...st, scope, via: [...st.via, def.name] });
    } finally {
      this.inlineStack.pop();
    }
    const ret = singleReturn(def.body);
    if (ret) {
      const v = this.evaluate(ret, this.detachedState(scope));
      if (isLiteral(v) || isSpecial(v)) return v;
    }
    return { expr: this.text(e.span) };
  }

  // ---- recording ------------------------------------------------------------------

  private recordOp(name: string, batch: Extract<Special, { sp: "batch" }> | null, e: Extract<Expr, { k: "call" }>, st: WalkState): Op | null {
    const sig = (batch ? BATCH_SIGNATURES[name] : undefined) ?? OP_SIGNATURES[name] ?? null;
    const { args, extra, rawTable } = this.bindArgs(e, sig, st);
    if ("detached" in st) return null;
    // `batch_op.drop_column("fetch", "folders")`: the op API's table argument given to a batch
    // op, which Alembic rejects with a TypeError. Not an operation to check.
    if (batch && sig && extra.length > 0) {
      this.unanalyzed(`\`${clip(this.text(e.fn.span))}()\` with more positional arguments than Alembic accepts (a TypeError when it runs)`, e.span);
      return null;
    }
    if (this.section.ops.length >= MAX_OPS_PER_SECTION) {
      this.unanalyzed(`operations after the first ${MAX_OPS_PER_SECTION} (too many to analyze)`, e.span);
      return null;
    }
    let table: string | null = null;
    let schema: string | null = null;
    let dynamicTable = false;
    if (batch) {
      table = batch.block.table;
      schema = batch.block.schema;
      dynamicTable = batch.dynamic;
    } else if (name === "bulk_insert") {
      const t = rawTable;
      if (isSpecial(t) && t.sp === "table") {
        table = t.name;
        schema = t.schema;
      } else if (isExprV(t) && t.call && /(^|\.)(table|Table)$/.test(t.call.callee) && typeof t.call.args[0] === "string") {
        table = t.call.args[0];
        const s = t.call.kwargs.schema;
        schema = typeof s === "string" ? s : null;
      }
    } else {
      const tArg = TABLE_ARG[name];
      const t = tArg ? args[tArg] : undefined;
      if (typeof t === "string") table = t;
      else if (t !== undefined && t !== null) dynamicTable = true;
      const s = args[SCHEMA_ARG[name] ?? "schema"];
      if (typeof s === "string") schema = s;
    }
    if (dynamicTable && !batch) {
      const t = args[TABLE_ARG[name] ?? ""];
      this.unanalyzed(`a dynamic table name in \`op.${name}(...)\` (\`${clip(isExprV(t) ? t.expr : String(t))}\`)`, e.span);
    }
    const op: Op = {
      name,
      span: this.span(e.span),
      batch: batch !== null,
      table,
      schema,
      dynamicTable,
      args,
      extraArgs: extra,
      conditional: st.conditional,
      via: st.via,
      autocommit: st.autocommit,
      batchBlock: batch ? batch.block.id : st.batchBlock,
      order: this.section.ops.length,
    };
    if (name === "add_column" && args.column !== undefined) {
      const col = decodeColumn(args.column);
      if (col) op.column = col;
    }
    if (name === "create_table") op.tableDef = decodeTableDef(Array.isArray(args.columns) ? args.columns : []);
    if (name === "execute") op.sql = sqlText(args.sqltext);
    this.section.ops.push(op);
    return op;
  }

  /**
   * Binds a call's arguments to the signature's parameter names. `args` is built with the
   * same assignments, in the same order, as the raw (unconverted) bindings, so its keys keep
   * their order; of the raw bindings only the one under `table` is kept (bulk_insert).
   */
  private bindArgs(e: Extract<Expr, { k: "call" }>, sig: Signature | null, st: WalkState): ArgBinding {
    const b = new ArgBinding(sig);
    // `*[a, b]` / `*COLUMNS` spread literal lists into positional arguments.
    for (const a of e.args) {
      if (a.k === "starred") {
        const v = this.evaluate(a.value, st);
        if (Array.isArray(v)) {
          for (const item of v) this.bindPositional(b, sig, item, null);
          continue;
        }
        this.unanalyzed(`a \`*${clip(this.text(a.value.span))}\` argument`, a.span);
        this.bindPositional(b, sig, { expr: this.text(a.span) }, a);
        continue;
      }
      this.bindPositional(b, sig, this.evaluate(a, st), a);
    }
    if (sig?.varargs) b.set(sig.varargs, b.varargs);
    for (const kw of e.kwargs) {
      const v = this.evaluate(kw.value, st);
      if (kw.name === null) {
        b.set("**", { expr: this.text(kw.value.span) });
        continue;
      }
      b.set(sig?.legacy?.[kw.name] ?? kw.name, v);
    }
    return b;
  }

  /**
   * The next positional argument. Its text (the source of `source`, or for an item of a
   * spread list its expression / JSON) only matters for specials past the signature, so it
   * is computed only then.
   */
  private bindPositional(b: ArgBinding, sig: Signature | null, v: EV, source: Expr | null): void {
    const i = b.count++;
    if (i < b.positional.length) b.set(b.positional[i]!, v);
    else if (!sig) b.set(String(i), v);
    else {
      // toValue(v, text)
      const out = isSpecial(v) ? { expr: (source ? this.text(source.span) : isExprV(v) ? v.expr : JSON.stringify(v)) || specialText(v) } : v;
      if (sig?.varargs) b.varargs.push(out);
      else b.extra.push(out);
    }
  }

  private typeEvent(kind: "create" | "drop", name: string, span: AstSpan, st: WalkState, checkfirst: boolean): void {
    if ("detached" in st) return;
    this.section.typeEvents.push({ kind, name, span: this.span(span), conditional: st.conditional, checkfirst, order: this.section.ops.length });
  }

  private unanalyzed(reason: string, span: AstSpan): void {
    if (this.section.reasons.has(reason)) return;
    this.section.reasons.add(reason);
    this.section.unanalyzed.push({ reason, span: this.span(span) });
  }

  /** Model span (1-based lines, 1-based UTF-16 columns) of syntax offsets. */
  private span(s: AstSpan): Span {
    return this.lines.span(s.start, s.end);
  }

  private text(span: AstSpan): string {
    return this.src.slice(span.start, span.end);
  }

  private exprValueOf(e: Expr): ExprValue {
    return { expr: this.text(e.span) };
  }
}

// ---- helpers ------------------------------------------------------------------------

function newBuilder(): SectionBuilder {
  return { steps: 0, reasons: new Set(), ops: [], batchBlocks: [], typeEvents: [], unanalyzed: [], dispatcher: false };
}


function firstSegment(dotted: string): string {
  const dot = dotted.indexOf(".");
  return dot < 0 ? dotted : dotted.slice(0, dot);
}

function isBind(v: EV): boolean {
  return isSpecial(v) && v.sp === "bind";
}

function isExprV(v: EV | undefined): v is ExprValue {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !("sp" in v);
}

const MUTATORS = new Set(["append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse", "update", "setdefault", "add", "discard", "popitem"]);

/** Names mutated anywhere (method calls, `+=`, `global` rebinding): never literal at module level. */
function mutatedNames(body: Stmt[]): Set<string> {
  const m: MutationWalk = { out: new Set<string>(), globals: new Set<string>() };
  mutatedInStmts(m, body, false);
  return m.out;
}

interface MutationWalk {
  out: Set<string>;
  globals: Set<string>;
}

function mutatedInExpr(m: MutationWalk, e: Expr | null | undefined): void {
  if (!e) return;
  switch (e.k) {
    case "call": {
      const fn = e.fn;
      if (fn.k === "attr" && fn.obj.k === "name" && MUTATORS.has(fn.attr)) m.out.add(fn.obj.id);
      mutatedInExpr(m, fn);
      for (const a of e.args) mutatedInExpr(m, a);
      for (const k of e.kwargs) mutatedInExpr(m, k.value);
      break;
    }
    case "attr":
      mutatedInExpr(m, e.obj);
      break;
    case "list":
      for (const x of e.items) mutatedInExpr(m, x);
      break;
    case "dict":
      for (const x of e.entries) {
        mutatedInExpr(m, x.key);
        mutatedInExpr(m, x.value);
      }
      break;
    case "binop":
    case "boolop":
      mutatedInExpr(m, e.left);
      mutatedInExpr(m, e.right);
      break;
    case "unary":
    case "not":
      mutatedInExpr(m, e.operand);
      break;
    case "compare":
      for (const x of e.operands) mutatedInExpr(m, x);
      break;
    case "subscript":
      mutatedInExpr(m, e.value);
      for (const x of e.index) mutatedInExpr(m, x);
      break;
    case "other":
      for (const x of e.children) mutatedInExpr(m, x);
      break;
    default:
      break;
  }
}

function mutatedInStmts(m: MutationWalk, ss: Stmt[], inFunction: boolean): void {
  for (const s of ss) {
    switch (s.k) {
      case "expr":
        mutatedInExpr(m, s.expr);
        break;
      case "assign":
        mutatedInExpr(m, s.value);
        if (inFunction) for (const t of s.targets) if (t.k === "name" && m.globals.has(t.id)) m.out.add(t.id);
        break;
      case "augassign":
        if (s.target.k === "name") m.out.add(s.target.id);
        mutatedInExpr(m, s.value);
        break;
      case "global":
        for (const n of s.names) m.globals.add(n);
        break;
      case "if":
        mutatedInExpr(m, s.cond);
        mutatedInStmts(m, s.body, inFunction);
        mutatedInStmts(m, s.orelse, inFunction);
        break;
      case "for":
        mutatedInExpr(m, s.iter);
        mutatedInStmts(m, s.body, inFunction);
        mutatedInStmts(m, s.orelse, inFunction);
        break;
      case "while":
        mutatedInStmts(m, s.body, inFunction);
        break;
      case "with":
        for (const i of s.items) mutatedInExpr(m, i.expr);
        mutatedInStmts(m, s.body, inFunction);
        break;
      case "try":
        mutatedInStmts(m, s.body, inFunction);
        for (const h of s.handlers) mutatedInStmts(m, h, inFunction);
        mutatedInStmts(m, s.orelse, inFunction);
        mutatedInStmts(m, s.finalbody, inFunction);
        break;
      case "def":
        mutatedInStmts(m, s.body, true);
        break;
      case "return":
        mutatedInExpr(m, s.value);
        break;
      case "other":
        for (const x of s.exprs) mutatedInExpr(m, x);
        break;
      default:
        break;
    }
  }
}

/** Builtins over literal sequences, so that `for t in reversed(TABLES):` unrolls. */
function foldBuiltin(name: string, args: EV[]): Value | undefined {
  const seqs = args.map((a) => (Array.isArray(a) ? a : undefined));
  const first = seqs[0];
  switch (name) {
    case "list":
    case "tuple":
      return args.length === 1 && first ? [...first] : undefined;
    case "reversed":
      return args.length === 1 && first ? [...first].reverse() : undefined;
    case "sorted":
      return args.length === 1 && first && first.every((x) => typeof x === "string") ? [...(first as string[])].sort() : undefined;
    case "enumerate":
      return args.length === 1 && first ? first.map((x, i) => [i, x]) : undefined;
    case "zip":
      if (seqs.length === 0 || seqs.some((s) => !s)) return undefined;
      return seqs[0]!.slice(0, Math.min(...seqs.map((s) => s!.length))).map((_, i) => seqs.map((s) => s![i]!));
    default:
      return undefined;
  }
}

function isLiteral(v: EV): v is Value {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!isLiteral(x)) return false;
    return true;
  }
  return false;
}

function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== null && v !== false && v !== 0 && v !== "";
}

function specialText(v: Special): string {
  switch (v.sp) {
    case "op": return "op";
    case "bind": return "op.get_bind()";
    case "context": return "op.get_context()";
    case "batch": return "batch_op";
    case "table": return v.name ?? "table";
    case "func": return v.def.name;
  }
}

/** A model value for an evaluation result (specials become their source text). */
function toValue(v: EV, text: string): Value {
  if (isSpecial(v)) return { expr: text || specialText(v) };
  return v;
}

/**
 * The model value of a call. Takes over `args` and `kwargs` (fresh from evalArgs and not
 * used after): specials in them are replaced in place by their text, keys keep their order.
 */
function callValue(text: string, callee: string, args: EV[], kwargs: Record<string, EV>, receiver?: EV): ExprValue {
  if (!plainObject(kwargs)) return callValueCopied(text, callee, args, kwargs, receiver);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (isSpecial(a)) args[i] = { expr: specialText(a) };
  }
  for (const k in kwargs) {
    const v = kwargs[k]!;
    if (isSpecial(v)) kwargs[k] = { expr: specialText(v) };
  }
  const call: CallValue = { callee, args: args as Value[], kwargs: kwargs as Record<string, Value> };
  if (receiver !== undefined && !isSpecial(receiver)) call.receiver = receiver;
  return { expr: text, call };
}

/** Whether any positional or keyword argument passes `test`. */
function anyArgument(args: EV[], kwargs: Record<string, EV>, test: (v: EV) => boolean): boolean {
  for (const a of args) if (test(a)) return true;
  if (!plainObject(kwargs)) return Object.values(kwargs).some(test);
  for (const k in kwargs) if (test(kwargs[k]!)) return true;
  return false;
}

function passesMigrationObjects(args: EV[], kwargs: Record<string, EV>): boolean {
  return anyArgument(args, kwargs, isMigrationObject);
}

function isMigrationObject(a: EV): boolean {
  return isSpecial(a) && (a.sp === "op" || a.sp === "bind" || a.sp === "batch");
}

/** What a call is handed, for "not analyzed" reasons: `op` (or a batch_op) or the connection. */
function handedWhat(args: EV[], kwargs: Record<string, EV>): string {
  return anyArgument(args, kwargs, (a) => isSpecial(a) && (a.sp === "op" || a.sp === "batch")) ? "`op`" : "the connection";
}

function passesBind(args: EV[], kwargs: Record<string, EV>): boolean {
  return anyArgument(args, kwargs, isBind);
}

/**
 * Keyword objects are plain, unless a `__proto__=` keyword replaced their prototype: then
 * `for...in` would also see inherited keys, and the helpers fall back to own keys only.
 */
function plainObject(o: object): boolean {
  return Object.getPrototypeOf(o) === Object.prototype;
}

/** callValue for keyword objects that are not plain: copies own keys, as it always did. */
function callValueCopied(text: string, callee: string, args: EV[], kwargs: Record<string, EV>, receiver?: EV): ExprValue {
  const kw: Record<string, Value> = {};
  for (const [k, v] of Object.entries(kwargs)) kw[k] = toValue(v, "");
  const call: CallValue = { callee, args: args.map((a) => toValue(a, "")), kwargs: kw };
  if (receiver !== undefined && !isSpecial(receiver)) call.receiver = receiver;
  return { expr: text, call };
}

function sqlText(v: Value | undefined): string | null {
  if (typeof v === "string") return v;
  if (isExprV(v) && v.call && /(^|\.)(text|DDL)$/.test(v.call.callee) && typeof v.call.args[0] === "string") return v.call.args[0];
  return null;
}

/** Python's textwrap.dedent: remove the common leading whitespace of non-blank lines. */
function dedent(s: string): string {
  const lines = s.split("\n");
  let common: string | null = null;
  for (const l of lines) {
    if (l.trim() === "") continue;
    const ws = /^[ \t]*/.exec(l)![0];
    if (common === null || !ws.startsWith(common)) {
      let i = 0;
      const c: string = common ?? ws;
      while (i < c.length && i < ws.length && c[i] === ws[i]) i++;
      common = common === null ? ws : c.slice(0, i);
    }
  }
  if (!common) return lines.map((l) => (l.trim() === "" ? "" : l)).join("\n");
  return lines.map((l) => (l.trim() === "" ? "" : l.slice(common!.length))).join("\n");
}

function isAutocommitBlock(e: Expr, evaluate: (e: Expr) => EV): boolean {
  if (e.k !== "call" || e.fn.k !== "attr" || e.fn.attr !== "autocommit_block") return false;
  const owner = evaluate(e.fn.obj);
  return isSpecial(owner) && owner.sp === "context";
}

/**
 * `f"{table}_ibfk_1"` with `table` known to be a string (a loop over a literal list, a
 * constant): the string itself. Only plain `f"..."` (no r/b prefix, no backslash) whose fields
 * are bare names; anything else stays an expression.
 */
function foldFString(text: string, valueOf: (id: string) => EV): string | null {
  const m = /^[fF](?:'([^'\\\n]*)'|"([^"\\\n]*)")$/.exec(text);
  if (!m) return null;
  const body = m[1] ?? m[2]!;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "{" || c === "}") {
      if (body[i + 1] === c) {
        out += c;
        i++;
        continue;
      }
      if (c === "}") return null;
      const close = body.indexOf("}", i);
      const id = close < 0 ? "" : body.slice(i + 1, close);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(id)) return null;
      const v = valueOf(id);
      if (typeof v !== "string") return null;
      out += v;
      i = close;
      continue;
    }
    out += c;
  }
  return out;
}

/** `"uniq_%s0name" % table` with string arguments and only `%s` / `%%`: the formatted string. */
function percentFormat(format: string, args: EV[] | null): string | null {
  if (!args || !args.every((a) => typeof a === "string")) return null;
  let next = 0;
  let ok = true;
  const out = format.replace(/%(.)/g, (_, c: string) => {
    if (c === "%") return "%";
    if (c !== "s" || next >= args.length) ok = false;
    return ok ? (args[next++] as string) : "";
  });
  return ok && next === args.length && !/%$/.test(format.replace(/%%/g, "")) ? out : null;
}

/**
 * The value of a helper's only `return`, counting those nested in if/for/while/with/try (a
 * `return True, name` inside a loop makes the final `return False, None` one outcome of two).
 */
function singleReturn(body: Stmt[]): Expr | null {
  const rets: Extract<Stmt, { k: "return" }>[] = [];
  const collect = (stmts: Stmt[]): void => {
    for (const s of stmts) {
      if (s.k === "return") rets.push(s);
      else for (const b of childBlocks(s)) collect(b);
    }
  };
  collect(body);
  // A lone return under an `if` leaves the other path returning None: not one value either.
  return rets.length === 1 && rets[0]!.value && body.includes(rets[0]!) ? rets[0]!.value : null;
}

/** `sys.exit(...)`, `exit()`, `quit()`: SystemExit, a raise by another name. */
function isExitCall(e: Expr): boolean {
  if (e.k !== "call") return false;
  const f = e.fn;
  return (f.k === "attr" && f.attr === "exit" && f.obj.k === "name" && f.obj.id === "sys") || (f.k === "name" && (f.id === "exit" || f.id === "quit"));
}

/** `print(...)` or `logger.warning(...)`-style calls: they change nothing. */
function isMessageCall(e: Expr): boolean {
  if (e.k !== "call") return false;
  const f = e.fn;
  if (f.k === "name") return f.id === "print";
  return f.k === "attr" && f.obj.k === "name" && /^(log|logger|LOG|LOGGER|logging|_log|_logger)$/.test(f.obj.id) && /^(debug|info|warning|warn|error|critical|exception)$/.test(f.attr);
}

function bodyKind(body: Stmt[]): BodyKind {
  let raises = false;
  for (let i = 0; i < body.length; i++) {
    const s = body[i]!;
    if (s.k === "pass") continue;
    if (s.k === "expr" && (s.expr.k === "str" || isEllipsis(s.expr))) continue;
    if (s.k === "return" && (!s.value || (s.value.k === "const" && s.value.value === null))) continue;
    if (s.k === "raise" || (s.k === "expr" && isExitCall(s.expr))) {
      raises = true;
      continue;
    }
    // `print("cannot downgrade"); sys.exit(1)`: a message, then the way out.
    if (s.k === "expr" && isMessageCall(s.expr)) continue;
    // `msg = "..."; raise NotImplementedError(msg)`
    if (s.k === "assign" && s.value && (s.value.k === "str" || s.value.k === "fstr") && raisesAfter(body, i)) continue;
    return "code";
  }
  return raises ? "raises" : "empty";
}

function raisesAfter(body: Stmt[], i: number): boolean {
  for (let j = i + 1; j < body.length; j++) if (body[j]!.k === "raise") return true;
  return false;
}

function isEllipsis(e: Expr): boolean {
  return e.k === "other" && e.children.length === 0 && e.span.end - e.span.start === 3;
}

function pairSections(sections: Section[]): FunctionPair[] {
  // Keyed by the name after the role, so `upgrade_()` (an empty multi-db name) and the
  // plain `upgrade()` dispatcher stay apart.
  const pairs = new Map<string, FunctionPair>();
  for (const s of sections) {
    const key = s.name.slice(s.role.length);
    const p = pairs.get(key) ?? { suffix: s.suffix, upgrade: null, downgrade: null };
    p[s.role] = s;
    pairs.set(key, p);
  }
  return [...pairs.values()];
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, " ");
  return one.length > 60 ? one.slice(0, 57) + "..." : one;
}

