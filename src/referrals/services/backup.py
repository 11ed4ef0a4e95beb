"""`referrals backup FILE` and `referrals restore FILE`: a SQLite database copied while the server serves, and put
back only when the copy is whole, a Referrals database and not from a newer version.

What is copied: the main database, which holds every durable fact — leads, history, the outbox of emails and webhook
deliveries, digests waiting, bulk jobs and their progress. Not copied: the job queue (`referrals-jobs.db`, or Redis),
which holds only wake-ups the workers re-create (the periodic jobs run every minute, a stalled bulk job is resumed
from the database), and the session key file (`<database>.secret-key`), a secret to keep apart from backups.
"""

import os
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from referrals.store.backup import BackupRefused, Checked, check, copy, database_file, in_use, make_standalone, sidecars
from referrals.store.db import make_engine
from referrals.store.migrate import revisions, upgrade

__all__ = ["BackupRefused", "BackupReport", "RestoreReport", "backup", "restore"]

PHASES = {"copy": "Copying", "check": "Checking the backup", "restore": "Restoring"}
Progress = Callable[[str, int, int], None]  # (phase, pages done, pages in all)
POSTGRES = ("{command} works on SQLite databases only: back up PostgreSQL with `pg_dump -Fc` and restore it with "
            "`pg_restore --no-owner` (docs/deploy.md, section Backups)")


@dataclass(frozen=True)
class BackupReport:
    file: Path
    size: int
    leads: int
    revision: str


@dataclass(frozen=True)
class RestoreReport:
    database: Path
    leads: int
    revision: str
    migrated_from: str | None


