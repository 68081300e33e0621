// `alembic-lint inspect PATH... [--json]`: the extracted model, per the contract in
// interfaces.md. It is how extraction is verified against other readings.
import { discover, displayPath } from "../discover.js";
import { loadMigration } from "../load.js";
import { isExpr, type HeaderVar, type Migration, type Op, type Section, type Value } from "../model.js";
import type { IO } from "../errors.js";

/** JSON form of a value: literals as JSON, everything else as {"expr": source}. */
export function plainValue(v: Value): unknown {
  if (Array.isArray(v)) return v.map(plainValue);
  if (isExpr(v)) return { expr: v.expr };
  return v;
}

function headerList(h: HeaderVar | null): unknown {
  if (!h) return null;
  return Array.isArray(h.value) ? h.value : { expr: h.value.expr };
}

export function opJson(op: Op): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(op.args)) args[k] = plainValue(v);
  return {
    op: op.name,
    line: op.span.line,
    column: op.span.column,
    batch: op.batch,
    table: op.table,
    schema: op.schema,
    args,
    ...(op.extraArgs.length > 0 ? { extra_args: op.extraArgs.map(plainValue) } : {}),
    ...(op.conditional ? { conditional: true } : {}),
    ...(op.via.length > 0 ? { via: op.via } : {}),
    ...(op.autocommit ? { autocommit: true } : {}),
    ...(op.name === "execute" ? { sql: op.sql ?? null } : {}),
  };
}

function sectionJson(s: Section | undefined): unknown {
  if (!s) return null;
  return {
    line: s.span.line,
    ops: s.ops.map(opJson),
    partial: s.unanalyzed.length > 0,
    ...(s.unanalyzed.length > 0 ? { unanalyzed: s.unanalyzed.map((u) => ({ reason: u.reason, line: u.span.line })) } : {}),
  };
}

export function migrationJson(m: Migration): Record<string, unknown> {
  const h = m.header;
  const rev = h.revision?.value;
  const sections: Record<string, unknown> = {
    upgrade: sectionJson(m.sections.find((s) => s.name === "upgrade")),
    downgrade: sectionJson(m.sections.find((s) => s.name === "downgrade")),
  };
  for (const s of m.sections) if (!(s.name in sections)) sections[s.name] = sectionJson(s);
  return {
    path: m.path,
    revision: rev === undefined ? null : isExpr(rev ?? undefined) ? { expr: (rev as { expr: string }).expr } : rev,
    down_revision: headerList(h.downRevision),
    branch_labels: headerList(h.branchLabels) ?? [],
    depends_on: headerList(h.dependsOn) ?? [],
    header: h.docstring ? { revision: h.docstring.revision, revises: h.docstring.revises } : null,
    sections,
    ...(m.parseError ? { parse_error: m.parseError } : {}),
  };
}

function human(m: Migration): string {
  const h = m.header;
  const rev = h.revision ? (typeof h.revision.value === "string" ? h.revision.value : JSON.stringify(h.revision.value)) : "(no revision)";
  const down = h.downRevision ? (Array.isArray(h.downRevision.value) ? h.downRevision.value.join(", ") || "base" : h.downRevision.value.expr) : "(no down_revision)";
  const lines = [`${m.path}: ${rev} (revises ${down})`];
  if (m.parseError) lines.push(`  parse error at ${m.parseError.line}:${m.parseError.column}: ${m.parseError.message}`);
  for (const s of m.sections) {
    lines.push(`  ${s.name}() at line ${s.span.line}${s.dispatcher ? " (multi-db dispatcher)" : ""}${s.ops.length === 0 ? `: no operations (${s.body})` : ""}`);
    for (const op of s.ops) {
      const flags = [op.batch ? "batch" : "", op.conditional ? "conditional" : "", op.autocommit ? "autocommit" : "", op.via.length ? `via ${op.via.join(" > ")}` : ""].filter(Boolean);
      lines.push(`    ${op.span.line}:${op.span.column}  ${op.name}${op.table ? ` ${op.schema ? op.schema + "." : ""}${op.table}` : ""}${flags.length ? `  [${flags.join(", ")}]` : ""}`);
    }
    for (const u of s.unanalyzed) lines.push(`    ${u.span.line}:${u.span.column}  not analyzed: ${u.reason}`);
  }
  return lines.join("\n");
}

export async function inspectCommand(paths: string[], json: boolean, io: Pick<IO, "stdout" | "stderr" | "cwd">): Promise<number> {
  const trees = discover(paths, { cwd: io.cwd });
  const files: Record<string, unknown>[] = [];
  const texts: string[] = [];
  let failed = false;
  const targets = [...new Set(trees.flatMap((t) => [...t.targets]))].sort();
  for (const abs of targets) {
    const loaded = await loadMigration(abs, displayPath(abs, io.cwd));
    if (loaded.kind === "migration") {
      files.push(migrationJson(loaded.migration));
      texts.push(human(loaded.migration));
    } else {
      failed = failed || loaded.kind === "error";
      io.stderr(`alembic-lint: ${loaded.path}: ${loaded.kind === "error" ? loaded.message : `skipped (${loaded.reason})`}\n`);
    }
  }
  files.sort((a, b) => ((a.path as string) < (b.path as string) ? -1 : 1));
  io.stdout(json ? JSON.stringify({ files }, null, 2) + "\n" : texts.join("\n\n") + "\n");
  return failed ? 1 : 0;
}
