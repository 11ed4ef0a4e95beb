"""Insert-or-ignore and counters, in each database's own dialect (both have ON CONFLICT)."""

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def _insert(conn: Connection, table: Table):
    return (sqlite if conn.dialect.name == "sqlite" else postgresql).insert(table)


def ignoring(conn: Connection, table: Table, keys: list[str]):
    """An INSERT that skips rows whose key is already there (add `.values(...)` for what all rows share)."""
    return _insert(conn, table).on_conflict_do_nothing(index_elements=keys)


def insert_ignore(conn: Connection, table: Table, rows: list[dict], keys: list[str]) -> int:
    """Insert the rows whose key is new; answer how many were inserted."""
    if not rows:
        return 0
    return len(conn.execute(ignoring(conn, table, keys).returning(table.c[keys[0]]), rows).all())


def increment(conn: Connection, table: Table, key: dict, column: str) -> int:
    """Add one to a counter row (created at 1) and answer the new value, atomically."""
    statement = _insert(conn, table).values(**key, **{column: 1})
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + 1}
    ).returning(table.c[column])
    return conn.execute(statement).scalar_one()


def add_to(conn: Connection, table: Table, rows: list[dict], keys: list[str], column: str) -> None:
    """Add each row's `column` to the stored counter with the same key (created with the row's value)."""
    if not rows:
        return
    statement = _insert(conn, table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={column: table.c[column] + statement.excluded[column]}
    )
    conn.execute(statement, rows)
