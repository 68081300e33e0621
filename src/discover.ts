// PATH arguments → versions trees. A PATH may be a project root (alembic.ini or
// [tool.alembic] in pyproject.toml), a script location, a versions directory, or
// single files (then the rest of their tree is read for graph rules only).
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { UsageError } from "./engine/registry.js";

export interface VersionsTree {
  /** Absolute, real path of the versions directory (or the directory of loose files). */
  root: string;
  /** Every directory of the tree (a project's `version_locations`), `root` first. */
  roots: string[];
  /** Display path of the root, relative to the working directory. */
  display: string;
  /** Every migration file of the tree (absolute, sorted). */
  files: string[];
  /** The files per-file rules report on. */
  targets: Set<string>;
  recursive: boolean;
}

const IGNORE_DIRS = ["**/__pycache__/**", "**/.*/**", "**/node_modules/**", "**/site-packages/**"];

export function displayPath(abs: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, abs);
  const shown = rel === "" ? "." : rel.startsWith("..") && path.isAbsolute(abs) && rel.split(path.sep).filter((p) => p === "..").length > 3 ? abs : rel;
  return shown.split(path.sep).join("/");
}

/** Alembic's filter: `.py` files not starting with `.#` or `__init__`. */
export function isMigrationFileName(name: string): boolean {
  return name.endsWith(".py") && !name.startsWith(".#") && !name.startsWith("__init__");
}

function listTree(root: string, recursive: boolean): string[] {
  // A versions directory is one readdir; fast-glob (~30 modules to load) only for trees.
  const files = recursive
    ? glob().sync("**/*.py", { cwd: root, absolute: true, onlyFiles: true, followSymbolicLinks: false, ignore: IGNORE_DIRS, dot: false, suppressErrors: true })
    : readdirFiles(root);
  return files.filter((f) => isMigrationFileName(path.basename(f))).map((f) => path.normalize(f)).sort();
}

/** Regular files of one directory, as fast-glob lists them: no dot-files, symlinks not followed. */
function readdirFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith("."))
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

let fastGlob: typeof import("fast-glob") | undefined;
/** fast-glob, loaded on first use. */
export function glob(): typeof import("fast-glob") {
  return (fastGlob ??= createRequire(import.meta.url)("fast-glob") as typeof import("fast-glob"));
}

interface ProjectConfig {
  versionDirs: string[];
  recursive: boolean;
}

/** Reads `script_location` / `version_locations` from alembic.ini or pyproject.toml. */
export function readAlembicProject(dir: string): ProjectConfig | null {
  const ini = path.join(dir, "alembic.ini");
  if (existsSync(ini)) {
    const cfg = parseIni(readFileSync(ini, "utf8"));
    const sec = cfg.alembic ?? {};
    const here = (v: string) => v.replace(/%\(here\)s/g, dir);
    const script = sec.script_location ? here(sec.script_location) : null;
    const sep = sec.version_path_separator ?? sec.path_separator;
    const locations = sec.version_locations ? splitLocations(here(sec.version_locations), sep) : null;
    const resolve = (p: string) => (path.isAbsolute(p) ? p : path.join(dir, packagePath(p)));
    const versionDirs = locations && locations.length > 0 ? locations.map(resolve) : script ? [path.join(resolve(script), "versions")] : [];
    return { versionDirs, recursive: /^(true|1|yes|on)$/i.test(sec.recursive_version_locations ?? "") };
  }
  const pyproject = path.join(dir, "pyproject.toml");
  if (existsSync(pyproject)) {
    const text = readFileSync(pyproject, "utf8");
    if (!/^\s*\[tool\.alembic\]/m.test(text)) return null;
    const sec = sectionText(text, "tool.alembic");
    const script = /^\s*script_location\s*=\s*["']([^"']+)["']/m.exec(sec)?.[1];
    const locs = /^\s*version_locations\s*=\s*\[([^\]]*)\]/m.exec(sec)?.[1];
    const resolve = (p: string) => {
      const v = p.replace(/%\(here\)s/g, dir);
      return path.isAbsolute(v) ? v : path.join(dir, packagePath(v));
    };
    const locations = locs ? [...locs.matchAll(/["']([^"']+)["']/g)].map((m) => resolve(m[1]!)) : [];
    const versionDirs = locations.length > 0 ? locations : script ? [path.join(resolve(script), "versions")] : [];
    const recursive = /^\s*recursive_version_locations\s*=\s*true/m.test(sec);
    return { versionDirs, recursive };
  }
  return null;
}

/** `myapp:migrations` (a package resource) → `myapp/migrations`. */
function packagePath(p: string): string {
  return /^[\w.]+:[\w./-]+$/.test(p) && !/^[A-Za-z]:[\\/]/.test(p) ? p.replace(":", "/").replace(/\.(?=[^/]*\/)/g, "/") : p;
}

function splitLocations(v: string, sep: string | undefined): string[] {
  const s = (sep ?? "").trim().toLowerCase();
  const parts = s === "space" || s === "" ? v.split(/[\s,]+/) : s === "newline" ? v.split(/\n/) : s === ":" || s === "colon" ? v.split(":") : s === ";" || s === "semicolon" ? v.split(";") : s === "os" ? v.split(path.delimiter) : v.split(/[\s,]+/);
  return parts.map((x) => x.trim()).filter((x) => x !== "");
}

