"""Honest priors, a High/Low line relative to the program and kept with the model, and the evaluation's verdicts."""

import math
import random

import pytest

from referrals.domain.enums import CallToAction, EmailValidity, LeadType, PhoneValidity, Qualification, Source
from referrals.domain.lead import Customer, Origin
from referrals.domain.quality import DEFAULT_LINE, DEFAULT_RATE, PRIOR, QualityModel, assess, priors, score
from referrals.domain.quality_features import LeadFacts, features
from referrals.domain.quality_line import Line, relative_line, top_share_line
from referrals.domain.quality_report import checks, evaluation

CONTACT_ME = Origin(Qualification.DIRECT, Source.APPSOURCE, LeadType.OFFER, CallToAction.CONTACT_ME)
COMPLETE = Customer("Fenice Logistica S.r.l.", "Giulia", "Rossi", "CFO", "giulia.rossi@fenicelogistica.it",
                    "347 123 4567", "IT", "50-249", "manufacturing")


def complete_lead(title: str = "CFO") -> LeadFacts:
    customer = Customer(*[title if f == "title" else getattr(COMPLETE, f) for f in COMPLETE.__dataclass_fields__])
    return LeadFacts(CONTACT_ME, customer, "Please call me about pricing.", EmailValidity.VALID, PhoneValidity.VALID,
                     False)


def test_a_complete_lead_before_any_history_is_not_promised_more_than_programs_see():
    # the issue: 0.50-0.60 before any training against 0.21-0.36 observed
    chance = score(PRIOR, features(complete_lead()))
    assert 0.25 <= chance <= 0.45  # with buying words in the message and a domain matching the company
    plain = LeadFacts(CONTACT_ME, Customer("Fenice S.r.l.", "Giulia", "Rossi", "IT Director", "giulia@fenice.it",
                                           "347 123 4567", "IT", "50-249", "manufacturing"),
                      "Hello, we would like more information.", EmailValidity.VALID, PhoneValidity.VALID, False)
    assert 0.21 <= score(PRIOR, features(plain)) <= 0.36  # the issue's complete lead: 0.50-0.60 before
    assert PRIOR.line == DEFAULT_LINE and DEFAULT_LINE.threshold == pytest.approx(1.5 * DEFAULT_RATE)


def test_priors_with_history_start_from_the_programs_rate_and_are_never_sharper_than_stated():
    rng = random.Random(1)
    rows = [features(complete_lead(rng.choice(["CFO", "Analyst", "", "Student"]))) for _ in range(400)]
    converted = [rng.random() < 0.12 for _ in rows]  # a program converting far less than the default
    model = priors(rows, converted)
    mean = sum(score(model, r) for r in rows) / len(rows)
    assert mean == pytest.approx(sum(converted) / len(converted), abs=0.005)
    assert all(abs(model.weights[n]) <= abs(PRIOR.weights[n]) / 0.8 + 1e-9 for n in model.weights)


def test_the_line_is_one_and_a_half_times_the_rate_unless_that_labels_too_few_or_too_many():
    scores = [i / 100 for i in range(100)]
    assert relative_line(0.3, scores) == Line(0.45, "relative", 0.3)
    many = relative_line(0.05, scores)  # 1.5 x 5% would make 92% High
    assert many.kind == "clamped" and sum(s >= many.threshold for s in scores) == 60
    few = relative_line(0.6, scores)  # 1.5 x 60% = 0.9: only 10% High... just within
    assert few == Line(0.9, "relative", 0.6)
    none = relative_line(0.66, scores)  # 0.99: 1% High
    assert none.kind == "clamped" and sum(s >= none.threshold for s in scores) == 10
    assert top_share_line(scores, default=0.375) == Line(0.7, "top_share")
    assert top_share_line([], default=0.375) == Line(0.375, "default")


