"""`referrals export` and `referrals serve`: the commands that stream data or run the server."""

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from referrals.cli import DEFAULT_URL, Db, app, engine_for, err, fail, run
from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    QualityLabel,
    Source,
    Status,
)
from referrals.domain.listing import LeadFilter, Sort, Tab


@app.command()
def export(
    partner: Annotated[str, typer.Option("--partner", help="The partner whose leads to export.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")] = None,
    tab: Annotated[Tab | None, typer.Option()] = None,
    call_to_action: Annotated[list[CallToAction] | None, typer.Option("--call-to-action")] = None,
    country: Annotated[list[str] | None, typer.Option("--country")] = None,
    customer: Annotated[str, typer.Option("--customer", help="Customer name contains.")] = "",
    source: Annotated[list[Source] | None, typer.Option("--source")] = None,
    lead_type: Annotated[list[LeadType] | None, typer.Option("--type")] = None,
    quality: Annotated[list[QualityLabel] | None, typer.Option("--quality")] = None,
    status: Annotated[list[Status] | None, typer.Option("--status")] = None,
    outcome: Annotated[list[Outcome] | None, typer.Option("--outcome")] = None,
    email_validity: Annotated[list[EmailValidity] | None, typer.Option("--email-validity")] = None,
    phone_validity: Annotated[list[PhoneValidity] | None, typer.Option("--phone-validity")] = None,
    sort: Annotated[Sort, typer.Option()] = Sort.NEWEST,
    db: Db = DEFAULT_URL,
) -> None:
    """Export a partner's (filtered) leads as CSV, with the same columns as the API export."""
    from referrals.services.export import export_csv
    from referrals.services.operator import operator_principal

    lead_filter = LeadFilter(
        tab=tab, call_to_action=frozenset(call_to_action or ()), country=frozenset(c.upper() for c in country or ()),
        customer=customer, source=frozenset(source or ()), type=frozenset(lead_type or ()),
        quality=frozenset(quality or ()), status=frozenset(status or ()), outcome=frozenset(outcome or ()),
        email_validity=frozenset(email_validity or ()), phone_validity=frozenset(phone_validity or ()),
    )
    engine = engine_for(db)
    principal = run(lambda: operator_principal(engine, partner))
    out = output.open("w", encoding="utf-8", newline="") if output else None
    rows = 0
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True) as progress:
            task = progress.add_task("Exporting", total=None)
            for chunk in run(lambda: list_chunks(export_csv(engine, principal, lead_filter, sort))):
                (out.write(chunk) if out else typer.echo(chunk, nl=False))
                rows += chunk.count("\r\n")
                progress.update(task, description=f"Exported {max(rows - 1, 0)} leads")
    finally:
        if out:
            out.close()
    err.print(f"{max(rows - 1, 0)} leads exported")


def list_chunks(chunks):
    """Start the generator inside `run` so a bad partner id fails with one line, then stream the rest."""
    first = next(chunks)
    yield first
    yield from chunks


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not run the scheduled jobs in this process.")]
    = False,
    db: Db = DEFAULT_URL,
) -> None:
    """Start the web server (and, unless --no-worker, the scheduled jobs)."""
    import uvicorn

    from referrals.config import get_settings
    from referrals.web.app import create_app

    _use_database(db)
    settings = get_settings()
    engine = engine_for(db)
    app = create_app(settings, engine)
    if not no_worker:
        from referrals.jobs import kick, start_embedded

        start_embedded()
        app.state.kick_outbox = kick
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    except OSError as error:
        fail(f"cannot listen on {host}:{port}: {error}")


@app.command()
def worker(
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker threads.")] = 2,
    db: Db = DEFAULT_URL,
) -> None:
    """Run the background jobs (outbox, sweeps, digests) in this process; start several with Redis."""
    _use_database(db)
    from referrals.jobs import run_worker

    run_worker(workers)


def _use_database(db: str) -> None:
    """The jobs read their settings from the environment: make --db the database they see too."""
    from referrals.config import get_settings

    os.environ["REFERRALS_DATABASE_URL"] = db
    get_settings.cache_clear()
