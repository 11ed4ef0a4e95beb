"""The migrations build exactly the schema that tables.py describes, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from referrals.store.migrate import upgrade
from referrals.store.tables import metadata


# SQLite cannot reflect the expression index on deal value; the other indexes are still compared.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_migrated_schema_matches_the_tables(engine):
    # given a database migrated to head (the fixture), when it is compared with tables.py
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    # then there is nothing left to migrate (SQLite's FTS shadow tables aside)
    differences = [d for d in differences if not (d[0] == "remove_table" and "_fts" in d[1].name)]
    assert differences == []


def test_upgrading_an_up_to_date_database_changes_nothing(engine):
    before = sorted(inspect(engine).get_table_names())
    upgrade(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert {"leads", "lead_history", "favorites", "partners", "locations", "users"} <= set(before)
