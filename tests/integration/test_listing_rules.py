"""Listing rules that come from PRODUCT.md section 4, and ingestion racing itself in bulk."""

import threading

from referrals.domain.enums import Status
from referrals.domain.listing import LeadFilter, PageRequest
from referrals.services.ingest import ingest_many
from referrals.services.reading import list_leads
from tests import factories


def ids(engine, principal, lead_filter):
    return {item.id for item in list_leads(engine, principal, PageRequest(lead_filter, limit=200)).items}


def test_the_status_filter_applies_to_leads_that_need_an_answer_not_to_informational_ones(engine, tenant, now):
    contact_me = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    profile = factories.ingest(engine, factories.PROFILE, tenant.partner_id, now=now)
    trial = factories.ingest(engine, factories.FREE_TRIAL, tenant.partner_id, now=now)

    received = ids(engine, tenant.reader, LeadFilter(status=frozenset({Status.RECEIVED})))

    assert received == {contact_me.id, profile.id}
    assert trial.id in ids(engine, tenant.reader, LeadFilter())


def test_the_country_filter_ignores_case(engine, tenant, now):
    italian = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now, customer={"country": "DE"})

    assert ids(engine, tenant.reader, LeadFilter(country=frozenset({"it"}))) == {italian.id}


def test_two_bulk_deliveries_of_the_same_leads_at_once_create_each_lead_once(engine, tenant, now):
    drafts = [factories.lead_draft(factories.SALES, tenant.partner_id, external_id=f"crm-{i}") for i in range(30)]
    barrier = threading.Barrier(2)
    results = [None, None]

    def deliver(slot):
        barrier.wait()
        results[slot] = ingest_many(engine, drafts, now=now)

    threads = [threading.Thread(target=deliver, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    created = sum(result.created for batch in results for result in batch)
    assert created == 30
    first, second = ({r.lead.id for r in batch} for batch in results)
    assert first == second and len(first) == 30
    assert len(ids(engine, tenant.reader, LeadFilter())) == 30


def test_an_expired_lead_is_no_longer_found_by_the_customers_name_but_still_by_the_company(engine, tenant, now):
    from datetime import timedelta

    from referrals.services.sweep import sweep

    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now,
                            customer={"company": "Fabrikam Srl", "first_name": "Giulia", "last_name": "Rossi"})
    assert ids(engine, tenant.reader, LeadFilter(customer="rossi")) == {lead.id}

    sweep(engine, now=now + timedelta(days=15))

    assert ids(engine, tenant.reader, LeadFilter(customer="rossi")) == set()
    assert ids(engine, tenant.reader, LeadFilter(customer="fabrikam")) == {lead.id}
