import { defineRule } from "../src/engine/rule.js";
import { graphOf } from "../src/graph.js";
import { scanScripts, type MigrationSetWithScripts } from "../src/scripts.js";

const first =
  '"""create account\n\nRevision ID: 4f2e8a1c9b3d\nRevises: \n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "4f2e8a1c9b3d"\ndown_revision = None\n\n\n' +
  'def upgrade():\n    op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("account")\n';
const second =
  '"""add email\n\nRevision ID: a81c3d5e7f90\nRevises: 4f2e8a1c9b3d\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a81c3d5e7f90"\ndown_revision = "4f2e8a1c9b3d"\n\n\n' +
  'def upgrade():\n    op.add_column("account", sa.Column("email", sa.String(255)))\n\n\ndef downgrade():\n    op.drop_column("account", "email")\n';

export default defineRule({
  meta: {
    code: "ALM010",
    name: "unknown-revision-reference",
    severity: "error",
    category: "revision-graph",
    precision: "high",
    docs: {
      summary: "A script runs alembic stamp/upgrade/downgrade with a revision id that is unknown or ambiguous",
      rationale:
        "Deploy scripts, Makefiles, CI jobs and Dockerfiles often hard-code a revision, e.g. to stamp a freshly " +
        "created database:\n\n```sh\nalembic stamp 1975ea83b712\n```\n\nWhen that revision is later renamed, squashed or " +
        "deleted, or a new revision makes a short prefix ambiguous, the script fails at deploy time with \"Can't " +
        "locate revision identified by ...\" or \"Multiple revisions start with ...\". The files to check are listed " +
        "with `--scripts GLOB` or the config key `scripts`; `alembic stamp|upgrade|downgrade <rev>` (with any " +
        "options, `x:y` ranges) and `command.stamp|upgrade|downgrade(cfg, \"<rev>\")` are recognised. Symbolic " +
        "targets (`head`, `heads`, `base`, `branch@head`, `+1`, `-1`) and shell variables are not checked. " +
        "Stamping a revision that is not a head is fine.\n\nUpdate the literal to an existing full revision id, " +
        "or use a symbolic target such as `head`.",
      bad: {
        "4f2e8a1c9b3d_create_account.py": first,
        "a81c3d5e7f90_add_email.py": second,
        "deploy.sh": "#!/bin/sh\nset -e\nalembic stamp 1b5e0c2d9f7a\nalembic upgrade head\n",
      },
      good: {
        "4f2e8a1c9b3d_create_account.py": first,
        "a81c3d5e7f90_add_email.py": second,
        "deploy.sh": "#!/bin/sh\nset -e\nalembic stamp 4f2e8a1c9b3d\nalembic upgrade head\n",
      },
    },
    messages: {
      unknown: (a: { literal: string; command: string }) =>
        `\`${a.command}\` target "${a.literal}" names no revision or branch label of the versions tree; Alembic fails ` +
        `with "Can't locate revision identified by '${a.literal}'". Use an existing revision id (see \`alembic history\`) or a symbolic target like head`,
      ambiguous: (a: { literal: string; command: string; candidates: string }) =>
        `\`${a.command}\` target "${a.literal}" is an ambiguous prefix: it matches ${a.candidates}; Alembic fails ` +
        `with "Multiple revisions start with '${a.literal}'". Write the full revision id`,
    },
  },
  checkProject(set, ctx) {
    const s = set as MigrationSetWithScripts;
    const scripts = s.scripts ?? [];
    if (scripts.length === 0) return;
    const sets = s.allSets && s.allSets.length > 0 ? s.allSets : [set];
    // Scripts are shared by every tree of the run: report them once, from the first tree.
    if (sets[0] !== set && sets.includes(set)) return;
    const findings = scanScripts(scripts, sets.map(graphOf));
    for (const f of findings) {
      const at = { line: f.line, column: f.column, endLine: f.line, endColumn: f.endColumn };
      const command = f.form === "cli" ? `alembic ${f.command}` : `command.${f.command}`;
      if (f.kind === "ambiguous") {
        ctx.reportIn(f.path, {
          at, path: f.path, evenOutsideTargets: true, message: "ambiguous",
          data: { literal: f.literal, command, candidates: f.candidates.slice(0, 5).join(", ") },
          fingerprint: `ambiguous:${f.literal}`,
        });
      } else {
        ctx.reportIn(f.path, {
          at, path: f.path, evenOutsideTargets: true, message: "unknown",
          data: { literal: f.literal, command },
          fingerprint: `unknown:${f.literal}`,
        });
      }
    }
  },
});
