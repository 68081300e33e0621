// Configuration.
//
// Discovery (when neither `--config F` nor `--no-config` is given): walk up from the
// working directory; in each directory, `.alembic-lint.toml` wins over a
// `pyproject.toml` that has a `[tool.alembic-lint]` table (ruff's and ty's convention:
// the dedicated file wins; a warning says the other one is ignored). A `pyproject.toml`
// without that table is skipped and the walk goes on. The nearest file wins; files are
// never merged.
//
// A dedicated file holds the keys at its top level (it may also wrap them in a single
// `[tool.alembic-lint]` table, so a section can be moved out of pyproject.toml as is).
//
// Unknown keys, unknown rule codes and values of the wrong type are errors
// (ConfigError, exit 2) whose one-line message names the file, the key and what is
// allowed. Nothing is silently ignored.
//
// Relative paths and globs (`baseline`, `exclude`, `scripts`) are relative to the
// directory of the config file (ruff's convention), and are returned absolute.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { allRules, findRule, matchSelector, UsageError, type Selection } from "./engine/registry.js";
import { DIALECTS, type Dialect, type Level } from "./engine/rule.js";

export class ConfigError extends Error {}

export interface Config {
  /** The file the settings came from (absolute), or null. */
  file: string | null;
  /** The file as shown in messages (relative to the working directory). */
  shown: string | null;
  /** `tool.alembic-lint.` in pyproject.toml, "" in a dedicated file. */
  keyPrefix: string;
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  severity?: Record<string, Level>;
  dialect?: Dialect;
  /** Absolute glob patterns. */
  exclude?: string[];
  /** Absolute path of the baseline file. */
  baseline?: string;
  /** Absolute glob patterns of scripts checked by ALM010. */
  scripts?: string[];
  /**
   * Rules whose suppressions must give a reason, as canonical codes (`true` in the
   * file becomes every code; per-rule `require_reason` adds or removes one).
   */
  requireReason?: string[];
  /** Per-rule options by code. */
  ruleOptions: Record<string, Record<string, unknown>>;
  /** Things worth telling the user that are not errors (printed on stderr). */
  warnings: string[];
}

const LEVELS: readonly Level[] = ["error", "warning", "note", "off"];
const LEVELS_TEXT = LEVELS.map((l) => JSON.stringify(l)).join(", ");
const SELECTORS = "a list of rule codes, names or prefixes (e.g. [\"ALM1\", \"ALM302\", \"unreversed-operation\"], or [\"ALL\"])";

/** Canonical key → what it takes. Aliases map to a canonical key. */
const KEYS: Record<string, string> = {
  select: SELECTORS,
  "extend-select": SELECTORS,
  ignore: SELECTORS,
  severity: `a table of CODE = ${LEVELS.map((l) => JSON.stringify(l)).join(" | ")}`,
  dialect: `one of ${DIALECTS.map((d) => JSON.stringify(d)).join(", ")}`,
  exclude: "a list of glob patterns (relative to the config file)",
  baseline: "the path of a baseline file (relative to the config file)",
  scripts: "a list of glob patterns of scripts checked by ALM010 (relative to the config file)",
  require_reason: "true, false, or a list of rule codes, names or prefixes",
  rules: "a table of per-rule tables, e.g. [tool.alembic-lint.rules.ALM001]",
};
const ALIASES: Record<string, string> = { extend_select: "extend-select", "require-reason": "require_reason" };

const DEDICATED = ".alembic-lint.toml";

const EMPTY = (): Config => ({ file: null, shown: null, keyPrefix: "", ruleOptions: {}, warnings: [] });

export interface Found {
  file: string;
  /** Another config file in the same directory that is ignored. */
  shadowed?: string;
}

/**
 * The config file for `cwd`: the nearest directory (walking up) with `.alembic-lint.toml`
 * or a `pyproject.toml` that has a `[tool.alembic-lint]` table. Null when none.
 */
