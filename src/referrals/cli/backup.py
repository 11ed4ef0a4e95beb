"""`referrals backup FILE` and `referrals restore FILE`: a SQLite database copied while it serves, and put back
(see services/backup.py for what is in a backup and what is not). On PostgreSQL both refuse and point to pg_dump."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeRemainingColumn

from referrals.cli.common import AsJson, Db, emit, fail, progress
from referrals.store.db import DEFAULT_URL

File = Annotated[Path, typer.Argument(dir_okay=False, help="The backup file.")]


def backup(file: File, db: Db = DEFAULT_URL, as_json: AsJson = False) -> None:
    """Copy the SQLite database into FILE, safe while the server serves and writes: one snapshot through SQLite's
    online backup API, written beside FILE and renamed into place once it passes PRAGMA integrity_check."""
    from referrals.services.backup import BackupRefused
    from referrals.services.backup import backup as service

    try:
        with _bar() as tick:
            report = service(db, file, tick)
    except BackupRefused as refusal:
        fail(str(refusal))
    data = {"file": str(report.file), "bytes": report.size, "leads": report.leads, "revision": report.revision,
            "integrity": "ok"}
    emit(data, as_json, f"backed up to {report.file}: {_size(report.size)}, {report.leads:,} leads, "
                        f"schema revision {report.revision}, integrity check ok")


def restore(
    file: File,
    force: Annotated[bool, typer.Option("--force", help="Replace the database even while another process (a "
                                                         "server, a worker) has it open.")] = False,
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Replace the SQLite database with the backup FILE, after checking that FILE is a whole Referrals database
    (migrated forward when it is older). Stop the server and workers first: a database in use is refused."""
    from referrals.services.backup import BackupRefused
    from referrals.services.backup import restore as service

    try:
        with _bar() as tick:
            report = service(db, file, tick, force=force)
    except BackupRefused as refusal:
        fail(str(refusal))
    migrated = f" (migrated from revision {report.migrated_from})" if report.migrated_from else ""
    data = {"database": str(report.database), "leads": report.leads, "revision": report.revision,
            "migrated_from": report.migrated_from}
    emit(data, as_json, f"restored {file} into {report.database}: {report.leads:,} leads, schema revision "
                        f"{report.revision}{migrated}")


@contextmanager
def _bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar over the pages copied, one line per phase (copying, checking, restoring), shown from the first
    page on: a refusal before any copying prints its error alone."""
    from referrals.services.backup import PHASES

    tasks: dict[str, TaskID] = {}
    with ExitStack() as stack:
        bars: list[Progress] = []

        def tick(phase: str, done: int, total: int) -> None:
            if not bars:
                bars.append(stack.enter_context(progress(TextColumn("{task.description}"), BarColumn(),
                                                         TaskProgressColumn(), TimeRemainingColumn())))
            if phase not in tasks:
                tasks[phase] = bars[0].add_task(PHASES[phase], total=total)
            bars[0].update(tasks[phase], completed=done, total=total)

        yield tick


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""
