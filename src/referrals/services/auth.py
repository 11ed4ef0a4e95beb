"""Passwords (argon2), API tokens (random, stored as SHA-256) and resolving who is asking."""

import hashlib
import secrets
from datetime import datetime

from pwdlib import PasswordHash
from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.credentials import TOUCH_EVERY, touch_due
from referrals.store import users
from referrals.store.db import reading, writing

_passwords = PasswordHash.recommended()
TOKEN_PREFIX = "rfl_"  # noqa: S105 - a prefix, not a secret


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        _passwords.hash(password)  # same cost whether or not the user exists
        return False
    return _passwords.verify(password, password_hash)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_for_token(engine: Engine, token: str, now: datetime) -> Principal | None:
    """Who holds this live token (not revoked, not expired, user active); its use is recorded at most once a
    minute, so a busy client costs a write a minute, not one a request."""
    token_hash = hash_token(token)
    with reading(engine) as conn:
        holder = users.principal_by_token(conn, token_hash, now)
    if holder is None:
        return None
    if touch_due(holder.last_used_at, now):
        with writing(engine) as conn:
            users.touch_token(conn, token_hash, now, stale_before=now - TOUCH_EVERY)
    return holder.principal


def principal_for_user(conn: Connection, user_id: str) -> Principal | None:
    return users.active_principal(conn, user_id)
