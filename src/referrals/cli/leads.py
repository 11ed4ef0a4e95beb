"""`referrals export`: a partner's (filtered) leads as CSV, streamed to a file or stdout."""

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import SpinnerColumn, TextColumn

from referrals.cli import filters
from referrals.cli.common import Db, engine_for, err, now_utc, one_line, progress, run
from referrals.domain.listing import LeadFilter, Sort
from referrals.store.db import DEFAULT_URL


@filters.filter_options
def export(
    partner: Annotated[str, typer.Option("--partner", help="The partner whose leads to export.", callback=one_line)],
    lead_filter: LeadFilter,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")] = None,
    sort: Annotated[Sort, typer.Option()] = Sort.NEWEST,
    bom: Annotated[bool, typer.Option("--bom", help="Start with a UTF-8 byte-order mark (for spreadsheets).")] = False,
    db: Db = DEFAULT_URL,
) -> None:
    """Export a partner's (filtered) leads as CSV, with the same columns as the API export."""
    from referrals.services.export import export_csv
    from referrals.services.operator import operator_principal

    engine = engine_for(db)
    principal = run(lambda: operator_principal(engine, partner))
    records = CsvRecords()
    with _writer(output) as write, progress(SpinnerColumn(), TextColumn("{task.description}")) as bar:
        task = bar.add_task("Exporting", total=None)

        def stream() -> None:
            for chunk in export_csv(engine, principal, lead_filter, sort, bom=bom, now=now_utc()):
                write(chunk)
                records.feed(chunk)
                bar.update(task, description=f"Exported {records.data_records} leads")

        run(stream)
    err.print(f"{records.data_records} leads exported")


@contextmanager
def _writer(output: Path | None):
    if output is None:
        yield lambda chunk: typer.echo(chunk, nl=False)
        return
    with output.open("w", encoding="utf-8", newline="") as out:
        yield out.write


class CsvRecords:
    """Counts the records of CSV text as it streams past, in chunks cut anywhere. A record ends at a line feed
    outside quotes: a quoted cell may hold line feeds, and a quote inside one is doubled, so quotes come in pairs
    and their parity says whether a line feed is inside a cell."""

    def __init__(self) -> None:
        self.records = 0
        self._in_quotes = False

    def feed(self, text: str) -> None:
        pieces = text.split('"')
        outside = pieces[1::2] if self._in_quotes else pieces[0::2]
        self.records += sum(piece.count("\n") for piece in outside)
        if len(pieces) % 2 == 0:  # an odd number of quotes
            self._in_quotes = not self._in_quotes

    @property
    def data_records(self) -> int:
        """The records after the header: the leads."""
        return max(self.records - 1, 0)
