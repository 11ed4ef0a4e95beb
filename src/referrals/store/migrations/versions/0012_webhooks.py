"""Webhooks: endpoints (a partner's or the program's, and the vendor-compatible registration) and their deliveries,
an outbox drained with leases like the email outbox.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import referrals.store.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Stamp = referrals.store.db.UTCDateTime(timezone=True)
ID = sa.String(length=32)


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("compat_partner_id", ID, nullable=True),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", referrals.store.db.FastJSON(), nullable=False),
        sa.Column("partner_ids", referrals.store.db.FastJSON(none_as_null=True), nullable=True),
        sa.Column("description", sa.String(length=200), server_default="", nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("previous_secret", sa.String(length=100), nullable=True),
        sa.Column("previous_until", Stamp, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("failing_since", Stamp, nullable=True),
        sa.Column("disabled_at", Stamp, nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_webhooks_partner_id_partners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
        sa.UniqueConstraint("compat_partner_id", name=op.f("uq_webhooks_compat_partner_id")),
    )
    op.create_index("ix_webhooks_active", "webhooks", ["partner_id"], unique=False,
                    sqlite_where=sa.text("active = 1"), postgresql_where=sa.text("active"))
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", ID, nullable=False),
        sa.Column("webhook_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=True),
        sa.Column("lead_id", ID, nullable=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("next_attempt_at", Stamp, nullable=False),
        sa.Column("last_attempt_at", Stamp, nullable=True),
        sa.Column("claimed_until", Stamp, nullable=True),
        sa.Column("delivered_at", Stamp, nullable=True),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_deliveries_webhook_id_webhooks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["next_attempt_at"], unique=False,
                    sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_webhook_deliveries_log", "webhook_deliveries", ["webhook_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_log", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhooks_active", table_name="webhooks")
    op.drop_table("webhooks")
