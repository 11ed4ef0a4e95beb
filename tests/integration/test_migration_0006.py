"""Migration 0006 on a database that already has API tokens: each gets an id, keeps working, has no prefix
(only its hash was ever kept) and can be revoked by its id. On both databases."""

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from referrals.services.auth import hash_token, principal_for_token
from referrals.services.tokens import revoke_token
from referrals.store.db import make_engine
from referrals.store.migrate import downgrade, upgrade
from referrals.store.tables import api_tokens

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (on PostgreSQL a schema), for migrating step by step."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    base = request.getfixturevalue("_postgres_engine")
    schema = f"migration_{secrets.token_hex(6)}"
    with base.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(base.url.update_query_dict({"options": f"-csearch_path={schema}"})
                         .render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with base.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_tokens_made_before_0006_get_an_id_and_keep_working(blank: Engine):
    # given a database at 0005 holding a user with a token
    upgrade(blank, "0005")
    token = "rfl_" + secrets.token_urlsafe(32)
    with blank.begin() as conn:
        conn.execute(text("INSERT INTO users (id, email, roles, created_at) "
                          "VALUES ('u1', 'ada@contoso.example', 'program-admin', :now)"), {"now": NOW})
        conn.execute(text("INSERT INTO api_tokens (token_hash, user_id, name, created_at) "
                          "VALUES (:hash, 'u1', 'old', :now)"), {"hash": hash_token(token), "now": NOW})
    # when it is migrated to the head
    upgrade(blank)
    # then the token has an id and no prefix, still works, and is revoked by its id
    with blank.connect() as conn:
        row = conn.execute(select(api_tokens)).one()
    assert len(row.id) == 26 and row.prefix is None and row.expires_at is None
    assert principal_for_token(blank, token, NOW) is not None
    revoke_token(blank, row.id, now=NOW)
    assert principal_for_token(blank, token, NOW) is None


def test_0006_steps_back_down(blank: Engine):
    upgrade(blank)
    downgrade(blank, "0005")
    with blank.connect() as conn:
        tables = set(conn.dialect.get_table_names(conn))
    assert "sessions" not in tables and "password_resets" not in tables
    upgrade(blank)
