// `alembic-lint plan [PATH] --from REV [--to REV]`: the migrations an upgrade from REV to
// REV (default: heads) would run, in execution order, or the downgrade when --to is an
// ancestor of --from, each with the findings of the default rule set.
import { parseArgs } from "node:util";
import { resolveSelection } from "../engine/registry.js";
import { runRules, sortDiagnostics } from "../engine/run.js";
import { applySuppressions } from "../engine/suppress.js";
import type { Diagnostic } from "../engine/rule.js";
import type { Migration, MigrationSet } from "../model.js";
import { ancestors, descendants, docMessage, resolveTarget, topoOrder, type RevisionGraph } from "../graph.js";
import { idJson, idText, loadTrees, type CommandIO, type LoadedTree } from "./graph.js";

export interface PlanStep {
  revision: string;
  migration: Migration;
  findings: Diagnostic[];
}

export interface Plan {
  direction: "upgrade" | "downgrade";
  from: string[];
  to: string[];
  steps: PlanStep[];
}

/** Which revisions an upgrade/downgrade from `fromIds` to `toIds` runs, in execution order. */
export function planRevisions(g: RevisionGraph, fromIds: string[], toIds: string[]): { direction: "upgrade" | "downgrade"; ids: string[] } {
  const applied = ancestors(g, fromIds, true);
  const wanted = ancestors(g, toIds, true);
  const order = topoOrder(g);
  const isDowngrade = toIds.every((t) => applied.has(t)) && [...applied].some((a) => !wanted.has(a));
  if (isDowngrade) {
    // Undo what was applied and descends from the target (everything, for base).
    const below = toIds.length === 0 ? applied : descendants(g, toIds, true);
    const undo = new Set([...applied].filter((id) => below.has(id) && !wanted.has(id)));
    return { direction: "downgrade", ids: order.filter((id) => undo.has(id)).reverse() };
  }
  const run = new Set([...wanted].filter((id) => !applied.has(id)));
  return { direction: "upgrade", ids: order.filter((id) => run.has(id)) };
}

/** Runs the default rules on the planned files (graph rules still see the whole tree). */
function findingsFor(t: LoadedTree, files: Migration[]): Map<string, Diagnostic[]> {
  const targets = new Set(files.map((m) => m.absPath));
  const set: MigrationSet = { ...t.set, targets };
  const rules = resolveSelection({});
  const { diagnostics } = runRules([set], { rules, dialect: "postgresql" });
  const byPath = new Map<string, Migration | null>(t.set.migrations.map((m) => [m.path, m]));
  const kept = sortDiagnostics(applySuppressions(diagnostics, byPath, rules)).filter((d) => !d.suppressed);
  const out = new Map<string, Diagnostic[]>();
  for (const m of files) out.set(m.path, kept.filter((d) => d.path === m.path));
  return out;
}

type Resolved = { ok: true; ids: string[] } | { ok: false; message: string };

function resolve(g: RevisionGraph, rev: string, current?: string[]): Resolved {
  const r = resolveTarget(g, rev, current);
  if (r.ok) return { ok: true, ids: r.ids };
  return { ok: false, message: r.message };
}

