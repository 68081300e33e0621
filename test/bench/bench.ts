// `npm run bench`: how close a full lint comes to the parser's own speed.
//
//   node dist/test/bench/bench.js [--files N] [--jobs N] [--repeat R] [--real DIR] [--keep]
//
// Generates a synthetic versions tree of N files (default 10,000; test/bench/corpus.ts) and
// times, in one run:
//   (a) raw tree-sitter parse of every file, single-threaded (parser.parse(src).delete()),
//       and next to it the text reader (src/parse/textreader.ts) alone over the same files;
//   (b) `alembic-lint check` on the whole tree (the built CLI as a child process), wall
//       time, CPU time and peak RSS (process.resourceUsage() of the child, worker threads
//       included);
//   (c) `alembic-lint check` on one file of a 300-file tree (the pre-commit case), without
//       and with the header cache (src/header-cache.ts);
//   (d) with python3: `ast.parse` of the same files (in-process loop and whole process);
//   (e) with --real DIR: (b) and (d) on every migrations directory found below DIR;
//   (f) with --families: CPU time of each rule family (--select ALM0 ... ALM4) on 1,000
//       files in one thread, over the run with ALM900 alone (load, parse, extract, report).
// When NODE_EXTRA_CA_CERTS is set (Node then reads that CA bundle at every start, ~30 ms
// here), (c) and (e) are also timed without it. It prints (b) / ((a) / cores) and the other ratios. Not a test: nothing in `npm test`
// depends on machine speed. Medians of --repeat runs (default 3), with the range of (b)'s wall times.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { decodePython } from "../../src/load.js";
import { loadParser, normalizeSource } from "../../src/parse/index.js";
import { readModuleText } from "../../src/parse/textreader.js";
import { writeCorpus } from "./corpus.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(HERE, "../../bin/cli.js");

interface ChildRun {
  wallMs: number;
  /** Fastest and slowest wall time of the repeated runs. */
  wallRange: [number, number];
  userMs: number;
  systemMs: number;
  maxRssMB: number;
  code: number | null;
  stderr: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (ms: number) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);