export function findConfigFile(cwd: string): Found | null {
  for (let dir = path.resolve(cwd); ; ) {
    const dedicated = path.join(dir, DEDICATED);
    const pyproject = path.join(dir, "pyproject.toml");
    const pyHas = isFile(pyproject) && pyprojectMentionsUs(pyproject);
    if (isFile(dedicated)) return pyHas ? { file: dedicated, shadowed: pyproject } : { file: dedicated };
    if (pyHas) return { file: pyproject };
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isFile(f: string): boolean {
  try {
    return existsSync(f) && statSync(f).isFile();
  } catch {
    return false;
  }
}

/**
 * Does this pyproject.toml have a [tool.alembic-lint] table? A file that does not parse
 * counts as ours when its text mentions alembic-lint (loading it then reports the error).
 */
function pyprojectMentionsUs(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return false;
  }
  if (!text.includes("alembic-lint")) return false;
  try {
    const tool = (parseToml(text) as Record<string, unknown>)["tool"];
    return isTable(tool) && tool["alembic-lint"] !== undefined;
  } catch {
    return true;
  }
}

export async function loadConfig(opts: { configFile?: string | null; noConfig?: boolean; cwd: string }): Promise<Config> {
  if (opts.noConfig && opts.configFile) throw new ConfigError("--config and --no-config cannot be used together");
  if (opts.noConfig) return EMPTY();
  const show = (f: string) => {
    const rel = path.relative(opts.cwd, f);
    return (rel === "" ? f : rel.split(path.sep).length > 4 && rel.startsWith("..") ? f : rel).split(path.sep).join("/");
  };
  if (opts.configFile) {
    const file = path.resolve(opts.cwd, opts.configFile);
    if (!existsSync(file)) throw new ConfigError(`--config ${opts.configFile}: file not found`);
    const cfg = await loadFile(file, show(file), true);
    return cfg ?? EMPTY();
  }
  const found = findConfigFile(opts.cwd);
  if (!found) return EMPTY();
  const cfg = (await loadFile(found.file, show(found.file), false)) ?? EMPTY();
  if (found.shadowed) cfg.warnings.push(`${show(found.shadowed)} also has a [tool.alembic-lint] table; it is ignored because ${show(found.file)} takes precedence`);
  return cfg;
}

/** Parses and validates one file; null for a discovered pyproject.toml without our table. */
async function loadFile(file: string, shown: string, explicit: boolean): Promise<Config | null> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${shown}: cannot read config file (${code === "EISDIR" ? "it is a directory" : code ?? (err as Error).message})`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error & { line?: number; column?: number };
    const msg = e.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
    const where = e.line ? `:${e.line}${e.column ? `:${e.column}` : ""}` : "";
    throw new ConfigError(`${shown}${where}: invalid TOML: ${msg}`);
  }
  const isPyproject = path.basename(file) === "pyproject.toml";
  let table: unknown = doc;
  let prefix = "";
  if (isPyproject) {
    const tool = doc["tool"];
    table = isTable(tool) ? tool["alembic-lint"] : undefined;
    prefix = "tool.alembic-lint.";
    if (table === undefined) {
      if (explicit) throw new ConfigError(`${shown}: no [tool.alembic-lint] table (pass a file with one, or a dedicated ${DEDICATED})`);
      return null;
    }
  } else {
    const tool = doc["tool"];
    if (Object.keys(doc).length === 1 && isTable(tool) && Object.keys(tool).length === 1 && "alembic-lint" in tool) {
      // A dedicated file written with the pyproject table name.
      table = tool["alembic-lint"];
      prefix = "tool.alembic-lint.";
    }
  }
  return validate(table, shown, prefix, file);
}

/** Validates the settings table of `file` (shown as `shown`; keys prefixed with `prefix`). */
export function validate(table: unknown, shown: string, prefix: string, file: string): Config {
  const cfg: Config = { ...EMPTY(), file, shown, keyPrefix: prefix };
  const dir = path.dirname(file);
  const tableName = prefix.replace(/\.$/, "");
  if (!isTable(table)) throw new ConfigError(`${shown}: ${tableName || "the file"} must be a table, got ${describe(table)}`);
  const fail = (key: string, what: string): never => {
    throw new ConfigError(`${shown}: ${prefix}${key}: ${what}`);
  };
  const expected = (key: string, v: unknown): never => fail(key, `expected ${KEYS[ALIASES[key] ?? key] ?? key}, got ${describe(v)}`);
  const selectors = (key: string, v: unknown, what = KEYS[ALIASES[key] ?? key]): string[] => {
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) fail(key, `expected ${what}, got ${describe(v)}`);
    (list as string[]).forEach((s, i) => {
      try {
        if (s.trim() === "") throw new UsageError("empty rule selector");
        matchSelector(s);
      } catch (err) {
        fail(Array.isArray(v) ? `${key}[${i}]` : key, `${(err as Error).message}; see \`alembic-lint rules\``);
      }
    });
    return list as string[];
  };
  const globs = (key: string, v: unknown, anyDepth: boolean): string[] => {
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string" && x.trim() !== "")) expected(key, v);
    return (list as string[]).map((g) => anchorGlob(g, dir, anyDepth));
  };

  const seen = new Map<string, string>();
  let globalReason: string[] | undefined;
  const perRuleReason = new Map<string, boolean>();
  for (const [rawKey, v] of Object.entries(table)) {
    const key = ALIASES[rawKey] ?? rawKey;
    if (seen.has(key)) fail(rawKey, `given twice (also as ${prefix}${seen.get(key)})`);
    seen.set(key, rawKey);
    switch (key) {
      case "select":
        cfg.select = selectors(rawKey, v);
        break;
      case "extend-select":
        cfg.extendSelect = selectors(rawKey, v);
        break;
      case "ignore":
        cfg.ignore = selectors(rawKey, v);
        break;
      case "severity": {
        if (!isTable(v)) expected(rawKey, v);
        const sev: Record<string, Level> = {};
        for (const [code, level] of Object.entries(v as Record<string, unknown>)) {
          try {
            matchSelector(code);
          } catch (err) {
            fail(`${rawKey}.${code}`, `${(err as Error).message}; see \`alembic-lint rules\``);
          }
          if (typeof level !== "string" || !LEVELS.includes(level as Level)) fail(`${rawKey}.${code}`, `expected one of ${LEVELS_TEXT}, got ${describe(level)}`);
          sev[code] = level as Level;
        }
        cfg.severity = { ...(cfg.severity ?? {}), ...sev };
        break;
      }
      case "dialect":
        if (typeof v !== "string" || !DIALECTS.includes(v as Dialect)) expected(rawKey, v);
        cfg.dialect = v as Dialect;
        break;
      case "exclude":
        cfg.exclude = globs(rawKey, v, true);
        break;
      case "scripts":
        cfg.scripts = globs(rawKey, v, false);
        break;
      case "baseline":
        if (typeof v !== "string" || v.trim() === "") expected(rawKey, v);
        cfg.baseline = path.resolve(dir, v as string);
        break;
      case "require_reason":
        if (typeof v === "boolean") globalReason = v ? allRules.map((r) => r.meta.code) : [];
        else globalReason = selectors(rawKey, v, KEYS.require_reason).flatMap((s) => matchSelector(s).map((r) => r.meta.code));
        break;
      case "rules": {
        if (!isTable(v)) expected(rawKey, v);
        for (const [code, opts] of Object.entries(v as Record<string, unknown>)) {
          const rule = findRule(code);
          if (!rule) fail(`${rawKey}.${code}`, `unknown rule ${JSON.stringify(code)} (expected a rule code like ALM001 or a rule name; see \`alembic-lint rules\`)`);
          const c = rule!.meta.code;
          if (!isTable(opts)) fail(`${rawKey}.${code}`, `expected a table of options for ${c}, got ${describe(opts)}`);
          const known = rule!.meta.options ?? {};
          const allowed = ["severity", "require_reason", ...Object.keys(known)].join(", ");
          const out: Record<string, unknown> = {};
          for (const [name, value] of Object.entries(opts as Record<string, unknown>)) {
            const where = `${rawKey}.${code}.${name}`;
            if (name === "severity") {
              if (typeof value !== "string" || !LEVELS.includes(value as Level)) fail(where, `expected one of ${LEVELS_TEXT}, got ${describe(value)}`);
              (cfg.severity ??= {})[c] = value as Level;
              continue;
            }
            if (name === "require_reason" || name === "require-reason") {
              if (typeof value !== "boolean") fail(where, `expected true or false, got ${describe(value)}`);
              perRuleReason.set(c, value as boolean);
              continue;
            }
            const spec = known[name];
            if (!spec) fail(where, `unknown option for ${c} (allowed: ${allowed})${suggest(name, ["severity", "require_reason", ...Object.keys(known)])}`);
            const ok = spec!.type === "string[]" ? Array.isArray(value) && value.every((x) => typeof x === "string") : typeof value === spec!.type && !(spec!.type === "number" && !Number.isFinite(value));
            if (!ok) fail(where, `expected ${TYPE_TEXT[spec!.type]}, got ${describe(value)}`);
            out[name] = value;
          }
          cfg.ruleOptions[c] = { ...(cfg.ruleOptions[c] ?? {}), ...out };
        }
        break;
      }
      default: {
        const allowed = Object.keys(KEYS);
        fail(rawKey, `unknown key (allowed: ${allowed.join(", ")})${suggest(rawKey, [...allowed, ...Object.keys(ALIASES)])}`);
      }
    }
  }
  if (globalReason !== undefined || perRuleReason.size > 0) {
    const set = new Set(globalReason ?? []);
    for (const [c, on] of perRuleReason) {
      if (on) set.add(c);
      else set.delete(c);
    }
    cfg.requireReason = allRules.map((r) => r.meta.code).filter((c) => set.has(c));
  }
  return cfg;
}

