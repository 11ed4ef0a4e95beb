"""The operator's commands: `referrals --help`. Thin: parse, call one service, print.

Bad input gets a one-line error and a non-zero exit, never a traceback.
"""

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from referrals.cli_quality import blocklist_app, quality_app
from referrals.domain.enums import Role
from referrals.domain.errors import DomainError
from referrals.store.db import DEFAULT_URL, make_engine

app = typer.Typer(help="Referrals: a partner referral workspace.", no_args_is_help=True, add_completion=False)
partners_app = typer.Typer(help="Partners and their locations.", no_args_is_help=True)
users_app = typer.Typer(help="Users of partners and of the program.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(partners_app, name="partners")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(quality_app, name="quality")
app.add_typer(blocklist_app, name="blocklist")
err = Console(stderr=True)

Db = Annotated[str, typer.Option("--db", envvar="REFERRALS_DATABASE_URL", help="Database URL.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def engine_for(db: str):
    try:
        return make_engine(db)
    except Exception as error:  # a malformed URL or a missing driver: say so in one line
        fail(f"cannot open database {db!r}: {error}")


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


def emit(data: dict, as_json: bool, text: str) -> None:
    typer.echo(json.dumps(data) if as_json else text)


@app.command()
def migrate(db: Db = DEFAULT_URL) -> None:
    """Create or upgrade the database schema."""
    from referrals.store.migrate import upgrade

    try:
        upgrade(engine_for(db))
    except Exception as error:
        fail(f"migration failed: {error}")
    typer.echo("database is up to date")


@app.command()
def demo(
    db: Db = DEFAULT_URL,
    leads: Annotated[int, typer.Option("--leads", min=0, max=1_000_000, help="How many leads.")] = 400,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only seed an empty database.")] = False,
    as_json: AsJson = False,
) -> None:
    """Seed a demo program: partners, users and leads of every kind. Prints the sign-in credentials."""
    from referrals import demo as demo_data

    engine = engine_for(db)
    if not demo_data.is_empty(engine):
        if if_empty:
            _print_credentials(None, as_json)
            return
        fail("the database already holds data; demo seeds only an empty database")
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Seeding demo leads", total=leads)
        program = demo_data.seed(engine, now=now_utc(), leads_count=leads,
                                 progress=lambda n: progress.advance(task, n))
    _print_credentials(program, as_json)


def _print_credentials(program, as_json: bool) -> None:
    from referrals import demo as demo_data

    accounts = program.credentials if program else [
        ("admin@program.example", "program-admin"), ("seller@program.example", "program-seller"),
        *[(f"admin@{p[4]}.example", "referrals-admin, business-profile-admin") for p in demo_data.PARTNERS],
        *[(f"user@{p[4]}.example", "referrals-user") for p in demo_data.PARTNERS],
    ]
    if as_json:
        typer.echo(json.dumps({"password": demo_data.DEMO_PASSWORD, "users": [a for a, _ in accounts],
                               "leads": program.leads if program else None}))
        return
    typer.echo(f"Demo sign-in (password for all: {demo_data.DEMO_PASSWORD}):")
    for email, roles in accounts:
        typer.echo(f"  {email:32} {roles}")


@partners_app.command("add")
def partners_add(
    name: str,
    country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 country of the first location.")] = "US",
    city: Annotated[str, typer.Option()] = "",
    contact_email: Annotated[str, typer.Option("--contact-email")] = "",
    timezone: Annotated[str, typer.Option()] = "UTC",
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
    location_id: str,
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


@users_app.command("add")
def users_add(
    email: str,
    role: Annotated[list[Role], typer.Option("--role", help="Repeat for several roles.")],
    partner: Annotated[str | None, typer.Option("--partner", help="The partner id (partner users).")] = None,
    program: Annotated[bool, typer.Option("--program", help="A program staff user.")] = False,
    password: Annotated[str | None, typer.Option(help="Sign-in password (8+ characters).")] = None,
    language: Annotated[str | None, typer.Option(help="en or it")] = None,
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Add a user to a partner (--partner ID) or to the program (--program)."""
    from referrals.services.directory_admin import add_user

    if bool(partner) == program:
        fail("give exactly one of --partner PARTNER_ID or --program")
    user_id = run(lambda: add_user(engine_for(db), email, partner_id=partner, roles=role, password=password,
                                   language=language, now=now_utc()))
    emit({"id": user_id}, as_json, f"user {user_id}")


@tokens_app.command("create")
def tokens_create(
    email: str,
    name: Annotated[str, typer.Option(help="A label for the token.")] = "cli",
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Create an API token for a user. It is printed once and stored only as a hash."""
    from referrals.services.directory_admin import create_token

    token = run(lambda: create_token(engine_for(db), email, name=name, now=now_utc()))
    emit({"token": token}, as_json, token)


@app.command("sweep")
def sweep_command(
    now: Annotated[str | None, typer.Option("--now", help="Run as of this ISO-8601 instant.")] = None,
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Run every scheduled job once: expire unanswered leads, retire old informational leads, send the
    digests of days that are over, drain the outbox."""
    from referrals.config import get_settings
    from referrals.services.scheduled import run_once

    instant = parse_instant(now)
    settings = get_settings().model_copy(update={"database_url": db})
    report = run(lambda: run_once(engine_for(db), settings, now=instant))
    data = {"expired": report.sweep.expired, "retired": report.sweep.retired, "digests": report.digests,
            "sent": report.outbox.sent, "retried": report.outbox.retried, "failed": report.outbox.failed}
    emit(data, as_json, ", ".join(f"{key} {value}" for key, value in data.items()))


def run(action):
    try:
        return action()
    except DomainError as error:
        fail(error.message)
    except Exception as error:  # the database is down or the schema is missing: one line, no traceback
        fail(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")


from referrals import cli_commands  # noqa: E402,F401  (export, serve: registered on `app`)


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="referrals")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

