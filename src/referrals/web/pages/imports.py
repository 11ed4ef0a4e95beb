"""The import page: upload a CSV of leads (program admins and sellers), of a program's history (program admins) or
of outcomes from a CRM (Referrals admins); "Check" runs the dry run and shows its report (each row's errors),
"Import" imports. The server keeps nothing between the two: to import after checking, the file is chosen again
(the same file gives the same result, and idempotency by ExternalId makes a repeated import harmless)."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.enums import LEAD_ACTING_ROLES, Role
from referrals.domain.errors import Forbidden
from referrals.services import history_import, lead_import, outcome_import
from referrals.web.api.imports import text_stream
from referrals.web.deps import EngineDep, Now
from referrals.web.labels import N_
from referrals.web.pages.base import PageRoute, render
from referrals.web.pages.deps import PageUser, PostedForm, tr
from referrals.web.pages.forms import text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# kind -> (title, who may, the service)
KINDS: dict[str, tuple[str, Callable[[Principal], bool]]] = {
    "leads": (N_("Leads"), lambda p: p.has(Role.PROGRAM_ADMIN, Role.PROGRAM_SELLER)),
    "history": (N_("History of closed leads"), lambda p: p.has(Role.PROGRAM_ADMIN)),
    "outcomes": (N_("Outcomes from your CRM"), lambda p: p.partner_id is not None and p.has(*LEAD_ACTING_ROLES)),
}
PAGE_PATHS = tuple(f"/import/{kind}" for kind in KINDS)


def kinds_for(principal: Principal) -> list[str]:
    return [kind for kind, (_, may) in KINDS.items() if may(principal)]


@router.get("/import")
def import_page(request: Request, principal: PageUser) -> Response:
    kinds = kinds_for(principal)
    if not kinds:
        raise Forbidden(tr(request, "Your roles do not allow you to import files."))
    return render(request, "imports.html", {"kinds": kinds, "titles": KINDS, "report": None, "chosen": None})


def _service(kind: str) -> Callable[..., Any]:
    return {"leads": lead_import.import_leads, "history": history_import.import_history,
            "outcomes": outcome_import.import_outcomes}[kind]


@router.post("/import/{kind}")
def import_post(request: Request, kind: str, form: PostedForm, principal: PageUser, engine: EngineDep,
                now: Now) -> Response:
    kinds = kinds_for(principal)
    if kind not in kinds:
        raise Forbidden(tr(request, "Your roles do not allow you to import files."))
    upload = form.get("file")
    context: dict[str, Any] = {"kinds": kinds, "titles": KINDS, "chosen": kind, "report": None}
    if not isinstance(upload, UploadFile) or not upload.filename:
        context["problem"] = tr(request, "Choose a CSV file first.")
        return render(request, "imports.html", context, status=422)
    dry_run = text(form, "action") != "import"
    options = {"all_or_nothing": text(form, "all_or_nothing") == "1"} if kind == "leads" else {}
    report = _service(kind)(engine, principal, text_stream(upload.file), now=now, dry_run=dry_run, **options)
    context.update(report=report.as_dict(), dry_run=dry_run, filename=upload.filename)
    return render(request, "imports.html", context)
