"""`referrals import leads|history FILE`: a CSV of leads, or of a program's closed history, with a dry run and a
progress bar; prints the report (`--json`: as the API answers it) and exits 1 when rows had errors."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn

from referrals.cli.common import AsJson, Db, emit, engine_for, err, now_utc, progress, run
from referrals.store.db import DEFAULT_URL

imports_app = typer.Typer(help="Import leads or a program's history from CSV files.", no_args_is_help=True)

File = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file (UTF-8).")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check every row and report; create nothing.")]


def _imported(path: Path, action: Callable, as_json: bool) -> None:
    """Run an import service on the file with a progress bar over its bytes, then print its report."""
    size = max(path.stat().st_size, 1)
    with path.open("rb") as raw, progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                          TimeRemainingColumn()) as bar:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        task = bar.add_task("Importing", total=size)
        report = run(lambda: action(stream, lambda _rows: bar.update(task, completed=raw.tell())))
    data = report.as_dict()
    lines = [f"{data['rows']} rows: {data['created']} created, {data['existing']} already there, "
             f"{data['error_count']} errors" + (" (nothing imported: --all-or-nothing)" if data["refused"] else "")]
    lines += [f"  row {e['row']}, {e['column'] or 'row'}: {e['message']}" for e in data["errors"][:50]]
    emit(data, as_json, "\n".join(lines))
    if data["error_count"]:
        raise typer.Exit(1)


@imports_app.command("leads")
def import_leads(
    file: File, dry_run: DryRun = False,
    all_or_nothing: Annotated[bool, typer.Option("--all-or-nothing", help="Any error refuses the whole file.")] = False,
    db: Db = DEFAULT_URL, as_json: AsJson = False,
) -> None:
    """Import leads from a CSV file (the columns of GET /api/v1/leads/import/template.csv), as the program."""
    from referrals.services.lead_import import import_leads as service
    from referrals.services.operator import program_operator

    engine = engine_for(db)
    err.print(f"Importing leads from {file}" + (" (dry run)" if dry_run else ""))
    _imported(file, lambda stream, tick: service(engine, program_operator(), stream, now=now_utc(), dry_run=dry_run,
                                                 all_or_nothing=all_or_nothing, progress=tick), as_json)


@imports_app.command("history")
def import_history(file: File, dry_run: DryRun = False, db: Db = DEFAULT_URL, as_json: AsJson = False) -> None:
    """Import a program's closed leads from its old system (the lead columns plus ReceivedDateTime, Outcome,
    ClosingReason, AcceptedDateTime, ArchivedDateTime, DealValue, DealCurrency, Notes). Tells nobody."""
    from referrals.services.history_import import import_history as service
    from referrals.services.operator import program_operator

    engine = engine_for(db)
    err.print(f"Importing history from {file}" + (" (dry run)" if dry_run else ""))
    _imported(file, lambda stream, tick: service(engine, program_operator(), stream, now=now_utc(), dry_run=dry_run,
                                                 progress=tick), as_json)
