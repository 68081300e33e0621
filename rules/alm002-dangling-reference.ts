import path from "node:path";
import { defineRule } from "../src/engine/rule.js";
import { descendants, graphOf, resolveIdent, type RevisionGraph } from "../src/graph.js";
import type { MigrationSetWithScripts } from "../src/scripts.js";

/** What the author probably meant by an unknown reference of revision `from`. */
function hint(g: RevisionGraph, ref: string, via: "down_revision" | "depends_on", from: string): string {
  // Never the revision itself or one after it: pointing there would make a cycle.
  const later = descendants(g, [from]);
  const possible = (id: string) => !later.has(id);
  if (ref === "") return "an empty string is not a base: write `None` for a base revision";
  if (via === "down_revision" && g.labelMap.has(ref)) {
    return `\`down_revision\` takes revision ids, not branch labels: write "${g.labelMap.get(ref)}" (the revision labelled ${ref})`;
  }
  const stem = ref.replace(/\.py$/, "");
  const byFile = g.all.find((n) => !n.opaque && path.basename(n.migration.path, ".py") === stem && possible(n.id));
  if (byFile) return `that is a file name; write the revision id "${byFile.id}"`;
  const r = resolveIdent(g, ref);
  const matches = (r.ok ? r.ids : r.kind === "ambiguous" ? r.candidates! : []).filter(possible);
  if (matches.length === 1) return `that is a truncated id; write the full id "${matches[0]}"`;
  if (matches.length > 1) return `that prefix matches several revisions (${matches.slice(0, 3).join(", ")}); write the full id`;
  const hex = /^[0-9a-f]{6,}$/.test(ref) ? g.all.filter((n) => !n.opaque && possible(n.id) && (n.id.includes(ref) || ref.includes(n.id))).map((n) => n.id) : [];
  if (hex.length === 1) return `did you mean "${hex[0]}"?`;
  return via === "depends_on"
    ? "no file in this versions tree declares it as a revision id or branch label; fix the id or remove the dependency"
    : "no file in this versions tree declares it; point it at the revision this one was generated on (see `alembic history`)";
}

export default defineRule({
  meta: {
    code: "ALM002",
    name: "dangling-reference",
    severity: "error",
    category: "revision-graph",
    precision: "very-high",
    docs: {
      summary: "down_revision or depends_on names a revision that no file declares",
      rationale:
        "Alembic resolves every `down_revision` and `depends_on` entry when it builds the revision map; an unknown " +
        "id makes every command crash with a `KeyError`. Typical causes: the parent file was deleted or renamed " +
        "during a rebase, the file name or a truncated id was written instead of the revision id, or a branch " +
        "label was used in `down_revision` (only `depends_on` accepts labels).\n\n" +
        "Point the reference at an existing revision id (see `alembic history`), or restore the missing file.",
      bad: {
        "1a2b3c4d5e6f_create_account.py": "\"\"\"create account\n\nRevision ID: 1a2b3c4d5e6f\nRevises: \n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"1a2b3c4d5e6f\"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table(\"account\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"account\")\n",
        "2b3c4d5e6f70_add_email.py": "\"\"\"add email\n\nRevision ID: 2b3c4d5e6f70\nRevises: 1a2b3c4d\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"2b3c4d5e6f70\"\ndown_revision = \"1a2b3c4d\"\n\n\ndef upgrade():\n    op.add_column(\"account\", sa.Column(\"email\", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"email\")\n",
      },
      good: {
        "1a2b3c4d5e6f_create_account.py": "\"\"\"create account\n\nRevision ID: 1a2b3c4d5e6f\nRevises: \n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"1a2b3c4d5e6f\"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table(\"account\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"account\")\n",
        "2b3c4d5e6f70_add_email.py": "\"\"\"add email\n\nRevision ID: 2b3c4d5e6f70\nRevises: 1a2b3c4d5e6f\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"2b3c4d5e6f70\"\ndown_revision = \"1a2b3c4d5e6f\"\n\n\ndef upgrade():\n    op.add_column(\"account\", sa.Column(\"email\", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column(\"account\", \"email\")\n",
      },
    },
    messages: {
      dangling: (a: { via: string; ref: string; id: string; hint: string }) =>
        `${a.via} of ${a.id} names "${a.ref}", which no file declares (Alembic crashes with KeyError); ${a.hint}`,
    },
  },
  checkProject(set, ctx) {
    const g = graphOf(set);
    // A reference may be to a revision whose id is not a literal: then stay silent.
    if (g.hasOpaqueIds) return;
    // Another versions tree of the run (another version location) may declare it.
    const others = ((set as MigrationSetWithScripts).allSets ?? []).filter((s) => s !== set).map(graphOf);
    if (others.some((o) => o.hasOpaqueIds)) return;
    for (const d of g.dangling) {
      if (d.via === "depends_on" && (g.hasOpaqueLabels || others.some((o) => o.hasOpaqueLabels))) continue;
      if (others.some((o) => (o.nodes.has(d.ref) && !o.nodes.get(d.ref)!.opaque) || (d.via === "depends_on" && o.labelMap.has(d.ref)))) continue;
      const h = d.node.migration.header;
      const span = (d.via === "down_revision" ? h.downRevision : h.dependsOn)!.span;
      ctx.reportIn(d.node.migration, {
        at: span,
        message: "dangling",
        data: { via: d.via, ref: d.ref, id: d.node.id, hint: hint(g, d.ref, d.via, d.node.id) },
        fingerprint: `dangling:${d.node.id}:${d.via}:${d.ref}`,
      });
    }
  },
});
