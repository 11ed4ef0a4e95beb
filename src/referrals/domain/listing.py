"""What a partner asks of its lead list: the tab, the filters, the sort and the page.

The lead filter is declared once, in `FILTERS`: each field's name (the query parameter, the JSON key, the
`LeadFilter` attribute and the CLI option), its kind, its allowed values, its meaning and the lead columns it
tests. The API's query models, the pages' form, the CLI's options, the store's WHERE clauses and the docs' table
are all made from it, so a filter added here appears everywhere (or a test says where it does not).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from referrals.domain.checks import collecting, is_country_code
from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    QualityLabel,
    Source,
    Status,
)
from referrals.domain.text import text_problem

MAX_PAGE = 200
DEFAULT_PAGE = 50
MAX_TEXT = 200  # characters of a text filter


class Tab(StrEnum):
    MARKETPLACE = "marketplace"
    QUALIFIED = "qualified"
    FAVORITES = "favorites"


class Sort(StrEnum):
    NEWEST = "-created_at"
    OLDEST = "created_at"
    CUSTOMER = "customer"
    QUALITY = "-quality"
    DEADLINE = "response_due_at"
    VALUE = "-estimated_value"
    # hot leads (newest first), then leads waiting for an answer (nearest deadline first), then the rest (newest
    # first), as they stood when the first page was read (store/urgency.py)
    URGENCY = "urgency"

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


def page_sort(tab: Tab | None) -> Sort:
    """The pages' sort when a view names none: the Marketplace tab most urgent first, the others newest first. The
    API's default stays newest first for every tab."""
    return Sort.URGENCY if tab is Tab.MARKETPLACE else Sort.NEWEST


class FilterKind(StrEnum):
    CHOICE = "choice"  # any of an enumeration's values; repeat the parameter for several
    COUNTRY = "country"  # ISO 3166 alpha-2 codes; repeat for several
    TEXT = "text"  # a part of one folded column (case and accents ignored)
    SEARCH = "search"  # a part of any of several columns, or a whole id
    FLAG = "flag"  # true or false; omitted means either
    OWNER = "owner"  # `me` (the reader), `none` (no owner) or a user id

    @property
    def repeatable(self) -> bool:
        return self in (FilterKind.CHOICE, FilterKind.COUNTRY)


_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


@dataclass(frozen=True)
class FilterField:
    name: str
    kind: FilterKind
    meaning: str
    columns: tuple[str, ...]
    choices: type[StrEnum] | None = None
    actionable_only: bool = False  # informational leads need no answer: a status filter leaves them out

    @property
    def empty(self) -> Any:
        return frozenset() if self.kind.repeatable else (None if self.kind is FilterKind.FLAG else "")

    def is_set(self, value: Any) -> bool:
        return value is not None if self.kind is FilterKind.FLAG else bool(value)

    def allowed(self) -> str:
        """The values it takes, in words (docs, help texts)."""
        if self.choices is not None:
            return ", ".join(member.value for member in self.choices)
        return {FilterKind.COUNTRY: "ISO 3166 alpha-2 codes (`IT`, `DE`, ...)",
                FilterKind.FLAG: "`true` or `false`",
                FilterKind.OWNER: "`me`, `none` or a user id"}.get(self.kind, f"text, at most {MAX_TEXT} characters")

    def parse(self, raw: Sequence[str]) -> Any:
        """The field's value from the strings a URL, a form or a command line gave; ValueError names what is wrong."""
        if self.kind.repeatable:
            return frozenset(self._one(value) for value in raw if value.strip())
        value = raw[-1].strip() if raw else ""
        if self.kind is FilterKind.FLAG:
            if not value:
                return None
            if value.lower() not in _TRUE | _FALSE:
                raise ValueError(f"{value!r} is not true or false")
            return value.lower() in _TRUE
        if self.kind is FilterKind.OWNER:
            return _owner(value)
        if len(value) > MAX_TEXT:
            raise ValueError(f"is longer than {MAX_TEXT} characters")
        if (problem := text_problem(value)) is not None:
            raise ValueError(problem)
        return value

    def _one(self, value: str) -> Any:
        value = value.strip()
        if self.kind is FilterKind.COUNTRY:
            if not is_country_code(value.upper()):
                raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 code")
            return value.upper()
        try:
            return self.choices(value)  # type: ignore[misc]
        except ValueError:
            raise ValueError(f"{value!r} is not one of: {self.allowed()}") from None

    def words(self, value: Any) -> list[str]:
        """The value as the strings `parse` reads back (sorted, so a view has one URL)."""
        if not self.is_set(value):
            return []
        if self.kind is FilterKind.FLAG:
            return ["true" if value else "false"]
        return sorted(str(v) for v in value) if self.kind.repeatable else [value]


