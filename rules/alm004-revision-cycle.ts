import { defineRule } from "../src/engine/rule.js";
import { allParentsOf, graphOf, revisionSpan, type RevisionGraph } from "../src/graph.js";

/** The cycle in link order: a -> its parent -> ... -> a. */
function walk(g: RevisionGraph, ids: string[]): string[] {
  const members = new Set(ids);
  const out = [ids[0]!];
  let cur = ids[0]!;
  while (out.length < ids.length) {
    const nx = allParentsOf(g, cur).find((x) => members.has(x) && !out.includes(x));
    if (!nx) break;
    out.push(nx);
    cur = nx;
  }
  return out;
}

const file = (id: string, parent: string | null, msg: string, table: string) =>
  `"""${msg}\n\nRevision ID: ${id}\nRevises: ${parent ?? ""}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${id}"\ndown_revision = ${parent ? `"${parent}"` : "None"}\n\n\n` +
  `def upgrade():\n    op.create_table("${table}", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("${table}")\n`;

export default defineRule({
  meta: {
    code: "ALM004",
    name: "revision-cycle",
    severity: "error",
    category: "revision-graph",
    precision: "very-high",
    docs: {
      summary: "Following down_revision (or depends_on) links returns to a revision already on the path",
      rationale:
        "A revision that is, through its parents, its own ancestor cannot be ordered: Alembic raises " +
        "`CycleDetected` (or `LoopDetected` when a file names itself, `DependencyCycleDetected` through " +
        "`depends_on`) on every command. It usually happens when a rebase re-pointed an old revision at a newer one.\n\n" +
        "Point the `down_revision` of the revision that should come first back at its real predecessor (or `None` " +
        "for the first revision).",
      bad: {
        "1a2b3c4d5e6f_create_account.py": file("1a2b3c4d5e6f", "2b3c4d5e6f70", "create account", "account"),
        "2b3c4d5e6f70_create_invoice.py": file("2b3c4d5e6f70", "1a2b3c4d5e6f", "create invoice", "invoice"),
      },
      good: {
        "1a2b3c4d5e6f_create_account.py": file("1a2b3c4d5e6f", null, "create account", "account"),
        "2b3c4d5e6f70_create_invoice.py": file("2b3c4d5e6f70", "1a2b3c4d5e6f", "create invoice", "invoice"),
      },
    },
    messages: {
      selfLoop: (a: { id: string; via: string }) =>
        `${a.via} of ${a.id} names the revision itself; point it at the revision this one follows (or None for the first revision)`,
      cycle: (a: { id: string; via: string; cycle: string }) =>
        `revision cycle through ${a.via}: ${a.cycle}; Alembic cannot order these revisions. Point the ${a.via} of ` +
        `the revision that should come first at its real predecessor`,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    for (const c of g.cycles) {
      const members = new Set(c.ids);
      const cycle = [...walk(g, c.ids), c.ids[0]].join(" -> ");
      for (const n of g.all) {
        if (!members.has(n.id)) continue;
        const h = n.migration.header;
        const downIn = (n.down ?? []).some((d) => members.has(d));
        const depIn = (n.deps ?? []).some((d) => members.has(d) || members.has(g.labelMap.get(d) ?? ""));
        const useDeps = !downIn && depIn;
        const at = (useDeps ? h.dependsOn?.span : h.downRevision?.span) ?? revisionSpan(n);
        const via = useDeps ? "depends_on" : "down_revision";
        if (!downIn && !depIn) continue;
        if (c.ids.length === 1) {
          ctx.reportIn(n.migration, { at, message: "selfLoop", data: { id: n.id, via }, fingerprint: `selfloop:${n.id}` });
        } else {
          ctx.reportIn(n.migration, {
            at,
            message: "cycle",
            data: { id: n.id, via: c.viaDeps ? "down_revision/depends_on" : "down_revision", cycle },
            related: g.all.filter((o) => o !== n && members.has(o.id)).map((o) => ({ path: o.migration.path, span: revisionSpan(o), message: `${o.id} is on the cycle` })),
            fingerprint: `cycle:${c.ids.join(",")}`,
          });
        }
      }
    }
  },
});
