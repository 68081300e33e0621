// A cache of header-only readings (src/parse/header.ts) for the files a partial run does
// not check: in the pre-commit case one changed file is linted and every other file of
// its tree is read for the revision graph alone. Reading and scanning those files was
// the largest part of such a run after Node's own start-up; a stat() per file and one
// small JSON file replace it (docs/performance.md).
//
// An entry is reused only while the file's size, inode, mtime and ctime are unchanged
// (ctime cannot be set from user space, so even restored mtimes are caught). As in
// Git's "racy" rule, a file changed less than RACY_MS before it was read is never
// stored: a second write within the file system's timestamp granularity would
// otherwise go unnoticed. The cache belongs to one build of the reader (the stamp is
// this module's own file identity) and is dropped whole when anything does not fit.
// Every failure (unwritable directory, corrupt file) means "no cache", never an error.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Header, Migration } from "./model.js";

const FORMAT = 1;
const RACY_MS = 1500;
/** Cache files kept (one per versions tree); the least recently written go first. */
const MAX_FILES = 64;

interface Entry {
  key: string;
  header: Header;
  comments: Migration["comments"];
}

interface CacheFile {
  format: number;
  stamp: string;
  root: string;
  entries: Record<string, Entry>;
}

/** `$ALEMBIC_LINT_CACHE_DIR`, else `$XDG_CACHE_HOME/alembic-lint`, else `~/.cache/alembic-lint`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ALEMBIC_LINT_CACHE_DIR) return path.resolve(env.ALEMBIC_LINT_CACHE_DIR);
  return path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), ".cache"), "alembic-lint");
}

let buildStamp: string | null | undefined;
function stamp(): string | null {
  if (buildStamp === undefined) {
    try {
      const st = statSync(fileURLToPath(import.meta.url));
      buildStamp = `${FORMAT}:${st.size}:${st.mtimeMs}`;
    } catch {
      buildStamp = null;
    }
  }
  return buildStamp;
}

/** FNV-1a, for a short file name per versions tree. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

function statKey(abs: string): { key: string; racy: boolean } | null {
  try {
    const st = statSync(abs, { bigint: true });
    const changed = st.ctimeNs > st.mtimeNs ? st.ctimeNs : st.mtimeNs;
    return {
      key: `${st.size}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`,
      racy: Number(changed / 1_000_000n) > Date.now() - RACY_MS,
    };
  } catch {
    return null;
  }
}

export class HeaderCache {
  private readonly file: string;
  private readonly entries: Record<string, Entry> = {};
  private readonly pending = new Map<string, string>();
  private dirty = false;

  private constructor(dir: string, private readonly root: string, private readonly buildStamp: string) {
    this.file = path.join(dir, `headers-${path.basename(root).replace(/[^\w.-]/g, "_").slice(0, 40)}-${hash(root)}.json`);
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8")) as CacheFile;
      if (data.format === FORMAT && data.stamp === buildStamp && data.root === root && data.entries && typeof data.entries === "object") this.entries = data.entries;
    } catch {
      // missing or unreadable: start empty
    }
  }

  /** The cache of one versions tree, or null when this build cannot identify itself. */
  static open(dir: string, root: string): HeaderCache | null {
    const s = stamp();
    return s ? new HeaderCache(dir, root, s) : null;
  }

  /** The cached header-only migration of a file, if the file is unchanged since. */
  lookup(abs: string, displayPath: string, readSource: () => string): Migration | null {
    const now = statKey(abs);
    if (!now) return null;
    const e = this.entries[abs];
    if (e && e.key === now.key) return revive(e, displayPath, abs, readSource);
    if (!now.racy) this.pending.set(abs, now.key);
    else if (e) {
      delete this.entries[abs];
      this.dirty = true;
    }
    return null;
  }

  /** Records a header-only reading of a file looked up (and missed) in this run. */
  store(m: Migration): void {
    const key = this.pending.get(m.absPath);
    if (key === undefined) return;
    this.entries[m.absPath] = { key, header: m.header, comments: m.comments };
    this.dirty = true;
  }

  /** Writes the cache if it changed: a temporary file renamed over the old one. */
  save(): void {
    if (!this.dirty) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const data: CacheFile = { format: FORMAT, stamp: this.buildStamp, root: this.root, entries: this.entries };
      writeFileSync(tmp, JSON.stringify(data));
      renameSync(tmp, this.file);
      this.dirty = false;
      prune(path.dirname(this.file));
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing written
      }
    }
  }
}

/** Keeps the directory small: trees linted once (temporary checkouts) do not pile up. */
function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => /^headers-.*\.json$/.test(n));
  if (names.length <= MAX_FILES) return;
  const byAge = names.map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { n } of byAge.slice(0, names.length - MAX_FILES)) unlinkSync(path.join(dir, n));
}

/** A migration as the header reader made it; its source is read only if someone asks. */
function revive(e: Entry, displayPath: string, absPath: string, readSource: () => string): Migration {
  let source: string | undefined;
  return {
    path: displayPath,
    absPath,
    get source(): string {
      return (source ??= readSource());
    },
    header: e.header,
    sections: [],
    pairs: [],
    comments: e.comments,
    parseError: null,
    errorRegions: [],
  };
}
