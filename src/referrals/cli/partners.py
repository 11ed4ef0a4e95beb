"""`referrals partners ...`: partners, their first location and its marketplace inbound key."""

from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, emit, engine_for, fail, now_utc, one_line, run
from referrals.store.db import DEFAULT_URL

partners_app = typer.Typer(help="Partners and their locations.", no_args_is_help=True)


@partners_app.command("add")
def partners_add(
    name: Annotated[str, typer.Argument(callback=one_line)],
    country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 country of the first location.",
                                         callback=one_line)] = "US",
    city: Annotated[str, typer.Option(callback=one_line)] = "",
    contact_email: Annotated[str, typer.Option("--contact-email", callback=one_line)] = "",
    timezone: Annotated[str, typer.Option(callback=one_line)] = "UTC",
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Add a partner with its first location; prints its id, location id and inbound key."""
    from referrals.services.directory_admin import add_partner

    code = country.upper() if len(country) == 2 else country
    partner = run(lambda: add_partner(engine_for(db), name, country=code, city=city, contact_email=contact_email,
                                      timezone=timezone, now=now_utc()))
    data = {"id": partner.id, "location_id": partner.location_id, "inbound_key": partner.inbound_key}
    emit(data, as_json, f"partner {partner.id}, location {partner.location_id}, inbound key {partner.inbound_key}")


@partners_app.command("inbound-key")
def partners_inbound_key(
    location_id: Annotated[str, typer.Argument(callback=one_line)],
    rotate: Annotated[bool, typer.Option("--rotate", help="Revoke the current keys and issue a new one.")] = False,
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Issue a location's marketplace inbound key. Keys are stored hashed, so a key can only be shown
    when it is issued: without --rotate this explains that; with --rotate it prints the new key."""
    from referrals.services.directory_admin import rotate_inbound_key

    if not rotate:
        fail("inbound keys are stored hashed and cannot be shown again; use --rotate to issue a new one")
    key = run(lambda: rotate_inbound_key(engine_for(db), location_id, now=now_utc()))
    emit({"location_id": location_id, "inbound_key": key}, as_json, key)
