"""`referrals privacy ...`: a customer's personal data — erase it on request, export it (docs/privacy.md)."""

import json
from pathlib import Path
from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, emit, engine_for, err, now_utc, one_line, run
from referrals.store.db import DEFAULT_URL

privacy_app = typer.Typer(help="A customer's personal data: erase it, export it.", no_args_is_help=True)

Email = Annotated[str, typer.Option("--email", help="The customer's email address (any case).", callback=one_line)]


@privacy_app.command("erase")
def erase(
    email: Email,
    yes: Annotated[bool, typer.Option("--yes", help="Erase. Without it, only say what would be erased.")] = False,
    by: Annotated[str, typer.Option("--by", help="Who asks, for the erasures record.", callback=one_line)] = "operator",
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Erase a customer's personal data from every lead at this address, across partners, and from the history,
    emails, digests, webhook deliveries and searches about them. Without --yes: a dry run that changes nothing."""
    from referrals.services.privacy import erase_person, preview_erasure

    engine = engine_for(db)
    if not yes:
        counts = run(lambda: preview_erasure(engine, None, email, now=now_utc()))
        emit({"dry_run": True, "counts": counts}, as_json, "would erase: " + _counts(counts))
        err.print("nothing changed: run again with --yes to erase")
        return
    done = run(lambda: erase_person(engine, None, email, now=now_utc(), by=by))
    emit({"id": done.id, "dry_run": False, "counts": done.counts}, as_json,
         f"erased ({done.id}): " + _counts(done.counts))


@privacy_app.command("export")
def export(
    email: Email,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")] = None,
    db: Db = DEFAULT_URL,
) -> None:
    """Write everything held about a customer, across partners, as JSON: every lead with its fields and history,
    the emails sent to them or about their leads, digest items and webhook deliveries."""
    from referrals.services.privacy_export import export_person

    engine = engine_for(db)
    document = run(lambda: export_person(engine, None, email, now=now_utc()))
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
    err.print(f"{len(document['leads'])} leads exported")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items())
