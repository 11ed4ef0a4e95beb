"""Assignment rules hand new actionable leads to owners in the transaction that creates them: round robin is
fair, least loaded respects the cap and tells the admins when nobody can take a lead, deactivated members get
nothing, and concurrent ingestion stays fair. On both databases."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from referrals.domain.assignment import AssignmentMode, AssignmentRule
from referrals.domain.enums import Role
from referrals.domain.errors import InvalidInput, NotFound
from referrals.services import assignment
from referrals.services.ingest import ingest_many
from referrals.services.reading import get_lead
from referrals.store import assignment as store_assignment
from referrals.store.db import reading, writing
from referrals.store.tables import leads, outbox, users
from tests import factories
from tests.races import pause_after


def members(engine, tenant, n):
    return [factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_USER) for _ in range(n)]


def set_rule(engine, tenant, mode, people, cap=None, now=factories.NOW):
    rule = AssignmentRule(AssignmentMode(mode), tuple(p.user_id for p in people), cap)
    return assignment.set_rule(engine, tenant.admin, tenant.location_id, rule, now=now)


def owners(engine, partner_id):
    with reading(engine) as conn:
        return [row.owner_id for row in conn.execute(
            select(leads.c.owner_id).where(leads.c.partner_id == partner_id).order_by(leads.c.created_at, leads.c.id))]


def test_round_robin_over_three_members_gives_each_ten_of_thirty(engine, tenant, now):
    team = members(engine, tenant, 3)
    set_rule(engine, tenant, "round_robin", team)
    for i in range(20):  # one by one ...
        factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now + timedelta(minutes=i))
    drafts = [factories.lead_draft(factories.PROFILE, tenant.partner_id) for _ in range(10)]
    ingest_many(engine, drafts, now=now + timedelta(hours=1))  # ... and in a batch
    taken = owners(engine, tenant.partner_id)
    assert Counter(taken) == {p.user_id: 10 for p in team}
    assert taken[:6] == [p.user_id for p in team] * 2  # in the members' order, in turn


def test_least_loaded_stops_at_the_cap_and_tells_the_admins(engine, tenant, now):
    team = members(engine, tenant, 2)
    set_rule(engine, tenant, "least_loaded", team, cap=2)
    made = [factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now + timedelta(minutes=i))
            for i in range(5)]
    assert Counter(owners(engine, tenant.partner_id)) == {team[0].user_id: 2, team[1].user_id: 2, None: 1}
    assert made[4].owner_id is None
    with reading(engine) as conn:
        told = conn.execute(select(outbox.c.recipient).where(outbox.c.template == "team_at_capacity")).scalars()
        assert list(told) == [tenant.admin.email]


def test_least_loaded_gives_the_next_lead_to_whoever_owns_fewest_open_leads(engine, tenant, now):
    team = members(engine, tenant, 2)
    busy = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    with writing(engine) as conn:  # the first member already owns an open lead
        conn.execute(update(leads).where(leads.c.id == busy.id).values(owner_id=team[0].user_id))
    set_rule(engine, tenant, "least_loaded", team)
    fresh = factories.ingest(engine, factories.PROFILE, tenant.partner_id, now=now + timedelta(minutes=1))
    assert fresh.owner_id == team[1].user_id
    then = factories.ingest(engine, factories.PROFILE, tenant.partner_id, now=now + timedelta(minutes=2))
    assert then.owner_id == team[0].user_id  # one each: the tie goes to the one assigned least recently


def test_a_deactivated_member_gets_no_leads(engine, tenant, now):
    team = members(engine, tenant, 3)
    set_rule(engine, tenant, "round_robin", team)
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.id == team[1].user_id).values(active=False))
    for i in range(6):
        factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now + timedelta(minutes=i))
    assert Counter(owners(engine, tenant.partner_id)) == {team[0].user_id: 3, team[2].user_id: 3}


def test_informational_leads_and_imported_history_get_no_owner(engine, tenant, now):
    set_rule(engine, tenant, "round_robin", members(engine, tenant, 2))
    trial = factories.ingest(engine, factories.FREE_TRIAL, tenant.partner_id, now=now)
    old = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now,
                           received_at=now - timedelta(days=3))
    assert trial.owner_id is None and old.owner_id is None


def test_the_arrival_records_who_got_the_lead_and_by_which_rule(engine, tenant, now):
    team = members(engine, tenant, 1)
    set_rule(engine, tenant, "round_robin", team)
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    [entry] = get_lead(engine, tenant.admin, lead.id).history
    assert entry["details"] == {"source": lead.origin.source.value, "owner_id": team[0].user_id,
                                "rule": "round_robin"}


def test_concurrent_ingestion_stays_fair(engine, tenant, now, monkeypatch):
    team = members(engine, tenant, 2)
    set_rule(engine, tenant, "round_robin", team)
    # both transactions read the members before either writes, unless the rule's lock makes them take turns
    pause_after(monkeypatch, store_assignment, "load_turn", timeout=0.5)
    errors = []

    def ingest(minute):
        try:
            factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now + timedelta(minutes=minute))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    for round_ in range(3):
        threads = [threading.Thread(target=ingest, args=(round_ * 2 + i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert Counter(owners(engine, tenant.partner_id)) == {team[0].user_id: 3, team[1].user_id: 3}


def test_a_rule_names_only_active_users_of_the_partner(engine, tenant, other_tenant):
    stranger = factories.add_principal(engine, other_tenant.partner_id)
    with pytest.raises(InvalidInput) as refused:
        set_rule(engine, tenant, "round_robin", [tenant.admin, stranger])
    assert "members" in refused.value.fields
    with pytest.raises(InvalidInput) as empty:
        set_rule(engine, tenant, "least_loaded", [])
    assert "members" in empty.value.fields
    with pytest.raises(NotFound):  # another partner's location
        assignment.read_rule(engine, tenant.admin, other_tenant.location_id)
    assert assignment.read_rule(engine, tenant.admin, tenant.location_id) == AssignmentRule()


def test_deactivating_an_owner_hands_their_open_leads_back_to_the_rule(engine, tenant, now):
    team = members(engine, tenant, 2)
    set_rule(engine, tenant, "round_robin", team)
    made = [factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now + timedelta(minutes=i))
            for i in range(4)]
    leaving = team[0].user_id
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.id == leaving).values(active=False))
        moved = assignment.release_owned(conn, tenant.partner_id, leaving, now=now + timedelta(hours=1))
    assert moved == 2
    assert set(owners(engine, tenant.partner_id)) == {team[1].user_id}
    history = get_lead(engine, tenant.admin, made[0].id).history
    assert history[-1]["action"] == "assigned"
    assert history[-1]["details"] == {"owner_id": team[1].user_id, "previous_owner_id": leaving,
                                      "why": "owner_deactivated"}
