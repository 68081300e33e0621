// The revision graph of one versions tree, computed from the migration headers the way
// Alembic's RevisionMap does (alembic/script/revision.py), without importing anything.
// Non-literal header values are kept as opaque: never guessed, never reported on.
import path from "node:path";
import type { Migration, MigrationSet, Span } from "./model.js";
import { isExpr } from "./model.js";

/** A revision file as read from its header. */
export interface RevNode {
  /** The literal revision id, or a synthetic `?<path>` key when the id is not a literal. */
  id: string;
  /** The `revision` value is not a literal. */
  opaque: boolean;
  /** Pre-0.2 file without `revision`: the id comes from the file name. */
  legacy: boolean;
  migration: Migration;
  /** Literal `down_revision` ids ([] for a base); null when not a literal or absent. */
  down: string[] | null;
  /** Source text of a non-literal `down_revision`. */
  downExpr: string | null;
  /** The module has no `down_revision` at all. */
  downMissing: boolean;
  /** Literal `depends_on` items; null when not a literal. */
  deps: string[] | null;
  /** Literal labels this file declares. */
  declaredLabels: string[];
  /** Non-literal label expressions this file declares (each a distinct unknown label). */
  exprLabels: string[];
}

export type Resolution =
  | { ok: true; ids: string[] }
  | { ok: false; kind: "unknown" | "ambiguous" | "multiple-heads" | "not-in-branch" | "unsupported"; message: string; candidates?: string[] };

export interface DanglingRef {
  node: RevNode;
  ref: string;
  via: "down_revision" | "depends_on";
}

export interface RevisionGraph {
  /** Every revision file in load order (file name order), duplicates included. */
  all: RevNode[];
  /** By id; for a duplicate id the later file wins, as in Alembic. */
  nodes: Map<string, RevNode>;
  /** Ids declared by more than one file. */
  duplicates: Map<string, RevNode[]>;
  /** `.py` files with no `revision` (and not legacy-named). */
  notRevisions: Migration[];
  /** Literal label → id of the first revision declaring it. */
  labelMap: Map<string, string>;
  /** Parent id → child ids through `down_revision` (Alembic `nextrev`). */
  children: Map<string, Set<string>>;
  /** Parent id → child ids through `down_revision` and `depends_on` (`_all_nextrev`). */
  allChildren: Map<string, Set<string>>;
  /** Dependencies resolved to ids (labels → their revision). */
  resolvedDeps: Map<string, string[]>;
  dangling: DanglingRef[];
  /** Alembic `heads` (no child through down_revision), in load order. */
  heads: string[];
  /** Alembic `_real_heads` (no child through down_revision nor depends_on). */
  realHeads: string[];
  bases: string[];
  realBases: string[];
  branchpoints: string[];
  merges: string[];
  /** Effective literal labels per id (declared plus inherited, as `_add_branches`). */
  labels: Map<string, Set<string>>;
  /** Effective non-literal labels per id, as exprLabelKey() keys. */
  exprLabels: Map<string, Set<string>>;
  /** Strongly connected sets through down_revision (and, second, depends_on) edges. */
  cycles: { ids: string[]; viaDeps: boolean }[];
  /** Some `revision` value is not a literal: a reference to an unknown id may be to it. */
  hasOpaqueIds: boolean;
  /** Some `down_revision` is not a literal (or absent): parent links are incomplete. */
  hasOpaqueDown: boolean;
  /** Some `depends_on` is not a literal. */
  hasOpaqueDeps: boolean;
  /** Some `branch_labels` is not a literal. */
  hasOpaqueLabels: boolean;
}

const LEGACY = /^([a-f0-9]+)\.py$/;

/**
 * Could the module bind `name` at module level somewhere the header reader does not look
 * (an assignment under `if`/`try`/`for`, an import, tuple unpacking, a chained assignment,
 * `globals()`, a star import)? Then its value is unknown. Function and class bodies,
 * comments and docstrings do not count.
 */
