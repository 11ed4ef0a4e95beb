"""API tokens as their owners and operators see them: listed, created and revoked. The token itself is never
stored; its hash is the key, and its first 16 characters are kept as `prefix`."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, insert, or_, select, update

from referrals.store.tables import api_tokens


class TokenRow(NamedTuple):
    id: str
    user_id: str
    name: str
    prefix: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


_COLUMNS = [api_tokens.c[name] for name in TokenRow._fields]


def add(conn: Connection, *, token_hash: str, token_id: str, prefix: str | None, user_id: str, name: str,
        now: datetime, expires_at: datetime | None) -> None:
    conn.execute(insert(api_tokens).values(token_hash=token_hash, id=token_id, prefix=prefix, user_id=user_id,
                                           name=name, created_at=now, expires_at=expires_at))


def of_user(conn: Connection, user_id: str) -> list[TokenRow]:
    rows = conn.execute(select(*_COLUMNS).where(api_tokens.c.user_id == user_id)
                        .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc()))
    return [TokenRow(*row) for row in rows]


def get(conn: Connection, token_id: str) -> TokenRow | None:
    row = conn.execute(select(*_COLUMNS).where(api_tokens.c.id == token_id)).first()
    return None if row is None else TokenRow(*row)


def matching(conn: Connection, *, token_id: str, token_hash: str, prefix: str | None) -> list[TokenRow]:
    """The tokens with this id, this hash or this display prefix."""
    conditions = [api_tokens.c.id == token_id, api_tokens.c.token_hash == token_hash]
    if prefix is not None:
        conditions.append(api_tokens.c.prefix == prefix)
    return [TokenRow(*row) for row in conn.execute(select(*_COLUMNS).where(or_(*conditions)))]


def revoke(conn: Connection, token_id: str, now: datetime, *, user_id: str | None = None) -> bool:
    """Revoke the token (of this user, when given); False when there is no such live token."""
    query = update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return conn.execute(query.values(revoked_at=now)).rowcount == 1
