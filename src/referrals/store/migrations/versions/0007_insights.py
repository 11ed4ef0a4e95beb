"""Insights: the rollups, the change log and the triggers on `leads` that write it; every existing lead is
queued once, so the first run of the insights job (`referrals sweep --now`) builds the rollups.

The triggers capture a lead's figures before (sign -1) and after (sign +1) every change of a column insights
read, whichever code changes it. SQLite: row triggers. PostgreSQL: statement triggers with transition tables, so
a bulk insert or the sweep's batch UPDATE writes the log in one INSERT ... SELECT.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import referrals.store.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Stamp = referrals.store.db.UTCDateTime(timezone=True)

# The leads columns insights read (frozen here: a later migration that adds one replaces the triggers).
CAPTURED = ("location_id", "created_at", "informational", "is_test", "source", "call_to_action",
            "customer_country", "quality_label", "quality_probability", "status", "outcome", "response_due_at",
            "accepted_at", "archived_at", "deal_amount", "deal_currency")
LOG_COLUMNS = ", ".join(("partner_id", "sign", "lead_id", *CAPTURED))


COUNTS = ("received", "accepted", "declined", "expired", "won", "lost", "open", "waiting", "answered", "on_time")


def _figures() -> list[sa.Column]:
    counts = [sa.Column(name, sa.Integer(), server_default="0", nullable=False) for name in COUNTS]
    return [*counts, sa.Column("cents", sa.BigInteger(), server_default="0", nullable=False),
            sa.Column("histogram", sa.LargeBinary(), nullable=True)]


def _values(row: str, sign: int) -> str:
    return ", ".join((f"{row}.partner_id", str(sign), f"{row}.id", *(f"{row}.{c}" for c in CAPTURED)))


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in CAPTURED)
    return [
        f"CREATE TRIGGER insight_leads_inserted AFTER INSERT ON leads BEGIN "
        f"INSERT INTO insight_changes ({LOG_COLUMNS}) VALUES ({_values('NEW', 1)}); END",
        f"CREATE TRIGGER insight_leads_updated AFTER UPDATE ON leads WHEN {changed} BEGIN "
        f"INSERT INTO insight_changes ({LOG_COLUMNS}) VALUES ({_values('OLD', -1)}), ({_values('NEW', 1)}); END",
    ]


def _postgres_triggers() -> list[str]:
    old_row = ", ".join(f"o.{c}" for c in CAPTURED)
    new_row = ", ".join(f"n.{c}" for c in CAPTURED)
    pairs = ("FROM old_leads o JOIN new_leads n ON n.partner_id = o.partner_id AND n.id = o.id "
             f"WHERE ({old_row}) IS DISTINCT FROM ({new_row})")
    return [
        "CREATE FUNCTION insight_leads_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO insight_changes ({LOG_COLUMNS}) SELECT {_values('n', 1)} FROM new_leads n; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER insight_leads_inserted AFTER INSERT ON leads REFERENCING NEW TABLE AS new_leads "
        "FOR EACH STATEMENT EXECUTE FUNCTION insight_leads_inserted()",
        "CREATE FUNCTION insight_leads_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO insight_changes ({LOG_COLUMNS}) SELECT {_values('o', -1)} {pairs} "
        f"UNION ALL SELECT {_values('n', 1)} {pairs}; RETURN NULL; END $$",
        "CREATE TRIGGER insight_leads_updated AFTER UPDATE ON leads "
        "REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads "
        "FOR EACH STATEMENT EXECUTE FUNCTION insight_leads_updated()",
    ]


def upgrade() -> None:
    op.create_table(
        "insight_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.String(length=32), nullable=False),
        sa.Column("sign", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("informational", sa.Boolean(), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("call_to_action", sa.String(length=16), nullable=True),
        sa.Column("customer_country", sa.String(length=2), nullable=True),
        sa.Column("quality_label", sa.String(length=8), nullable=False),
        sa.Column("quality_probability", sa.Numeric(precision=6, scale=5), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("response_due_at", Stamp, nullable=True),
        sa.Column("accepted_at", Stamp, nullable=True),
        sa.Column("archived_at", Stamp, nullable=True),
        sa.Column("deal_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("deal_currency", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_insight_changes")),
    )
    op.create_index("ix_insight_changes_partner", "insight_changes", ["partner_id", "seq"], unique=False)
    op.create_table(
        "insight_rollup",
        sa.Column("partner_id", sa.String(length=32), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=32), nullable=False),
        *_figures(),
        sa.PrimaryKeyConstraint("partner_id", "grain", "dim", "start", "key", "location_id",
                                name=op.f("pk_insight_rollup")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_insight_rollup_all", "insight_rollup", ["grain", "start", "partner_id", *COUNTS],
                    unique=False, sqlite_where=sa.text("dim = 'all'"), postgresql_where=sa.text("dim = 'all'"))
    op.create_index("ix_insight_rollup_waiting", "insight_rollup", ["start", "partner_id"], unique=False,
                    sqlite_where=sa.text("dim = 'waiting'"), postgresql_where=sa.text("dim = 'waiting'"))
    op.create_table(
        "insight_program_rollup",
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        *_figures(),
        sa.PrimaryKeyConstraint("grain", "dim", "start", "key", name=op.f("pk_insight_program_rollup")),
        sqlite_with_rowid=False,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_triggers() if sqlite else _postgres_triggers():
        op.execute(sa.text(statement))
    # Every lead already there, once, partner by partner: the first fold builds the rollups from these.
    op.execute(sa.text(f"INSERT INTO insight_changes ({LOG_COLUMNS}) SELECT {_values('leads', 1)} FROM leads "
                       "ORDER BY partner_id, created_at"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("DROP TRIGGER IF EXISTS insight_leads_inserted"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS insight_leads_updated"))
    else:
        op.execute(sa.text("DROP TRIGGER IF EXISTS insight_leads_inserted ON leads"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS insight_leads_updated ON leads"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS insight_leads_inserted()"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS insight_leads_updated()"))
    op.drop_table("insight_program_rollup")
    op.drop_index("ix_insight_rollup_waiting", table_name="insight_rollup")
    op.drop_index("ix_insight_rollup_all", table_name="insight_rollup")
    op.drop_table("insight_rollup")
    op.drop_index("ix_insight_changes_partner", table_name="insight_changes")
    op.drop_table("insight_changes")
