// SARIF 2.1.0 for GitHub code scanning and the SARIF viewers of VS Code and Visual
// Studio. Everything comes from the rule metadata and the diagnostics; the output is
// deterministic for a given checkout (no timestamps, sorted results).
//
// What GitHub reads (and rejects) is summarised in the reference notes
// (sarif-and-integrations.md §1): one run, tool.driver.name + rules[] with short and
// full descriptions and help, results with message, exactly one location with a
// full 1-based region, a `results` array even when empty, at most 25,000 results.
import { pathToFileURL } from "node:url";
import type { Diagnostic, Fix, Rule, Severity } from "../engine/rule.js";
import type { Span } from "../model.js";
import { allRules } from "../engine/registry.js";
import { ruleMarkdown, ruleText } from "../docs.js";
import { HOMEPAGE, ruleHelpUri } from "../meta.js";
import { encodeRelativeUri, outsideRoot, projectRoot, rootRelative } from "./paths.js";
import type { ReportInput } from "./types.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
/** GitHub rejects a run with more results than this. */
export const MAX_RESULTS = 25_000;
const MAX_DESCRIPTION = 1024;
const SRCROOT = "%SRCROOT%";

const PROBLEM_SEVERITY: Record<Severity, string> = { error: "error", warning: "warning", note: "recommendation" };
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

// A small subset of the SARIF object model, enough to keep this file honest.
interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface SarifArtifactLocation {
  uri: string;
  uriBaseId: string;
}
interface SarifLocation {
  id?: number;
  physicalLocation: { artifactLocation: SarifArtifactLocation; region: SarifRegion };
  message?: { text: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Severity;
  message: { text: string };
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
  fixes?: unknown[];
  suppressions: { kind: "inSource"; justification?: string }[];
}

function plain(markdown: string): string {
  return markdown
    .replace(/```[a-z]*\n?/g, "")
    .replace(/`/g, "")
    .replace(/\*\*/g, "")
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1 ($2)")
    .trim();
}

function clip(text: string, max = MAX_DESCRIPTION): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return (space > max / 2 ? cut.slice(0, space) : cut) + "…";
}

function ensureSentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** reportingDescriptor for one rule at the level this run applies. */
function descriptor(rule: Rule, level: Severity): Record<string, unknown> {
  const m = rule.meta;
  const helpUri = ruleHelpUri(m.code, m.name);
  const rationale = m.docs.rationale.trim();
  const properties: Record<string, unknown> = { tags: [m.category] };
  if (m.precision) properties.precision = m.precision;
  properties["problem.severity"] = PROBLEM_SEVERITY[level];
  return {
    id: m.code,
    name: m.name,
    shortDescription: { text: clip(ensureSentence(m.docs.summary)) },
    fullDescription: { text: clip(plain(rationale) || ensureSentence(m.docs.summary)), markdown: rationale || ensureSentence(m.docs.summary) },
    help: {
      text: `${ruleText(rule).trimEnd()}\n\nDocumentation: ${helpUri}`,
      markdown: `${ruleMarkdown(rule, 2)}\n\n[Documentation of ${m.code} ${m.name}](${helpUri})`,
    },
    helpUri,
    defaultConfiguration: { level },
    properties,
  };
}

/** A descriptor for a code that no registered rule has (should not happen). */
function unknownDescriptor(code: string, name: string, level: Severity): Record<string, unknown> {
  return {
    id: code,
    name,
    shortDescription: { text: `${code} ${name}.` },
    fullDescription: { text: `${code} ${name}: see the documentation.` },
    help: { text: `See ${HOMEPAGE}.`, markdown: `See [the documentation](${HOMEPAGE}).` },
    helpUri: HOMEPAGE,
    defaultConfiguration: { level },
    properties: { tags: ["tool"], "problem.severity": PROBLEM_SEVERITY[level] },
  };
}

