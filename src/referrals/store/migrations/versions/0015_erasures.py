"""Personal data (issue 18): `leads.erased_at` (when a lead's customer was erased, by request or by retention), the
partial index retention walks (`ix_leads_retention`: archived leads not erased yet, by archive time), the indexes
retention deletes old webhook deliveries and digest items by, and the `erasures` record (when, by whom, counts, and a
salted hash of the address, never the address).

The insights triggers (0007/0008) capture none of these columns, nor any column an erasure changes: an erasure
writes no change-log row, so the rollups stay as they were.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import referrals.store.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Stamp = referrals.store.db.UTCDateTime(timezone=True)
_RETAINED = "archived_at IS NOT NULL AND erased_at IS NULL"


def upgrade() -> None:
    # Plain ADD COLUMN (not batch mode): SQLite adds a nullable column in place, keeping the insights triggers.
    op.add_column("leads", sa.Column("erased_at", Stamp, nullable=True))
    op.create_index("ix_leads_retention", "leads", ["archived_at"], unique=False,
                    sqlite_where=sa.text(_RETAINED), postgresql_where=sa.text(_RETAINED))
    op.create_index("ix_webhook_deliveries_created", "webhook_deliveries", ["created_at"], unique=False)
    op.create_index("ix_digest_items_digested", "digest_items", ["digested_at"], unique=False)
    op.create_table(
        "erasures",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("by", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=True),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    op.create_index("ix_erasures_at", "erasures", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_erasures_at", table_name="erasures")
    op.drop_table("erasures")
    op.drop_index("ix_digest_items_digested", table_name="digest_items")
    op.drop_index("ix_webhook_deliveries_created", table_name="webhook_deliveries")
    op.drop_index("ix_leads_retention", table_name="leads")
    op.drop_column("leads", "erased_at")
