"""The partner's actions through the services, on both databases: they persist with their history, a refused
action changes nothing, If-Match guards against stale pages, and a race has exactly one winner."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from referrals.domain.deal import Money
from referrals.domain.enums import Action, Outcome, Reason, Role, Status
from referrals.domain.errors import Conflict, InvalidInput, InvalidTransition, PreconditionFailed
from referrals.services import lifecycle
from referrals.services.lifecycle import accept_lead, add_deal_employee, close_lead, decline_lead, edit_deal
from referrals.services.reading import get_lead
from referrals.services.sweep import sweep
from referrals.store.db import writing
from referrals.store.tables import users
from tests.factories import NOW, add_principal, deal_terms, employee, ingest

LATER = NOW + timedelta(hours=2)


def terms_for(tenant, **overrides):
    return deal_terms(team=(tenant.admin.user_id,), **overrides)


def snapshot(engine, tenant, lead_id):
    """Everything an action could change: the lead and its history."""
    detail = get_lead(engine, tenant.reader, lead_id)
    return detail.lead, detail.history


def accepted(engine, tenant, kind="contact_me"):
    lead = ingest(engine, kind, tenant.partner_id)
    return accept_lead(engine, tenant.admin, lead.id, terms_for(tenant), now=LATER)


# -- the actions persist ---------------------------------------------------------------------------------


def test_accepting_stores_the_deal_and_the_history(engine, tenant):
    # given a received Contact me lead
    lead = ingest(engine, "contact_me", tenant.partner_id)
    # when the admin accepts it
    accept_lead(engine, tenant.admin, lead.id, terms_for(tenant), now=LATER)
    # then anyone of the partner reads it back accepted, with the deal and who did it
    stored, history = snapshot(engine, tenant, lead.id)
    assert (stored.status, stored.version, stored.accepted_at) == (Status.ACCEPTED, 2, LATER)
    assert stored.deal.terms == terms_for(tenant)
    assert [(h["version"], h["action"], h["from_status"], h["to_status"]) for h in history] == [
        (1, "received", None, "received"), (2, "accepted", "received", "accepted")]
    assert (history[1]["actor_id"], history[1]["at"]) == (tenant.admin.user_id, LATER)


def test_declining_stores_the_reason_and_archives_the_lead(engine, tenant):
    lead = ingest(engine, "profile", tenant.partner_id)
    decline_lead(engine, tenant.admin, lead.id, Reason.SPAM, "Phishing link in the message.", now=LATER)
    stored, history = snapshot(engine, tenant, lead.id)
    assert (stored.status, stored.outcome, stored.archived_at) == (Status.ARCHIVED, Outcome.DECLINED, LATER)
    assert (stored.closing.reason, stored.closing.notes) == (Reason.SPAM, "Phishing link in the message.")
    assert history[-1]["action"] == Action.DECLINED and history[-1]["details"] == {"reason": "spam"}


def test_a_deal_can_be_edited_staffed_and_won(engine, tenant):
    # given an accepted lead
    lead = accepted(engine, tenant)
    # when its deal is edited, an employee added and the deal won
    edit_deal(engine, tenant.admin, lead.id, {"value": Money(Decimal("30000.50"), "USD"),
                                              "purchase_date": date(2026, 9, 1)}, now=LATER)
    add_deal_employee(engine, tenant.admin, lead.id, employee(), now=LATER)
    close_lead(engine, tenant.admin, lead.id, Outcome.WON, None, "Signed.", now=LATER)
    # then every change was stored, one version each
    stored, history = snapshot(engine, tenant, lead.id)
    assert stored.deal.terms.value == Money(Decimal("30000.50"), "USD")
    assert stored.deal.terms.purchase_date == date(2026, 9, 1)
    assert stored.deal.employees == (employee(),)
    assert (stored.status, stored.outcome, stored.version) == (Status.ARCHIVED, Outcome.WON, 5)
    assert [h["action"] for h in history] == ["received", "accepted", "deal_edited", "employee_added", "won"]


def test_a_lost_deal_keeps_its_reason(engine, tenant):
    lead = accepted(engine, tenant, "sales")
    close_lead(engine, tenant.admin, lead.id, Outcome.LOST, Reason.BUDGET_NOT_ADEQUATE, "", now=LATER)
    stored, _ = snapshot(engine, tenant, lead.id)
    assert (stored.outcome, stored.closing.reason) == (Outcome.LOST, Reason.BUDGET_NOT_ADEQUATE)


def test_team_members_must_be_users_of_the_partner(engine, tenant, other_tenant):
    # given a lead, when the admin names a user of another partner (or nobody known) on the team
    lead = ingest(engine, "contact_me", tenant.partner_id)
    before = snapshot(engine, tenant, lead.id)
    for team in ((other_tenant.admin.user_id,), (tenant.admin.user_id, "no-such-user")):
        with pytest.raises(InvalidInput) as raised:
            accept_lead(engine, tenant.admin, lead.id, deal_terms(team=team), now=LATER)
        assert "team_member_ids" in raised.value.fields
    # then nothing changed
    assert snapshot(engine, tenant, lead.id) == before


def test_a_deactivated_user_joins_no_deal(engine, tenant):
    # given a colleague who was deactivated
    gone = add_principal(engine, tenant.partner_id, Role.REFERRALS_USER)
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.id == gone.user_id).values(active=False))
    lead = ingest(engine, "contact_me", tenant.partner_id)
    # when the admin names them on the deal's team, then it is refused naming the field
    with pytest.raises(InvalidInput) as raised:
        accept_lead(engine, tenant.admin, lead.id, deal_terms(team=(tenant.admin.user_id, gone.user_id)), now=LATER)
    assert "team_member_ids" in raised.value.fields


def test_an_edited_team_must_also_be_users_of_the_partner(engine, tenant, other_tenant):
    lead = accepted(engine, tenant)
    before = snapshot(engine, tenant, lead.id)
    with pytest.raises(InvalidInput):
        edit_deal(engine, tenant.admin, lead.id, {"team_member_ids": (other_tenant.admin.user_id,)}, now=LATER)
    assert snapshot(engine, tenant, lead.id) == before


# -- a refused action changes nothing --------------------------------------------------------------------


REFUSALS = {
    "accept an informational lead": ("get_it_now", None, lambda e, t, i: accept_lead(
        e, t.admin, i, terms_for(t), now=LATER), InvalidTransition),
    "decline an informational lead": ("free_trial", None, lambda e, t, i: decline_lead(
        e, t.admin, i, Reason.OTHER, "n", now=LATER), InvalidTransition),
    "close before accepting": ("contact_me", None, lambda e, t, i: close_lead(
        e, t.admin, i, Outcome.WON, None, "", now=LATER), InvalidTransition),
    "edit before accepting": ("profile", None, lambda e, t, i: edit_deal(
        e, t.admin, i, {"name": "x"}, now=LATER), InvalidTransition),
    "accept after the deadline": ("contact_me", None, lambda e, t, i: accept_lead(
        e, t.admin, i, terms_for(t), now=NOW + timedelta(days=14)), InvalidTransition),
    "accept a declined lead": ("contact_me", "decline", lambda e, t, i: accept_lead(
        e, t.admin, i, terms_for(t), now=LATER), InvalidTransition),
    "decline a won lead": ("contact_me", "won", lambda e, t, i: decline_lead(
        e, t.admin, i, Reason.OTHER, "n", now=LATER), InvalidTransition),
    "edit a won lead": ("contact_me", "won", lambda e, t, i: edit_deal(
        e, t.admin, i, {"name": "x"}, now=LATER), InvalidTransition),
    "add an employee to a won lead": ("contact_me", "won", lambda e, t, i: add_deal_employee(
        e, t.admin, i, employee(), now=LATER), InvalidTransition),
    "accept without notes": ("contact_me", None, lambda e, t, i: accept_lead(
        e, t.admin, i, terms_for(t, notes=""), now=LATER), InvalidInput),
    "decline without notes": ("contact_me", None, lambda e, t, i: decline_lead(
        e, t.admin, i, Reason.SPAM, "", now=LATER), InvalidInput),
    "lose without a reason": ("contact_me", "accept", lambda e, t, i: close_lead(
        e, t.admin, i, Outcome.LOST, None, "", now=LATER), InvalidInput),
    "add an employee with a malformed email": ("contact_me", "accept", lambda e, t, i: add_deal_employee(
        e, t.admin, i, employee(email="anna-at-contoso"), now=LATER), InvalidInput),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refused_action_changes_nothing(engine, tenant, case):
    # given a lead in some state
    kind, setup, attempt, error = REFUSALS[case]
    lead = ingest(engine, kind, tenant.partner_id)
    if setup in ("accept", "won"):
        accept_lead(engine, tenant.admin, lead.id, terms_for(tenant), now=LATER)
    if setup == "won":
        close_lead(engine, tenant.admin, lead.id, Outcome.WON, None, "", now=LATER)
    if setup == "decline":
        decline_lead(engine, tenant.admin, lead.id, Reason.SPAM, "Spam.", now=LATER)
    before = snapshot(engine, tenant, lead.id)
    # when a refused action is tried, then it raises and the stored lead and history are untouched
    with pytest.raises(error):
        attempt(engine, tenant, lead.id)
    assert snapshot(engine, tenant, lead.id) == before


# -- If-Match --------------------------------------------------------------------------------------------


def test_an_action_with_the_current_etag_goes_through(engine, tenant):
    lead = ingest(engine, "contact_me", tenant.partner_id)
    result = accept_lead(engine, tenant.admin, lead.id, terms_for(tenant), now=LATER, if_match=lead.etag)
    assert result.version == 2
    result = edit_deal(engine, tenant.admin, lead.id, {"crm_id": "X"}, now=LATER, if_match=f"  {result.etag} ")
    assert result.version == 3


def test_an_action_with_a_stale_etag_is_refused_and_changes_nothing(engine, tenant):
    # given a page read at version 1, after which someone accepted the lead
    lead = ingest(engine, "contact_me", tenant.partner_id)
    stale = lead.etag
    accept_lead(engine, tenant.admin, lead.id, terms_for(tenant), now=LATER)
    before = snapshot(engine, tenant, lead.id)
    # when the stale page edits the deal, then it is refused as a failed precondition
    with pytest.raises(PreconditionFailed):
        edit_deal(engine, tenant.admin, lead.id, {"name": "From a stale page"}, now=LATER, if_match=stale)
    assert snapshot(engine, tenant, lead.id) == before


@pytest.mark.parametrize("etag", ['"someone-else.1"', "garbage", '""', 'W/"x.1"'])
def test_an_action_with_a_foreign_etag_is_refused(engine, tenant, etag):
    lead = ingest(engine, "contact_me", tenant.partner_id)
    before = snapshot(engine, tenant, lead.id)
    with pytest.raises(PreconditionFailed):
        decline_lead(engine, tenant.admin, lead.id, Reason.SPAM, "Spam.", now=LATER, if_match=etag)
    assert snapshot(engine, tenant, lead.id) == before


def test_if_match_star_matches_any_version(engine, tenant):
    lead = ingest(engine, "contact_me", tenant.partner_id)
    assert decline_lead(engine, tenant.admin, lead.id, Reason.SPAM, "Spam.", now=LATER, if_match="*").version == 2


# -- concurrency -----------------------------------------------------------------------------------------


def race(monkeypatch, *actions):
    """Run the actions in threads that all load the lead before any of them saves; return what each did."""
    barrier = threading.Barrier(len(actions), timeout=20)
    original = lifecycle.load_lead

    def load_then_wait(*args, **kwargs):
        lead = original(*args, **kwargs)
        barrier.wait()
        return lead

    monkeypatch.setattr(lifecycle, "load_lead", load_then_wait)
    outcomes: list[object] = [None] * len(actions)

    def run(index, action):
        try:
            outcomes[index] = action()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    monkeypatch.setattr(lifecycle, "load_lead", original)
    return outcomes


@pytest.mark.parametrize("round_", range(3))
def test_a_concurrent_accept_and_decline_have_exactly_one_winner(engine, tenant, monkeypatch, round_):
    # given a received lead and a second admin of the same partner
    lead = ingest(engine, "contact_me", tenant.partner_id)
    colleague = add_principal(engine, tenant.partner_id, Role.REFERRALS_ADMIN)
    # when both act at once, each having loaded the lead before either saved
    accepted_, declined = race(
        monkeypatch,
        lambda: accept_lead(engine, tenant.admin, lead.id, terms_for(tenant), now=LATER),
        lambda: decline_lead(engine, colleague, lead.id, Reason.SPAM, "Spam.", now=LATER),
    )
    # then exactly one won and the other got a conflict
    results = [accepted_, declined]
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    winner = next(r for r in results if not isinstance(r, Exception))
    # and the stored lead is the winner's, with one history entry for it
    stored, history = snapshot(engine, tenant, lead.id)
    assert (stored.status, stored.version) == (winner.status, 2)
    assert [h["version"] for h in history] == [1, 2]


def test_two_concurrent_accepts_have_exactly_one_winner(engine, tenant, monkeypatch):
    lead = ingest(engine, "profile", tenant.partner_id)
    colleague = add_principal(engine, tenant.partner_id, Role.REFERRALS_ADMIN)
    results = race(
        monkeypatch,
        lambda: accept_lead(engine, tenant.admin, lead.id, terms_for(tenant, name="Mine"), now=LATER),
        lambda: accept_lead(engine, colleague, lead.id, terms_for(tenant, name="Yours"), now=LATER),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    winner = next(r for r in results if not isinstance(r, Exception))
    stored, history = snapshot(engine, tenant, lead.id)
    assert stored.deal.terms.name == winner.deal.terms.name and len(history) == 2


def test_an_answer_loses_to_the_sweep_that_expired_the_lead_meanwhile(engine, tenant, monkeypatch):
    # given a lead read one second before its deadline
    lead = ingest(engine, "contact_me", tenant.partner_id)
    deadline = NOW + timedelta(days=14)
    original = lifecycle.load_lead

    def load_then_sweep(*args, **kwargs):
        loaded = original(*args, **kwargs)
        sweep(engine, now=deadline)  # the sweep expires it while the partner is still deciding
        return loaded

    monkeypatch.setattr(lifecycle, "load_lead", load_then_sweep)
    # when the partner's accept is saved, then it loses with a conflict and the lead stays expired
    with pytest.raises(Conflict):
        accept_lead(engine, tenant.admin, lead.id, terms_for(tenant), now=deadline - timedelta(seconds=1))
    monkeypatch.setattr(lifecycle, "load_lead", original)
    stored, history = snapshot(engine, tenant, lead.id)
    assert (stored.outcome, stored.version, len(history)) == (Outcome.EXPIRED, 2, 2)