/** Start offset of each line (LF, CRLF and CR end a line, as in SARIF §3.30.2). */
function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (source.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

class SourceMap {
  readonly starts: number[];
  constructor(readonly source: string) {
    this.starts = lineStarts(source);
  }
  /** 1-based line and UTF-16 column of a JS string offset. */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.source.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo]! + 1 };
  }
  /** Length of a 1-based line without its terminator. */
  lineLength(line: number): number | undefined {
    const start = this.starts[line - 1];
    if (start === undefined) return undefined;
    const next = this.starts[line];
    let end = next ?? this.source.length;
    if (next !== undefined) {
      if (this.source.charCodeAt(end - 1) === 10) end--;
      if (this.source.charCodeAt(end - 1) === 13) end--;
    }
    return end - start;
  }
}

/** A full, valid 1-based region; an empty span is widened to the rest of its line. */
export function toRegion(span: Span, src?: SourceMap): SarifRegion {
  const startLine = Math.max(1, Math.floor(span.line) || 1);
  const startColumn = Math.max(1, Math.floor(span.column) || 1);
  let endLine = Math.max(startLine, Math.floor(span.endLine) || startLine);
  let endColumn = Math.max(1, Math.floor(span.endColumn) || 1);
  if (endLine === startLine && endColumn < startColumn) endColumn = startColumn;
  if (endLine === startLine && endColumn === startColumn && src) {
    const len = src.lineLength(startLine);
    if (len !== undefined && len + 1 > startColumn) endColumn = len + 1;
  }
  if (endLine < startLine) endLine = startLine;
  return { startLine, startColumn, endLine, endColumn };
}

function compareResults(a: SarifResult, b: SarifResult): number {
  const la = a.locations[0]!.physicalLocation;
  const lb = b.locations[0]!.physicalLocation;
  const ua = la.artifactLocation.uri;
  const ub = lb.artifactLocation.uri;
  if (ua !== ub) return ua < ub ? -1 : 1;
  return (
    la.region.startLine - lb.region.startLine ||
    la.region.startColumn - lb.region.startColumn ||
    la.region.endLine - lb.region.endLine ||
    la.region.endColumn - lb.region.endColumn ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.message.text < b.message.text ? -1 : a.message.text > b.message.text ? 1 : 0)
  );
}

