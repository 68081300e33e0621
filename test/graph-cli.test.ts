// `alembic-lint graph` and `alembic-lint plan`, called in-process with captured output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as graphRun } from "../src/commands/graph.js";
import { run as planRun } from "../src/commands/plan.js";

let root: string;

function mig(rev: string, down: string | string[] | null, msg: string, body: { up: string; down: string }, extra = ""): string {
  const d = down === null ? "None" : typeof down === "string" ? `"${down}"` : `(${down.map((x) => `"${x}"`).join(", ")})`;
  const revises = down === null ? "" : typeof down === "string" ? down : down.join(", ");
  return `"""${msg}\n\nRevision ID: ${rev}\nRevises: ${revises}\nCreate Date: 2024-05-14 09:12:44.123456\n\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n${extra}\n# revision identifiers, used by Alembic.\nrevision = "${rev}"\ndown_revision = ${d}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n${body.up}\n\n\ndef downgrade():\n${body.down}\n`;
}

const pass = { up: "    pass", down: "    pass" };

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, "migrations", "versions"), { recursive: true });
  writeFileSync(path.join(dir, "alembic.ini"), "[alembic]\nscript_location = %(here)s/migrations\n");
  writeFileSync(path.join(dir, "migrations", "env.py"), "from alembic import context\n");
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, "migrations", "versions", f), text);
  return dir;
}

async function call(fn: typeof graphRun, argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await fn(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd });
  return { code, out, err };
}

