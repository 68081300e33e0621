#!/usr/bin/env node
// Mutation recall on real migrations: injects one known defect at a time into real
// upgrade()/downgrade() pairs and checks that the rule whose contract covers it answers,
// and that two harmless edits (a nullable column with its drop; a NOT NULL column with a
// server default and its drop) add no finding. Usage:
//   node scripts/verify/recall.mjs DIR... [--list]
// (build first with `npm run build`). Only pairs whose upgrade is fully analyzable are
// mutated (no unanalyzed code, no conditional or helper-made ops). A miss is a case to
// read, not always a bug: deleting a drop_index that a later drop_table covers changes
// nothing, a downgrade that only raises stays ALM103, and so on. Findings are compared by
// code and message, so a message that quotes a line number can show up as new.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const api = await import(path.join(here, "..", "..", "dist", "src", "index.js"));
const args = process.argv.slice(2);
const list = args.includes("--list");
const dirs = args.filter((a) => !a.startsWith("--"));
if (dirs.length === 0) {
  console.error("usage: recall.mjs DIR... [--list]");
  process.exit(2);
}

function* pyFiles(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* pyFiles(p);
    else if (e.name.endsWith(".py") && e.name !== "__init__.py" && e.name !== "env.py") yield p;
  }
}

/** Default-rule findings of one file as "CODE message" (graph rules and ALM901 left out). */
async function findings(text, file) {
  const { diagnostics } = await api.lintSources([{ path: file, text }], {});
  return diagnostics.filter((d) => d.code >= "ALM100" && d.code !== "ALM901");
}
const key = (d) => `${d.code} ${d.message}`;

const analyzable = (s) => s && s.ops.length > 0 && s.unanalyzed.length === 0 && !s.dispatcher && s.ops.every((o) => !o.conditional && o.via.length === 0 && !o.dynamicTable);
const indentOf = (l) => l.length - l.trimStart().length;

/** Last line (1-based) of the def whose name is on `line`. */
function defEnd(lines, line) {
  const ind = indentOf(lines[line - 1]);
  let end = line;
  for (let i = line; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === "" || l.trimStart().startsWith("#")) continue;
    if (indentOf(l) <= ind) break;
    end = i + 1;
  }
  return end;
}

/** The whole lines of an op's statement, or null when they hold anything else. */
function statementLines(lines, op) {
  if (lines[op.span.line - 1].slice(0, op.span.column - 1).trim() !== "") return null;
  const rest = lines[op.span.endLine - 1].slice(op.span.endColumn - 1).trim();
  return rest === "" || rest.startsWith("#") ? [op.span.line, op.span.endLine] : null;
}

/** Replaces lines a..b (1-based, inclusive; b = a - 1 inserts before a). */
const splice = (lines, a, b, repl) => [...lines.slice(0, a - 1), ...repl, ...lines.slice(b)];
const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Downgrade ops that answer an upgrade op of their own kind. */
const INVERTIBLE = new Set(["drop_column", "drop_table", "drop_index", "drop_constraint", "add_column", "create_table", "create_index", "create_foreign_key", "create_unique_constraint", "create_check_constraint", "create_primary_key", "rename_table", "alter_column"]);

const tried = new Map();
const missed = new Map();
const misses = [];

