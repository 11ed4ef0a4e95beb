"""The public directory, the business profile page and the program admins' ranking and outbox pages,
through the pages as a browser sends them (forms with their CSRF token), on both databases."""

import re
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import Engine, func, select, update

from referrals.domain.enums import Role
from referrals.domain.profile import ProfileLocation
from referrals.services.directory import ContactRequest, contact_partner
from referrals.services.profiles import get_profile, save_profile
from referrals.store.db import writing
from referrals.store.tables import leads, outbox
from tests import factories
from tests.e2e.pages_support import Browser, Clock, pages_app

CONTACT = {"company": "Fabrikam Srl", "first_name": "Giulia", "last_name": "Rossi", "email": "giulia@fabrikam.it",
           "phone": "+39 02 1234 5678", "country": "IT", "company_size": "10-49", "industry": "manufacturing",
           "need": "A CRM for 40 sales people", "consent": "yes", "website": ""}


@dataclass(frozen=True)
class World:
    contoso: str
    northwind: str
    hidden: str
    milano: str  # Contoso's first location
    roma: str  # Contoso's second location


def _publish(engine: Engine, partner_id: str, **changes) -> tuple[ProfileLocation, ...]:
    editor = factories.add_principal(engine, partner_id, Role.BUSINESS_PROFILE_ADMIN)
    current = get_profile(engine, editor)
    saved = save_profile(engine, editor, replace(current, published=True, **changes), now=factories.NOW)
    return saved.locations


@pytest.fixture
def world(engine: Engine) -> World:
    contoso, northwind = factories.add_tenant(engine, "Contoso Consulting"), factories.add_tenant(engine, "Northwind")
    hidden = factories.add_tenant(engine, "Hidden Partners")  # never published
    milano, roma = _publish(
        engine, contoso.partner_id, description="CRM and ERP for Italian manufacturers.",
        website="https://contoso.example", keywords=("crm", "fatturazione elettronica"), products=("Contoso CRM",),
        industries=("manufacturing",), company_sizes=("10-49", "50-249"), countries=("IT",),
        locations=(ProfileLocation(contoso.location_id, "IT", "Milano", "Via Roma 1", "Luca", "alerts@contoso.it"),
                   ProfileLocation("", "IT", "Roma", "Via Veneto 2", "Sara Bianchi", "roma@contoso.it")),
    )
    _publish(engine, northwind.partner_id, description="SAP migrations for German industry.", keywords=("sap", "erp"),
             countries=("DE",), locations=(ProfileLocation(northwind.location_id, "DE", "Berlin", "", "Jan",
                                                           "alerts@northwind.de"),))
    for email, partner_id, role in (("bp@contoso.example", contoso.partner_id, Role.BUSINESS_PROFILE_ADMIN),
                                    ("ada@contoso.example", contoso.partner_id, Role.REFERRALS_ADMIN),
                                    ("ugo@contoso.example", contoso.partner_id, Role.REFERRALS_USER),
                                    ("pam@program.example", None, Role.PROGRAM_ADMIN),
                                    ("sam@program.example", None, Role.PROGRAM_SELLER)):
        factories.add_principal(engine, partner_id, role, email=email)
    return World(contoso.partner_id, northwind.partner_id, hidden.partner_id, milano.id, roma.id)


@pytest.fixture
def app(engine: Engine):
    return pages_app(engine, Clock())


def visitor(app, engine: Engine, email: str | None = None) -> Browser:
    """A browser of its own (its own cookies) on the test's app."""
    browser = Browser(app)
    if email:
        browser.enter_as(engine, email)
    return browser


def count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def errors_shown(html: str) -> dict[str, str]:
    return dict(re.findall(r'<span class="error" id="err-([^"]+)">([^<]+)</span>', html))


def partners_listed(html: str) -> list[str]:
    return re.findall(r'<li class="card result" data-partner-id="([^"]+)"', html)


# -- the public directory ----------------------------------------------------------------------------------


