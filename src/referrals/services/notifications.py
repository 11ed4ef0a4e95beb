"""What a lead's arrival or change tells people: emails queued in the outbox within the same transaction
as the change, and held digest items (PRODUCT.md section 5)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection

from referrals import emails
from referrals.config import get_settings
from referrals.domain.checks import is_email_syntax
from referrals.domain.enums import Action, EmailValidity, Qualification, ReferrerKind
from referrals.domain.history import HistoryEntry
from referrals.domain.lead import Lead
from referrals.domain.notify import (
    Person,
    customer_language,
    emails_new_lead,
    goes_in_digest,
    local_day,
    new_lead_recipients,
    referrer_of,
)
from referrals.domain.webhooks import event_for
from referrals.services import webhook_events
from referrals.store import digests, partners, people, users
from referrals.store.outbox import enqueue, enqueue_many, message


def _location_contact(conn: Connection, lead: Lead, language: str) -> Person | None:
    address = partners.location_contact_email(conn, lead.partner_id, lead.location_id)
    return Person(address, language) if address else None


def _new_lead_people(conn: Connection, lead: Lead, cache: dict) -> tuple[Any, list[Person]]:
    """The lead's partner row and who hears about the lead: its owner alone (the partner's other people are not even
    looked up), else the partner's people as `new_lead_recipients` routes them. `cache` keeps each partner's (and
    location's) people for the rest of a batch."""
    owner = people.recipient(conn, lead.owner_id) if lead.owner_id else None
    if owner is not None:
        partner = cache.get(("partner", lead.partner_id)) or partners.load(conn, lead.partner_id)
        cache[("partner", lead.partner_id)] = partner
        return partner, new_lead_recipients(lead, admins=[], location_contact=None, partner_preferred=None,
                                            owner=owner)
    if lead.partner_id not in cache:
        cache[lead.partner_id] = (partners.load(conn, lead.partner_id), users.referrals_admins(conn, lead.partner_id))
    partner, admins = cache[lead.partner_id]
    place = (lead.partner_id, lead.location_id)
    if place not in cache:
        cache[place] = _location_contact(conn, lead, admins[0].language if admins else "en")
    return partner, new_lead_recipients(lead, admins=admins, location_contact=cache[place],
                                        partner_preferred=partner.notification_email)


def on_lead_received(conn: Connection, lead: Lead, now: datetime, cache: dict | None = None) -> None:
    """Email the new lead to its recipients, or hold it for their digest. The bulk path passes a `cache`
    so each partner's people are looked up once per batch, not once per lead."""
    webhook_events.on_lead_event(conn, lead, "lead.created", now, cache)
    if not emails_new_lead(lead):
        return
    settings = get_settings()
    partner, recipients = _new_lead_people(conn, lead, {} if cache is None else cache)
    context = emails.new_lead_context(lead, settings.base_url)
    day = local_day(now, partner.timezone)
    for person in recipients:
        count = digests.count_new_lead_email(conn, person.address.lower(), day)
        if goes_in_digest(count, settings.digest_threshold, person.new_lead_emails):
            digests.hold(conn, recipient=person.address.lower(), day=day, lead_id=lead.id,
                         partner_id=lead.partner_id, timezone=partner.timezone, language=person.language,
                         context=context["lead"])
        else:
            enqueue(conn, message(key=f"new_lead:{lead.id}:{person.address.lower()}", template="new_lead",
                                  recipient=person.address, language=person.language, context=context, now=now,
                                  partner_id=lead.partner_id))


def on_transition(conn: Connection, lead: Lead, entry: HistoryEntry) -> None:
    if entry.action is not Action.EXPIRED and (event := event_for(entry.action)):  # expiry: in on_expired_rows
        webhook_events.on_lead_event(conn, lead, event, entry.at)
    if entry.action is Action.DECLINED:
        _tell_customer_declined(conn, lead, entry.at)
    elif entry.action is Action.EXPIRED:
        on_expired(conn, [lead], entry.at)
    elif entry.action is Action.ASSIGNED and lead.owner_id and lead.owner_id != entry.actor.user_id:
        _tell_new_owner(conn, lead, entry)


def _tell_new_owner(conn: Connection, lead: Lead, entry: HistoryEntry) -> None:
    """"Assigned to you", in the owner's language at their notification address (not when they took it)."""
    owner = people.recipient(conn, lead.owner_id)  # type: ignore[arg-type]
    if owner is None:
        return
    context = {**emails.new_lead_context(lead, get_settings().base_url), "by": entry.actor.label}
    enqueue(conn, message(key=f"assigned:{lead.id}:{entry.version}:{owner.address.lower()}",
                          template="lead_assigned", recipient=owner.address, language=owner.language,
                          context=context, now=entry.at, partner_id=lead.partner_id))


def on_expiring_soon(conn: Connection, lead: Lead, now: datetime, cache: dict | None = None) -> None:
    """The reminder 48 hours before a received lead expires, to the people the new-lead email goes to (its owner
    alone, when it has one). Whoever chose no new-lead emails gets no reminder either."""
    _, recipients = _new_lead_people(conn, lead, {} if cache is None else cache)
    context = {**emails.new_lead_context(lead, get_settings().base_url),
               "due": lead.response_due_at.strftime("%Y-%m-%d %H:%M") if lead.response_due_at else ""}
    for person in recipients:
        enqueue(conn, message(key=f"expiring:{lead.id}:{person.address.lower()}", template="lead_expiring",
                              recipient=person.address, language=person.language, context=context, now=now,
                              partner_id=lead.partner_id))


def on_team_at_capacity(conn: Connection, lead: Lead, cap: int, now: datetime) -> None:
    """A new lead nobody could take (every member of its location's rule at capacity): tell the admins."""
    settings = get_settings()
    place = partners.location_label(conn, lead.partner_id, lead.location_id)
    context = {**emails.new_lead_context(lead, settings.base_url), "cap": cap, "location": place}
    for person in users.referrals_admins(conn, lead.partner_id):
        enqueue(conn, message(key=f"capacity:{lead.id}:{person.address.lower()}", template="team_at_capacity",
                              recipient=person.address, language=person.language, context=context, now=now,
                              partner_id=lead.partner_id))


def _tell_customer_declined(conn: Connection, lead: Lead, now: datetime) -> None:
    email = lead.customer.email or ""
    if not email or lead.screening.email_validity in (EmailValidity.INVALID, EmailValidity.SPAM):
        return
    if not is_email_syntax(email):
        return
    settings = get_settings()
    partner = partners.load(conn, lead.partner_id)
    enqueue(conn, message(key=f"declined:{lead.id}:{email.lower()}", template="lead_declined", recipient=email,
                          language=customer_language(lead.customer.country),
                          context=emails.lead_declined_context(lead, partner.name, settings.base_url), now=now,
                          partner_id=lead.partner_id))


class Expired(NamedTuple):
    """What an expiry email needs from a lead: these `leads` columns, which the sweep's UPDATE returns."""

    id: str
    partner_id: str
    informational: bool
    qualification: str
    type: str | None
    referrer_kind: str
    referrer_email: str
    customer_company: str
    created_at: datetime


def on_expired(conn: Connection, expired: list[Lead], now: datetime) -> None:
    """Tell each expired lead's referrer."""
    on_expired_rows(conn, [
        Expired(lead.id, lead.partner_id, lead.informational, lead.origin.qualification.value,
                lead.origin.type and lead.origin.type.value, lead.origin.referrer_kind.value,
                lead.origin.referrer_email, lead.customer.company, lead.created_at)
        for lead in expired
    ], now)


def on_expired_rows(conn: Connection, expired: Sequence[Any], now: datetime) -> None:
    """The set-based path: plain rows with the fields of `Expired` (a whole sweep batch), no Lead objects.
    The recipient depends on the referrer alone, so the domain picks it once per distinct referrer."""
    settings = get_settings()
    waiting = [row for row in expired if not row.informational]
    partner_ids = sorted({row.partner_id for row in waiting})
    names = partners.names(conn, partner_ids)
    referrers: dict[tuple, Person | None] = {}
    queued = []
    for row in waiting:
        referrer = (row.referrer_kind, row.referrer_email, row.qualification)
        if referrer not in referrers:  # the recipient depends on these alone: decided once per referrer
            referrers[referrer] = referrer_of(ReferrerKind(row.referrer_kind), row.referrer_email,
                                              Qualification(row.qualification), settings.operations_email)
        if (person := referrers[referrer]) is None:
            continue
        context = emails.lead_expired_context(row.id, names.get(row.partner_id, ""), row.customer_company,
                                              row.created_at, row.type or row.qualification)
        queued.append((f"expired:{row.id}:{person.address.lower()}", person.address, person.language, context,
                       row.partner_id))
    enqueue_many(conn, "lead_expired", now, queued)
    webhook_events.on_expired_rows(conn, expired, now)
