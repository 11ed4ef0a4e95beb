"""Ingesting leads, one at a time and in bulk: stored whole, idempotent on the source's id, each bad item
refused on its own."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from referrals.domain.enums import Action, Status
from referrals.domain.errors import InvalidInput
from referrals.services import ingest as ingest_service
from referrals.services.ingest import ingest_lead, ingest_many
from referrals.services.reading import get_lead
from referrals.store.db import reading
from referrals.store.tables import lead_history, leads
from tests.factories import (
    ACTIONABLE_KINDS,
    INFORMATIONAL_KINDS,
    LEAD_KINDS,
    NOW,
    add_partner,
    as_stored,
    lead_draft,
)
from tests.races import pause_after


def stored_leads(engine) -> int:
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(leads)).scalar_one()


def stored_history(engine) -> int:
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(lead_history)).scalar_one()


@pytest.mark.parametrize("kind", LEAD_KINDS)
def test_an_ingested_lead_reads_back_exactly_as_it_was_received(engine, tenant, kind):
    # given a lead of any kind
    draft = lead_draft(kind, tenant.partner_id, external_id=f"ext-{kind}")
    # when it is ingested
    result = ingest_lead(engine, draft, now=NOW)
    # then it was created at the partner's location, and reading it back gives the same lead
    assert result.created and result.error is None
    assert result.lead.location_id == tenant.location_id
    detail = get_lead(engine, tenant.reader, result.lead.id)
    assert detail.lead == as_stored(result.lead)
    assert detail.lead.created_at == NOW and detail.lead.created_at.tzinfo is not None
    assert detail.lead.status is Status.RECEIVED and detail.lead.version == 1
    # and its arrival is the first history entry
    assert [(h["version"], h["action"], h["to_status"]) for h in detail.history] == [(1, Action.RECEIVED, "received")]


@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_an_actionable_lead_is_stored_with_its_response_deadline(engine, tenant, kind):
    lead = ingest_lead(engine, lead_draft(kind, tenant.partner_id), now=NOW).lead
    stored = get_lead(engine, tenant.reader, lead.id).lead
    assert (stored.response_due_at, stored.archive_due_at) == (NOW + timedelta(days=14), None)


@pytest.mark.parametrize("kind", INFORMATIONAL_KINDS)
def test_an_informational_lead_is_stored_with_its_six_month_end(engine, tenant, kind):
    lead = ingest_lead(engine, lead_draft(kind, tenant.partner_id), now=NOW).lead
    stored = get_lead(engine, tenant.reader, lead.id).lead
    assert stored.response_due_at is None
    assert stored.archive_due_at == NOW.replace(month=9)


def test_ingesting_the_same_external_id_twice_creates_one_lead(engine, tenant):
    # given a lead already ingested
    draft = lead_draft("contact_me", tenant.partner_id, external_id="mkt-123")
    first = ingest_lead(engine, draft, now=NOW)
    # when the source sends it again, later
    again = ingest_lead(engine, draft, now=NOW + timedelta(hours=1))
    # then the first lead is answered and nothing new is stored
    assert first.created and not again.created
    assert again.lead.id == first.lead.id and again.lead.created_at == NOW
    assert stored_leads(engine) == 1 and stored_history(engine) == 1


def test_the_same_external_id_at_two_partners_makes_two_leads(engine, tenant, other_tenant):
    a = ingest_lead(engine, lead_draft("contact_me", tenant.partner_id, external_id="mkt-1"), now=NOW)
    b = ingest_lead(engine, lead_draft("contact_me", other_tenant.partner_id, external_id="mkt-1"), now=NOW)
    assert a.created and b.created and a.lead.id != b.lead.id
    assert stored_leads(engine) == 2


def test_leads_without_external_id_are_never_merged(engine, tenant):
    draft = lead_draft("contact_me", tenant.partner_id)
    ingest_lead(engine, draft, now=NOW)
    ingest_lead(engine, draft, now=NOW)
    assert stored_leads(engine) == 2


def test_a_lead_goes_to_the_location_it_names(engine, tenant):
    # given a partner with a second location
    from referrals.store.db import writing
    from referrals.store.tables import locations

    with writing(engine) as conn:
        conn.execute(locations.insert().values(partner_id=tenant.partner_id, id="loc-rome", country="IT",
                                               city="Roma", created_at=NOW))
    # when a lead names it, then the lead is attached there
    lead = ingest_lead(engine, lead_draft("profile", tenant.partner_id, location_id="loc-rome"), now=NOW).lead
    assert get_lead(engine, tenant.reader, lead.id).lead.location_id == "loc-rome"


def test_a_location_of_another_partner_is_refused(engine, tenant, other_tenant):
    # given a draft for partner A naming partner B's location
    draft = lead_draft("contact_me", tenant.partner_id, location_id=other_tenant.location_id)
    # when it is ingested, then it is refused and nothing is stored
    with pytest.raises(InvalidInput) as raised:
        ingest_lead(engine, draft, now=NOW)
    assert "location_id" in raised.value.fields
    assert stored_leads(engine) == 0


def test_a_lead_for_an_unknown_partner_is_refused(engine, tenant):
    with pytest.raises(InvalidInput) as raised:
        ingest_lead(engine, lead_draft("contact_me", "no-such-partner"), now=NOW)
    assert "partner_id" in raised.value.fields
    assert stored_leads(engine) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"customer": {"company": "", "last_name": "", "email": ""}}, "customer"),
        ({"customer": {"country": "Italy"}}, "customer.country"),
        ({"customer": {"company_size": "huge"}}, "customer.company_size"),
        ({"origin": {"call_to_action": None}}, "call_to_action"),
        ({"message": "x" * 10001}, "message"),
    ],
)
def test_an_unusable_lead_is_refused_and_nothing_is_stored(engine, tenant, overrides, field):
    with pytest.raises(InvalidInput) as raised:
        ingest_lead(engine, lead_draft("contact_me", tenant.partner_id, **overrides), now=NOW)
    assert field in raised.value.fields
    assert stored_leads(engine) == 0 and stored_history(engine) == 0


def test_a_malformed_customer_email_is_kept_and_judged_not_refused(engine, tenant):
    lead = ingest_lead(engine, lead_draft("contact_me", tenant.partner_id, customer={"email": "not-an-email"}),
                       now=NOW).lead
    assert get_lead(engine, tenant.reader, lead.id).lead.customer.email == "not-an-email"
    assert lead.screening.email_validity.value == "invalid"


# -- in bulk ---------------------------------------------------------------------------------------------


def test_a_batch_stores_each_lead_once_even_when_it_repeats_itself(engine, tenant):
    # given a batch that carries one external id twice
    drafts = [
        lead_draft("contact_me", tenant.partner_id, external_id="b-1"),
        lead_draft("profile", tenant.partner_id, external_id="b-2"),
        lead_draft("contact_me", tenant.partner_id, external_id="b-1"),
    ]
    # when it is ingested
    results = ingest_many(engine, drafts, now=NOW)
    # then the repeat answers the first lead and creates nothing
    assert [r.created for r in results] == [True, True, False]
    assert results[2].lead.id == results[0].lead.id
    assert stored_leads(engine) == 2 and stored_history(engine) == 2


def test_a_batch_answers_leads_that_already_exist(engine, tenant):
    # given a lead ingested earlier
    earlier = ingest_lead(engine, lead_draft("contact_me", tenant.partner_id, external_id="x-1"), now=NOW).lead
    # when a batch carries it again with a new one
    results = ingest_many(engine, [
        lead_draft("contact_me", tenant.partner_id, external_id="x-2"),
        lead_draft("contact_me", tenant.partner_id, external_id="x-1"),
    ], now=NOW + timedelta(minutes=5))
    # then only the new one is created
    assert [r.created for r in results] == [True, False]
    assert results[1].lead.id == earlier.id
    assert stored_leads(engine) == 2


def test_a_bad_item_does_not_stop_the_batch(engine, tenant, other_tenant):
    # given a batch with an unusable customer and a foreign location among good leads
    drafts = [
        lead_draft("contact_me", tenant.partner_id, external_id="ok-1"),
        lead_draft("contact_me", tenant.partner_id, customer={"country": "ITA"}),
        lead_draft("profile", tenant.partner_id, location_id=other_tenant.location_id),
        lead_draft("marketing", tenant.partner_id, external_id="ok-2"),
        lead_draft("contact_me", "no-such-partner"),
    ]
    # when it is ingested
    results = ingest_many(engine, drafts, now=NOW)
    # then each result says what happened to its own item, in order, and the good ones are stored
    assert [r.created for r in results] == [True, False, False, True, False]
    assert [type(r.error).__name__ if r.error else None for r in results] == [
        None, "InvalidInput", "InvalidInput", None, "InvalidInput"]
    assert "customer.country" in results[1].error.fields
    assert "location_id" in results[2].error.fields
    assert stored_leads(engine) == 2
    for result in (results[0], results[3]):
        assert get_lead(engine, tenant.reader, result.lead.id).lead == as_stored(result.lead)


def test_a_batch_spreads_over_several_partners(engine, tenant, other_tenant):
    third = add_partner(engine, "Tailspin")
    drafts = [lead_draft("contact_me", p) for p in (tenant.partner_id, other_tenant.partner_id, third.id)] * 3
    results = ingest_many(engine, drafts, now=NOW)
    assert all(r.created for r in results)
    assert {r.lead.location_id for r in results} == {tenant.location_id, other_tenant.location_id, third.location_id}
    assert stored_leads(engine) == 9


def test_an_empty_batch_does_nothing(engine, tenant):
    assert ingest_many(engine, [], now=NOW) == []
    assert stored_leads(engine) == 0


def test_two_concurrent_deliveries_of_one_lead_create_it_once(engine, tenant, monkeypatch):
    # given the source delivering the same lead twice at the same moment, both past the duplicate check before
    # either writes (on SQLite the second waits for the first's write lock, so the barrier times out instead)
    draft = lead_draft("contact_me", tenant.partner_id, external_id="twice")
    restore = pause_after(monkeypatch, ingest_service, "find_by_external_id")
    results: list[object] = []

    def deliver():
        try:
            results.append(ingest_lead(engine, draft, now=NOW))
        except Exception as error:  # the test inspects what each thread got
            results.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    restore()
    # then one delivery created the lead, the other answered it
    assert sorted(r.created for r in results) == [False, True], results
    assert results[0].lead.id == results[1].lead.id
    assert stored_leads(engine) == 1 and stored_history(engine) == 1
