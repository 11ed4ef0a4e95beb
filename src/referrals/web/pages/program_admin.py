"""Program admins: why partners rank where they do (each score part in numbers and words), and the outbox,
where every email waits, goes or fails (and where they all wait while no SMTP server is configured)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.ranking import MISFIT, STATS_WINDOW
from referrals.services.directory import search
from referrals.services.outbox import list_messages, retry_message
from referrals.services.ranking_figures import responsiveness_figures
from referrals.web import session
from referrals.web.labels import N_
from referrals.web.pages.base import PageRoute, clock, language_of, local_path, redirect, render, tr, viewer_of
from referrals.web.pages.directory import parse_search, score_format, search_context
from referrals.web.pages.forms import text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

OUTBOX_STATUSES = {"pending": N_("Pending"), "sent": N_("Sent"), "failed": N_("Failed")}
EMAIL_TEMPLATES = {"new_lead": N_("New lead"), "digest": N_("Digest of new leads"),
                   "lead_declined": N_("Lead declined (to the customer)"), "lead_expired": N_("Lead expired")}
OUTBOX_LIMIT = 200


def _program_admin(request: Request) -> Principal:
    principal = viewer_of(request).principal
    principal.require(Role.PROGRAM_ADMIN)
    return principal


@router.get("/program/ranking")
def ranking_page(request: Request) -> Response:
    principal = _program_admin(request)
    engine = request.app.state.engine
    query = parse_search(request.query_params, limit=20)
    hits = search(engine, query)
    return render(request, "program_ranking.html", {
        **search_context(query), "hits": hits, "score": score_format(language_of(request)),
        "figures": responsiveness_figures(engine, principal, [hit.partner_id for hit in hits]),
        "misfit": MISFIT, "window_days": STATS_WINDOW.days,
    })


@router.get("/program/outbox")
def outbox_page(request: Request, status: str = "") -> Response:
    principal = _program_admin(request)
    chosen = status if status in OUTBOX_STATUSES else ""
    messages = list_messages(request.app.state.engine, principal, status=chosen or None, limit=OUTBOX_LIMIT)
    return render(request, "program_outbox.html", {
        "messages": messages, "status": chosen, "statuses": OUTBOX_STATUSES, "templates": EMAIL_TEMPLATES,
        "smtp_configured": bool(request.app.state.settings.smtp_host), "limit": OUTBOX_LIMIT,
    })


@router.post("/program/outbox/{message_id}/retry")
async def retry(request: Request, message_id: str) -> Response:
    principal = _program_admin(request)
    form = await request.form()
    retry_message(request.app.state.engine, principal, message_id, now=clock(request))
    session.load(request).flash(tr(request, "The email is queued to be sent again."))
    return redirect(local_path(text(form, "next"), "/program/outbox"))
