"""Saved views: a user's own and the partner's shared ones, on the (partner_id, user_id) index and the key."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from referrals.domain.views import SavedView
from referrals.store.scope import of_partner
from referrals.store.tables import saved_views


def _view(row: Any) -> SavedView:
    m = row._mapping
    return SavedView(m["id"], m["partner_id"], m["user_id"], m["name"], dict(m["query"]), bool(m["shared"]),
                     m["created_at"], m["updated_at"])


def visible(conn: Connection, partner_id: str, user_id: str) -> list[SavedView]:
    """The user's own views and the partner's shared ones, by name (then age)."""
    rows = conn.execute(
        select(saved_views)
        .where(of_partner(saved_views, partner_id),
               or_(saved_views.c.user_id == user_id, saved_views.c.shared.is_(True)))
        .order_by(func.lower(saved_views.c.name), saved_views.c.created_at, saved_views.c.id)
    ).all()
    return [_view(row) for row in rows]


def find(conn: Connection, partner_id: str, view_id: str) -> SavedView | None:
    row = conn.execute(
        select(saved_views).where(of_partner(saved_views, partner_id), saved_views.c.id == view_id)
    ).first()
    return _view(row) if row is not None else None


def count_own(conn: Connection, partner_id: str, user_id: str) -> int:
    return conn.execute(
        select(func.count()).select_from(saved_views)
        .where(of_partner(saved_views, partner_id), saved_views.c.user_id == user_id)
    ).scalar_one()


def add(conn: Connection, view: SavedView) -> None:
    conn.execute(insert(saved_views).values(
        partner_id=view.partner_id, id=view.id, user_id=view.user_id, name=view.name, query=view.query,
        shared=view.shared, created_at=view.created_at, updated_at=view.updated_at))


def change(conn: Connection, partner_id: str, view_id: str, *, now: datetime, **values: Any) -> None:
    conn.execute(update(saved_views).where(of_partner(saved_views, partner_id), saved_views.c.id == view_id)
                 .values(updated_at=now, **values))


def remove(conn: Connection, partner_id: str, view_id: str) -> None:
    conn.execute(delete(saved_views).where(of_partner(saved_views, partner_id), saved_views.c.id == view_id))
