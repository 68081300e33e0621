// Where reported paths are relative to. GitHub (code scanning and annotations) reads
// relative paths as relative to the repository root, which is not always the
// current directory (`cd backend && alembic-lint`), so machine formats use the
// root of the Git work tree that holds the cwd, and the cwd outside Git.
import { existsSync } from "node:fs";
import path from "node:path";

const rootCache = new Map<string, string>();

/** The Git work-tree root above `cwd` (a `.git` dir or file), else `cwd` itself. */
export function projectRoot(cwd: string): string {
  const start = path.resolve(cwd);
  const cached = rootCache.get(start);
  if (cached !== undefined) return cached;
  let dir = start;
  let found = start;
  for (;;) {
    if (existsSync(path.join(dir, ".git"))) {
      found = dir;
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  rootCache.set(start, found);
  return found;
}

/**
 * `p` (as reported: relative to cwd, or absolute) relative to `root`, with `/`
 * separators. Files outside the root keep `../` segments: never an absolute or home path.
 */
export function rootRelative(p: string, cwd: string, root: string): string {
  const abs = path.resolve(cwd, p);
  const rel = path.relative(root, abs);
  return (rel === "" ? "." : rel).split(path.sep).join("/");
}

/** True when a root-relative path leaves the root. */
export function outsideRoot(rel: string): boolean {
  return rel === ".." || rel.startsWith("../");
}

/** A relative URI reference: each segment percent-encoded (spaces, `#`, `%`, non-ASCII). */
export function encodeRelativeUri(rel: string): string {
  return rel
    .split("/")
    .map((seg) => (seg === ".." || seg === "." ? seg : encodeURIComponent(seg)))
    .join("/");
}
