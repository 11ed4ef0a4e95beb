"""JSON Patches on referrals go through the lead's own guards: who may act, informational leads, deals not yet
accepted, team members of the partner only. On both databases."""

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput, InvalidTransition
from referrals.services.referrals_compat import get_referral, list_referrals, patch_referral, read_query
from tests import factories
from tests.factories import NOW, days

ACCEPT = [{"op": "replace", "path": "/status", "value": "Active"},
          {"op": "replace", "path": "/details/dealValue", "value": 100},
          {"op": "replace", "path": "/details/currency", "value": "USD"},
          {"op": "replace", "path": "/details/closingDateTime", "value": "2026-05-01"},
          {"op": "replace", "path": "/details/notes", "value": "Call them."}]


def test_a_referrals_user_reads_but_may_not_patch(engine: Engine):
    tenant = factories.add_tenant(engine)
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    assert get_referral(engine, tenant.reader, lead.id)["status"] == "New"
    with pytest.raises(Forbidden):
        patch_referral(engine, tenant.reader, lead.id, ACCEPT, now=NOW, if_match=None)
    assert get_referral(engine, tenant.reader, lead.id)["status"] == "New"


def test_program_staff_have_no_referrals_to_list(engine: Engine):
    staff = factories.add_principal(engine, None, Role.PROGRAM_ADMIN)
    with pytest.raises(Forbidden):
        list_referrals(engine, staff, read_query([]))


def test_the_leads_own_guards_refuse(engine: Engine):
    tenant = factories.add_tenant(engine)
    informational = factories.ingest(engine, factories.GET_IT_NOW, tenant.partner_id)
    received = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    with pytest.raises(InvalidTransition, match="informational"):
        patch_referral(engine, tenant.admin, informational.id, ACCEPT, now=NOW, if_match=None)
    with pytest.raises(InvalidTransition, match="not been accepted"):
        patch_referral(engine, tenant.admin, received.id, [{"op": "replace", "path": "/details/notes", "value": "x"}],
                       now=NOW, if_match=None)
    with pytest.raises(InvalidInput, match="eve@nowhere.example"):
        patch_referral(engine, tenant.admin, received.id,
                       [*ACCEPT, {"op": "add", "path": "/team/-", "value": {"email": "eve@nowhere.example"}}],
                       now=NOW, if_match=None)
    assert get_referral(engine, tenant.admin, received.id)["status"] == "New"


def test_an_accepted_referrals_deal_is_edited_and_its_team_grows(engine: Engine):
    tenant = factories.add_tenant(engine)
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    accepted = patch_referral(engine, tenant.admin, lead.id, ACCEPT, now=NOW, if_match=None)
    assert [m["email"] for m in accepted["team"]] == [tenant.admin.email]
    edited = patch_referral(engine, tenant.admin, lead.id, [
        {"op": "replace", "path": "/details/dealValue", "value": "250.75"},
        {"op": "add", "path": "/team/-", "value": {"email": tenant.reader.email.upper()}}],
        now=NOW + days(1), if_match=accepted["eTag"])
    assert edited["details"]["dealValue"] == 250.75 and edited["details"]["currency"] == "USD"
    assert [m["email"] for m in edited["team"]] == [tenant.admin.email, tenant.reader.email]
    assert edited["updatedDateTime"] == "2026-03-03T09:30:00Z"
