"""The list's count stops at a cap: exact up to it, "more" past it, over the same filters, tab and scope as the list,
on both databases. A capped tab count says "10,000+" rather than reading every matching lead."""

from dataclasses import replace

from sqlalchemy import event, inspect

from referrals.domain.enums import Status
from referrals.domain.list_position import COUNT_CAP, SEARCH_COUNT_CAP, Count, count_cap
from referrals.domain.listing import LeadFilter, Tab
from referrals.services import list_counts
from referrals.services.ingest import ingest_many
from referrals.services.reading import set_favorite
from referrals.store import list_count
from referrals.store.db import reading
from tests.factories import CONTACT_ME, NOW, SALES, days, lead_draft

ITALY = LeadFilter(tab=Tab.MARKETPLACE, country=frozenset({"IT"}))


def _world(engine, tenant, other_tenant):
    drafts = [lead_draft(CONTACT_ME, tenant.partner_id, customer={"company": f"Cliente {i}", "country": "IT"})
              for i in range(5)]
    drafts += [lead_draft(CONTACT_ME, tenant.partner_id, customer={"company": "Kunde", "country": "DE"}),
               lead_draft(SALES, tenant.partner_id, customer={"company": "Cliente Q", "country": "IT"}),
               lead_draft(CONTACT_ME, other_tenant.partner_id, customer={"company": "Altro", "country": "IT"})]
    return [found.lead for found in ingest_many(engine, drafts, now=NOW - days(1))]


def test_the_count_is_exact_up_to_the_cap_and_stops_past_it(engine, tenant, other_tenant):
    _world(engine, tenant, other_tenant)
    with reading(engine) as conn:
        counted = [list_count.capped_count(conn, tenant.partner_id, tenant.admin.user_id, ITALY, cap=cap)
                   for cap in (10, 5, 3)]

    # 5 Italian marketplace leads of this partner; past a cap of 3, "3+"
    assert counted == [Count(5, False), Count(5, False), Count(3, True)]


def test_the_count_follows_the_tab_filters_and_the_readers_hearts(engine, tenant, other_tenant):
    made = _world(engine, tenant, other_tenant)
    set_favorite(engine, tenant.reader, made[0].id, True, now=NOW)
    set_favorite(engine, tenant.reader, made[6].id, True, now=NOW)  # the qualified one

    assert list_counts.count_leads(engine, tenant.reader, ITALY) == Count(5, False)
    assert list_counts.count_leads(engine, tenant.reader, replace(ITALY, tab=Tab.QUALIFIED)) == Count(1, False)
    assert list_counts.count_leads(engine, tenant.reader, replace(ITALY, tab=Tab.FAVORITES)) == Count(2, False)
    assert list_counts.count_leads(engine, tenant.admin, replace(ITALY, tab=Tab.FAVORITES)) == Count(0, False)
    assert list_counts.count_leads(engine, tenant.reader, replace(ITALY, q="cliente 1")) == Count(1, False)
    assert list_counts.count_leads(engine, tenant.reader, replace(ITALY, q=made[2].id)) == Count(1, False)
    assert list_counts.count_leads(engine, tenant.reader, replace(ITALY, q=made[7].id)) == Count(0, False)  # B's
    received = replace(ITALY, status=frozenset({Status.ACCEPTED}))
    assert list_counts.count_leads(engine, tenant.reader, received) == Count(0, False)


