"""A person spread over everything the product keeps, for the personal-data tests: Ottavia Zanardelli, a customer
of two partners (a Contact me lead accepted with her name in the deal, a profile lead declined with her name in the
notes — her decline email still waiting — a marketplace lead with its raw payload, an expired lead), listed as a
customer contact on another customer's deal, searched for by a saved view, on the block list, in new-lead emails and
a digest, and in the program's webhook deliveries. Built through the services, as the product would."""

import warnings
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, MetaData, select

from referrals.domain.deal import CustomerContact
from referrals.domain.enums import Outcome, Reason, Role
from referrals.services import blocklist, lifecycle, views, webhooks
from referrals.services.digests import send_due_digests
from referrals.services.inbound import receive_marketplace
from referrals.services.sweep import sweep
from tests import factories
from tests.factories import NOW

FIRST, LAST = "Ottavia", "Zanardelli"
EMAIL = "Ottavia.Zanardelli@Fabrikam.it"
PHONE = "+39 02 9876 5432"
PHONE_DIGITS = "390298765432"
# What must be found nowhere after the erasure (lower case; the phone as written and as digits).
TRACES = (EMAIL.lower(), FIRST.lower(), LAST.lower(), PHONE, PHONE_DIGITS, "via roma 12")
OTHER_EMAIL = "giulia.rossi@fabrikam.it"  # another customer of the same company, who stays


@dataclass(frozen=True)
class PersonWorld:
    a: factories.Tenant
    b: factories.Tenant
    program_admin: object
    accepted_id: str  # partner A, Contact me, accepted
    declined_id: str  # partner A, profile, declined (the customer's email pending)
    marketplace_id: str  # partner B, from the marketplace endpoint
    expired_id: str  # partner B, expired
    listing_id: str  # partner A, another customer's lead with Ottavia among the deal's contacts


def person(**overrides) -> dict:
    return {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "phone": PHONE, "title": "Head of IT",
            **overrides}


def build(engine: Engine, a: factories.Tenant | None = None, b: factories.Tenant | None = None) -> PersonWorld:
    a = a or factories.add_tenant(engine, "Contoso Consulting")
    b = b or factories.add_tenant(engine, "Northwind Partners")
    admin = factories.add_principal(engine, None, Role.PROGRAM_ADMIN)
    webhooks.create_webhook(engine, admin, "https://hooks.example.com/crm", ["*"], now=NOW, allow_hosts=[])
    other = factories.ingest(engine, factories.CONTACT_ME, a.partner_id, customer={"email": OTHER_EMAIL})
    message = f"Hello, {FIRST} here: call me on {PHONE}. We are moving to Via Roma 12."  # no address: found by id
    accepted = factories.ingest(engine, factories.CONTACT_ME, a.partner_id, customer=person(), message=message)
    lifecycle.accept_lead(engine, a.admin, accepted.id, factories.deal_terms(
        team=(a.admin.user_id,), name=f"{LAST} CRM rollout", notes=f"{FIRST} wants a pilot first",
        customer_contacts=(CustomerContact("Marco", "Bianchi", "marco.bianchi@fabrikam.it"),)), now=NOW)
    declined = factories.ingest(engine, factories.PROFILE, a.partner_id, customer=person(), message=message)
    lifecycle.decline_lead(engine, a.admin, declined.id, Reason.OTHER,
                           f"Spoke to {FIRST} {LAST} on {PHONE}: not now.", now=NOW)
    payload = {"UserDetails": {"FirstName": FIRST, "LastName": LAST, "Email": EMAIL.upper(), "Phone": PHONE,
                               "Country": "Italy", "Company": "Fabrikam Srl", "Title": "Head of IT"},
               "LeadSource": "AzureMarketplace-PLT|publisher.offer", "ActionCode": "PLT",
               "OfferTitle": "Contoso CRM", "Description": message}
    marketplace = receive_marketplace(engine, b.inbound_key, payload, now=NOW).lead
    expired = factories.ingest(engine, factories.CONTACT_ME, b.partner_id, customer=person(), message=message,
                               now=NOW - timedelta(days=20))
    sweep(engine, now=NOW)
    lifecycle.accept_lead(engine, a.admin, other.id, factories.deal_terms(
        team=(a.admin.user_id,), customer_contacts=(CustomerContact(FIRST, LAST, EMAIL.lower(), PHONE),)), now=NOW)
    views.save_view(engine, a.admin, "Ottavia", {"q": EMAIL.lower()}, False, now=NOW)
    blocklist.add_entry(engine, EMAIL, reason="asked not to be contacted", now=NOW)
    send_due_digests(engine, now=NOW + timedelta(days=1))  # the held new-lead emails leave as a digest
    return PersonWorld(a, b, admin, accepted.id, declined.id, marketplace.id, expired.id, other.id)


def close_won(engine: Engine, world: PersonWorld) -> None:
    lifecycle.close_lead(engine, world.a.admin, world.accepted_id, Outcome.WON, None, "", now=NOW)


def traces_in(text: str) -> list[str]:
    folded = text.lower()
    return [trace for trace in TRACES if trace.lower() in folded]


def every_text(engine: Engine) -> dict[str, list[str]]:
    """Every value of every column of every table (reflected from the database, so tables added later count),
    as text: {"table.column": [values]}."""
    reflected = MetaData()
    with warnings.catch_warnings():  # expression indexes are not reflected: only the columns matter here
        warnings.simplefilter("ignore")
        reflected.reflect(engine)
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table in reflected.sorted_tables:
            for row in conn.execute(select(table)).all():
                for name, value in row._mapping.items():
                    if value is not None:
                        found.setdefault(f"{table.name}.{name}", []).append(
                            value.decode("latin-1") if isinstance(value, bytes) else str(value))
    return found


def places_holding_traces(engine: Engine) -> dict[str, list[str]]:
    return {place: sorted({t for v in values for t in traces_in(v)})
            for place, values in every_text(engine).items() if any(traces_in(v) for v in values)}

