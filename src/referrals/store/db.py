"""Engines and transactions for SQLite and PostgreSQL.

SQLite: WAL, a busy timeout, foreign keys on, and write transactions that start with BEGIN IMMEDIATE,
because a deferred transaction that reads and then writes fails at once with "database is locked"
when another writer got there first. PostgreSQL: psycopg 3 without automatic prepared statements, so
the planner sees each partner's real parameters instead of settling on a generic plan sized for an
average partner.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Engine, String, create_engine, event, literal_column
from sqlalchemy.engine import make_url
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import DateTime, TypeDecorator

DEFAULT_URL = "sqlite:///./referrals.db"


def normalise_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def make_engine(url: str = DEFAULT_URL, **kwargs) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    connect_args = {"prepare_threshold": None, **kwargs.pop("connect_args", {})}
    return create_engine(url, connect_args=connect_args, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "cache_size=-16384",  # 16 MB a connection: an export of any size stays small
            "temp_store=MEMORY",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed when the block ends, rolled back on any error."""
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction: a consistent snapshot for everything read inside it."""
    with engine.connect() as conn, conn.begin():
        yield conn


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in and out, on both databases (SQLite stores naive text otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        """On SQLite, the stored text ('2026-06-01 12:00:00.000000', always UTC) is parsed by the C
        `fromisoformat` in one step, instead of SQLAlchemy's regular expression and then the zone: lists read
        a few hundred times a page."""
        if dialect.name == "sqlite":
            return _sqlite_utc
        return super().result_processor(dialect, coltype)


def _sqlite_utc(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:  # parsing the zone along with the text is six times quicker than replacing it afterwards
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:
        return datetime.fromisoformat(value).astimezone(UTC)


class FastJSON(TypeDecorator):
    """JSON; on SQLite each value is read by one decode, where SQLAlchemy wraps `json.loads` in two processors: a
    list page reads five JSON columns a lead, so those wrappers were the largest part of reading it."""

    impl = JSON
    cache_ok = True

    def result_processor(self, dialect, coltype):
        if dialect.name == "sqlite":
            return _sqlite_json
        return super().result_processor(dialect, coltype)


_decode = json.JSONDecoder().raw_decode


def _sqlite_json(value: Any) -> Any:
    if value is None:
        return None
    if value == "[]":  # most leads' spam reasons
        return []
    try:
        return _decode(value)[0]  # stored by json.dumps: no leading white space to skip
    except TypeError:  # SQLite hands back a JSON number as a number
        return value
    except ValueError:
        return json.loads(value)


def constant(text: str) -> ColumnElement:
    """A string written into the SQL itself, not bound: a partial index's predicate matches only a literal, and
    a statement made of constants is the same text on every run (no IN list to expand)."""
    return literal_column("'" + text.replace("'", "''") + "'", String)
