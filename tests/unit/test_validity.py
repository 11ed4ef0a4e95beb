"""Email and phone verdicts, table-driven (PRODUCT.md section 6)."""

import pytest

from referrals.domain.enums import EmailValidity, PhoneValidity
from referrals.domain.errors import InvalidInput
from referrals.domain.validity import (
    MailDomain,
    content_spam_reasons,
    judge_email,
    judge_phone,
    normalize_block_entry,
)

V, BAD, S, U = EmailValidity.VALID, EmailValidity.INVALID, EmailValidity.SPAM, EmailValidity.UNKNOWN

EMAILS = [
    # address, validity, normalised, a reason that must be among the reasons (or "")
    ("giulia.rossi@acme.it", V, "giulia.rossi@acme.it", ""),
    ("  Giulia.Rossi@ACME.IT ", V, "Giulia.Rossi@acme.it", ""),
    ("anna+referrals@gmail.com", V, "anna+referrals@gmail.com", ""),
    ("josé.garcía@empresa.es", V, "josé.garcía@empresa.es", ""),
    ("Ünsal@exämple.de", V, "Ünsal@exämple.de", ""),
    ("用户@例子.广告", V, "用户@例子.广告", ""),
    ("niccolò@caffè.it", V, "niccolò@caffè.it", ""),
    ("info@acme.it", V, "info@acme.it", "role account (info@)"),
    ("", U, "", "no email address"),
    (None, U, "", "no email address"),
    ("giulia.rossi@acme", BAD, "giulia.rossi@acme", "email invalid"),
    ("giulia..rossi@acme.it", BAD, "giulia..rossi@acme.it", "email invalid"),
    ("giulia@@acme.it", BAD, "giulia@@acme.it", "email invalid"),
    ("giulia rossi@acme.it", BAD, "giulia rossi@acme.it", "email invalid"),
    ("giulia@acme.local", BAD, "giulia@acme.local", "email invalid"),
    ("noreply@acme.it", BAD, "noreply@acme.it", "no-reply address"),
    ("do-not-reply@acme.it", BAD, "do-not-reply@acme.it", "no-reply address"),
    ("someone@mailinator.com", S, "someone@mailinator.com", "disposable email domain (mailinator.com)"),
    ("someone@yopmail.com", S, "someone@yopmail.com", "disposable email domain"),
    ("test@test.com", S, "test@test.com", "made-up address"),
    ("test@gmail.com", S, "test@gmail.com", "made-up address (test@gmail)"),
    ("asdf@asdf.com", S, "asdf@asdf.com", "made-up address"),
    ("qwerty123@acme.it", S, "qwerty123@acme.it", "made-up address (keyboard pattern)"),
    ("mario@qwertyuiop.com", S, "mario@qwertyuiop.com", "made-up address (keyboard pattern)"),
    ("xxxx@acme.it", S, "xxxx@acme.it", "made-up address (keyboard pattern)"),
    ("someone@example.com", S, "someone@example.com", "made-up address"),
    ("MSFT_TEST@contoso.com", S, "MSFT_TEST@contoso.com", "marketplace test lead (MSFT_TEST)"),
    ("lead.msft_test.42@contoso.com", S, "lead.msft_test.42@contoso.com", "MSFT_TEST"),
]


@pytest.mark.parametrize(("address", "validity", "normalized", "reason"), EMAILS)
def test_email_verdicts(address, validity, normalized, reason):
    verdict = judge_email(address)
    assert verdict.validity is validity
    assert verdict.normalized == normalized
    if reason:
        assert any(reason in r for r in verdict.reasons), verdict.reasons


def test_a_plain_name_is_not_mistaken_for_a_keyboard_walk():
    for address in ("sara.fasolo@acme.it", "ada@qwertz-solutions.de", "john.asdfield@acme.com", "ty@acme.com"):
        assert judge_email(address).validity is V, address


