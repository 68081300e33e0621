// ALM010's scanner: files outside the versions tree (shell scripts, Makefiles, CI YAML,
// Dockerfiles, Python) that run `alembic stamp|upgrade|downgrade <rev>` or
// `command.stamp|upgrade|downgrade(cfg, "<rev>")` with a literal revision.
import type { MigrationSet } from "./model.js";
import { resolveIdent, type RevisionGraph } from "./graph.js";

export interface ScriptFile {
  /** Display path (relative to the working directory, forward slashes). */
  path: string;
  text: string;
}

/**
 * The engine hook: a MigrationSet that also carries the script files to check.
 * The engine sets `scripts` (config `scripts` globs and CLI `--scripts`) on every set of
 * the run and `allSets` to all sets of the run, so a revision of another versions tree
 * (multi-database projects) is not reported as unknown.
 */
export interface ScriptsInput {
  scripts?: ScriptFile[];
  allSets?: MigrationSet[];
}

export type MigrationSetWithScripts = MigrationSet & ScriptsInput;

/** A literal revision target found in a script. */
export interface ScriptTarget {
  line: number;
  /** 1-based UTF-16 column of the literal and its end (exclusive). */
  column: number;
  endColumn: number;
  /** The revision literal as written (one side of a range, the id part of `id+2`). */
  literal: string;
  /** The whole target argument as written (e.g. `ae10:bd20`). */
  target: string;
  command: "stamp" | "upgrade" | "downgrade";
  /** `alembic` CLI or Python `command.*` API. */
  form: "cli" | "api";
}

export interface ScriptFinding extends ScriptTarget {
  path: string;
  kind: "unknown" | "ambiguous";
  candidates: string[];
}

const GLOBAL_OPTS_WITH_ARG = new Set(["-c", "--config", "-n", "--name", "-x"]);
const SUB_OPTS_WITH_ARG = new Set(["--tag"]);
const STOP = /^(;|&&|\|\||\||>|>>|<|2>&1|&|\)|\]|#.*)$/;

