"""Saved views: a user's named lead-list query (the list's filters, tab and sort), kept for themselves or shared
with the whole partner. Who may see and change one, and what a view's query may hold, are decided here."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from referrals.domain.access import Principal
from referrals.domain.checks import collecting
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput
from referrals.domain.listing import LeadFilter, Sort, Tab, filter_from_json, parse_filter

MAX_NAME = 100  # characters (the column's size)
MAX_VIEWS = 50  # a user's own views; the chips beside the tabs must stay readable


@dataclass(frozen=True)
class SavedView:
    id: str
    partner_id: str
    user_id: str  # its creator
    name: str
    query: dict[str, Any]  # the JSON list-query shape, only what is set (see `canonical_query`)
    shared: bool
    created_at: datetime
    updated_at: datetime

    def visible_to(self, principal: Principal) -> bool:
        return self.partner_id == principal.partner_id and (self.shared or self.user_id == principal.user_id)

    def changeable_by(self, principal: Principal) -> bool:
        """Its creator; for a shared view also the partner's Referrals admins."""
        if not self.visible_to(principal):
            return False
        return self.user_id == principal.user_id or (self.shared and principal.has(Role.REFERRALS_ADMIN))

    def check_change(self, principal: Principal) -> None:
        if not self.changeable_by(principal):
            raise Forbidden("Only the view's creator, or a Referrals admin for a shared view, may change it.")

    def page_query(self) -> tuple[LeadFilter, Sort]:
        """The view as the list reads it, leniently: a view saved before a filter changed still opens."""
        shape = {name: value for name, value in self.query.items() if name != "sort"}
        params = {name: [str(v) for v in value] if isinstance(value, list) else [_word(value)]
                  for name, value in shape.items() if value is not None}
        lead_filter = parse_filter(params, lenient=True)
        sort = self.query.get("sort")
        return lead_filter, Sort(sort) if sort in {s.value for s in Sort} else Sort.NEWEST


def _word(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def check_name(name: str | None) -> str:
    """The name trimmed, or InvalidInput naming `name`."""
    name = (name or "").strip()
    with collecting("The view is invalid") as problems:
        problems.require_text("name", name, max_length=MAX_NAME)
    return name


def canonical_query(shape: Mapping[str, Any]) -> dict[str, Any]:
    """A list query (the JSON shape, with `sort`) checked strictly and written the one way views keep it: the
    tab, the filters that are set (lists sorted) and the sort. InvalidInput names each bad field as `query.<name>`."""
    try:
        lead_filter = filter_from_json(shape)
        sort = _sort(shape.get("sort"))
    except InvalidInput as error:
        raise InvalidInput(error.message, fields={f"query.{k}": v for k, v in error.fields.items()}) from None
    return query_of(lead_filter, sort)


def _sort(value: Any) -> Sort:
    if value is None:
        return Sort.NEWEST
    if value not in {s.value for s in Sort}:
        raise InvalidInput("The list query is invalid",
                           fields={"sort": f"{value!r} is not one of: {', '.join(s.value for s in Sort)}"})
    return Sort(value)


def query_of(lead_filter: LeadFilter, sort: Sort) -> dict[str, Any]:
    """What a view keeps of a list: its tab, the filters that are set and the sort."""
    shape: dict[str, Any] = {"tab": (lead_filter.tab or Tab.MARKETPLACE).value}
    for declared in lead_filter.active():
        value = getattr(lead_filter, declared.name)
        shape[declared.name] = declared.words(value) if declared.kind.repeatable else value
    shape["sort"] = sort.value
    return shape


def check_room(own_views: int) -> None:
    if own_views >= MAX_VIEWS:
        raise InvalidInput(f"You have {MAX_VIEWS} saved views: delete one first.",
                           fields={"name": f"you already have {MAX_VIEWS} saved views"})
