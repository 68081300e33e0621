"""add customer email

Revision ID: 2d3e4f5a6b7c
Revises: 1c2d3e4f5a6b
Create Date: 2024-02-14 11:02:45.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "2d3e4f5a6b7c"
down_revision: Union[str, Sequence[str], None] = "1c2d3e4f5a6b"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=255), nullable=False))
        batch_op.create_index(batch_op.f("ix_customer_email"), ["email"], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("email")
        batch_op.drop_index(batch_op.f("ix_customer_email"))
