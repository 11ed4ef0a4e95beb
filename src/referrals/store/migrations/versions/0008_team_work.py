"""Team work: lead owners and the expiring-soon reminder, assignment rules per location, invitations, personal
notification settings and the last sign-in, bulk action jobs and their per-lead results.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import referrals.store.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Stamp = referrals.store.db.UTCDateTime(timezone=True)
ID = sa.String(length=32)
OPEN = "status IN ('received', 'accepted') AND owner_id IS NOT NULL"
UNREMINDED = "status = 'received' AND response_due_at IS NOT NULL AND reminded_at IS NULL"

# The leads columns the insights triggers capture: 0007's, and from here the owner.
CAPTURED_0007 = ("location_id", "created_at", "informational", "is_test", "source", "call_to_action",
                 "customer_country", "quality_label", "quality_probability", "status", "outcome", "response_due_at",
                 "accepted_at", "archived_at", "deal_amount", "deal_currency")
CAPTURED = (*CAPTURED_0007, "owner_id")


def _values(row: str, sign: int, captured: tuple[str, ...]) -> str:
    return ", ".join((f"{row}.partner_id", str(sign), f"{row}.id", *(f"{row}.{c}" for c in captured)))


def _triggers(sqlite: bool, captured: tuple[str, ...]) -> list[str]:
    """The insights triggers of 0007, capturing `captured` (0007 itself explains them)."""
    log = ", ".join(("partner_id", "sign", "lead_id", *captured))
    if sqlite:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in captured)
        return [
            f"CREATE TRIGGER insight_leads_inserted AFTER INSERT ON leads BEGIN "
            f"INSERT INTO insight_changes ({log}) VALUES ({_values('NEW', 1, captured)}); END",
            f"CREATE TRIGGER insight_leads_updated AFTER UPDATE ON leads WHEN {changed} BEGIN "
            f"INSERT INTO insight_changes ({log}) VALUES ({_values('OLD', -1, captured)}), "
            f"({_values('NEW', 1, captured)}); END",
        ]
    old_row = ", ".join(f"o.{c}" for c in captured)
    new_row = ", ".join(f"n.{c}" for c in captured)
    pairs = ("FROM old_leads o JOIN new_leads n ON n.partner_id = o.partner_id AND n.id = o.id "
             f"WHERE ({old_row}) IS DISTINCT FROM ({new_row})")
    return [
        "CREATE FUNCTION insight_leads_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO insight_changes ({log}) SELECT {_values('n', 1, captured)} FROM new_leads n; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER insight_leads_inserted AFTER INSERT ON leads REFERENCING NEW TABLE AS new_leads "
        "FOR EACH STATEMENT EXECUTE FUNCTION insight_leads_inserted()",
        "CREATE FUNCTION insight_leads_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO insight_changes ({log}) SELECT {_values('o', -1, captured)} {pairs} "
        f"UNION ALL SELECT {_values('n', 1, captured)} {pairs}; RETURN NULL; END $$",
        "CREATE TRIGGER insight_leads_updated AFTER UPDATE ON leads "
        "REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads "
        "FOR EACH STATEMENT EXECUTE FUNCTION insight_leads_updated()",
    ]


def _replace_triggers(captured: tuple[str, ...]) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute(sa.text("DROP TRIGGER IF EXISTS insight_leads_inserted"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS insight_leads_updated"))
    else:
        op.execute(sa.text("DROP TRIGGER IF EXISTS insight_leads_inserted ON leads"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS insight_leads_updated ON leads"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS insight_leads_inserted()"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS insight_leads_updated()"))
    for statement in _triggers(sqlite, captured):
        op.execute(sa.text(statement))


def upgrade() -> None:
    # Plain ADD COLUMN (not batch mode): SQLite adds a nullable column in place, keeping the insights triggers.
    op.add_column("leads", sa.Column("owner_id", ID, nullable=True))
    op.add_column("leads", sa.Column("reminded_at", Stamp, nullable=True))
    op.create_index("ix_leads_owner", "leads", ["partner_id", "owner_id", "created_at", "id"], unique=False)
    op.create_index("ix_leads_owner_open", "leads", ["partner_id", "owner_id"], unique=False,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index("ix_leads_remind", "leads", ["response_due_at"], unique=False,
                    sqlite_where=sa.text(UNREMINDED), postgresql_where=sa.text(UNREMINDED))
    # No lead had an owner before this revision, so the rollups need nothing added for the owner breakdown.
    op.add_column("insight_changes", sa.Column("owner_id", ID, nullable=True))
    _replace_triggers(CAPTURED)
    op.add_column("users", sa.Column("last_signin_at", Stamp, nullable=True))
    op.add_column("users", sa.Column("new_lead_emails", sa.String(length=8), server_default="each",
                                     nullable=False))
    op.create_table(
        "assignment_rules",
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("max_open_per_member", sa.Integer(), nullable=True),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(["partner_id", "location_id"], ["locations.partner_id", "locations.id"],
                                name=op.f("fk_assignment_rules_partner_id_locations")),
        sa.PrimaryKeyConstraint("partner_id", "location_id", name=op.f("pk_assignment_rules")),
    )
    op.create_table(
        "assignment_members",
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["partner_id", "location_id"],
                                ["assignment_rules.partner_id", "assignment_rules.location_id"],
                                name=op.f("fk_assignment_members_partner_id_assignment_rules")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_assignment_members_user_id_users")),
        sa.PrimaryKeyConstraint("partner_id", "location_id", "user_id", name=op.f("pk_assignment_members")),
    )
    op.create_table(
        "invitations",
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("invited_by", ID, nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.Column("accepted_at", Stamp, nullable=True),
        sa.Column("revoked_at", Stamp, nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_invitations_partner_id_partners")),
        sa.PrimaryKeyConstraint("partner_id", "id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index("ix_invitations_email", "invitations", ["email"], unique=False)
    op.create_table(
        "bulk_jobs",
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("params", referrals.store.db.FastJSON(), nullable=False),
        sa.Column("query", referrals.store.db.FastJSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("processed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("succeeded", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("started_at", Stamp, nullable=True),
        sa.Column("finished_at", Stamp, nullable=True),
        sa.Column("lease_until", Stamp, nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_bulk_jobs_partner_id_partners")),
        sa.PrimaryKeyConstraint("partner_id", "id", name=op.f("pk_bulk_jobs")),
    )
    op.create_table(
        "bulk_results",
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("job_id", ID, nullable=False),
        sa.Column("lead_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=True),  # null: not processed yet
        sa.Column("problem", referrals.store.db.FastJSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(["partner_id", "job_id"], ["bulk_jobs.partner_id", "bulk_jobs.id"],
                                name=op.f("fk_bulk_results_partner_id_bulk_jobs")),
        sa.PrimaryKeyConstraint("partner_id", "job_id", "position", name=op.f("pk_bulk_results")),
    )


def downgrade() -> None:
    op.drop_table("bulk_results")
    op.drop_table("bulk_jobs")
    op.drop_index("ix_invitations_email", table_name="invitations")
    op.drop_table("invitations")
    op.drop_table("assignment_members")
    op.drop_table("assignment_rules")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("new_lead_emails")
        batch_op.drop_column("last_signin_at")
    _replace_triggers(CAPTURED_0007)
    op.drop_column("insight_changes", "owner_id")
    op.drop_index("ix_leads_remind", table_name="leads")
    op.drop_index("ix_leads_owner_open", table_name="leads")
    op.drop_index("ix_leads_owner", table_name="leads")
    op.drop_column("leads", "reminded_at")
    op.drop_column("leads", "owner_id")
