"""Personal data: who a customer is in the records, what erasing them removes, and what it keeps (docs/privacy.md).

A customer is found by their email address, compared case-insensitively in the forms the product stores (the
address as given, its domain in Unicode or in ASCII). Erasing a lead blanks the person (names, job title, email,
phone, the message, the marketplace's raw payload, the deal's customer contacts) and keeps the facts insights and
the quality model count (company, country, size, industry, source, status, outcome, dates, money). The company
goes too when it is the person's own name. Free text the partner wrote (deal name, notes, history details,
emails, webhook bodies) keeps its words, with the person's identifiers replaced by `ERASED`.
"""

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from referrals.domain import lead_search
from referrals.domain.errors import InvalidInput
from referrals.domain.lead import withholds_contact
from referrals.domain.text import fold

ERASED = "[erased]"
MARKETPLACE_PREFIX = "mkt:"  # services/inbound.py: a marketplace lead's external id is its payload's fingerprint
MAX_ADDRESS = 320


def address_forms(address: str) -> frozenset[str]:
    """The lower-case forms an address may be stored in: as given, and with its domain in Unicode and in ASCII
    (IDNA). Refuses what is not an address at all, naming the problem."""
    text = unicodedata.normalize("NFC", (address or "").strip())
    if not text or "@" not in text or len(text) > MAX_ADDRESS or any(c.isspace() for c in text):
        raise InvalidInput(f"{address!r} is not an email address", fields={"email": "is not an email address"})
    local, _, domain = text.rpartition("@")
    if not local or not domain:
        raise InvalidInput(f"{address!r} is not an email address", fields={"email": "is not an email address"})
    forms = {text.lower(), f"{local.lower()}@{domain.lower()}"}
    try:
        forms.add(f"{local.lower()}@{domain.encode('idna').decode('ascii').lower()}")
        forms.add(f"{local.lower()}@{domain.encode('ascii').decode('idna').lower()}")
    except (UnicodeError, ValueError):
        pass  # a domain IDNA cannot convert: the given form is the only one
    return frozenset(forms)


