"""The lead search: one folded search text per lead (domain/lead_search.py), filled here for the leads already
stored, and its index — on SQLite a covering index walked one partner at a time, on PostgreSQL a trigram index
(the `pg_trgm` extension, trusted since PostgreSQL 13, so the database's owner may create it).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from referrals.domain import lead_search
from referrals.domain.lead import withholds_contact

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CHUNK = 20_000
_READ = sa.text(
    "SELECT partner_id, id, customer_company, customer_first_name, customer_last_name, customer_email, "
    "customer_phone, deal_name, external_id, outcome FROM leads "
    "WHERE partner_id > :partner OR (partner_id = :partner AND id > :id) ORDER BY partner_id, id LIMIT :chunk"
)


def _text(row) -> str:
    """As store.leadrows.search_text writes it for a new or changed lead (a withheld contact is None)."""
    shown = not withholds_contact(row.outcome)
    names = " ".join(p for p in (row.customer_first_name, row.customer_last_name) if p)
    return lead_search.search_text(
        company=row.customer_company, deal_name=row.deal_name, external_id=row.external_id,
        names=names if shown else None, email=row.customer_email if shown else None,
        phone=row.customer_phone if shown else None,
    )


def _fill(conn: sa.Connection) -> None:
    """Every stored lead's text, a chunk at a time: computed in Python (the folding is Python's), written with one
    UPDATE ... FROM a temporary table per chunk (one statement per chunk for PostgreSQL's statement triggers)."""
    conn.execute(sa.text("CREATE TEMPORARY TABLE search_fill (partner_id VARCHAR(32) NOT NULL, "
                         "id VARCHAR(32) NOT NULL, search_text TEXT NOT NULL, PRIMARY KEY (partner_id, id))"))
    last = ("", "")
    while rows := conn.execute(_READ, {"partner": last[0], "id": last[1], "chunk": CHUNK}).all():
        conn.execute(sa.text("INSERT INTO search_fill (partner_id, id, search_text) VALUES (:p, :i, :t)"),
                     [{"p": row.partner_id, "i": row.id, "t": _text(row)} for row in rows])
        conn.execute(sa.text("UPDATE leads SET search_text = f.search_text FROM search_fill f "
                             "WHERE leads.partner_id = f.partner_id AND leads.id = f.id"))
        conn.execute(sa.text("DELETE FROM search_fill"))
        last = (rows[-1].partner_id, rows[-1].id)
    conn.execute(sa.text("DROP TABLE search_fill"))


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    op.add_column("leads", sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    _fill(conn)
    if sqlite:
        op.create_index("ix_leads_search", "leads", ["partner_id", "created_at", "id", "search_text"], unique=False)
    else:
        # In `public` unless it is already installed elsewhere: wherever it is, the operator class is named with its
        # schema, so a connection whose search path leaves that schema out still builds the index.
        op.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        schema = conn.execute(sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                      "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")).scalar_one()
        op.create_index("ix_leads_search_trgm", "leads", ["search_text"], unique=False, postgresql_using="gin",
                        postgresql_ops={"search_text": f'"{schema}".gin_trgm_ops'})
        # the planner weighs the trigram index against walking the list by the new column's statistics
        op.execute(sa.text("ANALYZE leads"))


def downgrade() -> None:
    conn = op.get_bind()
    op.drop_index("ix_leads_search" if conn.dialect.name == "sqlite" else "ix_leads_search_trgm", table_name="leads")
    op.drop_column("leads", "search_text")