let linear: string;
let branched: string;
let labelled: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "graph-cli-"));
  linear = project("linear", {
    "4f2e8a1c9b3d_create_account.py": mig("4f2e8a1c9b3d", null, "create account", {
      up: '    op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("legacy", sa.String(20)))',
      down: '    op.drop_table("account")',
    }),
    "a81c3d5e7f90_add_email.py": mig("a81c3d5e7f90", "4f2e8a1c9b3d", "add email", {
      up: '    op.add_column("account", sa.Column("email", sa.String(255)))',
      down: '    op.drop_column("account", "email")',
    }),
    "c93b7e21d4a6_drop_legacy.py": mig("c93b7e21d4a6", "a81c3d5e7f90", "drop legacy", {
      up: '    op.drop_column("account", "legacy")',
      down: "    pass",
    }),
    "e07d5f3a2b18_add_phone.py": mig("e07d5f3a2b18", "c93b7e21d4a6", "add phone", {
      up: '    op.add_column("account", sa.Column("phone", sa.String(32)))',
      down: '    op.drop_column("account", "phone")',
    }),
  });
  branched = project("branched", {
    "0a1b2c3d4e5f_init.py": mig("0a1b2c3d4e5f", null, "init", pass),
    "1b2c3d4e5f60_add_slug.py": mig("1b2c3d4e5f60", "0a1b2c3d4e5f", "add slug", pass),
    "1b2cf0e1d2c3_add_plan.py": mig("1b2cf0e1d2c3", "0a1b2c3d4e5f", "add plan", pass),
    "3d4e5f607182_merge.py": mig("3d4e5f607182", ["1b2cf0e1d2c3", "1b2c3d4e5f60"], "merge", pass),
    "4e5f60718293_add_region.py": mig("4e5f60718293", "0a1b2c3d4e5f", "add region", pass),
  });
  labelled = project("labelled", {
    "7a0b1c2d3e4f_initial.py": mig("7a0b1c2d3e4f", null, "initial", pass),
    "8b1c2d3e4f50_expand.py": mig("8b1c2d3e4f50", "7a0b1c2d3e4f", "expand", pass, "from myproject.db.migration import cli\n").replace("branch_labels = None", "branch_labels = (cli.EXPAND_BRANCH,)"),
    "9c2d3e4f5061_contract.py": mig("9c2d3e4f5061", "7a0b1c2d3e4f", "contract", pass).replace("branch_labels = None", 'branch_labels = ("contract",)'),
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("alembic-lint graph", () => {
  it("prints heads, bases, branch points, merges and the history", async () => {
    const r = await call(graphRun, [], branched);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("migrations/versions: 5 revisions");
    expect(r.out).toMatch(/heads:\s+3d4e5f607182, 4e5f60718293/);
    expect(r.out).toMatch(/bases:\s+0a1b2c3d4e5f/);
    expect(r.out).toMatch(/branch points:\s+0a1b2c3d4e5f/);
    expect(r.out).toMatch(/merges:\s+3d4e5f607182/);
    expect(r.out).toContain("1b2cf0e1d2c3, 1b2c3d4e5f60 -> 3d4e5f607182 (head) (mergepoint), merge");
  });

  it("--json follows the contract: sorted lists, labels, topological order", async () => {
    const r = await call(graphRun, ["--json"], branched);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { trees: Record<string, unknown>[] };
    expect(doc.trees).toHaveLength(1);
    const t = doc.trees[0]!;
    expect(Object.keys(t).sort()).toEqual(["bases", "branchpoints", "heads", "labels", "merges", "order", "path", "revisions"]);
    expect(t).toMatchObject({
      path: "migrations/versions",
      revisions: 5,
      heads: ["3d4e5f607182", "4e5f60718293"],
      bases: ["0a1b2c3d4e5f"],
      branchpoints: ["0a1b2c3d4e5f"],
      merges: ["3d4e5f607182"],
      labels: {},
    });
    const order = t.order as string[];
    expect(order[0]).toBe("0a1b2c3d4e5f");
    expect(order.indexOf("3d4e5f607182")).toBeGreaterThan(order.indexOf("1b2c3d4e5f60"));
    expect(order.indexOf("3d4e5f607182")).toBeGreaterThan(order.indexOf("1b2cf0e1d2c3"));
    expect(new Set(order).size).toBe(5);
  });

  it("--json shows non-literal labels as {expr}", async () => {
    const r = await call(graphRun, ["--json", "migrations/versions"], labelled);
    const t = (JSON.parse(r.out) as { trees: { labels: Record<string, unknown> }[] }).trees[0]!;
    expect(t.labels).toEqual({ "8b1c2d3e4f50": [{ expr: "cli.EXPAND_BRANCH" }], "9c2d3e4f5061": ["contract"] });
  });

  it("--dot prints Graphviz", async () => {
    const r = await call(graphRun, ["--dot", "."], branched);
    expect(r.code).toBe(0);
    expect(r.out.startsWith("digraph alembic {")).toBe(true);
    expect(r.out).toContain('"0:3d4e5f607182" -> "0:1b2c3d4e5f60";');
    expect(r.out).toContain('"0:3d4e5f607182" -> "0:1b2cf0e1d2c3";');
    expect(r.out.trim().endsWith("}")).toBe(true);
  });

  it("usage errors exit 2", async () => {
    expect((await call(graphRun, ["--json", "--dot"], branched)).code).toBe(2);
    const missing = await call(graphRun, ["no/such/dir"], branched);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/does not exist/);
    expect((await call(graphRun, ["--bogus"], branched)).code).toBe(2);
  });
});

describe("alembic-lint plan", () => {
  it("lists the upgrade in execution order with each migration's findings", async () => {
    const r = await call(planRun, ["--from", "4f2e8a1c9b3d"], linear);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("migrations/versions: upgrade from 4f2e8a1c9b3d to heads (e07d5f3a2b18): 3 migrations");
    expect(lines[1]).toMatch(/^ {2}1\. a81c3d5e7f90 {2}add email/);
    expect(lines[2]).toMatch(/^ {2}2\. c93b7e21d4a6 {2}drop legacy/);
    expect(r.out).toMatch(/ALM302 drop-column line \d+/);
    expect(r.out).toMatch(/ALM102 empty-downgrade/);
    expect(r.out).toMatch(/3\. e07d5f3a2b18/);
    // Findings of files outside the plan are not listed.
    expect(r.out).not.toContain("create account");
  });

  it("a prefix or label target, and --to", async () => {
    const r = await call(planRun, ["--from", "a81c", "--to", "c93b"], linear);
    expect(r.code).toBe(0);
    expect(r.out).toContain("upgrade from a81c (a81c3d5e7f90) to c93b (c93b7e21d4a6): 1 migration");
  });

  it("a downgrade when --to is an ancestor of --from, in reverse order", async () => {
    const r = await call(planRun, ["--from", "heads", "--to", "a81c3d5e7f90"], linear);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toContain("downgrade from heads (e07d5f3a2b18) to a81c3d5e7f90: 2 migrations");
    expect(lines[1]).toContain("e07d5f3a2b18");
    expect(r.out.indexOf("c93b7e21d4a6")).toBeGreaterThan(r.out.indexOf("1. e07d5f3a2b18"));
  });

  it("--to base downgrades everything; from base upgrades everything", async () => {
    expect((await call(planRun, ["--from", "head", "--to", "base"], linear)).out).toContain("downgrade from head (e07d5f3a2b18) to base: 4 migrations");
    expect((await call(planRun, ["--from", "base"], linear)).out).toContain("upgrade from base to heads (e07d5f3a2b18): 4 migrations");
  });

  it("relative --to, from --from", async () => {
    const up = await call(planRun, ["--from", "a81c3d5e7f90", "--to", "+2"], linear);
    expect(up.code).toBe(0);
    expect(up.out).toContain("upgrade from a81c3d5e7f90 to +2 (e07d5f3a2b18): 2 migrations");
    const down = await call(planRun, ["--from", "e07d5f3a2b18", "--to", "-1"], linear);
    expect(down.out).toContain("downgrade from e07d5f3a2b18 to -1 (c93b7e21d4a6): 1 migration");
    const amb = await call(planRun, ["--from", "0a1b2c3d4e5f", "--to", "+1"], branched);
    expect(amb.code).toBe(2);
    expect(amb.err).toContain("Ambiguous walk");
  });

  it("nothing to run", async () => {
    const r = await call(planRun, ["--from", "heads"], linear);
    expect(r.code).toBe(0);
    expect(r.out).toContain("nothing to run");
  });

  it("through a merge: both branches before the merge point", async () => {
    const r = await call(planRun, ["--from", "base", "--to", "3d4e5f607182", "--json"], branched);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { trees: { direction: string; steps: { revision: string; findings: unknown[] }[] }[] };
    const steps = doc.trees[0]!.steps.map((s) => s.revision);
    expect(doc.trees[0]!.direction).toBe("upgrade");
    expect(steps[0]).toBe("0a1b2c3d4e5f");
    expect(steps[steps.length - 1]).toBe("3d4e5f607182");
    expect(new Set(steps)).toEqual(new Set(["0a1b2c3d4e5f", "1b2c3d4e5f60", "1b2cf0e1d2c3", "3d4e5f607182"]));
  });

  it("exit 2 for an unknown, ambiguous or multiple-head REV", async () => {
    const unknown = await call(planRun, ["--from", "ffffeeee0000"], linear);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toBe("");
    expect(unknown.err).toContain("No such revision or branch 'ffffeeee0000'");
    const ambiguous = await call(planRun, ["--from", "1b2c"], branched);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toContain("Multiple revisions start with '1b2c'");
    const heads = await call(planRun, ["--from", "base", "--to", "head"], branched);
    expect(heads.code).toBe(2);
    expect(heads.err).toContain("Multiple heads");
    const badTo = await call(planRun, ["--from", "base", "--to", "nope1234"], linear);
    expect(badTo.code).toBe(2);
    expect(badTo.err).toContain("--to");
  });

  it("exit 2 without --from", async () => {
    const r = await call(planRun, [], linear);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--from");
  });
});
