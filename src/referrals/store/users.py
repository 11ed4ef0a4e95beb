"""Users and their API tokens: who is asking, who belongs to a partner. Roles are stored as one
space-separated string; this module is the only place that knows it."""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, or_, select, update

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.notify import Person
from referrals.domain.preferences import NewLeadEmails, Preferences
from referrals.store.scope import of_partner
from referrals.store.tables import api_tokens, partners, users


class Member(NamedTuple):
    """One of a partner's active users, as the partner's own people see them."""

    id: str
    email: str
    name: str
    roles: tuple[str, ...]


class UserAndPartner(NamedTuple):
    """A user with the partner facts the pages show; the partner's are None for program staff."""

    principal: Principal
    name: str
    partner_name: str | None
    timezone: str | None


def _principal(row: Any) -> Principal:
    m = row._mapping
    roles = frozenset(Role(r) for r in m["roles"].split())
    return Principal(m["id"], m["email"], m["partner_id"], roles, m["language"])


class TokenHolder(NamedTuple):
    principal: Principal
    last_used_at: datetime | None


def principal_by_token(conn: Connection, token_hash: str, now: datetime) -> TokenHolder | None:
    """The active user holding this live token; a revoked or expired token, or a deactivated user, is nobody."""
    row = conn.execute(
        select(users, api_tokens.c.last_used_at)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            api_tokens.c.token_hash == token_hash,
            api_tokens.c.revoked_at.is_(None),
            or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > now),
            users.c.active.is_(True),
        )
    ).first()
    return None if row is None else TokenHolder(_principal(row), row.last_used_at)


def active_principal(conn: Connection, user_id: str) -> Principal | None:
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.active.is_(True))).first()
    return None if row is None else _principal(row)


def touch_token(conn: Connection, token_hash: str, now: datetime, stale_before: datetime) -> None:
    """Record a use, unless one was recorded since `stale_before` (by a request running alongside, say)."""
    conn.execute(
        update(api_tokens)
        .where(api_tokens.c.token_hash == token_hash,
               or_(api_tokens.c.last_used_at.is_(None), api_tokens.c.last_used_at <= stale_before))
        .values(last_used_at=now)
    )


def password_hash(conn: Connection, user_id: str) -> str | None:
    """The active user's password hash (None without a password, or without such a user)."""
    return conn.execute(
        select(users.c.password_hash).where(users.c.id == user_id, users.c.active.is_(True))
    ).scalar_one_or_none()


