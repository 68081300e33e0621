// In-source suppressions (Python comments, found by tree-sitter, so text inside strings
// and docstrings never counts):
//
//   op.drop_column("user", "legacy")  # alembic-lint: ignore[ALM302] column unused since 2024
//   # alembic-lint: ignore[ALM302, unreversed-operation] reason      (covers the next line)
//   # alembic-lint: ignore-file[ALM101] this project never downgrades
//   op.drop_column("user", "legacy")  # noqa: ALM302 reason
//
// Decisions:
// - A line suppression covers its own line. Alone on its line it also covers the next
//   line, skipping further comment-only lines (so suppressions can be stacked) but not
//   blank lines. A finding is matched by its first line: the line holding `op.xxx(` of a
//   multi-line call, the `def` line of a function, the `revision =` line of a graph finding.
//   A finding inside the module docstring (ALM006; line-1 findings such as ALM005/ALM009)
//   is also matched by a comment above the docstring or after its closing quotes.
// - Scripts checked by ALM010 (shell, YAML, Makefile...) take the same directives in `#`
//   comments, found line by line.
// - Codes or rule names, comma- or space-separated, case-insensitive. No prefixes, no ALL:
//   a suppression names what it hides.
// - The reason is the free text after `]` (or after the codes of a noqa), up to another
//   directive in the same comment (`# noqa: E501`, `# type: ignore`, ...).
// - `# noqa: ALM302` is ours only for the ALM codes (or rule names) it lists; other tools'
//   codes in the same comment are left to them. A bare `# noqa` (no codes) is NOT ours:
//   ruff/flake8 users write it for their own findings, and a blanket suppression of every
//   alembic-lint rule would hide data-loss findings by accident.
// - ALM900 (parse error) cannot be suppressed.
// - require_reason: a suppression without a reason does not suppress a finding of a rule
//   that requires one. The finding stays (and fails the run) and its message gets a
//   suffix saying which suppression was ignored and what to write instead.
// - ALM902 (when active) reports, in the files the user asked to check: suppressions of
//   active rules that matched nothing (per code), unknown codes or names, and
//   `# alembic-lint:` comments that are not a valid directive. Codes of rules that are
//   not active in this run are not reported as unused (the run may use another selection
//   than CI). Files with a syntax error get no ALM902 (the other rules saw only part of
//   them). ALM902 findings can themselves be suppressed (`ignore[ALM902]`, `ignore-file[ALM902]`).
// - Suppressed findings stay in the result with `suppressed: {kind: "inSource",
//   justification: reason}` (SARIF `suppressions`), they just do not fail the run.
import type { Migration } from "../model.js";
import type { ActiveRule } from "./registry.js";
import { findRule, matchSelector } from "./registry.js";
import type { Diagnostic } from "./rule.js";

export interface Suppression {
  line: number;
  column: number;
  /** End column (exclusive) of the directive in its comment. */
  endColumn: number;
  scope: "line" | "file";
  /** Lines the suppression covers (its own line, and the next code line when alone on its line). */
  lines: number[];
  /** Canonical codes of known rules. */
  codes: string[];
  /** Codes or names as written that match no rule. */
  unknown: string[];
  reason: string;
  form: "alembic-lint" | "noqa";
  /** Codes this suppression hid (or explained) in this run. */
  used: Set<string>;
  /** Set when the comment is an `alembic-lint:` directive that could not be understood. */
  malformed?: string;
}

/** `#` then a directive: where each directive of a comment starts. */
const DIRECTIVE_START = /#\s*(?:alembic-lint\s*:|noqa\b|type\s*:|pragma\b|pylint\s*:|fmt\s*:|ruff\s*:|flake8\s*:|mypy\s*:|pyright\s*:|isort\s*:|nosec\b|expect\s*:)/gi;
const ALEMBIC_LINT = /^#\s*alembic-lint\s*:\s*(.*)$/is;
const IGNORE = /^(ignore-file|ignore)\s*\[([^\]]*)\]\s*(.*)$/is;
const NOQA = /^#\s*noqa\b\s*(?::\s*(.*))?$/is;
const CODE_TOKEN = /^[A-Za-z]+\d+$/;