def address_hash(address: str, salt: str | None = None) -> tuple[str, str]:
    """(salt, SHA-256 of salt + the address's canonical form): an erasure's record holds this, never the address, so
    an operator who is given the address again can tell it was erased, and nobody can read it back."""
    salt = salt or secrets.token_hex(16)
    canonical = min(address_forms(address))
    return salt, hashlib.sha256(f"{salt}:{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Identifiers:
    """What names the person in free text: their addresses, names and phone numbers (each at least two
    characters; a name only as a whole word)."""

    addresses: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    def merged(self, other: "Identifiers") -> "Identifiers":
        return Identifiers(self.addresses | other.addresses, self.names | other.names, self.phones | other.phones)

    @cached_property
    def tokens(self) -> tuple[str, ...]:
        """Every identifier in lower case: a text holding none of them needs no regular expression."""
        return tuple(t.lower() for t in (*self.addresses, *self.phones, *self.names) if len(t) >= 2)

    @cached_property
    def pattern(self) -> re.Pattern | None:
        words = [re.escape(a) for a in sorted(self.addresses | self.phones, key=len, reverse=True) if len(a) >= 2]
        names = [rf"(?<!\w){re.escape(n)}(?!\w)" for n in sorted(self.names, key=len, reverse=True) if len(n) >= 2]
        parts = words + names
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def identifiers_of(*, email: str = "", first_name: str = "", last_name: str = "", phone: str = "",
                   extra_addresses: Iterable[str] = ()) -> Identifiers:
    """The identifiers of one customer record (a lead's customer, or a deal's customer contact)."""
    addresses = {a.strip().lower() for a in (email, *extra_addresses) if a and a.strip()}
    full = " ".join(p.strip() for p in (first_name, last_name) if p and p.strip())
    names = {n for n in (first_name.strip(), last_name.strip(), full) if n}
    phones = {phone.strip()} if phone and phone.strip() else set()
    return Identifiers(frozenset(addresses), frozenset(names), frozenset(phones))


def redact(value: Any, who: Identifiers) -> Any:
    """`value` (text, or a JSON document of lists and objects) with every identifier of `who` replaced by ERASED."""
    return _redact(value, who) if who.tokens else value


def _redact(value: Any, who: Identifiers) -> Any:
    if isinstance(value, str):
        lowered = value.lower()
        if not any(token in lowered for token in who.tokens):  # the usual case, and no regex compiled for it
            return value
        return who.pattern.sub(ERASED, value)  # type: ignore[union-attr]
    if isinstance(value, dict):
        return {key: _redact(item, who) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(item, who) for item in value]
    return value


_CUSTOMER_FIELDS = ("first_name", "last_name", "title", "email", "phone")


def forget_lead_summaries(value: Any, lead_ids: Collection[str]) -> Any:
    """A stored email context or webhook body with the summaries of the person's leads (an object whose `lead_id`
    or `id` is one of `lead_ids`) stripped of the customer: their message, contact name and customer fields."""
    if isinstance(value, list):
        return [forget_lead_summaries(item, lead_ids) for item in value]
    if not isinstance(value, dict):
        return value
    forgotten = {key: forget_lead_summaries(item, lead_ids) for key, item in value.items()}
    if forgotten.get("lead_id") in lead_ids or forgotten.get("id") in lead_ids:
        for key in ("message", "contact", "need"):
            if isinstance(forgotten.get(key), str):
                forgotten[key] = ""
        if isinstance(forgotten.get("customer"), dict):
            forgotten["customer"] = {k: ("" if k in _CUSTOMER_FIELDS and v else v)
                                     for k, v in forgotten["customer"].items()}
    return forgotten


def company_is_person(company: str, who: Identifiers) -> bool:
    """A sole trader's company is their own name (or address): then it is personal data too."""
    folded = fold(company or "")
    if not folded.strip():
        return False
    if any(a in folded for a in who.addresses):
        return True
    full = [fold(n) for n in who.names if " " in n]
    return any(name and name in folded for name in full)


def erased_lead(row: Any, who: Identifiers, now: datetime) -> dict[str, Any]:
    """The new values of one lead's personal columns, from its row (the `leads` columns of `PERSONAL_COLUMNS`):
    the person blanked, the partner's free text redacted, customer key and search text rebuilt from what remains."""
    who = who.merged(identifiers_of(email=row.customer_email, first_name=row.customer_first_name,
                                    last_name=row.customer_last_name, phone=row.customer_phone))
    company = "" if company_is_person(row.customer_company, who) else row.customer_company
    deal_name = redact(row.deal_name, who)
    external_id = None if (row.external_id or "").startswith(MARKETPLACE_PREFIX) else row.external_id
    return {
        "customer_company": company, "customer_first_name": "", "customer_last_name": "", "customer_title": "",
        "customer_email": "", "customer_phone": "", "message": "", "raw_payload": None,
        "deal_contacts": [] if row.deal_contacts is not None else None,
        "deal_name": deal_name, "deal_notes": redact(row.deal_notes, who),
        "closing_notes": redact(row.closing_notes, who), "spam_reasons": redact(list(row.spam_reasons or []), who),
        "external_id": external_id,
        "customer_key": fold(f"{company}{KEY_SEPARATOR}")[:1000],
        "search_text": lead_search.search_text(company=company, deal_name=deal_name, external_id=external_id,
                                               names=None, email=None, phone=None),
        "erased_at": now, "updated_at": now,  # a change the compatible endpoint's updatedDateTime shows
    }


KEY_SEPARATOR = " | "  # store/leadrows.py: customer_key's separator between company and names

PERSONAL_COLUMNS = ("partner_id", "id", "customer_company", "customer_first_name", "customer_last_name",
                    "customer_email", "customer_phone", "deal_name", "deal_notes", "closing_notes", "deal_contacts",
                    "spam_reasons", "external_id", "outcome")


def without_contact_lead(row: Any, who: Identifiers, now: datetime) -> dict[str, Any]:
    """The new values of a lead that is not the person's but lists them among its deal's customer contacts: that
    contact removed, the partner's free text redacted, the search text rebuilt (its customer's contacts still
    withheld when the lead expired)."""
    contacts, _ = without_contact(row.deal_contacts, who.addresses)
    deal_name = redact(row.deal_name, who)
    shown = not withholds_contact(row.outcome)
    names = " ".join(p for p in (row.customer_first_name, row.customer_last_name) if p) if shown else None
    return {
        "deal_contacts": contacts, "deal_name": deal_name, "deal_notes": redact(row.deal_notes, who),
        "closing_notes": redact(row.closing_notes, who),
        "search_text": lead_search.search_text(
            company=row.customer_company, deal_name=deal_name, external_id=row.external_id, names=names,
            email=row.customer_email if shown else None, phone=row.customer_phone if shown else None),
        "updated_at": now,
    }


def without_contact(contacts: list[dict] | None, addresses: frozenset[str]) -> tuple[list[dict] | None, int]:
    """A deal's customer contacts without those at one of `addresses`; answers them and how many went."""
    if not contacts:
        return contacts, 0
    kept = [c for c in contacts if (c.get("email") or "").strip().lower() not in addresses]
    return kept, len(contacts) - len(kept)


def contact_identifiers(contacts: list[dict] | None, addresses: frozenset[str]) -> Identifiers:
    """The identifiers of the deal contacts at one of `addresses` (their names and phones name them elsewhere)."""
    found = Identifiers()
    for c in contacts or ():
        if (c.get("email") or "").strip().lower() in addresses:
            found = found.merged(identifiers_of(email=c.get("email", ""), first_name=c.get("first_name", ""),
                                                last_name=c.get("last_name", ""), phone=c.get("phone", "")))
    return found


def retention_cutoff(now: datetime, months: int) -> datetime:
    """The moment `months` calendar months before `now` (the 31st of a shorter month is its last day): leads archived
    before it are anonymised by retention."""
    if months < 1:
        raise InvalidInput("The retention period is a whole number of months, at least 1.",
                           fields={"retention_months": "must be at least 1"})
    total = now.year * 12 + now.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    days = (datetime(year + month // 12, month % 12 + 1, 1) - datetime(year, month, 1)).days
    return now.replace(year=year, month=month, day=min(now.day, days))
