"""Business profiles and the partner directory, on both databases."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from referrals.domain.enums import CallToAction, Outcome, Reason, Role, Urgency
from referrals.domain.errors import Forbidden, InvalidInput, NotFound
from referrals.domain.listing import LeadFilter, PageRequest, Sort
from referrals.domain.profile import Profile, ProfileLocation
from referrals.services.directory import ContactRequest, SearchQuery, contact_partner, search
from referrals.services.lifecycle import accept_lead, close_lead, decline_lead
from referrals.services.partner_stats import refresh_partner_stats
from referrals.services.profiles import get_profile, save_profile
from referrals.services.reading import list_leads
from referrals.services.sweep import sweep
from referrals.store.db import reading
from referrals.store.tables import leads, outbox
from tests import factories


def profile_admin(engine, partner_id):
    return factories.add_principal(engine, partner_id, Role.BUSINESS_PROFILE_ADMIN, Role.REFERRALS_ADMIN)


def publish(engine, name, *, now, keywords=(), description="", industries=(), countries=("IT",), locations=None):
    partner = factories.add_partner(engine, name, now=now)
    admin = profile_admin(engine, partner.id)
    current = get_profile(engine, admin)
    places = (
        locations
        if locations is not None
        else (replace(current.locations[0], contact_email="desk@" + name.split()[0].lower() + ".example"),)
    )
    profile = Profile(
        partner.id,
        name,
        description=description,
        keywords=tuple(keywords),
        industries=tuple(industries),
        countries=tuple(countries),
        published=True,
        locations=places,
    )
    save_profile(engine, admin, profile, now=now)
    return partner, admin


def ids(hits):
    return [hit.partner_id for hit in hits]


def test_profile_is_read_by_everyone_in_the_partner_and_written_only_by_business_profile_admins(engine, tenant, now):
    editor = profile_admin(engine, tenant.partner_id)
    profile = replace(get_profile(engine, tenant.reader), description="ERP and CRM integrations", keywords=("erp",))

    save_profile(engine, editor, profile, now=now)

    assert get_profile(engine, tenant.reader).description == "ERP and CRM integrations"
    with pytest.raises(Forbidden):
        save_profile(engine, tenant.admin, replace(profile, description="hijacked"), now=now)  # Referrals admin only
    assert get_profile(engine, tenant.reader).description == "ERP and CRM integrations"


def test_a_profile_holds_at_most_five_locations_per_country(engine, tenant, now):
    editor = profile_admin(engine, tenant.partner_id)
    profile = get_profile(engine, editor)
    five_more = tuple(ProfileLocation("", "IT", f"City {i}") for i in range(4))
    save_profile(engine, editor, replace(profile, locations=profile.locations + five_more), now=now)
    saved = get_profile(engine, editor)
    assert len(saved.locations) == 5

    with pytest.raises(InvalidInput) as refused:
        save_profile(
            engine, editor, replace(saved, locations=saved.locations + (ProfileLocation("", "IT", "Six"),)), now=now
        )
    assert "at most 5 locations per country" in refused.value.fields["locations"]
    assert len(get_profile(engine, editor).locations) == 5
    save_profile(
        engine, editor, replace(saved, locations=saved.locations + (ProfileLocation("", "CH", "Lugano"),)), now=now
    )  # another country is fine


def test_an_exact_keyword_match_ranks_above_a_description_only_match_ignoring_accents_and_case(engine, now):
    described, _ = publish(engine, "Alpha Consulting", now=now, description="We also do some Fatturazione work.")
    keyworded, _ = publish(engine, "Beta Partners", now=now, keywords=("fatturazione elettronica",))
    publish(engine, "Gamma Cloud", now=now, keywords=("backup",))

    hits = search(engine, SearchQuery(text="FATTURAZIONE"))
    accented = search(engine, SearchQuery(text="fattùrazióne"))

    assert ids(hits) == [keyworded.id, described.id]
    assert ids(accented) == ids(hits)
    assert hits[0].score.relevance > hits[1].score.relevance


def test_search_filters_by_country_in_the_database_and_shows_the_matching_location(engine, now):
    italian, _ = publish(engine, "Roma Digital", now=now, keywords=("crm",), countries=("IT",))
    publish(
        engine,
        "Texas CRM",
        now=now,
        keywords=("crm",),
        countries=("US",),
        locations=(ProfileLocation("", "US", "Austin", contact_email="crm@texas.example"),),
    )

    hits = search(engine, SearchQuery(text="crm", country="IT"))

    assert ids(hits) == [italian.id]
    assert hits[0].location.country == "IT"


def test_unpublished_profiles_are_not_found(engine, tenant, now):
    editor = profile_admin(engine, tenant.partner_id)
    save_profile(engine, editor, replace(get_profile(engine, editor), keywords=("erp",), published=False), now=now)

    assert search(engine, SearchQuery(text="erp")) == []


def test_a_partner_whose_leads_all_expired_ranks_below_an_identical_responsive_partner(engine, now):
    lazy, _ = publish(engine, "Lazy Partners", now=now, keywords=("sap",))
    quick, quick_admin = publish(engine, "Quick Partners", now=now, keywords=("sap",))
    start = now - timedelta(days=40)
    for _ in range(6):
        factories.ingest(engine, factories.SALES, lazy.id, now=start)
        lead = factories.ingest(engine, factories.SALES, quick.id, now=start)
        accept_lead(
            engine,
            quick_admin,
            lead.id,
            factories.deal_terms(team=(quick_admin.user_id,)),
            now=start + timedelta(hours=3),
        )
    sweep(engine, now=now)
    refresh_partner_stats(engine, now=now)

    hits = search(engine, SearchQuery(text="sap"))

    assert ids(hits) == [quick.id, lazy.id]
    assert hits[1].score.responsiveness < hits[0].score.responsiveness
    assert hits[0].score.relevance == hits[1].score.relevance


def test_declining_leads_of_one_industry_ranks_a_partner_lower_for_it_and_not_for_others(engine, now):
    picky, picky_admin = publish(engine, "Picky Partners", now=now, keywords=("cloud",))
    steady, _ = publish(engine, "Steady Partners", now=now, keywords=("cloud",))
    start = now - timedelta(days=30)
    for _ in range(5):
        lead = factories.ingest(engine, factories.SALES, picky.id, now=start, customer={"industry": "retail"})
        decline_lead(
            engine, picky_admin, lead.id, Reason.REQUIREMENT_NOT_MET, "Not our field.", now=start + timedelta(hours=2)
        )
    refresh_partner_stats(engine, now=now)

    retail = {hit.partner_id: hit.score for hit in search(engine, SearchQuery(text="cloud", industry="retail"))}
    healthcare = {hit.partner_id: hit.score for hit in search(engine, SearchQuery(text="cloud", industry="healthcare"))}

    assert retail[picky.id].preference < 0.9
    assert retail[picky.id].total < retail[steady.id].total
    assert healthcare[picky.id].preference >= retail[picky.id].preference
    assert healthcare[picky.id].preference == pytest.approx(1.0, abs=0.15)


def test_accepting_everything_buys_no_ranking_when_the_deals_are_lost_as_poor_fit(engine, now):
    eager, eager_admin = publish(engine, "Eager Partners", now=now, keywords=("erp",))
    start = now - timedelta(days=30)
    for _ in range(5):
        lead = factories.ingest(engine, factories.SALES, eager.id, now=start, customer={"industry": "retail"})
        accept_lead(
            engine,
            eager_admin,
            lead.id,
            factories.deal_terms(team=(eager_admin.user_id,)),
            now=start + timedelta(hours=1),
        )
        close_lead(
            engine, eager_admin, lead.id, Outcome.LOST, Reason.REQUIREMENT_NOT_MET, "", now=start + timedelta(days=5)
        )
    refresh_partner_stats(engine, now=now)

    [hit] = search(engine, SearchQuery(text="erp", industry="retail"))

    assert hit.score.preference < 1


def test_contact_me_creates_one_profile_lead_at_the_shown_location_and_notifies_its_contact(engine, now):
    partner, _ = publish(engine, "Contact Partners", now=now, keywords=("crm",))
    [hit] = search(engine, SearchQuery(text="crm", country="IT"))
    request = ContactRequest(
        location_id=hit.location.id,
        company="Fabrikam Srl",
        first_name="Giulia",
        last_name="Rossi",
        email="giulia@fabrikam.it",
        phone="+39 02 1234 5678",
        country="IT",
        need="A CRM for 40 sales people",
        consent=True,
    )

    receipt = contact_partner(engine, partner.id, request, now=now)

    with reading(engine) as conn:
        [lead] = conn.execute(select(leads).where(leads.c.partner_id == partner.id)).all()
        emails = conn.execute(select(outbox.c.recipient, outbox.c.template)).all()
    assert receipt.startswith("R-") and receipt not in lead.id
    assert (lead.type, lead.location_id, lead.customer_requested_contact) == ("profile", hit.location.id, True)
    assert [(e.recipient, e.template) for e in emails] == [("desk@contact.example", "new_lead")]
    # and it carries the customer's country, and counts as a Contact me lead for the partner's list
    assert lead.customer_country == "IT"
    admin = factories.add_principal(engine, partner.id, Role.REFERRALS_ADMIN)
    contact_me = LeadFilter(call_to_action=frozenset({CallToAction.CONTACT_ME}))
    listed = list_leads(engine, admin, PageRequest(contact_me, Sort.URGENCY), now=now)
    assert [item.id for item in listed.items] == [lead.id]
    assert listed.items[0].state.urgency(now) is Urgency.HOT


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": False}, "consent"),
        ({"email": "not-an-email"}, "email"),
        ({"need": ""}, "need"),
        ({"location_id": "elsewhere"}, "location_id"),
        ({"need": "x" * 5000}, "need"),
        ({"country": None}, "country"),
    ],
)
def test_a_bad_contact_request_is_refused_and_creates_nothing(engine, now, change, field):
    partner, _ = publish(engine, "Strict Partners", now=now, keywords=("crm",))
    [hit] = search(engine, SearchQuery(text="crm"))
    request = ContactRequest(
        location_id=hit.location.id,
        company="Fabrikam",
        first_name="G",
        last_name="Rossi",
        email="g@fabrikam.it",
        country="IT",
        need="A CRM",
        consent=True,
    )

    with pytest.raises(InvalidInput) as refused:
        contact_partner(engine, partner.id, replace(request, **change), now=now)

    assert field in refused.value.fields
    with reading(engine) as conn:
        assert conn.execute(select(func.count()).select_from(leads)).scalar() == 0


def test_an_unpublished_partner_cannot_be_contacted(engine, tenant, now):
    request = ContactRequest(
        location_id=tenant.location_id,
        company="F",
        first_name="G",
        last_name="R",
        email="g@f.example",
        need="x",
        consent=True,
    )
    with pytest.raises(NotFound):
        contact_partner(engine, tenant.partner_id, request, now=now)
