"""Saved views: a user's named list queries (filters, tab and sort), their own and the partner's shared ones.
Changed or deleted by their creator, or by a Referrals admin when shared; another partner's view is 404."""

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from referrals.domain.views import MAX_NAME, SavedView
from referrals.services import views
from referrals.web.api.common import AUTHED, problems
from referrals.web.api.filters import LeadQuery
from referrals.web.api.schemas_in import Strict, Text
from referrals.web.deps import EngineDep, LeadReader, Now

router = APIRouter(prefix="/views", tags=["saved views"], responses=AUTHED)
ONE = problems(404)


class SaveView(Strict):
    name: Text = Field(min_length=1, max_length=MAX_NAME, examples=["Hot leads in Italy"])
    query: LeadQuery = Field(description="The list query: the same names and values as the list's parameters, "  # type: ignore[valid-type]
                                         "lists for the repeatable ones, and `sort`")
    shared: bool = Field(default=False, description="Shown to everyone of your partner")


class ChangeView(Strict):
    name: Text | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    query: LeadQuery | None = None  # type: ignore[valid-type]
    shared: bool | None = None


class ViewPublic(BaseModel):
    id: str
    name: str
    query: dict[str, Any] = Field(description="The tab, the filters that are set and the sort")
    shared: bool
    owner_id: str = Field(description="The user who saved it")

    @classmethod
    def of(cls, view: SavedView) -> "ViewPublic":
        return cls(id=view.id, name=view.name, query=view.query, shared=view.shared, owner_id=view.user_id)


class ViewsPublic(BaseModel):
    items: list[ViewPublic]


def _shape(query: BaseModel | None) -> dict[str, Any] | None:
    return None if query is None else query.model_dump(mode="json", exclude_defaults=True)


@router.get("", response_model=ViewsPublic)
def list_views(principal: LeadReader, engine: EngineDep) -> ViewsPublic:
    """Your own views and your partner's shared ones, by name."""
    return ViewsPublic(items=[ViewPublic.of(v) for v in views.list_views(engine, principal)])


@router.post("", response_model=ViewPublic, status_code=201)
def save_view(body: SaveView, principal: LeadReader, engine: EngineDep, now: Now) -> ViewPublic:
    """Save a list query under a name; `shared` shows it to everyone of your partner. At most 50 of your own."""
    return ViewPublic.of(views.save_view(engine, principal, body.name, _shape(body.query) or {}, body.shared, now=now))


@router.get("/{view_id}", response_model=ViewPublic, responses=ONE)
def get_view(view_id: str, principal: LeadReader, engine: EngineDep) -> ViewPublic:
    return ViewPublic.of(views.get_view(engine, principal, view_id))


@router.patch("/{view_id}", response_model=ViewPublic, responses=ONE)
def change_view(view_id: str, body: ChangeView, principal: LeadReader, engine: EngineDep, now: Now) -> ViewPublic:
    """Rename it, change its query or whether it is shared (what is left out stays). Its creator; for a shared
    view also a Referrals admin."""
    return ViewPublic.of(views.change_view(engine, principal, view_id, now=now, name=body.name,
                                           query=_shape(body.query), shared=body.shared))


@router.delete("/{view_id}", status_code=204, responses=ONE)
def delete_view(view_id: str, principal: LeadReader, engine: EngineDep) -> Response:
    """Delete it: its creator; for a shared view also a Referrals admin."""
    views.delete_view(engine, principal, view_id)
    return Response(status_code=204)