function sectionText(toml: string, name: string): string {
  const start = toml.search(new RegExp(`^\\s*\\[${name.replace(/\./g, "\\.")}\\]\\s*$`, "m"));
  if (start < 0) return "";
  const rest = toml.slice(start).split("\n").slice(1);
  const end = rest.findIndex((l) => /^\s*\[/.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).join("\n");
}

export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | null = null;
  let lastKey: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === "") {
      if (raw.trim() === "") lastKey = null;
      continue;
    }
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      section = out[sec[1]!.trim()] ??= {};
      lastKey = null;
      continue;
    }
    if (!section) continue;
    if (/^\s+\S/.test(raw) && lastKey) {
      section[lastKey] += "\n" + raw.trim();
      continue;
    }
    const kv = /^([^=:]+)[=:](.*)$/.exec(raw);
    if (kv) {
      lastKey = kv[1]!.trim().toLowerCase();
      section[lastKey] = kv[2]!.trim();
    }
  }
  return out;
}

function looksLikeVersionsDir(dir: string): boolean {
  return path.basename(dir) === "versions" || existsSync(path.join(dir, "..", "env.py"));
}

/** The versions tree a single file belongs to. */
function treeOfFile(file: string): { root: string; recursive: boolean } {
  let dir = path.dirname(file);
  for (let d = dir, i = 0; i < 6; i++) {
    if (path.basename(d) === "versions") return { root: d, recursive: d !== dir };
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  return { root: dir, recursive: false };
}

export interface DiscoverOptions {
  cwd?: string;
  exclude?: string[];
}

export function discover(paths: string[], opts: DiscoverOptions = {}): VersionsTree[] {
  const cwd = opts.cwd ?? process.cwd();
  const trees = new Map<string, VersionsTree>();
  // One tree per revision map: all `version_locations` of a project form one graph, as
  // Alembic builds one RevisionMap across them.
  const add = (root: string | string[], recursive: boolean, targets: string[] | "all") => {
    const roots = (Array.isArray(root) ? root : [root]).map((r) => {
      try {
        return realpathSync(r);
      } catch {
        throw new UsageError(`versions directory ${displayPath(r, cwd)} does not exist`);
      }
    });
    const real = roots[0]!;
    let tree = trees.get(real) ?? [...trees.values()].find((t) => roots.some((r) => t.roots.includes(r)));
    if (!tree) {
      const files = [...new Set(roots.flatMap((r) => listTree(r, recursive)))].sort();
      tree = { root: real, roots, display: roots.map((r) => displayPath(r, cwd)).join(", "), files, targets: new Set(), recursive };
      trees.set(real, tree);
    }
    if (targets === "all") {
      for (const t of tree.files) tree.targets.add(t);
      return;
    }
    const known = new Set(tree.files); // not files.includes() per target: quadratic on big trees
    for (const t of targets) {
      if (!known.has(t)) {
        known.add(t);
        tree.files = [...tree.files, t].sort();
      }
      tree.targets.add(t);
    }
  };
  for (const p of paths.length > 0 ? paths : ["."]) {
    const abs = path.resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "does not exist" : code === "ELOOP" ? "is a symbolic link loop" : code === "EACCES" ? "is not accessible (permission denied)" : `cannot be read (${code ?? (err as Error).message})`;
      throw new UsageError(`path ${JSON.stringify(p)} ${why}`);
    }
    if (st.isFile()) {
      const real = realpathSync(abs);
      const { root, recursive } = treeOfFile(real);
      add(root, recursive, [real]);
      continue;
    }
    if (!st.isDirectory()) throw new UsageError(`path ${JSON.stringify(p)} is neither a file nor a directory`);
    const project = readAlembicProject(abs);
    if (project) {
      const existing = project.versionDirs.filter((d) => existsSync(d));
      if (existing.length === 0) throw new UsageError(`${displayPath(abs, cwd)}: the Alembic configuration names no existing versions directory (looked for ${project.versionDirs.map((d) => displayPath(d, cwd)).join(", ") || "script_location"})`);
      add(existing, project.recursive, "all");
      continue;
    }
    if (existsSync(path.join(abs, "env.py")) && existsSync(path.join(abs, "versions"))) {
      add(path.join(abs, "versions"), false, "all");
      continue;
    }
    if (looksLikeVersionsDir(abs) || listTree(abs, false).some((f) => /^\s*revision\s*(:[^=]*)?=/m.test(safeRead(f)))) {
      // A versions directory with its files only in subdirectories (keystone's
      // <release>/expand|contract): read them, as recursive_version_locations does.
      add(abs, listTree(abs, false).length === 0, "all");
      continue;
    }
    // A repository root: every versions directory below it.
    const found = glob().sync("**/versions", { cwd: abs, onlyDirectories: true, absolute: true, ignore: IGNORE_DIRS, followSymbolicLinks: false, suppressErrors: true }).sort();
    const roots = found.filter((d) => existsSync(path.join(d, "..", "env.py")) || listTree(d, false).length > 0);
    if (roots.length === 0) throw new UsageError(`no Alembic migrations found under ${displayPath(abs, cwd)} (no alembic.ini, no versions/ directory)`);
    for (const d of roots) add(d, false, "all");
  }
  const out = [...trees.values()];
  if (opts.exclude && opts.exclude.length > 0) {
    for (const t of out) {
      const rel = (f: string) => path.relative(cwd, f).split(path.sep).join("/");
      const excluded = new Set(glob().sync(opts.exclude, { cwd, absolute: true, dot: true, suppressErrors: true }).map((f) => path.normalize(f)));
      const isExcluded = (f: string) => excluded.has(f) || opts.exclude!.some((g) => path.matchesGlob?.(rel(f), g));
      t.files = t.files.filter((f) => !isExcluded(f));
      for (const f of [...t.targets]) if (isExcluded(f)) t.targets.delete(f);
    }
  }
  return out.sort((a, b) => (a.root < b.root ? -1 : 1));
}

function safeRead(f: string): string {
  try {
    return readFileSync(f, "utf8").slice(0, 20000);
  } catch {
    return "";
  }
}
