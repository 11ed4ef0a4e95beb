"""Signed-in sessions, kept server-side so that they can be ended: signing out ends one, a password change or
reset ends every session of the user, and so does deactivating the user (a session of an inactive user is
nobody's). The browser holds a random key; the database only its hash."""

import secrets
from datetime import datetime

from sqlalchemy import Connection, Engine

from referrals.domain.credentials import TOUCH_EVERY, SessionLifetime, touch_due
from referrals.services.auth import hash_token
from referrals.services.signin import Viewer, viewer_of
from referrals.store import sessions as store
from referrals.store import users
from referrals.store.db import reading, writing


def begin(conn: Connection, user_id: str, now: datetime) -> str:
    """A new session in the caller's transaction; answers its key (for the cookie, never stored)."""
    key = secrets.token_urlsafe(32)
    store.add(conn, hash_token(key), user_id, now)
    return key


def start(engine: Engine, user_id: str, now: datetime, lifetime: SessionLifetime) -> str:
    """Sign in: a new session, the user's expired ones forgotten, and the moment kept as their last sign-in."""
    with writing(engine) as conn:
        store.end_expired(conn, user_id, now - lifetime.idle, now - lifetime.absolute)
        users.record_signin(conn, user_id, now)
        return begin(conn, user_id, now)


def resume(engine: Engine, key: str, now: datetime, lifetime: SessionLifetime) -> Viewer | None:
    """Who holds a live session, read with their partner in one query; None when it is unknown, ended, expired,
    or its user deactivated. Last seen is written at most once a minute."""
    key_hash = hash_token(key)
    with reading(engine) as conn:
        found = store.find(conn, key_hash)
    if found is None:
        return None
    if not lifetime.alive(found.created_at, found.last_seen_at, now):
        with writing(engine) as conn:
            store.end(conn, key_hash)
        return None
    if touch_due(found.last_seen_at, now):
        with writing(engine) as conn:
            store.touch(conn, key_hash, now, stale_before=now - TOUCH_EVERY)
    return viewer_of(found.user)


def end(engine: Engine, key: str) -> None:
    with writing(engine) as conn:
        store.end(conn, hash_token(key))


def end_all(conn: Connection, user_id: str) -> int:
    """End every session of the user in the caller's transaction (a password change, a reset, deactivation)."""
    return store.end_all(conn, user_id)


def sign_out_everywhere(engine: Engine, user_id: str) -> int:
    with writing(engine) as conn:
        return end_all(conn, user_id)


def live_sessions(engine: Engine, user_id: str, now: datetime, lifetime: SessionLifetime) -> int:
    with reading(engine) as conn:
        return store.live_count(conn, user_id, now - lifetime.idle, now - lifetime.absolute)
