#!/usr/bin/env node
// Compares `alembic-lint inspect --json` with an independent reading by Python's `ast`
// (pyops.py) over a directory of real migrations: per file, the (section, op, line)
// lists must match. Usage: node scripts/verify/compare-extraction.mjs CORPUS_DIR
// (build first with `npm run build`; needs python3). Prints the agreement and the
// files that differ; see pyops.py for where its reading is deliberately narrower.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = process.argv[2];
if (!corpus) {
  console.error("usage: compare-extraction.mjs CORPUS_DIR");
  process.exit(2);
}
const py = execFileSync("python3", [path.join(here, "pyops.py"), corpus, "--unroll=all", "--extended-imports"], { maxBuffer: 1 << 28 })
  .toString().trim().split("\n").filter(Boolean).map((l) => JSON.parse(l))
  .filter((f) => !f.error && !f.path.endsWith("env.py"));
const cli = path.join(here, "..", "..", "dist", "src", "cli.js");
const ours = JSON.parse(execFileSync(process.execPath, [cli, "inspect", "--json", ...py.map((f) => f.path)], { maxBuffer: 1 << 28 }).toString());
const byPath = new Map(ours.files.map((f) => [path.resolve(f.path), f]));
let agree = 0;
const differ = [];
for (const f of py) {
  const o = byPath.get(path.resolve(f.path));
  const theirs = f.ops.map((x) => `${x.section}:${x.op}:${x.line}`).join("\n");
  const mine = o ? Object.entries(o.sections).flatMap(([name, s]) => (s ? s.ops.map((x) => `${name}:${x.op}:${x.line}`) : [])).join("\n") : "(missing)";
  if (mine === theirs) agree++;
  else differ.push(f.path);
}
console.log(`${agree}/${py.length} files agree (${((100 * agree) / py.length).toFixed(1)}%)`);
for (const d of differ) console.log(`differs: ${d}`);
