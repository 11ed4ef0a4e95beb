"""API tokens: issued (shown once, stored as a hash with a 16-character display prefix and an optional expiry),
listed and revoked, by their owner on the settings page and by an operator from the CLI. A revoked or expired
token is refused on its next request (services.auth.principal_for_token)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.checks import collecting
from referrals.domain.credentials import TOKEN_DISPLAY_LENGTH, token_display_prefix, token_expires_at
from referrals.domain.errors import InvalidInput, NotFound
from referrals.services.auth import TOKEN_PREFIX, hash_token, new_token
from referrals.store import enrolment
from referrals.store import tokens as store
from referrals.store.db import reading, writing
from referrals.store.ids import new_id
from referrals.store.tokens import TokenRow

NAME_MAX = 100


@dataclass(frozen=True)
class NewToken:
    id: str
    token: str  # shown once: only its hash is kept
    prefix: str
    expires_at: datetime | None


def state(row: TokenRow, now: datetime) -> str:
    """active, expired or revoked."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active"


def issue(conn: Connection, user_id: str, *, name: str, now: datetime, expires_in_days: int | None) -> NewToken:
    with collecting("The token is invalid") as problems:
        problems.limit_text("name", name, max_length=NAME_MAX)
    expires_at = token_expires_at(now, expires_in_days)
    token, token_id = new_token(), new_id(int(now.timestamp() * 1000))
    prefix = token_display_prefix(token)
    store.add(conn, token_hash=hash_token(token), token_id=token_id, prefix=prefix, user_id=user_id,
              name=name.strip(), now=now, expires_at=expires_at)
    return NewToken(token_id, token, prefix, expires_at)


def create_token_for(engine: Engine, email: str, *, name: str = "", now: datetime,
                     expires_in_days: int | None = None) -> NewToken:
    """An operator's token for the user with this email."""
    with writing(engine) as conn:
        user_id = enrolment.user_id_by_email(conn, email.strip().lower())
        if user_id is None:
            raise NotFound(f"No user with the email {email}.")
        return issue(conn, user_id, name=name, now=now, expires_in_days=expires_in_days)


def tokens_of(engine: Engine, email: str) -> list[TokenRow]:
    """Every token of the user with this email, newest first (never the tokens themselves)."""
    with reading(engine) as conn:
        user_id = enrolment.user_id_by_email(conn, email.strip().lower())
        if user_id is None:
            raise NotFound(f"No user with the email {email}.")
        return store.of_user(conn, user_id)


def revoke_token(engine: Engine, id_or_prefix: str, *, now: datetime) -> TokenRow:
    """Revoke the token with this id, or whose display prefix this text starts with (the whole token works
    too). Revoking a revoked token changes nothing."""
    text = id_or_prefix.strip()
    prefix = token_display_prefix(text) if text.startswith(TOKEN_PREFIX) and len(text) >= TOKEN_DISPLAY_LENGTH else None
    with writing(engine) as conn:
        found = store.matching(conn, token_id=text, token_hash=hash_token(text), prefix=prefix)
        if not text or not found:
            raise NotFound(f"No token {text!r}: give its id, or its prefix (rfl_ and 12 more characters).")
        if len(found) > 1:
            raise InvalidInput(f"{text!r} matches {len(found)} tokens: give the token's id.")
        store.revoke(conn, found[0].id, now)
        return store.get(conn, found[0].id)


def own_tokens(engine: Engine, principal: Principal) -> list[TokenRow]:
    with reading(engine) as conn:
        return store.of_user(conn, principal.user_id)


def create_own_token(engine: Engine, principal: Principal, *, name: str, now: datetime,
                     expires_in_days: int | None) -> NewToken:
    with collecting("The token is invalid") as problems:
        problems.require_text("name", name, max_length=NAME_MAX)
    with writing(engine) as conn:
        return issue(conn, principal.user_id, name=name, now=now, expires_in_days=expires_in_days)


def revoke_own_token(engine: Engine, principal: Principal, token_id: str, *, now: datetime) -> None:
    """Revoke one of the user's own tokens; another user's token, or an unknown id, is 404."""
    with writing(engine) as conn:
        if not store.revoke(conn, token_id, now, user_id=principal.user_id):
            found = store.get(conn, token_id)
            if found is None or found.user_id != principal.user_id:
                raise NotFound("No such token.")
