"""The quality model: features, priors, fitting, partner shrinkage, factors in words, metrics."""

import random
from datetime import UTC, datetime

import numpy as np
import pytest

from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadType,
    PhoneValidity,
    Qualification,
    QualityLabel,
    Source,
)
from referrals.domain.lead import Customer, Origin
from referrals.domain.quality import PRIOR, Example, QualityModel, assess, borderline, fit, score
from referrals.domain.quality_features import LeadFacts, features
from referrals.domain.quality_metrics import auc, brier, calibration_table, expected_calibration_error
from referrals.domain.quality_words import Effect, Factor, describe, factor, read_factor, stored_factor
from referrals.synthetic import propensity, sample_lead, verdicts_for

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CONTACT_ME = Origin(Qualification.DIRECT, Source.APPSOURCE, LeadType.OFFER, CallToAction.CONTACT_ME)
SALES = Origin(Qualification.SALES, Source.AZURE_PORTAL)
GOOD = Customer("Fenice Logistica S.r.l.", "Giulia", "Rossi", "IT Director", "giulia.rossi@fenicelogistica.it",
                "347 123 4567", "IT", "250-999", "manufacturing")
POOR = Customer("", "Al", "", "Student", "al@gmail.com", "123", "IT", None, None)
GOOD_MESSAGE = "We need to migrate 120 users to Microsoft 365 this quarter; budget approved, please send a quote."


def facts(origin=CONTACT_ME, customer=GOOD, message=GOOD_MESSAGE, email=EmailValidity.VALID,
          phone=PhoneValidity.VALID, spam=False) -> LeadFacts:
    return LeadFacts(origin, customer, message, email, phone, spam)


def test_features_name_what_was_known_at_arrival():
    names = features(facts())
    for expected in ("channel=offer_contact_me", "source=appsource", "country=IT", "size=250-999",
                     "industry=manufacturing", "email=valid", "phone=valid", "mail=company", "msg=medium",
                     "msg_buying", "msg_buying_many", "seniority=director", "function=it", "domain_matches_company"):
        assert expected in names, expected
    assert "spam" not in names


def test_features_of_a_poor_lead():
    names = features(facts(SALES, POOR, "", EmailValidity.VALID, PhoneValidity.INVALID))
    for expected in ("channel=sales", "mail=free", "msg=empty", "seniority=student", "company_missing",
                     "name_missing", "size=unknown", "industry=unknown", "phone=invalid"):
        assert expected in names, expected


def test_every_feature_has_words():
    rng = random.Random(3)
    for _ in range(300):
        origin, customer, message = sample_lead(rng, NOW)
        email, phone = verdicts_for(customer)
        for name in features(facts(origin, customer, message, email.validity, phone.validity, email.spam)):
            words = describe(name)
            assert words and "=" not in words and "_" not in words.replace("msft_test", ""), name


def test_priors_rank_a_good_lead_above_a_poor_one_before_any_history():
    good = assess(PRIOR, facts(), threshold=0.5)
    poor = assess(PRIOR, facts(customer=POOR, message="", phone=PhoneValidity.INVALID), threshold=0.5)
    assert good.probability > 0.5 > poor.probability
    assert good.label is QualityLabel.HIGH and poor.label is QualityLabel.LOW


def test_any_spam_flag_forces_low_whatever_the_probability():
    generous = QualityModel(bias=5.0, weights={})
    quality = assess(generous, facts(spam=True), threshold=0.5)
    assert quality.probability > 0.9
    assert quality.label is QualityLabel.LOW


def test_the_top_three_factors_are_in_plain_words():
    quality = assess(PRIOR, facts(customer=POOR, message="", phone=PhoneValidity.INVALID), threshold=0.5)
    assert len(quality.factors) == 3
    assert "student or intern" in [f.text for f in quality.factors]
    assert all("=" not in f.text for f in quality.factors)


def test_factors_are_relative_to_a_typical_lead():
    model = QualityModel(bias=0.0, weights={"email=valid": 1.0, "phone=invalid": -1.0},
                         baselines={"email": 1.0, "phone": 0.0})
    quality = assess(model, facts(phone=PhoneValidity.INVALID), threshold=0.5)
    assert [f.text for f in quality.factors] == ["phone invalid"]  # a valid email is what every lead has


def test_each_factor_says_whether_it_raises_or_lowers_the_chance():
    good = assess(PRIOR, facts(), threshold=0.5)
    poor = assess(PRIOR, facts(customer=POOR, message="", phone=PhoneValidity.INVALID), threshold=0.5)
    assert {f.effect for f in good.factors} == {Effect.RAISES}
    assert {f.effect for f in poor.factors} == {Effect.LOWERS}
    mixed = QualityModel(bias=0.0, weights={"email=valid": 1.0, "phone=invalid": -0.5})
    signed = assess(mixed, facts(phone=PhoneValidity.INVALID), threshold=0.5).factors
    assert [(f.text, f.effect) for f in signed] == [("email valid", Effect.RAISES), ("phone invalid", Effect.LOWERS)]