OWNER_ME, OWNER_NONE = "me", "none"
_USER_ID = re.compile(r"[0-9a-z]{1,32}")


def _owner(value: str) -> str:
    if value.lower() in (OWNER_ME, OWNER_NONE):
        return value.lower()
    if value and not _USER_ID.fullmatch(value):
        raise ValueError(f"{value[:40]!r} is not me, none or a user id")
    return value


FILTERS: tuple[FilterField, ...] = (
    FilterField("q", FilterKind.SEARCH,
                "A part of the customer's company, contact name or email, of the deal name or the external id, or "
                "of the phone's digits (`02 4567 8910` finds `+39 02 4567 8910`), case and accents ignored; or a "
                "whole lead id. An expired lead's withheld contacts are not searched",
                ("search_text", "id")),
    FilterField("customer", FilterKind.TEXT,
                "A part of the customer's company or contact name (case and accents ignored)", ("customer_key",)),
    FilterField("call_to_action", FilterKind.CHOICE,
                "The offer page's call to action; `contact_me` takes every lead whose customer asked to be contacted "
                "(directory requests too)", ("call_to_action",), CallToAction),
    FilterField("country", FilterKind.COUNTRY, "The customer's country or region", ("customer_country",)),
    FilterField("source", FilterKind.CHOICE, "Where the lead came from", ("source",), Source),
    FilterField("type", FilterKind.CHOICE, "Offer or profile lead", ("type",), LeadType),
    FilterField("quality", FilterKind.CHOICE, "The lead quality label", ("quality_label",), QualityLabel),
    FilterField("status", FilterKind.CHOICE, "Where the lead is in its lifecycle (leaves informational leads out)",
                ("status",), Status, actionable_only=True),
    FilterField("outcome", FilterKind.CHOICE, "How an archived lead ended", ("outcome",), Outcome),
    FilterField("email_validity", FilterKind.CHOICE, "What the email check said", ("email_validity",),
                EmailValidity),
    FilterField("phone_validity", FilterKind.CHOICE, "What the phone check said", ("phone_validity",),
                PhoneValidity),
    FilterField("spam", FilterKind.FLAG, "true: only leads with a spam warning; false: only leads without",
                ("spam",)),
    FilterField("owner", FilterKind.OWNER, "Who owns the lead: `me` (you), `none` (nobody) or that user",
                ("owner_id",)),
)
FILTER_BY_NAME = {f.name: f for f in FILTERS}


