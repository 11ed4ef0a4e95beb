"""What a partner's own people see of their partner: its users and its locations, and the inbound keys
its Referrals admins hand to marketplaces. Always scoped to the caller's partner."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, NotFound
from referrals.services.directory_admin import rotate_inbound_key
from referrals.store.db import reading
from referrals.store.tables import inbound_keys, locations, users


@dataclass(frozen=True)
class PartnerUser:
    id: str
    email: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class PartnerLocation:
    id: str
    country: str
    city: str
    contact_name: str
    contact_email: str
    contact_phone: str
    inbound_key_created_at: datetime | None  # when the live key was issued; None when there is none


def _partner_of(principal: Principal) -> str:
    if principal.partner_id is None:
        raise Forbidden("Only a partner's own users can see its users and locations.")
    return principal.partner_id


def list_users(engine: Engine, principal: Principal) -> list[PartnerUser]:
    partner_id = _partner_of(principal)
    with reading(engine) as conn:
        rows = conn.execute(
            select(users.c.id, users.c.email, users.c.name, users.c.roles)
            .where(users.c.partner_id == partner_id, users.c.active.is_(True))
            .order_by(users.c.email)
        ).all()
    return [PartnerUser(r.id, r.email, r.name, tuple(r.roles.split())) for r in rows]


def list_locations(engine: Engine, principal: Principal) -> list[PartnerLocation]:
    partner_id = _partner_of(principal)
    live_key = (
        select(func.max(inbound_keys.c.created_at))
        .where(
            inbound_keys.c.partner_id == locations.c.partner_id,
            inbound_keys.c.location_id == locations.c.id,
            inbound_keys.c.revoked_at.is_(None),
        )
        .scalar_subquery()
    )
    show_keys = principal.has(Role.REFERRALS_ADMIN)
    with reading(engine) as conn:
        rows = conn.execute(
            select(locations, live_key.label("key_at"))
            .where(locations.c.partner_id == partner_id)
            .order_by(locations.c.created_at, locations.c.id)
        ).all()
    return [
        PartnerLocation(
            r.id, r.country, r.city, r.contact_name, r.contact_email, r.contact_phone,
            r.key_at if show_keys else None,
        )
        for r in rows
    ]


def rotate_location_key(engine: Engine, principal: Principal, location_id: str, *, now: datetime) -> str:
    """A fresh inbound key for one of the caller's locations; the old one stops working at once."""
    principal.require(Role.REFERRALS_ADMIN)
    partner_id = _partner_of(principal)
    with reading(engine) as conn:
        owned = conn.execute(
            select(locations.c.id).where(locations.c.partner_id == partner_id, locations.c.id == location_id)
        ).first()
    if owned is None:
        raise NotFound("No such location.")
    return rotate_inbound_key(engine, location_id, now=now)

