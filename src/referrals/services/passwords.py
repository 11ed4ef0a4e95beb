"""A person managing their own password: changing it (the current one required) and resetting a forgotten one
with a one-time emailed link. Either way every session of the user ends, and every reset link still out."""

import secrets
from datetime import datetime

from sqlalchemy import Engine

from referrals import emails
from referrals.domain.access import Principal
from referrals.domain.credentials import RESET_LINK_LIFETIME, RESET_LINKS_PER_HOUR, password_problem
from referrals.domain.errors import InvalidInput, NotFound
from referrals.services import sessions
from referrals.services.auth import hash_password, hash_token, verify_password
from referrals.store import password_resets, users
from referrals.store.db import reading, writing
from referrals.store.outbox import enqueue, message

LINK_GONE = "This link has expired or was already used."


def _checked(field: str, password: str) -> str:
    """The argon2 hash of an acceptable new password (hashed outside any transaction: it is slow by design)."""
    problem = password_problem(password)
    if problem:
        raise InvalidInput("The new password is not acceptable.", fields={field: problem})
    return hash_password(password)


def change_password(engine: Engine, principal: Principal, current: str, new: str, *, now: datetime) -> str:
    """Set a new password; every session of the user ends and this browser gets a new one, whose key is the
    answer."""
    with reading(engine) as conn:
        stored = users.password_hash(conn, principal.user_id)
    if not verify_password(current, stored):
        raise InvalidInput("The current password is not right.", fields={"current_password": "is not right"})
    new_hash = _checked("new_password", new)
    with writing(engine) as conn:
        users.set_password(conn, principal.user_id, new_hash)
        password_resets.spend_all(conn, principal.user_id, now)
        sessions.end_all(conn, principal.user_id)
        return sessions.begin(conn, principal.user_id, now)


def request_reset(engine: Engine, email: str, *, language: str, base_url: str, now: datetime) -> None:
    """Email a one-time link to the active user with this address; nothing for an unknown address, and nothing
    beyond RESET_LINKS_PER_HOUR an hour. The caller answers the same in every case."""
    with writing(engine) as conn:
        found = users.credentials(conn, email.strip().lower())
        if found is None:
            return
        principal = found[0]
        if password_resets.made_since(conn, principal.user_id, now - RESET_LINK_LIFETIME) >= RESET_LINKS_PER_HOUR:
            return
        token = secrets.token_urlsafe(32)
        token_hash = hash_token(token)
        password_resets.add(conn, token_hash, principal.user_id, now, now + RESET_LINK_LIFETIME)
        context = emails.password_reset_context(principal.email, base_url, token,
                                                int(RESET_LINK_LIFETIME.total_seconds() // 60))
        enqueue(conn, message(key=f"password_reset:{token_hash}", template="password_reset",
                              recipient=principal.email, language=principal.language or language,
                              context=context, now=now))


def reset_link_usable(engine: Engine, token: str, *, now: datetime) -> bool:
    with reading(engine) as conn:
        return password_resets.usable(conn, hash_token(token), now)


def reset_password(engine: Engine, token: str, new: str, *, now: datetime) -> None:
    """Spend the link and set the new password; every session of the user ends. The link is checked before the
    password is hashed: argon2 costs 64 MiB and a tenth of a second, not to be spent on a made-up link."""
    if not reset_link_usable(engine, token, now=now):
        raise NotFound(LINK_GONE)
    new_hash = _checked("password", new)
    with writing(engine) as conn:
        user_id = password_resets.use(conn, hash_token(token), now)
        if user_id is None:
            raise NotFound(LINK_GONE)
        users.set_password(conn, user_id, new_hash)
        password_resets.spend_all(conn, user_id, now)
        sessions.end_all(conn, user_id)
