"""`referrals users ...` and `referrals tokens ...`: the people who sign in, and their API tokens."""

from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, emit, engine_for, fail, now_utc, run
from referrals.domain.enums import Role
from referrals.store.db import DEFAULT_URL

users_app = typer.Typer(help="Users of partners and of the program.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


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
