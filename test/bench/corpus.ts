// A realistic synthetic versions tree for benchmarks and fuzzing: a linear history of
// autogenerate-style and hand-written migrations (create_table with columns and
// constraints, batch blocks, op.f names, indexes, FKs, alter_column, data SQL, get_bind,
// helpers), each with its downgrade. Deterministic for a given seed.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ["account", "invoice", "payment", "customer", "order", "product", "shipment", "ticket", "project", "task", "comment", "tag", "session", "audit", "report", "widget", "team", "member", "plan", "price", "coupon", "refund", "address", "café", "résumé", "warehouse", "stock", "vendor", "contract", "note"];
const TYPES = ["sa.Integer()", "sa.BigInteger()", "sa.String(length=255)", "sa.String(length=64)", "sa.Text()", "sa.Boolean()", "sa.DateTime(timezone=True)", "sa.Date()", "sa.Numeric(precision=12, scale=2)", "postgresql.JSONB(astext_type=sa.Text())", "postgresql.UUID(as_uuid=True)", "sa.Float()"];

export function revId(i: number): string {
  return (0x100000000000 + i * 7919).toString(16).slice(-12);
}

export function generateMigration(i: number, random: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const word = () => pick(WORDS).replace(/[^a-z]/g, "x");
  const rev = revId(i);
  const down = i === 0 ? "None" : `'${revId(i - 1)}'`;
  const table = `${word()}_${i}`;
  const up: string[] = [];
  const dn: string[] = [];
  const nCols = 4 + Math.floor(random() * 10);
  const cols = ["    sa.Column('id', sa.Integer(), nullable=False),"];
  for (let c = 0; c < nCols; c++) cols.push(`    sa.Column('${word()}_${c}', ${pick(TYPES)}, nullable=${random() < 0.6 ? "True" : "False"}${random() < 0.2 ? ", server_default=sa.text('now()')" : ""}),`);
  if (i > 0 && random() < 0.5) cols.push(`    sa.Column('parent_id', sa.Integer(), nullable=True),`, `    sa.ForeignKeyConstraint(['parent_id'], ['${word()}_${i - 1}.id'], name=op.f('fk_${table}_parent_id')),`);
  cols.push(`    sa.PrimaryKeyConstraint('id', name=op.f('pk_${table}'))`);
  up.push(`    op.create_table('${table}',\n${cols.join("\n")}\n    )`);
  up.push(`    op.create_index(op.f('ix_${table}_created'), '${table}', ['${word()}_0'], unique=False)`);
  // Autogenerate's order: the downgrade undoes the upgrade backwards, index before table.
  dn.unshift(`    op.drop_index(op.f('ix_${table}_created'), table_name='${table}')`, `    op.drop_table('${table}')`);
  const extra = 2 + Math.floor(random() * 8);
  for (let k = 0; k < extra; k++) {
    const other = `${word()}_${Math.max(0, i - 1 - Math.floor(random() * 20))}`;
    const col = `${word()}_x${k}`;
    const kind = random();
    if (kind < 0.25) {
      up.push(`    with op.batch_alter_table('${other}', schema=None) as batch_op:\n        batch_op.add_column(sa.Column('${col}', ${pick(TYPES)}, nullable=True))\n        batch_op.create_index(batch_op.f('ix_${other}_${col}'), ['${col}'], unique=False)`);
      dn.unshift(`    with op.batch_alter_table('${other}', schema=None) as batch_op:\n        batch_op.drop_index(batch_op.f('ix_${other}_${col}'))\n        batch_op.drop_column('${col}')`);
    } else if (kind < 0.45) {
      up.push(`    op.add_column('${other}', sa.Column('${col}', ${pick(TYPES)}, nullable=True))`);
      up.push(`    op.execute("UPDATE ${other} SET ${col} = NULL WHERE id > ${k}")  # backfill — ${pick(WORDS)}`);
      dn.unshift(`    op.drop_column('${other}', '${col}')`);
    } else if (kind < 0.6) {
      up.push(`    op.alter_column('${other}', '${col}',\n               existing_type=sa.VARCHAR(length=64),\n               type_=sa.String(length=255),\n               existing_nullable=True)`);
      dn.unshift(`    op.alter_column('${other}', '${col}',\n               existing_type=sa.String(length=255),\n               type_=sa.VARCHAR(length=64),\n               existing_nullable=True)`);
    } else if (kind < 0.75) {
      up.push(`    op.create_foreign_key(op.f('fk_${other}_${col}'), '${other}', '${table}', ['${col}'], ['id'], ondelete='CASCADE')`);
      dn.unshift(`    op.drop_constraint(op.f('fk_${other}_${col}'), '${other}', type_='foreignkey')`);
    } else if (kind < 0.85) {
      up.push(`    conn = op.get_bind()\n    conn.execute(sa.text("""\n        UPDATE ${other}\n           SET ${col} = 'x'\n         WHERE ${col} IS NULL\n    """))`);
      dn.unshift(`    op.execute("UPDATE ${other} SET ${col} = NULL")`);
    } else {
      up.push(`    op.create_unique_constraint(op.f('uq_${other}_${col}'), '${other}', ['${col}'])`);
      dn.unshift(`    op.drop_constraint(op.f('uq_${other}_${col}'), '${other}', type_='unique')`);
    }
  }
  return `"""${pick(WORDS)} ${pick(WORDS)} changes (${i})

Revision ID: ${rev}
Revises: ${i === 0 ? "" : revId(i - 1)}
Create Date: 2025-01-${String(1 + (i % 28)).padStart(2, "0")} 10:${String(i % 60).padStart(2, "0")}:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '${rev}'
down_revision: Union[str, Sequence[str], None] = ${down}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # ### commands auto generated by Alembic - please adjust! ###
${up.join("\n")}
    # ### end Alembic commands ###


def downgrade() -> None:
    """Downgrade schema."""
    # ### commands auto generated by Alembic - please adjust! ###
${dn.join("\n")}
    # ### end Alembic commands ###
`;
}

/** Writes `count` migrations into `dir/versions/` and returns the versions directory. */
export function writeCorpus(dir: string, count: number, seed = 42): string {
  const versions = path.join(dir, "versions");
  mkdirSync(versions, { recursive: true });
  const random = rng(seed);
  for (let i = 0; i < count; i++) {
    writeFileSync(path.join(versions, `${revId(i)}_${String(i).padStart(5, "0")}.py`), generateMigration(i, random));
  }
  return versions;
}