def test_the_line_is_stored_with_the_model_and_labels_use_it():
    model = QualityModel(-1.0, {"email=valid": 0.5}, line=Line(0.3, "relative", 0.2), examples=5)
    assert QualityModel.from_params(model.to_params()) == model
    assert QualityModel.from_params({**model.to_params(), "line": None}).line is None  # trained before lines
    with pytest.raises(ValueError):
        QualityModel.from_params({**model.to_params(), "line": {"threshold": 1.5, "kind": "relative"}})
    chance = score(model, features(complete_lead()))
    assert 0.3 < chance < 0.5
    assert assess(model, complete_lead(), threshold=model.line.threshold).label.value == "high"
    assert assess(model, complete_lead(), threshold=0.5).label.value == "low"


def test_seniority_and_function_are_separate_factors_in_words():
    model = QualityModel(0.0, {"seniority=c_level": 0.8, "function=finance": 0.6})
    factors = assess(model, complete_lead("CFO"), threshold=0.5).factors
    assert [(f.feature, f.text) for f in factors] == [("seniority=c_level", "C-level title (CEO, CFO, CIO...)"),
                                                     ("function=finance", "works in finance")]
    names = features(complete_lead("Resp. Acquisti"))
    assert names["seniority=manager"] == names["function=procurement"] == 1.0


def _report(high_rate: float, low_rate: float, high_share: float):
    n = 1000
    highs = round(n * high_share)
    outcomes = [i < round(highs * high_rate) for i in range(highs)]
    outcomes += [i < round((n - highs) * low_rate) for i in range(n - highs)]
    high = [True] * highs + [False] * (n - highs)
    predicted = [0.6 if h else 0.2 for h in high]
    return evaluation(outcomes, predicted, high, [0.3] * n, train=4000, threshold=0.45, line_kind="relative")


def test_the_report_says_whether_high_converts_one_and_a_half_times_as_often_as_low_and_why_not():
    good = _report(0.6, 0.2, 0.3)
    assert good.high_rate == pytest.approx(0.6) and good.low_rate == pytest.approx(0.2)
    assert checks(good)[0].startswith("High converts 3.0x as often as Low")
    assert checks(good)[1] == "High share 30%: within 10%-60%"
    poor = _report(0.3, 0.25, 0.8)
    assert "High does NOT convert 1.5x as often as Low" in checks(poor)[0]
    assert "High share 80% is above 10%-60%" in checks(poor)[1]
    nobody = evaluation([True, False], [0.2, 0.1], [False, False], [0.3, 0.3], train=10, threshold=0.5,
                        line_kind="relative")
    assert nobody.high_rate is None and "not measurable, no test lead is High" in checks(nobody)[0]


def test_the_json_report_has_exactly_the_issues_keys():
    data = _report(0.6, 0.2, 0.3).to_json()
    assert list(data) == ["train", "test", "base_rate", "auc", "brier", "ece", "lift_top20", "high_share",
                          "high_rate", "low_rate", "priors_only"]
    assert list(data["priors_only"]) == ["auc", "brier", "ece"]
    assert data["lift_top20"] == pytest.approx((180 / 200) / 0.32)  # the top 200 are High leads, 180 of them won
    assert not math.isnan(data["priors_only"]["brier"])


def test_the_generator_run_rewrites_only_its_own_section_of_the_docs(tmp_path):
    from referrals.quality_eval import END, START, write_section

    docs = tmp_path / "quality.md"
    write_section(docs, "first run")
    docs.write_text("# Evaluate on your own history\n\n" + docs.read_text() + "\nhand-written tail\n")
    write_section(docs, "second run")
    text = docs.read_text()
    assert text.startswith("# Evaluate on your own history") and text.endswith("hand-written tail\n")
    assert f"{START}\nsecond run\n{END}" in text and "first run" not in text


def test_a_history_all_lost_or_all_won_gives_finite_priors_not_certainties():
    rows = [features(complete_lead())] * 12
    for outcome, bound in ((False, 0.01), (True, 0.99)):
        model = priors(rows, [outcome] * 12)
        assert math.isfinite(model.bias)
        assert score(model, rows[0]) == pytest.approx(bound, abs=1e-3)
