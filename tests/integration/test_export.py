"""CSV export: exactly the filtered list (all rows, same order), stable columns, expired contacts blank,
cells safe to open in a spreadsheet."""

import csv
import io
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from referrals.domain.enums import Outcome, QualityLabel, Reason, Status
from referrals.domain.listing import LeadFilter, PageRequest, Sort, Tab
from referrals.domain.text import safe_cell, safe_phone_cell
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
        ids += [item.id for item in page.items]
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
    assert text == ",".join(HEADERS) + "\n"


# The database formats the cells (store.csvcells); these hold it to the rules kept in Python, on both databases.
TRICKY = ["=1+1", "+39 02 1234", "-2", "@SUM(A1)", "\t=1", "|cmd", "%x", "Fabrikam, \"Srl\"", "Müller\nGmbH",
          "'quoted", " =spaced", "plain", "Ørsted A/S", "x=1", "a,b", '"', ",", "cr\rhere", "crlf\r\nend",
          "=a,b", '-"x"', " ", "trailing\n", "tab\tinside", "€ 5,00"]


def test_database_formatted_cells_follow_safe_cell(engine, tenant):
    # given leads whose free-text fields hold every kind of awkward text (written straight into the rows: the
    # input policy now refuses some of it, but rows stored before it may hold anything)
    for n, value in enumerate(TRICKY):
        lead = ingest(engine, "contact_me", tenant.partner_id, now=NOW - timedelta(minutes=n))
        restamp(engine, tenant.partner_id, lead.id, customer_company=value, offer_title=value, message=value,
                spam_reasons=[value, "second reason"])
    # when they are exported, then every such cell is exactly what safe_cell makes of the stored text
    rows = exported(engine, tenant.reader)
    assert [(r["CustomerCompany"], r["OfferTitle"], r["Message"]) for r in rows] == [
        (safe_cell(v), safe_cell(v), safe_cell(v)) for v in TRICKY]
    assert [r["SpamReasons"] for r in rows] == [safe_cell(f"{v}; second reason") for v in TRICKY]


PHONES = ["+39 02 4567 8910", "0245678910", "+1 415 555 0100", "+39-02-4567", "(02) 4567", "++39 02", "+", "+ ",
          "=1+1", "-2 34", "@1", " 02 4567", "+39 02 +4567", "+39\t02"]


@pytest.mark.parametrize("validity", ["valid", "invalid", "unknown"])
def test_a_valid_plain_phone_is_written_as_stored_and_any_other_keeps_the_guard(engine, tenant, validity):
    # given leads with every kind of phone text, judged `validity`
    for n, phone in enumerate(PHONES):
        lead = ingest(engine, "contact_me", tenant.partner_id, now=NOW - timedelta(minutes=n))
        restamp(engine, tenant.partner_id, lead.id, customer_phone=phone, phone_validity=validity)
    # then each phone cell is what safe_phone_cell makes of it: as stored only when valid and plain
    rows = exported(engine, tenant.reader)
    assert [r["CustomerPhone"] for r in rows] == [safe_phone_cell(p, validity == "valid") for p in PHONES]
    if validity == "valid":
        assert rows[0]["CustomerPhone"] == "+39 02 4567 8910"  # no apostrophe: a CRM imports it as it is
    assert all(not r["CustomerPhone"].startswith(("=", "-", "@")) for r in rows)


def csv_record(cells: list[str]) -> str:
    """csv.writer's quoting (a comma, a quote, a CR or a LF quotes the cell) with the export's line feed."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue().removesuffix("\r\n") + "\n"


def test_both_databases_write_records_exactly_as_the_csv_module_does(engine, tenant):
    # given leads whose text holds commas, quotes, line breaks and formula starts in many fields
    for n, value in enumerate(TRICKY):  # straight into the rows, as in the test above
        lead = ingest(engine, "contact_me", tenant.partner_id, now=NOW - timedelta(minutes=n))
        restamp(engine, tenant.partner_id, lead.id, customer_company=value, offer_id=value, spam_reasons=[value],
                message=value, customer_title=value)
    # when they are exported (PostgreSQL's COPY; SQLite's records built in SQL), then the text is byte for byte
    # what csv.writer makes of the same cells, one record a line
    text = "".join(export_csv(engine, tenant.reader, LeadFilter(), Sort.NEWEST))
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert text == "".join(csv_record(row) for row in parsed)
    assert len(parsed) == len(TRICKY) + 1


@pytest.mark.parametrize(("stored", "shown"), [("0.00450", "0.005"), ("0.12350", "0.124"), ("0.12349", "0.123"),
                                               ("0.99995", "1.000"), ("0.00000", "0.000"), ("1.00000", "1.000")])
def test_probabilities_are_rounded_half_up_on_every_database(engine, tenant, stored, shown):
    lead = ingest(engine, "contact_me", tenant.partner_id)
    restamp(engine, tenant.partner_id, lead.id, quality_probability=Decimal(stored))
    [row] = exported(engine, tenant.reader)
    assert row["ConversionProbability"] == shown == str(Decimal(stored).quantize(Decimal("0.001"), ROUND_HALF_UP))


def test_deal_cells_are_formatted_like_the_api(engine, tenant):
    # given an accepted lead with a deal and a received one without
    with_deal = ingest(engine, "contact_me", tenant.partner_id, now=NOW - timedelta(minutes=1))
    accept_lead(engine, tenant.admin, with_deal.id, deal_terms(team=(tenant.admin.user_id,)), now=NOW)
    ingest(engine, "contact_me", tenant.partner_id, now=NOW - timedelta(minutes=2))
    restamp(engine, tenant.partner_id, with_deal.id, deal_amount=Decimal("-5.5"), deal_currency="=X")
    first, second = exported(engine, tenant.reader)
    # then the deal's value has two decimals and is spreadsheet-safe; the purchase date is ISO; no deal is blank
    assert (first["DealValue"], first["DealCurrency"]) == ("'-5.50", "'=X")
    assert first["EstimatedPurchaseDate"] == deal_terms().purchase_date.isoformat()
    assert first["AcceptedDateTime"] == NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [second[c] for c in ("DealName", "DealValue", "DealCurrency", "EstimatedPurchaseDate", "AcceptedDateTime",
                                "IsTest")] == ["", "", "", "", "", "false"]


@pytest.mark.parametrize("company", ["O'Brien & Sons", "100% Pure_Water", "Back\\slash Ltd",
                                     "Semi; DROP TABLE leads --"])
def test_filter_values_reach_the_database_as_values(engine, tenant, company):
    # given a lead whose company holds quotes, LIKE wildcards, a backslash or SQL, and one that does not
    wanted = ingest(engine, "contact_me", tenant.partner_id, customer={"company": company})
    ingest(engine, "contact_me", tenant.partner_id, customer={"company": "Plain Company"})
    # when the export is filtered on that text (PostgreSQL binds it into a COPY statement on the client)
    rows = exported(engine, tenant.reader, LeadFilter(customer=company))
    # then exactly that lead comes back, and nothing else was touched
    assert [row["LeadId"] for row in rows] == [wanted.id]
    assert len(exported(engine, tenant.reader)) == 2
