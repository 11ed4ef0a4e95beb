"""Bulk actions from the lead list, as plain form posts: the list's bar posts the chosen rows (or "all matching this
view") and the action here; this page asks to confirm, naming how many leads and what will happen, with the action's
fields; confirmed, it answers each lead's result, or follows the job of a large selection on its own page (which
scripts refresh from the JSON API with the session cookie, web/static/bulk.js)."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData, QueryParams
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.bulk import AT_ONCE, BulkAction, BulkParams, distinct
from referrals.domain.enums import LEAD_ACTING_ROLES, Reason
from referrals.domain.errors import InvalidInput
from referrals.services import bulk
from referrals.services.partner import list_users
from referrals.services.reading import tab_counts
from referrals.web.api.bulk import start_job
from referrals.web.deps import EngineDep, Now
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, tr
from referrals.web.pages.forms import parse_view, reason, text, view_query

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def actions_for(principal: Principal) -> list[BulkAction]:
    """The bulk actions the viewer may take: hearts for every partner user, the rest for Referrals admins."""
    acting = principal.partner_id is not None and principal.has(*LEAD_ACTING_ROLES)
    return [a for a in BulkAction if acting or not a.acting]


def team(engine, principal: Principal) -> list:
    return list_users(engine, principal) if principal.partner_id else []


def _read(form: FormData) -> dict[str, Any]:
    action = text(form, "action")
    return {
        "action": BulkAction(action) if action in {a.value for a in BulkAction} else None,
        "ids": distinct([v for v in form.getlist("id") if isinstance(v, str) and v.strip()])[:AT_ONCE],
        "all": text(form, "all") == "1",
        "view": text(form, "view"),
        "params": BulkParams(reason(form), text(form, "notes"), text(form, "user_id") or None),
    }


@router.post("/leads/bulk")
def bulk_post(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    chosen = _read(form)
    lead_filter, sort, _cursor = parse_view(QueryParams(chosen["view"]))
    back = "/leads?" + view_query(lead_filter, sort)
    action, params = chosen["action"], chosen["params"]
    if action is None or action not in actions_for(principal) or not (chosen["ids"] or chosen["all"]):
        request.state.page.session.flash(tr(request, "Choose leads and an action first."))
        return redirect(back)
    count = tab_counts(engine, principal, lead_filter)[lead_filter.tab] if chosen["all"] else len(chosen["ids"])
    errors: dict[str, str] = {}
    if text(form, "confirmed") == "1":
        try:
            if chosen["all"]:
                answer = bulk.act_on_filter(engine, principal, action, params, lead_filter, sort, now=now)
            else:
                answer = bulk.act_on_ids(engine, principal, action, params, chosen["ids"], now=now)
        except InvalidInput as error:
            errors = {name.removeprefix("params."): message for name, message in error.fields.items()}
        else:
            if isinstance(answer, bulk.Queued):
                start_job(request, principal.partner_id, answer.job_id)  # type: ignore[arg-type]
                return redirect(f"/leads/bulk/{answer.job_id}")
            return render(request, "_bulk_results.html", {
                "action": action, "succeeded": answer.succeeded, "failed": answer.failed, "items": answer.items,
                "companies": bulk.companies(engine, principal, answer.items), "back": back, "job": None})
    return render(request, "_bulk_confirm.html", {
        "action": action, "count": count, "chosen": chosen, "params": params, "errors": errors, "back": back,
        "reasons": list(Reason), "team": team(engine, principal) if action is BulkAction.ASSIGN else [],
    }, status=422 if errors else 200)


@router.get("/leads/bulk/{job_id}")
def bulk_job_page(request: Request, job_id: str, principal: PageUser, engine: EngineDep) -> Response:
    after = request.query_params.get("after", "-1")
    job = bulk.job_progress(engine, principal, job_id, after=int(after) if after.lstrip("-").isdigit() else -1)
    return render(request, "_bulk_results.html", {
        "action": job.action, "succeeded": job.succeeded, "failed": job.failed, "items": job.items, "job": job,
        "companies": bulk.companies(engine, principal, job.items), "back": "/leads"})