def test_the_directory_lists_published_partners_only_and_profiles_hide_alert_contacts(engine, app, world):
    customer = visitor(app, engine)

    everyone = customer.get("/directory")
    sap = customer.get("/directory", params={"q": "SAP"})
    italy = customer.get("/directory", params={"country": "IT", "company_size": "10-49"})
    profile = customer.get(f"/directory/{world.contoso}?location={world.roma}")

    assert everyone.status_code == 200
    assert sorted(partners_listed(everyone.text)) == sorted([world.contoso, world.northwind])
    assert "Hidden Partners" not in everyone.text
    assert partners_listed(sap.text) == [world.northwind] and "Berlin" in sap.text
    assert partners_listed(italy.text) == [world.contoso]
    assert f'href="/directory/{world.contoso}?location={world.milano}&amp;country=IT' in italy.text
    for shown in ("Contoso CRM", "fatturazione elettronica", "Via Veneto 2", "https://contoso.example"):
        assert shown in profile.text
    for secret in ("alerts@contoso.it", "roma@contoso.it", "Sara Bianchi", "Luca"):
        assert secret not in profile.text
    assert f'name="location_id" value="{world.roma}"' in profile.text
    assert customer.get(f"/directory/{world.hidden}").status_code == 404
    assert 'href="/directory"' in everyone.text and 'href="/profile"' not in everyone.text  # the anonymous nav


def test_contact_me_creates_one_profile_lead_at_the_shown_location_and_emails_its_contact(engine, app, world):
    customer = visitor(app, engine)
    assert f'name="location_id" value="{world.milano}"' in customer.get(f"/directory/{world.contoso}").text  # default
    customer.get(f"/directory/{world.contoso}?location={world.roma}")  # an anonymous session with a CSRF token

    sent = customer.post(f"/directory/{world.contoso}/contact", {**CONTACT, "location_id": world.roma})

    assert sent.status_code == 303 and sent.headers["location"] == f"/directory/{world.contoso}/sent"
    receipt_page = customer.get(sent.headers["location"])
    receipt = re.search(r'data-testid="receipt">(R-[0-9A-F]+)<', receipt_page.text).group(1)
    assert "14 days" in receipt_page.text and "never share your details with other partners" in receipt_page.text
    assert customer.get(sent.headers["location"]).text.count(receipt) == 1  # a reload shows it, sends nothing
    with engine.connect() as conn:
        (lead,) = conn.execute(select(leads.c.location_id, leads.c.type, leads.c.external_id)).all()
        emails = conn.execute(select(outbox.c.recipient, outbox.c.status)).all()
    assert (lead.location_id, lead.type, lead.external_id) == (world.roma, "profile", f"directory:{receipt}")
    assert [tuple(row) for row in emails] == [("roma@contoso.it", "pending")]


def test_the_contact_form_asks_for_the_customers_country_starting_from_the_offices(engine, app, world):
    customer = visitor(app, engine)
    # given the form of the Rome office, the country is there already (the customer may change it)
    form = customer.get(f"/directory/{world.contoso}?location={world.roma}").text
    assert re.search(r'<select id="c-country" name="country"[^>]*aria-required="true"', form)
    assert '<option value="IT" selected>' in form
    # when it is sent without one, nothing is sent and the field says why
    refused = customer.post(f"/directory/{world.contoso}/contact", {**CONTACT, "location_id": world.roma,
                                                                     "country": ""})
    assert refused.status_code == 422 and 'id="err-country"' in refused.text
    # and a request with a country makes a lead that carries it
    assert customer.post(f"/directory/{world.contoso}/contact",
                         {**CONTACT, "location_id": world.roma, "country": "CH"}).status_code == 303
    with engine.connect() as conn:
        assert conn.execute(select(leads.c.customer_country)).scalars().all() == ["CH"]


def test_bad_input_a_bot_and_a_form_without_its_token_create_nothing_and_say_why(engine, app, world):
    customer = visitor(app, engine)
    customer.get(f"/directory/{world.contoso}")
    url = f"/directory/{world.contoso}/contact"

    bad = customer.post(url, {**CONTACT, "location_id": world.milano, "consent": "", "email": "not an email",
                              "company": "F" * 201})
    bot = customer.post(url, {**CONTACT, "location_id": world.milano, "website": "http://spam.example"})
    forged = customer.client.post(url, data={**CONTACT, "location_id": world.milano, "csrf_token": "forged"})

    assert bad.status_code == 422
    assert errors_shown(bad.text) == {"company": "Use at most 200 characters.",
                                      "email": "Enter a valid email address, like name@example.com.",
                                      "consent": "Tick the box so the partner may contact you."}
    assert 'value="not an email"' in bad.text and "A CRM for 40 sales people</textarea>" in bad.text  # kept
    assert bot.status_code == 422 and "could not be sent" in bot.text
    assert forged.status_code == 403
    assert count(engine, leads) == 0 and count(engine, outbox) == 0


