"""order status and shipping note

Revision ID: 3e4f5a6b7c8d
Revises: 2d3e4f5a6b7c
Create Date: 2024-03-02 16:30:11.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "3e4f5a6b7c8d"
down_revision: Union[str, Sequence[str], None] = "2d3e4f5a6b7c"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("order", sa.Column("status", sa.String(length=20), server_default="new", nullable=False))
    op.add_column("order", sa.Column("shipping_note", sa.Text(), nullable=True))
    op.alter_column("customer", "name", type_=sa.String(length=60), existing_type=sa.String(length=120), existing_nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("order", "status")
