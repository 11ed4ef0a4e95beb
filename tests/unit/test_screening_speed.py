"""The caches and fast paths that make bulk screening quick give exactly the answers of the slow paths."""

import unicodedata

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.domain import quality, quality_features, quality_titles, validity
from referrals.domain.quality import PRIOR, QualityModel, contributions
from referrals.domain.quality_features import group
from referrals.domain.validity import judge_email, judge_phone

LOCALS = ["giulia.rossi", "josé.garcía", "Ünsal", "用户", "niccolò", "jürgen.müller", "søren", "e\u0301lodie",
          "KELVIN\u212a", "\u212aelvin", "a\u0338b", "ａｂｃ", "info", "no-reply", "test", "asdf", "x" * 70,
          "é" * 64, "é" * 40, "jo\u200bsé", "jo sé", '"josé"', "josé.", ".josé", "jo..sé", "josé+promo", ""]
DOMAINS = ["acme.it", "ACME.IT", "exämple.de", "EXAMPLE.com", "例子.广告", "gmail.com", "mailinator.com",
           "sub.mailinator.com", "acme", "-acme.it", "acme..it", "localhost", "x.test", "[1.2.3.4]", "",
           "a" * 63 + ".com", "b" * 64 + ".com", ".".join(["c" * 60] * 3) + ".com", "xn--bcher-kva.de",
           "qwerty.com", "acme.it.", "ac_me.it"]
ADDRESSES = [f"{local}@{domain}" for local in LOCALS for domain in DOMAINS] + [
    "josé@@acme.it", "Giulia <josé@acme.it>", "josé", "josé@acme.it@x.it", "\u0301@acme.it", "josé@\u0301acme.it",
]


def _reference(raw: str) -> tuple[str, str, str, str] | str:
    """What `_parse` gave before the fast paths: email-validator's full parse, or its error."""
    try:
        parsed = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    domain = parsed.domain.lower()
    return parsed.local_part, domain, (parsed.ascii_domain or domain).lower(), parsed.normalized


def _parsed(raw: str) -> tuple[str, str, str, str] | str:
    try:
        return validity._parse(raw)
    except EmailNotValidError as error:
        return str(error)


@pytest.mark.parametrize("raw", [a for a in ADDRESSES if not a.isascii()])
def test_internationalised_addresses_parse_as_email_validator_parses_them(raw):
    assert _parsed(raw) == _reference(raw)
    assert _parsed(raw) == _reference(raw)  # and again, now from the caches


def test_the_fast_path_is_taken_for_ordinary_internationalised_addresses():
    validity._local_of.cache_clear()
    assert _parsed("josé.garcía@empresa.es") == ("josé.garcía", "empresa.es", "empresa.es", "josé.garcía@empresa.es")
    assert _parsed("josé.garcía@other.es")[0] == "josé.garcía"
    assert validity._local_of.cache_info().hits == 1  # the second address reused the first one's local part


def test_a_local_part_that_normalisation_changes_comes_back_normalised():
    decomposed = "e\u0301lodie"
    local, *_ = _parsed(f"{decomposed}@acme.it")
    assert local == unicodedata.normalize("NFC", decomposed) == "élodie"
    assert _parsed("KELVIN\u212a@acme.it")[0] == "KELVINK"


@given(
    local=st.text(st.sampled_from("aZ.+-_é\u0301\u212aü用 \"<@"), min_size=0, max_size=12),
    domain=st.sampled_from(DOMAINS),
)
@settings(max_examples=300, deadline=None)
def test_any_address_gets_the_verdict_of_the_full_parse(local, domain):
    raw = f"{local}@{domain}"
    fast = judge_email(raw)
    original = validity._fast_local
    validity._fast_local = lambda *args: None  # everything through email-validator whole
    try:
        slow = judge_email(raw)
    finally:
        validity._fast_local = original
    assert (fast.validity, fast.reasons, fast.domain, fast.free_mail, fast.role_account) == (
        slow.validity, slow.reasons, slow.domain, slow.free_mail, slow.role_account
    )
    if not raw.strip().isascii():
        assert fast.normalized == slow.normalized


def test_email_verdicts_do_not_depend_on_what_is_cached():
    blocked = {"blocked": frozenset({"acme.it"}), "blocked_reasons": {"acme.it": "abuse"}}
    for raw in ADDRESSES:
        _cleared()
        cold = judge_email(raw, **blocked), judge_email(raw)
        assert (judge_email(raw, **blocked), judge_email(raw)) == cold, raw


