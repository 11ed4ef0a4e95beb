"""Business profiles and the locations they show, always scoped to their partner."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from referrals.store.scope import of_partner
from referrals.store.tables import inbound_keys, leads, locations, partners, profiles


def partner_name(conn: Connection, partner_id: str) -> str | None:
    """The partner's registered name; None when there is no such partner."""
    row = conn.execute(select(partners.c.name).where(partners.c.id == partner_id)).first()
    return None if row is None else row.name


def profile_row(conn: Connection, partner_id: str) -> Row | None:
    return conn.execute(select(profiles).where(of_partner(profiles, partner_id))).first()


def is_published(conn: Connection, partner_id: str) -> bool | None:
    """None when the partner never saved a profile."""
    return conn.execute(select(profiles.c.published).where(of_partner(profiles, partner_id))).scalar_one_or_none()


def save_profile_row(conn: Connection, partner_id: str, values: dict[str, Any]) -> None:
    if conn.execute(select(profiles.c.partner_id).where(of_partner(profiles, partner_id))).first():
        conn.execute(update(profiles).where(of_partner(profiles, partner_id)).values(**values))
    else:
        conn.execute(insert(profiles).values(partner_id=partner_id, **values))


def locations_of(conn: Connection, partner_id: str) -> Sequence[Row]:
    """The partner's locations in the order they were added."""
    return conn.execute(
        select(locations).where(of_partner(locations, partner_id)).order_by(locations.c.created_at, locations.c.id)
    ).all()


def location_ids(conn: Connection, partner_id: str) -> set[str]:
    return set(conn.execute(select(locations.c.id).where(of_partner(locations, partner_id))).scalars())


def leads_at(conn: Connection, partner_id: str, location_id: str) -> int:
    """How many of the partner's leads went to this location (a location with leads must stay)."""
    return conn.execute(
        select(func.count()).select_from(leads).where(of_partner(leads, partner_id), leads.c.location_id == location_id)
    ).scalar_one()


def add_location(conn: Connection, partner_id: str, location_id: str, now: datetime, values: dict[str, Any]) -> None:
    conn.execute(insert(locations).values(partner_id=partner_id, id=location_id, created_at=now, **values))


def update_location(conn: Connection, partner_id: str, location_id: str, values: dict[str, Any]) -> None:
    conn.execute(
        update(locations).where(of_partner(locations, partner_id), locations.c.id == location_id).values(**values)
    )


def remove_location(conn: Connection, partner_id: str, location_id: str) -> None:
    """The location and its inbound keys, which would point nowhere without it."""
    conn.execute(
        delete(inbound_keys).where(of_partner(inbound_keys, partner_id), inbound_keys.c.location_id == location_id)
    )
    conn.execute(delete(locations).where(of_partner(locations, partner_id), locations.c.id == location_id))
