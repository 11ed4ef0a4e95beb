"""The quality model's factors in words, each with the direction it moves the chance.

A factor is stored by its feature name and its effect (`{"feature": "email=invalid", "effect": "lowers"}`), so
its words can be shown in the reader's language and improved later; these English words are the API's. Leads
scored before factors were signed hold plain English phrases: they are read back with no effect.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from referrals.domain.vocab import CompanySize, Industry


class Effect(StrEnum):
    RAISES = "raises"
    LOWERS = "lowers"


@dataclass(frozen=True)
class Factor:
    """One reason behind a lead's quality: `text` in English, `effect` None only for unsigned stored phrases."""

    text: str
    effect: Effect | None = None
    feature: str = ""  # the model's feature name; "" for a stored phrase no feature describes

    def __str__(self) -> str:
        return self.text


def factor(feature: str, contribution: float) -> Factor:
    """A feature and its contribution in log-odds, relative to a typical lead."""
    return Factor(describe(feature), Effect.RAISES if contribution > 0 else Effect.LOWERS, feature)


def stored_factor(factor: Factor) -> dict[str, str] | str:
    if factor.feature and factor.effect is not None:
        return {"feature": factor.feature, "effect": factor.effect.value}
    return factor.text


def read_factor(value: Any) -> Factor:
    """A stored factor: the signed form, or a phrase stored before factors were signed."""
    if isinstance(value, dict):
        feature = str(value.get("feature", ""))
        effect = value.get("effect")
        return Factor(describe(feature), Effect(effect) if effect in _EFFECTS else None, feature)
    text = str(value)
    feature = _BY_WORDS.get(text, "")
    if not feature and text.startswith("customer in ") and len(text) == 14:
        feature = f"country={text[-2:]}"
    return Factor(text, None, feature)


_CHANNEL_WORDS = {
    "sales": "sales-qualified lead",
    "marketing": "marketing-qualified lead",
    "profile": "found the partner in the directory",
    "offer_contact_me": "customer asked to be contacted",
    "offer_free_trial": "free trial sign-up",
    "offer_test_drive": "test drive",
    "offer_get_it_now": "get-it-now download",
}
_SOURCE_WORDS = {
    "appsource": "from AppSource",
    "azure_marketplace": "from Azure Marketplace",
    "azure_portal": "from the Azure portal",
}
WORDS = {
    **{f"channel={k}": v for k, v in _CHANNEL_WORDS.items()},
    **{f"source={k}": v for k, v in _SOURCE_WORDS.items()},
    "email=valid": "email valid",
    "email=invalid": "email invalid",
    "email=spam": "email flagged as spam",
    "email=unknown": "email not verified",
    "phone=valid": "phone valid",
    "phone=invalid": "phone invalid",
    "phone=unknown": "no checkable phone",
    "mail=company": "company email domain",
    "mail=free": "free-mail address",
    "mail=none": "no usable email",
    "msg=empty": "no message",
    "msg=short": "very short message",
    "msg=medium": "message of some substance",
    "msg=long": "detailed message",
    "role_account": "role account (info@, sales@...)",
    "domain_matches_company": "email domain matches the company",
    "msg_buying": "message mentions budget, users or timeline",
    "msg_buying_many": "message full of buying details",
    "msg_spamwords": "spam words in the message",
    "msg_links": "links in the message",
    "msg_caps": "message in capitals",
    "seniority=owner": "owner or founder",
    "seniority=c_level": "C-level title (CEO, CFO, CIO...)",
    "seniority=vp": "vice president",
    "seniority=director": "director or head of department",
    "seniority=manager": "manager",
    "seniority=individual": "individual contributor",
    "seniority=student": "student or intern",
    "seniority=none": "no job title",
    "function=finance": "works in finance",
    "function=it": "works in IT",
    "function=procurement": "works in procurement",
    "function=sales": "works in sales",
    "function=marketing": "works in marketing",
    "function=operations": "works in operations",
    "function=hr": "works in HR",
    "function=legal": "works in legal",
    "function=executive": "general management",
    "function=other": "job function not recognised",
    # job titles before seniority and function were told apart: still read back from stored factors
    "title=senior": "senior job title",
    "title=student": "student or intern",
    "title=none": "no job title",
    "title=other": "job title given",
    "company_missing": "no company name",
    "company_is_person": "company name is a person's name",
    "name_missing": "contact name incomplete",
    "spam": "spam flag",
    "partner": "this partner's past outcomes",
    "country=none": "no country",
    "size=unknown": "company size not given",
    "industry=unknown": "industry not given",
}
# Groups whose value is shown in words of its own: the value's words fill the pattern ("customer in IT").
PATTERNS = {
    "country": "customer in %(value)s",
    "size": "company size: %(value)s",
    "industry": "industry: %(value)s",
}
# Values the domain names itself (as the pages' labels do); country codes are named by the pages.
_VALUE_WORDS = {
    "size": {
        CompanySize.MICRO: "1-9 employees", CompanySize.SMALL: "10-49 employees",
        CompanySize.MEDIUM: "50-249 employees", CompanySize.LARGE: "250-999 employees",
        CompanySize.ENTERPRISE: "1,000-4,999 employees", CompanySize.GLOBAL: "5,000 or more employees",
    },
    "industry": {i.value: i.value.replace("_", " ") for i in Industry},
}


def describe(name: str) -> str:
    """A feature in plain words, for the "main factors" shown with the quality label."""
    if name in WORDS:
        return WORDS[name]
    key, _, value = name.partition("=")
    if key in PATTERNS and value:
        return PATTERNS[key] % {"value": _VALUE_WORDS.get(key, {}).get(value, value)}
    if key == "channel":
        return f"lead kind {value}"
    if key == "source":
        return f"source {value}"
    return name.replace("_", " ")


def named_features() -> Iterator[str]:
    """Every feature the words above describe (country features stand for one example, "country=IT")."""
    yield from WORDS
    yield "country=IT"
    for key, values in _VALUE_WORDS.items():
        yield from (f"{key}={value}" for value in values)


_EFFECTS = frozenset(e.value for e in Effect)
_BY_WORDS = {describe(name): name for name in named_features()}
