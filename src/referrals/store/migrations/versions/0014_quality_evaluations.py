"""Quality evaluations: what each retraining found on the newest closed leads it held out, and whether it kept the
previous model (issue 19). The High/Low line is stored in the model's parameters, so quality_models is unchanged.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

import referrals.store.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evaluated_at", referrals.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("kept_previous", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_evaluations")),
    )


def downgrade() -> None:
    op.drop_table("quality_evaluations")
