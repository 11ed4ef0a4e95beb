"""Program admins: lead quality as it stands. The model in use and its High/Low line, the last evaluation on the
newest closed leads (each retraining holds them out, and keeps the previous model when the new one does worse),
and a button to retrain now (on the job queue when `referrals serve` runs one, here otherwise)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.domain.quality_line import HIGH_RATIO, MAX_HIGH_SHARE, MIN_HIGH_SHARE
from referrals.domain.quality_report import ratio_ok, share_ok
from referrals.services.quality_history import retrain_now, status_for
from referrals.web import session
from referrals.web.deps import EngineDep, Now
from referrals.web.labels import N_
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PostedForm, tr
from referrals.web.pages.program_admin import ProgramAdmin

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LINE_KINDS = {
    "relative": N_("%(ratio)s times the program's conversion rate"),
    "clamped": N_("moved so that between 10%% and 60%% of leads are High"),
    "fixed": N_("fixed by REFERRALS_QUALITY_THRESHOLD"),
    "top_share": N_("the top 30%% of recent leads (no closed leads yet)"),
    "default": N_("the default: no model trained yet"),
}


@router.get("/program/quality")
def quality_page(request: Request, principal: ProgramAdmin, engine: EngineDep) -> Response:
    status = status_for(engine, principal)
    last = status.last.evaluation if status.last else None
    return render(request, "program_quality.html", {
        "status": status, "last": last, "kinds": LINE_KINDS, "ratio": HIGH_RATIO,
        "ratio_ok": last is not None and ratio_ok(last), "share_ok": last is not None and share_ok(last),
        "min_share": MIN_HIGH_SHARE, "max_share": MAX_HIGH_SHARE,
    })


@router.post("/program/quality/retrain")
def retrain(request: Request, form: PostedForm, principal: ProgramAdmin, engine: EngineDep, now: Now) -> Response:
    start = getattr(request.app.state, "start_retraining", None)
    if start is not None:
        start()
        session.load(request).flash(tr(request, "Retraining started: the result shows here within a few minutes."))
    else:
        retrain_now(engine, principal, now=now)
        session.load(request).flash(tr(request, "Retrained: the result is below."))
    return redirect("/program/quality")
