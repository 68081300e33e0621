// Configuration: `--config F`, else the nearest `.alembic-lint.toml` or `pyproject.toml`
// with `[tool.alembic-lint]`, walking up from the working directory. Unknown keys,
// unknown rule codes and wrong types are errors that name the file and the key.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { findRule, matchSelector, UsageError } from "./engine/registry.js";
import { DIALECTS, type Dialect, type Level } from "./engine/rule.js";

export class ConfigError extends Error {}

export interface Config {
  /** The file the settings came from, or null. */
  file: string | null;
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  severity?: Record<string, Level>;
  dialect?: Dialect;
  exclude?: string[];
  baseline?: string;
  scripts?: string[];
  /** true: every rule; a list: those rules (codes, names or prefixes). */
  requireReason?: boolean | string[];
  /** Per-rule options by code. */
  ruleOptions: Record<string, Record<string, unknown>>;
}

const LEVELS: readonly Level[] = ["error", "warning", "note", "off"];

const KEYS: Record<string, string> = {
  select: "list of rule codes, names or prefixes",
  "extend-select": "list of rule codes, names or prefixes",
  extend_select: "list of rule codes, names or prefixes",
  ignore: "list of rule codes, names or prefixes",
  severity: 'table of CODE = "error" | "warning" | "note" | "off"',
  dialect: DIALECTS.map((d) => JSON.stringify(d)).join(" | "),
  exclude: "list of glob patterns",
  baseline: "path of a baseline file",
  scripts: "list of glob patterns of scripts checked by ALM010",
  require_reason: "true, false, or a list of rule codes",
  "require-reason": "true, false, or a list of rule codes",
  rules: "table of per-rule option tables, e.g. [tool.alembic-lint.rules.ALM001]",
};

