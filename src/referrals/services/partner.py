"""What a partner's own people see of their partner: its users and its locations, and the inbound keys
its Referrals admins hand to marketplaces. Always scoped to the caller's partner."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, NotFound
from referrals.services.directory_admin import rotate_inbound_key
from referrals.store import partners, users
from referrals.store.db import reading


@dataclass(frozen=True)
class PartnerUser:
    id: str
    email: str
    name: str
    roles: tuple[str, ...]


def _partner_of(principal: Principal) -> str:
    if principal.partner_id is None:
        raise Forbidden("Only a partner's own users can see its users and locations.")
    return principal.partner_id


def list_users(engine: Engine, principal: Principal) -> list[PartnerUser]:
    partner_id = _partner_of(principal)
    with reading(engine) as conn:
        members = users.members(conn, partner_id)
    return [PartnerUser(m.id, m.email, m.name, m.roles) for m in members]


def list_locations(engine: Engine, principal: Principal) -> list[partners.Location]:
    """Only Referrals admins, who hand the keys out, see when each location's key was issued."""
    partner_id = _partner_of(principal)
    show_keys = principal.has(Role.REFERRALS_ADMIN)
    with reading(engine) as conn:
        places = partners.locations_of(conn, partner_id)
    return [p if show_keys else p._replace(inbound_key_created_at=None) for p in places]


def rotate_location_key(engine: Engine, principal: Principal, location_id: str, *, now: datetime) -> str:
    """A fresh inbound key for one of the caller's locations; the old one stops working at once."""
    principal.require(Role.REFERRALS_ADMIN)
    partner_id = _partner_of(principal)
    with reading(engine) as conn:
        owned = partners.has_location(conn, partner_id, location_id)
    if not owned:
        raise NotFound("No such location.")
    return rotate_inbound_key(engine, location_id, now=now)
