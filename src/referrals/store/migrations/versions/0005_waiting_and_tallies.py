"""The action center's index of waiting leads, and per-partner lead tallies for the tab counts.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WAITING = "status = 'received' AND response_due_at IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_leads_waiting", "leads", ["partner_id", "response_due_at", "id"], unique=False,
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.create_table(
        "lead_tallies",
        sa.Column("partner_id", sa.String(length=32), nullable=False),
        sa.Column("qualification", sa.String(length=16), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "qualification"),
    )
    op.execute(sa.text("INSERT INTO lead_tallies (partner_id, qualification, leads) "
                       "SELECT partner_id, qualification, count(*) FROM leads GROUP BY partner_id, qualification"))


def downgrade() -> None:
    op.drop_table("lead_tallies")
    op.drop_index("ix_leads_waiting", table_name="leads")
