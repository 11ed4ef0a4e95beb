"""Italian is complete: every word a page or an email shows for a vocabulary value, a quality factor or a field
error has an Italian translation, and the pages' English words for the factors are the domain's. A value added to a
vocabulary, a feature added to the quality model or a message added to the pages without its Italian fails here."""

import random
from datetime import UTC, datetime

import pytest

from referrals.domain.enums import (
    Action,
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    Qualification,
    QualityLabel,
    Reason,
    ReferrerKind,
    Source,
    Status,
)
from referrals.domain.quality import PRIOR
from referrals.domain.quality_features import LeadFacts, features, group
from referrals.domain.quality_words import PATTERNS, describe, named_features
from referrals.domain.vocab import CompanySize, Industry
from referrals.emails import render
from referrals.synthetic import sample_lead, verdicts_for
from referrals.web import i18n, labels
from referrals.web.field_sentences import PATTERNS as ERROR_PATTERNS

VOCABULARIES = (LeadType, Qualification, Source, CallToAction, Status, Outcome, EmailValidity, PhoneValidity,
                QualityLabel, Reason, Action, ReferrerKind, Industry, CompanySize)
SAME_IN_ITALIAN = {"AppSource", "Azure Marketplace", "Marketplace", "Partner", "Email spam", "test drive", "Media"}


def italian(words: str) -> str:
    return i18n.gettext("it", words)


def assert_translated(words: str, where: str) -> None:
    assert italian(words) != words or words in SAME_IN_ITALIAN, f"no Italian for {words!r} ({where})"


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_every_value_of_every_vocabulary_has_words_in_both_languages(vocabulary):
    for member in vocabulary:
        words = labels.LABELS.get((vocabulary.__name__, member.value))
        assert words, f"{vocabulary.__name__}.{member.name} has no label in web/labels.py"
        assert_translated(words, f"{vocabulary.__name__}.{member.name}")


def every_feature() -> set[str]:
    """What the model knows and what it makes of a few hundred plausible leads."""
    rng, now, seen = random.Random(5), datetime(2026, 3, 1, tzinfo=UTC), set(PRIOR.weights) | {"partner"}
    for _ in range(400):
        origin, customer, message = sample_lead(rng, now)
        email, phone = verdicts_for(customer)
        seen |= set(features(LeadFacts(origin, customer, message, email.validity, phone.validity, email.spam)))
    seen |= {f"industry={i.value}" for i in Industry} | {f"size={s.value}" for s in CompanySize}
    return seen | set(named_features())


def test_every_quality_factor_has_the_domains_words_in_english_and_a_translation():
    for feature in sorted(every_feature()):
        key, _, value = feature.partition("=")
        if feature in labels.FACTORS:
            english = labels.FACTORS[feature]
            assert english == describe(feature), feature
        else:
            assert key in labels.FACTOR_PATTERNS and key in PATTERNS, f"no words for the factor {feature!r}"
            english = labels.FACTOR_PATTERNS[key]
            assert english == PATTERNS[key], feature
            shown = {"size": labels.LABELS.get(("CompanySize", value)),
                     "industry": labels.LABELS.get(("Industry", value))}.get(key, value)
            assert (english % {"value": shown}).casefold() == describe(feature).casefold(), feature
        assert_translated(english, feature)
    assert {group(f) for f in every_feature()} >= {"channel", "email", "phone", "industry", "size", "country"}


def test_every_field_error_sentence_has_an_italian_translation():
    for words in [*labels.ERRORS.values(), *labels.REQUIRED.values(), *(w for _, w in ERROR_PATTERNS)]:
        assert words.endswith(".") and words[0].isupper(), f"not a sentence: {words!r}"
        assert_translated(words, "field errors")


LEAD = {"lead_id": "01abc", "company": "(unnamed customer)", "contact": "", "offer": "", "kind": "sales",
        "hot": True, "message": "", "url": "http://x/leads/01abc"}
EMAILS = {
    "new_lead": {"lead": LEAD},
    "lead_assigned": {"lead": {**LEAD, "kind": "marketing"}, "by": "Ada"},
    "lead_expiring": {"lead": {**LEAD, "kind": "profile"}, "due": "2026-03-16 09:30"},
    "lead_expired": {"lead_id": "01abc", "partner_name": "Contoso", "company": "(unnamed customer)",
                     "created_at": "2026-03-02", "kind": "offer"},
    "digest": {"leads": [LEAD], "count": 1, "day": "2026-03-02", "leads_url": "http://x/leads"},
}


@pytest.mark.parametrize("template", sorted(EMAILS))
def test_an_email_in_italian_names_the_lead_kind_and_an_unnamed_customer_in_italian(template):
    rendered = render(template, "it", EMAILS[template])
    for part in (rendered.subject, rendered.text, rendered.html):
        for english in ("(unnamed customer)", "(sales)", "(marketing)", "(profile)", "(offer)"):
            assert english not in part, (template, english)
    english = render(template, "en", EMAILS[template])
    assert "sales)" not in english.text or "sales-qualified" in english.text
