"""The list's count: one index over every column a lead filter of a fixed vocabulary tests, led by the partner and
the tab, so the capped count (store/list_count.py) reads index entries only, never the rows (a big partner's
filtered count went from reading up to 200,000 rows to walking their index entries; docs/performance.md).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ["partner_id", "qualification", "status", "informational", "customer_requested_contact", "call_to_action",
           "type", "source", "customer_country", "quality_label", "email_validity", "phone_validity", "spam",
           "outcome", "owner_id"]


def upgrade() -> None:
    op.create_index("ix_leads_count", "leads", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_count", table_name="leads")