BLOCKED = frozenset({"spammer.example-co.com", "bad.person@acme.it", "exämple.de"})


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("anyone@spammer.example-co.com", "blocked domain spammer.example-co.com"),
        ("anyone@mail.spammer.example-co.com", "blocked domain spammer.example-co.com"),
        ("Bad.Person@ACME.it", "blocked address"),
        ("x@exämple.de", "blocked domain exämple.de"),
        ("x@xn--exmple-cua.de", "blocked domain"),
    ],
)
def test_block_list_hits_are_spam_with_the_reason(address, blocked):
    verdict = judge_email(address, blocked=BLOCKED, blocked_reasons={"bad.person@acme.it": "phishing"})
    assert verdict.validity is S
    assert any(r.startswith(blocked) for r in verdict.reasons), verdict.reasons


def test_a_blocked_address_shows_why_it_was_blocked():
    verdict = judge_email("bad.person@acme.it", blocked=BLOCKED, blocked_reasons={"bad.person@acme.it": "phishing"})
    assert verdict.reasons == ("blocked address: phishing",)


def test_an_unblocked_neighbour_stays_valid():
    assert judge_email("good.person@acme.it", blocked=BLOCKED).validity is V


@pytest.mark.parametrize(
    ("answer", "validity", "reason"),
    [
        (MailDomain.ACCEPTS_MAIL, V, None),
        (MailDomain.NOT_FOUND, BAD, "mail domain does not exist"),
        (MailDomain.NO_MAIL, BAD, "mail domain accepts no email"),
        (MailDomain.FAILED, U, "mail domain could not be checked"),
    ],
)
def test_dns_answers_and_a_dns_failure_is_unknown_never_invalid(answer, validity, reason):
    verdict = judge_email("giulia@acme.it", mail_domain=answer)
    assert verdict.validity is validity
    assert reason is None or reason in verdict.reasons


def test_free_mail_and_company_domains_are_told_apart():
    assert judge_email("anna@gmail.com").free_mail
    assert judge_email("anna@libero.it").free_mail
    assert not judge_email("anna@acme.it").free_mail


@pytest.mark.parametrize(
    ("entry", "stored"),
    [
        ("Spam.Example-Co.COM", "spam.example-co.com"),
        (" bad.person@ACME.it ", "bad.person@acme.it"),
        ("xn--exmple-cua.de", "exämple.de"),
        ("mail.example-co.com.", "mail.example-co.com"),
    ],
)
def test_block_list_entries_are_normalised(entry, stored):
    assert normalize_block_entry(entry) == stored


@pytest.mark.parametrize("entry", ["", "not a domain", "a@b", "@acme.it", "localhost"])
def test_block_list_refuses_what_is_neither_address_nor_domain(entry):
    with pytest.raises(InvalidInput):
        normalize_block_entry(entry)


PHONES = [
    # number, country, validity, E.164
    ("+39 06 1234 5678", "IT", PhoneValidity.VALID, "+390612345678"),  # Rome landline
    ("06 1234 5678", "IT", PhoneValidity.VALID, "+390612345678"),
    ("02 1234 5678", "IT", PhoneValidity.VALID, "+390212345678"),  # Milan
    ("347 123 4567", "IT", PhoneValidity.VALID, "+393471234567"),  # mobile
    ("+39 333 123 4567", None, PhoneValidity.VALID, "+393331234567"),
    ("0039 333 1234567", "IT", PhoneValidity.VALID, "+393331234567"),
    ("(650) 253-0000", "US", PhoneValidity.VALID, "+16502530000"),
    ("+1 650 253 0000", "IT", PhoneValidity.VALID, "+16502530000"),  # a US number for an Italian customer
    ("030 1234567", "DE", PhoneValidity.VALID, "+49301234567"),
    ("020 7946 0958", "GB", PhoneValidity.VALID, "+442079460958"),
    ("+39 333 12", "IT", PhoneValidity.INVALID, None),
    ("12345", "IT", PhoneValidity.INVALID, None),
    ("555-0100", "US", PhoneValidity.INVALID, None),
    ("call me", "IT", PhoneValidity.INVALID, None),
    ("+999 1234 5678", "IT", PhoneValidity.INVALID, None),
    ("", "IT", PhoneValidity.UNKNOWN, None),
    (None, "IT", PhoneValidity.UNKNOWN, None),
    ("3471234567", None, PhoneValidity.UNKNOWN, None),  # no country to read it against
    ("02 1234567", "AQ", PhoneValidity.UNKNOWN, None),  # a country the library cannot judge
]


