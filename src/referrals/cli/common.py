"""What every command shares: the --db and --json options, the database, the clock, progress on stderr, and
the one way a command fails: a one-line error and exit code 2, never a traceback."""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, ProgressColumn
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from referrals.domain.errors import DomainError
from referrals.domain.text import clean_text
from referrals.store.db import make_engine

T = TypeVar("T")

err = Console(stderr=True)

Db = Annotated[str, typer.Option("--db", envvar="REFERRALS_DATABASE_URL", help="Database URL.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def one_line(value: str | None) -> str | None:
    """The callback of every free-text option and argument: the input policy (domain/text.py), so a control
    character (or a lone surrogate, which is how Python reads bytes that are not UTF-8) is refused naming the
    option, exit code 2, before anything is stored."""
    if value is None:
        return None
    try:
        return clean_text(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def engine_for(db: str) -> Engine:
    try:
        return make_engine(db)
    except Exception as error:  # a malformed URL or a missing driver: say so in one line
        fail(f"cannot open database {db!r}: {error}")


def run(action: Callable[[], T], *, database_error: str = "") -> T:
    """Call a service: a domain error is its own message; a database error (down, schema missing) is one line,
    worded by `database_error` ("cannot reach the block list: {}") when the command has something to add."""
    try:
        return action()
    except typer.Exit:  # the action already said what went wrong (a bad --db, say)
        raise
    except DomainError as error:
        fail(error.message)
    except Exception as error:
        first_line = str(error).splitlines()[0] if str(error) else ""
        if database_error and isinstance(error, SQLAlchemyError):
            fail(database_error.format(first_line))
        fail(f"{type(error).__name__}: {first_line}")


def now_utc() -> datetime:
    return datetime.now(UTC)


def parse_instant(text: str | None) -> datetime:
    if not text:
        return now_utc()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--now {text!r} is not an ISO-8601 instant (like 2026-11-29T12:00:00Z)")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def emit(data: dict | list, as_json: bool, text: str) -> None:
    typer.echo(json.dumps(data) if as_json else text)


def progress(*columns: ProgressColumn) -> Progress:
    """A progress display on stderr (stdout may be the data) that disappears when the work is done."""
    return Progress(*columns, console=err, transient=True)
