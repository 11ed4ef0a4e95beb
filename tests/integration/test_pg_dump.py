"""PostgreSQL is backed up with the real `pg_dump -Fc` and restored with `pg_restore` into a fresh database, as
docs/deploy.md says (restore first, then `referrals migrate`): every lead, history row and pending email is there."""

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import URL

from referrals.domain.enums import Reason
from referrals.services.lifecycle import accept_lead, decline_lead
from referrals.store.db import make_engine, reading
from referrals.store.migrate import revisions, upgrade
from referrals.store.tables import lead_history, leads, outbox
from tests import factories
from tests.conftest import skip_missing_backend

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")  # the server's own version; else the ones on PATH


def tool(name: str) -> str:
    path = POSTGRES_BIN / name if (POSTGRES_BIN / name).exists() else shutil.which(name)
    if path is None:
        skip_missing_backend("postgres", f"{name} is not installed (apt-get install postgresql-client-15)")
    return str(path)


def libpq(url: URL) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def fresh_database(engine: Engine) -> Iterator[URL]:
    """An empty database of a unique name on the test server, dropped afterwards."""
    name = f"referrals_restore_{secrets.token_hex(6)}"
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield engine.url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def everything(engine: Engine) -> dict[str, set]:
    with reading(engine) as conn:
        return {
            "leads": set(conn.execute(select(leads.c.partner_id, leads.c.id, leads.c.status, leads.c.version))),
            "history": set(conn.execute(select(lead_history.c.partner_id, lead_history.c.lead_id,
                                               lead_history.c.version, lead_history.c.action))),
            "pending": set(conn.execute(select(outbox.c.id, outbox.c.recipient, outbox.c.template)
                                        .where(outbox.c.status == "pending"))),
        }


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)  # SQLite has `referrals backup`: test_backup.py
def test_a_pg_dump_restored_into_a_fresh_database_holds_every_lead_history_row_and_pending_email(
        engine, tenant, other_tenant, fresh_database, tmp_path):
    # given leads of two partners, some acted on (history), with new-lead and decline emails waiting to be sent
    later = factories.NOW + timedelta(hours=1)
    made = [factories.ingest(engine, kind, t.partner_id) for t in (tenant, other_tenant)
            for kind in (factories.CONTACT_ME, factories.PROFILE, factories.SALES)]
    accept_lead(engine, tenant.admin, made[0].id, factories.deal_terms(team=(tenant.admin.user_id,)), now=later)
    decline_lead(engine, other_tenant.admin, made[3].id, reason=Reason.NOT_A_CUSTOMER, notes="A test.", now=later)
    source = everything(engine)
    assert len(source["leads"]) == 6 and len(source["history"]) > 6 and source["pending"]

    # when it is dumped and restored as docs/deploy.md says
    dump = tmp_path / "referrals.dump"
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    subprocess.run([tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", libpq(engine.url)],
                   check=True, env=env, timeout=120)
    subprocess.run([tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--jobs=2",
                    f"--dbname={libpq(fresh_database)}", str(dump)], check=True, env=env, timeout=120)
    restored = make_engine(fresh_database.render_as_string(hide_password=False))
    try:
        before, after = upgrade(restored)  # `referrals migrate` after the restore: nothing to do at the same version
        # then everything is there, and the schema is the one this code expects
        assert before == after == revisions()[0]
        assert everything(restored) == source
    finally:
        restored.dispose()
