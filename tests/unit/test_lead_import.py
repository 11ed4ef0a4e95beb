"""Reading import files, cell by cell (no database): the header's checks, codes, text, times and amounts, the export's
apostrophe guard undone, and a history row's times filled in and kept in order."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from referrals.domain.enums import CallToAction, Outcome
from referrals.domain.history_import import HISTORY_COLUMNS, history_row, steps
from referrals.domain.lead_import import (
    LEAD_COLUMNS,
    Header,
    column_of,
    lead_row,
    read_cells,
    read_header,
    unguard,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def cells_of(header: list[str], record: list[str], columns=LEAD_COLUMNS):
    parsed = read_header(header, columns)
    assert isinstance(parsed, Header), parsed
    errors: list = []
    return read_cells(parsed, record, 1, columns, errors), errors


def test_a_header_names_each_unknown_or_repeated_column_and_each_missing_required_one():
    errors = read_header(["\ufeffPartnerId", "Colour", "LeadSource", "LeadSource"], LEAD_COLUMNS)
    assert [(e.row, e.column) for e in errors] == [(0, "Colour"), (0, "LeadSource"), (0, "Qualification")]
    assert "not a known column" in errors[0].message and errors[1].message == "appears twice"


def test_a_trailing_separator_in_the_header_is_not_a_column():
    assert isinstance(read_header(["PartnerId", "Qualification", "LeadSource", ""], LEAD_COLUMNS), Header)


def test_cells_are_read_as_the_domain_takes_them():
    cells, errors = cells_of(
        ["PartnerId", "Qualification", "LeadSource", "LeadType", "CallToAction", "Message", "CustomerPhone"],
        [" p1 ", "direct", "appsource", "offer", "contact_me", "one\r\ntwo", "'+39 02 1234"])
    assert errors == []
    assert cells["PartnerId"] == "p1" and cells["CallToAction"] is CallToAction.CONTACT_ME
    assert cells["Message"] == "one\ntwo" and cells["CustomerPhone"] == "+39 02 1234"
    assert cells["LocationId"] is None and cells["ExternalId"] is None  # columns not in the file are blank


def test_an_unknown_code_a_missing_required_cell_and_a_control_character_are_each_named():
    _, errors = cells_of(["PartnerId", "Qualification", "LeadSource", "CustomerCompany"],
                         ["", "direct", "carrier_pigeon", "Acme\x07"])
    assert [(e.column, e.message[:20]) for e in errors] == [
        ("PartnerId", "is required"), ("LeadSource", "'carrier_pigeon' is "),
        ("CustomerCompany", "must not contain con")]


def test_the_exports_guard_is_undone_only_before_a_formula_start():
    assert unguard("'=SUM(A1)") == "=SUM(A1)" and unguard("'quoted'") == "'quoted'" and unguard("'") == "'"


def test_the_domains_field_names_map_back_to_columns():
    assert column_of("call_to_action") == "CallToAction" and column_of("customer.country") == "CustomerCountry"
    assert column_of("customer") == "CustomerCompany" and column_of("nothing") is None


def history(**cells: str):
    base = {"PartnerId": "p1", "Qualification": "sales", "LeadSource": "azure_portal", "CustomerCompany": "Acme",
            "ReceivedDateTime": "2025-06-01T10:00:00Z", "Outcome": "won"}
    base.update(cells)
    read, errors = cells_of(list(base), list(base.values()), HISTORY_COLUMNS)
    if errors:
        return None, errors
    return history_row(lead_row(1, read, lambda origin: origin), read, NOW, errors), errors


def test_a_won_row_without_its_later_times_is_accepted_and_closed_when_received():
    row, errors = history()
    assert errors == [] and row.accepted_at == row.archived_at == datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert row.amount == Decimal(0) and row.currency == "EUR"
    assert [s.action for s in steps(row)] == ["accept", "close"]


def test_history_times_must_be_past_and_in_order():
    _, errors = history(AcceptedDateTime="2025-05-01T00:00:00", ArchivedDateTime=(NOW + timedelta(days=1)).isoformat())
    assert [(e.column, e.message) for e in errors] == [
        ("AcceptedDateTime", "must not be before ReceivedDateTime"), ("ArchivedDateTime", "must be in the past")]


def test_a_declined_row_has_no_accepted_time_and_a_value_needs_its_currency():
    _, errors = history(Outcome="declined", AcceptedDateTime="2025-06-02T00:00:00Z", DealValue="10")
    assert [e.column for e in errors] == ["AcceptedDateTime", "DealCurrency"]
    row, _ = history(Outcome="declined", ClosingReason="spam")
    assert row.outcome is Outcome.DECLINED and [s.action for s in steps(row)] == ["decline"]


def test_a_bad_time_or_amount_is_named():
    _, errors = history(ReceivedDateTime="yesterday", DealValue="12,5k", DealCurrency="EUR")
    assert [e.column for e in errors] == ["ReceivedDateTime", "DealValue"]