def test_a_stored_factor_reads_back_signed_and_an_old_phrase_reads_back_unsigned():
    signed = factor("email=invalid", -1.2)
    assert read_factor(stored_factor(signed)) == signed == Factor("email invalid", Effect.LOWERS, "email=invalid")
    assert read_factor("student or intern") == Factor("student or intern", None, "title=student")
    assert read_factor("customer in IT") == Factor("customer in IT", None, "country=IT")
    assert read_factor("something we no longer say") == Factor("something we no longer say", None, "")


def test_a_probability_within_a_tenth_of_the_threshold_is_borderline():
    assert borderline(0.48, 0.5) and borderline(0.59, 0.5) and borderline(0.41, 0.5)
    assert not borderline(0.61, 0.5) and not borderline(0.39, 0.5)
    assert borderline(0.25, 0.3) and not borderline(0.45, 0.3)


def test_params_round_trip_through_json():
    model = QualityModel(-1.0, {"a": 0.5}, {"p1": 0.2}, {"a": 0.1}, examples=10)
    assert QualityModel.from_params(model.to_params()) == model
    with pytest.raises(ValueError):
        QualityModel.from_params({"version": 99})


def _examples(n: int, seed: int) -> list[Example]:
    """Leads whose only signal is the email: company domains convert at 40%, free mail at 10%."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        company = rng.random() < 0.5
        customer = Customer("Acme", "A", "B", "", "a@acme.it" if company else "a@gmail.com", "", "IT")
        feats = features(facts(customer=customer, message=""))
        out.append(Example(feats, rng.random() < (0.4 if company else 0.1), partner_id="p"))
    return out


def test_fit_learns_the_rates_in_the_data_and_is_calibrated():
    model = fit(_examples(6000, 1))
    company = Customer("Acme", "A", "B", "", "a@acme.it", "", "IT")
    free = Customer("Acme", "A", "B", "", "a@gmail.com", "", "IT")
    p_company = score(model, features(facts(customer=company, message="")))
    p_free = score(model, features(facts(customer=free, message="")))
    assert p_company == pytest.approx(0.4, abs=0.03)
    assert p_free == pytest.approx(0.1, abs=0.03)


def test_with_no_history_the_priors_are_the_model():
    assert fit([]) is PRIOR


def test_a_few_outcomes_barely_move_the_priors():
    few = fit(_examples(20, 2), min_count=1)
    moved = max(abs(few.weights[name] - weight) for name, weight in PRIOR.weights.items())
    assert moved < 0.5
    assert few.bias == pytest.approx(PRIOR.bias, abs=1.5)


def test_a_partner_offset_is_shrunk_toward_the_program():
    rng = random.Random(5)
    examples = []
    for partner, rate, n in (("big-winner", 0.6, 2000), ("tiny-winner", 0.6, 5), ("others", 0.2, 4000)):
        for _ in range(n):
            examples.append(Example({"msg=empty": 1.0}, rng.random() < rate, partner_id=partner))
    model = fit(examples)
    assert model.partners["big-winner"] > 1.0
    assert 0 < model.partners.get("tiny-winner", 0.0) < model.partners["big-winner"] / 3
    plain = score(model, {"msg=empty": 1.0})
    assert score(model, {"msg=empty": 1.0}, "big-winner") > plain
    assert score(model, {"msg=empty": 1.0}, "unknown-partner") == plain


def test_leads_declined_as_spam_weigh_more():
    base = [Example({"msg_links": 1.0}, False), Example({"msg_links": 1.0}, True)] * 50
    heavier = [Example({"msg_links": 1.0}, False, weight=3.0), Example({"msg_links": 1.0}, True)] * 50
    assert fit(heavier, min_count=1).weights["msg_links"] < fit(base, min_count=1).weights["msg_links"]


def test_metrics_on_known_cases():
    assert auc([False, False, True, True], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert auc([True, False], [0.5, 0.5]) == 0.5
    assert auc([True, True, False, False], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert brier([True, False], [1.0, 0.0]) == 0.0
    table = calibration_table([True, False, True, False], [0.05, 0.05, 0.95, 0.95])
    assert [(b.count, b.observed) for b in table] == [(2, 0.5), (2, 0.5)]
    assert expected_calibration_error(table) == pytest.approx(0.45)


def test_auc_matches_the_pairwise_definition():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.3
    p = np.round(rng.random(300), 2)  # with ties
    pairs = [(1.0 if pp > pn else 0.5 if pp == pn else 0.0) for pp in p[y] for pn in p[~y]]
    assert auc(y, p) == pytest.approx(sum(pairs) / len(pairs))


def test_the_hidden_propensity_favours_good_leads():
    good = propensity(SALES, GOOD, GOOD_MESSAGE, verdicts_for(GOOD))
    poor = propensity(CONTACT_ME, POOR, "", verdicts_for(POOR))
    spam = Customer("x", "x", "x", "", "x@mailinator.com", "", "IT")
    assert good > 0.7 > 0.1 > poor > propensity(CONTACT_ME, spam, "casino bonus", verdicts_for(spam))
