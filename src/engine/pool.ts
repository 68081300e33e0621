// Checks target files (load → parse → extract → per-file rules) on a pool of worker
// threads, or in this thread for small runs. Outcomes come back in task order whatever
// the scheduling, so results never depend on the number of workers.
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import type { Parser as TSParser } from "web-tree-sitter";
import type { Migration } from "../model.js";
import { loadParser, normalizeSource } from "../parse/index.js";
import { extractMigration } from "../parse/extract.js";
import { parseWith } from "../parse/syntax.js";
import { readModuleText } from "../parse/textreader.js";
import type { RunOptions } from "./run.js";
import type { Selection } from "./registry.js";
import { DEFERRED, lintTarget, withoutBodies, WORKER_MARKER, type TargetOutcome, type TargetTask, type WorkerInit, type WorkerReply, type WorkerRequest } from "./worker.js";

export type { TargetOutcome, TargetTask } from "./worker.js";

/**
 * Below `POOL_BREAK_EVEN / threads` target files the run stays in this thread. Each worker
 * pays its own JIT warm-up (~1.5 s of CPU, most of it V8's optimising compiler on
 * background threads), and one thread already keeps ~1.3 cores busy. Measured on 2 cores
 * (docs/performance.md, "Pool threshold"): one thread is faster than two workers up to
 * ~7,000-8,000 synthetic files (3,000: 3.0 s vs 3.5 s; 7,000: 5.3 s vs 5.5 s; 10,000:
 * 7.5-8.2 s vs 6.4-6.9 s). With more cores the workers share the warm-up in parallel and
 * split the files further, so the threshold falls with the thread count.
 */
const POOL_BREAK_EVEN = 14_000;
/** In-thread runs from this many files on (or from the pool threshold, if lower) drop each checked file's bodies. */
const DEFER_BODIES_MIN_FILES = 400;
/**
 * Up to this many target files the main thread checks files too (one worker start-up less).
 * Above, it only collects: its heap holds every file's results, and parsing there as well
 * makes it grow (peak RSS +200 MB on 10,000 files) for a start-up that no longer matters.
 */
const MAIN_THREAD_MAX_FILES = 1000;
/** Each worker gets at least this many files, or fewer workers start. */
const MIN_FILES_PER_WORKER = 40;

export interface TargetRunOptions {
  run: RunOptions;
  /** The selection `run.rules` was resolved from (workers resolve it again). */
  selection: Selection;
  /** Threads checking files at most, this one included (default: available cores); 1: no workers. */
  jobs?: number;
  /** Use workers only from this many target files on (default 14,000 / threads, i.e. 7,000 on 2 cores; env ALEMBIC_LINT_POOL_MIN_FILES). */
  poolMinFiles?: number;
}

export function defaultJobs(): number {
  return Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
}

/** Threads checking files at most: `--jobs`, or the cores. */
function jobsOf(opts: Pick<TargetRunOptions, "jobs">): number {
  return Math.max(1, Math.floor(opts.jobs ?? defaultJobs()));
}

/** The fewest target files for which workers are used, for `threads` threads checking files. */
export function defaultPoolMinFiles(threads: number): number {
  return Math.ceil(POOL_BREAK_EVEN / Math.max(2, threads));
}

function poolMinFiles(opts: Pick<TargetRunOptions, "jobs" | "poolMinFiles">): number {
  if (opts.poolMinFiles !== undefined) return opts.poolMinFiles;
  const env = Number(process.env.ALEMBIC_LINT_POOL_MIN_FILES);
  if (Number.isInteger(env) && env >= 0) return env;
  return defaultPoolMinFiles(Math.min(defaultJobs(), jobsOf(opts)));
}

