"""Partners and their locations: the facts about a partner that use cases and emails need, and the
locations its people manage."""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select

from referrals.store.scope import of_partner
from referrals.store.tables import inbound_keys, locations, partners


class Location(NamedTuple):
    id: str
    country: str
    city: str
    contact_name: str
    contact_email: str
    contact_phone: str
    inbound_key_created_at: datetime | None  # when the live inbound key was issued; None when there is none


def exists(conn: Connection, partner_id: str) -> bool:
    return conn.execute(select(partners.c.id).where(partners.c.id == partner_id)).first() is not None


def load(conn: Connection, partner_id: str) -> Any:
    """The partner's row (name, time zone, preferred notification address); raises if there is none."""
    return conn.execute(select(partners).where(partners.c.id == partner_id)).one()


def names(conn: Connection, partner_ids: list[str]) -> dict[str, str]:
    return dict(conn.execute(select(partners.c.id, partners.c.name).where(partners.c.id.in_(partner_ids))).all())


def choices(conn: Connection) -> list[tuple[str, str]]:
    """Every partner as (id, name), by name: what program staff pick from."""
    rows = conn.execute(select(partners.c.id, partners.c.name).order_by(partners.c.name, partners.c.id))
    return [(row.id, row.name) for row in rows]


def locations_of(conn: Connection, partner_id: str) -> list[Location]:
    """The partner's locations in the order they were added, each with when its live key was issued."""
    live_key = (
        select(func.max(inbound_keys.c.created_at))
        .where(
            inbound_keys.c.partner_id == locations.c.partner_id,
            inbound_keys.c.location_id == locations.c.id,
            inbound_keys.c.revoked_at.is_(None),
        )
        .scalar_subquery()
    )
    rows = conn.execute(
        select(locations, live_key.label("key_at"))
        .where(of_partner(locations, partner_id))
        .order_by(locations.c.created_at, locations.c.id)
    ).all()
    return [
        Location(r.id, r.country, r.city, r.contact_name, r.contact_email, r.contact_phone, r.key_at)
        for r in rows
    ]


def has_location(conn: Connection, partner_id: str, location_id: str) -> bool:
    found = conn.execute(
        select(locations.c.id).where(of_partner(locations, partner_id), locations.c.id == location_id)
    ).first()
    return found is not None


def location_contact_email(conn: Connection, partner_id: str, location_id: str) -> str:
    """The location's contact address, or "" when it has none."""
    row = conn.execute(
        select(locations.c.contact_email).where(of_partner(locations, partner_id), locations.c.id == location_id)
    ).first()
    return row.contact_email if row and row.contact_email else ""


def first_location(conn: Connection, partner_id: str, location_id: str | None = None) -> str | None:
    """The partner's location with this id, or its first location when none is named; None when there is none."""
    query = select(locations.c.id).where(of_partner(locations, partner_id))
    if location_id:
        query = query.where(locations.c.id == location_id)
    row = conn.execute(query.order_by(locations.c.created_at, locations.c.id).limit(1)).first()
    return None if row is None else row.id


def location_label(conn: Connection, partner_id: str, location_id: str) -> str:
    """"City, CC" (or the country alone) for emails that name a location."""
    row = conn.execute(select(locations.c.city, locations.c.country)
                       .where(of_partner(locations, partner_id), locations.c.id == location_id)).first()
    if row is None:
        return ""
    return f"{row.city}, {row.country}" if row.city else row.country
