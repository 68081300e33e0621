#!/usr/bin/env node
// argv → config → run → report → exit code. Every failure ends in one line on
// stderr and exit 2 (stack traces only with --debug).
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import v8 from "node:v8";

import { ExitError, type IO } from "./errors.js";
import { writeAtomically } from "./fsutil.js";

export { ExitError, type IO, writeAtomically };

export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    return pkg.version;
  } catch {
    return "0.0.0";
  }
}

const HELP = `alembic-lint: static analysis for Alembic migrations

Usage:
  alembic-lint [check] [PATH ...] [options]   lint (default command)
  alembic-lint inspect PATH ... [--json]      print the extracted model of each migration
  alembic-lint graph [PATH] [--json|--dot]    the revision graph
  alembic-lint plan [PATH] --from REV [--to REV]
                                              the migrations an upgrade/downgrade would run
  alembic-lint rules [--json]                 the rule catalog
  alembic-lint explain CODE|NAME              one rule's documentation

PATH: a project root (alembic.ini / pyproject.toml [tool.alembic]), a versions
directory, or migration files (default: the current directory).

Options for check:
  --format FORMAT        friendly (default), json, sarif, github
  -o, --output-file F    write the report to F (atomically)
  --select CODES         only these rules (codes, names, prefixes like ALM1, or ALL)
  --extend-select CODES  add rules to the selection (e.g. opt-in ALM306)
  --ignore CODES         skip these rules
  --severity CODE=LEVEL  override a level: error, warning, note or off (repeatable)
  --dialect NAME         postgresql (default), mysql, sqlite, mssql, oracle
  --scripts GLOB         scripts checked for stale revision ids by ALM010 (repeatable)
  --config F             use this config file;  --no-config  ignore config files
  --baseline F           hide the findings recorded in F
  --write-baseline F     record the current findings in F
  --sarif-category ID    SARIF automationDetails.id (one per analysis)
  --fix                  write the missing downgrade operations (ALM101, ALM102, ALM104)
  --diff                 print the changes --fix would make as a unified diff; write nothing
  --exit-zero            exit 0 even when findings fail the run
  -q, --quiet            print nothing when there are no findings
  -j, --jobs N           threads checking files in large runs (default: the number of cores)
  --no-cache             do not use the header cache (~/.cache/alembic-lint; ALEMBIC_LINT_CACHE_DIR)
  --color, --no-color    force colour on or off (NO_COLOR is honoured)
  --debug                show stack traces of internal errors
  -V, --version          print the version
  -h, --help             print this help

Exit codes: 0 no failing findings, 1 failing findings, 2 usage, config or internal error.
`;

