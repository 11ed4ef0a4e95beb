"""Pure helpers behind the list and the export: text folding, list requests, cursors, spreadsheet-safe cells."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.domain.errors import InvalidInput
from referrals.domain.listing import MAX_PAGE, LeadFilter, PageRequest, Sort
from referrals.domain.text import fold, safe_cell
from referrals.store.listing import decode_cursor, encode_cursor


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Müller GmbH", "muller gmbh"), ("MÜLLER", "muller"), ("Société Générale", "societe generale"),
     ("Straße", "strasse"), ("Ørsted", "ørsted")],
)
def test_folding_lowers_case_and_drops_accents(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE + 1])
def test_a_page_size_outside_the_limits_is_refused(limit):
    with pytest.raises(InvalidInput) as raised:
        PageRequest(limit=limit)
    assert "limit" in raised.value.fields


def test_a_customer_search_longer_than_200_characters_is_refused():
    with pytest.raises(InvalidInput):
        PageRequest(filter=LeadFilter(customer="x" * 201))


def test_the_default_sort_is_newest_first():
    assert PageRequest().sort is Sort.NEWEST and Sort.NEWEST.descending


sort_values = {
    Sort.NEWEST: st.datetimes(timezones=st.just(UTC)),
    Sort.OLDEST: st.datetimes(timezones=st.just(UTC)),
    Sort.DEADLINE: st.datetimes(timezones=st.just(UTC)),
    Sort.CUSTOMER: st.text(max_size=50),
    Sort.QUALITY: st.decimals(min_value=0, max_value=1, places=5),
    Sort.VALUE: st.decimals(min_value=-1, max_value=10**12, places=2),
    # the first page's moment, the group (hot, waiting, the rest) and the last lead's key in it
    Sort.URGENCY: st.tuples(st.datetimes(timezones=st.just(UTC)), st.sampled_from([0, 1, 2]),
                            st.datetimes(timezones=st.just(UTC))),
}


@pytest.mark.parametrize("sort", list(Sort))
@given(data=st.data(), last_id=st.text(alphabet="0123456789abcdefghjkmnpqrstvwxyz", min_size=26, max_size=26))
def test_a_cursor_reads_back_the_position_it_was_made_from(sort, data, last_id):
    value = data.draw(sort_values[sort])
    assert decode_cursor(encode_cursor(sort, value, last_id), sort) == (value, last_id)


@pytest.mark.parametrize("sort", list(Sort))
def test_a_cursor_of_another_sort_is_refused(sort):
    other = Sort.CUSTOMER if sort is not Sort.CUSTOMER else Sort.NEWEST
    value = "acme" if other is Sort.CUSTOMER else datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(encode_cursor(other, value, "id"), sort)
    assert "cursor" in raised.value.fields


@pytest.mark.parametrize(
    ("cursor", "sort"),
    [("", Sort.NEWEST), ("not-base64!", Sort.NEWEST), ("bnVsbA", Sort.NEWEST), ("W10", Sort.NEWEST),
     (encode_cursor(Sort.QUALITY, "high", "id"), Sort.QUALITY),
     (encode_cursor(Sort.CUSTOMER, 42, "id"), Sort.CUSTOMER),
     (encode_cursor(Sort.NEWEST, "yesterday", "id"), Sort.NEWEST),
     (encode_cursor(Sort.NEWEST, "2026-03-02T09:30:00", "id"), Sort.NEWEST),
     (encode_cursor(Sort.VALUE, "NaN", "id"), Sort.VALUE)],
)
def test_a_garbled_cursor_is_refused(cursor, sort):
    with pytest.raises(InvalidInput):
        decode_cursor(cursor, sort)


@pytest.mark.parametrize("value", ["=1+1", "+39 02 1234", "-2", "@SUM(A1)", "\t=1", "\r=1", "|cmd", "%x"])
def test_a_cell_a_spreadsheet_would_run_is_turned_into_text(value):
    assert safe_cell(value) == "'" + value


@given(st.text())
def test_no_cell_starts_a_formula(value):
    assert not safe_cell(value).startswith(("=", "+", "-", "@"))
    assert safe_cell(value).removeprefix("'") == value or safe_cell(value) == value


def test_ordinary_cells_are_left_alone():
    assert safe_cell("Fabrikam Srl") == "Fabrikam Srl"
    assert safe_cell("") == ""
    assert safe_cell(str(Decimal("25000.00"))) == "25000.00"
