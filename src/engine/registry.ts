// Rule lookup and selection, ruff-style: codes, names, code prefixes and ALL.
import { allRules } from "../../rules/index.js";
import type { Level, Rule, Severity } from "./rule.js";

export { allRules };

export class UsageError extends Error {}

export function findRule(codeOrName: string): Rule | undefined {
  const key = codeOrName.trim();
  const upper = key.toUpperCase();
  return allRules.find((r) => r.meta.code === upper || r.meta.name === key.toLowerCase());
}

/** Rules matched by one selector: a code, a name, a code prefix (`ALM1`) or `ALL`. */
export function matchSelector(selector: string): Rule[] {
  const s = selector.trim();
  if (s === "") return [];
  if (s.toUpperCase() === "ALL") return [...allRules];
  const exact = findRule(s);
  if (exact) return [exact];
  const upper = s.toUpperCase();
  if (/^ALM\d{0,3}$/.test(upper)) {
    const matched = allRules.filter((r) => r.meta.code.startsWith(upper));
    if (matched.length > 0) return matched;
  }
  throw new UsageError(`unknown rule selector ${JSON.stringify(selector)} (expected a code like ALM104, a name like unreversed-operation, a prefix like ALM1, or ALL)`);
}

export interface Selection {
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  severity?: Record<string, Level>;
}

export interface ActiveRule {
  rule: Rule;
  severity: Severity;
}

/**
 * Which rules run and at what level. Default: every rule not marked opt-in.
 * `select` replaces the default set; `ignore` removes; `severity` overrides levels
 * (`off` disables). Rules marked alwaysOn (ALM900) cannot be removed.
 */
export function resolveSelection(sel: Selection): ActiveRule[] {
  let chosen: Set<Rule>;
  if (sel.select && sel.select.length > 0) {
    chosen = new Set(sel.select.flatMap(matchSelector));
  } else {
    chosen = new Set(allRules.filter((r) => !r.meta.optIn));
  }
  for (const s of sel.extendSelect ?? []) for (const r of matchSelector(s)) chosen.add(r);
  for (const s of sel.ignore ?? []) for (const r of matchSelector(s)) chosen.delete(r);
  const levels = new Map<Rule, Level>();
  for (const [key, level] of Object.entries(sel.severity ?? {})) {
    for (const r of matchSelector(key)) levels.set(r, level);
  }
  const out: ActiveRule[] = [];
  for (const r of allRules) {
    const level = levels.get(r);
    if (r.meta.alwaysOn) {
      out.push({ rule: r, severity: level && level !== "off" ? level : r.meta.severity });
      continue;
    }
    if (level === "off") continue;
    if (!chosen.has(r) && !(level && sel.severity && Object.keys(sel.severity).some((k) => findRule(k) === r))) continue;
    out.push({ rule: r, severity: level ?? r.meta.severity });
  }
  return out;
}
