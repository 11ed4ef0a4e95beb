"""A webhook's `data` is LeadPublic without the per-viewer fields: the domain's `lead_document` (which services may
use, where `web/api/present.py` is out of their reach) and the API's `lead_public` agree on every field, for a lead in
each state, and the API's answer for the lead is what the webhook carried."""

import json
from datetime import timedelta

import pytest

from referrals.domain.enums import Outcome, Reason
from referrals.domain.lead_document import lead_document
from referrals.services.lifecycle import accept_lead, add_deal_employee, close_lead, decline_lead
from referrals.services.ownership import assign_lead
from referrals.services.reading import get_lead
from referrals.services.sweep import sweep
from referrals.web.api.present import lead_public
from referrals.web.api.schemas import LeadPublic
from tests import factories
from tests.factories import CONTACT_ME, NOW, deal_terms, employee, ingest

PER_VIEWER = {"favorite", "allowed_actions"}


def both(engine, principal, lead_id, now):
    detail = get_lead(engine, principal, lead_id)
    api = lead_public(detail.lead, favorite=False, now=now, viewer=principal, owner=detail.owner).model_dump(
        mode="json")
    owner = tuple(detail.owner) if detail.owner else None
    return {k: v for k, v in api.items() if k not in PER_VIEWER}, json.loads(json.dumps(
        lead_document(detail.lead, now=now, owner=owner)))


def test_the_document_has_exactly_leadpublics_fields_but_the_per_viewer_ones():
    assert set(LeadPublic.model_fields) - PER_VIEWER == set(lead_document(
        factories.received_lead(), now=NOW, owner=None))


@pytest.mark.parametrize("state", ["received", "accepted_owned", "won", "declined", "expired"])
def test_the_document_equals_lead_public_in_every_state(engine, tenant, state):
    admin = tenant.admin
    lead = ingest(engine, CONTACT_ME, tenant.partner_id)
    now = NOW + timedelta(hours=1)
    if state in ("accepted_owned", "won"):
        accept_lead(engine, admin, lead.id, deal_terms(team=(admin.user_id,)), now=now)
        assign_lead(engine, admin, lead.id, admin.user_id, now=now)
        add_deal_employee(engine, admin, lead.id, employee(), now=now)
    if state == "won":
        close_lead(engine, admin, lead.id, Outcome.WON, None, "Signed.", now=now)
    if state == "declined":
        decline_lead(engine, admin, lead.id, Reason.BUDGET_NOT_ADEQUATE, "Too small.", now=now)
    if state == "expired":
        now = NOW + timedelta(days=15)
        sweep(engine, now=now)
    api, document = both(engine, admin, lead.id, now)
    assert document == api
