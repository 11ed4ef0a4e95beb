"""Saved views: a user's named lead-list query (filters and sort), optionally shared with the whole partner.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import referrals.store.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Stamp = referrals.store.db.UTCDateTime(timezone=True)
ID = sa.String(length=32)


def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", referrals.store.db.FastJSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_saved_views_partner_id_partners")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_saved_views_user_id_users")),
        sa.PrimaryKeyConstraint("partner_id", "id", name=op.f("pk_saved_views")),
    )
    op.create_index("ix_saved_views_user", "saved_views", ["partner_id", "user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_saved_views_user", table_name="saved_views")
    op.drop_table("saved_views")
