"""Program staff: send a qualified lead to a partner, and see what became of the leads they sent."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.domain.enums import Qualification, Source
from referrals.domain.errors import InvalidInput
from referrals.domain.vocab import CompanySize, Industry
from referrals.services.program import list_partners, send_qualified_lead, sent_leads
from referrals.web import session
from referrals.web.pages import forms
from referrals.web.pages.base import PageRoute, clock, redirect, render, tr, viewer_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FIELD_OF_ERROR = {"partner_id": "partner_id", "customer": "company"}


def _send_form(request: Request, values: dict, errors: dict, status: int = 200) -> Response:
    principal = viewer_of(request).principal
    return render(request, "program_send.html", {
        "partners": list_partners(request.app.state.engine, principal), "values": values, "errors": errors,
        "qualifications": [Qualification.MARKETING, Qualification.SALES], "sources": list(Source),
        "sizes": list(CompanySize), "industries": list(Industry),
    }, status=status)


@router.get("/program/send")
def send_page(request: Request) -> Response:
    return _send_form(request, {"qualification": Qualification.SALES.value}, {})


@router.post("/program/send")
async def send(request: Request) -> Response:
    principal = viewer_of(request).principal
    form = await request.form()
    partner_id, qualification, source, customer, message = forms.qualified_lead(form)
    try:
        send_qualified_lead(request.app.state.engine, principal, partner_id=partner_id, qualification=qualification,
                            source=source, customer=customer, message=message, now=clock(request))
    except InvalidInput as error:
        errors = {FIELD_OF_ERROR.get(k, k.removeprefix("customer.")): v for k, v in error.fields.items()}
        values = {key: form.get(key) for key in form if key != "csrf_token"}
        return _send_form(request, values, errors, status=422)
    session.load(request).flash(tr(request, "Lead sent to the partner."))
    return redirect("/program/sent")


@router.get("/program/sent")
def sent_page(request: Request) -> Response:
    principal = viewer_of(request).principal
    return render(request, "program_sent.html", {"sent": sent_leads(request.app.state.engine, principal)})
