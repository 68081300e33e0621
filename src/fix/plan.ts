// Autofix for the reversibility findings: writes the downgrade the upgrade implies.
//
//   ALM101  adds `def downgrade():` (or `downgrade_<db>()`) after the upgrade function
//   ALM102  replaces the empty body (`pass`, `...`, `return`; docstring and comments stay)
//   ALM104  inserts each missing inverse at the mirrored position of the downgrade
//
// Inverses come from the inverse engine (src/analysis/inverse.ts), in reverse order, batch
// blocks mirrored as batch blocks with the upgrade's own `with` header, `op.f()` and the
// quote style kept, indentation and line breaks as the file writes them. An inverse that
// cannot be derived from the call is never guessed: a `# TODO(alembic-lint): ...` line says
// what is needed and the finding stays. Nothing is planned for a file that did not parse
// cleanly, nor for a pair whose functions have unanalyzed parts, conditional operations or
// type events (the mirror would be a guess).
import { analyzeReversibility, describeOp, inverseOf, pairStatus, renderOp, type InverseOp } from "../analysis/inverse.js";
import type { Diagnostic, Fix, TextEdit } from "../engine/rule.js";
import { childBlocks, type Expr, type Stmt } from "../parse/ast.js";
import { parseModule } from "../parse/index.js";
import { isExpr, type FunctionPair, type Migration, type Op, type Section, type Value } from "../model.js";
import { dataTargets } from "../analysis/sql-targets.js";
import { mentions } from "../analysis/schema.js";
import { eolAt, firstOnLine, indentAt, lineEnd, lineStart, nextLineStart, restOfLine } from "./text.js";

export const FIXABLE_CODES: ReadonlySet<string> = new Set(["ALM101", "ALM102", "ALM104"]);

export const TODO_PREFIX = "# TODO(alembic-lint):";

export interface FilePlan {
  /** All edits for the file (--fix, --diff). */
  edits: TextEdit[];
  /** Per finding, the edits that remove it on their own (SARIF `fixes`). */
  fixes: Map<Diagnostic, Fix>;
  /** Findings the edits remove. */
  fixed: Diagnostic[];
  /** TODO lines the edits write (inverses that cannot be derived). */
  todos: number;
  /** Why nothing is planned for the file, when a finding could have been fixed. */
  refused: string | null;
  /** Findings left alone, and why. */
  skipped: { diagnostic: Diagnostic; reason: string }[];
}

type DefStmt = Extract<Stmt, { k: "def" }>;
type WithStmt = Extract<Stmt, { k: "with" }>;

interface Ctx {
  m: Migration;
  src: string;
  /** One indentation level as the file writes it. */
  unit: string;
  /** Name of the `op` module in the file. */
  opName: string;
  defs: Map<string, DefStmt>;
  dialect: string;
}

/** A line to write, `depth` levels below the base indentation. */
interface Line {
  depth: number;
  text: string;
  /** A statement (not a comment). */
  stmt: boolean;
}

interface Rendered {
  lines: Line[];
  derivable: number;
  todos: number;
}

const emptyPlan = (refused: string | null = null): FilePlan => ({ edits: [], fixes: new Map(), fixed: [], todos: 0, refused, skipped: [] });

/** A finding this module leaves alone, with the reason (reported by --fix). */
class Refuse extends Error {}

export async function planFile(m: Migration, diagnostics: Diagnostic[], dialect = "postgresql"): Promise<FilePlan> {
  const mine = diagnostics.filter((d) => d.path === m.path && !d.suppressed && FIXABLE_CODES.has(d.code));
  if (mine.length === 0) return emptyPlan();
  if (m.parseError || m.errorRegions.length > 0 || diagnostics.some((d) => d.path === m.path && d.code === "ALM900")) {
    return emptyPlan("the file did not parse cleanly (ALM900)");
  }
  const mod = await parseModule(m.source);
  if (mod.error) return emptyPlan("the file did not parse cleanly (ALM900)");
  const defs = new Map<string, DefStmt>();
  for (const s of mod.body) if (s.k === "def") defs.set(s.name, s);
  const ctx: Ctx = { m, src: m.source, unit: detectUnit(m.source, [...defs.values()]), opName: detectOpName(m), defs, dialect };

  const plan = emptyPlan();
  for (const pair of m.pairs) {
    const status = pairStatus(pair);
    if (status === "missing") {
      const d = mine.find((x) => x.code === "ALM101" && x.span.line === pair.upgrade!.span.line);
      if (d) guarded(plan, d, () => addWhole(plan, d, planMissingDowngrade(ctx, pair)));
    } else if (status === "empty") {
      const d = mine.find((x) => x.code === "ALM102" && x.span.line === pair.downgrade!.span.line);
      if (d) guarded(plan, d, () => addWhole(plan, d, planEmptyDowngrade(ctx, pair)));
    }
  }
  if (mine.some((d) => d.code === "ALM104")) {
    for (const p of analyzeReversibility(m, dialect)) {
      const wanted = new Map<Op, Diagnostic>();
      for (const f of p.missing) {
        const d = mine.find((x) => x.code === "ALM104" && x.span.line === f.op.span.line && x.span.column === f.op.span.column);
        if (d) wanted.set(f.op, d);
      }
      if (wanted.size === 0) continue;
      planMissingInverses(ctx, plan, p.up, p.down, new Map(p.missing.map((f) => [f.op, f.asNamed ?? f.op])), wanted);
    }
  }
  return plan;
}

