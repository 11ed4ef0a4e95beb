"""The list's read model against the whole lead: every lead the list shows (built from its row, without a Lead) is
exactly what the lead's own page in the API says of it (built from the Lead), field for field, in every state."""

from referrals.domain.enums import Outcome, Reason
from referrals.services.lifecycle import accept_lead, add_deal_employee, close_lead, decline_lead
from referrals.services.sweep import sweep
from tests import factories


def test_every_listed_lead_reads_as_its_detail_does(client, engine, partner_a, clock):
    # given leads of every kind and in every state, for the admin and for the reader
    admin = partner_a.tenant.admin
    made = [factories.ingest(engine, kind, partner_a.id) for kind in factories.LEAD_KINDS]
    terms = factories.deal_terms((partner_a.admin.id,))
    accepted, won, lost, declined = (factories.ingest(engine, factories.SALES, partner_a.id) for _ in range(4))
    for lead in (accepted, won, lost):
        accept_lead(engine, admin, lead.id, terms, now=factories.NOW)
    add_deal_employee(engine, admin, accepted.id, factories.employee(), now=factories.NOW)
    close_lead(engine, admin, won.id, Outcome.WON, None, "Signed.", now=factories.NOW)
    close_lead(engine, admin, lost.id, Outcome.LOST, Reason.BUDGET_NOT_ADEQUATE, "Too dear.", now=factories.NOW)
    decline_lead(engine, admin, declined.id, Reason.OTHER, "Not for us.", now=factories.NOW)
    expired = factories.ingest(engine, factories.MARKETING, partner_a.id, now=factories.NOW - factories.days(20))
    sweep(engine, now=factories.NOW)
    clock.now = factories.NOW + factories.days(1)
    every = {lead.id for lead in made} | {accepted.id, won.id, lost.id, declined.id, expired.id}
    for user in (partner_a.admin, partner_a.reader):
        # when the list and each lead's detail are read
        listed = {}
        for tab in ("marketplace", "qualified"):
            page = client.get(f"/api/v1/leads?tab={tab}&limit=200", headers=user.headers)
            assert page.status_code == 200, page.text
            listed |= {item["id"]: item for item in page.json()["items"]}
        # then each listed lead is its detail without the history
        assert set(listed) == every
        for lead_id, item in listed.items():
            detail = client.get(f"/api/v1/leads/{lead_id}", headers=user.headers).json()
            detail.pop("history")
            assert item == detail, lead_id
    # and the expired lead's contacts are withheld in the list too
    assert listed[expired.id]["customer"]["email"] is None