def test_the_contact_form_shares_the_apis_rate_limit_per_address(engine, app, world):
    customer = visitor(app, engine)
    api = customer.client
    for _ in range(5):  # the JSON API's Contact me spends the same bucket
        answer = api.post(f"/api/v1/directory/{world.contoso}/contact",
                          json={**CONTACT, "location_id": world.milano, "consent": True})
        assert answer.status_code == 201, answer.text
    customer.get(f"/directory/{world.contoso}")

    refused = customer.post(f"/directory/{world.contoso}/contact", {**CONTACT, "location_id": world.milano})

    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Too many requests from your address" in refused.text and 'value="Fabrikam Srl"' in refused.text
    assert count(engine, leads) == 5


# -- the business profile ------------------------------------------------------------------------------


def profile_form(world: World, **changes) -> list[tuple[str, str]]:
    fields = [("name", "Contoso Consulting Srl"), ("description", "CRM, ERP and e-invoicing."),
              ("website", "https://contoso.example"), ("keywords", "crm, erp , "), ("products", "Contoso CRM"),
              ("industries", "manufacturing"), ("industries", "retail"), ("company_sizes", "10-49"),
              ("countries", "IT"), ("countries", "CH"), ("published", "yes"),
              ("loc-0-id", world.milano), ("loc-0-country", "IT"), ("loc-0-city", "Milano"),
              ("loc-0-contact_email", "alerts@contoso.it"),
              ("loc-1-id", world.roma), ("loc-1-country", ""), ("loc-1-city", ""),  # cleared: removed
              ("loc-2-id", ""), ("loc-2-country", "IT"), ("loc-2-city", "Torino"),
              ("loc-2-contact_email", "torino@contoso.it")]
    return [(k, v) for k, v in fields if k not in changes] + [(k, v) for k, vs in changes.items() for v in vs]


def test_a_business_profile_admin_edits_the_profile_and_a_referrals_user_may_only_read_it(engine, app, world):
    reader, editor = visitor(app, engine, "ugo@contoso.example"), visitor(app, engine, "bp@contoso.example")
    principal = factories.add_principal(engine, world.contoso, Role.REFERRALS_USER)

    seen = reader.get("/profile")
    refused = reader.post("/profile", profile_form(world))
    form = editor.get("/profile")
    saved = editor.post("/profile", profile_form(world))

    assert seen.status_code == 200 and "Contoso Consulting" in seen.text
    assert 'data-testid="profile-form"' not in seen.text  # read only
    assert 'href="/profile" aria-current="page"' in seen.text  # the nav link for partner users
    assert refused.status_code == 403
    assert form.status_code == 200 and form.text.count('data-testid="location-row"') == 3  # two and an empty one
    assert saved.status_code == 303 and saved.headers["location"] == "/profile"
    assert "Business profile saved." in editor.get("/profile").text
    after = get_profile(engine, principal)
    assert (after.name, after.keywords, after.industries, after.countries) == (
        "Contoso Consulting Srl", ("crm", "erp"), ("manufacturing", "retail"), ("IT", "CH"))
    assert [(loc.city, loc.contact_email) for loc in after.locations] == [
        ("Milano", "alerts@contoso.it"), ("Torino", "torino@contoso.it")]


def test_six_locations_in_one_country_are_refused_with_the_error_shown_and_nothing_changes(engine, app, world):
    editor = visitor(app, engine, "bp@contoso.example")
    editor.get("/profile")
    six = {f"loc-{n}-{field}": [value] for n in range(2, 6) for field, value in (("country", "IT"), ("city", f"C{n}"))}
    six.update({"loc-1-country": ["IT"], "loc-1-city": ["Roma"], "website": ["ftp://contoso.example"]})

    refused = editor.post("/profile", profile_form(world, **six))

    assert refused.status_code == 422
    shown = errors_shown(refused.text)
    assert shown["website"] == "Enter an address that starts with https:// or http://."
    assert 'id="err-locations"' in refused.text and "at most 5 locations per country (IT)" in refused.text
    assert 'value="C5"' in refused.text  # what the admin typed is kept
    principal = factories.add_principal(engine, world.contoso, Role.REFERRALS_USER)
    assert [loc.city for loc in get_profile(engine, principal).locations] == ["Milano", "Roma"]