const HELP = `Usage: alembic-lint plan [PATH] --from REV [--to REV] [--json]

Lists, in execution order, the migrations that \`alembic upgrade\` from REV to --to
(default: heads) would run, or the downgrade when --to is an ancestor of --from, each
with its findings. REV is a revision id, a unique prefix, a branch label, head, heads,
base, label@head, or relative to --from (--to +2, --to -1). Exit status 2 when a REV is unknown or ambiguous.
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  let values: { from?: string; to?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  // `--to -1` (as typed for alembic): the value is a relative revision, not an option.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if ((a === "--from" || a === "--to") && next !== undefined && /^-\d+$/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { from: { type: "string" }, to: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.stderr(`alembic-lint plan: ${(err as Error).message.split("\n")[0]} (see --help)\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (values.from === undefined || values.from === "") {
    io.stderr("alembic-lint plan: --from REV is required (a revision id, label, head, heads or base)\n");
    return 2;
  }
  const from = values.from;
  const to = values.to ?? "heads";
  let trees: LoadedTree[];
  try {
    trees = await loadTrees(positionals, io.cwd);
  } catch (err) {
    io.stderr(`alembic-lint plan: ${(err as Error).message}\n`);
    return 2;
  }
  // With several versions trees, plan the ones where both revisions resolve.
  const usable: { t: LoadedTree; from: string[]; to: string[] }[] = [];
  const errors: string[] = [];
  for (const t of trees) {
    const f = resolve(t.graph, from);
    const d = resolve(t.graph, to, f.ok ? f.ids : undefined);
    if (f.ok && d.ok) usable.push({ t, from: f.ids, to: d.ids });
    else errors.push(`${t.tree.display}: ${!f.ok ? `--from ${JSON.stringify(from)}: ${f.message}` : `--to ${JSON.stringify(to)}: ${(d as { message: string }).message}`}`);
  }
  // A literal id that one tree knows selects that tree; symbols (base, heads) plan every tree.
  if (usable.length === 0) {
    for (const e of errors) io.stderr(`alembic-lint plan: ${e}\n`);
    return 2;
  }
  const plans: { t: LoadedTree; plan: Plan }[] = [];
  for (const u of usable) {
    const g = u.t.graph;
    const { direction, ids } = planRevisions(g, u.from, u.to);
    const migrations = ids.map((id) => g.nodes.get(id)!.migration);
    const findings = findingsFor(u.t, migrations);
    plans.push({
      t: u.t,
      plan: { direction, from: u.from, to: u.to, steps: ids.map((id) => ({ revision: id, migration: g.nodes.get(id)!.migration, findings: findings.get(g.nodes.get(id)!.migration.path) ?? [] })) },
    });
  }
  if (values.json) {
    io.stdout(JSON.stringify({
      trees: plans.map(({ t, plan }) => ({
        path: t.tree.display,
        direction: plan.direction,
        from: plan.from.map((x) => idJson(t.graph, x)),
        to: plan.to.map((x) => idJson(t.graph, x)),
        steps: plan.steps.map((s) => ({
          revision: idJson(t.graph, s.revision),
          path: s.migration.path,
          message: docMessage(s.migration),
          findings: s.findings.map((d) => ({ code: d.code, name: d.name, severity: d.severity, line: d.span.line, column: d.span.column, message: d.message })),
        })),
      })),
    }, null, 2) + "\n");
    return 0;
  }
  const out: string[] = [];
  for (const { t, plan } of plans) {
    const show = (ids: string[], sym: string) => (ids.length === 0 ? "base" : ids.length > 1 || sym !== ids[0] ? `${sym} (${ids.map((x) => idText(idJson(t.graph, x))).join(", ")})` : sym);
    const n = plan.steps.length;
    out.push(`${t.tree.display}: ${plan.direction} from ${show(plan.from, from)} to ${show(plan.to, to)}: ${n === 0 ? "nothing to run" : `${n} migration${n === 1 ? "" : "s"}`}`);
    plan.steps.forEach((s, i) => {
      const msg = docMessage(s.migration);
      out.push(`  ${String(i + 1).padStart(String(n).length)}. ${idText(idJson(t.graph, s.revision))}${msg ? `  ${msg}` : ""}  (${s.migration.path})`);
      for (const d of s.findings) out.push(`       ${d.severity} ${d.code} ${d.name} line ${d.span.line}: ${d.message}`);
    });
    const total = plan.steps.reduce((a, s) => a + s.findings.length, 0);
    if (n > 0) out.push(`  ${total === 0 ? "no findings" : `${total} finding${total === 1 ? "" : "s"}`}`);
  }
  io.stdout(out.join("\n") + "\n");
  return 0;
}
