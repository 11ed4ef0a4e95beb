"""Webhooks in the pages, as plain form posts (each with its CSRF token): a partner's Referrals admins and the program's
admins register endpoints, send a test, rotate the secret, delete; each endpoint's page shows its delivery log and
sends a delivery again. A new secret is shown on the page that made it, once (never put in the session)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.errors import InvalidInput
from referrals.domain.webhooks import ALL, LEAD_EVENTS, MAX_DESCRIPTION
from referrals.services import webhooks
from referrals.web.deps import EngineDep, Now, SettingsDep
from referrals.web.labels import N_
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, tr
from referrals.web.pages.forms import text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

EVENT_LABELS = {
    "lead.created": N_("A lead arrives"), "lead.accepted": N_("A lead is accepted"),
    "lead.declined": N_("A lead is declined"), "lead.expired": N_("A lead expires"),
    "lead.closed": N_("A deal is won or lost"), "lead.updated": N_("A deal, its team or the owner changes"),
    ALL: N_("Every event, including those added later"), "webhook.test": N_("Test"),
    "referral-created": N_("A lead arrives"), "referral-updated": N_("A lead changes"),
}
DELIVERY_STATUSES = {"pending": N_("Pending"), "delivered": N_("Delivered"), "failed": N_("Failed")}


async def _webhook_admin(principal: PageUser) -> Principal:
    webhooks.owner_scope(principal)  # Forbidden for anyone else
    return principal


WebhookAdmin = Annotated[Principal, Depends(_webhook_admin)]


def _list(request: Request, principal: Principal, engine: Any, *, status: int = 200, **more: Any) -> Response:
    return render(request, "webhooks.html", {
        "webhooks": webhooks.list_webhooks(engine, principal), "events": [*LEAD_EVENTS, ALL],
        "labels": EVENT_LABELS, "max_description": MAX_DESCRIPTION, "errors": {}, "values": {}, "secret": None,
        **more}, status=status)


@router.get("/webhooks")
def webhooks_page(request: Request, principal: WebhookAdmin, engine: EngineDep) -> Response:
    return _list(request, principal, engine)


@router.post("/webhooks")
def create_webhook(request: Request, form: PostedForm, principal: WebhookAdmin, engine: EngineDep, now: Now,
                   settings: SettingsDep) -> Response:
    values = {"url": text(form, "url"), "description": text(form, "description"),
              "events": [e for e in form.getlist("events") if isinstance(e, str)]}
    try:
        row, secret = webhooks.create_webhook(engine, principal, values["url"], values["events"], now=now,
                                              allow_hosts=settings.webhook_allow_list,
                                              description=values["description"])
    except InvalidInput as error:
        return _list(request, principal, engine, status=422, errors=dict(error.fields), values=values)
    return _list(request, principal, engine, status=201, secret=secret, made=row)


def _detail(request: Request, principal: Principal, engine: Any, webhook_id: str, secret: str | None = None,
            status: int = 200) -> Response:
    return render(request, "webhook.html", {
        "webhook": webhooks.get_webhook(engine, principal, webhook_id), "labels": EVENT_LABELS,
        "deliveries": webhooks.list_deliveries(engine, principal, webhook_id), "statuses": DELIVERY_STATUSES,
        "secret": secret}, status=status)


@router.get("/webhooks/{webhook_id}")
def webhook_page(request: Request, webhook_id: str, principal: WebhookAdmin, engine: EngineDep) -> Response:
    return _detail(request, principal, engine, webhook_id)


@router.post("/webhooks/{webhook_id}/test")
def send_test(request: Request, webhook_id: str, form: PostedForm, principal: WebhookAdmin, engine: EngineDep,
              now: Now) -> Response:
    webhooks.send_test(engine, principal, webhook_id, now=now)
    request.state.page.session.flash(tr(request, "Test event queued: it appears in the log once sent."))
    return redirect(f"/webhooks/{webhook_id}")


@router.post("/webhooks/{webhook_id}/rotate")
def rotate_secret(request: Request, webhook_id: str, form: PostedForm, principal: WebhookAdmin, engine: EngineDep,
                  now: Now) -> Response:
    _row, secret = webhooks.rotate_secret(engine, principal, webhook_id, now=now)
    return _detail(request, principal, engine, webhook_id, secret=secret)


@router.post("/webhooks/{webhook_id}/delete")
def delete_webhook(request: Request, webhook_id: str, form: PostedForm, principal: WebhookAdmin,
                   engine: EngineDep) -> Response:
    webhooks.delete_webhook(engine, principal, webhook_id)
    request.state.page.session.flash(tr(request, "Webhook deleted."))
    return redirect("/webhooks")


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")
def redeliver(request: Request, webhook_id: str, delivery_id: str, form: PostedForm, principal: WebhookAdmin,
              engine: EngineDep, now: Now) -> Response:
    webhooks.redeliver(engine, principal, webhook_id, delivery_id, now=now)
    request.state.page.session.flash(tr(request, "Delivery queued again."))
    return redirect(f"/webhooks/{webhook_id}")
