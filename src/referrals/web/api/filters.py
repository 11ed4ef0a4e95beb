"""The list's query string → the domain's LeadFilter and PageRequest, with models made from the one filter
declaration (domain/listing.py: FILTERS). Multi-valued filters repeat (`?status=received&status=accepted`), so a
filtered list is a shareable URL. A parameter the route does not know answers 422 naming it: a script with a
typo (`?outcme=won`) must not get every lead back.

`LeadQuery` is the same filter as one JSON object (with `sort`), for the endpoints that take a list query in a
body (bulk actions, saved views)."""

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from referrals.domain.listing import (
    DEFAULT_PAGE,
    FILTERS,
    MAX_PAGE,
    MAX_TEXT,
    FilterField,
    FilterKind,
    LeadFilter,
    PageRequest,
    Sort,
    Tab,
)
from referrals.web.api.schemas_in import Text

Country = Annotated[str, StringConstraints(pattern="^[A-Za-z]{2}$")]


def _field(declared: FilterField) -> tuple[Any, Any]:
    """A pydantic field for one declared filter: its type, default and description."""
    about = f"{declared.meaning.rstrip('.')}. Values: {declared.allowed()}."
    if declared.kind is FilterKind.CHOICE:
        return list[declared.choices], Field(default=[], description=about)  # type: ignore[name-defined]
    if declared.kind is FilterKind.COUNTRY:
        return list[Country], Field(default=[], description=about)
    if declared.kind is FilterKind.FLAG:
        return bool | None, Field(default=None, description=about)
    if declared.kind is FilterKind.OWNER:
        return str, Field(default="", pattern=r"^((?i:me|none)|[0-9a-z]{1,32})?$", description=about)
    return Text, Field(default="", max_length=MAX_TEXT, description=about)


_FORBID = ConfigDict(extra="forbid")
_FILTER_FIELDS: dict[str, Any] = {
    "tab": (Tab | None, Field(default=None, description="Marketplace, qualified or favourite leads; all if omitted")),
    **{declared.name: _field(declared) for declared in FILTERS},
}
_SORT = (Sort, Field(default=Sort.NEWEST, description="The order of the list"))

FilterQuery = create_model("FilterQuery", __config__=_FORBID, **_FILTER_FIELDS)
ExportQuery = create_model(
    "ExportQuery", __config__=_FORBID, **_FILTER_FIELDS, sort=_SORT,
    bom=(bool, Field(default=False, description="Start with a UTF-8 byte-order mark, so a spreadsheet on Windows "
                                                "reads accents right (`bom=1`)")),
)
ListQuery = create_model(
    "ListQuery", __config__=_FORBID, **_FILTER_FIELDS, sort=_SORT,
    limit=(int, Field(default=DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="Leads a page")),
    cursor=(Text | None, Field(default=None, max_length=2000, description="next_cursor of the previous page")),
)
LeadQuery = create_model(
    "LeadQuery", __config__=_FORBID, __doc__="A lead list query as JSON: the list's filters, tab and sort.",
    **_FILTER_FIELDS, sort=_SORT,
)


def to_filter(query: BaseModel) -> LeadFilter:
    """Any of the models above → the domain's filter."""
    values = {"tab": query.tab}
    for declared in FILTERS:
        value = getattr(query, declared.name)
        if declared.kind is FilterKind.COUNTRY:
            value = frozenset(code.upper() for code in value)
        elif declared.kind.repeatable:
            value = frozenset(value)
        elif declared.kind is FilterKind.OWNER:
            value = declared.parse([value])  # `Me` is `me`
        values[declared.name] = value
    return LeadFilter(**values)


async def lead_filter(query: Annotated[FilterQuery, Query()]) -> LeadFilter:
    return to_filter(query)


async def export_request(query: Annotated[ExportQuery, Query()]) -> tuple[LeadFilter, Sort, bool]:
    return to_filter(query), query.sort, query.bom


async def page_request(query: Annotated[ListQuery, Query()]) -> PageRequest:
    return PageRequest(filter=to_filter(query), sort=query.sort, limit=query.limit, cursor=query.cursor)


Filter = Annotated[LeadFilter, Depends(lead_filter)]
Export = Annotated[tuple[LeadFilter, Sort, bool], Depends(export_request)]
Page = Annotated[PageRequest, Depends(page_request)]


def markdown_table() -> str:
    """The filters as docs/api.md shows them (a test keeps the two equal; print it with
    `python -m referrals.web.api.filters`)."""
    lines = ["| parameter | values | meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {f.allowed() if f.choices is None else ', '.join(f'`{v}`' for v in f.choices)} | "
              f"{f.meaning}{' (repeat for several)' if f.kind.repeatable else ''} |" for f in FILTERS]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
