"""The vendor-compatible webhook registration (`/webhooks/v1/registration`): one per partner, as the vendor has, made
by a Referrals admin of the partner. Events arrive as the vendor's change notices, signed like ours."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput, NotFound
from referrals.domain.webhooks import COMPAT_EVENTS
from referrals.services.webhooks import check_target, new_secret
from referrals.store import webhooks as store
from referrals.store.db import reading, writing
from referrals.store.ids import new_id

NO_REGISTRATION = "No webhook registration for your partner."


def _partner_of(principal: Principal) -> str:
    if principal.partner_id is None or not principal.has(Role.REFERRALS_ADMIN):
        raise Forbidden("The webhook registration is managed by a partner's Referrals admins.")
    return principal.partner_id


def _check_events(events: Sequence[str]) -> list[str]:
    unknown = [e for e in events if e not in COMPAT_EVENTS]
    if not events or unknown:
        raise InvalidInput(f"WebhookEvents must be some of {', '.join(COMPAT_EVENTS)}"
                           + (f"; unknown: {', '.join(unknown)}." if unknown else "."),
                           fields={"WebhookEvents": "has unknown events" if unknown else "is empty"})
    return list(dict.fromkeys(events))


def register(engine: Engine, principal: Principal, url: str, events: Sequence[str], *, now: datetime,
             allow_hosts: Sequence[str]) -> tuple[Any, str]:
    """Register the partner's endpoint, replacing the one it had (a new secret either way)."""
    partner_id = _partner_of(principal)
    url, events = check_target(url, allow_hosts), _check_events(events)
    secret, webhook_id = new_secret(), new_id(int(now.timestamp() * 1000))
    with writing(engine) as conn:
        if (old := store.compat_of(conn, partner_id)) is not None:
            store.remove(conn, old.id)
        store.add(conn, id=webhook_id, partner_id=partner_id, kind="compat", compat_partner_id=partner_id,
                  created_by=principal.user_id, url=url, events=events, partner_ids=None, secret=secret, active=True,
                  created_at=now)
        return store.find(conn, webhook_id), secret


def registration(engine: Engine, principal: Principal) -> Any:
    partner_id = _partner_of(principal)
    with reading(engine) as conn:
        row = store.compat_of(conn, partner_id)
    if row is None:
        raise NotFound(NO_REGISTRATION)
    return row


def unregister(engine: Engine, principal: Principal) -> None:
    partner_id = _partner_of(principal)
    with writing(engine) as conn:
        row = store.compat_of(conn, partner_id)
        if row is None:
            raise NotFound(NO_REGISTRATION)
        store.remove(conn, row.id)