@dataclass(frozen=True)
class LeadFilter:
    tab: Tab | None = None
    q: str = ""
    customer: str = ""
    call_to_action: frozenset[CallToAction] = frozenset()
    country: frozenset[str] = frozenset()
    source: frozenset[Source] = frozenset()
    type: frozenset[LeadType] = frozenset()
    quality: frozenset[QualityLabel] = frozenset()
    status: frozenset[Status] = frozenset()
    outcome: frozenset[Outcome] = frozenset()
    email_validity: frozenset[EmailValidity] = frozenset()
    phone_validity: frozenset[PhoneValidity] = frozenset()
    spam: bool | None = None
    owner: str = ""

    def active(self) -> list[FilterField]:
        """The filters this one sets (the tab is not a filter)."""
        return [f for f in FILTERS if f.is_set(getattr(self, f.name))]

    def has_text(self) -> bool:
        """A text filter is set (`q`, `customer`): a count of the view tests each lead it walks past."""
        return bool(self.q.strip() or self.customer.strip())

    def to_params(self) -> list[tuple[str, str]]:
        """As query parameters (tab first), the same names and values the API and the pages read."""
        pairs = [("tab", self.tab.value)] if self.tab else []
        return pairs + [(f.name, word) for f in FILTERS for word in f.words(getattr(self, f.name))]

    def to_json(self) -> dict[str, Any]:
        """The JSON list-query shape (without the sort): every name present, lists for the repeatable ones."""
        shape: dict[str, Any] = {"tab": self.tab.value if self.tab else None}
        for f in FILTERS:
            value = getattr(self, f.name)
            shape[f.name] = f.words(value) if f.kind.repeatable else value
        return shape


if {f.name for f in fields(LeadFilter)} != {"tab"} | FILTER_BY_NAME.keys():  # one declaration, or no import
    raise ImportError("LeadFilter's fields and FILTERS have drifted apart")


def parse_filter(params: Mapping[str, Sequence[str]], *, lenient: bool = False,
                 ignore: Iterable[str] = ()) -> LeadFilter:
    """A filter from named string values (a query string, a form, options, JSON made into lists).

    Strict (the API, the CLI, JSON): an unknown name or a bad value raises InvalidInput naming each one.
    Lenient (the pages): they are dropped, so a shared link never breaks the page. `ignore` names parameters
    that belong to something else (sort, cursor, limit)."""
    values: dict[str, Any] = {}
    with collecting("The lead filter is invalid") as problems:
        for name, raw in params.items():
            if name in ignore:
                continue
            if name == "tab":
                values["tab"] = _tab(raw, lenient, problems)
            elif (declared := FILTER_BY_NAME.get(name)) is None:
                if not lenient:
                    problems.add(name, "is not a filter of the lead list")
            else:
                values[name] = _value(declared, raw, lenient, problems)
    return LeadFilter(**values)


def _tab(raw: Sequence[str], lenient: bool, problems: Any) -> Tab | None:
    value = raw[-1] if raw else ""
    if value in {t.value for t in Tab}:
        return Tab(value)
    if value and not lenient:
        problems.add("tab", f"{value!r} is not one of: {', '.join(t.value for t in Tab)}")
    return None


def _value(declared: FilterField, raw: Sequence[str], lenient: bool, problems: Any) -> Any:
    if lenient and declared.kind.repeatable:
        kept = []
        for one in raw:
            try:
                kept.append(declared._one(one))
            except ValueError:
                continue
        return frozenset(kept)
    try:
        return declared.parse(raw)
    except ValueError as error:
        if not lenient:
            problems.add(declared.name, str(error))
        return declared.empty


def filter_from_json(shape: Mapping[str, Any]) -> LeadFilter:
    """The JSON list-query shape (see `LeadFilter.to_json`) back into a filter, strictly; `sort` is not read."""
    params = {}
    for name, value in shape.items():
        if name == "sort" or value is None:
            continue
        params[name] = [str(v) for v in value] if isinstance(value, list | tuple) else [_word(value)]
    return parse_filter(params)


def _word(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class PageRequest:
    filter: LeadFilter = field(default_factory=LeadFilter)
    sort: Sort = Sort.NEWEST
    limit: int = DEFAULT_PAGE
    cursor: str | None = None

    def __post_init__(self) -> None:
        with collecting("The list request is invalid") as problems:
            if not 1 <= self.limit <= MAX_PAGE:
                problems.add("limit", f"must be between 1 and {MAX_PAGE}")
            for name in ("q", "customer"):
                if len(getattr(self.filter, name)) > MAX_TEXT:
                    problems.add(name, f"is longer than {MAX_TEXT} characters")
