"""Italian for every message, dates and money in the reader's language; the program staff's pages."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.services.reading import get_lead
from referrals.web import i18n
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, lead_ids, pages_app

CATALOGUES = i18n.LOCALE_DIR


def test_every_message_has_an_italian_translation_and_the_mo_matches_the_po():
    with (open(CATALOGUES / "messages.pot", "rb") as pot, open(CATALOGUES / "it/LC_MESSAGES/messages.po", "rb") as po,
          open(CATALOGUES / "it/LC_MESSAGES/messages.mo", "rb") as mo):
        template, italian, compiled = read_po(pot), read_po(po), read_mo(mo)
    wanted = {m.id for m in template if m.id}
    assert wanted == {m.id for m in italian if m.id}, "run the catalogue update (src/referrals/locale/README.md)"
    untranslated = [m.id for m in italian if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert untranslated == []
    def strings(catalog):
        def plain(value):
            return tuple(value) if isinstance(value, list | tuple) else value

        return {plain(m.id): plain(m.string) for m in catalog if m.id}

    assert strings(compiled) == strings(italian)
    assert italian.num_plurals == get_plural("it").num_plurals  # as Babel's CLDR data says


def test_dates_numbers_and_money_follow_the_language():
    moment = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    italian = i18n.Formatter("it", "Europe/Rome", moment)
    english = i18n.Formatter("en", "America/Los_Angeles", moment)
    assert italian.money(Decimal("25000.5"), "EUR") == "25.000,50\xa0€"
    assert english.money(Decimal("25000.5"), "EUR") == "€25,000.50"
    assert italian.relative(datetime(2026, 3, 5, 9, 30, tzinfo=UTC)) == "tra 3 giorni"
    assert english.relative(datetime(2026, 3, 5, 9, 30, tzinfo=UTC)) == "in 3 days"
    assert italian.datetime(moment).endswith("10:30")  # Rome is UTC+1 in March
    assert english.datetime(moment).endswith("1:30\u202fAM")
    assert italian.country("DE") == "Germania"
    assert italian.label("contact_me", "CallToAction") == "Contattami"


def test_accept_language_negotiation_honours_q_values():
    assert i18n.negotiate("fr-FR, it;q=0.8, en;q=0.9") == "en"
    assert i18n.negotiate("de, it-CH;q=0.5") == "it"
    assert i18n.negotiate("") is None
    assert i18n.choose_language(None, None, "xx") == "en"


@pytest.fixture
def world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, None, Role.PROGRAM_SELLER, email="sam@program.example")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example", language="it")
    return tenant


def test_program_staff_send_a_qualified_lead_and_follow_it(engine: Engine, world):
    seller = Browser(pages_app(engine, Clock()))
    seller.enter_as(engine, "sam@program.example")
    form = seller.get("/program/send").text
    assert "Contoso Consulting" in form
    missing = seller.post("/program/send", {"partner_id": world.partner_id, "qualification": "sales"})
    assert missing.status_code == 422 and 'id="err-company"' in missing.text
    sent = seller.post("/program/send", {
        "partner_id": world.partner_id, "qualification": "sales", "source": "azure_portal", "company": "Globex SpA",
        "first_name": "Marta", "last_name": "Neri", "email": "marta@globex.it", "country": "IT",
        "message": "Needs 200 seats in Q3."})
    assert sent.status_code == 303 and sent.headers["location"] == "/program/sent"
    page = seller.get("/program/sent").text
    assert "Globex SpA" in page and "Contoso Consulting" in page and "Received" in page
    (lead_id,) = lead_ids(page)

    partner = Browser(pages_app(engine, Clock()))
    partner.enter_as(engine, "ada@contoso.example")
    qualified = partner.get("/leads?tab=qualified").text
    assert lead_ids(qualified) == [lead_id]
    assert "Qualificato dalle vendite" in qualified  # the partner admin reads Italian
    lead = get_lead(engine, world.admin, lead_id).lead
    assert lead.origin.referrer_email == "sam@program.example"
