"""JSON columns that may be empty keep SQL NULL instead of the JSON text 'null' (nothing to decode).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = ("deal_team", "deal_contacts", "deal_employees", "raw_payload")


def upgrade() -> None:
    for column in COLUMNS:
        op.execute(sa.text(f"UPDATE leads SET {column} = NULL WHERE CAST({column} AS TEXT) = 'null'"))


def downgrade() -> None:
    pass  # SQL NULL reads back as None, exactly like the JSON text 'null' did
