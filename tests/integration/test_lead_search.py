"""The list's search (`q`, issue 14): company, contact names, email, phone by its digits, lead id, external id and deal
name, case- and accent-insensitive, combined with every filter; an expired lead's withheld contacts are not searched;
the stored search text is what the code that writes leads and the sweep make of it."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from referrals.domain.enums import Status
from referrals.domain.listing import LeadFilter, PageRequest, Tab
from referrals.services.lifecycle import accept_lead
from referrals.services.reading import get_lead, list_leads
from referrals.services.sweep import sweep
from referrals.store.db import reading
from referrals.store.leadrows import search_text
from referrals.store.tables import leads
from tests.factories import NOW, add_tenant, days, deal_terms, ingest


@pytest.fixture
def shop(engine):
    """Three leads of one partner (and a look-alike of another partner that must never show)."""
    tenant, other = add_tenant(engine, "Contoso Consulting"), add_tenant(engine, "Northwind Partners")
    made = {
        "muller": ingest(engine, "contact_me", tenant.partner_id, now=NOW - timedelta(minutes=3), external_id="SF-00Q7",
                         customer={"company": "Müller Küchen GmbH", "first_name": "Jürgen", "last_name": "Groß",
                                   "email": "Juergen.Gross@Mueller-Kuechen.DE", "phone": "+49 30 1234 5678",
                                   "country": "DE"}),
        "rossi": ingest(engine, "profile", tenant.partner_id, now=NOW - timedelta(minutes=2),
                        customer={"company": "Fabrikam Srl", "first_name": "Niccolò", "last_name": "Rossi",
                                  "email": "niccolo@fabrikam.it", "phone": "+39 02 4567 8910", "country": "IT"}),
        "adatum": ingest(engine, "marketing", tenant.partner_id, now=NOW - timedelta(minutes=1),
                         customer={"company": "Adatum Corp", "first_name": "Ann", "last_name": "Lee",
                                   "email": "ann@adatum.example", "phone": "", "country": "US"}),
    }
    ingest(engine, "contact_me", other.partner_id,
           customer={"company": "Müller Küchen GmbH", "phone": "+39 02 4567 8910", "email": "niccolo@fabrikam.it"})
    return engine, tenant, made


def found(engine, tenant, made, q: str, **filters) -> list[str]:
    page = list_leads(engine, tenant.reader, PageRequest(LeadFilter(q=q, **filters), limit=50), now=NOW)
    names = {lead.id: name for name, lead in made.items()}
    return sorted(names[item.id] for item in page.items)


@pytest.mark.parametrize(("q", "expected"), [
    ("müller", ["muller"]), ("MULLER kuchen", ["muller"]), ("jurgen", ["muller"]), ("GROSS", ["muller"]),  # ß: ss
    ("gross@mueller", ["muller"]), ("juergen.gross@mueller-kuechen.de", ["muller"]), ("NICCOLÒ", ["rossi"]),
    ("0245678910", ["rossi"]), ("02 4567 8910", ["rossi"]), ("+39 02 4567 8910", ["rossi"]),
    ("(02) 4567-8910", ["rossi"]), ("8910", ["rossi"]), ("4567", ["muller", "rossi"]), ("30 1234", ["muller"]),
    ("sf-00q7", ["muller"]), ("fabrikam.it", ["rossi"]),
    ("corp", ["adatum"]), ("  lee  ", ["adatum"]), ("nobody at all", []), ("%", []), ("_", []),
])
def test_a_search_finds_each_lead_by_any_of_its_contact_fields(shop, q, expected):
    engine, tenant, made = shop
    assert found(engine, tenant, made, q) == expected


def test_a_whole_lead_id_finds_exactly_that_lead_in_any_case(shop):
    engine, tenant, made = shop
    lead_id = made["rossi"].id
    assert found(engine, tenant, made, lead_id) == ["rossi"]
    assert found(engine, tenant, made, lead_id.upper()) == ["rossi"]


def test_a_search_finds_a_deal_by_its_name_without_accents(shop):
    engine, tenant, made = shop
    accept_lead(engine, tenant.admin, made["adatum"].id, deal_terms(name="Rinnovo Licenze Città", team=(
        tenant.admin.user_id,)), now=NOW)
    assert found(engine, tenant, made, "licenze citta") == ["adatum"]
    assert found(engine, tenant, made, "RINNOVO") == ["adatum"]


def test_a_search_combines_with_every_other_filter(shop):
    engine, tenant, made = shop
    assert found(engine, tenant, made, "f", country=frozenset({"IT"})) == ["rossi"]
    assert found(engine, tenant, made, "a", tab=Tab.QUALIFIED) == ["adatum"]
    assert found(engine, tenant, made, "0245678910", status=frozenset({Status.ACCEPTED})) == []
    assert found(engine, tenant, made, "müller", customer="küchen") == ["muller"]


def test_an_expired_lead_is_not_found_by_its_withheld_contacts_but_still_by_its_company(shop):
    engine, tenant, made = shop
    # given the leads left unanswered past their deadline, when the sweep expires them
    sweep(engine, now=NOW + days(15))
    # then their names, emails and phones no longer find them; their company and external id still do
    for q in ("jurgen", "juergen.gross", "0245678910", "niccolo@", "lee"):
        assert found(engine, tenant, made, q) == [], q
    assert found(engine, tenant, made, "kuchen") == ["muller"]
    assert found(engine, tenant, made, "SF-00Q7") == ["muller"]


def test_the_stored_search_text_is_what_the_lead_makes_of_it_after_every_change(shop):
    engine, tenant, made = shop
    # when one lead is accepted (a deal name) and the others expire through the set-based sweep
    accept_lead(engine, tenant.admin, made["adatum"].id, deal_terms(team=(tenant.admin.user_id,)), now=NOW)
    sweep(engine, now=NOW + days(15))
    # then each row's search text equals the one the domain's lead gives
    with reading(engine) as conn:
        stored = dict(conn.execute(select(leads.c.id, leads.c.search_text)
                                   .where(leads.c.partner_id == tenant.partner_id)).all())
    for lead in made.values():
        assert stored[lead.id] == search_text(get_lead(engine, tenant.reader, lead.id).lead)


@pytest.mark.parametrize("lead_filter", [LeadFilter(q="zqxj", tab=Tab.MARKETPLACE),
                                         LeadFilter(q="02 4567", status=frozenset({Status.RECEIVED}),
                                                    country=frozenset({"IT"}))])
def test_a_search_with_other_filters_walks_the_search_index_on_sqlite(engine, lead_filter):
    # given the newest-first page of a search combined with a tab or a status (the equalities of other indexes)
    from referrals.domain.listing import Sort
    from referrals.store.listing import _page_statement, bind_scope

    statement = _page_statement(lead_filter, Sort.NEWEST, False, 50).params(bind_scope("p", "u"))
    sent: list = []

    def capture(conn, cursor, sql, parameters, context, many):
        sent.append((sql, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with reading(engine) as conn:
            conn.execute(statement).all()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    sql, parameters = sent[-1]
    if engine.dialect.name == "sqlite":
        # then SQLite walks ix_leads_search (the term tested on the index entry), not the tab's or status' index
        with reading(engine) as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).all()
        assert "ix_leads_search" in plan[0][3], plan
    else:
        # and PostgreSQL gets the columns as they are (its planner picks the trigram index for rare terms)
        assert "+leads." not in sql
