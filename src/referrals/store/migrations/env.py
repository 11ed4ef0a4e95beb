"""Alembic environment: runs against the connection handed in by `referrals.store.migrate`."""

from alembic import context

from referrals.store.tables import metadata


def _include_object(obj, name, type_, reflected, compare_to):
    # SQLite FTS5 shadow tables are managed by their virtual table, never by autogenerate.
    if type_ == "table" and reflected and compare_to is None and "_fts" in (name or ""):
        return False
    # An index made for one database only (`Index.ddl_if(dialect=...)`) is not expected on the other.
    only = getattr(obj, "_ddl_if", None) if type_ == "index" and not reflected else None
    return only is None or only.dialect in (None, connection.dialect.name)


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=_include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
