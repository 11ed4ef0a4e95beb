"""Passwords (argon2), API tokens (random, stored as SHA-256) and resolving who is asking."""

import hashlib
import secrets
from datetime import datetime

from pwdlib import PasswordHash
from sqlalchemy import Connection

from referrals.domain.access import Principal
from referrals.store import users

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


def principal_for_token(conn: Connection, token: str, now: datetime) -> Principal | None:
    return users.principal_by_token(conn, hash_token(token))


def principal_for_user(conn: Connection, user_id: str) -> Principal | None:
    return users.active_principal(conn, user_id)


def touch_token(conn: Connection, token: str, now: datetime) -> None:
    users.touch_token(conn, hash_token(token), now)