# -- program pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/program/ranking", "/program/outbox"])
def test_ranking_and_outbox_are_for_program_admins_only(engine, app, world, url):
    for email in ("ada@contoso.example", "bp@contoso.example", "sam@program.example"):
        assert visitor(app, engine, email).get(url).status_code == 403, email
    assert visitor(app, engine).get(url).status_code == 303  # to the sign-in page
    seller = visitor(app, engine, "sam@program.example")
    seller.get("/program/sent")
    assert seller.post("/program/outbox/whatever/retry", {}).status_code == 403
    page = visitor(app, engine, "pam@program.example").get(url)
    assert page.status_code == 200
    assert 'href="/program/ranking"' in page.text and 'href="/program/outbox"' in page.text


def test_the_ranking_shows_each_score_part_in_numbers_and_words(engine, app, world):
    page = visitor(app, engine, "pam@program.example").get("/program/ranking", params={"q": "crm", "country": "IT"})

    (row,) = re.findall(rf'<tr data-partner-id="{world.contoso}">(.*?)</tr>', page.text, re.S)
    parts = dict(re.findall(r'data-part="(\w+)">([\d.]+)<', row))
    assert set(parts) == {"relevance", "fit", "responsiveness", "preference"}
    assert parts["relevance"] == "1.00" and parts["fit"] == "1.00"
    assert "No leads yet: neutral estimate" in row
    for words in ("How well the profile matches the search words", "How often and how quickly the partner answered",
                  "Learnt from the partner", "multiplied by 0.60"):
        assert words in page.text


def test_the_outbox_lists_a_pending_email_and_send_again_requeues_a_failed_one(engine, app, world):
    contact_partner(engine, world.contoso, ContactRequest(world.milano, "Globex", "", "Neri", "marta@globex.it",
                                                          country="IT", need="ERP", consent=True), now=factories.NOW)
    contact_partner(engine, world.northwind, ContactRequest(world_location(engine, world.northwind), "Initech", "",
                                                            "Bolton", "bill@initech.example", country="US",
                                                            need="SAP", consent=True), now=factories.NOW)
    with writing(engine) as conn:
        conn.execute(update(outbox).where(outbox.c.recipient == "alerts@northwind.de").values(
            status="failed", attempts=5, last_error="550 mailbox unavailable"))
    admin = visitor(app, engine, "pam@program.example")

    everything = admin.get("/program/outbox")
    failed = admin.get("/program/outbox", params={"status": "failed"})
    (failed_id,) = re.findall(r'<tr data-message-id="([^"]+)" data-status="failed">', failed.text)
    again = admin.post(f"/program/outbox/{failed_id}/retry", {"next": "/program/outbox?status=failed"})

    assert "alerts@contoso.it" in everything.text and 'data-status="pending"' in everything.text
    assert "No SMTP server is configured" in everything.text
    assert "alerts@contoso.it" not in failed.text and "550 mailbox unavailable" in failed.text
    assert "Send again" in failed.text
    assert again.status_code == 303 and again.headers["location"] == "/program/outbox?status=failed"
    with engine.connect() as conn:
        row = conn.execute(select(outbox.c.status, outbox.c.attempts).where(outbox.c.id == failed_id)).one()
    assert tuple(row) == ("pending", 0)
    assert admin.post(f"/program/outbox/{failed_id}/retry", {}).status_code == 404  # no longer failed


def world_location(engine: Engine, partner_id: str) -> str:
    principal = factories.add_principal(engine, partner_id, Role.REFERRALS_USER)
    return get_profile(engine, principal).locations[0].id


def test_suggested_partners_appear_on_the_send_form_and_one_can_be_picked(engine, app, world):
    seller = visitor(app, engine, "sam@program.example")

    linked = seller.get("/program/send", params={"suggest": "1", "message": "SAP migration", "country": "DE"})
    typed = {"partner_id": "", "qualification": "sales", "company": "Globex", "message": "crm", "country": "IT",
             "company_size": "10-49"}
    suggested = seller.post("/program/send", {**typed, "suggest": "1"})
    picked = seller.post("/program/send", {**typed, "pick": world.contoso})

    assert re.findall(r'data-pick="([^"]+)"', linked.text) == [world.northwind]
    assert re.findall(r'data-pick="([^"]+)"', suggested.text)[0] == world.contoso
    assert {"relevance", "fit", "responsiveness", "preference"} <= set(re.findall(r'data-part="(\w+)"', suggested.text))
    assert f'<option value="{world.contoso}" selected>' in picked.text and 'value="Globex"' in picked.text
    assert count(engine, leads) == 0  # suggesting and picking send nothing
