"""The directory's ranking rules and search terms, without a database."""

import pytest

from referrals.domain.enums import Outcome, Reason
from referrals.domain.errors import InvalidInput
from referrals.domain.profile import Profile, ProfileLocation, check_profile
from referrals.domain.ranking import (
    Preference,
    Responsiveness,
    fit_score,
    lead_signal,
    preference_score,
    relevance_score,
    responsiveness_score,
)
from referrals.domain.search_text import terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fatturazione Elettronica", ["fattur", "elettronic"]),
        ("FATTURAZIÒNE", ["fattur"]),
        ("Integrations and integration", ["integr"]),
        ("Consulenza, consulenze", ["consulen"]),
        ("the ERP for our plants", ["erp", "plant"]),
    ],
)
def test_search_terms_are_folded_and_stemmed(text, expected):
    assert terms(text) == expected


def test_a_partner_with_no_history_gets_a_middling_prior_not_zero_or_full():
    fresh = responsiveness_score(Responsiveness())
    assert 0.4 < fresh < 0.9


def test_letting_every_lead_expire_ranks_far_below_answering_them_quickly():
    expired = responsiveness_score(Responsiveness(leads=20, answered=0, expired=20))
    prompt = responsiveness_score(Responsiveness(leads=20, answered=20, expired=0, median_hours=2))
    slow = responsiveness_score(Responsiveness(leads=20, answered=20, expired=0, median_hours=200))
    assert expired < 0.1 < slow < prompt


@pytest.mark.parametrize(
    ("outcome", "reason", "accepted", "signal"),
    [
        (Outcome.WON, None, True, 1),
        (Outcome.DECLINED, Reason.REQUIREMENT_NOT_MET, False, -1),
        (Outcome.LOST, Reason.NOT_A_CUSTOMER, True, -1),  # accepted, then lost as a poor fit
        (Outcome.LOST, Reason.CHOSE_ANOTHER_VENDOR, True, 0),  # lost to a competitor says nothing of fit
        (Outcome.EXPIRED, None, False, 0),
        (None, None, True, 0),  # accepted and still open: accepting alone buys nothing
    ],
)
def test_what_a_lead_says_about_the_partners_preferences(outcome, reason, accepted, signal):
    assert lead_signal(outcome, reason, accepted) == signal


def test_preference_drops_for_features_the_partner_declines_and_stays_neutral_elsewhere():
    declines_retail = Preference({("industry", "retail"): (0, 6)}, liked=2, disliked=6)
    assert preference_score(declines_retail, [("industry", "retail")]) < 0.8
    assert preference_score(declines_retail, [("industry", "healthcare")]) == pytest.approx(1.0)
    assert preference_score(declines_retail, []) == 1.0


def test_preference_rises_for_features_the_partner_wins():
    wins_energy = Preference({("industry", "energy"): (6, 0)}, liked=6, disliked=6)
    assert preference_score(wins_energy, [("industry", "energy")]) > 1.2


def test_relevance_counts_the_best_field_of_each_query_term():
    assert relevance_score([], {}) == 1.0
    assert relevance_score(["erp"], {"erp": 3.0}) == 1.0
    assert relevance_score(["erp"], {"erp": 1.0}) == pytest.approx(1 / 3)
    assert relevance_score(["erp", "sap"], {"erp": 3.0}) == pytest.approx(0.5)


def test_fit_lowers_a_partner_whose_stated_preferences_the_search_misses():
    assert fit_score(sizes=("10-49",), industries=("retail",), size="10-49", industry="retail") == 1.0
    assert fit_score(sizes=("10-49",), industries=("retail",), size="5000+", industry="retail") < 1.0
    assert fit_score(sizes=(), industries=(), size="5000+", industry="energy") == 1.0


def test_a_profile_refuses_a_sixth_location_in_one_country_and_unknown_vocabulary():
    places = tuple(ProfileLocation(str(i), "IT") for i in range(6))
    with pytest.raises(InvalidInput) as refused:
        check_profile(Profile("p", "Name", industries=("alchemy",), locations=places, website="ftp://x"))
    assert set(refused.value.fields) == {"locations", "industries", "website"}
