"""loyalty points (written on a branch while the invoice work was merged)

Revision ID: 6b7c8d9e0f1a
Revises: 4f5a6b7c8d9e
Create Date: 2024-05-07 08:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "6b7c8d9e0f1a"
down_revision: Union[str, Sequence[str], None] = "4f5a6b7c8d9e"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("customer", sa.Column("loyalty_points", sa.Integer(), nullable=False))
    op.create_index("ix_customer_loyalty_points", "customer", ["loyalty_points"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_customer_loyalty_points", table_name="customer")
    op.drop_column("customer", "loyalty_points")
