"""Program staff: send a qualified lead to a partner, and see what became of the leads they sent.

The send form can ask for suggested partners (the directory's ranking for the lead's need, country, size
and industry) and pick one, as plain form posts that send nothing; GET /program/send?suggest=1&... does
the same from a link."""

from fastapi import APIRouter, Request
from sqlalchemy import Engine
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.enums import Qualification, Source
from referrals.domain.errors import InvalidInput
from referrals.domain.vocab import CompanySize, Industry
from referrals.services.directory import suggest_partners
from referrals.services.program import list_partners, send_qualified_lead, sent_leads
from referrals.web import session
from referrals.web.deps import EngineDep, Now
from referrals.web.pages import forms
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, language_of, tr
from referrals.web.pages.directory import score_format

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FIELD_OF_ERROR = {"partner_id": "partner_id", "customer": "company"}
SUGGESTIONS = 5
FORM_FIELDS = ("partner_id", "qualification", "source", "company", "first_name", "last_name", "title", "email",
               "phone", "country", "company_size", "industry", "message")


def _send_form(request: Request, engine: Engine, principal: Principal, values: dict, errors: dict,
               status: int = 200, *, suggest: bool = False) -> Response:
    partners = list_partners(engine, principal)  # program staff only
    suggestions = _suggestions(engine, values) if suggest else None
    return render(request, "program_send.html", {
        "partners": partners, "values": values, "errors": errors,
        "qualifications": [Qualification.MARKETING, Qualification.SALES], "sources": list(Source),
        "sizes": list(CompanySize), "industries": list(Industry),
        "suggestions": suggestions, "score": score_format(language_of(request)),
    }, status=status)


def _suggestions(engine: Engine, values: dict) -> list:
    """The top partners for the lead as typed so far (the same ranking as the directory's)."""
    size, industry = values.get("company_size") or "", values.get("industry") or ""
    country = (values.get("country") or "").strip().upper()
    return suggest_partners(
        engine, need=(values.get("message") or "")[:4000], country=country if len(country) == 2
        else None, company_size=size if size in {s.value for s in CompanySize} else None,
        industry=industry if industry in {i.value for i in Industry} else None, limit=SUGGESTIONS,
    )


@router.get("/program/send")
def send_page(request: Request, principal: PageUser, engine: EngineDep) -> Response:
    params = request.query_params
    values = {key: (params.get(key) or "")[:4000] for key in FORM_FIELDS if params.get(key)}
    values.setdefault("qualification", Qualification.SALES.value)
    return _send_form(request, engine, principal, values, {}, suggest=bool(params.get("suggest")))


@router.post("/program/send")
def send(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    if form.get("suggest") or form.get("pick"):  # a suggestion asked for or chosen: nothing is sent
        values = {key: form.get(key) for key in form if key not in ("csrf_token", "suggest", "pick")}
        if isinstance(form.get("pick"), str) and form.get("pick"):
            values["partner_id"] = form.get("pick")
        return _send_form(request, engine, principal, values, {}, suggest=True)
    partner_id, qualification, source, customer, message = forms.qualified_lead(form)
    try:
        send_qualified_lead(engine, principal, partner_id=partner_id, qualification=qualification,
                            source=source, customer=customer, message=message, now=now)
    except InvalidInput as error:
        errors = {FIELD_OF_ERROR.get(k, k.removeprefix("customer.")): v for k, v in error.fields.items()}
        values = {key: form.get(key) for key in form if key != "csrf_token"}
        return _send_form(request, engine, principal, values, errors, status=422)
    session.load(request).flash(tr(request, "Lead sent to the partner."))
    return redirect("/program/sent")


@router.get("/program/sent")
def sent_page(request: Request, principal: PageUser, engine: EngineDep) -> Response:
    return render(request, "program_sent.html", {"sent": sent_leads(engine, principal)})
