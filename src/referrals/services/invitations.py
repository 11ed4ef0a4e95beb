"""Inviting a colleague: a one-time link, good for INVITATION_LIFETIME, where they choose a password and join the
partner with the roles they were invited with. Only the link's hash is kept, as for password resets.

Email addresses are unique across partners, so an address that already has an account cannot be invited. The
inviter is answered exactly as for a new address (nothing tells them the address is someone else's), nothing is
created, and the address is told that someone tried to invite it: at most one such email per partner, address and
day."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from referrals import emails
from referrals.domain.access import Principal
from referrals.domain.checks import collecting
from referrals.domain.credentials import password_problem
from referrals.domain.enums import Role
from referrals.domain.errors import InvalidInput, NotFound
from referrals.domain.notify import LANGUAGES
from referrals.domain.team import (
    INVITATION_LIFETIME,
    InvitationState,
    check_grant,
    invitation_state,
    partner_roles,
    team_of,
)
from referrals.services.auth import hash_password, hash_token
from referrals.store import enrolment, invitations, partners, users
from referrals.store.db import reading, writing
from referrals.store.ids import new_id
from referrals.store.invitations import Invitation, Usable
from referrals.store.outbox import enqueue, message

LINK_GONE = "This invitation has expired, was revoked or was already used."
NO_SUCH_INVITATION = "No such open invitation in your team."


@dataclass(frozen=True)
class InvitationView:
    id: str
    email: str
    roles: frozenset[Role]
    language: str | None
    created_at: datetime
    expires_at: datetime
    state: InvitationState


def _view(found: Invitation, now: datetime) -> InvitationView:
    state = invitation_state(accepted_at=found.accepted_at, revoked_at=found.revoked_at,
                             expires_at=found.expires_at, now=now)
    return InvitationView(found.id, found.email, found.roles, found.language, found.created_at, found.expires_at,
                          state)


def _checked(email: str, roles: list[str], language: str | None) -> tuple[str, frozenset[Role]]:
    email = email.strip().lower()
    with collecting("The invitation is invalid") as problems:
        problems.limit_text("email", email, max_length=320)
        problems.require_email("email", email)
        if language not in (None, *LANGUAGES):
            problems.add("language", "must be en or it")
    return email, partner_roles(roles)


@dataclass(frozen=True)
class Sender:
    """Who invites, and how the email is written: in the invitation's language, else this fallback (the
    inviter's own language, or their page's)."""

    principal: Principal
    fallback_language: str
    base_url: str


def _send(conn: Connection, sender: Sender, partner_id: str, found: Invitation, token: str | None,
          now: datetime) -> None:
    """The invitation's email, or, when the address has an account by now, the "already has an account" one."""
    language = found.language or sender.fallback_language
    partner_name = partners.load(conn, partner_id).name
    inviter = sender.principal.email
    if token is None:
        context = emails.invitation_existing_context(found.email, partner_name, inviter, sender.base_url)
        key = f"invitation_existing:{partner_id}:{found.email}:{now:%Y-%m-%d}"
        template = "invitation_existing"
    else:
        context = emails.invitation_context(found.email, partner_name, inviter, sender.base_url, token,
                                            INVITATION_LIFETIME.days)
        key, template = f"invitation:{hash_token(token)}", "invitation"
    enqueue(conn, message(key=key, template=template, recipient=found.email, language=language, context=context,
                          now=now, partner_id=partner_id))


def invite(engine: Engine, sender: Sender, email: str, roles: list[str], *, language: str | None,
           now: datetime) -> InvitationView:
    """Invite an address with roles the inviter manages; an open invitation to the same address is replaced."""
    manager = sender.principal
    partner_id = team_of(manager)
    email, chosen = _checked(email, roles, language)
    check_grant(manager, chosen)
    token = secrets.token_urlsafe(32)
    found = Invitation(new_id(), email, chosen, language, manager.user_id, now, now + INVITATION_LIFETIME, None,
                       None)
    with writing(engine) as conn:
        account = users.account(conn, email)
        if account is not None and account.partner_id == partner_id:
            raise InvalidInput("This address is already in your team.", fields={"email": "is already in your team"})
        if account is not None:
            _send(conn, sender, partner_id, found, None, now)  # nothing stored: the answer below is made up
        else:
            invitations.revoke(conn, partner_id, now, email=email)
            invitations.add(conn, partner_id=partner_id, invitation_id=found.id, token_hash=hash_token(token),
                            email=email, roles=chosen, language=language, invited_by=manager.user_id, now=now,
                            expires_at=found.expires_at)
            _send(conn, sender, partner_id, found, token, now)
    return _view(found, now)


def _open(conn: Connection, manager: Principal, invitation_id: str) -> tuple[str, Invitation]:
    partner_id = team_of(manager)
    found = invitations.get_open(conn, partner_id, invitation_id)
    if found is None:
        raise NotFound(NO_SUCH_INVITATION)
    check_grant(manager, found.roles)
    return partner_id, found


def open_invitations(engine: Engine, manager: Principal, *, now: datetime) -> list[InvitationView]:
    """Invitations not accepted nor revoked, expired ones included (they can be sent again)."""
    partner_id = team_of(manager)
    with reading(engine) as conn:
        return [_view(found, now) for found in invitations.open_of_partner(conn, partner_id)]


def resend(engine: Engine, sender: Sender, invitation_id: str, *, now: datetime) -> InvitationView:
    """A new link, good for another INVITATION_LIFETIME; the link sent before stops working."""
    token = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        partner_id, found = _open(conn, sender.principal, invitation_id)
        found = found._replace(expires_at=now + INVITATION_LIFETIME)
        invitations.renew(conn, partner_id, found.id, hash_token(token), found.expires_at)
        taken = users.account(conn, found.email) is not None
        _send(conn, sender, partner_id, found, None if taken else token, now)
    return _view(found, now)


def revoke(engine: Engine, manager: Principal, invitation_id: str, *, now: datetime) -> None:
    with writing(engine) as conn:
        partner_id, found = _open(conn, manager, invitation_id)
        invitations.revoke(conn, partner_id, now, invitation_id=found.id)


def invitation_for(engine: Engine, token: str, *, now: datetime) -> Usable | None:
    """The invitation behind a link, if the link works now."""
    with reading(engine) as conn:
        return invitations.usable(conn, hash_token(token), now)


def accept(engine: Engine, token: str, *, name: str, password: str, now: datetime) -> str:
    """Join the partner: the user is created with the invitation's roles and language and this password. The
    link is checked before the password is hashed (argon2 is slow by design). Answers the new user's id."""
    if invitation_for(engine, token, now=now) is None:
        raise NotFound(LINK_GONE)
    with collecting("The account is invalid") as problems:
        problems.limit_text("name", name, max_length=200)
        if (problem := password_problem(password)) is not None:
            problems.add("password", problem)
    password_hash = hash_password(password)
    user_id = new_id()
    try:
        with writing(engine) as conn:
            found = invitations.accept(conn, hash_token(token), now)
            if found is None:
                raise NotFound(LINK_GONE)
            enrolment.add_user(conn, user_id, found.email, name=name.strip(), partner_id=found.partner_id,
                               roles=found.roles, password_hash=password_hash, language=found.language, now=now)
    except IntegrityError:  # the address got an account (another invitation, an operator) at the same moment
        raise NotFound(LINK_GONE) from None
    return user_id
