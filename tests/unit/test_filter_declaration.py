"""The lead filter is declared once (domain/listing.py: FILTERS) and everything else comes from it or is held to it:
the query models, the JSON list-query shape, the docs' table; strict parsing names what it refuses."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from referrals.domain.enums import Outcome, Status
from referrals.domain.errors import InvalidInput
from referrals.domain.listing import FILTERS, LeadFilter, filter_from_json, parse_filter
from referrals.web.api.filters import ExportQuery, FilterQuery, LeadQuery, ListQuery, markdown_table, to_filter

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
NAMES = {f.name for f in FILTERS}


@pytest.mark.parametrize("model", [FilterQuery, ExportQuery, ListQuery, LeadQuery])
def test_every_query_model_has_every_declared_filter(model):
    assert set(model.model_fields) >= NAMES


def test_the_json_shape_is_the_filters_with_tab_and_sort_and_refuses_unknown_keys():
    assert set(LeadQuery.model_fields) == NAMES | {"tab", "sort"}
    with pytest.raises(ValidationError) as refused:
        LeadQuery.model_validate({"outcme": ["won"]})
    assert refused.value.errors()[0]["loc"] == ("outcme",)


def test_a_filter_goes_to_json_and_back_unchanged_through_the_model_and_the_domain():
    chosen = LeadFilter(q="fabrikam", country=frozenset({"IT"}), status=frozenset({Status.RECEIVED}),
                        outcome=frozenset({Outcome.WON}), spam=False)
    shape = chosen.to_json()
    assert filter_from_json(shape) == chosen
    assert to_filter(LeadQuery.model_validate(shape)) == chosen


def test_strict_parsing_names_each_unknown_parameter_and_bad_value():
    with pytest.raises(InvalidInput) as refused:
        parse_filter({"outcme": ["won"], "spam": ["maybe"], "status": ["lost"]})
    assert set(refused.value.fields) == {"outcme", "spam", "status"}


def test_lenient_parsing_keeps_what_it_understands():
    kept = parse_filter({"status": ["received", "lost"], "spam": ["maybe"], "bogus": ["1"]}, lenient=True)
    assert kept == LeadFilter(status=frozenset({Status.RECEIVED}))


def test_query_parameters_read_back_as_the_same_filter():
    chosen = LeadFilter(customer="Müller", country=frozenset({"DE", "IT"}), spam=True)
    params: dict[str, list[str]] = {}
    for name, value in chosen.to_params():
        params.setdefault(name, []).append(value)
    assert parse_filter(params) == chosen


def test_the_docs_list_every_filter_as_declared():
    text = DOCS.read_text()
    shown = text.split("<!-- filters:start -->\n", 1)[1].split("\n<!-- filters:end -->", 1)[0]
    assert shown == markdown_table(), "run `python -m referrals.web.api.filters` and paste it into docs/api.md"
