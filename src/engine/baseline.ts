// Baseline: record today's findings so a project with a long legacy history can adopt
// the linter and still fail on every new finding.
//
// A finding's key is (revision id, rule code, fingerprint). The revision id comes from
// the file's `revision = "..."`, so the key survives renames, moves, line shifts and
// edits elsewhere in the file; the fingerprint is set by the rule (default
// `messageId:message`, never a line number). Files without a literal revision id are
// keyed by their path (relative to the baseline file) instead. Identical keys are
// counted: with 2 recorded and 3 found, the third fails.
//
// The file is stable, sorted JSON (`version`, `entries[]`), written atomically. Writing
// replaces the entries of the files and rules of this run and keeps the others
// (pre-commit passes a few files; `--select` runs a few rules), and says on stderr how
// many findings were added and dropped. ALM900 (parse errors) and findings already
// suppressed in the source are never recorded.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ExitError } from "../errors.js";
import { writeAtomically } from "../fsutil.js";
import type { Migration } from "../model.js";
import type { Diagnostic } from "./rule.js";

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  /** Revision id of the file, or null when it has no literal one (then `path` is the key). */
  revision: string | null;
  /** The file, relative to the baseline file's directory (informative when revision is set). */
  path: string;
  code: string;
  fingerprint: string;
  /** How many findings with this key are recorded. */
  count: number;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  entries: BaselineEntry[];
}

/** What the baseline needs to know about a run. */
export interface BaselineRun {
  diagnostics: Diagnostic[];
  /** The files the user asked to check (display path → migration). */
  files: { path: string; absPath: string; migration: Migration | null }[];
  /** Every parsed migration of the trees by display path (graph findings may land in any). */
  migrations: Map<string, Migration>;
  /** Display paths of the other files checked (scripts read for ALM010). */
  scripts?: string[];
  /** Codes of the rules that ran. */
  activeCodes: Set<string>;
  cwd: string;
}

type Keyed = { key: string; entry: Omit<BaselineEntry, "count"> };

function idOf(revision: string | null, relPath: string): string {
  return revision !== null ? `r\0${revision}` : `p\0${relPath}`;
}

function keyOf(e: Omit<BaselineEntry, "count">): string {
  return `${idOf(e.revision, e.path)}\0${e.code}\0${e.fingerprint}`;
}

export function revisionOf(m: Migration | null | undefined): string | null {
  const v = m?.header.revision?.value;
  return typeof v === "string" && v !== "" ? v : null;
}

/**
 * The fingerprint without line numbers: the default fingerprint is the message, and some
 * messages point at another line ("... on line 14 creates it"); a line shift must not
 * turn a recorded finding into a new one.
 */
export function stableFingerprint(fp: string): string {
  return fp.replace(/\b(lines?)\s+\d+(?:\s*[-–]\s*\d+)?/gi, "$1 N").replace(/(\.py):\d+(?::\d+)?/g, "$1");
}

/** Can this finding be recorded in (and hidden by) a baseline? */
function baselinable(d: Diagnostic): boolean {
  return d.code !== "ALM900" && !d.suppressed;
}

class Resolver {
  private byPath = new Map<string, { absPath: string; migration: Migration | null }>();
  constructor(
    run: BaselineRun,
    private dir: string,
  ) {
    for (const [p, m] of run.migrations) this.byPath.set(p, { absPath: m.absPath, migration: m });
    for (const f of run.files) this.byPath.set(f.path, { absPath: f.absPath, migration: f.migration });
    this.cwd = run.cwd;
  }
  private cwd: string;
  rel(displayPath: string): string {
    const abs = this.byPath.get(displayPath)?.absPath ?? path.resolve(this.cwd, displayPath);
    return path.relative(this.dir, abs).split(path.sep).join("/");
  }
  keyed(d: Diagnostic): Keyed {
    const entry = { revision: revisionOf(this.byPath.get(d.path)?.migration), path: this.rel(d.path), code: d.code, fingerprint: stableFingerprint(d.fingerprint) };
    return { key: keyOf(entry), entry };
  }
  /** Ids (revision or path) of the files checked: the migrations the user asked for, and the scripts. */
  scope(run: BaselineRun): Set<string> {
    return new Set([...run.files.map((f) => idOf(revisionOf(f.migration), this.rel(f.path))), ...(run.scripts ?? []).map((p) => idOf(null, this.rel(p)))]);
  }
}

