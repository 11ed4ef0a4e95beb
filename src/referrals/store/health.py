"""The database's readiness probe."""

from sqlalchemy import Engine, text


def ping(engine: Engine) -> None:
    """One round trip on a pooled connection (a dead one is replaced first: pool_pre_ping on PostgreSQL); raises
    when the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