@pytest.mark.parametrize(("number", "country", "validity", "e164"), PHONES)
def test_phone_verdicts(number, country, validity, e164):
    verdict = judge_phone(number, country)
    assert verdict.validity is validity, verdict.reasons
    assert verdict.e164 == e164
    assert verdict.reasons or validity is PhoneValidity.VALID


def test_an_invalid_italian_number_says_why():
    assert judge_phone("+39 333 12", "IT").reasons == ("phone invalid: too short for IT",)


@pytest.mark.parametrize(
    ("message", "names", "flagged"),
    [
        ("We need 40 Microsoft 365 licenses by Q3.", (), None),
        ("Please see our site https://acme.it for details.", (), None),
        ("Cheap SEO services and backlinks for your site!", (), "message reads like spam"),
        ("Win at the casino: http://x.example", (), "message reads like spam"),
        ("a http://1 http://2 http://3", (), "message reads like spam"),
        ("Hello", ("MSFT_TEST", "Rossi"), "marketplace test lead (MSFT_TEST)"),
    ],
)
def test_content_spam_flags(message, names, flagged):
    reasons = content_spam_reasons(message, *names)
    if flagged is None:
        assert reasons == ()
    else:
        assert any(flagged in r for r in reasons), reasons


class _FakeDns:
    """A resolver that answers from a table and counts questions (no network in unit tests)."""

    def __init__(self, answers):
        self.answers, self.asked = answers, []

    def __call__(self, name, rdtype, timeout):
        import dns.resolver

        self.asked.append((name, rdtype))
        answer = self.answers.get((name, rdtype), "nxdomain")
        if isinstance(answer, Exception):
            raise answer
        if answer == "nxdomain":
            raise dns.resolver.NXDOMAIN()
        if answer == "none":
            raise dns.resolver.NoAnswer()
        return answer


def test_dns_checker_answers_caches_and_never_calls_a_failure_invalid():
    import dns.exception

    from referrals.adapters.dns import CANARY, MailDomainChecker

    fake = _FakeDns({
        (CANARY, "MX"): ["gmail-smtp-in.l.google.com."],
        ("acme.it", "MX"): ["mx.acme.it."],
        ("web-only.it", "MX"): "none", ("web-only.it", "A"): ["1.2.3.4"],
        ("nomail.it", "MX"): ["."],
        ("slow.it", "MX"): dns.exception.Timeout(),
    })
    check = MailDomainChecker(timeout=0.5, resolve=fake)
    assert check("acme.it") is MailDomain.ACCEPTS_MAIL
    assert check("web-only.it") is MailDomain.ACCEPTS_MAIL
    assert check("nomail.it") is MailDomain.NO_MAIL
    assert check("gone.it") is MailDomain.NOT_FOUND
    assert check("slow.it") is MailDomain.FAILED
    asked = len(fake.asked)
    check("acme.it"), check("slow.it")
    assert len(fake.asked) == asked  # answers and failures are cached


def test_dns_checker_distrusts_nxdomain_when_even_the_canary_is_missing():
    from referrals.adapters.dns import MailDomainChecker

    check = MailDomainChecker(timeout=0.5, resolve=_FakeDns({}))  # offline resolver: NXDOMAIN for everything
    assert check("acme.it") is MailDomain.FAILED
    assert judge_email("giulia@acme.it", mail_domain=check("acme.it")).validity is EmailValidity.UNKNOWN
