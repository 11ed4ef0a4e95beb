"""The migrations build exactly the schema that tables.py describes, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from referrals.store.migrate import upgrade
from referrals.store.tables import metadata


def _built_on(index, dialect: str) -> bool:
    """An index made for one database only (`Index.ddl_if(dialect=...)`) is not expected on the other. Alembic hands
    back a copy without that mark: the declared index is looked up by name."""
    declared = {i.name: i for table in metadata.tables.values() for i in table.indexes}.get(index.name, index)
    only = getattr(declared, "_ddl_if", None)
    return only is None or only.dialect in (None, dialect)


# SQLite cannot reflect the expression index on deal value; the other indexes are still compared.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_migrated_schema_matches_the_tables(engine):
    # given a database migrated to head (the fixture), when it is compared with tables.py
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    # then there is nothing left to migrate (SQLite's FTS shadow tables aside, and indexes of the other database)
    differences = [d for d in differences if not (d[0] == "remove_table" and "_fts" in d[1].name)
                   and not (d[0] == "add_index" and not _built_on(d[1], engine.dialect.name))]
    assert differences == []


def test_upgrading_an_up_to_date_database_changes_nothing(engine):
    before = sorted(inspect(engine).get_table_names())
    upgrade(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert {"leads", "lead_history", "favorites", "partners", "locations", "users"} <= set(before)
