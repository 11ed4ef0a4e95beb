"""The action center: the leads waiting for an answer, each a link to its lead."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.services.notification_center import action_items
from referrals.web.pages.base import PageRoute, clock, render, viewer_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/actions")
def actions_page(request: Request) -> Response:
    principal = viewer_of(request).principal
    items = action_items(request.app.state.engine, principal)
    now = clock(request)
    waiting = [(item.lead, item.lead.urgency(now), item.read) for item in items]
    return render(request, "actions.html", {"waiting": waiting})
