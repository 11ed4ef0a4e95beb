"""The personal-data rules without a database: how an address is matched, what redaction replaces (and what it
leaves), when a company is the person, and what an erased lead keeps."""

from types import SimpleNamespace

import pytest

from referrals.domain import lead_search
from referrals.domain.errors import InvalidInput
from referrals.domain.privacy import (
    ERASED,
    Identifiers,
    address_forms,
    address_hash,
    company_is_person,
    erased_lead,
    identifiers_of,
    redact,
)
from tests.factories import NOW

WHO = identifiers_of(email="ottavia.z@fabrikam.it", first_name="Ottavia", last_name="Zanardelli",
                     phone="+39 02 9876 5432")


def test_an_address_matches_in_any_case_and_with_its_domain_in_unicode_or_ascii():
    assert "ottavia.z@fabrikam.it" in address_forms("  Ottavia.Z@FABRIKAM.it ")
    forms = address_forms("josé@bücher.de")
    assert {"josé@bücher.de", "josé@xn--bcher-kva.de"} <= forms


@pytest.mark.parametrize("text", ["", "ottavia", "@fabrikam.it", "ottavia@", "a b@c.d"])
def test_what_is_not_an_address_is_refused_naming_the_field(text):
    with pytest.raises(InvalidInput) as refused:
        address_forms(text)
    assert refused.value.fields == {"email": "is not an email address"}


def test_the_record_keeps_a_salted_hash_that_the_same_address_reproduces_and_never_the_address():
    salt, digest = address_hash("Ottavia.Z@Fabrikam.it")
    assert address_hash("ottavia.z@fabrikam.it", salt) == (salt, digest)
    assert "ottavia" not in digest and address_hash("ottavia.z@fabrikam.it")[1] != digest  # a new salt each time


def test_redaction_replaces_names_as_whole_words_and_addresses_and_phones_anywhere():
    text = "Call OTTAVIA Zanardelli (ottavia.z@fabrikam.it, +39 02 9876 5432) about the Ottavian deal"
    assert redact(text, WHO) == f"Call {ERASED} ({ERASED}, {ERASED}) about the Ottavian deal"


def test_redaction_walks_json_documents_and_leaves_other_values():
    document = {"lead": {"names": ["Ottavia"], "amount": 12, "ok": True, "note": None}}
    assert redact(document, WHO) == {"lead": {"names": [ERASED], "amount": 12, "ok": True, "note": None}}
    assert redact("anything", Identifiers()) == "anything"


def test_a_company_named_after_the_person_is_personal_and_a_real_company_is_not():
    assert company_is_person("Ottavia Zanardelli Consulting", WHO)
    assert not company_is_person("Zanardelli Group", WHO)  # a family name alone may be anyone's company
    assert not company_is_person("Fabrikam Srl", WHO)


def _row(**overrides):
    base = dict(partner_id="p", id="l", customer_company="Fabrikam Srl", customer_first_name="Ottavia",
                customer_last_name="Zanardelli", customer_email="ottavia.z@fabrikam.it", customer_phone="+39 1",
                deal_name="Zanardelli rollout", deal_notes="Ottavia wants a pilot", closing_notes=None,
                deal_contacts=[{"first_name": "M", "last_name": "B", "email": "m@b.it"}],
                spam_reasons=["blocked address: ottavia.z@fabrikam.it"], external_id="mkt:abc:1", outcome="won")
    return SimpleNamespace(**{**base, **overrides})


def test_an_erased_lead_keeps_its_company_and_loses_the_person_and_its_marketplace_fingerprint():
    values = erased_lead(_row(), Identifiers(), NOW)

    assert values["customer_company"] == "Fabrikam Srl" and values["customer_email"] == ""
    assert values["deal_name"] == f"{ERASED} rollout" and values["deal_notes"] == f"{ERASED} wants a pilot"
    assert values["deal_contacts"] == [] and values["raw_payload"] is None and values["external_id"] is None
    assert values["spam_reasons"] == [f"blocked address: {ERASED}"]
    assert values["customer_key"] == "fabrikam srl | "
    assert values["search_text"].endswith(lead_search.WITHHELD) and "ottavia" not in values["search_text"]


def test_an_erased_lead_keeps_an_external_id_its_source_gave_and_blanks_a_sole_traders_company():
    values = erased_lead(_row(external_id="CRM-42", customer_company="Ottavia Zanardelli"), Identifiers(), NOW)

    assert values["external_id"] == "CRM-42" and values["customer_company"] == ""


def test_the_customer_key_separator_is_the_stores():
    from referrals.domain import privacy
    from referrals.store import leadrows

    assert privacy.KEY_SEPARATOR == leadrows.KEY_SEPARATOR