def set_password(conn: Connection, user_id: str, password_hash: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def credentials(conn: Connection, email: str) -> tuple[Principal, str | None] | None:
    """The active user with this (normalised) email and their password hash, for signing in."""
    row = conn.execute(select(users).where(users.c.email == email, users.c.active.is_(True))).first()
    return None if row is None else (_principal(row), row.password_hash)


def select_with_partner(*columns: Any) -> Select:
    """Active users with their partner's name and time zone (and `columns`), for `user_and_partner`: a
    store module that finds users by something else (a session) reads them in the same one query."""
    return (select(users, partners.c.name.label("partner_name"), partners.c.timezone, *columns)
            .outerjoin(partners, partners.c.id == users.c.partner_id)
            .where(users.c.active.is_(True)))


def user_and_partner(row: Any) -> UserAndPartner:
    return UserAndPartner(_principal(row), row.name, row.partner_name, row.timezone)


def set_language(conn: Connection, user_id: str, language: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(language=language))


def members(conn: Connection, partner_id: str) -> list[Member]:
    rows = conn.execute(
        select(users.c.id, users.c.email, users.c.name, users.c.roles)
        .where(of_partner(users, partner_id), users.c.active.is_(True))
        .order_by(users.c.email)
    ).all()
    return [Member(r.id, r.email, r.name, tuple(r.roles.split())) for r in rows]


def referrals_admins(conn: Connection, partner_id: str) -> list[Person]:
    """The partner's active Referrals admins as email recipients, oldest account first (the first one's
    language is the one a location contact is written in)."""
    rows = conn.execute(
        select(users.c.email, users.c.language, users.c.notification_email, users.c.roles, users.c.new_lead_emails)
        .where(of_partner(users, partner_id), users.c.active.is_(True))
        .order_by(users.c.created_at, users.c.id)
    )
    return [
        Person(r.email, r.language or "en", r.notification_email, r.new_lead_emails)
        for r in rows
        if Role.REFERRALS_ADMIN.value in r.roles.split()
    ]


# -- the team as its admins manage it, and each person's own settings --------------------------------------------


class TeamMember(NamedTuple):
    """One of a partner's users, active or not, as the team page and the API list them."""

    id: str
    email: str
    name: str
    roles: frozenset[Role]
    active: bool
    last_signin_at: datetime | None


_TEAM_COLUMNS = (users.c.id, users.c.email, users.c.name, users.c.roles, users.c.active, users.c.last_signin_at)


def _member(row: Any) -> TeamMember:
    return TeamMember(row.id, row.email, row.name, frozenset(Role(r) for r in row.roles.split()), row.active,
                      row.last_signin_at)


def roles_text(roles: frozenset[Role] | set[Role]) -> str:
    return " ".join(sorted(r.value for r in roles))


def team(conn: Connection, partner_id: str) -> list[TeamMember]:
    """Every user of the partner, active ones first, each group by email."""
    rows = conn.execute(select(*_TEAM_COLUMNS).where(of_partner(users, partner_id))
                        .order_by(users.c.active.desc(), users.c.email))
    return [_member(r) for r in rows]


def team_member(conn: Connection, partner_id: str, user_id: str) -> TeamMember | None:
    """The partner's user with this id; None for an unknown id or another partner's user."""
    row = conn.execute(select(*_TEAM_COLUMNS).where(of_partner(users, partner_id), users.c.id == user_id)).first()
    return None if row is None else _member(row)


def lock_team(conn: Connection, partner_id: str) -> None:
    """Serialise changes to the partner's team for the rest of the transaction (its partner row, FOR UPDATE on
    PostgreSQL; SQLite's write transactions are serial already), so two admins deactivating each other at once
    cannot both pass the last-admin check."""
    conn.execute(select(partners.c.id).where(partners.c.id == partner_id).with_for_update())


def active_admin_ids(conn: Connection, partner_id: str) -> set[str]:
    rows = conn.execute(select(users.c.id, users.c.roles).where(of_partner(users, partner_id),
                                                                users.c.active.is_(True)))
    return {r.id for r in rows if Role.REFERRALS_ADMIN.value in r.roles.split()}


def set_roles(conn: Connection, partner_id: str, user_id: str, roles: frozenset[Role]) -> None:
    conn.execute(update(users).where(of_partner(users, partner_id), users.c.id == user_id)
                 .values(roles=roles_text(roles)))


def set_active(conn: Connection, partner_id: str, user_id: str, active: bool) -> None:
    conn.execute(update(users).where(of_partner(users, partner_id), users.c.id == user_id).values(active=active))


def record_signin(conn: Connection, user_id: str, now: datetime) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(last_signin_at=now))


class Account(NamedTuple):
    """Whose an address is, active or not (emails are unique across partners and the program)."""

    id: str
    partner_id: str | None
    active: bool


def account(conn: Connection, email: str) -> Account | None:
    row = conn.execute(select(users.c.id, users.c.partner_id, users.c.active)
                       .where(users.c.email == email.strip().lower())).first()
    return None if row is None else Account(row.id, row.partner_id, row.active)


class Own(NamedTuple):
    """A person as they see themselves: who they are and their settings."""

    id: str
    email: str
    name: str
    partner_id: str | None
    roles: frozenset[Role]
    preferences: Preferences


def own(conn: Connection, user_id: str) -> Own | None:
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.active.is_(True))).first()
    if row is None:
        return None
    preferences = Preferences(row.language, row.notification_email, NewLeadEmails(row.new_lead_emails))
    return Own(row.id, row.email, row.name, row.partner_id, frozenset(Role(r) for r in row.roles.split()),
               preferences)


def set_preferences(conn: Connection, user_id: str, preferences: Preferences) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(
        language=preferences.language, notification_email=preferences.notification_email,
        new_lead_emails=preferences.new_lead_emails.value))


def set_notification_email(conn: Connection, user_id: str, address: str | None) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(notification_email=address))
