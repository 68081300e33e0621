// The shortcuts the analyses take for speed must not change any answer:
// - simulateMigration derives the no-enum simulation from the enum one and takes a
//   function's starting FK edges from its pair's own simulation; a plain `simulate` call
//   per function (each with its own walk of the other function) must answer the same;
// - sql.ts classifySql lexes a text once and reuses the tokens per statement, and caches
//   per text; classifying each statement alone must give the same statements.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtureFiles } from "./fixtures-harness.js";
import { parseMigration } from "../src/parse/index.js";
import { simulate, simulateMigration, tableRef, typeRef, type LifeEvent, type ForeignKeyEdge, type Simulation } from "../src/analysis/schema.js";
import { classifySql, classifyStatement, splitSql } from "../src/analysis/sql.js";
import type { Migration, Section } from "../src/model.js";


const ev = (e: LifeEvent | undefined) =>
  e && [e.ref.kind, e.ref.schema, e.ref.table, e.ref.name, e.action, e.pos, e.maybe, e.guarded, e.cascade, e.otherName, e.origin?.order, e.step.kind === "op" ? e.step.op.order : `T${e.step.event.order}`];
const fk = (e: ForeignKeyEdge) => [e.name, e.schema, e.table, e.columns, e.refSchema, e.refTable, e.refColumns, e.op.order, e.section.name, e.created, e.removed, e.maybe];

/** Every answer of a simulation, as plain data (ops by their order). */
function dump(section: Section, sim: Simulation): unknown[] {
  const out: unknown[] = [section.name, sim.steps.map((s) => [s.kind, s.pos, s.kind === "op" ? s.op.order : s.event.order]), sim.events.map(ev)];
  out.push([...sim.catalog.indexes.keys()], [...sim.catalog.constraints.keys()], [...sim.catalog.columns.keys()]);
  for (let p = -1; p <= sim.steps.length + 1; p++) out.push(sim.liveForeignKeys(p).map(fk));
  for (const st of sim.steps) {
    if (st.kind !== "op") continue;
    const op = st.op;
    out.push([op.order, sim.posOf(op), sim.reportable(op), sim.hiddenBefore(op), sim.hiddenAfter(op), sim.tableCreatedBefore(op)]);
    for (const r of [...sim.usesOf(op), tableRef(op.schema, op.table ?? "x"), typeRef("status")]) {
      out.push([r.kind, r.schema, r.table, r.name, sim.history(r).map(ev), sim.createdBefore(r, op), sim.barrierBetween(-1, st.pos, [r.name])]);
      for (const p of [st.pos, st.pos + 1, 0, sim.steps.length]) {
        const s = sim.state(r, p);
        out.push([p, ev(sim.prev(r, p)), ev(sim.next(r, p)), s.state, ev(s.event)]);
      }
    }
  }
  return out;
}

async function load(path: string): Promise<Migration> {
  return parseMigration(readFileSync(path, "utf8"), path, path);
}

describe("simulateMigration shortcuts", () => {
  const files = fixtureFiles(/^alm(1|2|3)\d\d-/);

  it("finds fixtures", () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each([true, false])("answers like one plain simulate() per function (enumTypes=%s)", async (enumTypes) => {
    for (const path of files) {
      const shared = await load(path);
      // Warm the other setting first: the no-enum one is derived from the enum one.
      simulateMigration(shared, { enumTypes: !enumTypes });
      const got = simulateMigration(shared, { enumTypes }).map(({ section, sim }) => dump(section, sim));
      const fresh = await load(path);
      const want: unknown[] = [];
      for (const pair of fresh.pairs) {
        for (const [section, other] of [[pair.upgrade, pair.downgrade], [pair.downgrade, pair.upgrade]] as const) {
          if (!section || section.dispatcher) continue;
          want.push(dump(section, simulate(section, { other, migration: fresh, enumTypes })));
        }
      }
      expect(got, path).toEqual(want);
    }
  });
});

describe("sql.ts classifySql shortcuts", () => {
  const texts = [
    "UPDATE t SET a = 1 WHERE id > 2",
    "update t set a=1; DELETE FROM u; insert into v (a, b) values (1, 2)",
    "DO $$ BEGIN; DROP TABLE x; END $$; DROP TABLE y",
    "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN; END; $body$ LANGUAGE plpgsql;",
    "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END; DROP TABLE z",
    "SELECT 1 -- trailing; comment\n; ALTER TABLE t DROP COLUMN c",
    "\u3000E'x' ; N'y'\u2003",
    "DROP TABLE a\u2003; DROP TABLE b\u00a0",
    "x:\u2003; UPDATE t SET c = :v",
    "'unterminated ; still the string   ",
    "ALTER TABLE t ADD COLUMN c int, DROP COLUMN d; TRUNCATE a, b",
  ];

  it.each(texts)("gives each statement as classified alone: %j", (sql) => {
    const alone = splitSql(sql).map((ch) => ({ ...classifyStatement(ch.text, ch.start), end: ch.end }));
    expect(classifySql(sql)).toEqual(alone);
    // Cached per text: the same (shared, read-only) result again.
    expect(classifySql(sql)).toBe(classifySql(sql));
  });
});