def test_tab_counts_are_exact_without_a_filter_and_capped_where_cheap_with_one(engine, tenant, other_tenant):
    _world(engine, tenant, other_tenant)

    plain = list_counts.tab_counts(engine, tenant.admin, LeadFilter(tab=Tab.MARKETPLACE))
    filtered = list_counts.tab_counts(engine, tenant.admin, ITALY)

    assert plain == {Tab.MARKETPLACE: Count(6, False), Tab.QUALIFIED: Count(1, False), Tab.FAVORITES: Count(0, False)}
    searched = list_counts.tab_counts(engine, tenant.admin, replace(ITALY, q="cliente"))
    on_favorites = list_counts.tab_counts(engine, tenant.admin, replace(ITALY, tab=Tab.FAVORITES), known=0)

    named = list_counts.tab_counts(engine, tenant.admin, replace(ITALY, customer="cliente"))

    # with a filter the page is served with its own tab's count; the others come later (other_tabs)
    assert filtered == {Tab.MARKETPLACE: Count(5, False), Tab.QUALIFIED: None, Tab.FAVORITES: None}
    assert searched == {Tab.MARKETPLACE: Count(5, False), Tab.QUALIFIED: None, Tab.FAVORITES: None}
    assert named == {Tab.MARKETPLACE: Count(5, False), Tab.QUALIFIED: None, Tab.FAVORITES: None}
    assert on_favorites == {Tab.MARKETPLACE: None, Tab.QUALIFIED: None, Tab.FAVORITES: Count(0, False)}
    # the other tabs are counted where index entries tell: not the hearts, not a text filter; nothing unfiltered
    other = list_counts.other_tabs
    assert other(engine, tenant.admin, ITALY) == {Tab.QUALIFIED: Count(1, False)}
    assert other(engine, tenant.admin, replace(ITALY, q="cliente")) == {}
    assert other(engine, tenant.admin, replace(ITALY, customer="cliente")) == {}
    assert other(engine, tenant.admin, replace(ITALY, tab=Tab.FAVORITES)) == {Tab.MARKETPLACE: Count(5, False),
                                                                             Tab.QUALIFIED: Count(1, False)}
    assert other(engine, tenant.admin, LeadFilter(tab=Tab.MARKETPLACE)) == {}


def test_a_count_past_the_cap_reads_as_the_cap_and_more():
    assert Count.of(COUNT_CAP + 1) == Count(COUNT_CAP, True)
    assert Count.of(COUNT_CAP) == Count(COUNT_CAP, False)
    assert Count.of(200_000, exact=True) == Count(200_000, False)
    assert Count.of(SEARCH_COUNT_CAP + 1, cap=SEARCH_COUNT_CAP) == Count(SEARCH_COUNT_CAP, True)


def test_a_text_search_is_counted_to_a_lower_cap():
    assert count_cap(ITALY) == COUNT_CAP
    assert count_cap(replace(ITALY, q="orbit")) == count_cap(replace(ITALY, customer="orbit")) == SEARCH_COUNT_CAP
    assert count_cap(replace(ITALY, q="  ")) == COUNT_CAP


def test_a_search_past_its_cap_reads_as_the_cap_and_more(engine, tenant, monkeypatch):
    monkeypatch.setattr("referrals.domain.list_position.SEARCH_COUNT_CAP", 3)
    ingest_many(engine, [lead_draft(CONTACT_ME, tenant.partner_id, customer={"company": f"Orbit {i}", "country": "IT"})
                         for i in range(5)], now=NOW - days(1))

    assert list_counts.count_leads(engine, tenant.admin, replace(ITALY, q="orbit")) == Count(3, True)
    assert list_counts.count_leads(engine, tenant.admin, ITALY) == Count(5, False)


def test_a_country_filters_count_seeks_the_country_index(engine, tenant, other_tenant):
    # given Italian High leads among others: the count of "Italy, High" on the Marketplace tab
    _world(engine, tenant, other_tenant)
    italy_high = replace(ITALY, quality=frozenset({"high", "low", "medium"}))
    sent: list = []

    def capture(conn, cursor, sql, parameters, context, many):
        sent.append((sql, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        counted = list_counts.count_leads(engine, tenant.admin, italy_high)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    sql, parameters = next((s, p) for s, p in sent if "count(" in s.lower())

    assert counted == Count(5, False)
    if engine.dialect.name == "sqlite":
        # then SQLite seeks the country's entries of ix_leads_country (migration 0017) instead of walking the tab's
        with reading(engine) as conn:
            plan = " ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters))
        assert "USING COVERING INDEX ix_leads_country (partner_id=? AND customer_country=?" in plan, plan
    else:
        # PostgreSQL plans a few test rows as it likes; the index is there, led by the columns the count tests
        # (its choice on the 1M set: docs/performance.md, "The list page with its count")
        found = {index["name"]: index["column_names"] for index in inspect(engine).get_indexes("leads")}
        assert found["ix_leads_country"][:4] == ["partner_id", "customer_country", "quality_label", "qualification"]
