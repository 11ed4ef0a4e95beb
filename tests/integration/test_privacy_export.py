"""The person's export on both databases: every lead of theirs across partners, with fields and history, the
emails to them or about them and the webhook deliveries; nobody else's data."""

import pytest

from referrals.config import get_settings
from referrals.domain.errors import Forbidden
from referrals.services.privacy import erase_person
from referrals.services.privacy_export import export_person
from tests import privacy_world
from tests.factories import NOW


@pytest.fixture
def world(engine, monkeypatch):
    monkeypatch.setenv("REFERRALS_DIGEST_THRESHOLD", "1")  # the second new-lead email of a day goes to a digest
    get_settings.cache_clear()
    yield privacy_world.build(engine)
    get_settings.cache_clear()


def test_the_export_holds_the_persons_leads_across_two_partners(engine, world):
    document = export_person(engine, world.program_admin, privacy_world.EMAIL.lower(), now=NOW)

    ids = {lead["id"] for lead in document["leads"]}
    assert {world.accepted_id, world.declined_id, world.marketplace_id, world.expired_id} <= ids
    assert {lead["partner_id"] for lead in document["leads"]} == {world.a.partner_id, world.b.partner_id}
    marketplace = next(lead for lead in document["leads"] if lead["id"] == world.marketplace_id)
    assert marketplace["raw_payload"]["UserDetails"]["LastName"] == privacy_world.LAST
    accepted = next(lead for lead in document["leads"] if lead["id"] == world.accepted_id)
    assert [h["action"] for h in accepted["history"]] == ["received", "accepted"]


def test_the_export_holds_the_emails_to_and_about_the_person_and_the_webhook_deliveries(engine, world):
    document = export_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    assert any(e["template"] == "lead_declined" and e["recipient"] == privacy_world.EMAIL for e in document["emails"])
    assert any(e["template"] == "new_lead" for e in document["emails"])
    assert any(e["template"] == "digest" for e in document["emails"])  # it lists one of her leads
    assert {d["lead_id"] for d in document["webhook_deliveries"]} >= {world.accepted_id, world.marketplace_id}


def test_the_listing_lead_is_there_for_the_contact_and_another_customer_alone_is_not(engine, world):
    document = export_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)
    assert world.listing_id in {lead["id"] for lead in document["leads"]}

    other = export_person(engine, world.program_admin, "nobody@fabrikam.it", now=NOW)
    assert other["leads"] == [] and other["emails"] == []


def test_after_the_erasure_the_export_finds_nothing(engine, world):
    erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    document = export_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)
    assert document["leads"] == [] and document["emails"] == [] and document["webhook_deliveries"] == []


def test_only_program_admins_may_export(engine, world):
    with pytest.raises(Forbidden):
        export_person(engine, world.a.admin, privacy_world.EMAIL, now=NOW)
