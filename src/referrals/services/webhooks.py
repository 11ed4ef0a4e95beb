"""Managing webhooks: a partner's Referrals admins register endpoints for their partner's leads, the program's admins
for every lead (optionally some partners'). Another owner's webhook, and its deliveries, are 404 like an unknown id.
The secret is answered when it is made (creation, rotation) and never again."""

import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from referrals.adapters.webhook_http import Refused, resolve
from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput, NotFound
from referrals.domain.lead_document import stamp
from referrals.domain.webhooks import (
    MAX_DESCRIPTION,
    ROTATION_OVERLAP,
    TEST_EVENT,
    check_events,
    check_url,
    is_allowed_host,
    secret_of,
)
from referrals.services.webhook_events import delivery
from referrals.store import partners
from referrals.store import webhooks as store
from referrals.store.db import reading, writing
from referrals.store.ids import new_id

NO_SUCH_WEBHOOK = "No such webhook."
LOG_SIZE = 100


def owner_scope(principal: Principal) -> str | None:
    """The partner whose webhooks this admin manages, or None for the program's."""
    if principal.partner_id is not None and principal.has(Role.REFERRALS_ADMIN):
        return principal.partner_id
    if principal.partner_id is None and principal.has(Role.PROGRAM_ADMIN):
        return None
    raise Forbidden("Webhooks are managed by a partner's Referrals admins and the program's admins.")


def check_target(url: str, allow_hosts: Sequence[str]) -> str:
    """Refuse a URL that is not https, or whose host is (or resolves to) an address that is not public. A name that
    does not resolve now is accepted: every delivery resolves and checks it again."""
    url = url.strip()
    _, host, port = check_url(url, allow_hosts)
    if not is_allowed_host(host, allow_hosts):
        try:
            resolve(host, port, list(allow_hosts))
        except Refused as error:
            if "does not resolve" not in str(error):
                raise InvalidInput(f"The webhook URL is refused: {error}.", fields={"url": str(error)}) from None
    return url


def new_secret() -> str:
    return secret_of(secrets.token_bytes(24))


def _check_partners(conn: Connection, scope: str | None, partner_ids: Sequence[str] | None) -> list[str] | None:
    if not partner_ids:
        return None
    if scope is not None:
        raise InvalidInput("Only the program's admins limit a webhook to partners.",
                           fields={"partner_ids": "is for program admins only"})
    wanted = list(dict.fromkeys(partner_ids))
    unknown = sorted(set(wanted) - set(partners.names(conn, wanted)))
    if unknown:
        raise InvalidInput(f"Unknown partners: {', '.join(unknown)}.", fields={"partner_ids": "has unknown partners"})
    return wanted


def create_webhook(engine: Engine, principal: Principal, url: str, events: Sequence[str], *, now: datetime,
                   allow_hosts: Sequence[str], description: str = "",
                   partner_ids: Sequence[str] | None = None) -> tuple[Any, str]:
    """Register an endpoint; answers the webhook and its secret (shown this once)."""
    scope = owner_scope(principal)
    url, events = check_target(url, allow_hosts), check_events(events)
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput("The description is too long.", fields={"description": f"is longer than {MAX_DESCRIPTION}"})
    secret, webhook_id = new_secret(), new_id(int(now.timestamp() * 1000))
    with writing(engine) as conn:
        limited = _check_partners(conn, scope, partner_ids)
        store.add(conn, id=webhook_id, partner_id=scope, kind="standard", created_by=principal.user_id, url=url,
                  events=events, partner_ids=limited, description=description, secret=secret, active=True,
                  created_at=now)
        return store.find(conn, webhook_id), secret


def list_webhooks(engine: Engine, principal: Principal) -> list:
    scope = owner_scope(principal)
    with reading(engine) as conn:
        return store.owned(conn, scope)


def _owned(conn: Connection, principal: Principal, webhook_id: str) -> Any:
    scope = owner_scope(principal)
    row = store.find(conn, webhook_id)
    if row is None or row.partner_id != scope:
        raise NotFound(NO_SUCH_WEBHOOK)
    return row


def get_webhook(engine: Engine, principal: Principal, webhook_id: str) -> Any:
    with reading(engine) as conn:
        return _owned(conn, principal, webhook_id)


def delete_webhook(engine: Engine, principal: Principal, webhook_id: str) -> None:
    with writing(engine) as conn:
        store.remove(conn, _owned(conn, principal, webhook_id).id)


def send_test(engine: Engine, principal: Principal, webhook_id: str, *, now: datetime) -> str:
    """Queue a `webhook.test` event for this endpoint; answers its delivery id."""
    with writing(engine) as conn:
        row = _owned(conn, principal, webhook_id)
        body = json.dumps({"type": TEST_EVENT, "timestamp": stamp(now), "data": {"webhook_id": row.id}},
                          separators=(",", ":"))
        queued = delivery(row.id, TEST_EVENT, body, now)
        store.enqueue(conn, [queued])
    return queued["id"]


def rotate_secret(engine: Engine, principal: Principal, webhook_id: str, *, now: datetime) -> tuple[Any, str]:
    """A new secret; the previous one keeps signing beside it for 24 hours, while receivers switch."""
    secret = new_secret()
    with writing(engine) as conn:
        row = _owned(conn, principal, webhook_id)
        store.change(conn, row.id, secret=secret, previous_secret=row.secret, previous_until=now + ROTATION_OVERLAP)
        return store.find(conn, row.id), secret


def list_deliveries(engine: Engine, principal: Principal, webhook_id: str, *, limit: int = LOG_SIZE) -> list:
    """The endpoint's latest deliveries, newest first."""
    with reading(engine) as conn:
        return store.log(conn, _owned(conn, principal, webhook_id).id, max(1, min(limit, 500)))


def redeliver(engine: Engine, principal: Principal, webhook_id: str, delivery_id: str, *, now: datetime) -> None:
    """Send a delivery again now: the same body and `webhook-id`, freshly signed."""
    with writing(engine) as conn:
        row = _owned(conn, principal, webhook_id)
        if store.find_delivery(conn, row.id, delivery_id) is None:
            raise NotFound("No such delivery.")
        store.redeliver(conn, delivery_id, now)