/** Finds the config file for `cwd`, or null. */
export function findConfigFile(cwd: string): string | null {
  for (let dir = path.resolve(cwd); ; ) {
    const dedicated = path.join(dir, ".alembic-lint.toml");
    if (existsSync(dedicated)) return dedicated;
    const pyproject = path.join(dir, "pyproject.toml");
    if (existsSync(pyproject)) {
      const text = safeRead(pyproject);
      if (text !== null && /^\s*\[\s*tool\s*\.\s*(?:"alembic-lint"|alembic-lint)\s*[\].]/m.test(text)) return pyproject;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function safeRead(f: string): string | null {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return null;
  }
}

export async function loadConfig(opts: { configFile?: string | null; noConfig?: boolean; cwd: string }): Promise<Config> {
  if (opts.noConfig) return { file: null, ruleOptions: {} };
  const file = opts.configFile ? path.resolve(opts.cwd, opts.configFile) : findConfigFile(opts.cwd);
  if (!file) return { file: null, ruleOptions: {} };
  const shown = path.relative(opts.cwd, file) || file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`${shown}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const { parse } = await import("smol-toml");
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0];
    throw new ConfigError(`${shown}: invalid TOML: ${msg}`);
  }
  const isPyproject = path.basename(file) === "pyproject.toml";
  let table: unknown = doc;
  let prefix = "";
  if (isPyproject) {
    table = (doc.tool as Record<string, unknown> | undefined)?.["alembic-lint"];
    prefix = "tool.alembic-lint.";
    if (table === undefined) {
      if (opts.configFile) throw new ConfigError(`${shown}: no [tool.alembic-lint] table`);
      return { file: null, ruleOptions: {} };
    }
  } else if (doc["tool"] && typeof doc["tool"] === "object" && (doc["tool"] as Record<string, unknown>)["alembic-lint"]) {
    // Accept a dedicated file written with the pyproject table name.
    table = (doc["tool"] as Record<string, unknown>)["alembic-lint"];
    prefix = "tool.alembic-lint.";
  }
  return validate(table, shown, prefix, file);
}

function validate(table: unknown, shown: string, prefix: string, file: string): Config {
  const cfg: Config = { file, ruleOptions: {} };
  if (!isTable(table)) throw new ConfigError(`${shown}: [${prefix.replace(/\.$/, "") || "root"}] must be a table`);
  const fail = (key: string, what: string): never => {
    throw new ConfigError(`${shown}: ${prefix}${key}: ${what}`);
  };
  const selectors = (key: string, v: unknown): string[] => {
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) fail(key, `expected ${KEYS[key]}, got ${describe(v)}`);
    for (const s of list as string[]) {
      try {
        matchSelector(s);
      } catch (err) {
        fail(key, (err as Error).message);
      }
    }
    return list as string[];
  };
  const globs = (key: string, v: unknown): string[] => {
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) fail(key, `expected ${KEYS[key]}, got ${describe(v)}`);
    return list as string[];
  };
  for (const [key, v] of Object.entries(table)) {
    switch (key) {
      case "select":
        cfg.select = selectors(key, v);
        break;
      case "extend-select":
      case "extend_select":
        cfg.extendSelect = selectors(key, v);
        break;
      case "ignore":
        cfg.ignore = selectors(key, v);
        break;
      case "severity": {
        if (!isTable(v)) fail(key, `expected ${KEYS[key]}, got ${describe(v)}`);
        const sev: Record<string, Level> = {};
        for (const [code, level] of Object.entries(v as Record<string, unknown>)) {
          try {
            matchSelector(code);
          } catch (err) {
            fail(`${key}.${code}`, (err as Error).message);
          }
          if (typeof level !== "string" || !LEVELS.includes(level as Level)) fail(`${key}.${code}`, `expected one of ${LEVELS.map((l) => JSON.stringify(l)).join(", ")}, got ${describe(level)}`);
          sev[code] = level as Level;
        }
        cfg.severity = sev;
        break;
      }
      case "dialect":
        if (typeof v !== "string" || !DIALECTS.includes(v as Dialect)) fail(key, `expected ${KEYS[key]}, got ${describe(v)}`);
        cfg.dialect = v as Dialect;
        break;
      case "exclude":
        cfg.exclude = globs(key, v);
        break;
      case "scripts":
        cfg.scripts = globs(key, v);
        break;
      case "baseline":
        if (typeof v !== "string") fail(key, `expected ${KEYS[key]}, got ${describe(v)}`);
        cfg.baseline = path.resolve(path.dirname(file), v as string);
        break;
      case "require_reason":
      case "require-reason":
        if (typeof v === "boolean") cfg.requireReason = v;
        else cfg.requireReason = selectors(key, v);
        break;
      case "rules": {
        if (!isTable(v)) fail(key, `expected ${KEYS[key]}, got ${describe(v)}`);
        for (const [code, opts] of Object.entries(v as Record<string, unknown>)) {
          const rule = findRule(code);
          if (!rule) fail(`${key}.${code}`, `unknown rule (expected a code like ALM001 or a rule name)`);
          if (!isTable(opts)) fail(`${key}.${code}`, `expected a table of options, got ${describe(opts)}`);
          const known = rule!.meta.options ?? {};
          const out: Record<string, unknown> = {};
          for (const [name, value] of Object.entries(opts as Record<string, unknown>)) {
            if (name === "severity") {
              if (typeof value !== "string" || !LEVELS.includes(value as Level)) fail(`${key}.${code}.${name}`, `expected one of ${LEVELS.join(", ")}`);
              (cfg.severity ??= {})[rule!.meta.code] = value as Level;
              continue;
            }
            if (name === "require_reason" || name === "require-reason") {
              if (typeof value !== "boolean") fail(`${key}.${code}.${name}`, `expected true or false, got ${describe(value)}`);
              if (value) cfg.requireReason = cfg.requireReason === true ? true : [...(Array.isArray(cfg.requireReason) ? cfg.requireReason : []), rule!.meta.code];
              continue;
            }
            const spec = known[name];
            if (!spec) {
              const allowed = ["severity", "require_reason", ...Object.keys(known)].join(", ");
              fail(`${key}.${code}.${name}`, `unknown option for ${rule!.meta.code} (allowed: ${allowed})`);
            }
            const ok = spec!.type === "string[]" ? Array.isArray(value) && value.every((x) => typeof x === "string") : typeof value === spec!.type;
            if (!ok) fail(`${key}.${code}.${name}`, `expected ${spec!.type}, got ${describe(value)}`);
            out[name] = value;
          }
          cfg.ruleOptions[rule!.meta.code] = { ...(cfg.ruleOptions[rule!.meta.code] ?? {}), ...out };
        }
        break;
      }
      default:
        fail(key, `unknown key (allowed: ${Object.keys(KEYS).filter((k) => !k.includes("_") || k === "require_reason").join(", ")})`);
    }
  }
  return cfg;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null || v === undefined) return "nothing";
  if (isTable(v)) return "a table";
  return `${typeof v} ${JSON.stringify(v)}`;
}

export { UsageError };