/** The findings of a run as baseline entries (before merging with an older baseline). */
export function collect(run: BaselineRun, baselineFile: string): Map<string, BaselineEntry> {
  const r = new Resolver(run, path.dirname(baselineFile));
  const out = new Map<string, BaselineEntry>();
  for (const d of run.diagnostics) {
    if (!baselinable(d)) continue;
    const { key, entry } = r.keyed(d);
    const e = out.get(key);
    if (e) e.count++;
    else out.set(key, { ...entry, count: 1 });
  }
  return out;
}

export function serialize(b: Baseline): string {
  const entries = [...b.entries].sort(compareEntries).map((e) => ({ revision: e.revision, path: e.path, code: e.code, fingerprint: e.fingerprint, count: e.count }));
  return JSON.stringify({ version: BASELINE_VERSION, entries }, null, 2) + "\n";
}

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.path, b.path) || cmp(a.revision ?? "", b.revision ?? "") || cmp(a.code, b.code) || cmp(a.fingerprint, b.fingerprint);
}

/** Reads and validates a baseline file; `shown` names it in errors (e.g. with where it was configured). */
export function readBaseline(file: string, shown: string): Baseline {
  if (!existsSync(file)) throw new ExitError(`${shown}: baseline file not found (create it with --write-baseline ${path.basename(file)})`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ExitError(`${shown}: ${code ? `cannot read baseline file (${code})` : `not a valid baseline file: ${(err as Error).message}`}`);
  }
  const bad = (what: string): never => {
    throw new ExitError(`${shown}: not a valid baseline file: ${what} (write a new one with --write-baseline)`);
  };
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) bad("expected a JSON object");
  const o = doc as Record<string, unknown>;
  if (o.version !== BASELINE_VERSION) {
    if (typeof o.version === "number") throw new ExitError(`${shown}: unsupported baseline version ${o.version} (this alembic-lint reads and writes version ${BASELINE_VERSION})`);
    bad(`no "version": ${BASELINE_VERSION}`);
  }
  if (!Array.isArray(o.entries)) bad('no "entries" list');
  const entries: BaselineEntry[] = [];
  (o.entries as unknown[]).forEach((e, i) => {
    const x = e as Record<string, unknown>;
    if (typeof x !== "object" || x === null) bad(`entries[${i}] is not an object`);
    if (!(typeof x.revision === "string" || x.revision === null)) bad(`entries[${i}].revision must be a string or null`);
    if (typeof x.path !== "string") bad(`entries[${i}].path must be a string`);
    if (typeof x.code !== "string") bad(`entries[${i}].code must be a string`);
    if (typeof x.fingerprint !== "string") bad(`entries[${i}].fingerprint must be a string`);
    const count = x.count ?? 1;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) bad(`entries[${i}].count must be a positive integer`);
    entries.push({ revision: x.revision as string | null, path: x.path as string, code: x.code as string, fingerprint: x.fingerprint as string, count: count as number });
  });
  return { version: BASELINE_VERSION, entries };
}

export interface ApplyResult {
  /** Findings hidden by the baseline. */
  hidden: number;
  /** Findings recorded in the baseline, in the files and rules of this run, that are gone. */
  stale: number;
}

/**
 * Hides the findings recorded in `baseline` (`suppressed: {kind: "baseline"}`), at most
 * `count` per key, in diagnostic order; every further finding stays.
 */
