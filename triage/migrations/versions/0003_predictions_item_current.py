"""Replace the lone index on predictions.current by one on (item_id, current).

SQLite chose the lone boolean index to drive joins from items, scanning every current
prediction (the digest's support query took 38 s at 200,000 items).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from typing import Sequence, Union

from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index("ix_predictions_current", table_name="predictions")
    op.create_index("ix_predictions_item_current", "predictions", ["item_id", "current"])


def downgrade() -> None:
    op.drop_index("ix_predictions_item_current", table_name="predictions")
    op.create_index("ix_predictions_current", "predictions", ["current"])
