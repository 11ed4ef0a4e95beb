"""Invitations to join a partner's team, by the hash of their link's token: open until accepted, revoked or
expired, and never usable once the address has an account (emails are unique across partners)."""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, exists, insert, select, update

from referrals.domain.enums import Role
from referrals.store.scope import of_partner
from referrals.store.tables import invitations, partners, users


class Invitation(NamedTuple):
    id: str
    email: str
    roles: frozenset[Role]
    language: str | None
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class Usable(NamedTuple):
    """An invitation whose link works now, with the partner it leads to."""

    partner_id: str
    id: str
    email: str
    roles: frozenset[Role]
    language: str | None
    partner_name: str


def _roles(text: str) -> frozenset[Role]:
    return frozenset(Role(r) for r in text.split())


def _invitation(row: Any) -> Invitation:
    m = row._mapping
    return Invitation(m["id"], m["email"], _roles(m["roles"]), m["language"], m["invited_by"], m["created_at"],
                      m["expires_at"], m["accepted_at"], m["revoked_at"])


def add(conn: Connection, *, partner_id: str, invitation_id: str, token_hash: str, email: str,
        roles: frozenset[Role], language: str | None, invited_by: str, now: datetime, expires_at: datetime) -> None:
    conn.execute(insert(invitations).values(
        partner_id=partner_id, id=invitation_id, token_hash=token_hash, email=email,
        roles=" ".join(sorted(r.value for r in roles)), language=language, invited_by=invited_by, created_at=now,
        expires_at=expires_at))


def _still_open():
    return invitations.c.accepted_at.is_(None), invitations.c.revoked_at.is_(None)


def open_of_partner(conn: Connection, partner_id: str) -> list[Invitation]:
    """Neither accepted nor revoked (expired ones too: they can be sent again), newest first."""
    rows = conn.execute(select(invitations).where(of_partner(invitations, partner_id), *_still_open())
                        .order_by(invitations.c.created_at.desc(), invitations.c.id.desc()))
    return [_invitation(r) for r in rows]


def get_open(conn: Connection, partner_id: str, invitation_id: str) -> Invitation | None:
    row = conn.execute(select(invitations).where(of_partner(invitations, partner_id),
                                                 invitations.c.id == invitation_id, *_still_open())).first()
    return None if row is None else _invitation(row)


def revoke(conn: Connection, partner_id: str, now: datetime, *, invitation_id: str | None = None,
           email: str | None = None) -> int:
    """Revoke the partner's open invitation with this id, or every open one to this address."""
    query = update(invitations).where(of_partner(invitations, partner_id), *_still_open())
    if invitation_id is not None:
        query = query.where(invitations.c.id == invitation_id)
    if email is not None:
        query = query.where(invitations.c.email == email)
    return conn.execute(query.values(revoked_at=now)).rowcount


def renew(conn: Connection, partner_id: str, invitation_id: str, token_hash: str, expires_at: datetime) -> bool:
    """A new link for an open invitation (the old one stops working), good until `expires_at`."""
    done = conn.execute(update(invitations)
                        .where(of_partner(invitations, partner_id), invitations.c.id == invitation_id,
                               *_still_open())
                        .values(token_hash=token_hash, expires_at=expires_at))
    return done.rowcount == 1


def _usable(token_hash: str, now: datetime):
    taken = exists().where(users.c.email == invitations.c.email)
    return (invitations.c.token_hash == token_hash, *_still_open(), invitations.c.expires_at > now, ~taken)


def _usable_row(row: Any) -> Usable:
    return Usable(row.partner_id, row.id, row.email, _roles(row.roles), row.language, row.partner_name)


def usable(conn: Connection, token_hash: str, now: datetime) -> Usable | None:
    row = conn.execute(
        select(invitations, partners.c.name.label("partner_name"))
        .join(partners, partners.c.id == invitations.c.partner_id)
        .where(*_usable(token_hash, now))
    ).first()
    return None if row is None else _usable_row(row)


def accept(conn: Connection, token_hash: str, now: datetime) -> Usable | None:
    """Spend the link; None when it is unknown, spent, revoked, expired or its address taken. The conditional
    UPDATE lets exactly one of two simultaneous uses through."""
    found = usable(conn, token_hash, now)
    if found is None:
        return None
    done = conn.execute(update(invitations).where(of_partner(invitations, found.partner_id),
                                                  invitations.c.id == found.id, *_usable(token_hash, now))
                        .values(accepted_at=now))
    return found if done.rowcount == 1 else None
