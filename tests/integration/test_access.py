"""Who reaches which leads, at the service level: a partner never sees or touches another partner's leads,
a Referrals user reads but cannot act, and favourites belong to one user."""

import csv
import io
import threading

import pytest

from referrals.domain.enums import Outcome, Reason, Role, Status
from referrals.domain.errors import Forbidden, NotFound
from referrals.domain.listing import LeadFilter, PageRequest, Tab
from referrals.services import reading as reading_service
from referrals.services.export import export_csv
from referrals.services.lifecycle import accept_lead, add_deal_employee, close_lead, decline_lead, edit_deal
from referrals.services.reading import get_lead, list_leads, set_favorite, tab_counts
from tests.factories import NOW, add_principal, deal_terms, employee, ingest
from tests.races import pause_after


def all_listed(engine, principal, lead_filter=LeadFilter()) -> list[str]:
    page = list_leads(engine, principal, PageRequest(lead_filter, limit=200))
    return [item.id for item in page.items]


def exported_ids(engine, principal, lead_filter=LeadFilter()) -> list[str]:
    rows = list(csv.DictReader(io.StringIO("".join(export_csv(engine, principal, lead_filter)), newline="")))
    return [row["LeadId"] for row in rows]


def version_of(engine, tenant, lead_id):
    lead = get_lead(engine, tenant.reader, lead_id).lead
    return lead.status, lead.version


# -- tenant isolation ------------------------------------------------------------------------------------

FOREIGN_ACTIONS = {
    "get": lambda e, p, i: get_lead(e, p, i),
    "accept": lambda e, p, i: accept_lead(e, p, i, deal_terms(team=(p.user_id,)), now=NOW),
    "decline": lambda e, p, i: decline_lead(e, p, i, Reason.SPAM, "Spam.", now=NOW),
    "edit": lambda e, p, i: edit_deal(e, p, i, {"name": "Mine now"}, now=NOW),
    "add employee": lambda e, p, i: add_deal_employee(e, p, i, employee(), now=NOW),
    "close": lambda e, p, i: close_lead(e, p, i, Outcome.WON, None, "", now=NOW),
    "favorite": lambda e, p, i: set_favorite(e, p, i, True, now=NOW),
    "unfavorite": lambda e, p, i: set_favorite(e, p, i, False, now=NOW),
}


@pytest.mark.parametrize("action", sorted(FOREIGN_ACTIONS))
@pytest.mark.parametrize("state", ["received", "accepted"])
def test_another_partner_gets_not_found_for_every_action(engine, tenant, other_tenant, action, state):
    # given partner A's lead, received or accepted
    lead = ingest(engine, "contact_me", tenant.partner_id)
    if state == "accepted":
        accept_lead(engine, tenant.admin, lead.id, deal_terms(team=(tenant.admin.user_id,)), now=NOW)
    before = get_lead(engine, tenant.reader, lead.id)
    # when partner B's admin tries anything on it by id, then it does not exist for them
    with pytest.raises(NotFound):
        FOREIGN_ACTIONS[action](engine, other_tenant.admin, lead.id)
    # and partner A's lead, history and favourites are untouched
    assert get_lead(engine, tenant.reader, lead.id) == before


def test_an_unknown_lead_is_not_found_the_same_way(engine, tenant):
    for action in FOREIGN_ACTIONS.values():
        with pytest.raises(NotFound):
            action(engine, tenant.admin, "01kzzzzzzzzzzzzzzzzzzzzzzz")


def test_another_partner_never_sees_the_leads_in_lists_counts_or_exports(engine, tenant, other_tenant):
    # given leads at both partners, a few with the same customer
    mine = {ingest(engine, kind, tenant.partner_id).id for kind in ("contact_me", "marketing", "get_it_now")}
    theirs = {ingest(engine, kind, other_tenant.partner_id).id for kind in ("contact_me", "profile")}
    # then each partner lists and exports its own leads only, in every tab and search
    for principal, own in ((tenant.reader, mine), (other_tenant.reader, theirs), (other_tenant.admin, theirs)):
        assert set(all_listed(engine, principal)) == own
        assert set(exported_ids(engine, principal)) == own
        assert set(all_listed(engine, principal, LeadFilter(customer="fabrikam"))) == own
        counts = tab_counts(engine, principal, LeadFilter())
        assert counts[Tab.MARKETPLACE] + counts[Tab.QUALIFIED] == len(own)


# -- roles -----------------------------------------------------------------------------------------------

ACTING = {name: action for name, action in FOREIGN_ACTIONS.items() if name not in ("get", "favorite", "unfavorite")}


@pytest.mark.parametrize("action", sorted(ACTING))
def test_a_referrals_user_can_read_but_not_act(engine, tenant, action):
    # given an accepted lead and a received one
    received = ingest(engine, "contact_me", tenant.partner_id)
    accepted = ingest(engine, "profile", tenant.partner_id)
    accept_lead(engine, tenant.admin, accepted.id, deal_terms(team=(tenant.admin.user_id,)), now=NOW)
    # when the read-only user tries to act, then it is forbidden and nothing changes
    for lead_id in (received.id, accepted.id):
        before = version_of(engine, tenant, lead_id)
        with pytest.raises(Forbidden):
            ACTING[action](engine, tenant.reader, lead_id)
        assert version_of(engine, tenant, lead_id) == before
    # while reading, listing, exporting and hearting work
    assert get_lead(engine, tenant.reader, received.id).lead.status is Status.RECEIVED
    assert set(all_listed(engine, tenant.reader)) == {received.id, accepted.id}
    assert set(exported_ids(engine, tenant.reader)) == {received.id, accepted.id}
    assert set_favorite(engine, tenant.reader, received.id, True, now=NOW) is True


