"""When each lead last changed: `leads.updated_at`, written with every insert and every change of a lead (the
transitions through store/leads.py and store/bulk.py, the sweep's set-based expiry and retirement), indexed per
partner for the Referrals-API-compatible endpoint's `updatedDateTime` filter and order. Existing leads get the time
of their last history entry (or their creation). Nullable only because SQLite cannot add a NOT NULL column without a
constant default; every writer sets it.

The insights triggers (0007/0008) do not capture this column: on SQLite their WHEN clause lets the backfill through
without a log row; on PostgreSQL the statement trigger is switched off for the backfill, which changes nothing it
captures (its join of a million old and new rows would only find no difference).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import referrals.store.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Stamp = referrals.store.db.UTCDateTime(timezone=True)
_BACKFILL = (
    "UPDATE leads SET updated_at = COALESCE((SELECT h.at FROM lead_history h WHERE h.partner_id = leads.partner_id "
    "AND h.lead_id = leads.id ORDER BY h.version DESC LIMIT 1), created_at)"
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Plain ADD COLUMN (not batch mode): SQLite adds a nullable column in place, keeping the insights triggers.
    op.add_column("leads", sa.Column("updated_at", Stamp, nullable=True))
    if not sqlite:
        op.execute(sa.text("ALTER TABLE leads DISABLE TRIGGER insight_leads_updated"))
    op.execute(sa.text(_BACKFILL))
    if not sqlite:
        op.execute(sa.text("ALTER TABLE leads ENABLE TRIGGER insight_leads_updated"))
    op.create_index("ix_leads_updated", "leads", ["partner_id", "updated_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_updated", table_name="leads")
    op.drop_column("leads", "updated_at")
