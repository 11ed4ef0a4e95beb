"""Passwords (argon2), API tokens (random, stored as SHA-256) and resolving who is asking."""

import hashlib
import secrets
from datetime import datetime

from pwdlib import PasswordHash
from sqlalchemy import Connection, select, update

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.store.tables import api_tokens, users

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


def principal_from_row(row) -> Principal:
    m = row._mapping
    roles = frozenset(Role(r) for r in m["roles"].split())
    return Principal(m["id"], m["email"], m["partner_id"], roles, m["language"])


def principal_for_token(conn: Connection, token: str, now: datetime) -> Principal | None:
    row = conn.execute(
        select(users)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            api_tokens.c.token_hash == hash_token(token),
            api_tokens.c.revoked_at.is_(None),
            users.c.active.is_(True),
        )
    ).first()
    return None if row is None else principal_from_row(row)


def principal_for_user(conn: Connection, user_id: str) -> Principal | None:
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.active.is_(True))).first()
    return None if row is None else principal_from_row(row)


def touch_token(conn: Connection, token: str, now: datetime) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.token_hash == hash_token(token)).values(last_used_at=now))
