"""The urgency sort's SQL (store/urgency.py) against the domain's rules: for leads in every urgency-relevant state, the
list sorted by urgency is exactly the order `LeadState.urgency` gives (hot newest first, then waiting by nearest
deadline, then the rest newest first), and the `contact_me` filter is exactly `asks_for_contact`."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from referrals.domain.enums import CallToAction
from referrals.domain.listing import LeadFilter, PageRequest, Sort
from referrals.services.lifecycle import accept_lead
from referrals.services.reading import get_lead, list_leads
from referrals.store import urgency
from referrals.store.db import writing
from referrals.store.tables import leads
from referrals.store.urgency_page import _statement
from tests.factories import NOW, add_tenant, days, deal_terms, ingest, restamp, urgency_order

SPAM = {"spam": True, "spam_reasons": ["email: a known spam address"]}
KINDS = ("contact_me", "profile", "sales", "marketing", "free_trial", "get_it_now")


@pytest.fixture
def mixed(engine):
    tenant = add_tenant(engine)
    made = {}
    for n, kind in enumerate(KINDS):
        for age in (timedelta(minutes=5 + n), timedelta(hours=71), timedelta(hours=80 + n), days(15)):
            key = f"{kind}-{age}"
            made[key] = ingest(engine, kind, tenant.partner_id, now=NOW - age)
    # unreachable, spam-flagged, reachable by email only, asked for contact through a ticked box, and answered
    restamp(engine, tenant.partner_id, made["contact_me-0:05:00"].id, **SPAM)
    restamp(engine, tenant.partner_id, made["profile-0:06:00"].id, phone_validity="invalid", email_validity="invalid")
    restamp(engine, tenant.partner_id, made["contact_me-3 days, 8:00:00"].id, customer_phone="", email_validity="valid")
    restamp(engine, tenant.partner_id, made["free_trial-0:09:00"].id, customer_requested_contact=True)
    restamp(engine, tenant.partner_id, made["sales-0:07:00"].id, customer_requested_contact=True)
    accept_lead(engine, tenant.admin, made["profile-2 days, 23:00:00"].id, deal_terms(team=(tenant.admin.user_id,)),
                now=NOW)
    stored = {key: get_lead(engine, tenant.reader, lead.id).lead for key, lead in made.items()}
    return engine, tenant, stored


def walk(engine, tenant, lead_filter: LeadFilter, limit: int) -> list[str]:
    ids, cursor = [], None
    while True:
        page = list_leads(engine, tenant.reader, PageRequest(lead_filter, Sort.URGENCY, limit, cursor), now=NOW)
        ids += [item.id for item in page.items]
        if (cursor := page.next_cursor) is None:
            return ids


@pytest.mark.parametrize("limit", [1, 4, 50])
def test_the_urgency_sort_is_the_domains_urgency_page_after_page(mixed, limit):
    engine, tenant, stored = mixed
    by_id = {lead.id: key for key, lead in stored.items()}
    assert [by_id[i] for i in walk(engine, tenant, LeadFilter(), limit)] == urgency_order(stored, NOW)


def test_contact_me_takes_exactly_the_leads_whose_customer_asked_to_be_contacted(mixed):
    engine, tenant, stored = mixed
    wanted = LeadFilter(call_to_action=frozenset({CallToAction.CONTACT_ME}))
    found = set(walk(engine, tenant, wanted, 50))
    assert found == {lead.id for lead in stored.values() if lead.asked_for_contact}
    assert any(lead.origin.call_to_action is None for lead in stored.values() if lead.id in found)


@pytest.mark.parametrize("limit", [1, 4, 50])
def test_under_a_search_the_urgency_sort_is_the_domains_urgency_of_the_leads_found(mixed, limit):
    # given a term some of the mixed leads' companies hold, in each urgency group
    engine, tenant, stored = mixed
    found_keys = [key for n, key in enumerate(stored) if n % 2 == 0]
    with writing(engine) as conn:
        conn.execute(update(leads).where(leads.c.id.in_([stored[key].id for key in found_keys]))
                     .values(search_text=leads.c.search_text + " orbitale"))
    by_id = {lead.id: key for key, lead in stored.items()}
    wanted = [key for key in urgency_order(stored, NOW) if key in found_keys]

    # then the walk by urgency under the search holds exactly those leads, in the domain's order (the waiting group
    # tests the term on the partner's waiting leads on PostgreSQL: store/unindexed.py: off_trigrams)
    assert [by_id[i] for i in walk(engine, tenant, LeadFilter(q="orbitale"), limit)] == wanted


def test_the_waiting_groups_search_is_kept_off_the_trigram_index_on_postgresql(engine):
    waiting = str(_statement(LeadFilter(q="orbit"), urgency.WAITING, False, 50).compile(engine))
    hot = str(_statement(LeadFilter(q="orbit"), urgency.HOT, False, 50).compile(engine))

    if engine.dialect.name == "postgresql":
        assert "(leads.search_text || '') LIKE" in waiting and "(leads.search_text || '')" not in hot
    else:  # SQLite walks its search index in every group (store/unindexed.py: off_index)
        assert "|| ''" not in waiting and "leads.search_text LIKE" in waiting
