"""Program admins: why partners rank where they do (each score part in numbers and words), and the outbox,
where every email waits, goes or fails (and where they all wait while no SMTP server is configured)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.ranking import MISFIT, STATS_WINDOW
from referrals.services.directory import search
from referrals.services.outbox import list_messages, retry_message
from referrals.services.ranking_figures import responsiveness_figures
from referrals.web import session
from referrals.web.deps import EngineDep, Now, SettingsDep
from referrals.web.labels import N_
from referrals.web.pages.base import PageRoute, local_path, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, language_of, tr
from referrals.web.pages.directory import parse_search, score_format, search_context
from referrals.web.pages.forms import text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

OUTBOX_STATUSES = {"pending": N_("Pending"), "sent": N_("Sent"), "failed": N_("Failed")}
EMAIL_TEMPLATES = {"new_lead": N_("New lead"), "digest": N_("Digest of new leads"),
                   "lead_declined": N_("Lead declined (to the customer)"), "lead_expired": N_("Lead expired"),
                   "password_reset": N_("Password reset link")}
OUTBOX_LIMIT = 200


async def _program_admin(principal: PageUser) -> Principal:
    principal.require(Role.PROGRAM_ADMIN)
    return principal


ProgramAdmin = Annotated[Principal, Depends(_program_admin)]


@router.get("/program/ranking")
def ranking_page(request: Request, principal: ProgramAdmin, engine: EngineDep) -> Response:
    query = parse_search(request.query_params, limit=20)
    hits = search(engine, query)
    return render(request, "program_ranking.html", {
        **search_context(query), "hits": hits, "score": score_format(language_of(request)),
        "figures": responsiveness_figures(engine, principal, [hit.partner_id for hit in hits]),
        "misfit": MISFIT, "window_days": STATS_WINDOW.days,
    })


@router.get("/program/outbox")
def outbox_page(request: Request, principal: ProgramAdmin, engine: EngineDep, settings: SettingsDep,
                status: str = "") -> Response:
    chosen = status if status in OUTBOX_STATUSES else ""
    messages = list_messages(engine, principal, status=chosen or None, limit=OUTBOX_LIMIT)
    return render(request, "program_outbox.html", {
        "messages": messages, "status": chosen, "statuses": OUTBOX_STATUSES, "templates": EMAIL_TEMPLATES,
        "smtp_configured": bool(settings.smtp_host), "limit": OUTBOX_LIMIT,
    })


@router.post("/program/outbox/{message_id}/retry")
def retry(request: Request, message_id: str, form: PostedForm, principal: ProgramAdmin, engine: EngineDep,
          now: Now) -> Response:
    retry_message(engine, principal, message_id, now=now)
    session.load(request).flash(tr(request, "The email is queued to be sent again."))
    return redirect(local_path(text(form, "next"), "/program/outbox"))