/** The compiled worker module, or null when running from TypeScript sources (no workers then). */
function workerFile(): URL | null {
  const url = new URL("./worker.js", import.meta.url);
  try {
    return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

/** How many threads check the files of a run of `count` targets (0: this thread alone, no pool). */
export function poolSize(count: number, opts: Pick<TargetRunOptions, "jobs" | "poolMinFiles">): number {
  const jobs = jobsOf(opts);
  const min = poolMinFiles(opts);
  if (count === 0 || count < min) return 0;
  // One thread: this one, except in runs too large for its heap to hold both every file's
  // results and the garbage of checking them (one worker checks, this thread collects).
  if (jobs <= 1) return count > MAIN_THREAD_MAX_FILES ? 1 : 0;
  return Math.max(1, Math.min(jobs, Math.ceil(count / Math.max(1, Math.min(MIN_FILES_PER_WORKER, min)))));
}

export async function lintTargets(tasks: TargetTask[], opts: TargetRunOptions): Promise<TargetOutcome[]> {
  const size = poolSize(tasks.length, opts);
  const url = size > 0 ? workerFile() : null;
  if (url) return inPool(tasks, opts, size, url);
  // Large runs in this thread drop function bodies too, as workers do: each file's bodies
  // (and the rules' caches on them) go once checked.
  return inThread(tasks, opts.run, tasks.length > 0 && tasks.length >= Math.min(DEFER_BODIES_MIN_FILES, poolMinFiles(opts)));
}

async function inThread(tasks: TargetTask[], run: RunOptions, deferBodies: boolean): Promise<TargetOutcome[]> {
  const out: TargetOutcome[] = [];
  for (const t of tasks) out.push(deferBodies ? withoutBodies(await lintTarget(t, run)) : await lintTarget(t, run));
  if (deferBodies) {
    const parser = await loadParser();
    for (const o of out) if (o.keys && o.loaded.kind === "migration") o.loaded.migration = deferredMigration(o.loaded.migration, o.keys, parser);
  }
  return out;
}

async function inPool(tasks: TargetTask[], opts: TargetRunOptions, size: number, url: URL): Promise<TargetOutcome[]> {
  const { Worker } = await import("node:worker_threads");
  const init: WorkerInit = {
    marker: WORKER_MARKER,
    selection: opts.selection,
    dialect: opts.run.dialect,
    ...(opts.run.ruleOptions ? { ruleOptions: opts.run.ruleOptions } : {}),
    codes: opts.run.rules.map((r) => r.rule.meta.code),
  };
  // `size` threads check files: for small runs this one and size - 1 workers (a worker
  // costs a start-up: its own module loading, WASM compilation and JIT warm-up), else
  // `size` workers. Small chunks balance the load; two in flight per worker hide the
  // message latency.
  const chunkSize = Math.max(1, Math.min(32, Math.ceil(tasks.length / (size * 16))));
  const mainWorks = tasks.length <= MAIN_THREAD_MAX_FILES;
  const workerCount = mainWorks ? size - 1 : size;
  const chunks: { start: number; tasks: TargetTask[] }[] = [];
  for (let i = 0; i < tasks.length; i += chunkSize) chunks.push({ start: i, tasks: tasks.slice(i, i + chunkSize) });
  const outcomes: TargetOutcome[] = new Array(tasks.length);
  const completed: boolean[] = chunks.map(() => false);
  let next = 0;

  const runWorker = (worker: Worker) =>
    new Promise<void>((resolve) => {
      const inFlight = new Set<number>();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        resolve();
      };
      const send = () => {
        if (next >= chunks.length) {
          if (inFlight.size === 0) finish();
          return;
        }
        const id = next++;
        inFlight.add(id);
        worker.postMessage({ id, tasks: chunks[id]!.tasks } satisfies WorkerRequest);
      };
      worker.on("message", (reply: WorkerReply) => {
        inFlight.delete(reply.id);
        if (!("error" in reply)) {
          reply.outcomes.forEach((o, i) => (outcomes[chunks[reply.id]!.start + i] = o));
          completed[reply.id] = true;
        }
        send();
      });
      // A worker that dies (e.g. out of memory) leaves its chunks to this thread (below).
      worker.on("error", finish);
      worker.on("exit", finish);
      send();
      send();
    });

  // This thread takes chunks too, one file at a time between the workers' replies.
  const runHere = async () => {
    while (mainWorks && next < chunks.length) {
      const id = next++;
      const c = chunks[id]!;
      for (let i = 0; i < c.tasks.length; i++) {
        outcomes[c.start + i] = withoutBodies(await lintTarget(c.tasks[i]!, opts.run));
        await new Promise((resolve) => setImmediate(resolve));
      }
      completed[id] = true;
    }
  };

  // For tests and benchmarks: say that the pool ran.
  if (process.env.ALEMBIC_LINT_TRACE_POOL) process.stderr.write(`alembic-lint: pool: ${workerCount + (mainWorks ? 1 : 0)} threads (${workerCount} workers), ${chunks.length} chunks of ${chunkSize} files\n`);
  // For the function bodies workers leave out (see DEFERRED), read again on first use.
  const parsing = loadParser();
  parsing.catch(() => {});
  const workers: Worker[] = [];
  try {
    // A 32 MB young generation: at 16 MB a worker collected twice as often and promoted
    // 4-5 times more of a chunk's results still waiting to be sent (10,000 files: 3-5%
    // slower, 40 MB less peak RSS). An old-generation limit makes V8 collect a worker's
    // heap before it grows: without it, 10,000 files peaked at 420–650 MB from run to
    // run, with it at ~390 MB, for the same time. (A worker that still runs out of memory
    // leaves its chunks to this thread.)
    const resourceLimits = { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 256 };
    for (let i = 0; i < workerCount; i++) workers.push(new Worker(url, { workerData: init, resourceLimits }));
    await Promise.all([...workers.map(runWorker), runHere()]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate().catch(() => 0)));
  }
  const parser = await parsing;
  for (const o of outcomes) if (o && o.keys && o.loaded.kind === "migration") o.loaded.migration = deferredMigration(o.loaded.migration, o.keys, parser);
  // Chunks no worker finished (a worker died or its chunk failed): checked here, in order.
  for (let id = 0; id < chunks.length; id++) {
    if (completed[id]) continue;
    const c = chunks[id]!;
    for (let i = 0; i < c.tasks.length; i++) outcomes[c.start + i] = await lintTarget(c.tasks[i]!, opts.run);
  }
  return outcomes;
}

