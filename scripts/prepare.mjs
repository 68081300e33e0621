// `npm run prepare`: build dist/ with tsc, then bundle the command (scripts/bundle.mjs).
//
// npm runs `prepare` after `npm install` in a clone, and when it installs this
// repository as a git dependency, which is how pre-commit installs a node hook
// (`npm install -g git+file://<clone>`). For a git dependency npm first runs
// `npm install --include=dev` in a temporary clone, but that child npm inherits the
// outer command's configuration through npm_config_* environment variables: with
// `-g`, npm_config_global=true turns it into a global install that leaves the clone
// without node_modules, and a plain `tsc` is "not found" (checked with npm 11.19 and
// pre-commit 4.6.2). So: when TypeScript is not installed here, install the dev
// dependencies locally first (not globally, no scripts), then build.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = process.cwd();
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(tsc)) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_config_(global|prefix|location)$/i.test(k)) delete env[k];
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
  run(npm[0], [...npm.slice(1), "install", "--no-save", "--include=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--global=false"], env);
}

// tsc emits JavaScript even when it reports type errors. An install (pre-commit, the
// GitHub Action, a git dependency) should not fail over a type error that does not
// change the emitted code, so only a missing build fails here; `npm run build`,
// `npm run typecheck` and `npm test` stay strict.
const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
if (r.error) throw r.error;
if (r.status !== 0) {
  if (!existsSync(path.join(root, "dist", "src", "cli.js"))) process.exit(r.status ?? 1);
  process.stderr.write("alembic-lint prepare: tsc reported type errors (above); the JavaScript in dist/ was emitted anyway\n");
}

// The command that ships is the bundle in dist/bin (scripts/bundle.mjs).
const b = spawnSync(process.execPath, [path.join(root, "scripts", "bundle.mjs")], { cwd: root, stdio: "inherit" });
if (b.error) throw b.error;
if (b.status !== 0) process.exit(b.status ?? 1);