function guarded(plan: FilePlan, d: Diagnostic, f: () => void): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof Refuse)) throw err;
    plan.skipped.push({ diagnostic: d, reason: err.message });
  }
}

function addWhole(plan: FilePlan, d: Diagnostic, r: { edit: TextEdit; derivable: number; todos: number; description: string } | null): void {
  if (!r) return;
  plan.edits.push(r.edit);
  plan.todos += r.todos;
  if (r.derivable > 0) {
    plan.fixed.push(d);
    plan.fixes.set(d, { description: r.description, edits: [r.edit] });
  }
}

// ---- layout --------------------------------------------------------------------------

function detectUnit(src: string, defs: DefStmt[]): string {
  for (const def of defs) {
    const first = def.body[0];
    if (!first || !firstOnLine(src, first.span.start)) continue;
    const outer = indentAt(src, def.span.start);
    const inner = indentAt(src, first.span.start);
    if (inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
  }
  return "    ";
}

function ownerOf(src: string, op: Op): string | null {
  if (op.span.start === undefined) return null;
  const callee = /^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*(?=\s*\()/.exec(src.slice(op.span.start, op.span.start + 300))?.[0];
  if (!callee || !callee.includes(".")) return null;
  return callee.slice(0, callee.lastIndexOf(".")).replace(/\s+/g, "");
}

function detectOpName(m: Migration): string {
  for (const s of m.sections) for (const op of s.ops) if (!op.batch && op.via.length === 0) return ownerOf(m.source, op) ?? "op";
  return "op";
}

function render(lines: Line[], base: string, unit: string, eol: string): string {
  return lines.map((l) => base + unit.repeat(l.depth) + l.text + eol).join("");
}

function oneLine(s: string): string {
  return s.replace(/\s*\r?\n\s*/g, " ");
}

/** The function's last line: its body plus comment lines indented under it (the autogenerate end fence). */
function defEnd(src: string, def: DefStmt): number {
  const defIndent = indentAt(src, def.span.start).length;
  let pos = nextLineStart(src, def.span.end);
  let p = pos;
  while (p < src.length) {
    const line = src.slice(p, lineEnd(src, p));
    if (/^\s*$/.test(line)) {
      p = nextLineStart(src, p);
      continue;
    }
    const ind = /^[ \t]*/.exec(line)![0].length;
    if (line.trimStart().startsWith("#") && ind > defIndent) {
      pos = p = nextLineStart(src, p);
      continue;
    }
    break;
  }
  return pos;
}

/** The `with ... as alias:` statements of a function body, innermost last. */
function withsContaining(body: Stmt[], off: number, out: WithStmt[] = []): WithStmt[] {
  for (const s of body) {
    if (off < s.span.start || off >= s.span.end) continue;
    if (s.k === "with") out.push(s);
    for (const b of childBlocks(s)) withsContaining(b, off, out);
  }
  return out;
}

function exprText(src: string, e: Expr): string {
  return src.slice(e.span.start, e.span.end);
}

/** The batch header a batch op sits under: `with op.batch_alter_table(...) as batch_op:`. */
function batchHeader(ctx: Ctx, def: DefStmt, op: Op): { header: string; alias: string } | null {
  const alias = ownerOf(ctx.src, op);
  if (!alias || op.span.start === undefined) return null;
  const ws = withsContaining(def.body, op.span.start);
  for (let i = ws.length - 1; i >= 0; i--) {
    const item = ws[i]!.items.find((it) => it.alias === alias);
    if (item && /batch_alter_table/.test(exprText(ctx.src, item.expr))) return { header: `with ${exprText(ctx.src, item.expr)} as ${alias}:`, alias };
  }
  return null;
}

// ---- one inverse -----------------------------------------------------------------------

function hasExpr(v: Value): boolean {
  if (Array.isArray(v)) return v.some(hasExpr);
  return isExpr(v);
}

/**
 * The line undoing `op`: its inverse call when derivable, else a TODO comment (null when
 * the op needs nothing, e.g. a read-only statement).
 */
function inverseLine(ctx: Ctx, op: Op, batchAlias: string | undefined): InverseLine | null {
  const inv = inverseOf(op);
  if (!inv) {
    if (op.name === "execute" && typeof op.sql === "string" && /^\s*(select|show|set|explain)\b/i.test(op.sql)) return null;
    const what = describeOp(op);
    return { text: noInverseTodo(what, [op.span.line]), derivable: false, key: noInverseTodo(what, [op.span.line]), noInverse: { what } };
  }
  let derivable = inv.derivable;
  let missing = inv.missing;
  // Inlined from a local helper: expressions may name the helper's parameters.
  if (derivable && op.via.length > 0 && Object.values(inv.op.args).some(hasExpr)) {
    derivable = false;
    missing = `values written in the helper ${op.via[op.via.length - 1]}()`;
  }
  const code = renderOp(inv.op as InverseOp, { source: ctx.src, original: op, ...(batchAlias !== undefined ? { batchAlias } : { opName: ctx.opName }) });
  if (derivable) return { text: code, derivable: true, key: code };
  const key = oneLine(`${TODO_PREFIX} cannot derive ${code}:`);
  return { text: oneLine(`${key} it needs ${missing ?? "the original definition"}`), derivable: false, key };
}

/** A line undoing an op; `key` identifies a TODO line already written by an earlier run (idempotence). */
interface InverseLine {
  text: string;
  derivable: boolean;
  key: string;
  /** The op has no inverse at all (SQL, bulk inserts, custom operations). */
  noInverse?: { what: string };
}

// ---- ALM101 / ALM102: the whole downgrade -----------------------------------------------------

/** Line numbers of upgrade statements that earlier runs already wrote "undo ... of line N" TODOs for. */
function todoLinesIn(existing: string): Set<number> {
  const out = new Set<number>();
  const re = /TODO\(alembic-lint\): undo .*? of lines? ([\d, and]+?) if needed/g;
  for (const m of existing.matchAll(re)) for (const n of m[1]!.match(/\d+/g) ?? []) out.add(Number(n));
  return out;
}

/** What the inverse engine expects in a downgrade of `up`: ALM104's missing inverses against an empty downgrade. */
function expectedInverses(ctx: Ctx, up: Section): Set<Op> {
  const down: Section = { name: up.name.replace(/^upgrade/, "downgrade"), role: "downgrade", suffix: up.suffix, span: up.span, ops: [], batchBlocks: [], typeEvents: [], unanalyzed: [], body: "code", dispatcher: false };
  const m: Migration = { ...ctx.m, sections: [up, down], pairs: [{ suffix: up.suffix, upgrade: up, downgrade: down }] };
  return new Set(analyzeReversibility(m, ctx.dialect).flatMap((p) => p.missing.map((f) => f.op)));
}

/** A later upgrade op makes `op` moot: it is undone (or its table or column dropped) within the upgrade itself. */
function undoneLater(op: Op, later: Op[]): boolean {
  const col = op.name === "add_column" ? op.column?.name : op.name === "alter_column" ? asName(op.args.new_column_name) ?? asName(op.args.column_name) : undefined;
  return later.some((l) => {
    if (answers(op, l)) return true;
    if (l.table === null || !sameName(l.table, op.table) || (l.schema ?? "") !== (op.schema ?? "")) return false;
    if (l.name === "drop_table") return true;
    return l.name === "drop_column" && col !== undefined && sameName(asName(l.args.column_name), col);
  });
}

/**
 * A data statement that only reads, or writes only tables and columns that earlier ops of the upgrade
 * created (seed rows, a backfill): undoing those ops undoes it.
 */
function onlyTouchesNew(ctx: Ctx, op: Op, earlier: Op[]): boolean {
  let targets;
  try {
    targets = dataTargets(op, ctx.src);
  } catch {
    return false;
  }
  if (!targets || targets.length === 0) return false;
  const newTable = (t: string | null, schema: string | null) =>
    t !== null && earlier.some((e) => e.name === "create_table" && sameName(e.table, t) && (e.schema ?? "") === (schema ?? ""));
  const newColumn = (t: string | null, schema: string | null, c: string) =>
    t !== null && earlier.some((e) => e.name === "add_column" && sameName(e.table, t) && (e.schema ?? "") === (schema ?? "") && sameName(e.column?.name, c));
  return targets.every((t) => {
    if (t.kind === "read") return true;
    if (t.kind === "ddl") return false;
    if (newTable(t.table, t.schema)) return true;
    return t.kind === "update" && t.columns !== null && t.columns.length > 0 && t.columns.every((c) => newColumn(t.table, t.schema, c));
  });
}

/** `op` undoes an earlier op, or changes a table or column that an earlier op created (its drop undoes it). */
function coveredEarlier(op: Op, earlier: Op[]): boolean {
  const col = op.name === "alter_column" ? asName(op.args.column_name) : undefined;
  return earlier.some((e) => {
    // `op` undoes an earlier op (add, then drop a scratch column): the pair nets to nothing.
    if (answers(e, op)) return true;
    if (e.table === null || !sameName(e.table, op.table) || (e.schema ?? "") !== (op.schema ?? "")) return false;
    if (e.name === "create_table") return true;
    return e.name === "add_column" && col !== undefined && sameName(e.column?.name, col);
  });
}

function asName(v: Value | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Later SQL of the upgrade that names the object with DDL: it may have renamed or dropped it. */
function ddlLater(op: Op, later: Op[]): Op | undefined {
  const names = [op.table, op.column?.name, asName(op.args.index_name), asName(op.args.constraint_name), asName(op.args.new_table_name)].filter((x): x is string => !!x);
  return later.find((l) => {
    if (l.name !== "execute") return false;
    const text = typeof l.sql === "string" ? l.sql : isExpr(l.args.sqltext) ? l.args.sqltext.expr : "";
    if (!/\b(alter|drop|rename)\b/i.test(text)) return false;
    return names.some((n) => mentions(text, n));
  });
}

/**
 * The upgrade's inverses in reverse order, batch blocks mirrored; null when the mirror would be a guess.
 * Written: every inverse the engine expects (derivable: the call; not: a TODO line), plus the derivable
 * inverses of what a dropped table covers (as autogenerate writes them). Skipped: ops the upgrade itself
 * undoes later. Ops without an inverse (SQL, bulk inserts) get one TODO line per run of them.
 */
function mirrorUpgrade(ctx: Ctx, up: Section, upDef: DefStmt, existing: string): Rendered | null {
  if (up.unanalyzed.length > 0) throw new Refuse(`${up.name}() has parts that could not be analyzed (${up.unanalyzed[0]!.reason})`);
  if (up.typeEvents.length > 0) throw new Refuse(`${up.name}() creates or drops types with .create(bind)/.drop(bind)`);
  const cond = up.ops.find((o) => o.conditional);
  if (cond) throw new Refuse(`${up.name}() runs ${describeOp(cond)} under a condition (line ${cond.span.line}): the downgrade needs the same condition`);
  const ops = [...up.ops].sort((a, b) => a.order - b.order);
  const expected = expectedInverses(ctx, up);
  const todoLines = todoLinesIn(existing);
  type Entry = { op: Op; line: InverseLine };
  type Item = Entry | { block: { header: string; alias: string }; id: number; ops: Entry[] };
  const items: Item[] = [];
  ops.forEach((op, i) => {
    let header: { header: string; alias: string } | null = null;
    if (op.batch) {
      header = batchHeader(ctx, upDef, op);
      if (!header) throw new Refuse(`the batch block of line ${op.span.line} could not be mirrored`);
    }
    let line = inverseLine(ctx, op, header?.alias);
    if (!line) return;
    const later = ops.slice(i + 1);
    if (line.noInverse) {
      if (todoLines.has(op.span.line) || onlyTouchesNew(ctx, op, ops.slice(0, i))) return;
    } else if (!expected.has(op)) {
      if (undoneLater(op, later)) return;
      if (!line.derivable) {
        // Covered by the drop of what the upgrade created, or a clean-up that may find nothing: nothing to
        // restore. Otherwise the engine saw something this mirror cannot follow: say what is needed.
        if (coveredEarlier(op, ops.slice(0, i)) || op.args.if_exists === true) return;
      }
    }
    if (!expected.has(op) && line.derivable) {
      const sql = ddlLater(op, later);
      if (sql) {
        const key = `${TODO_PREFIX} check ${line.text}`;
        line = { text: oneLine(`${key}: the SQL of line ${sql.span.line} may have changed what it undoes`), derivable: false, key };
      }
    }
    if (!line.derivable && existing.includes(line.key)) return;
    if (header) {
      const last = items[items.length - 1];
      if (last && "block" in last && last.id === op.batchBlock) last.ops.push({ op, line });
      else items.push({ block: header, id: op.batchBlock ?? -1, ops: [{ op, line }] });
    } else items.push({ op, line });
  });
  const out: Rendered = { lines: [], derivable: 0, todos: 0 };
  const emit = (entries: Entry[], depth: number) => {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.line.noInverse) {
        // A run of statements without inverse: one TODO line naming their lines.
        const run = [e];
        while (entries[i + 1]?.line.noInverse?.what === e.line.noInverse.what) run.push(entries[++i]!);
        out.lines.push({ depth, text: noInverseTodo(e.line.noInverse.what, run.map((x) => x.op.span.line)), stmt: false });
        out.todos++;
        continue;
      }
      out.lines.push({ depth, text: e.line.text, stmt: e.line.derivable });
      e.line.derivable ? out.derivable++ : out.todos++;
    }
  };
  let run: Entry[] = [];
  for (const item of items.reverse()) {
    if ("block" in item) {
      emit(run, 0);
      run = [];
      out.lines.push({ depth: 0, text: item.block.header, stmt: true });
      const inner = [...item.ops].reverse();
      emit(inner, 1);
      if (!inner.some((x) => x.line.derivable)) out.lines.push({ depth: 1, text: "pass", stmt: true });
    } else run.push(item);
  }
  emit(run, 0);
  return out;
}

function noInverseTodo(what: string, lines: number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const list = sorted.length === 1 ? `line ${sorted[0]}` : `lines ${sorted.slice(0, -1).join(", ")} and ${sorted[sorted.length - 1]}`;
  return `${TODO_PREFIX} undo ${what} of ${list} if needed (no inverse can be derived from ${lines.length === 1 ? "it" : "them"})`;
}

function fences(ctx: Ctx, def: DefStmt): { start: string; end: string } | null {
  const text = ctx.src.slice(def.span.start, defEnd(ctx.src, def));
  const start = /^[ \t]*(# ### commands auto generated by Alembic.*?)[ \t]*\r?$/m.exec(text)?.[1];
  const end = /^[ \t]*(# ### end Alembic commands ###.*?)[ \t]*\r?$/m.exec(text)?.[1];
  return start && end ? { start, end } : null;
}

function planMissingDowngrade(ctx: Ctx, pair: FunctionPair) {
  const up = pair.upgrade!;
  const upDef = ctx.defs.get(up.name);
  if (!upDef) throw new Refuse(`${up.name}() is not a module-level function`);
  const body = mirrorUpgrade(ctx, up, upDef, "");
  if (!body || body.lines.length === 0) return null;
  const src = ctx.src;
  const downName = pair.suffix ? `downgrade_${pair.suffix}` : "downgrade";
  const header = /^def\s+\w+\s*\(\s*\)\s*(->\s*None\s*)?:/.exec(src.slice(upDef.span.start, upDef.span.start + 200));
  if (!header || upDef.params.length > 0) throw new Refuse(`${up.name}() takes parameters: write the downgrade by hand`);
  const lines: Line[] = [];
  const first = upDef.body[0];
  const doc = first && first.k === "expr" && first.expr.k === "str" ? exprText(src, first.expr) : null;
  if (doc && /^("""|''')Upgrade schema\.\1$/.test(doc)) lines.push({ depth: 0, text: doc.replace("Upgrade", "Downgrade"), stmt: true });
  const f = fences(ctx, upDef);
  if (f) lines.push({ depth: 0, text: f.start, stmt: false });
  lines.push(...body.lines);
  if (!body.lines.some((l) => l.stmt) && !lines.some((l) => l.stmt)) lines.push({ depth: 0, text: "pass", stmt: true });
  if (f) lines.push({ depth: 0, text: f.end, stmt: false });
  const at = defEnd(src, upDef);
  const eol = eolAt(src, upDef.span.start);
  const base = indentAt(src, upDef.span.start);
  const lead = at === src.length && !src.endsWith("\n") ? eol : "";
  const text = `${lead}${eol}${eol}${base}def ${downName}()${header[1] ? ` ${header[1].trim()}` : ""}:${eol}${render(lines, base + ctx.unit, ctx.unit, eol)}`;
  return { edit: { start: at, end: at, text }, derivable: body.derivable, todos: body.todos, description: `Add ${downName}() undoing ${up.name}() in reverse order` };
}

function isRemovable(src: string, s: Stmt): boolean {
  if (s.k === "pass") return true;
  if (s.k === "return") return s.value === null;
  return s.k === "expr" && src.slice(s.span.start, s.span.end).trim() === "...";
}

function planEmptyDowngrade(ctx: Ctx, pair: FunctionPair) {
  const up = pair.upgrade!;
  const down = pair.downgrade!;
  const upDef = ctx.defs.get(up.name);
  const downDef = ctx.defs.get(down.name);
  if (!upDef || !downDef) throw new Refuse(`${up.name}()/${down.name}() are not module-level functions`);
  if (down.unanalyzed.length > 0) throw new Refuse(`${down.name}() has parts that could not be analyzed (${down.unanalyzed[0]!.reason})`);
  const src = ctx.src;
  const stmts = downDef.body;
  const docIdx = stmts[0] && stmts[0].k === "expr" && stmts[0].expr.k === "str" ? 0 : -1;
  const rest = stmts.slice(docIdx + 1);
  if (!rest.every((s) => isRemovable(src, s))) throw new Refuse(`${down.name}() holds statements other than pass, ... and return`);
  const existing = src.slice(downDef.span.start, defEnd(src, downDef));
  const body = mirrorUpgrade(ctx, up, upDef, existing);
  if (!body || body.lines.length === 0) return null;
  const eol = eolAt(src, downDef.span.start);
  const defIndent = indentAt(src, downDef.span.start);
  const derivable = body.derivable > 0;
  const description = `Write the inverses of ${up.name}() into ${down.name}()`;
  const first = stmts[0];
  // `def downgrade(): pass` on one line: the body moves to its own lines.
  if (first && lineStart(src, first.span.start) === lineStart(src, downDef.span.start)) {
    const last = stmts[stmts.length - 1]!;
    const colon = src.lastIndexOf(":", first.span.start);
    const lines = derivable ? body.lines : [...body.lines, { depth: 0, text: "pass", stmt: true }];
    const text = eol + render(lines, defIndent + ctx.unit, ctx.unit, eol).slice(0, -eol.length);
    return { edit: { start: colon + 1, end: last.span.end, text }, derivable: body.derivable, todos: body.todos, description };
  }
  const removable = rest.filter((s) => firstOnLine(src, s.span.start));
  const r0 = removable[0];
  if (!r0 || !derivable) {
    // Only TODO lines (or a docstring-only body): written above the `pass`, or after the docstring.
    const anchor = r0 ?? stmts[docIdx];
    if (!anchor) return null;
    const base = indentAt(src, anchor.span.start);
    const at = r0 ? lineStart(src, r0.span.start) : nextLineStart(src, anchor.span.end);
    const lead = !r0 && at === src.length && !src.endsWith("\n") ? eol : "";
    return { edit: { start: at, end: at, text: lead + render(body.lines, base, ctx.unit, eol) }, derivable: body.derivable, todos: body.todos, description };
  }
  // Replace the first `pass`/`...`/`return` line with the body; a trailing comment on it stays on its own line.
  const base = indentAt(src, r0.span.start);
  const tail = restOfLine(src, r0.span.end);
  if (!/^\s*(#.*)?$/.test(tail)) throw new Refuse(`the \`${src.slice(r0.span.start, r0.span.end)}\` of ${down.name}() shares its line with other code`);
  const lineS = lineStart(src, r0.span.start);
  let edit: TextEdit;
  if (tail.trim() === "") edit = { start: lineS, end: nextLineStart(src, r0.span.end), text: render(body.lines, base, ctx.unit, eol) };
  else {
    const commentAt = r0.span.end + tail.indexOf("#");
    const after = nextLineStart(src, r0.span.end);
    edit = { start: r0.span.start, end: after, text: src.slice(commentAt, after) + render(body.lines, base, ctx.unit, eol) };
  }
  // Other lone `pass`/`...` lines go; they would sit after real statements.
  const extra: TextEdit[] = [];
  for (const s of removable.slice(1)) {
    if (s.k === "return") continue;
    if (restOfLine(src, s.span.end).trim() !== "") continue;
    extra.push({ start: lineStart(src, s.span.start), end: nextLineStart(src, s.span.end), text: "" });
  }
  if (extra.length === 0) return { edit, derivable: body.derivable, todos: body.todos, description };
  // One edit covering the whole region keeps the fix a single replacement.
  const start = edit.start;
  const end = extra[extra.length - 1]!.end;
  let text = edit.text;
  let pos = edit.end;
  for (const e of extra) {
    text += src.slice(pos, e.start);
    pos = e.end;
  }
  text += src.slice(pos, end);
  return { edit: { start, end, text }, derivable: body.derivable, todos: body.todos, description };
}

// ---- ALM104: missing inverses at the mirrored position ------------------------------------------

function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

/** Is `d` (a downgrade op) the inverse of `u` (an upgrade op)? A plain identity match, used only for placement. */
type Same = (a: string | null | undefined, b: string | null | undefined) => boolean;

function answers(u: Op, d: Op, sameTable: Same = sameName, sameCol: Same = sameName): boolean {
  const inv = inverseOf(u);
  if (!inv || inv.op.name !== d.name) return false;
  if (inv.op.table !== null && d.table !== null && !sameTable(inv.op.table, d.table)) return false;
  const a = inv.op.args;
  for (const key of ["index_name", "constraint_name"]) if (typeof a[key] === "string") return sameName(a[key] as string, d.args[key] as string);
  if (inv.op.name === "rename_table") return sameTable(a.old_table_name as string, d.args.old_table_name as string);
  if (inv.op.name === "add_column") return sameCol(u.args.column_name as string, d.column?.name);
  if (typeof a.column_name === "string") return sameCol(a.column_name, d.args.column_name as string);
  return inv.op.table !== null && sameTable(inv.op.table, d.table);
}

/** Names that renames in these ops make the same object (`rename_table("a", "b")`: a ~ b). */
function renameGroups(ops: Op[]): { sameTable: Same; sameCol: Same } {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  for (const op of ops) {
    if (op.name === "rename_table" && typeof op.args.old_table_name === "string" && typeof op.args.new_table_name === "string") union(`t:${op.args.old_table_name.toLowerCase()}`, `t:${op.args.new_table_name.toLowerCase()}`);
    if (op.name === "alter_column" && typeof op.args.column_name === "string" && typeof op.args.new_column_name === "string") union(`c:${op.args.column_name.toLowerCase()}`, `c:${op.args.new_column_name.toLowerCase()}`);
  }
  const same = (p: string): Same => (a, b) => typeof a === "string" && typeof b === "string" && find(p + a.toLowerCase()) === find(p + b.toLowerCase());
  return { sameTable: same("t:"), sameCol: same("c:") };
}

interface Slot {
  /** Insertion offset. */
  at: number;
  /** Indentation of the lines written there. */
  indent: string;
  /** Inside a batch block of the downgrade: its alias, table and schema. */
  block: { alias: string; table: string | null; schema: string | null } | null;
  /** The slot is after the last line of the source, which has no line break. */
  lead: boolean;
}

function topStmt(body: Stmt[], off: number): Stmt | undefined {
  return body.find((s) => off >= s.span.start && off < s.span.end);
}

function slotAt(ctx: Ctx, downDef: DefStmt, d: Op, where: "after" | "before", batchOp: Op | null): Slot | null {
  const src = ctx.src;
  const top = topStmt(downDef.body, d.span.start!);
  if (!top) return null;
  let s: Stmt = top;
  let block: Slot["block"] = null;
  if (batchOp && d.batch && top.k === "with" && sameName(d.table, batchOp.table) && (d.schema ?? "") === (batchOp.schema ?? "")) {
    const alias = ownerOf(src, d);
    const inner = topStmt(top.body, d.span.start!);
    if (alias && inner && top.items.some((it) => it.alias === alias)) {
      s = inner;
      block = { alias, table: d.table, schema: d.schema };
    }
  }
  if (!firstOnLine(src, s.span.start) || lineStart(src, s.span.start) === lineStart(src, downDef.span.start)) return null;
  if (where === "before") {
    // Comment lines right above the statement belong to it: insert above them.
    const indent = indentAt(src, s.span.start);
    let at = lineStart(src, s.span.start);
    while (at > 0) {
      const prev = lineStart(src, at - 1);
      const text = src.slice(prev, lineEnd(src, prev));
      if (!text.startsWith(indent + "#") || text.startsWith(indent + "# ###") || prev <= downDef.span.start) break;
      at = prev;
    }
    return { at, indent, block, lead: false };
  }
  if (!/^\s*(#.*)?$/.test(restOfLine(src, s.span.end))) return null;
  const at = nextLineStart(src, s.span.end);
  return { at, indent: indentAt(src, s.span.start), block, lead: at === src.length && !src.endsWith("\n") };
}

/** `missing`: each upgrade op without an inverse, to the op its inverse is built from (renamed later in the upgrade: the new name). */
function planMissingInverses(ctx: Ctx, plan: FilePlan, up: Section, down: Section, missing: Map<Op, Op>, wanted: Map<Op, Diagnostic>): void {
  if (up.unanalyzed.length > 0 || down.unanalyzed.length > 0) {
    for (const d of wanted.values()) plan.skipped.push({ diagnostic: d, reason: "the functions have parts that could not be analyzed" });
    return;
  }
  const upDef = ctx.defs.get(up.name);
  const downDef = ctx.defs.get(down.name);
  if (!upDef || !downDef) {
    for (const d of wanted.values()) plan.skipped.push({ diagnostic: d, reason: `${up.name}()/${down.name}() are not module-level functions` });
    return;
  }
  const src = ctx.src;
  const U = [...up.ops].sort((a, b) => a.order - b.order);
  const inDown = (o: Op) => o.span.start !== undefined && o.span.start >= downDef.span.start && o.span.start < downDef.span.end;
  const D = down.ops.filter(inDown).sort((a, b) => a.order - b.order);
  const matched = new Map<number, Op>();
  const used = new Set<Op>();
  const renames = renameGroups([...U, ...D]);
  U.forEach((u, j) => {
    if (missing.has(u)) return;
    const d = D.find((x) => !used.has(x) && answers(u, x, renames.sameTable, renames.sameCol));
    if (d) {
      used.add(d);
      matched.set(j, d);
    }
  });
  const existing = src.slice(downDef.span.start, defEnd(src, downDef));
  const lastTop = downDef.body[downDef.body.length - 1];
  const eol = eolAt(src, downDef.span.start);

  interface Entry { k: number; op: Op; d: Diagnostic; slot: Slot; header: { header: string; alias: string } | null; line: InverseLine }
  const entries: Entry[] = [];
  for (const [op, d] of wanted) {
    const k = U.indexOf(op);
    if (k < 0) continue;
    let header: { header: string; alias: string } | null = null;
    if (op.batch) {
      header = batchHeader(ctx, upDef, op);
      if (!header) {
        plan.skipped.push({ diagnostic: d, reason: `the batch block of line ${op.span.line} could not be mirrored` });
        continue;
      }
    }
    let slot: Slot | null = null;
    // After the inverses of everything the upgrade did later; else before those of what it did earlier.
    const pos = (j: number) => matched.get(j)!.span.start!;
    const after = [...matched.keys()].filter((j) => j > k).sort((a, b) => pos(b) - pos(a))[0];
    const before = [...matched.keys()].filter((j) => j < k).sort((a, b) => pos(a) - pos(b))[0];
    if (after !== undefined) slot = slotAt(ctx, downDef, matched.get(after)!, "after", op.batch ? op : null);
    else if (before !== undefined) slot = slotAt(ctx, downDef, matched.get(before)!, "before", op.batch ? op : null);
    else if (lastTop && op.batch && lastTop.k === "with") {
      // Nothing to mirror against: a batch inverse still joins the last block when it alters the same table.
      const last = D.filter((x) => x.batch && x.span.start! >= lastTop.span.start && x.span.start! < lastTop.span.end).pop();
      if (last) slot = slotAt(ctx, downDef, last, "after", op);
    }
    if (!slot && after === undefined && before === undefined && lastTop && firstOnLine(src, lastTop.span.start) && /^\s*(#.*)?$/.test(restOfLine(src, lastTop.span.end))) {
      // At the end of the body, but never after a final `return` or `raise`.
      const ends = lastTop.k === "return" || lastTop.k === "raise";
      const at = ends ? lineStart(src, lastTop.span.start) : nextLineStart(src, lastTop.span.end);
      slot = { at, indent: indentAt(src, lastTop.span.start), block: null, lead: !ends && at === src.length && !src.endsWith("\n") };
    }
    if (!slot) {
      plan.skipped.push({ diagnostic: d, reason: `no line of ${down.name}() to place the inverse next to (statements sharing a line)` });
      continue;
    }
    const line = inverseLine(ctx, missing.get(op) ?? op, slot.block ? slot.block.alias : header?.alias);
    if (!line) continue;
    if (!line.derivable && existing.includes(line.key)) continue;
    entries.push({ k, op, d, slot, header, line });
  }
  const renderGroup = (group: Entry[]): string => {
    const lines: Line[] = [];
    let open: { id: number | null; header: string } | null = null;
    let inBlock: Entry[] = [];
    const close = () => {
      if (open && !inBlock.some((e) => e.line.derivable)) lines.push({ depth: 1, text: "pass", stmt: true });
      open = null;
      inBlock = [];
    };
    for (const e of group) {
      if (e.header && !e.slot.block) {
        if (!open || open.id !== e.op.batchBlock || open.header !== e.header.header) {
          close();
          open = { id: e.op.batchBlock, header: e.header.header };
          lines.push({ depth: 0, text: e.header.header, stmt: true });
        }
        inBlock.push(e);
        lines.push({ depth: 1, text: e.line.text, stmt: e.line.derivable });
      } else {
        close();
        lines.push({ depth: 0, text: e.line.text, stmt: e.line.derivable });
      }
    }
    close();
    const slot = group[0]!.slot;
    return (slot.lead ? eol : "") + render(lines, slot.indent, ctx.unit, eol);
  };
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    const key = `${e.slot.at}|${e.slot.block?.alias ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => b.k - a.k);
    const at = group[0]!.slot.at;
    plan.edits.push({ start: at, end: at, text: renderGroup(group) });
    for (const e of group) {
      if (!e.line.derivable) {
        plan.todos++;
        continue;
      }
      plan.fixed.push(e.d);
      plan.fixes.set(e.d, { description: `Add \`${e.line.text}\` to ${down.name}()`, edits: [{ start: at, end: at, text: renderGroup([e]) }] });
    }
  }
}
