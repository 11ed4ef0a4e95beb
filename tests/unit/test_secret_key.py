"""The session key: REFERRALS_SECRET_KEY, or for a SQLite file a key generated once beside it (mode 0600) and
read by every later process; PostgreSQL and servers reachable from other machines must set it."""

import stat
import subprocess
import sys

import pytest

from referrals.secret_key import MissingSecretKey, key_file, refusal_to_serve, resolve

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def test_a_sqlite_database_gets_a_key_file_beside_it_readable_by_its_owner_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'referrals.db'}"
    key = resolve("", url)
    path = tmp_path / "referrals.db.secret-key"
    assert key_file(url) == path
    assert path.read_text().strip() == key and len(key) >= 43
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_every_later_process_reads_the_same_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'referrals.db'}"
    first = resolve("", url)
    other_process = subprocess.run(
        [sys.executable, "-c", f"from referrals.secret_key import resolve; print(resolve('', {url!r}))"],
        capture_output=True, text=True, check=True)
    assert other_process.stdout.strip() == first


def test_a_configured_key_wins_and_no_file_is_made(tmp_path):
    url = f"sqlite:///{tmp_path / 'referrals.db'}"
    assert resolve("configured-key-0123456789", url) == "configured-key-0123456789"
    assert not (tmp_path / "referrals.db.secret-key").exists()


def test_an_in_memory_database_keeps_a_key_for_the_process():
    assert resolve("", "sqlite://") == resolve("", "sqlite:///:memory:")
    assert key_file("sqlite://") is None


def test_postgresql_without_a_key_is_refused_with_how_to_set_it():
    with pytest.raises(MissingSecretKey, match="set REFERRALS_SECRET_KEY"):
        resolve("", POSTGRES)


@pytest.mark.parametrize(("db", "host", "refused"), [
    ("sqlite:///./referrals.db", "127.0.0.1", False),
    ("sqlite:///./referrals.db", "localhost", False),
    ("sqlite:///./referrals.db", "::1", False),
    ("sqlite:///./referrals.db", "0.0.0.0", True),  # noqa: S104 (the host refused here)
    ("sqlite:///./referrals.db", "192.168.1.10", True),
    (POSTGRES, "127.0.0.1", True),
])
def test_serve_without_a_key_is_refused_for_postgresql_and_for_other_hosts(db, host, refused):
    reason = refusal_to_serve("", db, host)
    assert (reason is not None) == refused
    if refused:
        assert "REFERRALS_SECRET_KEY" in reason and "\n" not in reason
    assert refusal_to_serve("a-configured-key", db, host) is None
