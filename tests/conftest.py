"""Shared fixtures: the database backends, a fixed clock, partners with their users.

Backends: every test that takes `engine` runs on SQLite and on PostgreSQL. PostgreSQL runs when
REFERRALS_TEST_POSTGRES_URL is set (one throw-away database per session, migrated once, emptied before each
test); otherwise its tests are skipped with a reason. With REFERRALS_TEST_STRICT=1 a missing backend
(PostgreSQL, or Chromium for tests marked `browser`) fails the test instead, so a green run means every
backend really ran.
"""

import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.engine import make_url

from referrals.store.db import make_engine, normalise_url
from referrals.store.migrate import upgrade
from tests import apps, factories

# Bytecode caches even where the shell sets PYTHONDONTWRITEBYTECODE: without them each xdist worker compiles
# every test module again (about 4 s of CPU each) and each of the few hundred `referrals` processes the tests
# start compiles the package again (about 0.3 s each). The caches are __pycache__ folders, ignored by git.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

POSTGRES_URL_ENV = "REFERRALS_TEST_POSTGRES_URL"
STRICT_ENV = "REFERRALS_TEST_STRICT"
CHROMIUM = Path(os.environ.get("REFERRALS_TEST_CHROMIUM", "/usr/bin/chromium"))
MISSING_BACKEND = "missing backend:"  # every skip for an unavailable backend starts with this
BACKENDS = ("sqlite", "postgres")


def strict() -> bool:
    return os.environ.get(STRICT_ENV) == "1"


def skip_missing_backend(backend: str, why: str) -> NoReturn:
    """Skip (or, under REFERRALS_TEST_STRICT=1, fail) a test whose backend is not available here."""
    message = f"{MISSING_BACKEND} {backend} ({why})"
    if strict():
        pytest.fail(f"{message}; {STRICT_ENV}=1 forbids skipping a backend", pytrace=False)
    pytest.skip(message)


def chromium_path() -> str:
    """The browser for Playwright tests: `executable_path=chromium_path()`. Skips (or fails) without it."""
    if not CHROMIUM.exists():
        skip_missing_backend("browser", f"{CHROMIUM} is not installed")
    return str(CHROMIUM)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `-m "not postgres"` selects the SQLite half of the suite.
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgres" in (callspec.params.get("engine"), callspec.params.get("module_engine")):
            item.add_marker(pytest.mark.postgres)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is not None:
        chromium_path()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    # A safety net for skips raised elsewhere (e.g. a skipif whose reason starts with MISSING_BACKEND).
    outcome = yield
    report = outcome.get_result()
    if strict() and report.skipped and MISSING_BACKEND in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"{report.longrepr}\n{STRICT_ENV}=1 forbids skipping a backend"


@pytest.fixture(autouse=True)
def _apps_released() -> Iterator[None]:
    """The app a test got from tests/apps.py is its own until the test ends."""
    yield
    apps.release()


# -- SQLite: a migrated template, copied into each test's tmp_path --------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


# -- PostgreSQL: one database per session, emptied before each test --------------------------------------


@pytest.fixture(scope="session")
def _postgres_engine() -> Iterator[Engine]:
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        skip_missing_backend("postgres", f"set {POSTGRES_URL_ENV} to run the PostgreSQL half")
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    name = f"referrals_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A throw-away database need not wait for the disk on every commit.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    engine = make_engine(make_url(normalise_url(url)).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_postgres_emptying: list[str] = []  # the DELETE of every table, children first, made once the database is migrated


def _empty_postgres(engine: Engine) -> None:
    # DELETE beats TRUNCATE on a handful of rows (TRUNCATE swaps every table's files). The table list is the
    # migrated database's own, not tables.py's, which may run ahead of the migrations while work is in progress.
    # All the DELETEs go in one round trip (one statement each took 10 ms a test; together 1.3 ms).
    if not _postgres_emptying:
        reflected = MetaData()
        reflected.reflect(engine)
        names = [t.name for t in reversed(reflected.sorted_tables) if t.name != "alembic_version"]
        _postgres_emptying.append("; ".join(f'DELETE FROM "{name}"' for name in names))
    with engine.begin() as conn:
        conn.exec_driver_sql(_postgres_emptying[0])


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "referrals.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        sqlite_engine = make_engine(f"sqlite:///{path}")
        yield sqlite_engine
        sqlite_engine.dispose()
    else:
        postgres_engine = request.getfixturevalue("_postgres_engine")
        _empty_postgres(postgres_engine)
        yield postgres_engine


@pytest.fixture(scope="module", params=BACKENDS)
def module_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database per backend shared by one module's tests, for read-only tests over a data set built
    once (a module-scoped fixture on top of this one). Tests using it must not change its data. On PostgreSQL
    it is a schema of its own, so the per-test emptying of `engine` never touches it."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module-db") / "referrals.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        sqlite_engine = make_engine(f"sqlite:///{path}")
        yield sqlite_engine
        sqlite_engine.dispose()
        return
    base = request.getfixturevalue("_postgres_engine")
    schema = f"module_{secrets.token_hex(6)}"
    with base.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.url.update_query_dict({"options": f"-csearch_path={schema}"})
    schema_engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade(schema_engine)
        yield schema_engine
    finally:
        schema_engine.dispose()
        with base.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


# -- the world most service tests start from -------------------------------------------------------------


@pytest.fixture
def now():
    return factories.NOW


@pytest.fixture
def tenant(engine: Engine) -> factories.Tenant:
    """Partner A: a Referrals admin (acts) and a Referrals user (reads)."""
    return factories.add_tenant(engine, "Contoso Consulting")


@pytest.fixture
def other_tenant(engine: Engine) -> factories.Tenant:
    """Partner B, which must never see or touch partner A's leads."""
    return factories.add_tenant(engine, "Northwind Partners")
