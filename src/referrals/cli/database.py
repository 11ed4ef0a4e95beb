"""`referrals migrate` and `referrals demo`: the schema, and a demo program to try the product with."""

import json
from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, engine_for, fail, now_utc, progress
from referrals.store.db import DEFAULT_URL


def migrate(db: Db = DEFAULT_URL) -> None:
    """Create or upgrade the database schema."""
    from referrals.store.migrate import upgrade

    try:
        before, after = upgrade(engine_for(db))
    except Exception as error:
        fail(f"migration failed: {error}")
    if before is None:
        typer.echo(f"created the schema (revision {after})")
    elif before != after:
        typer.echo(f"upgraded the schema from revision {before} to {after}")
    else:
        typer.echo(f"the schema is up to date (revision {after})")


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
    with progress() as bar:
        task = bar.add_task("Seeding demo leads", total=leads)
        program = demo_data.seed(engine, now=now_utc(), leads_count=leads, progress=lambda n: bar.advance(task, n))
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
