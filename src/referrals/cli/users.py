"""`referrals users ...` and `referrals tokens ...`: the people who sign in, and their API tokens."""

from datetime import datetime
from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, emit, engine_for, fail, now_utc, one_line, run
from referrals.domain.enums import Role
from referrals.store.db import DEFAULT_URL

users_app = typer.Typer(help="Users of partners and of the program.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(callback=one_line)],
    role: Annotated[list[Role], typer.Option("--role", help="Repeat for several roles.")],
    partner: Annotated[str | None, typer.Option("--partner", help="The partner id (partner users).",
                                                callback=one_line)] = None,
    program: Annotated[bool, typer.Option("--program", help="A program staff user.")] = False,
    password: Annotated[str | None, typer.Option(help="Sign-in password (8+ characters).")] = None,
    language: Annotated[str | None, typer.Option(help="en or it", callback=one_line)] = None,
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


def _member(member, as_json: bool, said: str) -> None:
    emit({"id": member.id, "email": member.email, "active": member.active}, as_json, said)


@users_app.command("deactivate")
def users_deactivate(email: Annotated[str, typer.Argument(callback=one_line)], db: Db = DEFAULT_URL,
                     as_json: AsJson = False) -> None:
    """Deactivate a partner's user: signed out at once, API tokens refused, no emails, no sign-in; their open
    leads go back to their location's assignment rule. Their history stays. Not the partner's last active
    Referrals admin."""
    from referrals.services.team import deactivate_by_email

    member = run(lambda: deactivate_by_email(engine_for(db), email, now=now_utc()))
    _member(member, as_json, f"{member.email} deactivated")


@users_app.command("reactivate")
def users_reactivate(email: Annotated[str, typer.Argument(callback=one_line)], db: Db = DEFAULT_URL,
                     as_json: AsJson = False) -> None:
    """Reactivate a partner's user: they sign in again with their password."""
    from referrals.services.team import reactivate_by_email

    member = run(lambda: reactivate_by_email(engine_for(db), email))
    _member(member, as_json, f"{member.email} reactivated")


@users_app.command("set")
def users_set(
    email: Annotated[str, typer.Argument(callback=one_line)],
    notification_email: Annotated[str, typer.Option(
        "--notification-email", help="Where their notification emails go; \"\" for their sign-in address.",
        callback=one_line)],
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Change a user's settings."""
    from referrals.services.me import set_notification_email_for

    kept = run(lambda: set_notification_email_for(engine_for(db), email, notification_email))
    emit({"email": email.strip().lower(), "notification_email": kept}, as_json,
         f"notification emails of {email.strip().lower()} go to {kept or 'their sign-in address'}")


@tokens_app.command("create")
def tokens_create(
    email: str,
    name: Annotated[str, typer.Option(help="A label for the token.")] = "cli",
    expires_in_days: Annotated[int | None, typer.Option(
        "--expires-in-days", help="The token stops working after this many days (default: until revoked).")] = None,
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Create an API token for a user. It is printed once and stored only as a hash (and its 16-character prefix)."""
    from referrals.services.tokens import create_token_for

    created = run(lambda: create_token_for(engine_for(db), email, name=name, now=now_utc(),
                                           expires_in_days=expires_in_days))
    emit({"token": created.token, "id": created.id, "prefix": created.prefix,
          "expires_at": _instant(created.expires_at)}, as_json, created.token)


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@tokens_app.command("list")
def tokens_list(email: str, db: Db = DEFAULT_URL, as_json: AsJson = False) -> None:
    """A user's API tokens, newest first: id, name, prefix, created, last used, expiry and state. Never the
    tokens themselves (only their hashes are kept)."""
    from referrals.services.tokens import state, tokens_of

    now = now_utc()
    rows = [{"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": _instant(t.created_at),
             "last_used_at": _instant(t.last_used_at), "expires_at": _instant(t.expires_at),
             "revoked_at": _instant(t.revoked_at), "state": state(t, now)}
            for t in run(lambda: tokens_of(engine_for(db), email))]
    columns = ("id", "name", "prefix", "created_at", "last_used_at", "expires_at", "state")
    lines = ["\t".join(columns), *("\t".join(row[c] or "-" for c in columns) for row in rows)]
    emit(rows, as_json, "\n".join(lines))


@tokens_app.command("revoke")
def tokens_revoke(
    id_or_prefix: Annotated[str, typer.Argument(
        metavar="ID_OR_PREFIX", help="The token's id, its prefix (rfl_ and 12 more characters) or the whole token.")],
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Revoke an API token: its next request gets 401."""
    from referrals.services.tokens import revoke_token

    revoked = run(lambda: revoke_token(engine_for(db), id_or_prefix, now=now_utc()))
    emit({"id": revoked.id, "prefix": revoked.prefix, "revoked_at": _instant(revoked.revoked_at)}, as_json,
         f"token {revoked.id} ({revoked.prefix or revoked.name}) revoked")
