"""The pages' quick formats say what Babel says: a chance to convert in whole percent from a table, and a stored
quality factor's words worked out once per process."""

import random
from datetime import UTC, datetime

import pytest
from babel import numbers

from referrals.web import i18n
from referrals.web.quality_view import quality_view

EDGES = [0.0, 1.0, 0.005, 0.015, 0.025, 0.125, 0.285, 0.575, 0.615, 0.995, 0.9949999, 1e-9, 0.1 + 0.2]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_share_is_written_as_babel_writes_it(language: str) -> None:
    fmt = i18n.Formatter(language, "UTC", datetime(2026, 3, 2, tzinfo=UTC))
    shares = EDGES + [random.Random(7).random() for _ in range(3000)]
    assert [fmt.percent(v) for v in shares] == [numbers.format_percent(v, locale=language) for v in shares]
    assert fmt.percent(1.5) == numbers.format_percent(1.5, locale=language)  # past the table: Babel itself


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_stored_factor_reads_the_same_the_second_time_and_in_each_language(language: str) -> None:
    fmt = i18n.Formatter(language, "UTC", datetime(2026, 3, 2, tzinfo=UTC))
    stored = [{"feature": "country=IT", "effect": "raises"}, {"feature": "email_invalid", "effect": "lowers"},
              "customer in DE"]
    first = quality_view(fmt, "high", 0.61, stored, 0.5)
    again = quality_view(fmt, "high", 0.61, stored, 0.5)
    assert first == again and len(first.factors) == 3
    other = "it" if language == "en" else "en"
    elsewhere = quality_view(i18n.Formatter(other, "UTC", datetime(2026, 3, 2, tzinfo=UTC)), "high", 0.61, stored, 0.5)
    assert elsewhere.factors[0].signed != first.factors[0].signed  # the language is part of what is remembered
