"""What the lead list's search (`q`) looks in, and how a typed term is read.

Each lead keeps one folded search text (lower case, no accents), written with the lead by the code that stores it
(store/leadrows.py) and refreshed by every change that touches what it holds: the company, the deal name and the
external id, then — after `WITHHELD` — the contact's names, email and phone digits, which an expired lead withholds
(its text ends at `WITHHELD`, so nobody finds it by them). A term matches when it is a part of that text, folded the
same way; a term written like a phone number also matches by its digits alone, so `02 4567 8910` and `0245678910`
both find `+39 02 4567 8910`. A whole lead id matches its lead.
"""

import re

from referrals.domain.text import fold

FIELD = "\x1f"  # between two fields: a term holds no control characters, so a match never spans two
WITHHELD = "\x1e"  # before the contact details an expired lead withholds

_PHONE_LIKE = re.compile(r"[+(]?[0-9][0-9 ()./\-]*")
_NOT_DIGIT = re.compile(r"[^0-9]")
_LEAD_ID = re.compile(r"[0-9a-hjkmnp-tv-z]{26}")  # store/ids.py: Crockford's base32, lower case


def digits(phone: str) -> str:
    return _NOT_DIGIT.sub("", phone)


def search_text(*, company: str | None, deal_name: str | None, external_id: str | None,
                names: str | None, email: str | None, phone: str | None) -> str:
    """The folded text a lead is searched by. Withheld contact details are None (`lead.visible_customer`)."""
    shown = FIELD.join(fold(part or "") for part in (company, deal_name, external_id))
    contact = FIELD.join(part for part in (fold(names or ""), fold(email or ""), digits(phone or "")) if part)
    return shown + WITHHELD + contact


def patterns(term: str) -> tuple[str, ...]:
    """The parts of a search text a term asks for: the folded term, and its digits when it is written like a phone
    number (digits with spaces, dashes, dots, brackets or a leading `+`) and they differ."""
    term = term.strip()
    if not term:
        return ()
    found = [fold(term)]
    if _PHONE_LIKE.fullmatch(term) and (number := digits(term)) != found[0]:
        found.append(number)
    return tuple(found)


def lead_id(term: str) -> str | None:
    """The lead id a term names, when it is shaped like one (any case)."""
    candidate = term.strip().lower()
    return candidate if _LEAD_ID.fullmatch(candidate) else None