def _cleared() -> None:
    for cache in (validity._domain_of, validity._local_of, validity._is_walk, validity._disposable,
                  validity._judge_phone):
        cache.cache_clear()


def test_a_blocked_parent_domain_is_still_found_with_the_caches_warm():
    assert judge_email("anna@mail.acme.it").validity.value == "valid"
    verdict = judge_email("anna@mail.acme.it", blocked=frozenset({"acme.it"}), blocked_reasons={"acme.it": "abuse"})
    assert verdict.reasons == ("blocked domain acme.it: abuse",)
    assert judge_email("anna@sub.mailinator.com").reasons == ("disposable email domain (mailinator.com)",)


PHONES = [("06 1234 5678", "IT"), ("+39 06 1234 5678", None), ("+39 06 1234 5678", "us"), ("333 123", "IT"),
          ("202-555-0143", "US"), ("not a number", "IT"), ("12345", "XK"), ("+999 123456", None), ("", "IT"),
          ("020 7946 0958", "GB"), ("020 7946 0958", "gb"), ("+800 1234 5678", None), ("5551234", None)]


@pytest.mark.parametrize(("number", "country"), PHONES)
def test_phone_verdicts_are_those_of_the_uncached_rules(number, country):
    _cleared()
    first = judge_phone(number, country)
    assert judge_phone(f" {number} ", country) == first  # from the cache
    region = (country or "").upper() or None
    if number:
        assert validity._judge_phone.__wrapped__(number, region) == first


def test_the_caches_are_bounded():
    caches = [validity._domain_of, validity._local_of, validity._is_walk, validity._disposable,
              validity._judge_phone, quality_features._fold, quality_features._squashed_company,
              quality_titles.read_title, quality_titles.title_features]
    assert all(cache.cache_info().maxsize is not None for cache in caches)
    _cleared()
    limit = validity._judge_phone.cache_info().maxsize
    for n in range(limit + 10):
        validity._judge_phone(str(n), "ZZ")
    assert validity._judge_phone.cache_info().currsize == limit


@given(st.text(st.sampled_from("ABCxyz É ñ!1\u01c5"), max_size=80))
@settings(max_examples=300, deadline=None)
def test_capitals_are_counted_as_before(message):
    upper, lower = sum(map(str.isupper, message)), sum(map(str.islower, message))
    assert quality_features._in_capitals(message) == (upper >= 20 and upper > 1.5 * lower)


@pytest.mark.parametrize("title", ["", "  ", "CEO", "Student intern", "Sales manager", "Tirocinante", "Engineer"])
def test_title_kinds(title):
    assert quality_titles.read_title(title) == quality_titles.read_title.__wrapped__(title)


def test_scoring_terms_give_the_contributions_of_the_dictionary_walk():
    model = QualityModel(-1.0, {"email=valid": 0.5, "phone=invalid": -0.7, "spam": -2.0},
                         {"p1": 0.2}, {"email": 0.1, "phone": -0.3}, examples=10)
    feats = {"email=valid": 1.0, "phone=invalid": 1.0, "country=IT": 1.0, "spam": 1.0}
    z, parts = contributions(model, feats, "p1")
    expected = [(n, model.weights[n] * v - model.baselines.get(group(n), 0.0))
                for n, v in feats.items() if n in model.weights]
    assert z == (((-1.0 + 0.5) + -0.7) + -2.0) + 0.2  # the same sums in the same order
    assert parts == [*expected, ("partner", 0.2)]
    assert quality.score(PRIOR, feats) == quality.score(QualityModel(PRIOR.bias, dict(PRIOR.weights)), feats)


LONG_DOMAINS = [".".join(["d" * 60] * 4) + ".com", ".".join(["e" * 59] * 4) + ".co", ".".join(["f" * 61] * 4)]


@pytest.mark.parametrize("raw", [f"{local}@{domain}" for local in ("é", "a", "josé.g", "ab")
                                 for domain in LONG_DOMAINS])
def test_a_domain_near_the_length_limit_gets_the_full_parse_s_verdict(raw):
    # the cached domain check writes "postmaster@" before the domain, longer than these local parts: its
    # "too long" must not stand for the address's own verdict
    assert _parsed(raw) == _reference(raw)