/** A token that is a revision literal (not a symbol, variable or template). */
function literalParts(target: string): { literal: string; offset: number }[] | null {
  if (target === "" || /[$`{}%<>*?]/.test(target)) return null; // $REV, ${REV}, $(REV), {{ rev }}, %REV%
  if (target.includes("@")) return null; // branch@head, branch@rev
  const out: { literal: string; offset: number }[] = [];
  let offset = 0;
  for (const side of target.split(":")) {
    const part = side;
    const rel = /^(.*?)([+-]\d+)$/.exec(part);
    const id = rel ? rel[1]! : part;
    if (id !== "" && !/^(head|heads|base)$/.test(id)) {
      if (!/^\w+$/.test(id)) return null;
      out.push({ literal: id, offset });
    }
    offset += side.length + 1;
  }
  return out;
}

/** Does a token look like it could be a revision id (not an English word in prose)? */
function plausibleId(s: string): boolean {
  return /\d/.test(s) || /^[0-9a-f]{4,}$/.test(s) || s.includes("_");
}

interface Tok {
  text: string;
  col: number; // 0-based JS offset in the line
  quoted: boolean;
}

/** Splits a line into shell-ish words, dropping quotes, commas and brackets (JSON exec form). */
function tokenize(line: string): Tok[] {
  const out: Tok[] = [];
  const re = /;|&&|\|\||\||>>|>|2>&1|#.*$|[^\s"',[\]()=;|&>]+(?:=[^\s"',[\];|&>]*)?|=/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    if (m[0] === "#" || (m[0].startsWith("#") && (m.index === 0 || /\s/.test(line[m.index - 1]!)))) {
      out.push({ text: "#", col: m.index, quoted: false });
      break;
    }
    out.push({ text: m[0], col: m.index, quoted: m.index > 0 && /["']/.test(line[m.index - 1]!) });
  }
  return out;
}

function cliTargets(text: string): ScriptTarget[] {
  const out: ScriptTarget[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((line, i) => {
    if (!/\balembic\b/.test(line)) return;
    if (/^\s*(#|\/\/|--|rem\b)/i.test(line)) return;
    const toks = tokenize(line);
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k]!.text;
      if (t !== "alembic" && !/[/\\]alembic$/.test(t)) continue;
      // Exec form (`["alembic", "upgrade", "x"]`): unquoted words are variables, not literals.
      const execForm = toks[k]!.quoted && /^["']\s*,/.test(line.slice(toks[k]!.col + t.length));
      let j = k + 1;
      // Global options before the sub-command.
      while (j < toks.length && toks[j]!.text.startsWith("-")) {
        const o = toks[j]!.text;
        j += GLOBAL_OPTS_WITH_ARG.has(o) ? 2 : 1;
      }
      const cmd = toks[j]?.text;
      if (cmd !== "stamp" && cmd !== "upgrade" && cmd !== "downgrade") continue;
      const positionals: Tok[] = [];
      for (j = j + 1; j < toks.length; j++) {
        const w = toks[j]!;
        if (STOP.test(w.text) || w.text === "#") break;
        if (w.text === "\\") break;
        if (w.text.startsWith("-") && !/^-\d+$/.test(w.text)) {
          if (SUB_OPTS_WITH_ARG.has(w.text)) j++;
          continue;
        }
        if (execForm && !w.quoted) {
          positionals.push({ ...w, text: "$" });
          continue;
        }
        positionals.push(w);
      }
      // upgrade/downgrade take exactly one revision; more words means prose, not a command.
      if (cmd !== "stamp" && positionals.length !== 1) continue;
      for (const p of positionals) {
        const parts = literalParts(p.text);
        if (!parts) continue;
        for (const part of parts) {
          if (cmd === "stamp" && positionals.length > 1 && !plausibleId(part.literal)) continue;
          if (!plausibleId(part.literal) && part.literal.length < 4) continue;
          const col = p.col + part.offset;
          out.push({ line: i + 1, column: col + 1, endColumn: col + part.literal.length + 1, literal: part.literal, target: p.text, command: cmd, form: "cli" });
        }
      }
    }
  });
  return out;
}

function apiTargets(text: string): ScriptTarget[] {
  const out: ScriptTarget[] = [];
  const re = /\bcommand\.(stamp|upgrade|downgrade)\s*\(\s*[^,()]+(?:\([^()]*\))?\s*,\s*(?:revision\s*=\s*)?(\[[^\]]*\]|\([^()]*\)|(?<![fFbB])(["'])[^"'\n]*\3)/g;
  let m: RegExpExecArray | null;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const pos = (off: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: off - lineStarts[lo]! + 1 };
  };
  while ((m = re.exec(text)) !== null) {
    const cmd = m[1] as ScriptTarget["command"];
    const arg = m[2]!;
    const argStart = m.index + m[0].length - arg.length;
    const lits = [...arg.matchAll(/(?<![fFbB\w])(["'])([^"'\n]*)\1/g)];
    // A list/tuple with anything but string literals is not analysed.
    if ((arg.startsWith("[") || arg.startsWith("(")) && arg.slice(1, -1).replace(/(["'])[^"'\n]*\1/g, "").replace(/[\s,]/g, "") !== "") continue;
    for (const lm of lits) {
      const value = lm[2]!;
      const parts = literalParts(value);
      if (!parts) continue;
      for (const part of parts) {
        const p = pos(argStart + lm.index! + 1 + part.offset);
        out.push({ line: p.line, column: p.column, endColumn: p.column + part.literal.length, literal: part.literal, target: value, command: cmd, form: "api" });
      }
    }
  }
  return out;
}

/** Every literal revision target in a script's text. */
export function findRevisionTargets(text: string): ScriptTarget[] {
  return [...cliTargets(text), ...apiTargets(text)].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Checks the literal targets of script files against one or more revision graphs (all
 * versions trees of the run). A literal is fine when it resolves in any graph; it is
 * reported as ambiguous when it matches several revisions somewhere and resolves nowhere,
 * as unknown when no graph knows it. Graphs with non-literal ids or labels make unknowns
 * unprovable, so those are not reported.
 */
export function scanScripts(files: ScriptFile[], graphs: RevisionGraph | RevisionGraph[]): ScriptFinding[] {
  const gs = Array.isArray(graphs) ? graphs : [graphs];
  if (gs.length === 0 || gs.every((g) => g.nodes.size === 0)) return [];
  const opaque = gs.some((g) => g.hasOpaqueIds || g.hasOpaqueLabels);
  const out: ScriptFinding[] = [];
  for (const f of files) {
    for (const t of findRevisionTargets(f.text)) {
      let ok = false;
      const candidates = new Set<string>();
      for (const g of gs) {
        const r = resolveIdent(g, t.literal);
        if (r.ok) ok = true;
        else if (r.kind === "ambiguous") for (const c of r.candidates ?? []) candidates.add(c);
      }
      if (ok) continue;
      if (candidates.size > 0) out.push({ ...t, path: f.path, kind: "ambiguous", candidates: [...candidates].sort() });
      else if (!opaque) out.push({ ...t, path: f.path, kind: "unknown", candidates: [] });
    }
  }
  return out;
}
