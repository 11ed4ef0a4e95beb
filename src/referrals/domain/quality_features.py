"""What the quality model may know about a lead: only what was known when it arrived.

Each lead becomes a few named features ("channel=sales", "mail=company", "msg_buying"), most of them
one-hot within a group (the text before "="). Names are stable: trained weights are stored by name.
"""

import re
import string
from dataclasses import dataclass
from functools import lru_cache

from referrals.domain.enums import EmailValidity, LeadType, PhoneValidity, Qualification
from referrals.domain.lead import Customer, Origin
from referrals.domain.quality_titles import title_features
from referrals.domain.text import fold
from referrals.domain.validity import FREE_MAIL_DOMAINS, ROLE_LOCAL_PARTS, spam_word_count


@dataclass(frozen=True)
class LeadFacts:
    """The lead as the model sees it: origin, customer, message and the contact verdicts."""

    origin: Origin
    customer: Customer
    message: str
    email_validity: EmailValidity
    phone_validity: PhoneValidity
    spam: bool


BUYING_WORDS = re.compile(
    r"\b(budget|licen[cs]es?|seats?|users|employees|quote|quotation|pricing|price|proposal|implement\w*|"
    r"migra\w*|deploy\w*|roll-?out|timeline|deadline|this quarter|next month|q[1-4]|go-?live|integra\w*|"
    r"preventiv\w*|licenze|utenti|dipendenti|prezz\w*|questo trimestre|prossimo mese|tempistic\w*|scadenza)\b|"
    r"[€$£]\s?\d|\d+\s?(?:users|utenti|seats)"
)  # matched against lower-cased text: case-insensitive patterns are three times slower
_COMPANY_NOISE = re.compile(
    r"\b(inc|ltd|llc|gmbh|spa|srl|s\.p\.a|s\.r\.l|sa|ag|bv|plc|co|corp|corporation|company|group|the)\b"
)


def buying_signal_count(message: str) -> int:
    return len(BUYING_WORDS.findall((message or "").lower()))


def channel(origin: Origin) -> str:
    """Qualification, type and call to action folded into one group: they are nested, not independent."""
    if origin.qualification is not Qualification.DIRECT:
        return origin.qualification.value
    if origin.type is LeadType.PROFILE:
        return "profile"
    return f"offer_{origin.call_to_action.value if origin.call_to_action else 'none'}"


def _mail_kind(email: str | None, validity: EmailValidity) -> tuple[str, str]:
    text = (email or "").strip().lower()
    if "@" not in text or validity is EmailValidity.INVALID:
        return "none", ""
    local, _, domain = text.rpartition("@")
    return ("free" if domain in FREE_MAIL_DOMAINS else "company"), domain


def _message_band(message: str) -> str:
    size = len(message.strip())
    if size == 0:
        return "empty"
    if size < 60:
        return "short"
    return "medium" if size < 300 else "long"


def forget_cached_names() -> None:
    """Drop the cached folded names and companies (an erasure calls this: services/screening.py: forget_people)."""
    _fold.cache_clear()
    _squashed_company.cache_clear()


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """Names and companies repeat from lead to lead: folded once, a bounded number of them."""
    return text.lower() if text.isascii() else fold(text)


@lru_cache(maxsize=65536)
def _squashed_company(company: str) -> str:
    words = _COMPANY_NOISE.sub(" ", _fold(company)).split()
    return "".join(ch for ch in "".join(words) if ch.isalnum())


def _domain_matches_company(domain: str, company: str) -> bool:
    name = domain.split(".", 1)[0].replace("-", "")
    squashed = _squashed_company(company)
    return len(name) >= 3 and bool(squashed) and (name in squashed or squashed in name)


_ASCII_UPPER = string.ascii_uppercase.encode()
_ASCII_LOWER = string.ascii_lowercase.encode()


def _in_capitals(message: str) -> bool:
    """Twenty capitals or more, and half as many again as lower-case letters. ASCII text counts them with
    two byte deletions instead of a call per character (in ASCII only A-Z are upper, a-z lower)."""
    if message.isascii():
        raw = message.encode()
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        lower = len(raw) - len(raw.translate(None, _ASCII_LOWER))
    else:
        upper, lower = sum(map(str.isupper, message)), sum(map(str.islower, message))
    return upper >= 20 and upper > 1.5 * lower


def features(facts: LeadFacts) -> dict[str, float]:
    o, c, message = facts.origin, facts.customer, facts.message or ""
    mail, domain = _mail_kind(c.email, facts.email_validity)
    out = {
        f"channel={channel(o)}": 1.0,
        f"source={o.source.value}": 1.0,
        f"country={c.country or 'none'}": 1.0,
        f"size={c.company_size or 'unknown'}": 1.0,
        f"industry={c.industry or 'unknown'}": 1.0,
        f"email={facts.email_validity.value}": 1.0,
        f"phone={facts.phone_validity.value}": 1.0,
        f"mail={mail}": 1.0,
        f"msg={_message_band(message)}": 1.0,
    }
    local = (c.email or "").strip().lower().partition("@")[0].split("+", 1)[0]
    if mail != "none" and local in ROLE_LOCAL_PARTS:
        out["role_account"] = 1.0
    if mail == "company" and _domain_matches_company(domain, c.company or ""):
        out["domain_matches_company"] = 1.0
    buying = buying_signal_count(message)
    if buying:
        out["msg_buying"] = 1.0
    if buying >= 3:
        out["msg_buying_many"] = 1.0
    lowered = message.lower()
    if spam_word_count(lowered):
        out["msg_spamwords"] = 1.0
    if "http" in lowered or "www." in lowered:
        out["msg_links"] = 1.0
    if len(message) >= 20 and _in_capitals(message):
        out["msg_caps"] = 1.0
    for name in title_features(c.title or ""):
        out[name] = 1.0
    company = _fold((c.company or "").strip())
    person = _fold(f"{c.first_name or ''} {c.last_name or ''}".strip())
    if not company:
        out["company_missing"] = 1.0
    elif person and company == person:
        out["company_is_person"] = 1.0
    if not (c.first_name or "").strip() or not (c.last_name or "").strip():
        out["name_missing"] = 1.0
    if facts.spam:
        out["spam"] = 1.0
    return out


def group(name: str) -> str:
    return name.split("=", 1)[0]