export function parseSuppressions(m: Migration): Suppression[] {
  return parseFrom(m.source, m.comments);
}

/**
 * Suppressions in a script that is not a migration (shell, Makefile, CI YAML, Dockerfile:
 * ALM010 reports there): `#` comments holding a directive, found line by line.
 */
export function parseTextSuppressions(text: string): Suppression[] {
  const comments: { line: number; column: number; text: string }[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const m = /#\s*(?:alembic-lint\s*:|noqa\b)/i.exec(line);
    if (m) comments.push({ line: i + 1, column: m.index + 1, text: line.slice(m.index) });
  });
  return parseFrom(text, comments);
}

function parseFrom(source: string, comments: { line: number; column: number; text: string }[]): Suppression[] {
  // Most files have no directive at all: their source is split into lines only if needed.
  let lines: string[] | null = null;
  const out: Suppression[] = [];
  for (const c of comments) {
    const parts = segments(c.text);
    if (parts.length === 0) continue;
    lines ??= source.split(/\r\n|\r|\n/);
    const ownLine = (lines[c.line - 1] ?? "").slice(0, c.column - 1).trim() === "";
    const covered = ownLine ? [c.line, ...nextCodeLine(lines, c.line)] : [c.line];
    for (const seg of parts) {
      const at = c.column + seg.offset;
      const base = { line: c.line, column: at, endColumn: at + seg.text.trimEnd().length, lines: covered, used: new Set<string>() };
      const a = ALEMBIC_LINT.exec(seg.text);
      if (a) {
        const body = a[1]!.trim();
        const ig = IGNORE.exec(body);
        if (!ig) {
          const hint = /^ignore(-file)?\b/i.test(body)
            ? `write the codes in brackets: \`# alembic-lint: ${/^ignore-file/i.test(body) ? "ignore-file" : "ignore"}[ALM302] reason\``
            : "the only directives are `# alembic-lint: ignore[CODE, ...] reason` and `# alembic-lint: ignore-file[CODE, ...] reason`";
          out.push({ ...base, scope: "line", codes: [], unknown: [], reason: "", form: "alembic-lint", malformed: hint });
          continue;
        }
        const names = ig[2]!.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
        const { codes, unknown } = resolveNames(names);
        const sup: Suppression = { ...base, scope: ig[1]!.toLowerCase() === "ignore-file" ? "file" : "line", codes, unknown, reason: cleanReason(ig[3]!), form: "alembic-lint" };
        if (names.length === 0) sup.malformed = `no rule code between the brackets: write \`# alembic-lint: ${ig[1]!.toLowerCase()}[ALM302] reason\``;
        out.push(sup);
        continue;
      }
      const n = NOQA.exec(seg.text);
      if (n && n[1] !== undefined) {
        // Codes: leading tokens that look like codes (any tool's) or are our rule names.
        const tokens = n[1].split(/([,\s]+)/);
        const names: string[] = [];
        let i = 0;
        for (; i < tokens.length; i += 2) {
          const t = tokens[i]!;
          if (t === "" && i === 0) continue;
          if (CODE_TOKEN.test(t) || (t !== "" && findRule(t))) names.push(t);
          else break;
        }
        const ours = names.filter((t) => /^ALM/i.test(t) || findRule(t));
        if (ours.length === 0) continue; // another tool's noqa, or a bare one
        const { codes, unknown } = resolveNames(ours);
        out.push({ ...base, scope: "line", lines: [c.line], codes, unknown, reason: cleanReason(tokens.slice(i).join("")), form: "noqa" });
      }
    }
  }
  return out;
}

