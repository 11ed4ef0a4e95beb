"""Saved views: list, save, change and delete a user's named list queries; count what each holds (capped).
Another partner's view, and a colleague's private one, are 404 like an unknown id."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.errors import NotFound
from referrals.domain.list_position import Count
from referrals.domain.views import SavedView, canonical_query, check_name, check_room
from referrals.store import list_count, views
from referrals.store.db import reading, writing
from referrals.store.ids import new_id

NO_SUCH_VIEW = "No such saved view."


@dataclass(frozen=True)
class CountedView:
    view: SavedView
    count: Count


def list_views(engine: Engine, principal: Principal) -> list[SavedView]:
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        return views.visible(conn, partner_id, principal.user_id)


def counted_views(engine: Engine, principal: Principal) -> list[CountedView]:
    """The views with the leads each holds now, counted up to the cap (for the chips beside the tabs)."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        found = views.visible(conn, partner_id, principal.user_id)
        return [CountedView(v, list_count.capped_count(conn, partner_id, principal.user_id, v.page_query()[0]))
                for v in found]


def save_view(engine: Engine, principal: Principal, name: str, query: Mapping[str, Any], shared: bool, *,
              now: datetime) -> SavedView:
    partner_id = principal.partner_scope()
    view = SavedView(new_id(), partner_id, principal.user_id, check_name(name), canonical_query(query), shared,
                     now, now)
    with writing(engine) as conn:
        check_room(views.count_own(conn, partner_id, principal.user_id))
        views.add(conn, view)
    return view


def change_view(engine: Engine, principal: Principal, view_id: str, *, now: datetime, name: str | None = None,
                query: Mapping[str, Any] | None = None, shared: bool | None = None) -> SavedView:
    """Rename it, change its query or whether it is shared; what is None stays."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = check_name(name)
    if query is not None:
        changes["query"] = canonical_query(query)
    if shared is not None:
        changes["shared"] = shared
    with writing(engine) as conn:
        view = _changeable(conn, principal, view_id)
        if changes:
            views.change(conn, view.partner_id, view.id, now=now, **changes)
            view = replace(view, updated_at=now, **changes)
    return view


def delete_view(engine: Engine, principal: Principal, view_id: str) -> None:
    with writing(engine) as conn:
        view = _changeable(conn, principal, view_id)
        views.remove(conn, view.partner_id, view.id)


def get_view(engine: Engine, principal: Principal, view_id: str) -> SavedView:
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        view = views.find(conn, partner_id, view_id)
    if view is None or not view.visible_to(principal):
        raise NotFound(NO_SUCH_VIEW)
    return view


def _changeable(conn: Connection, principal: Principal, view_id: str) -> SavedView:
    view = views.find(conn, principal.partner_scope(), view_id)
    if view is None or not view.visible_to(principal):
        raise NotFound(NO_SUCH_VIEW)
    view.check_change(principal)
    return view