export default function sarif(input: ReportInput): string {
  const root = projectRoot(input.cwd);
  const sources = new Map<string, SourceMap | null>();
  for (const f of input.files) sources.set(f.path, f.source === null ? null : new SourceMap(f.source));
  const sourceOf = (p: string) => sources.get(p) ?? undefined;

  const outside = new Set<string>();
  const artifact = (p: string): SarifArtifactLocation => {
    const rel = rootRelative(p, input.cwd, root);
    if (outsideRoot(rel)) outside.add(rel);
    return { uri: encodeRelativeUri(rel), uriBaseId: SRCROOT };
  };

  // rules[]: the active rules, in code order, plus any rule a finding names that is
  // not among them (ALM900 is always on, but be robust).
  const levels = new Map<string, Severity>();
  const ruleByCode = new Map<string, Rule>();
  for (const a of input.rules) {
    levels.set(a.rule.meta.code, a.severity);
    ruleByCode.set(a.rule.meta.code, a.rule);
  }
  // Baseline-hidden findings are known debt the user chose not to see: leave them out.
  const diagnostics = input.diagnostics.filter((d) => d.suppressed?.kind !== "baseline");
  const extra = new Map<string, Diagnostic>();
  for (const d of diagnostics) if (!ruleByCode.has(d.code) && !extra.has(d.code)) extra.set(d.code, d);
  const codes = [...new Set([...ruleByCode.keys(), ...extra.keys()])].sort();
  const rules = codes.map((code) => {
    const rule = ruleByCode.get(code) ?? allRules.find((r) => r.meta.code === code);
    const e = extra.get(code);
    const level = levels.get(code) ?? e?.severity ?? rule?.meta.severity ?? "warning";
    return rule ? descriptor(rule, level) : unknownDescriptor(code, e?.name ?? code, level);
  });
  const ruleIndex = new Map(codes.map((c, i) => [c, i]));

  let results: SarifResult[] = diagnostics.map((d) => {
    const src = sourceOf(d.path);
    const result: SarifResult = {
      ruleId: d.code,
      ruleIndex: ruleIndex.get(d.code)!,
      level: d.severity,
      message: { text: d.message },
      locations: [{ physicalLocation: { artifactLocation: artifact(d.path), region: toRegion(d.span, src) } }],
      // SARIF §3.27.23: present on every result or on none; [] means "not suppressed".
      suppressions: d.suppressed ? [{ kind: "inSource", ...(d.suppressed.justification ? { justification: d.suppressed.justification } : {}) }] : [],
    };
    if (d.related.length > 0) {
      result.relatedLocations = d.related.map((r, i) => {
        const p = r.path ?? d.path;
        return {
          id: i + 1,
          physicalLocation: { artifactLocation: artifact(p), region: toRegion(r.span, sourceOf(p)) },
          message: { text: r.message },
        };
      });
    }
    if (d.fix && src) {
      const fix = sarifFix(d.fix, artifact(d.path), src);
      if (fix) result.fixes = [fix];
    }
    return result;
  });

  const notifications: unknown[] = [];
  if (results.length > MAX_RESULTS) {
    const total = results.length;
    // Keep the most severe ones, as GitHub would when it displays a capped run.
    results = [...results]
      .sort((a, b) => SEVERITY_RANK[a.level] - SEVERITY_RANK[b.level] || compareResults(a, b))
      .slice(0, MAX_RESULTS);
    const text = `SARIF output cut to ${MAX_RESULTS} of ${total} results (the most severe first): GitHub code scanning rejects a run with more than ${MAX_RESULTS} results. Use --format json for the full list, or fix or baseline some findings.`;
    input.warn(text);
    notifications.push({ level: "warning", message: { text } });
  }
  results.sort(compareResults);

  if (outside.size > 0) {
    input.warn(
      `${outside.size} reported file(s) lie outside ${root} (e.g. ${[...outside].sort()[0]}); their SARIF URIs start with ../ and GitHub code scanning cannot show them. Run alembic-lint from the repository root.`,
    );
  }

  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: "alembic-lint",
        semanticVersion: input.toolVersion,
        informationUri: HOMEPAGE,
        rules,
      },
    },
  };
  if (input.sarifCategory !== undefined && input.sarifCategory !== "") {
    run.automationDetails = { id: automationId(input.sarifCategory) };
  }
  run.invocations = [
    {
      executionSuccessful: input.executionSuccessful,
      ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
    },
  ];
  run.originalUriBaseIds = { [SRCROOT]: { uri: rootUri(root) } };
  run.results = results;
  run.columnKind = "utf16CodeUnits";

  const log = { $schema: SARIF_SCHEMA, version: "2.1.0", runs: [run] };
  return JSON.stringify(log, null, 2) + "\n";
}

/**
 * `automationDetails.id` is read as `category/run-id`. A bare name is a category, as
 * with upload-sarif's `category:` input (which appends the `/` the same way).
 */
export function automationId(category: string): string {
  return category.includes("/") ? category : `${category}/`;
}

/** `file:///abs/root/`: absolute, percent-encoded, ending with exactly one `/`. */
export function rootUri(root: string): string {
  const href = pathToFileURL(root).href;
  return href.endsWith("/") ? href : `${href}/`;
}

function sarifFix(fix: Fix, location: SarifArtifactLocation, src: SourceMap): unknown {
  const edits = [...fix.edits].sort((a, b) => a.start - b.start || a.end - b.end);
  if (edits.length === 0) return undefined;
  const replacements = edits.map((e) => {
    const s = src.position(e.start);
    const t = src.position(Math.max(e.start, e.end));
    return {
      deletedRegion: { startLine: s.line, startColumn: s.column, endLine: t.line, endColumn: t.column },
      ...(e.text !== "" ? { insertedContent: { text: e.text } } : {}),
    };
  });
  return {
    description: { text: fix.description },
    artifactChanges: [{ artifactLocation: location, replacements }],
  };
}
