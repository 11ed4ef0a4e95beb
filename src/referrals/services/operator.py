"""The operator acting from the CLI on one partner's data, with read access to it."""

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import NotFound
from referrals.store import partners
from referrals.store.db import reading


def operator_principal(engine: Engine, partner_id: str) -> Principal:
    with reading(engine) as conn:
        if not partners.exists(conn, partner_id):
            raise NotFound(f"No partner {partner_id!r}.")
    return Principal("operator", "operator@cli", partner_id, frozenset({Role.REFERRALS_USER}))


def program_operator() -> Principal:
    """The operator importing for the program from the CLI (`referrals import`), as a program admin would."""
    return Principal("operator", "operator@cli", None, frozenset({Role.PROGRAM_ADMIN}))
