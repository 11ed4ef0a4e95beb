"""`referrals backup` and `referrals restore` on SQLite, through the service: a copy taken while leads are written
holds every lead acknowledged before it began and passes the integrity check; a restore refuses anything that is
not a whole Referrals database, or a database in use, and then changes nothing; an older backup is migrated forward.
(PostgreSQL is backed up with pg_dump: tests/integration/test_pg_dump.py.)"""

import hashlib
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine

from referrals.services.backup import BackupRefused, backup, restore
from referrals.store import backup as store_backup
from referrals.store.db import make_engine
from referrals.store.migrate import revisions, upgrade
from tests import factories

SQLITE = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # a backup of PostgreSQL is pg_dump's
HEAD = revisions()[0]


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def database_of(engine: Engine) -> Path:
    return Path(engine.url.database)


def quiet(_phase: str, _done: int, _total: int) -> None:
    pass


def look(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def lead_ids(path: Path) -> set[str]:
    return {row[0] for row in look(path, "SELECT id FROM leads")}


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of a folder and its content's hash: what "changes nothing" means."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


WRITER = """
import sys, time
from referrals.store.db import make_engine
from tests import factories
engine = make_engine(sys.argv[1])
print("ready", flush=True)
while True:
    lead = factories.ingest(engine, factories.CONTACT_ME, sys.argv[2])
    print(time.monotonic(), lead.id, flush=True)
"""


class Writer:
    """Another process ingesting leads through the service until stopped; it prints each lead's id with the moment
    it was acknowledged (the service returned after the commit), on the clock every process of the machine shares."""

    def __init__(self, database: Path, partner_id: str):
        self.process = subprocess.Popen([sys.executable, "-c", WRITER, url(database), partner_id],
                                        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
        assert self.process.stdout.readline().strip() == "ready"
        self.acknowledged: list[tuple[float, str]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if not line.endswith("\n"):  # cut off by the kill: not acknowledged as far as anyone knows
                break
            moment, lead_id = line.split()
            self.acknowledged.append((float(moment), lead_id))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)
        self.reader.join(10)

    def before(self, moment: float) -> set[str]:
        return {lead_id for acknowledged, lead_id in self.acknowledged if acknowledged < moment}


@SQLITE
def test_a_backup_taken_while_leads_are_written_holds_every_lead_acknowledged_before_it_began(
        engine, tenant, tmp_path, monkeypatch):
    # given another process ingesting leads, and a copy in steps of 4 pages
    monkeypatch.setattr(store_backup, "STEP_PAGES", 4)
    writer = Writer(database_of(engine), tenant.partner_id)
    while len(writer.acknowledged) < 20:
        time.sleep(0.01)
    steps: list[tuple[int, int]] = []

    def slowly(_phase: str, done: int, total: int) -> None:  # a big database on a slow disk: writes land between steps
        if steps and done < steps[-1][0]:
            raise AssertionError("the backup started over: a writer changed the source between two steps")
        steps.append((done, total))
        time.sleep(0.005)

    file = tmp_path / "backups" / "referrals.backup"
    file.parent.mkdir()
    # when the backup runs
    started = time.monotonic()
    report = backup(url(database_of(engine)), file, slowly)
    finished = time.monotonic()
    time.sleep(0.05)
    writer.stop()
    # then leads were acknowledged while it copied, and it never started over (one snapshot)
    assert {i for t, i in writer.acknowledged if started <= t <= finished}, "no write happened during the backup"
    assert len(steps) > 10 and [done for done, _ in steps] == sorted(done for done, _ in steps)
    # and the copy is whole and holds every lead acknowledged before the backup began
    assert look(file, "PRAGMA integrity_check") == [("ok",)]
    held = lead_ids(file)
    assert writer.before(started) <= held
    assert report.leads == len(held) and report.revision == HEAD and report.size == file.stat().st_size
    # a standalone file, readable by its owner only, with nothing left beside it
    assert file.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in file.parent.iterdir()) == ["referrals.backup"]
    assert look(file, "PRAGMA journal_mode") == [("delete",)]


@SQLITE
def test_a_restore_puts_the_backup_back_into_a_database_that_changed_since(engine, tenant, tmp_path):
    kept = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    file = tmp_path / "before.backup"
    backup(url(database_of(engine)), file, quiet)
    later = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    engine.dispose()  # the server is stopped

    report = restore(url(database_of(engine)), file, quiet)

    assert lead_ids(database_of(engine)) == {kept.id} and later.id not in lead_ids(database_of(engine))
    assert report.leads == 1 and report.migrated_from is None
    assert look(database_of(engine), "PRAGMA journal_mode") == [("wal",)]  # as the server runs it
    assert look(database_of(engine), "PRAGMA integrity_check") == [("ok",)]


@SQLITE
def test_a_restore_into_a_new_file_creates_the_database(engine, tenant, tmp_path):
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    file = tmp_path / "b.backup"
    backup(url(database_of(engine)), file, quiet)

    restore(url(tmp_path / "fresh.db"), file, quiet)

    assert lead_ids(tmp_path / "fresh.db") == {lead.id}


def test_an_older_backup_is_migrated_forward_on_restore(tmp_path):
    old = tmp_path / "old.db"
    old_engine = make_engine(url(old))
    upgrade(old_engine, "0012")
    old_engine.dispose()
    backup(url(old), tmp_path / "old.backup", quiet)

    report = restore(url(tmp_path / "new.db"), tmp_path / "old.backup", quiet)

    assert report.migrated_from == "0012" and report.revision == HEAD
    assert look(tmp_path / "new.db", "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert look(tmp_path / "old.backup", "SELECT version_num FROM alembic_version") == [("0012",)]  # left as it was


def _not_a_database(path: Path) -> None:
    path.write_text("LeadId,Company\n1,Fabrikam\n" * 200)


def _corrupt(path: Path) -> None:
    """A good backup with a page in the middle overwritten: still an SQLite file, no longer a whole one."""
    data = bytearray(path.read_bytes())
    page = len(data) // 4096 // 2
    data[page * 4096: page * 4096 + 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))


def _not_referrals(path: Path) -> None:
    path.unlink()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()


def _from_the_future(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()


@SQLITE
@pytest.mark.parametrize(("spoil", "message"), [
    (_not_a_database, r"is not a SQLite database \(file is not a database\)"),
    (_corrupt, "fails the integrity check"),
    (_not_referrals, "is not a Referrals database"),
    (_from_the_future, "is at schema revision 9999, which this version of Referrals does not know"),
])
def test_a_restore_refuses_a_file_that_is_not_a_whole_referrals_database_and_changes_nothing(
        engine, tenant, tmp_path, spoil, message):
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    file = tmp_path / "elsewhere" / "bad.backup"
    file.parent.mkdir()
    backup(url(database_of(engine)), file, quiet)
    spoil(file)
    engine.dispose()
    before = fingerprint(tmp_path)

    with pytest.raises(BackupRefused, match=message) as refused:
        restore(url(database_of(engine)), file, quiet)

    assert "nothing was changed" in str(refused.value)
    assert fingerprint(tmp_path) == before  # the database, its folder (no staging file left) and the file itself


@SQLITE
def test_a_restore_refuses_a_database_another_process_has_open_unless_forced(engine, tenant, tmp_path):
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    file = tmp_path / "b.backup"
    backup(url(database_of(engine)), file, quiet)
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    engine.dispose()  # this process lets go: the other process is the server
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('SELECT count(*) FROM leads').fetchone(); print('open', flush=True); sys.stdin.read()",
         str(database_of(engine))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(BackupRefused, match="is open in another process .* pass --force"):
            restore(url(database_of(engine)), file, quiet)
        assert len(lead_ids(database_of(engine))) == 2

        restore(url(database_of(engine)), file, quiet, force=True)

        assert lead_ids(database_of(engine)) == {lead.id}
    finally:
        holder.stdin.close()
        holder.wait(10)


@SQLITE
def test_a_failed_backup_leaves_the_previous_backup_file_as_it_was(engine, tmp_path):
    file = tmp_path / "nightly.backup"
    file.write_bytes(b"yesterday's backup")
    stranger = tmp_path / "stranger.db"
    _not_referrals_database(stranger)

    with pytest.raises(BackupRefused, match="is not a Referrals database"):
        backup(url(stranger), file, quiet)

    assert file.read_bytes() == b"yesterday's backup"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def _not_referrals_database(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()


@pytest.mark.parametrize("command", [backup, restore])
def test_postgresql_is_refused_with_the_pg_dump_way(command, tmp_path):
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(BackupRefused, match=r"SQLite databases only: back up PostgreSQL with `pg_dump -Fc`"):
        command("postgresql://postgres@127.0.0.1:5432/test", tmp_path / "f", quiet)


@SQLITE
def test_a_plain_copy_of_a_stopped_database_restores_and_is_left_as_it_was(engine, tenant, tmp_path):
    # given the database file copied by hand while nothing ran (WAL mode, no -wal beside it)
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    engine.dispose()
    copied = tmp_path / "by-hand" / "referrals.db"
    copied.parent.mkdir()
    copied.write_bytes(database_of(engine).read_bytes())
    before = fingerprint(copied.parent)

    restore(url(tmp_path / "restored.db"), copied, quiet)

    assert lead_ids(tmp_path / "restored.db") == {lead.id}
    assert fingerprint(copied.parent) == before  # no -wal or -shm left beside it