/** Runs the CLI in a child process; its resource usage comes from a preloaded exit hook. */
function runCli(args: string[], work: string, env: Record<string, string> = {}): ChildRun {
  const hook = path.join(work, "rusage-hook.cjs");
  const out = path.join(work, `rusage-${process.pid}.json`);
  writeFileSync(hook, `process.on("exit", () => require("node:fs").writeFileSync(process.env.BENCH_RUSAGE_FILE, JSON.stringify(process.resourceUsage())));\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--require", hook, CLI, ...args], {
    env: { ...process.env, BENCH_RUSAGE_FILE: out, NO_COLOR: "1", ...env },
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const wallMs = performance.now() - t0;
  const ru = JSON.parse(readFileSync(out, "utf8")) as NodeJS.ResourceUsage;
  return { wallMs, wallRange: [wallMs, wallMs], userMs: ru.userCPUTime / 1000, systemMs: ru.systemCPUTime / 1000, maxRssMB: ru.maxRSS / 1024, code: r.status, stderr: r.stderr };
}

function repeatCli(times: number, args: string[], work: string, env: Record<string, string> = {}): ChildRun {
  const runs = Array.from({ length: times }, () => runCli(args, work, env));
  const bad = runs.find((r) => r.code === null || r.code > 1);
  if (bad) throw new Error(`alembic-lint ${args.join(" ")} failed (${bad.code}): ${bad.stderr}`);
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    wallRange: [Math.min(...runs.map((r) => r.wallMs)), Math.max(...runs.map((r) => r.wallMs))],
    userMs: median(runs.map((r) => r.userMs)),
    systemMs: median(runs.map((r) => r.systemMs)),
    maxRssMB: Math.max(...runs.map((r) => r.maxRssMB)),
    code: runs[0]!.code,
    stderr: runs[0]!.stderr,
  };
}

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== "__pycache__" && !e.name.startsWith(".")) walk(p);
      } else if (e.name.endsWith(".py") && !e.name.startsWith("__init__") && e.name !== "env.py") out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function readSources(files: string[]): string[] {
  return files.map((f) => {
    const d = decodePython(readFileSync(f));
    return "text" in d ? normalizeSource(d.text) : "";
  });
}

/** (a): tree-sitter parse of every file, this thread, after a warm-up pass over a few files. */
async function rawParse(files: string[], repeat: number): Promise<number> {
  const sources = readSources(files);
  const parser = await loadParser();
  for (const s of sources.slice(0, 50)) parser.parse(s)!.delete();
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    for (const s of sources) parser.parse(s)!.delete();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Next to (a): the text reader alone over the same files, and how many it reads (the others go to tree-sitter). */
function textRead(files: string[], repeat: number): { ms: number; read: number } {
  const sources = readSources(files);
  for (const s of sources.slice(0, 50)) readModuleText(s);
  let read = 0;
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    read = 0;
    const t0 = performance.now();
    for (const s of sources) if (readModuleText(s)) read++;
    times.push(performance.now() - t0);
  }
  return { ms: median(times), read };
}

/** (d): CPython's ast.parse over the same files: the parse loop alone, and the whole process. */
function pythonParse(listFile: string, repeat: number): { loopMs: number; processMs: number } | null {
  const script = [
    "import ast, sys, time",
    "paths = open(sys.argv[1], encoding='utf-8').read().splitlines()",
    "srcs = [open(p, 'rb').read() for p in paths]",
    "t = time.perf_counter()",
    "for s in srcs:",
    "    try: ast.parse(s)",
    "    except SyntaxError: pass",
    "print((time.perf_counter() - t) * 1000)",
  ].join("\n");
  const loops: number[] = [];
  const procs: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    const p = spawnSync("python3", ["-c", script, listFile], { encoding: "utf8" });
    if (p.error || p.status !== 0) return null;
    procs.push(performance.now() - t0);
    loops.push(Number(p.stdout.trim()));
  }
  return { loopMs: median(loops), processMs: median(procs) };
}

function cpuModel(): string {
  return cpus()[0]?.model ?? "unknown";
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: "string", default: "10000" },
      jobs: { type: "string" },
      repeat: { type: "string", default: "3" },
      real: { type: "string" },
      keep: { type: "boolean" },
      families: { type: "boolean" },
    },
  });
  const n = Number(values.files);
  const repeat = Math.max(1, Number(values.repeat));
  const cores = os.availableParallelism();
  const jobsArgs = values.jobs ? ["--jobs", values.jobs] : [];
  const work = mkdtempSync(path.join(os.tmpdir(), "alembic-lint-bench-"));
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  try {
    say(`machine: ${cores} cores (${cpuModel()}), node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
    const versions = writeCorpus(path.join(work, "big"), n, 42);
    const files = pyFiles(versions);
    const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
    say(`corpus: ${files.length} synthetic migrations, ${(bytes / 1e6).toFixed(1)} MB (avg ${(bytes / files.length / 1024).toFixed(1)} KB)`);

    const parseMs = await rawParse(files, repeat);
    say(`(a) tree-sitter parse, 1 thread:         ${fmt(parseMs)} (${(parseMs / files.length).toFixed(3)} ms/file); per core: ${fmt(parseMs / cores)}`);
    const text = textRead(files, repeat);
    say(`    the text reader, 1 thread:           ${fmt(text.ms)}, ${text.read} of ${files.length} files read (tree-sitter parses the others)`);

    // Repeated like the others: one run of (b) moved by ±10% with the host's load.
    const full = repeatCli(repeat, ["check", versions, "--format", "json", "-o", path.join(work, "report.json"), "--exit-zero", ...jobsArgs], work);
    const range = repeat > 1 ? ` (median of ${repeat}, ${fmt(full.wallRange[0])}–${fmt(full.wallRange[1])})` : "";
    say(`(b) alembic-lint check (${files.length} files):  wall ${fmt(full.wallMs)}${range}, CPU ${fmt(full.userMs + full.systemMs)}, peak RSS ${full.maxRssMB.toFixed(0)} MB`);
    say(`    ratio (b) / ((a) / ${cores} cores) = ${(full.wallMs / (parseMs / cores)).toFixed(2)}   CPU (b) / (a) = ${((full.userMs + full.systemMs) / parseMs).toFixed(2)}`);

    const small = writeCorpus(path.join(work, "small"), 300, 7);
    const written = Date.now();
    const one = pyFiles(small)[150]!;
    const times = Math.max(repeat, 5);
    const preArgs = ["check", one, "--format", "json", "--exit-zero"];
    const cold = repeatCli(times, [...preArgs, "--no-cache"], work);
    say(`(c) alembic-lint check 1 file of a 300-file tree (the other 299 read for the graph):`);
    say(`    without the header cache (first run): wall ${fmt(cold.wallMs)} (median of ${times}), CPU ${fmt(cold.userMs + cold.systemMs)}, peak RSS ${cold.maxRssMB.toFixed(0)} MB`);
    // The header cache never stores files changed in the last 1.5 s (src/header-cache.ts).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, written + 1600 - Date.now())));
    const cacheEnv = { ALEMBIC_LINT_CACHE_DIR: path.join(work, "cache") };
    runCli(preArgs, work, cacheEnv);
    const pre = repeatCli(times, preArgs, work, cacheEnv);
    say(`    with the header cache (later commits):  wall ${fmt(pre.wallMs)} (median of ${times}), CPU ${fmt(pre.userMs + pre.systemMs)}, peak RSS ${pre.maxRssMB.toFixed(0)} MB`);
    if (process.env.NODE_EXTRA_CA_CERTS) {
      const preNoCa = repeatCli(times, preArgs, work, { ...cacheEnv, NODE_EXTRA_CA_CERTS: "" });
      say(`    the same without NODE_EXTRA_CA_CERTS (see below): wall ${fmt(preNoCa.wallMs)} (median of ${times}), CPU ${fmt(preNoCa.userMs + preNoCa.systemMs)}`);
    }
    const bareStart = (env: NodeJS.ProcessEnv) =>
      median(
        Array.from({ length: 5 }, () => {
          const t0 = performance.now();
          spawnSync(process.execPath, ["-e", "0"], { env });
          return performance.now() - t0;
        }),
      );
    say(`    node -e 0 (Node's own start-up): ${fmt(bareStart(process.env))}`);
    // Node reads the whole CA bundle at start-up when this is set (as on some CI images
    // and sandboxes); every run above pays it, python3 does not.
    if (process.env.NODE_EXTRA_CA_CERTS) {
      const { NODE_EXTRA_CA_CERTS: _, ...withoutCa } = process.env;
      say(`    NODE_EXTRA_CA_CERTS is set: Node loads it at every start; node -e 0 without it: ${fmt(bareStart(withoutCa))}`);
    }

    const list = path.join(work, "files.txt");
    writeFileSync(list, files.join("\n"));
    const py = pythonParse(list, repeat);
    if (py) say(`(d) python3 ast.parse of the same files:  loop ${fmt(py.loopMs)}, whole process ${fmt(py.processMs)}; (b) / python process = ${(full.wallMs / py.processMs).toFixed(2)}`);
    else say("(d) python3 not available: skipped");

    if (values.real) {
      const root = path.resolve(values.real);
      // Migration scripts only (helpers, tools and env.py have no revision header).
      const all = pyFiles(root).filter((f) => /^\s*down_revision\b/m.test(readFileSync(f, "latin1")));
      const dirs = [...new Set(all.map((f) => path.dirname(f)))].sort();
      const realList = path.join(work, "real.txt");
      writeFileSync(realList, all.join("\n"));
      const realParse = await rawParse(all, repeat);
      const realText = textRead(all, repeat);
      const real = repeatCli(repeat, ["check", ...dirs, "--format", "json", "-o", path.join(work, "real.json"), "--exit-zero", ...jobsArgs], work);
      say(`(e) real corpus: ${all.length} files in ${dirs.length} directories`);
      say(`    tree-sitter parse 1 thread ${fmt(realParse)}; the text reader ${fmt(realText.ms)} (${realText.read} of ${all.length} files read)`);
      say(`    alembic-lint check: wall ${fmt(real.wallMs)}, CPU ${fmt(real.userMs + real.systemMs)}, peak RSS ${real.maxRssMB.toFixed(0)} MB`);
      const rpy = pythonParse(realList, repeat);
      if (rpy) say(`    python3 ast.parse: loop ${fmt(rpy.loopMs)}, whole process ${fmt(rpy.processMs)}; check / python process = ${(real.wallMs / rpy.processMs).toFixed(2)}`);
      if (process.env.NODE_EXTRA_CA_CERTS) {
        // Empty counts as unset for Node.
        const noCa = repeatCli(repeat, ["check", ...dirs, "--format", "json", "-o", path.join(work, "real.json"), "--exit-zero", ...jobsArgs], work, { NODE_EXTRA_CA_CERTS: "" });
        say(`    alembic-lint check without NODE_EXTRA_CA_CERTS: wall ${fmt(noCa.wallMs)}, CPU ${fmt(noCa.userMs + noCa.systemMs)}${rpy ? `; / python process = ${(noCa.wallMs / rpy.processMs).toFixed(2)}` : ""}`);
      }
    }
    if (values.families) {
      const fam = writeCorpus(path.join(work, "families"), 1000, 11);
      const cpu = (sel: string | null) => {
        const r = repeatCli(repeat, ["check", fam, "--format", "json", "-o", path.join(work, "fam.json"), "--exit-zero", "--jobs", "1", ...(sel ? ["--select", sel] : [])], work);
        return r.userMs + r.systemMs;
      };
      const base = cpu("ALM900");
      // A family cheaper than the run noise can come out below ALM900 alone: signed, not "+-12".
      const delta = (ms: number) => (ms < 0 ? `−${fmt(-ms)}` : `+${fmt(ms)}`);
      const parts = ["ALM0", "ALM1", "ALM2", "ALM3", "ALM4"].map((f) => `${f} ${delta(cpu(f) - base)}`);
      say(`(f) rule families, CPU on 1000 files, 1 thread: ALM900 alone ${fmt(base)}; ${parts.join(", ")}; default rules ${delta(cpu(null) - base)}`);
    }
  } finally {
    if (values.keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