for (const dir of dirs) {
  for (const file of pyFiles(dir)) {
    const text = fs.readFileSync(file, "utf8");
    const m = await api.parseMigration(text, file, path.resolve(file));
    if (m.parseError || m.pairs.length !== 1) continue;
    const { upgrade: up, downgrade: down } = m.pairs[0];
    if (!analyzable(up)) continue;
    const base = await findings(text, file);
    const baseKeys = new Set(base.map(key));
    const lines = text.split("\n");
    /** Checks one mutation: `expect` gets the findings the mutation added. */
    const check = async (kind, mutated, expect, detail) => {
      const added = (await findings(mutated.join("\n"), file)).map(key).filter((k) => !baseKeys.has(k));
      tried.set(kind, (tried.get(kind) ?? 0) + 1);
      if (expect(added)) return;
      missed.set(kind, (missed.get(kind) ?? 0) + 1);
      misses.push(`${kind}  ${file}  ${detail}\n    added: ${added.map((k) => k.slice(0, 160)).join("\n           ") || "(nothing)"}`);
    };
    const has = (re) => (added) => added.some((k) => re.test(k));
    const upEnd = defEnd(lines, up.span.line);
    const bodyIndent = " ".repeat(indentOf(lines[up.span.line - 1]) + 4);

    if (down && down.ops.length > 0) {
      const end = defEnd(lines, down.span.line);
      await check("no downgrade()", splice(lines, down.span.line, end, []), has(/^ALM101/), "");
      await check("empty downgrade()", splice(lines, down.span.line + 1, end, [`${bodyIndent}pass`]), has(/^ALM102/), "");
    }
    if (analyzable(down)) {
      // Delete one downgrade op that answers an upgrade op.
      for (const op of down.ops) {
        if (!INVERTIBLE.has(op.name)) continue;
        if (base.some((d) => d.code === "ALM105" && d.span.line === op.span.line)) continue;
        // an index, constraint or column of a table the downgrade drops later goes with it
        if (op.name !== "drop_table" && down.ops.some((o) => o.order > op.order && o.name === "drop_table" && o.table === op.table)) continue;
        const r = statementLines(lines, op);
        if (!r) continue;
        const repl = down.ops.length === 1 ? [" ".repeat(op.span.column - 1) + "pass"] : [];
        await check("downgrade op deleted", splice(lines, r[0], r[1], repl), has(/^ALM10[2-6]/), `${op.name} line ${op.span.line}`);
      }
      // Drop another column than the upgrade added.
      for (const op of down.ops) {
        const col = op.args.column_name;
        if (op.name !== "drop_column" || typeof col !== "string") continue;
        const r = statementLines(lines, op);
        if (!r) continue;
        const seg = lines.slice(r[0] - 1, r[1]).join("\n");
        const re = new RegExp(`(["'])${reEscape(col)}\\1`);
        if (!re.test(seg)) continue;
        await check("downgrade drops another column", splice(lines, r[0], r[1], seg.replace(re, `$1${col}_zz$1`).split("\n")), has(/^ALM10[45]/), `${col} line ${op.span.line}`);
      }
      // Swap "drop_index/drop_constraint; drop_table" of one table.
      for (let i = 0; i + 1 < down.ops.length; i++) {
        const a = down.ops[i];
        const b = down.ops[i + 1];
        if (!(["drop_index", "drop_constraint"].includes(a.name) && b.name === "drop_table" && a.table && a.table === b.table)) continue;
        const ra = statementLines(lines, a);
        const rb = statementLines(lines, b);
        if (!ra || !rb || ra[1] + 1 !== rb[0]) continue;
        const swapped = [...lines.slice(rb[0] - 1, rb[1]), ...lines.slice(ra[0] - 1, ra[1])];
        await check("drop of the table moved first", splice(lines, ra[0], rb[1], swapped), has(/^ALM20[1-4]/), `${a.name} line ${a.span.line}`);
      }
    }
    // Edits on a table the upgrade changes but does not create.
    const created = new Set(up.ops.filter((o) => o.name === "create_table").map((o) => o.table));
    const target = up.ops.find((o) => ["add_column", "alter_column", "create_index", "drop_column"].includes(o.name) && o.table && !created.has(o.table) && !o.schema)?.table;
    if (!target || !/^import sqlalchemy as sa\s*$/m.test(text)) continue;
    const addToUpgrade = (stmt) => splice(lines, upEnd + 1, upEnd, [`${bodyIndent}${stmt}`]);
    await check("NOT NULL column without default", addToUpgrade(`op.add_column("${target}", sa.Column("zz_recall", sa.Integer(), nullable=False))`), has(/^ALM304/), target);
    await check("type narrowed", addToUpgrade(`op.alter_column("${target}", "zz_name", type_=sa.String(10), existing_type=sa.String(50))`), has(/^ALM303/), target);
    if (analyzable(down)) {
      await check("column dropped", addToUpgrade(`op.drop_column("${target}", "zz_legacy")`), (a) => has(/^ALM302/)(a) && has(/^ALM104/)(a), target);
      // The upgrade's new line moves the downgrade down by one when it comes after it.
      const downDef = down.span.line > upEnd ? down.span.line + 1 : down.span.line;
      for (const [kind, column] of [
        ["harmless: nullable column", `sa.Column("zz_recall", sa.Integer(), nullable=True)`],
        ["harmless: NOT NULL column with a default", `sa.Column("zz_recall", sa.Integer(), nullable=False, server_default="0")`],
      ]) {
        const withUp = addToUpgrade(`op.add_column("${target}", ${column})`);
        const mutated = splice(withUp, downDef + 1, downDef, [`${bodyIndent}op.drop_column("${target}", "zz_recall")`]);
        // ALM306 (off by default) and ALM307 (a drop and an add on one table) may rightly answer.
        await check(kind, mutated, (a) => a.every((k) => /^ALM30[67]/.test(k)), target);
      }
    }
  }
}

for (const [kind, n] of tried) console.log(`${kind.padEnd(40)} ${String(n).padStart(5)} cases  ${String(missed.get(kind) ?? 0).padStart(4)} without the expected answer`);
if (list) console.log(`\n${misses.join("\n")}`);
else if (misses.length > 0) console.log(`\n--list prints the ${misses.length} cases to read`);
