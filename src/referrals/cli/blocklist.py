"""`referrals blocklist ...`: the program's spam block list of addresses and domains."""

import json
from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, engine_for, now_utc, one_line, run
from referrals.store.db import DEFAULT_URL

blocklist_app = typer.Typer(help="The program's spam block list (addresses and domains).", no_args_is_help=True)

UNREACHABLE = "cannot reach the block list: {}"


@blocklist_app.command("add")
def blocklist_add(
    entry: Annotated[str, typer.Argument(help="An address (a@example.com) or a domain (example.com).",
                                         callback=one_line)],
    reason: Annotated[str, typer.Option("--reason", help="Why, shown with the spam flag.", callback=one_line)] = "",
    db: Db = DEFAULT_URL,
) -> None:
    """Block an address or a domain: leads from it arrive flagged as spam."""
    from referrals.services.blocklist import add_entry

    engine = engine_for(db)
    added = run(lambda: add_entry(engine, entry, reason=reason, now=now_utc()), database_error=UNREACHABLE)
    typer.echo(f"blocked {added.entry}" + (f" ({added.reason})" if added.reason else ""))


@blocklist_app.command("list")
def blocklist_list(db: Db = DEFAULT_URL, as_json: AsJson = False) -> None:
    """Every blocked address and domain."""
    from referrals.services.blocklist import list_entries

    engine = engine_for(db)
    entries = run(lambda: list_entries(engine), database_error=UNREACHABLE)
    if as_json:
        typer.echo(json.dumps([{"entry": e.entry, "reason": e.reason, "created_at": e.created_at.isoformat()}
                               for e in entries]))
        return
    for e in entries:
        typer.echo(f"{e.entry}\t{e.created_at:%Y-%m-%d}\t{e.reason}")


@blocklist_app.command("remove")
def blocklist_remove(entry: Annotated[str, typer.Argument(help="The address or domain to unblock.", callback=one_line)],
                     db: Db = DEFAULT_URL) -> None:
    """Unblock an address or a domain (leads already received keep their flags)."""
    from referrals.services.blocklist import remove_entry

    engine = engine_for(db)
    run(lambda: remove_entry(engine, entry), database_error=UNREACHABLE)
    typer.echo(f"unblocked {entry.strip().lower()}")
