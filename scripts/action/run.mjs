#!/usr/bin/env node
// The logic of the alembic-lint GitHub Action (action.yml), kept out of YAML so it can
// be tested locally (test/action.test.ts):
//
//   1. lint with --format sarif into the SARIF file (always written unless alembic-lint
//      itself fails with exit code 2: usage, configuration or internal error);
//      Results suppressed in the source are then removed from it (GitHub code
//      scanning would open alerts for them) unless include-suppressed is true;
//   2. lint again for the job log: GitHub annotations (annotations: true) or the
//      human report, never failing;
//   3. write the outputs (sarif-file, exit-code, results) and a step summary;
//   4. exit 1 when findings fail the run and fail-on-findings is true. The SARIF file
//      exists at that point: give the upload step `if: success() || failure()` so it
//      still runs.
//
// Inputs come as environment variables (composite actions do not set INPUT_*
// themselves; action.yml maps them): INPUT_PATH, INPUT_ARGS, INPUT_SARIF_FILE,
// INPUT_CATEGORY, INPUT_WORKING_DIRECTORY, INPUT_FAIL_ON_FINDINGS, INPUT_ANNOTATIONS,
// INPUT_INCLUDE_SUPPRESSED.
// ALEMBIC_LINT_CLI is the cli.js to run (action.yml: the one built in the action's
// checkout).
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Splits an input like a shell would for words and quotes (no expansion). */
export function splitArgs(s) {
  const out = [];
  let cur = "";
  let has = false;
  let quote = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) cur += s[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in ${JSON.stringify(s)}`);
  if (has || cur) out.push(cur);
  return out;
}

function bool(v, dflt) {
  if (v === undefined || v.trim() === "") return dflt;
  const t = v.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(t)) return true;
  if (["false", "0", "no", "off"].includes(t)) return false;
  throw new Error(`expected true or false, got ${JSON.stringify(v)}`);
}

function setOutput(name, value) {
  const file = process.env.GITHUB_OUTPUT;
  if (file) appendFileSync(file, `${name}=${value}\n`);
  else process.stdout.write(`${name}=${value}\n`);
}

/** Removes results with a non-empty `suppressions` array; returns how many. */
export function dropSuppressed(sarifFile) {
  const log = JSON.parse(readFileSync(sarifFile, "utf8"));
  let dropped = 0;
  for (const run of log.runs ?? []) {
    const kept = (run.results ?? []).filter((r) => !(r.suppressions ?? []).length);
    dropped += (run.results ?? []).length - kept.length;
    run.results = kept;
  }
  if (dropped > 0) writeFileSync(sarifFile, JSON.stringify(log, null, 2) + "\n");
  return dropped;
}

function summarize(sarifFile) {
  try {
    const log = JSON.parse(readFileSync(sarifFile, "utf8"));
    const results = (log.runs ?? []).flatMap((r) => r.results ?? []).filter((r) => !(r.suppressions ?? []).length);
    const byRule = new Map();
    for (const r of results) {
      const k = `${r.ruleId}|${r.level ?? "warning"}`;
      byRule.set(k, (byRule.get(k) ?? 0) + 1);
    }
    return { count: results.length, byRule: [...byRule.entries()].sort() };
  } catch {
    return null;
  }
}

export function main(env = process.env) {
  const cli = env.ALEMBIC_LINT_CLI;
  if (!cli || !existsSync(cli)) {
    process.stderr.write(`::error title=alembic-lint::alembic-lint is not built (${cli ?? "ALEMBIC_LINT_CLI unset"})\n`);
    return 2;
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) {
    process.stderr.write(`::error title=alembic-lint::alembic-lint needs Node.js 20 or later (found ${process.versions.node}); add actions/setup-node before this action\n`);
    return 2;
  }
  let paths, args, failOnFindings, annotations, includeSuppressed;
  try {
    paths = splitArgs(env.INPUT_PATH ?? ".");
    args = splitArgs(env.INPUT_ARGS ?? "");
    failOnFindings = bool(env.INPUT_FAIL_ON_FINDINGS, true);
    annotations = bool(env.INPUT_ANNOTATIONS, false);
    includeSuppressed = bool(env.INPUT_INCLUDE_SUPPRESSED, false);
  } catch (err) {
    process.stderr.write(`::error title=alembic-lint::bad action input: ${err.message}\n`);
    return 2;
  }
  if (paths.length === 0) paths = ["."];
  const workdir = path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), env.INPUT_WORKING_DIRECTORY || ".");
  const sarifFile = path.resolve(workdir, env.INPUT_SARIF_FILE || "alembic-lint.sarif");
  const category = (env.INPUT_CATEGORY ?? "").trim();

  mkdirSync(path.dirname(sarifFile), { recursive: true });
  // A stale file from an earlier run must not pass for this run's result.
  rmSync(sarifFile, { force: true });

  const childEnv = { ...env };
  delete childEnv.ALEMBIC_LINT_CLI;
  // 1. SARIF (our options last: they win over the same options in `args`).
  const sarifArgs = [cli, "check", ...paths, ...args, "--format", "sarif", "--output-file", sarifFile, ...(category ? ["--sarif-category", category] : [])];
  const first = spawnSync(process.execPath, sarifArgs, { cwd: workdir, env: childEnv, stdio: ["ignore", "inherit", "inherit"] });
  const code = first.status ?? 2;
  const written = code !== 2 && existsSync(sarifFile);
  if (written && !includeSuppressed) {
    const n = dropSuppressed(sarifFile);
    if (n > 0) process.stdout.write(`alembic-lint: left ${n} result(s) suppressed in the source out of ${sarifFile} (include-suppressed: true keeps them)\n`);
  }

  // 2. The job log.
  if (written) {
    process.stdout.write(`::group::alembic-lint findings\n`);
    spawnSync(process.execPath, [cli, "check", ...paths, ...args, "--format", annotations ? "github" : "friendly", "--exit-zero", ...(annotations ? [] : ["--color"])], {
      cwd: workdir,
      env: childEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
    process.stdout.write(`::endgroup::\n`);
  }

  // 3. Outputs and summary.
  const summary = written ? summarize(sarifFile) : null;
  setOutput("sarif-file", written ? sarifFile : "");
  setOutput("exit-code", String(code));
  setOutput("results", String(summary?.count ?? 0));
  if (env.GITHUB_STEP_SUMMARY && summary) {
    const lines = [`### alembic-lint`, "", summary.count === 0 ? "No findings." : `${summary.count} finding(s):`, ""];
    if (summary.count > 0) {
      lines.push("| Rule | Level | Count |", "|---|---|---|");
      for (const [k, n] of summary.byRule) {
        const [rule, level] = k.split("|");
        lines.push(`| ${rule} | ${level} | ${n} |`);
      }
    }
    appendFileSync(env.GITHUB_STEP_SUMMARY, lines.join("\n") + "\n");
  }

  // 4. Exit status.
  if (code === 2 || !written) {
    process.stderr.write(`::error title=alembic-lint::alembic-lint could not run (exit code ${code}); no SARIF file was written\n`);
    return 2;
  }
  if (code !== 0 && failOnFindings) {
    process.stderr.write(`::error title=alembic-lint::alembic-lint found failing findings; the SARIF file ${path.relative(env.GITHUB_WORKSPACE ?? workdir, sarifFile) || sarifFile} is written (set fail-on-findings: false to only report)\n`);
    return 1;
  }
  return 0;
}

const invoked = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) process.exitCode = main();