/** Splits a comment at each directive (`# noqa`, `# type:`, `# alembic-lint:` ...). */
function segments(text: string): { offset: number; text: string }[] {
  const starts: number[] = [];
  for (const mm of text.matchAll(DIRECTIVE_START)) starts.push(mm.index);
  return starts.map((s, i) => ({ offset: s, text: text.slice(s, starts[i + 1] ?? text.length) }));
}

function resolveNames(names: string[]): { codes: string[]; unknown: string[] } {
  const codes: string[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const r = findRule(n);
    if (r) {
      if (!codes.includes(r.meta.code)) codes.push(r.meta.code);
    } else if (!unknown.includes(n)) unknown.push(n);
  }
  return { codes, unknown };
}

/** The reason as written, without a leading `:`/`-`/`—` separator. */
function cleanReason(s: string): string {
  return s.trim().replace(/^[:\-–—]+\s*/, "").trim();
}

/** The line after `line` (1-based) skipping comment-only lines; none when it is blank. */
function nextCodeLine(lines: string[], line: number): number[] {
  for (let i = line; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === "") return [];
    if (!t.startsWith("#")) return [i + 1];
  }
  return [];
}

/** First and last line (1-based) of the module docstring, or null. */
export function moduleDocstringLines(source: string): [number, number] | null {
  const lines = source.split(/\r\n|\r|\n/);
  let i = 0;
  while (i < lines.length && (lines[i]!.trim() === "" || lines[i]!.trim().startsWith("#"))) i++;
  const open = /^\s*[rRuU]?("""|\'\'\')/.exec(lines[i] ?? "");
  if (!open) return null;
  const quote = open[1]!;
  const rest = lines[i]!.slice(open[0].length);
  if (rest.includes(quote)) return [i + 1, i + 1];
  for (let j = i + 1; j < lines.length; j++) if (lines[j]!.includes(quote)) return [i + 1, j + 1];
  return null;
}

export interface SuppressOptions {
  /** Rules whose suppressions must give a reason: true for all, or codes/names/prefixes. */
  requireReason?: boolean | string[];
  /** Paths (keys of `files`) whose suppression problems ALM902 reports; default: every file. */
  reportIn?: Set<string>;
  /** Rules that crashed: their suppressions are not reported as unused there. */
  internalErrors?: { code: string; path: string }[];
  /** Other files findings may be in (scripts checked by ALM010), by path: their text. */
  texts?: Map<string, string>;
}

/**
 * Marks the diagnostics hidden by suppression comments and adds ALM902 findings (when
 * that rule is active). `files` maps a diagnostic path to its migration; include every
 * file of the trees (graph findings may land in files the user did not pass).
 */
export function applySuppressions(diags: Diagnostic[], files: Map<string, Migration | null>, active: ActiveRule[], opts: SuppressOptions = {}): Diagnostic[] {
  const cache = new Map<string, Suppression[]>();
  const get = (path: string) => {
    let s = cache.get(path);
    if (!s) {
      const m = files.get(path);
      const text = m ? undefined : opts.texts?.get(path);
      s = m ? parseSuppressions(m) : text !== undefined ? parseTextSuppressions(text) : [];
      cache.set(path, s);
    }
    return s;
  };
  const needsReason = reasonSet(opts.requireReason);
  // A finding inside the module docstring (ALM006 on `Revision ID:`, ALM005/ALM009 at
  // line 1) cannot carry a comment on its line: it is also matched at the docstring's
  // first line (a comment above it) and last line (a comment after the closing quotes).
  const docstrings = new Map<string, [number, number] | null>();
  const anchorLines = (d: Diagnostic): number[] => {
    let r = docstrings.get(d.path);
    if (r === undefined) {
      const m = files.get(d.path);
      r = m ? moduleDocstringLines(m.source) : null;
      docstrings.set(d.path, r);
    }
    return r && d.span.line >= r[0] && d.span.line <= r[1] ? [d.span.line, r[0], r[1]] : [d.span.line];
  };
  const apply = (d: Diagnostic) => {
    if (d.code === "ALM900" || d.suppressed) return;
    const suppressions = get(d.path);
    if (suppressions.length === 0) return;
    const lines = anchorLines(d);
    const matching = suppressions.filter((s) => !s.malformed && s.codes.includes(d.code) && (s.scope === "file" || s.lines.some((l) => lines.includes(l))));
    // The most specific first: a line suppression before a file-wide one.
    matching.sort((a, b) => (a.scope === b.scope ? 0 : a.scope === "line" ? -1 : 1));
    const needed = needsReason.has(d.code);
    const hit = matching.find((s) => !needed || s.reason !== "");
    if (hit) {
      // Reasonless suppressions consulted before it matched too: not "unused".
      for (const s of matching.slice(0, matching.indexOf(hit) + 1)) s.used.add(d.code);
      d.suppressed = { kind: "inSource", justification: hit.reason };
      return;
    }
    const reasonless = matching[0];
    if (reasonless) {
      reasonless.used.add(d.code);
      const form = reasonless.form === "noqa" ? `# noqa: ${d.code} <why>` : `# alembic-lint: ${reasonless.scope === "file" ? "ignore-file" : "ignore"}[${d.code}] <why>`;
      d.message += ` [not suppressed: the suppression on line ${reasonless.line} gives no reason and ${d.code} requires one; write \`${form}\`]`;
    }
  };
  for (const d of diags) apply(d);

  const out = [...diags];
  const alm902 = active.find((a) => a.rule.meta.code === "ALM902");
  if (!alm902) return out;
  const activeCodes = new Set(active.map((a) => a.rule.meta.code));
  const crashed = new Set((opts.internalErrors ?? []).map((e) => `${e.path}\0${e.code}`));
  const crashedAnywhere = new Set((opts.internalErrors ?? []).map((e) => e.code));
  const extra: Diagnostic[] = [];
  const checked: string[] = [];
  for (const [path, m] of files) {
    if (!m || m.parseError) continue;
    if (opts.reportIn && !opts.reportIn.has(path)) continue;
    checked.push(path);
  }
  for (const path of opts.texts?.keys() ?? []) if (!files.has(path)) checked.push(path);
  for (const path of checked) {
    for (const s of get(path)) {
      const make = (message: string, key: string): Diagnostic => ({
        code: "ALM902",
        name: alm902.rule.meta.name,
        severity: alm902.severity,
        path,
        span: { line: s.line, column: s.column, endLine: s.line, endColumn: Math.max(s.endColumn, s.column + 1) },
        message,
        related: [],
        fingerprint: key,
      });
      const written = s.form === "noqa" ? "`# noqa`" : s.scope === "file" ? "`ignore-file`" : "`ignore`";
      if (s.malformed) {
        extra.push(make(`unrecognised suppression comment: ${s.malformed}`, "malformed"));
        continue;
      }
      if (s.unknown.length > 0) {
        const list = s.unknown.map((u) => JSON.stringify(u)).join(", ");
        extra.push(make(`${written} names no known rule: ${list} (use a rule code like ALM302 or a rule name; see \`alembic-lint rules\`)`, `unknown:${s.unknown.join(",")}`));
      }
      const unused = s.codes.filter((c) => c !== "ALM902" && !s.used.has(c) && activeCodes.has(c) && !crashed.has(`${path}\0${c}`) && !crashedAnywhere.has(c));
      if (unused.length > 0) {
        const codes = unused.join(", ");
        const build = alm902.rule.meta.messages.unused;
        extra.push(make(build ? build({ codes }) : `suppression of ${codes} matches no finding; remove it`, `unused:${codes}`));
      }
    }
  }
  for (const d of extra) apply(d);
  return [...out, ...extra];
}

function reasonSet(req: boolean | string[] | undefined): Set<string> {
  if (req === true) return new Set(matchSelector("ALL").map((r) => r.meta.code));
  if (!req) return new Set();
  return new Set(req.flatMap((s) => {
    try {
      return matchSelector(s).map((r) => r.meta.code);
    } catch {
      return [];
    }
  }));
}
