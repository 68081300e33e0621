// Reads fixtures with inline expectations: `# expect: CODE[, CODE...]` on the line
// where a finding must be reported. Matching is exhaustive both ways.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const FIXTURES = path.resolve(import.meta.dirname, "..", "fixtures");

export interface FixtureCase {
  /** Display name: folder/file or folder/tree. */
  name: string;
  files: { path: string; text: string }[];
  /** "line:CODE" for every expectation, in every file ("file:line:CODE"). */
  expected: string[];
  /** Rules run besides the folder's own (`# fixture-extend-select: ALM901`), e.g. for ALM902. */
  extendSelect: string[];
}

const EXTEND = /#\s*fixture-extend-select\s*:\s*([A-Z0-9, ]+)/;

function extendSelectOf(texts: string[]): string[] {
  return texts.flatMap((t) => {
    const m = EXTEND.exec(t);
    return m ? m[1]!.split(/[,\s]+/).filter(Boolean) : [];
  });
}

const EXPECT = /#\s*expect\s*:\s*(.*)$/;

export function expectationsOf(file: string, text: string): string[] {
  const out: string[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const idx = line.indexOf("# expect");
    if (idx < 0) return;
    const m = EXPECT.exec(line.slice(idx));
    if (!m) throw new Error(`${file}:${i + 1}: malformed expectation comment ${JSON.stringify(line.slice(idx))}`);
    const codes = m[1]!.split(/[,\s]+/).filter(Boolean);
    if (codes.length === 0 || codes.some((c) => !/^ALM\d{3}$/.test(c))) {
      throw new Error(`${file}:${i + 1}: malformed expectation ${JSON.stringify(m[1])}: write "# expect: ALM104" or "# expect: ALM104, ALM201"`);
    }
    for (const c of codes) out.push(`${file}:${i + 1}:${c}`);
  });
  return out;
}

/** Cases of one fixture folder: each .py file alone, and each sub-directory as one tree (scripts included). */
export function casesIn(folder: string): FixtureCase[] {
  const dir = path.join(FIXTURES, folder);
  const cases: FixtureCase[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    const rel = path.relative(process.cwd(), full).split(path.sep).join("/");
    if (statSync(full).isDirectory()) {
      // Non-Python files in a tree are scripts checked by ALM010 (deploy.sh, Makefile, ...).
      const files = readdirSync(full).filter((f) => !f.startsWith(".") && statSync(path.join(full, f)).isFile()).sort().map((f) => {
        const p = `${rel}/${f}`;
        return { path: p, text: readFileSync(path.join(full, f), "utf8") };
      });
      cases.push({ name: `${folder}/${entry}/`, files, expected: files.flatMap((f) => expectationsOf(f.path, f.text)), extendSelect: extendSelectOf(files.map((f) => f.text)) });
    } else if (entry.endsWith(".py")) {
      const text = readFileSync(full, "utf8");
      cases.push({ name: `${folder}/${entry}`, files: [{ path: rel, text }], expected: expectationsOf(rel, text), extendSelect: extendSelectOf([text]) });
    }
  }
  return cases;
}

export function ruleFolders(): string[] {
  return readdirSync(FIXTURES).filter((d) => /^alm\d{3}-/.test(d) && statSync(path.join(FIXTURES, d)).isDirectory()).sort();
}

/** Every `.py` file (at any depth) of the fixture folders whose names match `folders`. */
export function fixtureFiles(folders: RegExp): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : name.endsWith(".py") ? [p] : [];
    });
  return readdirSync(FIXTURES).filter((d) => folders.test(d)).flatMap((d) => walk(path.join(FIXTURES, d)));
}