const CHECK_OPTIONS = {
  format: { type: "string" },
  "output-file": { type: "string", short: "o" },
  select: { type: "string", multiple: true },
  "extend-select": { type: "string", multiple: true },
  ignore: { type: "string", multiple: true },
  severity: { type: "string", multiple: true },
  dialect: { type: "string" },
  scripts: { type: "string", multiple: true },
  config: { type: "string" },
  "no-config": { type: "boolean" },
  baseline: { type: "string" },
  "write-baseline": { type: "string" },
  "sarif-category": { type: "string" },
  "exit-zero": { type: "boolean" },
  fix: { type: "boolean" },
  diff: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  jobs: { type: "string", short: "j" },
  "no-cache": { type: "boolean" },
  color: { type: "boolean" },
  "no-color": { type: "boolean" },
  debug: { type: "boolean" },
  json: { type: "boolean" },
  version: { type: "boolean", short: "V" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

const COMMANDS = new Set(["check", "inspect", "graph", "plan", "rules", "explain"]);

export async function main(argv: string[], io: IO): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof ExitError) {
      io.stderr(`alembic-lint: ${err.message}\n`);
      return err.exitCode;
    }
    const known = err instanceof Error && ["UsageError", "ConfigError"].includes(err.constructor.name);
    const msg = err instanceof Error ? err.message : String(err);
    io.stderr(`alembic-lint: ${known ? "" : "internal error: "}${msg}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr(err.stack + "\n");
    else if (!known) io.stderr("alembic-lint: run again with --debug for the stack trace, and please report it\n");
    return 2;
  }
}

async function dispatch(argv: string[], io: IO): Promise<number> {
  const first = argv[0];
  const command = first && COMMANDS.has(first) ? first : "check";
  const rest = first && COMMANDS.has(first) ? argv.slice(1) : argv;
  if (command === "graph" || command === "plan") {
    // Each lives in its own module, loaded only when asked for. Literal specifiers: the
    // bundler (scripts/bundle.mjs) cannot follow a computed one into dist/bin.
    const mod = command === "graph" ? await import("./commands/graph.js") : await import("./commands/plan.js");
    return mod.run(rest, io);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: CHECK_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ExitError(`${(err as Error).message.split("\n")[0]} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (values.version) {
    io.stdout(`alembic-lint ${toolVersion()}\n`);
    return 0;
  }
  switch (command) {
    case "rules":
      return (await import("./commands/rules.js")).rulesCommand(values.json === true, io);
    case "explain":
      return (await import("./commands/rules.js")).explainCommand(positionals, io);
    case "inspect":
      return (await import("./commands/inspect.js")).inspectCommand(positionals, values.json === true, io);
    default:
      return check(positionals, values, io);
  }
}

type CheckValues = ReturnType<typeof parseArgs<{ options: typeof CHECK_OPTIONS; allowPositionals: true }>>["values"];

function splitList(values: string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}

function decideColor(values: CheckValues, io: IO, toFile: boolean): boolean {
  if (values["no-color"]) return false;
  if (values.color) return true;
  if (io.env.NO_COLOR !== undefined) return false;
  if (io.env.FORCE_COLOR !== undefined) return io.env.FORCE_COLOR !== "0";
  if (io.env.TERM === "dumb") return false;
  return !toFile && io.isTTY;
}

async function check(paths: string[], values: CheckValues, io: IO): Promise<number> {
  const { FORMATS, loadReporter, writeReport } = await import("./report/types.js");
  const format = (values.format ?? "friendly") as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new ExitError(`unknown --format ${JSON.stringify(values.format)} (expected ${FORMATS.join(", ")})`);
  const { DIALECTS } = await import("./engine/rule.js");
  if (values.dialect && !DIALECTS.includes(values.dialect as never)) throw new ExitError(`unknown --dialect ${JSON.stringify(values.dialect)} (expected ${DIALECTS.join(", ")})`);
  const { loadConfig, mergeSelection, settingOrigin } = await import("./config.js");
  const config = await loadConfig({ configFile: values.config ?? null, noConfig: values["no-config"] === true, cwd: io.cwd });
  for (const w of config.warnings) io.stderr(`alembic-lint: ${w}\n`);

  const cliSeverity: Record<string, "error" | "warning" | "note" | "off"> = {};
  for (const s of values.severity ?? []) {
    const m = /^([^=]+)=(error|warning|note|off)$/.exec(s.trim());
    if (!m) throw new ExitError(`--severity expects CODE=LEVEL with LEVEL one of error, warning, note, off; got ${JSON.stringify(s)}`);
    cliSeverity[m[1]!.trim()] = m[2] as "error";
  }
  const cliSelect = splitList(values.select);
  // CLI over config, as ruff: --select replaces the file's selection; --extend-select re-enables.
  const merged = mergeSelection(config, { ...(cliSelect ? { select: cliSelect } : {}), extendSelect: splitList(values["extend-select"]) ?? [], ignore: splitList(values.ignore) ?? [], severity: cliSeverity });
  const select = merged.select;
  const extendSelect = merged.extendSelect ?? [];
  const ignore = merged.ignore ?? [];
  const severity = merged.severity ?? {};
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new ExitError(`--jobs expects a whole number of at least 1; got ${JSON.stringify(values.jobs)}`);
  const { lintPaths } = await import("./lint.js");
  const { defaultCacheDir } = await import("./header-cache.js");
  const lintOptions: Parameters<typeof lintPaths>[1] = {
    ...(select ? { select } : {}),
    extendSelect,
    ignore,
    severity,
    dialect: (values.dialect as never) ?? config.dialect ?? "postgresql",
    ruleOptions: config.ruleOptions,
    ...(config.exclude ? { exclude: config.exclude } : {}),
    ...(config.requireReason ? { requireReason: config.requireReason } : {}),
    // Config globs arrive absolute (resolved against the config file's directory).
    scripts: [...(config.scripts ?? []), ...(values.scripts ?? [])],
    cwd: io.cwd,
    ...(jobs !== undefined ? { jobs } : {}),
    ...(values["no-cache"] ? {} : { cacheDir: defaultCacheDir(io.env) }),
    beforeParse: (fileCount) => {
      // Small runs (pre-commit) are dominated by WASM compilation: Liftoff only.
      if (fileCount < 100) v8.setFlagsFromString("--liftoff-only");
    },
  };
  let result = await lintPaths(paths, lintOptions);
  if (values.fix || values.diff) {
    // --diff prints what --fix would write and exits 1 when there is something to fix (as ruff).
    const { runFix, fixSummary } = await import("./fix/index.js");
    const outcome = await runFix(result, { write: !values.diff, dialect: lintOptions.dialect ?? "postgresql" });
    for (const line of fixSummary(outcome, values.diff === true)) io.stderr(`alembic-lint: ${line}\n`);
    if (values.diff) {
      io.stdout(outcome.diff);
      return outcome.files.length > 0 ? 1 : 0;
    }
    // What remains after the fixes decides the report and the exit code.
    if (outcome.files.length > 0) result = await lintPaths(paths, { ...lintOptions, beforeParse: () => {} });
  }
  const { resolveSelection } = await import("./engine/registry.js");
  const rules = resolveSelection({ ...(select ? { select } : {}), extendSelect, ignore, severity });

  // Baseline: --write-baseline F records this run's findings; --baseline F (or config) hides recorded ones.
  const baselineFile = values.baseline ?? config.baseline;
  if (values["write-baseline"] !== undefined || baselineFile !== undefined) {
    const { runBaseline } = await import("./engine/baseline.js");
    const write = values["write-baseline"];
    const notes = runBaseline(
      { diagnostics: result.diagnostics, files: result.files, migrations: result.migrations, scripts: result.scripts, activeCodes: new Set(rules.map((r) => r.rule.meta.code)), cwd: io.cwd },
      {
        ...(write !== undefined ? { write: { file: path.resolve(io.cwd, write), shown: write } } : {}),
        ...(baselineFile !== undefined
          ? { read: values.baseline !== undefined ? { file: path.resolve(io.cwd, values.baseline), shown: values.baseline } : { file: baselineFile, shown: `${path.relative(io.cwd, baselineFile) || baselineFile} (${settingOrigin(config, "baseline")})` } }
          : {}),
        quiet: values.quiet === true,
        incomplete: result.internalErrors.length > 0,
      },
    );
    for (const n of notes) io.stderr(`alembic-lint: ${n}\n`);
  }

  for (const s of result.skipped) io.stderr(`alembic-lint: skipped ${s.path}: ${s.reason}\n`);
  const outFile = values["output-file"];
  const toFile = outFile !== undefined;
  const reporter = await loadReporter(format);
  const report = await reporter({
    diagnostics: result.diagnostics,
    files: result.files,
    rules,
    cwd: io.cwd,
    color: decideColor(values, io, toFile),
    toFile,
    toolVersion: toolVersion(),
    ...(values["sarif-category"] ? { sarifCategory: values["sarif-category"] } : {}),
    executionSuccessful: result.internalErrors.length === 0,
    warn: (m) => io.stderr(`alembic-lint: ${m}\n`),
  });
  // A report may come in pieces (friendly): each is written as it is made.
  if (outFile) writeAtomically(path.resolve(io.cwd, outFile), report);
  else writeReport(report, io.stdout, values.quiet === true);

  for (const e of result.internalErrors) {
    io.stderr(`alembic-lint: internal error in rule ${e.code} on ${e.path}: ${e.message}\n`);
    if (values.debug && e.stack) io.stderr(e.stack + "\n");
  }
  if (result.internalErrors.length > 0) return 2;
  const failing = result.diagnostics.some((d) => !d.suppressed && (d.severity === "error" || d.severity === "warning"));
  return failing && !values["exit-zero"] ? 1 : 0;
}

function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  let wrote = false;
  const code = await main(process.argv.slice(2), {
    // Straight through, not collected: a huge report is not held in memory (issue 9).
    stdout: (s) => {
      if (!s) return;
      process.stdout.write(s);
      wrote = true;
    },
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
  });
  // Exit once what was written has been flushed (pipes are asynchronous on some platforms).
  if (wrote) process.stdout.write("", () => process.exit(code));
  else process.exit(code);
}