export function applyBaseline(run: BaselineRun, baseline: Baseline, baselineFile: string): ApplyResult {
  const r = new Resolver(run, path.dirname(baselineFile));
  const remaining = new Map<string, number>();
  for (const e of baseline.entries) remaining.set(keyOf(e), (remaining.get(keyOf(e)) ?? 0) + e.count);
  let hidden = 0;
  for (const d of run.diagnostics) {
    if (!baselinable(d)) continue;
    const { key } = r.keyed(d);
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      remaining.set(key, left - 1);
      d.suppressed = { kind: "baseline", justification: "baseline" };
      hidden++;
    }
  }
  const scope = r.scope(run);
  let stale = 0;
  for (const e of baseline.entries) {
    const left = remaining.get(keyOf(e)) ?? 0;
    if (left > 0 && scope.has(idOf(e.revision, e.path)) && run.activeCodes.has(e.code)) {
      stale += left;
      remaining.set(keyOf(e), 0);
    }
  }
  return { hidden, stale };
}

export interface WriteResult {
  baseline: Baseline;
  findings: number;
  added: number;
  dropped: number;
  /** Findings kept from the old file because their files or rules were not part of this run. */
  kept: number;
}

/**
 * The baseline to write: this run's findings, plus the old file's entries for files and
 * rules this run did not check.
 */
export function updateBaseline(run: BaselineRun, old: Baseline | null, baselineFile: string): WriteResult {
  const r = new Resolver(run, path.dirname(baselineFile));
  const current = collect(run, baselineFile);
  const scope = r.scope(run);
  const merged = new Map(current);
  let added = 0;
  let dropped = 0;
  let kept = 0;
  const oldCounts = new Map<string, number>();
  for (const e of old?.entries ?? []) {
    const key = keyOf(e);
    oldCounts.set(key, (oldCounts.get(key) ?? 0) + e.count);
    const inScope = scope.has(idOf(e.revision, e.path)) && run.activeCodes.has(e.code);
    if (!inScope && !current.has(key)) {
      const m = merged.get(key);
      if (m) m.count += e.count;
      else merged.set(key, { ...e });
      kept += e.count;
    }
  }
  for (const [key, e] of merged) {
    const before = oldCounts.get(key) ?? 0;
    if (e.count > before) added += e.count - before;
    else if (e.count < before) dropped += before - e.count;
  }
  for (const [key, before] of oldCounts) if (!merged.has(key)) dropped += before;
  const baseline: Baseline = { version: BASELINE_VERSION, entries: [...merged.values()] };
  const findings = baseline.entries.reduce((n, e) => n + e.count, 0);
  return { baseline, findings, added, dropped, kept };
}

/**
 * The CLI's baseline step. `write`: record this run's findings in that file (then hide
 * them); else `read`: hide the findings recorded there. Returns lines for stderr.
 */
export function runBaseline(
  run: BaselineRun,
  opts: { read?: { file: string; shown: string }; write?: { file: string; shown: string }; quiet?: boolean; incomplete?: boolean },
): string[] {
  const notes: string[] = [];
  if (opts.write) {
    const { file, shown } = opts.write;
    if (opts.incomplete) {
      // A rule crashed: its findings are missing, and writing would drop their entries.
      notes.push(`not writing ${shown}: some rules failed with internal errors, so the findings are incomplete`);
      return notes;
    }
    let old: Baseline | null = null;
    if (existsSync(file)) {
      try {
        old = readBaseline(file, shown);
      } catch (err) {
        notes.push(`${(err as Error).message}; replacing it`);
      }
    }
    const w = updateBaseline(run, old, file);
    writeAtomically(file, serialize(w.baseline));
    const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
    const delta = old ? ` (${w.added} added, ${w.dropped} dropped${w.kept > 0 ? `, ${w.kept} kept for files or rules not checked in this run` : ""})` : "";
    notes.push(`wrote ${shown}: ${n(w.findings, "finding", "findings")} in ${n(w.baseline.entries.length, "entry", "entries")}${delta}`);
    applyBaseline(run, w.baseline, file);
    return notes;
  }
  if (opts.read) {
    const b = readBaseline(opts.read.file, opts.read.shown);
    const res = applyBaseline(run, b, opts.read.file);
    if (res.stale > 0 && !opts.quiet) {
      notes.push(`${res.stale} finding${res.stale === 1 ? "" : "s"} recorded in ${opts.read.shown} no longer occur${res.stale === 1 ? "s" : ""}; refresh it with --write-baseline`);
    }
  }
  return notes;
}
