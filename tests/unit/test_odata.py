"""The OData subset of the Referrals-API-compatible endpoint: each operator, precedence, parentheses, literals, and
each refusal naming what it refuses."""

from datetime import UTC, datetime

import pytest

from referrals.domain.odata import (
    Both,
    Comparison,
    Either,
    Op,
    OrderBy,
    UnsupportedQuery,
    parse_filter,
    parse_query,
)
from referrals.domain.referral_compat import FILTERABLE, ORDERABLE, SELECTABLE


def parse(text: str):
    return parse_filter(text, FILTERABLE)


def refusal(text: str) -> str:
    with pytest.raises(UnsupportedQuery) as caught:
        parse(text)
    assert caught.value.option == "$filter"
    return caught.value.message


@pytest.mark.parametrize("op", list(Op))
def test_each_comparison_operator_reads_on_a_date(op):
    assert parse(f"createdDateTime {op} 2026-03-01T00:00:00Z") == Comparison(
        "createdDateTime", op, datetime(2026, 3, 1, tzinfo=UTC))


def test_string_literals_with_a_doubled_quote():
    assert parse("status eq 'New'") == Comparison("status", Op.EQ, "New")
    assert parse("customerProfile/address/country eq 'O''X'") == Comparison(
        "customerProfile/address/country", Op.EQ, "O'X")


def test_a_datetime_literal_may_be_quoted_and_carry_an_offset():
    assert parse("updatedDateTime ge '2026-03-01T10:00:00+02:00'").value == datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_and_binds_tighter_than_or():
    a, b, c = (Comparison("status", Op.EQ, s) for s in ("New", "Active", "Closed"))
    assert parse("status eq 'New' or status eq 'Active' and status eq 'Closed'") == Either(a, Both(b, c))
    assert parse("status eq 'New' and status eq 'Active' or status eq 'Closed'") == Either(Both(a, b), c)


def test_parentheses_group():
    a, b, c = (Comparison("status", Op.EQ, s) for s in ("New", "Active", "Closed"))
    assert parse("(status eq 'New' or status eq 'Active') and status eq 'Closed'") == Both(Either(a, b), c)
    assert parse("((status eq 'New'))") == a


def test_an_empty_filter_is_no_filter():
    assert parse("  ") is None


@pytest.mark.parametrize(("text", "named"), [
    ("status eq 'New' not status eq 'Active'", "'not'"),
    ("not status eq 'New'", "'not'"),
    ("contains(status, 'N')", "contains()"),
    ("status in ('New')", "'in'"),
    ("status has 'New'", "'has'"),
    ("engagementId eq 'x'", "'engagementId'"),
    ("status gt 'New'", "gt is not supported on status"),
    ("status eq 'Open'", "'Open' is not a value of status"),
    ("status eq New", "string literal"),
    ("status eq 3", "string literal"),
    ("createdDateTime gt 'yesterday'", "'yesterday' is not a datetime"),
    ("createdDateTime gt 2026-03-01T00:00:00", "time zone"),
    ("createdDateTime gt 2026-03-01T00:00:00Z or", "ends too early"),
    ("(status eq 'New'", "ends too early"),
    ("status eq 'New')", "')'"),
    ("status eq 'New", "status compares with a string literal"),
    ("status eq 'New' xor status eq 'Active'", "'xor'"),
])
def test_each_unsupported_expression_is_refused_by_name(text, named):
    assert named in refusal(text)


def test_deep_nesting_is_refused():
    assert "nest" in refusal("(" * 30 + "status eq 'New'" + ")" * 30)


def query(**params):
    return parse_query(list(params.items()), FILTERABLE, ORDERABLE, SELECTABLE)


def test_the_options_read_with_their_defaults():
    q = parse_query([], FILTERABLE, ORDERABLE, SELECTABLE)
    assert (q.filter, q.order, q.top, q.count, q.select, q.skiptoken) == (
        None, OrderBy("createdDateTime", False), 100, False, (), None)
    q = parse_query([("$orderby", "updatedDateTime desc"), ("$top", "2"), ("$count", "true"),
                     ("$select", "id,status"), ("$skiptoken", "abc")], FILTERABLE, ORDERABLE, SELECTABLE)
    assert (q.order, q.top, q.count, q.select, q.skiptoken) == (
        OrderBy("updatedDateTime", True), 2, True, ("id", "status"), "abc")


@pytest.mark.parametrize(("option", "value", "named"), [
    ("$top", "0", "$top"), ("$top", "101", "$top"), ("$top", "x", "$top"),
    ("$orderby", "name asc", "'name'"), ("$orderby", "createdDateTime up", "'up'"),
    ("$orderby", "createdDateTime,updatedDateTime", "one field"),
    ("$count", "yes", "$count"), ("$select", "id,customerProfile/name", "'customerProfile/name'"),
    ("$skip", "10", "'$skip'"), ("$expand", "team", "'$expand'"),
])
def test_each_unsupported_option_is_refused_by_name(option, value, named):
    with pytest.raises(UnsupportedQuery) as caught:
        parse_query([(option, value)], FILTERABLE, ORDERABLE, SELECTABLE)
    assert caught.value.option == option and named in caught.value.message


def test_an_option_given_twice_is_refused():
    with pytest.raises(UnsupportedQuery, match="twice"):
        parse_query([("$top", "1"), ("$top", "2")], FILTERABLE, ORDERABLE, SELECTABLE)