export function mayBind(src: string, name: string): boolean {
  if (/\bglobals\(\)\s*(\[|\.update)|\bexec\(|^\s*from\s+\S+\s+import\s+\*/m.test(src)) return true;
  const target = new RegExp(`^(?:[\\w\\s,()\\[\\]*.]+=(?!=)\\s*)*[\\w\\s,()\\[\\]*]*\\b${name}\\b[\\w\\s,()\\[\\]*]*(?::[^=]*)?=(?!=)\\s*\\S`);
  const imported = new RegExp(`^(?:from\\s+\\S+\\s+)?import\\b.*\\b${name}\\b`);
  let defIndent: number | null = null;
  let inString: string | null = null;
  for (const raw of src.split(/\r\n|\r|\n/)) {
    const t = raw.trim();
    if (inString) {
      if (t.includes(inString)) inString = null;
      continue;
    }
    if (t === "" || t.startsWith("#")) continue;
    const indent = raw.length - raw.trimStart().length;
    if (defIndent !== null) {
      if (indent > defIndent) continue;
      defIndent = null;
    }
    if (/^(async\s+def|def|class)\b/.test(t)) {
      defIndent = indent;
      continue;
    }
    const q = /^[rRuUbBfF]{0,2}("""|\'\'\')/.exec(t);
    if (q) {
      if (t.indexOf(q[1]!, q[0].length) < 0) inString = q[1]!;
      continue;
    }
    if (target.test(t) || imported.test(t)) return true;
  }
  return false;
}

/** Top-level elements of a tuple/list display's source, or null when it is not one. */
export function splitSequence(src: string): string[] | null {
  const t = src.trim();
  const open = t[0];
  const close = open === "(" ? ")" : open === "[" ? "]" : null;
  if (!close || t[t.length - 1] !== close) return null;
  const inner = t.slice(1, -1);
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      cur += c;
      if (c === "\\") cur += inner[++i] ?? "";
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      if (cur.trim() !== "") out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  // `(x)` without a comma is a parenthesised expression, not a tuple.
  if (open === "(" && !/,/.test(inner) ) return out.length === 1 ? [out[0]!] : null;
  return out;
}

function stringLiteral(src: string): string | null {
  const m = /^[rRuU]?(?:"([^"\\]*)"|'([^'\\]*)')$/.exec(src.trim());
  return m ? (m[1] ?? m[2]!) : null;
}

function headerIds(v: unknown): string[] | null {
  if (Array.isArray(v)) return v as string[];
  return null;
}

export function buildGraph(set: MigrationSet | Migration[]): RevisionGraph {
  const migrations = Array.isArray(set) ? set : set.migrations;
  const all: RevNode[] = [];
  const notRevisions: Migration[] = [];
  for (const m of migrations) {
    const h = m.header;
    let id: string;
    let opaque = false;
    let legacy = false;
    if (h.revision && typeof h.revision.value === "string") id = h.revision.value;
    else if (h.revision && isExpr(h.revision.value)) {
      id = `?${m.path}`;
      opaque = true;
    } else {
      const lg = LEGACY.exec(path.basename(m.path));
      if (!h.revision && lg) {
        id = lg[1]!;
        legacy = true;
      } else if (h.revision) {
        // `revision = None`: not usable as an id.
        id = `?${m.path}`;
        opaque = true;
      } else if (mayBind(m.source, "revision")) {
        // Assigned where the header reader does not look (under `if`, by import...): unknown.
        id = `?${m.path}`;
        opaque = true;
      } else {
        notRevisions.push(m);
        continue;
      }
    }
    const dv = h.downRevision;
    const down = dv ? headerIds(dv.value) : null;
    const deps = h.dependsOn ? headerIds(h.dependsOn.value) : [];
    const bl = h.branchLabels;
    const declaredLabels: string[] = bl && Array.isArray(bl.value) ? [...bl.value] : [];
    const exprLabels: string[] = [];
    if (bl && isExpr(bl.value)) {
      // `(cli.EXPAND_BRANCH,)`: each element on its own; string elements stay literal.
      const parts = splitSequence(bl.value.expr);
      for (const p of parts ?? [bl.value.expr]) {
        const lit = stringLiteral(p);
        if (lit !== null) declaredLabels.push(lit);
        else exprLabels.push(p);
      }
    }
    all.push({
      id, opaque, legacy, migration: m,
      down: down ? [...down] : null,
      downExpr: dv && isExpr(dv.value) ? dv.value.expr : null,
      downMissing: !dv,
      deps: deps ? [...deps] : null,
      declaredLabels: [...declaredLabels],
      exprLabels,
    });
  }

  const nodes = new Map<string, RevNode>();
  const duplicates = new Map<string, RevNode[]>();
  for (const n of all) {
    const prev = nodes.get(n.id);
    if (prev && !n.opaque) {
      const list = duplicates.get(n.id) ?? [prev];
      list.push(n);
      duplicates.set(n.id, list);
    }
    nodes.set(n.id, n);
  }

  const labelMap = new Map<string, string>();
  for (const n of all) for (const l of n.declaredLabels) if (!labelMap.has(l) && !nodes.has(l)) labelMap.set(l, n.id);

  const children = new Map<string, Set<string>>();
  const allChildren = new Map<string, Set<string>>();
  for (const id of nodes.keys()) {
    children.set(id, new Set());
    allChildren.set(id, new Set());
  }
  const dangling: DanglingRef[] = [];
  const resolvedDeps = new Map<string, string[]>();
  const realIdOf = (ref: string): string | undefined => (nodes.has(ref) && !ref.startsWith("?") ? ref : undefined);
  for (const n of all) {
    for (const d of n.down ?? []) {
      const p = realIdOf(d);
      if (p === undefined) {
        dangling.push({ node: n, ref: d, via: "down_revision" });
        continue;
      }
      children.get(p)!.add(n.id);
      allChildren.get(p)!.add(n.id);
    }
    const rd: string[] = [];
    for (const d of n.deps ?? []) {
      const p = realIdOf(d) ?? labelMap.get(d);
      if (p === undefined) {
        dangling.push({ node: n, ref: d, via: "depends_on" });
        continue;
      }
      if (!rd.includes(p)) rd.push(p);
      allChildren.get(p)!.add(n.id);
    }
    // For a duplicate id the later file's dependencies win (it replaced the earlier one in the map).
    resolvedDeps.set(n.id, rd);
  }

  const ids = [...nodes.keys()];
  const heads = ids.filter((id) => children.get(id)!.size === 0);
  const realHeads = ids.filter((id) => allChildren.get(id)!.size === 0);
  const bases = ids.filter((id) => nodes.get(id)!.down?.length === 0);
  const realBases = bases.filter((id) => (nodes.get(id)!.deps ?? []).length === 0 && nodes.get(id)!.deps !== null);
  const branchpoints = ids.filter((id) => children.get(id)!.size > 1);
  const merges = ids.filter((id) => (nodes.get(id)!.down?.length ?? 0) > 1);

  const g: RevisionGraph = {
    all, nodes, duplicates, notRevisions, labelMap, children, allChildren, resolvedDeps, dangling,
    heads, realHeads, bases, realBases, branchpoints, merges,
    labels: new Map(), exprLabels: new Map(), cycles: [],
    hasOpaqueIds: all.some((n) => n.opaque),
    hasOpaqueDown: all.some((n) => n.down === null),
    hasOpaqueDeps: all.some((n) => n.deps === null),
    hasOpaqueLabels: all.some((n) => n.exprLabels.length > 0),
  };
  g.cycles = findCycles(g);
  spreadLabels(g);
  return g;
}

/** Parents through down_revision (existing ids only). */
export function parentsOf(g: RevisionGraph, id: string): string[] {
  return (g.nodes.get(id)?.down ?? []).filter((d) => g.nodes.has(d) && !d.startsWith("?"));
}

/** Parents through down_revision and resolved depends_on. */
export function allParentsOf(g: RevisionGraph, id: string): string[] {
  const out = parentsOf(g, id);
  for (const d of g.resolvedDeps.get(id) ?? []) if (!out.includes(d)) out.push(d);
  return out;
}

/** Ancestors of the given ids (inclusive). */
export function ancestors(g: RevisionGraph, ids: Iterable<string>, includeDeps = true): Set<string> {
  const seen = new Set<string>();
  const todo = [...ids];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id) || !g.nodes.has(id)) continue;
    seen.add(id);
    todo.push(...(includeDeps ? allParentsOf(g, id) : parentsOf(g, id)));
  }
  return seen;
}

/** Descendants of the given ids (inclusive). */
export function descendants(g: RevisionGraph, ids: Iterable<string>, includeDeps = true): Set<string> {
  const seen = new Set<string>();
  const todo = [...ids];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id) || !g.nodes.has(id)) continue;
    seen.add(id);
    todo.push(...(includeDeps ? g.allChildren : g.children).get(id)!);
  }
  return seen;
}

/** Tarjan over an edge function; returns SCCs with more than one member or a self-loop. */
function sccs(ids: string[], next: (id: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const start of ids) {
    if (idx.has(start)) continue;
    // Iterative Tarjan (histories can be thousands of revisions long).
    const work: { id: string; it: number; succ: string[] }[] = [];
    const push = (id: string) => {
      idx.set(id, index);
      low.set(id, index);
      index++;
      stack.push(id);
      onStack.add(id);
      work.push({ id, it: 0, succ: next(id) });
    };
    push(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.it < top.succ.length) {
        const w = top.succ[top.it++]!;
        if (!idx.has(w)) push(w);
        else if (onStack.has(w)) low.set(top.id, Math.min(low.get(top.id)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!;
        low.set(parent.id, Math.min(low.get(parent.id)!, low.get(top.id)!));
      }
      if (low.get(top.id) === idx.get(top.id)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.id);
        if (comp.length > 1 || top.succ.includes(top.id)) out.push(comp.sort());
      }
    }
  }
  return out;
}

function findCycles(g: RevisionGraph): { ids: string[]; viaDeps: boolean }[] {
  const ids = [...g.nodes.keys()];
  // Links of every file of a duplicate id count (self-loops included).
  const downs = new Map<string, Set<string>>();
  for (const n of g.all) {
    const set = downs.get(n.id) ?? new Set<string>();
    for (const d of n.down ?? []) if (g.nodes.has(d)) set.add(d);
    downs.set(n.id, set);
  }
  const downOf = (id: string) => [...(downs.get(id) ?? [])];
  const plain = sccs(ids, downOf);
  const inPlain = new Set(plain.flat());
  const withDeps = sccs(ids, (id) => [...new Set([...downOf(id), ...(g.resolvedDeps.get(id) ?? [])])]);
  const out = plain.map((c) => ({ ids: c, viaDeps: false }));
  for (const c of withDeps) if (!c.every((id) => inPlain.has(id))) out.push({ ids: c, viaDeps: true });
  return out;
}

/**
 * Alembic `_add_branches`: a declared label goes to the revision, all its descendants
 * (through down_revision), and its ancestors down to the nearest branch point (counting
 * dependencies) or merge point. Alembic starts that downward walk from the last
 * descendant it visited; when the descendants are not one straight line that choice is
 * arbitrary, so ancestors are then left unlabelled.
 */
function spreadLabels(g: RevisionGraph): void {
  const inCycle = new Set(g.cycles.flatMap((c) => c.ids));
  for (const id of g.nodes.keys()) {
    g.labels.set(id, new Set());
    g.exprLabels.set(id, new Set());
  }
  for (const n of g.all) {
    if (g.nodes.get(n.id) !== n) continue;
    const lits = n.declaredLabels;
    const exprs = n.exprLabels.map((e) => exprLabelKey(e, n.id));
    if (lits.length === 0 && exprs.length === 0) continue;
    const add = (id: string) => {
      for (const l of lits) g.labels.get(id)!.add(l);
      for (const e of exprs) g.exprLabels.get(id)!.add(e);
    };
    const desc = descendants(g, [n.id], false);
    for (const d of desc) add(d);
    if (inCycle.has(n.id)) continue;
    // Is the descendant set one straight line without merge points (other than n)?
    let straight = true;
    for (const d of desc) {
      if (g.children.get(d)!.size > 1) straight = false;
      if (d !== n.id && (g.nodes.get(d)!.down?.length ?? 0) > 1) straight = false;
      if (d !== n.id && g.allChildren.get(d)!.size > 1) straight = false;
    }
    if (!straight) continue;
    let cur: string | undefined = n.id;
    const seen = new Set<string>();
    while (cur !== undefined && !seen.has(cur)) {
      seen.add(cur);
      const node = g.nodes.get(cur);
      if (!node) break;
      if (g.allChildren.get(cur)!.size > 1 || (node.down?.length ?? 0) > 1) break;
      add(cur);
      const down: string[] = node.down ?? [];
      if (down.length !== 1 || !g.nodes.has(down[0]!)) break;
      cur = down[0];
    }
  }
}

/** The key of a non-literal label: distinct per declaring revision (never guessed equal). */
export function exprLabelKey(expr: string, declaredBy: string): string {
  return `expr:${expr}\u0000${declaredBy}`;
}

/** The source text of a non-literal label key. */
export function exprLabelText(key: string): string {
  const end = key.indexOf("\u0000");
  return key.slice(5, end < 0 ? undefined : end);
}

/** Every label token (literal, then `expr:` keys) a revision carries. */
export function labelTokens(g: RevisionGraph, id: string): string[] {
  return [...(g.labels.get(id) ?? []), ...(g.exprLabels.get(id) ?? [])];
}

/**
 * A topological order from the bases: Alembic's `_topological_sort` over all revisions
 * (what `alembic history` prints), reversed. Revisions in cycles or hanging off missing
 * parents are appended at the end in file order.
 */
export function topoOrder(g: RevisionGraph): string[] {
  const inserted = [...g.nodes.keys()];
  const pos = new Map(inserted.map((id, i) => [id, i]));
  const todo = new Set(inserted);
  const inCycle = new Set(g.cycles.flatMap((c) => c.ids));
  for (const id of inCycle) todo.delete(id);
  // Normalised dependencies: omit dependencies already implied by an ancestor's dependencies.
  const normDeps = new Map<string, string[]>();
  for (const id of inserted) {
    const deps = g.resolvedDeps.get(id) ?? [];
    if (deps.length === 0 || inCycle.has(id)) {
      normDeps.set(id, deps);
      continue;
    }
    const keep = new Set(deps);
    for (const a of ancestors(g, [id], false)) if (a !== id) for (const d of g.resolvedDeps.get(a) ?? []) keep.delete(d);
    normDeps.set(id, [...keep].sort());
  }
  const down = (id: string) => {
    const out = parentsOf(g, id);
    for (const d of normDeps.get(id) ?? []) if (!out.includes(d)) out.push(d);
    return out.filter((x) => !inCycle.has(x));
  };
  const ancestorsOf = (id: string): Set<string> => {
    const seen = new Set<string>();
    const st = [id];
    while (st.length > 0) {
      const x = st.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      st.push(...down(x));
    }
    return seen;
  };
  const heads = g.realHeads.filter((h) => todo.has(h)).sort((a, b) => pos.get(a)! - pos.get(b)!);
  const current = [...heads];
  const anc = current.map(ancestorsOf);
  const output: string[] = [];
  let ci = 0;
  let guard = 0;
  while (current.length > 0 && guard++ < 10_000_000) {
    const cand = current[ci]!;
    let moved = false;
    for (let k = 0; k < anc.length; k++) {
      if (k !== ci && anc[k]!.has(cand)) {
        ci = k;
        moved = true;
        break;
      }
    }
    if (moved) continue;
    if (todo.has(cand)) {
      output.push(cand);
      todo.delete(cand);
    }
    const toAdd = down(cand).filter((r) => todo.has(r) && !current.includes(r));
    if (toAdd.length === 0) {
      current.splice(ci, 1);
      anc.splice(ci, 1);
      ci = Math.max(ci - 1, 0);
    } else if ((normDeps.get(cand) ?? []).length === 0 && parentsOf(g, cand).length === 1) {
      current[ci] = toAdd[0]!;
      anc[ci]!.delete(cand);
    } else {
      current[ci] = toAdd[0]!;
      current.push(...toAdd.slice(1));
      anc[ci] = ancestorsOf(toAdd[0]!);
      anc.push(...toAdd.slice(1).map(ancestorsOf));
    }
  }
  const order = output.reverse();
  // Anything not reached (cycles, broken parents reached from nowhere) in file order.
  const placed = new Set(order);
  for (const id of inserted) if (!placed.has(id)) order.push(id);
  return order;
}

const SYMBOLIC = new Set(["head", "heads", "base"]);

/**
 * Alembic `_revision_for_ident`: an exact id or label, else a unique prefix among ids and
 * labels longer than three characters.
 */
export function resolveIdent(g: RevisionGraph, ident: string): Resolution {
  if (g.nodes.has(ident) && !ident.startsWith("?")) return { ok: true, ids: [ident] };
  const lab = g.labelMap.get(ident);
  if (lab !== undefined) return { ok: true, ids: [lab] };
  const keys = [...[...g.nodes.keys()].filter((k) => !k.startsWith("?")), ...g.labelMap.keys()];
  const matches = [...new Set(keys.filter((k) => k.length > 3 && k.startsWith(ident)))].sort();
  if (matches.length === 0) {
    return {
      ok: false, kind: "unknown",
      message: `No such revision or branch '${ident}'${ident.length < 4 ? "; please ensure at least four characters are present for partial revision identifier matches" : ""}`,
    };
  }
  if (matches.length > 1) {
    return { ok: false, kind: "ambiguous", message: `Multiple revisions start with '${ident}': ${matches.slice(0, 3).map((x) => `'${x}'`).join(", ")}${matches.length > 3 ? ", ..." : ""}`, candidates: matches };
  }
  const m = matches[0]!;
  return { ok: true, ids: [g.labelMap.get(m) ?? m] };
}

/** Heads that belong to the branch named by `label` (a label or a revision id). */
function headsInBranch(g: RevisionGraph, branch: string, heads: string[]): Resolution {
  const b = g.labelMap.has(branch) ? { ok: true as const, ids: [g.labelMap.get(branch)!] } : resolveIdent(g, branch);
  if (!b.ok) return { ok: false, kind: "unknown", message: `No such branch: '${branch}'` };
  const rev = b.ids[0]!;
  const lineage = new Set([...ancestors(g, [rev], false), ...descendants(g, [rev], false)]);
  return { ok: true, ids: heads.filter((h) => lineage.has(h)) };
}

/**
 * Resolves a target as `alembic upgrade/downgrade/stamp` would: ids, unique prefixes,
 * labels, `head`, `heads`, `base`, `label@head`, `label@heads`, `label@base`, `label@id`,
 * and relative targets (`rev+2`, `head-1`; `+1`/`-1` relative to `current` when given,
 * otherwise reported as unsupported).
 */
export function resolveTarget(g: RevisionGraph, target: string, current?: string[]): Resolution {
  let branch: string | null = null;
  let id = target;
  const at = target.indexOf("@");
  if (at >= 0) {
    branch = target.slice(0, at);
    id = target.slice(at + 1);
  }
  const rel = /^(.*?)([+-])(\d+)$/.exec(id);
  if (rel) return resolveRelative(g, target, rel[1]!, rel[2] === "+" ? Number(rel[3]) : -Number(rel[3]), current);
  if (id === "heads") return branch ? headsInBranch(g, branch, g.heads) : { ok: true, ids: [...g.realHeads] };
  if (id === "head") {
    const hs = branch ? headsInBranch(g, branch, g.heads) : { ok: true as const, ids: [...g.heads] };
    if (!hs.ok) return hs;
    if (hs.ids.length > 1) {
      return { ok: false, kind: "multiple-heads", message: `Multiple heads are present for given argument '${branch ? `${branch}@head` : "head"}'; ${hs.ids.join(", ")}`, candidates: hs.ids };
    }
    return hs;
  }
  if (id === "base") {
    if (!branch) return { ok: true, ids: [] };
    const hs = headsInBranch(g, branch, g.heads);
    return hs.ok ? { ok: true, ids: [] } : hs;
  }
  const r = resolveIdent(g, id);
  if (!r.ok || !branch) return r;
  const b = headsInBranch(g, branch, []);
  if (!b.ok) return b;
  const brRev = g.labelMap.get(branch) ?? (resolveIdent(g, branch) as { ok: true; ids: string[] }).ids[0]!;
  const lineage = new Set([...ancestors(g, [brRev], false), ...descendants(g, [brRev], false)]);
  if (!lineage.has(r.ids[0]!)) return { ok: false, kind: "not-in-branch", message: `Revision ${r.ids[0]} is not a member of branch '${branch}'` };
  return r;
}

/** `X+N` / `X-N`: N steps up (children) or down (parents) along down_revision, as Alembic's `_walk`. */
function resolveRelative(g: RevisionGraph, target: string, from: string, steps: number, current?: string[]): Resolution {
  let start: string[];
  if (from === "") {
    if (!current) return { ok: false, kind: "unsupported", message: `relative revision '${target}' needs a starting revision; write e.g. <rev>${steps > 0 ? "+" : "-"}${Math.abs(steps)}` };
    start = current;
  } else {
    const r = resolveTarget(g, from);
    if (!r.ok) return r;
    start = r.ids;
  }
  if (start.length > 1) return { ok: false, kind: "unsupported", message: `Ambiguous walk: '${target}' starts from several revisions (${start.join(", ")})` };
  let cur: string | null = start[0] ?? null;
  for (let i = 0; i < Math.abs(steps); i++) {
    let next: string[];
    if (steps > 0) next = cur === null ? g.bases.filter((b) => !b.startsWith("?")) : [...g.children.get(cur)!];
    else next = cur === null ? [] : parentsOf(g, cur);
    if (steps < 0 && cur !== null && next.length === 0 && i === Math.abs(steps) - 1 && g.nodes.get(cur)!.down?.length === 0) {
      cur = null; // one step below a base is base
      continue;
    }
    if (next.length === 0) return { ok: false, kind: "unsupported", message: `Walked too far: '${target}' goes beyond ${cur === null ? "base" : cur}` };
    if (next.length > 1) return { ok: false, kind: "unsupported", message: `Ambiguous walk: '${target}' reaches a ${steps > 0 ? "branch point" : "merge point"} at ${cur ?? "base"} (${next.sort().join(", ")})` };
    cur = next[0]!;
  }
  return { ok: true, ids: cur === null ? [] : [cur] };
}

export function isSymbolicTarget(t: string): boolean {
  return SYMBOLIC.has(t) || t.includes("@") || /^[+-]\d+$/.test(t);
}

/** A span covering a whole line of a migration (1-based). */
export function lineSpan(m: Migration, line: number): Span {
  const text = m.source.split(/\r\n|\r|\n/)[line - 1] ?? "";
  return { line, column: 1, endLine: line, endColumn: text.length + 1 };
}

/** Where a revision's `revision =` line is (line 1 for legacy files). */
export function revisionSpan(n: RevNode): Span {
  return n.migration.header.revision?.span ?? lineSpan(n.migration, 1);
}

/** The revision's one-line message (first docstring line), or "". */
export function docMessage(m: Migration): string {
  const lines = m.source.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === "" || l.startsWith("#")) continue;
    const mm = /^[rRuU]?("""|\'\'\')(.*)$/.exec(l);
    if (!mm) return "";
    let t = mm[2]!.replace(/("""|\'\'\')\s*$/, "").trim();
    if (t === "") t = (lines[i + 1] ?? "").trim().replace(/("""|\'\'\')\s*$/, "").trim();
    return /^Revision ID:/.test(t) ? "" : t;
  }
  return "";
}

const cache = new WeakMap<MigrationSet, RevisionGraph>();

/** The graph of a set, computed once per set (every graph rule shares it). */
export function graphOf(set: MigrationSet): RevisionGraph {
  let g = cache.get(set);
  if (!g) {
    g = buildGraph(set);
    cache.set(set, g);
  }
  return g;
}