def backup(url: str, file: Path, progress: Progress) -> BackupReport:
    """Copy the database at `url` into `file` from one snapshot, check the copy, then put it in place by a rename:
    `file` is never half-written, and an older `file` stays until the new one is whole."""
    source = _sqlite_file(url, "referrals backup")
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}")
    _refuse_destination(file, source)
    partial = file.with_name(f".{file.name}.{secrets.token_hex(4)}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # personal data: the owner's eyes only
        _copy(source, partial, lambda done, total: progress("copy", done, total))
        make_standalone(partial)
        checked = _checked(partial)
        if not checked.intact:
            raise BackupRefused(f"the copy of {source} fails the integrity check: {_problems(checked)}")
        if checked.revision is None:
            raise BackupRefused(f"{source} is not a Referrals database (it has no alembic_version table)")
        _flush(partial)
        os.replace(partial, file)
        _flush(file.parent)
    finally:
        _remove(partial)
    return BackupReport(file, file.stat().st_size, checked.leads or 0, checked.revision)


def restore(url: str, file: Path, progress: Progress, *, force: bool = False) -> RestoreReport:
    """Replace the database at `url` with the backup `file`: copied and checked beside the database first (a file
    that is not a database, fails the integrity check, is not a Referrals database or comes from a newer version
    changes nothing), migrated forward when it is older, then copied into the database through the backup API.
    Refused while another process has the database open, unless `force`."""
    target = _sqlite_file(url, "referrals restore")
    if not file.is_file():
        raise BackupRefused(f"{file} is not a file")
    if target.exists() and target.samefile(file):
        raise BackupRefused(f"{file} is the database itself")
    if not target.parent.is_dir():
        raise BackupRefused(f"the folder {target.parent} does not exist")
    if not force:
        _refuse_in_use(target)
    staged = target.with_name(f".{target.name}.{secrets.token_hex(4)}.restoring")
    try:
        checked, migrated_from = _staged(file, staged, progress)
        if not force:
            _refuse_in_use(target)  # again: staging a big file takes a while
        if not target.exists() and any(path.exists() for path in sidecars(target)):
            raise BackupRefused(f"{target} is missing but its -wal, -shm or -journal file is there: move those away "
                                "first (SQLite would replay them into the restored database); nothing was changed")
        _copy(staged, target, lambda done, total: progress("restore", done, total), target_wal=True)
    finally:
        _remove(staged)
    return RestoreReport(target, checked.leads or 0, checked.revision or "", migrated_from)


def _staged(file: Path, staged: Path, progress: Progress) -> tuple[Checked, str | None]:
    """The backup copied to `staged`, checked, and migrated to this code's head revision when it is older."""
    unchanged = "; nothing was changed"
    absent = [path for path in sidecars(file) if not path.exists()]
    try:
        copy(file, staged, lambda done, total: progress("check", done, total), source_read_only=True)
    except sqlite3.Error as error:
        if "malformed" in str(error):  # an SQLite file whose damage shows before integrity_check can run
            raise BackupRefused(f"{file} fails the integrity check: {error}{unchanged}") from None
        raise BackupRefused(f"{file} is not a SQLite database ({error}){unchanged}") from None
    finally:  # a read-only connection to a WAL-mode file leaves an empty -wal and a -shm it cannot delete
        for path in absent:
            if path.exists() and (path.name.endswith("-shm") or path.stat().st_size == 0):
                path.unlink()
    checked = _checked(staged)
    if not checked.intact:
        raise BackupRefused(f"{file} fails the integrity check: {_problems(checked)}{unchanged}")
    if checked.revision is None or checked.leads is None:
        raise BackupRefused(f"{file} is not a Referrals database (it has no alembic_version or leads table){unchanged}")
    head, known = revisions()
    if checked.revision not in known:
        raise BackupRefused(f"{file} is at schema revision {checked.revision}, which this version of Referrals does "
                            f"not know (its newest is {head}): restore it with the version that made it{unchanged}")
    if checked.revision == head:
        return checked, None
    engine = make_engine(f"sqlite:///{staged}")
    try:
        upgrade(engine)
    except Exception as error:
        raise BackupRefused(f"{file} is at revision {checked.revision} and could not be migrated to {head}: "
                            f"{error}{unchanged}") from None
    finally:
        engine.dispose()
    return Checked(checked.integrity, head, checked.leads), checked.revision


def _sqlite_file(url: str, command: str) -> Path:
    path = database_file(url)
    if path is None:
        raise BackupRefused(POSTGRES.format(command=command))
    return path


def _refuse_destination(file: Path, source: Path) -> None:
    if file.is_dir():
        raise BackupRefused(f"{file} is a folder: name the backup file")
    if not file.parent.is_dir():
        raise BackupRefused(f"the folder {file.parent} does not exist")
    if file.exists() and file.samefile(source):
        raise BackupRefused(f"{file} is the database itself: name another file")


def _refuse_in_use(target: Path) -> None:
    try:
        busy = target.exists() and in_use(target)
    except OSError as error:
        raise BackupRefused(f"cannot tell whether {target} is in use ({error}); stop the server and worker, then "
                            "restore with --force") from None
    if busy:
        raise BackupRefused(f"{target} is open in another process (a server or worker?): stop them first, or pass "
                            "--force to replace it under them; nothing was changed")


def _copy(source: Path, target: Path, progress: Callable[[int, int], None], **options: bool) -> None:
    try:
        copy(source, target, progress, **options)
    except sqlite3.Error as error:
        raise BackupRefused(f"cannot copy {source} into {target}: {error}") from None


def _checked(path: Path) -> Checked:
    try:
        return check(path)
    except sqlite3.DatabaseError as error:  # damage past what integrity_check reports row by row
        return Checked([str(error)], None, None)


def _problems(checked: Checked) -> str:
    shown = "; ".join(checked.integrity[:3])
    return shown + (f" (and {len(checked.integrity) - 3} more)" if len(checked.integrity) > 3 else "")


def _flush(path: Path) -> None:
    """To the disk before the rename (the file) and after it (the folder's entry)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    for leftover in (path, *sidecars(path)):
        leftover.unlink(missing_ok=True)