@pytest.mark.parametrize("roles", [(Role.BUSINESS_PROFILE_ADMIN,), (Role.PROGRAM_ADMIN,), (Role.PROGRAM_SELLER,)])
def test_people_without_a_referrals_role_neither_read_nor_act(engine, tenant, roles):
    # given a business-profile admin of the partner, or program staff
    partner_id = tenant.partner_id if Role.BUSINESS_PROFILE_ADMIN in roles else None
    someone = add_principal(engine, partner_id, *roles)
    lead = ingest(engine, "contact_me", tenant.partner_id)
    # then every lead use case is forbidden to them
    for action in FOREIGN_ACTIONS.values():
        with pytest.raises(Forbidden):
            action(engine, someone, lead.id)
    with pytest.raises(Forbidden):
        list_leads(engine, someone, PageRequest())
    with pytest.raises(Forbidden):
        list(export_csv(engine, someone, LeadFilter()))
    assert version_of(engine, tenant, lead.id) == (Status.RECEIVED, 1)


def test_a_user_holding_both_referrals_roles_can_act(engine, tenant):
    both = add_principal(engine, tenant.partner_id, Role.REFERRALS_USER, Role.REFERRALS_ADMIN)
    lead = ingest(engine, "contact_me", tenant.partner_id)
    assert decline_lead(engine, both, lead.id, Reason.SPAM, "Spam.", now=NOW).status is Status.ARCHIVED


# -- favourites are per user -----------------------------------------------------------------------------


def test_favorites_belong_to_the_user_who_hearted(engine, tenant):
    # given two users of the same partner, and a lead hearted by the first
    lead = ingest(engine, "contact_me", tenant.partner_id)
    set_favorite(engine, tenant.admin, lead.id, True, now=NOW)
    # then it is a favourite for the first only
    assert get_lead(engine, tenant.admin, lead.id).favorite is True
    assert get_lead(engine, tenant.reader, lead.id).favorite is False
    assert all_listed(engine, tenant.admin, LeadFilter(tab=Tab.FAVORITES)) == [lead.id]
    assert all_listed(engine, tenant.reader, LeadFilter(tab=Tab.FAVORITES)) == []
    [item] = list_leads(engine, tenant.reader, PageRequest()).items
    assert item.favorite is False


def test_hearting_and_unhearting_are_idempotent(engine, tenant):
    lead = ingest(engine, "contact_me", tenant.partner_id)
    # hearting twice leaves one favourite
    assert set_favorite(engine, tenant.reader, lead.id, True, now=NOW) is True
    assert set_favorite(engine, tenant.reader, lead.id, True, now=NOW) is True
    assert all_listed(engine, tenant.reader, LeadFilter(tab=Tab.FAVORITES)) == [lead.id]
    assert tab_counts(engine, tenant.reader, LeadFilter())[Tab.FAVORITES] == 1
    # un-hearting twice leaves none
    assert set_favorite(engine, tenant.reader, lead.id, False, now=NOW) is False
    assert set_favorite(engine, tenant.reader, lead.id, False, now=NOW) is False
    assert all_listed(engine, tenant.reader, LeadFilter(tab=Tab.FAVORITES)) == []
    assert get_lead(engine, tenant.reader, lead.id).favorite is False


def test_an_archived_lead_can_still_be_hearted(engine, tenant):
    lead = ingest(engine, "contact_me", tenant.partner_id)
    decline_lead(engine, tenant.admin, lead.id, Reason.SPAM, "Spam.", now=NOW)
    set_favorite(engine, tenant.reader, lead.id, True, now=NOW)
    detail = get_lead(engine, tenant.reader, lead.id)
    assert detail.favorite is True and detail.lead.version == 2  # hearting is not a change to the lead


def test_two_concurrent_hearts_of_one_lead_both_succeed(engine, tenant, monkeypatch):
    # given a user hearting the same lead from two tabs at once, both past the lead check before either writes
    # (on SQLite the second waits for the first's write lock, so the barrier just times out and lets it go)
    lead = ingest(engine, "contact_me", tenant.partner_id)
    restore = pause_after(monkeypatch, reading_service, "load_lead")
    results: list[object] = []

    def heart():
        try:
            results.append(set_favorite(engine, tenant.reader, lead.id, True, now=NOW))
        except Exception as error:  # the test inspects what each thread got
            results.append(error)

    threads = [threading.Thread(target=heart) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    restore()
    # then both succeeded and the lead is one favourite
    assert results == [True, True]
    assert all_listed(engine, tenant.reader, LeadFilter(tab=Tab.FAVORITES)) == [lead.id]
