"""Spam warnings read in the reader's language: every phrase the domain writes has a shape in web/spam_words.py
and an Italian sentence; a phrase no shape knows is shown as stored."""

import pytest

from referrals.domain.validity import content_spam_reasons, judge_email
from referrals.web import i18n
from referrals.web.spam_words import spam_reason_words


def domain_reasons() -> list[str]:
    """One of each kind of spam warning, written by the domain's own rules."""
    blocked = {"spammer@acme.example", "badcorp.com", "worse.com"}
    reasons = [
        *judge_email("someone@mailinator.com").reasons,  # disposable
        *judge_email("spammer@acme.example", blocked=blocked).reasons,  # blocked address, no note
        *judge_email("a@badcorp.com", blocked=blocked, blocked_reasons={"badcorp.com": "phishing in May"}).reasons,
        *judge_email("b@worse.com", blocked=blocked).reasons,  # blocked domain, no note
        *judge_email("mario@example.com").reasons,  # made-up: not a real mail domain
        *judge_email("test@test.org").reasons,  # made-up: a fake word
        *judge_email("qwertyuiop@asdfgh.it").reasons,  # made-up: a keyboard walk
        *judge_email("MSFT_TEST@contoso.com").reasons,
        *content_spam_reasons("Casino bonus and bitcoin, click here"),
        *content_spam_reasons("see http://a.example http://b.example www.c.example"),
        *judge_email("s@badcorp.com", blocked=blocked, blocked_reasons={"s@badcorp.com": "abuse"}).reasons,
    ]
    return reasons


def test_each_kind_of_warning_is_written_by_the_domain():
    reasons = " | ".join(domain_reasons())
    for kind in ("disposable", "blocked address", "blocked domain", "made-up address", "keyboard pattern",
                 "MSFT_TEST", "reads like spam", "links"):
        assert kind in reasons, f"{kind!r} not among {reasons}"


@pytest.mark.parametrize("reason", domain_reasons())
def test_every_warning_the_domain_writes_reads_in_italian(reason):
    english = spam_reason_words(lambda m: i18n.gettext("en", m), reason)
    italian = spam_reason_words(lambda m: i18n.gettext("it", m), reason)
    assert english != reason  # a shape matched: the English sentence starts with a capital letter
    assert english[0].isupper()
    assert italian != english, f"no Italian for {reason!r}"


def test_the_parts_of_a_warning_keep_their_values():
    italian = spam_reason_words(lambda m: i18n.gettext("it", m), "blocked domain badcorp.com: phishing in May")
    assert "badcorp.com" in italian and "phishing in May" in italian
    assert spam_reason_words(lambda m: i18n.gettext("it", m), "message reads like spam (3 links)").count("3") == 1


def test_a_phrase_no_shape_knows_is_shown_as_stored():
    assert spam_reason_words(lambda m: i18n.gettext("it", m), "something new") == "something new"
