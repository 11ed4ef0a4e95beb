"""`referrals backup` while `referrals serve` takes leads over HTTP, and `referrals restore` of that backup: the
restored database passes the integrity check and holds every lead the API acknowledged before the backup began."""

import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.services.backup import restore
from referrals.services.directory_admin import create_token
from tests import factories
from tests.e2e.served import environment, referrals, serving

LEAD = {"qualification": "sales", "source": "azure_portal",
        "customer": {"company": "Fabrikam Srl", "first_name": "Giulia", "email": "giulia@fabrikam.it", "country": "IT"},
        "message": "Needs 40 seats by June."}


class Load(threading.Thread):
    """A seller's script sending leads to the server one after another, noting each acknowledged lead (201) with
    the moment its answer arrived."""

    def __init__(self, url: str, token: str, partner_id: str):
        super().__init__(daemon=True)
        self.url, self.token, self.partner_id = url, token, partner_id
        self.acknowledged: list[tuple[float, str]] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30) as http:
            while not self.stop.is_set():
                answer = http.post("/api/v1/leads", json={**LEAD, "partner_id": self.partner_id})
                if answer.status_code == 201:
                    self.acknowledged.append((time.monotonic(), answer.json()["id"]))
                else:
                    self.errors.append(f"{answer.status_code} {answer.text[:200]}")

    def between(self, start: float, end: float) -> set[str]:
        return {lead_id for moment, lead_id in self.acknowledged if start <= moment < end}


def _program(engine: Engine) -> tuple[str, str]:
    """A partner and a program seller's API token."""
    partner = factories.add_partner(engine)
    seller = factories.add_principal(engine, None, Role.PROGRAM_SELLER)
    token = create_token(engine, seller.email, now=datetime.now(UTC))
    engine.dispose()
    return partner.id, token


def _look(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # PostgreSQL: pg_dump, tests/integration/test_pg_dump.py
def test_a_backup_taken_while_the_server_takes_leads_restores_every_lead_acknowledged_before_it(engine, tmp_path):
    served_db, backup_file, restored_db = Path(engine.url.database), tmp_path / "nightly.backup", tmp_path / "new.db"
    env = environment(f"sqlite:///{served_db}", COLUMNS="200")
    partner_id, token = _program(engine)
    with serving(env, tmp_path / "logs") as server:
        load = Load(server.url, token, partner_id)
        load.start()
        while len(load.acknowledged) < 30:
            time.sleep(0.02)
        started = time.monotonic()
        made = referrals("backup", str(backup_file), env=env)
        finished = time.monotonic()
        refused = referrals("restore", str(backup_file), env=env, check=False)  # the server has it open
        load.stop.set()
        load.join(30)

    assert load.errors == [] and load.between(started, finished), "the load did not go on during the backup"
    assert made.stdout.startswith(f"backed up to {backup_file}: ") and "integrity check ok" in made.stdout
    assert refused.returncode == 2 and "is open in another process" in refused.stderr
    restored = restore(f"sqlite:///{restored_db}", backup_file, lambda *_: None)  # the command's service
    assert _look(restored_db, "PRAGMA integrity_check") == [("ok",)]
    held = {row[0] for row in _look(restored_db, "SELECT id FROM leads")}
    before = load.between(0, started)
    assert before and before <= held
    assert f"{len(held):,} leads" in made.stdout and restored.leads == len(held)


def test_backup_on_postgresql_points_to_pg_dump_in_one_line(tmp_path):
    env = environment("postgresql://postgres@127.0.0.1:5432/test")
    (tmp_path / "dump").write_bytes(b"")
    result = referrals("backup", str(tmp_path / "dump"), env=env, check=False)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "SQLite databases only" in line and "pg_dump -Fc" in line and "docs/deploy.md" in line
