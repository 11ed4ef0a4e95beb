"""CSV export: exactly the filtered list (all rows, same order), stable columns, expired contacts blank,
cells safe to open in a spreadsheet."""

import csv
import io
from datetime import timedelta

import pytest

from referrals.domain.enums import Outcome, QualityLabel, Reason, Status
from referrals.domain.listing import LeadFilter, PageRequest, Sort, Tab
from referrals.services.export import HEADERS, export_csv
from referrals.services.lifecycle import accept_lead, decline_lead
from referrals.services.reading import list_leads, set_favorite
from referrals.services.sweep import sweep
from tests.factories import NOW, deal_terms, ingest, restamp

CONTACT_COLUMNS = ["CustomerFirstName", "CustomerLastName", "CustomerTitle", "CustomerEmail", "CustomerPhone"]


def exported(engine, principal, lead_filter=LeadFilter(), sort=Sort.NEWEST, **kwargs) -> list[dict[str, str]]:
    text = "".join(export_csv(engine, principal, lead_filter, sort, **kwargs))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    assert header == HEADERS
    return [dict(zip(header, row, strict=True)) for row in reader]


def listed_ids(engine, principal, lead_filter, sort) -> list[str]:
    ids, cursor = [], None
    while True:
        page = list_leads(engine, principal, PageRequest(lead_filter, sort, 7, cursor))
        ids += [lead.id for lead, _ in page.items]
        if (cursor := page.next_cursor) is None:
            return ids


@pytest.fixture
def leads(engine, tenant, other_tenant):
    """Twenty leads of partner A over two days, some answered, some expired; a few of partner B."""
    made = []
    kinds = ["contact_me", "profile", "get_it_now", "marketing", "sales"]
    for n in range(20):
        lead = ingest(engine, kinds[n % 5], tenant.partner_id, now=NOW - timedelta(days=15, hours=n),
                      customer={"company": f"Company {n:02d}", "last_name": f"Last{n}"})
        restamp(engine, tenant.partner_id, lead.id, quality_label=("high" if n % 3 else "low"))
        made.append(lead)
    accept_lead(engine, tenant.admin, made[0].id, deal_terms(team=(tenant.admin.user_id,)),
                now=NOW - timedelta(days=14, hours=23))
    decline_lead(engine, tenant.admin, made[1].id, Reason.SPAM, "Spam.", now=NOW - timedelta(days=14, hours=23))
    sweep(engine, now=NOW)  # every other unanswered actionable lead has expired
    for n in range(3):
        ingest(engine, "contact_me", other_tenant.partner_id, customer={"company": f"Other {n}"})
    return made


@pytest.mark.parametrize(
    ("lead_filter", "sort"),
    [
        (LeadFilter(), Sort.NEWEST),
        (LeadFilter(), Sort.CUSTOMER),
        (LeadFilter(tab=Tab.QUALIFIED), Sort.OLDEST),
        (LeadFilter(quality=frozenset({QualityLabel.HIGH})), Sort.DEADLINE),
        (LeadFilter(status=frozenset({Status.ARCHIVED})), Sort.VALUE),
        (LeadFilter(customer="company 1"), Sort.QUALITY),
    ],
)
def test_the_export_holds_exactly_the_filtered_list_in_the_same_order(engine, tenant, leads, lead_filter, sort):
    # given a filtered, sorted list spanning several pages
    expected = listed_ids(engine, tenant.reader, lead_filter, sort)
    assert len(expected) > 0
    # when it is exported, then every row of the list is there, once, in the list's order, without paging
    rows = exported(engine, tenant.reader, lead_filter, sort)
    assert [row["LeadId"] for row in rows] == expected


def test_the_export_is_written_in_chunks_that_add_up_to_the_whole(engine, tenant, leads):
    chunks = list(export_csv(engine, tenant.reader, LeadFilter(), Sort.NEWEST, chunk_rows=3))
    assert len(chunks) >= 20 // 3
    assert "".join(chunks) == "".join(export_csv(engine, tenant.reader, LeadFilter(), Sort.NEWEST))


def test_the_export_has_the_documented_columns(engine, tenant, leads):
    # then the header is stable and includes the creation time, validity, quality, status and deal columns
    for column in ("LeadId", "LeadCreationDateTime", "EmailValidity", "PhoneValidity", "LeadQuality", "Status",
                   "Outcome", "DealName", "DealValue", "DealCurrency"):
        assert column in HEADERS
    rows = {row["LeadId"]: row for row in exported(engine, tenant.reader)}
    first = rows[leads[0].id]
    assert first["LeadCreationDateTime"] == (NOW - timedelta(days=15)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (first["Status"], first["DealName"], first["DealValue"], first["DealCurrency"]) == (
        "accepted", "Fabrikam CRM rollout", "25000.00", "EUR")
    assert (rows[leads[1].id]["Outcome"], rows[leads[1].id]["ClosingReason"]) == (Outcome.DECLINED, "spam")


def test_expired_leads_export_without_contact_details(engine, tenant, leads):
    # given leads that expired unanswered and leads that did not
    rows = {row["LeadId"]: row for row in exported(engine, tenant.reader)}
    expired = [r for r in rows.values() if r["Outcome"] == "expired"]
    kept = [r for r in rows.values() if r["Outcome"] != "expired"]
    assert expired and kept
    # then expired rows have every contact column blank but keep the company; the others keep their contacts
    for row in expired:
        assert [row[c] for c in CONTACT_COLUMNS] == [""] * len(CONTACT_COLUMNS), row
        assert row["CustomerCompany"].startswith("Company")
    for row in kept:
        assert row["CustomerEmail"] == "giulia.rossi@fabrikam.it" and row["CustomerLastName"].startswith("Last")


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_cells_that_would_run_as_formulas_are_neutralised(engine, tenant, start):
    # given a lead whose customer typed formulas into every text field
    evil = f"{start}HYPERLINK(\"http://evil.example\",\"click\")"
    ingest(engine, "contact_me", tenant.partner_id, message=f"{start}cmd|' /C calc'!A0",
           customer={"company": evil, "first_name": evil, "last_name": evil, "title": evil, "phone": f"{start}1"})
    # when it is exported
    [row] = exported(engine, tenant.reader)
    # then no cell starts with a formula character; each is prefixed as text and otherwise intact
    for column, value in row.items():
        assert not value.startswith(("=", "+", "-", "@")), (column, value)
    assert row["CustomerCompany"] == "'" + evil
    assert row["Message"] == f"'{start}cmd|' /C calc'!A0"
    assert row["CustomerPhone"] == f"'{start}1"


def test_the_favorites_export_is_the_users_own(engine, tenant, leads):
    # given the reader hearted two leads and the admin one other
    set_favorite(engine, tenant.reader, leads[3].id, True, now=NOW)
    set_favorite(engine, tenant.reader, leads[4].id, True, now=NOW)
    set_favorite(engine, tenant.admin, leads[5].id, True, now=NOW)
    # then each one's favorites export holds their own hearts only
    assert {r["LeadId"] for r in exported(engine, tenant.reader, LeadFilter(tab=Tab.FAVORITES))} == {
        leads[3].id, leads[4].id}
    assert [r["LeadId"] for r in exported(engine, tenant.admin, LeadFilter(tab=Tab.FAVORITES))] == [leads[5].id]


def test_an_empty_list_exports_just_the_header(engine, tenant):
    text = "".join(export_csv(engine, tenant.reader, LeadFilter(), Sort.NEWEST))
    assert text == ",".join(HEADERS) + "\r\n"
