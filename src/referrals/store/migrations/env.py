"""Alembic environment: runs against the connection handed in by `referrals.store.migrate`."""

from alembic import context

from referrals.store.tables import metadata


def _include_object(obj, name, type_, reflected, compare_to):
    # SQLite FTS5 shadow tables are managed by their virtual table, never by autogenerate.
    return not (type_ == "table" and reflected and compare_to is None and "_fts" in (name or ""))


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
