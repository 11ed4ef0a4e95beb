"""A user's hearts on their partner's leads: one row per (partner, user, lead), its primary key."""

from datetime import datetime

from sqlalchemy import Connection, delete, select

from referrals.store.scope import of_partner
from referrals.store.tables import favorites
from referrals.store.upsert import insert_ignore


def _the(partner_id: str, user_id: str, lead_id: str) -> list:
    return [of_partner(favorites, partner_id), favorites.c.user_id == user_id, favorites.c.lead_id == lead_id]


def is_favorite(conn: Connection, partner_id: str, user_id: str, lead_id: str) -> bool:
    return conn.execute(select(favorites.c.lead_id).where(*_the(partner_id, user_id, lead_id))).first() is not None


def heart(conn: Connection, partner_id: str, user_id: str, lead_id: str, now: datetime) -> None:
    """Insert-or-ignore: two concurrent hearts (double click, two tabs) both succeed, one row stays."""
    row = {"partner_id": partner_id, "user_id": user_id, "lead_id": lead_id, "created_at": now}
    insert_ignore(conn, favorites, [row], ["partner_id", "user_id", "lead_id"])


def unheart(conn: Connection, partner_id: str, user_id: str, lead_id: str) -> None:
    conn.execute(delete(favorites).where(*_the(partner_id, user_id, lead_id)))
