// `npm run build` step 2: bundle the tsc output (dist/src) into dist/bin, the command
// that ships (package.json "bin").
//
// Why: Node resolves, reads and compiles each ES module separately; loading the CLI's
// ~110 modules (and fast-glob's ~30 CommonJS files) cost ~90 ms of a ~400 ms pre-commit
// run on the development machine (docs/performance.md). One bundle with lazily loaded
// chunks (reporters, commands, TOML) keeps what is not needed off the critical path.
//
// dist/bin sits two levels below the package root like dist/src, so the relative URLs
// in the code (../../package.json, ./worker.js next to the pool) resolve the same way.
// The parser (web-tree-sitter + the grammar's .wasm) and eslint-formatter-friendly stay
// external: they are loaded from node_modules at run time.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import path from "node:path";

const root = process.cwd();
const out = path.join(root, "dist", "bin");
rmSync(out, { recursive: true, force: true });

await build({
  entryPoints: {
    cli: path.join(root, "dist", "src", "cli.js"),
    worker: path.join(root, "dist", "src", "engine", "worker.js"),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["web-tree-sitter", "tree-sitter-python", "eslint-formatter-friendly"],
  // CommonJS dependencies (fast-glob) call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __alembicLintRequire } from "node:module"; const require = __alembicLintRequire(import.meta.url);' },
  legalComments: "none",
  logLevel: "warning",
});
