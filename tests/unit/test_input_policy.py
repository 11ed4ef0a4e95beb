"""The input policy (domain/text.py): one rule for the text and numbers every interface takes in, so SQLite and
PostgreSQL are never asked to store what only one of them would keep."""

from decimal import Decimal

import pytest

from referrals.domain.checks import collecting
from referrals.domain.deal import DealTerms, Money, check_terms
from referrals.domain.errors import InvalidInput
from referrals.domain.lead import Customer, check_customer
from referrals.domain.text import clean_text, number_problem, text_problem
from tests import factories


@pytest.mark.parametrize("value", ["Müller & Söhne", "Łódź", "日本語", "emoji 🚀", "a\u200db", "right-to-left \u202e"])
def test_ordinary_text_in_any_script_passes(value):
    assert text_problem(value) is None and text_problem(value, multiline=True) is None


@pytest.mark.parametrize(("value", "problem"), [
    ("x\udc80", "lone surrogate, U+DC80"),
    ("\ud800x", "lone surrogate, U+D800"),
    ("a\x00b", "NUL"),
    ("a\x07b", "U+0007"),
    ("a\x1bb", "U+001B"),
    ("a\x7fb", "U+007F"),
    ("a\x85b", "U+0085"),
])
def test_surrogates_nul_and_control_characters_are_refused_in_any_text(value, problem):
    assert problem in text_problem(value)
    assert problem in text_problem(value, multiline=True)


@pytest.mark.parametrize("value", ["two\nlines", "a\tb"])
def test_tab_and_line_feed_belong_to_multi_line_text_only(value):
    assert text_problem(value, multiline=True) is None
    assert text_problem(value) is not None


def test_crlf_becomes_lf_and_a_single_line_field_refuses_it():
    assert clean_text("first\r\nsecond\r\n", multiline=True) == "first\nsecond\n"
    with pytest.raises(ValueError, match="must be a single line"):
        clean_text("first\r\nsecond")
    with pytest.raises(ValueError, match="U\\+000D"):  # a lone CR is no line break browsers send
        clean_text("first\rsecond", multiline=True)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 1e400, Decimal("NaN"),
                                   Decimal("Infinity"), Decimal("-Infinity")])
def test_nan_and_infinities_are_not_numbers_we_keep(value):
    assert number_problem(value) == "must be a finite number"


@pytest.mark.parametrize("value", [0.0, -1.5, 1e308, Decimal("12500.00"), Decimal("1E+400")])
def test_finite_numbers_pass(value):
    assert number_problem(value) is None


def test_the_domain_checks_apply_the_policy_and_name_the_field():
    customer = Customer(company="Fabrikam\x00", last_name="Rossi\nBianchi", email="giulia@fabrikam.it")
    with pytest.raises(InvalidInput) as refused:
        check_customer(customer, "line one\nline two\x01")
    assert refused.value.fields == {
        "customer.company": "must not contain NUL characters",
        "customer.last_name": "must be a single line",
        "message": "must not contain control characters (U+0001)",
    }


def test_deal_notes_may_span_lines_but_its_name_and_contacts_may_not():
    terms = DealTerms(name="Rollout\x0b", value=Money(Decimal("NaN"), "EUR"), team_member_ids=("u\x00",),
                      purchase_date=factories.NOW.date(), notes="Pilot first.\n\tThen 40 seats.")
    with pytest.raises(InvalidInput) as refused:
        check_terms(terms)
    assert set(refused.value.fields) == {"deal_name", "estimated_value.amount", "team_member_ids[0]"}


def test_a_country_code_with_a_trailing_newline_is_not_a_country_code():
    with pytest.raises(InvalidInput) as refused:
        check_customer(Customer(company="Fabrikam", country="IT\n"), "")
    assert "customer.country" in refused.value.fields


def test_required_text_reports_the_character_not_a_missing_value():
    with pytest.raises(InvalidInput) as refused, collecting("x") as problems:
        problems.require_text("name", "\x00", max_length=10)
    assert refused.value.fields == {"name": "must not contain NUL characters"}