const TYPE_TEXT: Record<string, string> = {
  boolean: "true or false",
  string: "a string",
  number: "a number",
  "string[]": "a list of strings",
};

/**
 * A glob relative to `dir`, made absolute. With `anyDepth` (exclude), a pattern without
 * `/` matches at any depth, as in ruff and .gitignore (`*_old.py`, `legacy/`); `./x`
 * anchors it at `dir`.
 */
export function anchorGlob(glob: string, dir: string, anyDepth = false): string {
  let g = glob.trim().split(path.sep).join("/");
  if (path.isAbsolute(g) || /^[A-Za-z]:\//.test(g)) return g;
  if (g.startsWith("./")) g = g.slice(2);
  else if (anyDepth && (!g.includes("/") || (g.endsWith("/") && !g.slice(0, -1).includes("/")))) g = `**/${g}`;
  if (g.endsWith("/")) g += "**";
  const base = dir.split(path.sep).join("/").replace(/[()[\]{}*?!+@]/g, "\\$&");
  return `${base.replace(/\/$/, "")}/${g}`;
}

/**
 * The rule selection when both the config file and the command line give one, with
 * ruff's precedence: a `--select` on the command line replaces the file's select,
 * extend-select and ignore; otherwise the file's settings apply first, then the
 * command line's `--extend-select` (which re-enables rules the file ignores) and
 * `--ignore`. Severities: the command line wins per key.
 */
export function mergeSelection(config: Config, cli: Selection): Selection {
  const severity: Record<string, Level> = { ...(config.severity ?? {}), ...(cli.severity ?? {}) };
  let out: Selection;
  if (cli.select && cli.select.length > 0) {
    // The file's levels still apply to the rules selected, but do not switch others on.
    const chosen = new Set([...cli.select, ...(cli.extendSelect ?? [])].flatMap((s) => matchSelector(s).map((r) => r.meta.code)));
    const fromFile = Object.entries(config.severity ?? {}).filter(([k]) => matchSelector(k).some((r) => chosen.has(r.meta.code)));
    out = { select: cli.select, extendSelect: cli.extendSelect ?? [], ignore: cli.ignore ?? [], severity: { ...Object.fromEntries(fromFile), ...(cli.severity ?? {}) } };
  } else {
    const reenabled = new Set((cli.extendSelect ?? []).flatMap((s) => matchSelector(s).map((r) => r.meta.code)));
    let ignore = config.ignore ?? [];
    if (reenabled.size > 0) {
      ignore = ignore.flatMap((s) => matchSelector(s).map((r) => r.meta.code)).filter((c) => !reenabled.has(c));
    }
    out = {
      ...(config.select ? { select: config.select } : {}),
      extendSelect: [...(config.extendSelect ?? []), ...(cli.extendSelect ?? [])],
      ignore: [...ignore, ...(cli.ignore ?? [])],
      severity,
    };
  }
  // A severity naming one rule also enables it (that is how opt-in rules are switched on
  // with a level), but an ignored rule stays off: drop the level of every ignored rule.
  const ignored = new Set((out.ignore ?? []).flatMap((s) => matchSelector(s).map((r) => r.meta.code)));
  if (ignored.size > 0) {
    out.severity = Object.fromEntries(Object.entries(out.severity ?? {}).filter(([k]) => !matchSelector(k).every((r) => ignored.has(r.meta.code))));
  }
  return out;
}

/** Where a setting came from, for messages: `pyproject.toml: tool.alembic-lint.baseline`. */
export function settingOrigin(config: Config, key: string): string {
  return `${config.shown ?? "config"}: ${config.keyPrefix}${key}`;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? "an empty list" : `a list (${JSON.stringify(v).slice(0, 60)})`;
  if (v === null || v === undefined) return "nothing";
  if (v instanceof Date) return `a date (${String(v)})`;
  if (isTable(v)) return "a table";
  if (typeof v === "bigint") return `number ${v}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** ` (did you mean "x"?)` for a near miss, else "". */
function suggest(word: string, choices: string[]): string {
  let best: string | null = null;
  let bestD = Infinity;
  const w = word.toLowerCase().replace(/-/g, "_");
  for (const c of choices) {
    const d = distance(w, c.toLowerCase().replace(/-/g, "_"));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(word.length / 3)) ? ` (did you mean ${JSON.stringify(best)}?)` : "";
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export { UsageError };
