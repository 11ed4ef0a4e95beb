"""The action center: the leads waiting for an answer, each a link to its lead."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.services.action_center import action_items, tally
from referrals.web.deps import EngineDep, Now
from referrals.web.pages.base import PageRoute, render
from referrals.web.pages.deps import PageUser

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/actions")
def actions_page(request: Request, user: PageUser, engine: EngineDep, now: Now) -> Response:
    items = action_items(engine, user)
    waiting = [(item.lead, item.lead.urgency(now), item.read) for item in items]
    return render(request, "actions.html", {"waiting": waiting, "tally": tally(engine, user)})
