// Rule documentation rendered from rule metadata: `explain`, the README rule table
// and reference, and SARIF help. Metadata is the only source.
import type { Rule } from "./engine/rule.js";
import { ruleAnchor } from "./meta.js";

const CATEGORY_TITLES: Record<string, string> = {
  "revision-graph": "Revision graph",
  reversibility: "Reversibility",
  ordering: "Ordering",
  "data-loss": "Data loss",
  "online-safety": "Online safety",
  tool: "The tool itself",
};

function defaultLevel(r: Rule): string {
  if (r.meta.optIn) return `${r.meta.severity} (opt-in)`;
  if (r.meta.alwaysOn) return `${r.meta.severity} (always on)`;
  return r.meta.severity;
}

function asFiles(example: string | Record<string, string>): [string, string][] {
  return typeof example === "string" ? [["", example]] : Object.entries(example);
}

function codeBlocks(example: string | Record<string, string>): string {
  return asFiles(example)
    .map(([file, text]) => `${file ? `\`${file}\`:\n\n` : ""}\`\`\`python\n${text.replace(/\n+$/, "")}\n\`\`\``)
    .join("\n\n");
}

/** Markdown help for one rule (SARIF `help.markdown`, README reference). */
export function ruleMarkdown(r: Rule, headingLevel = 3): string {
  const h = "#".repeat(headingLevel);
  const m = r.meta;
  const parts = [
    `${h} ${m.code} ${m.name}`,
    "",
    `**${m.docs.summary}.** Default: ${defaultLevel(r)}. Category: ${CATEGORY_TITLES[m.category] ?? m.category}.${m.fixable ? " Fixable with `--fix`." : ""}`,
    "",
    m.docs.rationale,
  ];
  if (m.docs.peers) parts.push("", `Equivalent checks elsewhere: ${m.docs.peers}`);
  if (m.options && Object.keys(m.options).length > 0) {
    parts.push("", "Options (`[tool.alembic-lint.rules." + m.code + "]`):", "");
    for (const [k, o] of Object.entries(m.options)) parts.push(`- \`${k}\` (${o.type}, default \`${JSON.stringify(o.default)}\`): ${o.description}`);
  }
  if (m.docs.bad) parts.push("", "Flagged:", "", codeBlocks(m.docs.bad));
  if (m.docs.good) parts.push("", "Instead:", "", codeBlocks(m.docs.good));
  return parts.join("\n");
}

/** Plain text for `alembic-lint explain`. */
export function ruleText(r: Rule): string {
  const m = r.meta;
  const lines = [
    `${m.code} ${m.name} (${defaultLevel(r)}, ${CATEGORY_TITLES[m.category] ?? m.category})`,
    "",
    `${m.docs.summary}.`,
    "",
    m.docs.rationale.replace(/`/g, ""),
  ];
  if (m.docs.peers) lines.push("", `Equivalent checks elsewhere: ${m.docs.peers.replace(/`/g, "")}`);
  if (m.options) for (const [k, o] of Object.entries(m.options)) lines.push("", `Option ${k} (${o.type}, default ${JSON.stringify(o.default)}): ${o.description}`);
  const indent = (t: string) => t.replace(/\n+$/, "").split("\n").map((l) => `    ${l}`).join("\n");
  if (m.docs.bad) lines.push("", "Flagged:", "", ...asFiles(m.docs.bad).map(([f, t]) => (f ? `  ${f}:\n` : "") + indent(t)));
  if (m.docs.good) lines.push("", "Instead:", "", ...asFiles(m.docs.good).map(([f, t]) => (f ? `  ${f}:\n` : "") + indent(t)));
  return lines.join("\n") + "\n";
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The README rule table (between `<!-- rules:start -->` and `<!-- rules:end -->`). */
export function rulesTable(rules: Rule[]): string {
  const rows = ["| Code | Name | Default | What it finds | Equivalent in squawk / strong_migrations |", "|---|---|---|---|---|"];
  for (const r of rules) {
    const m = r.meta;
    rows.push(`| [${m.code}](#${ruleAnchor(m.code, m.name)}) | \`${m.name}\` | ${defaultLevel(r)} | ${cell(m.docs.summary)} | ${m.docs.peers ? cell(m.docs.peers) : ""} |`);
  }
  return rows.join("\n");
}

/** The README rule reference (between `<!-- rule-docs:start -->` and `<!-- rule-docs:end -->`). */
export function rulesReference(rules: Rule[]): string {
  return rules.map((r) => ruleMarkdown(r, 3)).join("\n\n");
}

export function replaceBlock(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${start} ... ${end} block`);
  return `${text.slice(0, i + start.length)}\n${content}\n${text.slice(j)}`;
}

/** The README with its generated blocks brought up to date. */
export function renderReadme(readme: string, rules: Rule[]): string {
  return replaceBlock(replaceBlock(readme, "rules", rulesTable(rules)), "rule-docs", rulesReference(rules));
}
