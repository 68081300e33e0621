// The per-target job (load → parse → extract → per-file rules) and the worker thread
// that runs it for chunks of files sent by src/engine/pool.ts. Imported in the main
// thread too (the in-process path runs the same job): the message loop starts only
// inside a pool worker.
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { loadMigration, type Loaded } from "../load.js";
import { resolveSelection, type Selection } from "./registry.js";
import { runFileRules, type FileRuleResult, type RunOptions } from "./run.js";
import type { Dialect } from "./rule.js";

/** A file the per-file rules check: absolute and display path. */
export interface TargetTask {
  abs: string;
  path: string;
}

/** What checking one target gives: the loaded file and, for a migration, its per-file findings. */
export interface TargetOutcome {
  loaded: Loaded;
  rules: FileRuleResult | null;
  /**
   * Set when a worker sent the migration without its function bodies (`DEFERRED` keys):
   * the migration's own key order, for the main thread to rebuild them on first use.
   */
  keys?: string[];
}

/**
 * Parts of a Migration that only per-file rules and fixes read. Workers do not send them:
 * after the per-file rules, the main thread keeps what graph rules, suppressions and
 * reporters need (header, source, comments), and re-extracts the rest only if asked.
 */
export const DEFERRED = ["sections", "pairs"] as const;

export function withoutBodies(o: TargetOutcome): TargetOutcome {
  if (o.loaded.kind !== "migration") return o;
  const m = o.loaded.migration;
  const slim: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (!(DEFERRED as readonly string[]).includes(k)) slim[k] = v;
  return { ...o, loaded: { kind: "migration", migration: slim as never }, keys: Object.keys(m) };
}

export async function lintTarget(task: TargetTask, opts: RunOptions): Promise<TargetOutcome> {
  const loaded = await loadMigration(task.abs, task.path);
  return { loaded, rules: loaded.kind === "migration" ? runFileRules(loaded.migration, opts) : null };
}

/** Everything a worker needs to rebuild the run's rule set (plain data). */
export interface WorkerInit {
  marker: typeof WORKER_MARKER;
  selection: Selection;
  dialect: Dialect;
  ruleOptions?: Record<string, Record<string, unknown>>;
  /** The active rule codes in order, as the main thread resolved them (checked on start). */
  codes: string[];
}

export const WORKER_MARKER = "alembic-lint/worker@1";

export type WorkerRequest = { id: number; tasks: TargetTask[] };
export type WorkerReply = { id: number; outcomes: TargetOutcome[] } | { id: number; error: string };

function startWorker(init: WorkerInit): void {
  const port = parentPort!;
  const rules = resolveSelection(init.selection);
  const codes = rules.map((r) => r.rule.meta.code);
  if (codes.join(",") !== init.codes.join(",")) throw new Error(`worker resolved other rules than the main thread (${codes.join(",")})`);
  const opts: RunOptions = { rules, dialect: init.dialect, ...(init.ruleOptions ? { ruleOptions: init.ruleOptions } : {}) };
  // One chunk at a time, in order; the WASM parser is loaded once per thread (loadParser).
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (req: WorkerRequest) => {
    queue = queue.then(async () => {
      let reply: WorkerReply;
      try {
        const outcomes: TargetOutcome[] = [];
        for (const task of req.tasks) outcomes.push(withoutBodies(await lintTarget(task, opts)));
        reply = { id: req.id, outcomes };
      } catch (err) {
        reply = { id: req.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      }
      port.postMessage(reply);
    });
  });
}

if (!isMainThread && parentPort && (workerData as WorkerInit | undefined)?.marker === WORKER_MARKER) startWorker(workerData as WorkerInit);
