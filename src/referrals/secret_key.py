"""The key that signs session cookies: REFERRALS_SECRET_KEY, or, for a SQLite database file, a key generated
once into a file beside it (mode 0600) and read by every later process on that database.

A key per process would end every session at a restart and make two web processes refuse each other's
cookies. PostgreSQL deployments (several hosts, no shared folder) and servers reachable from other machines
must set the key themselves: `referrals serve` refuses to start without it.
"""

import contextlib
import ipaddress
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

ENV = "REFERRALS_SECRET_KEY"
HOW_TO_SET = (f"set {ENV} to a long random value, the same for every process, e.g. "
              f"export {ENV}=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
SUFFIX = ".secret-key"  # referrals.db -> referrals.db.secret-key, next to SQLite's own -wal and -shm

_memory_key = secrets.token_urlsafe(32)  # an in-memory database dies with the process: so may its sessions


class MissingSecretKey(Exception):
    pass


def key_file(database_url: str) -> Path | None:
    """Where a SQLite file database keeps its generated key; None for in-memory SQLite and other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or url.database.startswith("file:"):
        return None
    return Path(url.database).with_name(Path(url.database).name + SUFFIX)


def is_in_memory_sqlite(database_url: str) -> bool:
    url = make_url(database_url)
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def resolve(configured: str, database_url: str) -> str:
    """The configured key; else the SQLite database's key file (created on first use); else, for an
    in-memory database, a key for this process. Any other database without a key: MissingSecretKey."""
    if configured:
        return configured
    path = key_file(database_url)
    if path is not None:
        return _read_or_create(path)
    if is_in_memory_sqlite(database_url):
        return _memory_key
    raise MissingSecretKey(f"{ENV} is not set and the database is not a SQLite file: {HOW_TO_SET}")


def refusal_to_serve(configured: str, database_url: str, host: str) -> str | None:
    """Why `referrals serve` must not start (one line), or None."""
    if configured:
        return None
    if not is_loopback(host):
        return f"{ENV} is not set and --host {host} is reachable from other machines: {HOW_TO_SET}"
    if key_file(database_url) is None and not is_in_memory_sqlite(database_url):
        return f"{ENV} is not set and the database is not a SQLite file: {HOW_TO_SET}"
    return None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _read_or_create(path: Path) -> str:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    # Written whole under a private name, then linked into place: a process starting at the same moment
    # either wins the link or reads the winner's complete file, never a half-written one.
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process won: read its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise MissingSecretKey(f"the key file {path} is empty: delete it to have a new key made, or {HOW_TO_SET}")
    return key
