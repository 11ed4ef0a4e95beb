"""Emails: one folder per email, a subfolder per language with subject.txt, body.txt and body.html,
and one function per email returning its template context. Links are absolute (Settings.base_url)."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from referrals.domain.lead import Lead, visible_customer
from referrals.domain.notify import LANGUAGES

FOLDER = Path(__file__).parent
_env = Environment(
    loader=FileSystemLoader(FOLDER),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
# The words of values a context carries as stored (a lead's kind; the English stand-in for a customer with no
# name), by language: a message queued in one language renders in it whenever it is sent.
_env.globals["words"] = {
    "en": {"offer": "offer", "profile": "profile", "sales": "sales-qualified", "marketing": "marketing-qualified"},
    "it": {"offer": "offerta", "profile": "profilo", "sales": "qualificato dalle vendite",
           "marketing": "qualificato dal marketing", "(unnamed customer)": "(cliente senza nome)"},
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(template: str, language: str, context: dict[str, Any]) -> Rendered:
    language = language if language in LANGUAGES else "en"
    part = lambda name: _env.get_template(f"{template}/{language}/{name}").render(**context)  # noqa: E731
    return Rendered(" ".join(part("subject.txt").split()), part("body.txt"), part("body.html"))


def _lead_summary(lead: Lead, base_url: str) -> dict[str, Any]:
    customer = visible_customer(lead)
    name = " ".join(p for p in (customer.first_name, customer.last_name) if p)
    return {
        "lead_id": lead.id,
        "company": customer.company or name or "(unnamed customer)",
        "contact": name,
        "offer": lead.origin.offer_title,
        "kind": lead.origin.type.value if lead.origin.type else lead.origin.qualification.value,
        "hot": lead.asked_for_contact,
        "message": (lead.message or "")[:500],
        "url": f"{base_url.rstrip('/')}/leads/{lead.id}",
    }


def new_lead_context(lead: Lead, base_url: str) -> dict[str, Any]:
    return {"lead": _lead_summary(lead, base_url)}


def digest_context(items: list[dict[str, Any]], day: str, base_url: str) -> dict[str, Any]:
    return {"leads": items, "count": len(items), "day": day, "leads_url": f"{base_url.rstrip('/')}/leads"}


def lead_declined_context(lead: Lead, partner_name: str, base_url: str) -> dict[str, Any]:
    """For the customer: no partner notes, only an invitation to choose another partner."""
    customer = lead.customer
    need = " ".join((lead.message or "").split()[:8])
    search = f"{base_url.rstrip('/')}/directory"
    if customer.country:
        search += f"?country={customer.country}"
    return {"first_name": customer.first_name or "", "partner_name": partner_name, "need": need,
            "directory_url": search}


def lead_expired_context(lead_id: str, partner_name: str, company: str | None, created_at: datetime,
                         kind: str) -> dict[str, Any]:
    """The expiry email's facts, from plain values: the sweep builds a batch of them from its UPDATE's rows."""
    return {"lead_id": lead_id, "partner_name": partner_name, "company": company or "",
            "created_at": created_at.strftime("%Y-%m-%d"), "kind": kind}


def signin_alert_context(email: str, address: str, failures: int, at: datetime, base_url: str) -> dict[str, Any]:
    """A sign-in from an address new to the account, right after many wrong passwords for it."""
    return {"email": email, "address": address, "failures": failures, "at": at.strftime("%Y-%m-%d %H:%M UTC"),
            "signin_url": f"{base_url.rstrip('/')}/signin"}


def password_reset_context(email: str, base_url: str, token: str, valid_minutes: int) -> dict[str, Any]:
    """The one-time link carries the token in clear: the outbox row holds it until the link expires or is used
    (anyone who can read that table could set the password directly anyway)."""
    return {"email": email, "reset_url": f"{base_url.rstrip('/')}/password/reset/{token}",
            "valid_minutes": valid_minutes}


def invitation_context(email: str, partner_name: str, inviter: str, base_url: str, token: str,
                       valid_days: int) -> dict[str, Any]:
    """An invitation to join a partner's team. Like a reset link, the token is in the outbox row's context until
    the link is used, revoked or expires."""
    return {"email": email, "partner_name": partner_name, "inviter": inviter, "valid_days": valid_days,
            "invite_url": f"{base_url.rstrip('/')}/invite/{token}"}


def invitation_existing_context(email: str, partner_name: str, inviter: str, base_url: str) -> dict[str, Any]:
    """Someone invited an address that already has an account (in another workspace): it is told, the inviter
    is not."""
    return {"email": email, "partner_name": partner_name, "inviter": inviter,
            "signin_url": f"{base_url.rstrip('/')}/signin"}


def webhook_disabled_context(url: str, failing_since: datetime | None, base_url: str) -> dict[str, Any]:
    """An endpoint that failed for three days was disabled: which one, since when, where to manage it."""
    return {"url": url, "since": failing_since.strftime("%Y-%m-%d %H:%M UTC") if failing_since else "",
            "webhooks_url": f"{base_url.rstrip('/')}/webhooks"}
