"""Webhooks: which events exist and what reaches them, whether a URL may be called, how a request is signed
(Standard Webhooks), when a failed delivery is tried again and when an endpoint is given up on.

Pure: the caller resolves addresses, reads the clock and draws the random secret."""

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from ipaddress import IPv4Address, IPv6Address, ip_address
from urllib.parse import urlsplit

from referrals.domain.enums import Action
from referrals.domain.errors import InvalidInput

LEAD_EVENTS = ("lead.created", "lead.accepted", "lead.declined", "lead.expired", "lead.closed", "lead.updated")
ALL = "*"
TEST_EVENT = "webhook.test"
SECRET_PREFIX = "whsec_"  # noqa: S105 (the marker of a secret, not one)

TIMEOUT = timedelta(seconds=10)  # one request, connection included
FIRST_RETRY = timedelta(seconds=30)  # the drain runs every minute: a retry leaves 30 to 90 s after a failure
MAX_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)  # a delivery is retried for a day from its event
DISABLE_AFTER = timedelta(days=3)  # an endpoint failing this long (no success in between) is disabled
ROTATION_OVERLAP = timedelta(hours=24)  # after a rotation the previous secret signs too
MAX_URL = 2000
MAX_DESCRIPTION = 200

# Our lead events as the vendor's Referrals API names them (the compatible registration).
COMPAT_EVENTS = ("referral-created", "referral-updated")

_ACTIONS = {
    Action.ACCEPTED: "lead.accepted", Action.DECLINED: "lead.declined", Action.EXPIRED: "lead.expired",
    Action.WON: "lead.closed", Action.LOST: "lead.closed", Action.DEAL_EDITED: "lead.updated",
    Action.EMPLOYEE_ADDED: "lead.updated", Action.ASSIGNED: "lead.updated", Action.UNASSIGNED: "lead.updated",
}


def event_for(action: Action) -> str | None:
    """The webhook event a history action raises (None: none, e.g. an informational lead retired)."""
    return _ACTIONS.get(action)


def compat_event(event: str) -> str:
    return "referral-created" if event == "lead.created" else "referral-updated"


def check_events(events: Sequence[str]) -> list[str]:
    """The subscribed events, each known, without repeats, in the order given."""
    if not events:
        raise InvalidInput("Choose at least one event.", fields={"events": "is empty"})
    unknown = [e for e in events if e not in (*LEAD_EVENTS, ALL)]
    if unknown:
        raise InvalidInput(f"Unknown events: {', '.join(unknown)}; known: {', '.join((*LEAD_EVENTS, ALL))}.",
                           fields={"events": f"has unknown events: {', '.join(unknown)}"})
    return list(dict.fromkeys(events))


def wants(events: Iterable[str], event: str) -> bool:
    """Whether a subscription receives `event` (a test event reaches every endpoint it is sent to)."""
    subscribed = set(events)
    return event == TEST_EVENT or ALL in subscribed or event in subscribed


def reaches(partner_ids: Sequence[str] | None, partner_id: str) -> bool:
    """A program-wide webhook limited to some partners (`partner_ids`) hears only of their leads."""
    return not partner_ids or partner_id in partner_ids


def _refused(url: str, reason: str) -> InvalidInput:
    return InvalidInput(f"The webhook URL is refused: {reason}.", fields={"url": reason})


def check_url(url: str, allow_hosts: Iterable[str]) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL: https (http only for an allowed host), a host, no credentials.
    A literal address is checked here too; a name is checked against what it resolves to (`address_problem`)."""
    if len(url) > MAX_URL:
        raise _refused(url, f"it is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise _refused(url, f"it is not a valid URL ({error})") from None
    host = (parts.hostname or "").lower()
    allowed = host in {h.strip().lower() for h in allow_hosts if h.strip()}
    if parts.scheme not in ("https", "http") or not host:
        raise _refused(url, "it must be an absolute https:// URL")
    if parts.scheme == "http" and not allowed:
        raise _refused(url, "it must use https://")
    if parts.username or parts.password:
        raise _refused(url, "it must not carry a user name or password")
    if not allowed:
        literal = _literal(host)
        if literal is not None and (problem := address_problem(literal)):
            raise _refused(url, problem)
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def is_allowed_host(host: str, allow_hosts: Iterable[str]) -> bool:
    return host.lower() in {h.strip().lower() for h in allow_hosts if h.strip()}


def _literal(host: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(host.strip("[]"))
    except ValueError:
        return None


def address_problem(address: IPv4Address | IPv6Address | str) -> str | None:
    """Why an address may not be called, or None. An IPv4-mapped IPv6 address is judged as its IPv4 address."""
    ip = ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for refused, name in ((ip.is_unspecified, "unspecified"), (ip.is_loopback, "loopback"),
                          (ip.is_link_local, "link-local"), (ip.is_multicast, "multicast"),
                          (ip.is_private, "private"), (ip.is_reserved, "reserved")):
        if refused:
            return f"{ip} is a {name} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def secret_of(key: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(key).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64 HMAC-SHA256>` of "{id}.{timestamp}.{body}" keyed with the secret's decoded bytes."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def signature_header(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> str:
    """Every signing secret's signature, separated by a space (after a rotation: the new one and the previous)."""
    return " ".join(sign(s, message_id, timestamp, body) for s in secrets)


def signing_secrets(secret: str, previous: str | None, previous_until: datetime | None, now: datetime) -> list[str]:
    if previous and previous_until is not None and now < previous_until:
        return [secret, previous]
    return [secret]


def retry_after(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, ... up to an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)


def next_attempt(created_at: datetime, attempts: int, now: datetime) -> datetime | None:
    """When to try again after a failure at `now`, or None when the delivery is given up (a day after its event)."""
    moment = now + retry_after(attempts)
    return moment if moment - created_at <= GIVE_UP_AFTER else None


def to_disable(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= DISABLE_AFTER


def is_delivered(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