/**
 * A migration whose DEFERRED parts (function bodies) are re-extracted from its source on
 * first access. Extraction is a pure function of the source, so the result is the one the
 * worker had; the keys keep their original order (JSON output is unchanged).
 */
function deferredMigration(slim: Migration, keys: string[], parser: TSParser): Migration {
  const out = {} as Record<string, unknown>;
  let full: Migration | null = null;
  const materialize = (): Migration => {
    const source = normalizeSource(slim.source);
    full ??= extractMigration(readModuleText(source) ?? parseWith(parser, source), { path: slim.path, absPath: slim.absPath });
    for (const k of DEFERRED) if (isAccessor(out, k)) Object.defineProperty(out, k, { value: full[k], writable: true, enumerable: true, configurable: true });
    return full;
  };
  for (const k of keys) {
    if ((DEFERRED as readonly string[]).includes(k)) {
      Object.defineProperty(out, k, {
        get: () => materialize()[k as keyof Migration],
        set: (v: unknown) => {
          materialize();
          out[k] = v;
        },
        enumerable: true,
        configurable: true,
      });
    } else {
      out[k] = (slim as unknown as Record<string, unknown>)[k];
    }
  }
  return out as unknown as Migration;
}

function isAccessor(o: object, k: string): boolean {
  const d = Object.getOwnPropertyDescriptor(o, k);
  return !!d && "get" in d;
}
