"""What the directory knows of each partner's behaviour: its responsiveness (`partner_stats`) and the
preferences learnt from its leads (`partner_preferences`), both rewritten by a scheduled job from the leads
read here. The reads over the leads span every partner on purpose: the job is set-based."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from referrals.store.scope import of_partner
from referrals.store.tables import leads, partner_preferences, partner_stats, partners


def all_partner_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(partners.c.id)).scalars())


def response_rows(conn: Connection, since: datetime, until: datetime) -> Sequence[Row]:
    """When each actionable lead created in [since, until] was first acted on, and how it ended."""
    return conn.execute(
        select(
            leads.c.partner_id, leads.c.created_at, leads.c.accepted_at, leads.c.archived_at, leads.c.outcome
        ).where(leads.c.informational.is_(False), leads.c.created_at >= since, leads.c.created_at <= until)
    ).all()


def outcome_rows(conn: Connection, outcomes: Iterable[str], since: datetime) -> Sequence[Row]:
    """The leads created since `since` that ended in one of `outcomes`, with the facts preferences use."""
    return conn.execute(
        select(
            leads.c.partner_id,
            leads.c.outcome,
            leads.c.closing_reason,
            leads.c.accepted_at,
            leads.c.customer_industry,
            leads.c.customer_company_size,
            leads.c.customer_country,
            leads.c.message,
        ).where(leads.c.outcome.in_(outcomes), leads.c.created_at >= since)
    ).all()


def replace_stats(conn: Connection, partner_id: str, values: dict[str, Any]) -> None:
    conn.execute(delete(partner_stats).where(of_partner(partner_stats, partner_id)))
    conn.execute(insert(partner_stats).values(partner_id=partner_id, **values))


def replace_preferences(conn: Connection, partner_id: str, rows: list[dict[str, Any]]) -> None:
    """Rows are {feature, value, liked, disliked}; none leaves the partner without preferences."""
    conn.execute(delete(partner_preferences).where(of_partner(partner_preferences, partner_id)))
    if rows:
        conn.execute(insert(partner_preferences), [{"partner_id": partner_id, **row} for row in rows])


def stats_of(conn: Connection, partner_ids: list[str]) -> Sequence[Row]:
    """The statistics rows of these partners (partners not counted yet have none)."""
    return conn.execute(select(partner_stats).where(partner_stats.c.partner_id.in_(partner_ids))).all()


def preferences_of(conn: Connection, partner_ids: list[str]) -> Sequence[Row]:
    return conn.execute(select(partner_preferences).where(partner_preferences.c.partner_id.in_(partner_ids))).all()
